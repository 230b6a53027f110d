/*
 * hcserver.c -- a small TCP/HTTP server for muster-probe's tests and bench.
 *
 * Listens on one or many loopback ports; answers every HTTP request with
 * the status its path is given in a routes file (default 200), and
 * accepts plain TCP connections until the client closes them.  It can
 * be told, by signal, to stop listening (connections are then refused)
 * and to listen again, and to read the routes again.  One thread, libev.
 *
 * usage: hcserver [-a ADDR] -p PORT[-LAST]... [-r ROUTES] [-c CODE]
 *   ROUTES: lines "PATH CODE [REASON]", or "PATH hang" (the request is
 *   read and never answered); "#" starts a comment.
 *   SIGHUP reads ROUTES again and prints "routes N accepted N open N
 *   answered N" (connections accepted, still open, requests answered);
 *   SIGUSR1 closes every listener ("closed"); SIGUSR2 listens again
 *   ("listening"); SIGTERM/SIGINT exit.  "ready" is printed on stdout
 *   once every port listens.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#define HC_MAXPORTS	4096
#define HC_MAXROUTES	256
#define HC_BUF		2048

struct hc_route {
	char		 path[512];
	int		 code;		/* 0: hang */
	char		 reason[64];
};

struct hc_listener {
	ev_io		 io;
	int		 port;
};

struct hc_conn {
	ev_io		 io;
	size_t		 len;
	int		 hanging;
	char		 buf[HC_BUF];
};

static struct ev_loop *hc_loop;
static struct hc_listener hc_ls[HC_MAXPORTS];
static size_t hc_nls;
static struct sockaddr_storage hc_addr;
static socklen_t hc_addrlen;
static struct hc_route hc_routes[HC_MAXROUTES];
static size_t hc_nroutes;
static const char *hc_routes_file;
static int hc_default = 200;
static unsigned long long hc_answered, hc_accepted, hc_open;

static const char *
hc_reason(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 404:
		return "Not Found";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

static void
hc_read_routes(void)
{
	char line[1024];
	FILE *fp;

	hc_nroutes = 0;
	if (hc_routes_file == NULL || (fp = fopen(hc_routes_file, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL
	    && hc_nroutes < HC_MAXROUTES) {
		struct hc_route *r = &hc_routes[hc_nroutes];
		char what[32] = "", reason[64] = "";

		if (line[0] == '#' || sscanf(line, "%511s %31s %63[^\n]", r->path,
		    what, reason) < 2)
			continue;
		r->code = strcmp(what, "hang") == 0 ? 0 : atoi(what);
		snprintf(r->reason, sizeof(r->reason), "%s",
		    reason[0] ? reason : hc_reason(r->code));
		hc_nroutes++;
	}
	fclose(fp);
}

static void
hc_close(struct hc_conn *c)
{
	ev_io_stop(hc_loop, &c->io);
	close(c->io.fd);
	free(c);
	hc_open--;
}

/* A complete request head is in c->buf: answer it (or hang). */
static void
hc_answer(struct hc_conn *c)
{
	char path[1024] = "/", out[512];
	const char *reason;
	int code = hc_default, n;
	size_t i;

	sscanf(c->buf, "%*s %1023s", path);
	reason = hc_reason(code);
	for (i = 0; i < hc_nroutes; i++)
		if (strcmp(hc_routes[i].path, path) == 0) {
			code = hc_routes[i].code;
			reason = hc_routes[i].reason;
			break;
		}
	if (code == 0) {
		c->hanging = 1;		/* keep reading until the client goes */
		return;
	}
	n = snprintf(out, sizeof(out), "HTTP/1.1 %d %s\r\nContent-Type: "
	    "text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n"
	    "%s\n", code, reason, strlen(reason) + 1, reason);
	(void)send(c->io.fd, out, (size_t)n, MSG_NOSIGNAL);
	hc_answered++;
	hc_close(c);
}

static void
hc_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct hc_conn *c = (struct hc_conn *)w;
	ssize_t n;

	(void)loop;
	(void)revents;
	if (c->hanging || c->len >= sizeof(c->buf) - 1) {
		char sink[512];

		n = recv(w->fd, sink, sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			hc_close(c);
		return;
	}
	n = recv(w->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		hc_close(c);
		return;
	}
	if (n < 0)
		return;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n") != NULL || strstr(c->buf, "\n\n") != NULL)
		hc_answer(c);
}

static void
hc_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct hc_conn *c;

		if (fd < 0)
			return;		/* EAGAIN, or out of descriptors */
		hc_accepted++;
		c = malloc(sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		hc_open++;
		c->len = 0;
		c->hanging = 0;
		ev_io_init(&c->io, hc_conn_cb, fd, EV_READ);
		ev_io_start(loop, &c->io);
	}
}

static int
hc_listen_one(struct hc_listener *l)
{
	struct sockaddr_storage ss = hc_addr;
	int fd, on = 1;

	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)l->port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)l->port);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, hc_addrlen) < 0
	    || listen(fd, 4096) < 0) {
		fprintf(stderr, "hcserver: port %d: %s\n", l->port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	ev_io_init(&l->io, hc_accept_cb, fd, EV_READ);
	ev_io_start(hc_loop, &l->io);
	return 0;
}

static int
hc_listen_all(void)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < hc_nls; i++)
		if (!ev_is_active(&hc_ls[i].io) && hc_listen_one(&hc_ls[i]) < 0)
			rc = -1;
	return rc;
}

static void
hc_close_all(void)
{
	size_t i;

	for (i = 0; i < hc_nls; i++)
		if (ev_is_active(&hc_ls[i].io)) {
			ev_io_stop(hc_loop, &hc_ls[i].io);
			close(hc_ls[i].io.fd);
		}
}

static void
hc_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	switch (w->signum) {
	case SIGHUP:
		hc_read_routes();
		printf("routes %zu accepted %llu open %llu answered %llu\n",
		    hc_nroutes, hc_accepted, hc_open, hc_answered);
		break;
	case SIGUSR1:
		hc_close_all();
		printf("closed\n");
		break;
	case SIGUSR2:
		printf(hc_listen_all() == 0 ? "listening\n" : "listen failed\n");
		break;
	default:
		fprintf(stderr, "hcserver: accepted %llu, answered %llu\n",
		    hc_accepted, hc_answered);
		ev_break(loop, EVBREAK_ALL);
		break;
	}
	fflush(stdout);
}

static int
hc_add_ports(const char *s)
{
	char *end;
	long lo = strtol(s, &end, 10), hi = lo;

	if (*end == '-')
		hi = strtol(end + 1, &end, 10);
	if (*end != '\0' || lo < 1 || hi > 65535 || hi < lo
	    || hc_nls + (size_t)(hi - lo + 1) > HC_MAXPORTS)
		return -1;
	for (; lo <= hi; lo++)
		hc_ls[hc_nls++].port = (int)lo;
	return 0;
}

static int
hc_set_addr(const char *s)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&hc_addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&hc_addr;

	memset(&hc_addr, 0, sizeof(hc_addr));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		hc_addrlen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		hc_addrlen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static ev_signal sigs[5];
	int nums[] = { SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, SIGINT }, c;
	size_t i;

	hc_set_addr("127.0.0.1");
	while ((c = getopt(argc, argv, "a:p:r:c:")) != -1) {
		if ((c == 'a' && hc_set_addr(optarg) < 0)
		    || (c == 'p' && hc_add_ports(optarg) < 0)
		    || c == '?' || c == ':') {
			fprintf(stderr, "usage: hcserver [-a ADDR] -p PORT[-LAST]... "
			    "[-r ROUTES] [-c CODE]\n");
			return 2;
		}
		if (c == 'r')
			hc_routes_file = optarg;
		if (c == 'c')
			hc_default = atoi(optarg);
	}
	if (hc_nls == 0) {
		fprintf(stderr, "hcserver: no port (-p)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	hc_loop = ev_default_loop(EVFLAG_AUTO);
	for (i = 0; i < 5; i++) {
		ev_signal_init(&sigs[i], hc_signal_cb, nums[i]);
		ev_signal_start(hc_loop, &sigs[i]);
	}
	hc_read_routes();
	if (hc_listen_all() < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	ev_run(hc_loop, 0);
	hc_close_all();
	return 0;
}
