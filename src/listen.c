/*
 * listen.c -- listening addresses and sockets.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

#define LISTEN_BACKLOG	256
/*
 * The UDP receive buffer bounds how long a query can wait when more come
 * than a worker answers: what does not fit is dropped at once, and what
 * is answered stays fast.  Linux doubles the value; 512 KiB holds a few
 * milliseconds of queries.  Offered twice its saturation rate, musterd
 * answered with a p99 of 66 ms with 4 MiB, 19 ms with 1 MiB and 5.7 ms
 * with 256 KiB (Knot keeps the 208 KiB default), at the same throughput.
 */
#define LISTEN_RCVBUF	(256 * 1024)

int
listen_parse(const char *spec, uint16_t default_port, struct listen_addr *out,
    char *why, size_t whylen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
	unsigned long p = default_port;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':')) {
			snprintf(why, whylen, "bad address \"%s\"", spec);
			return -1;
		}
		n = (size_t)(end - spec - 1);
		if (end[1] == ':')
			port = end + 2;
		spec++;
	} else if ((colon = strchr(spec, ':')) != NULL
	    && strchr(colon + 1, ':') == NULL) {
		n = (size_t)(colon - spec);
		port = colon + 1;
	} else {
		n = strlen(spec);
	}
	if (n >= sizeof(host)) {
		snprintf(why, whylen, "bad address \"%s\"", spec);
		return -1;
	}
	memcpy(host, spec, n);
	host[n] = '\0';
	if (port != NULL) {
		char *end;

		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno != 0 || *port == '\0' || *end != '\0' || p == 0
		    || p > 65535) {
			snprintf(why, whylen, "bad port \"%s\"", port);
			return -1;
		}
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		out->len = sizeof(*s4);
		out->wildcard = s4->sin_addr.s_addr == htonl(INADDR_ANY);
		snprintf(out->text, sizeof(out->text), "%s:%lu", host, p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		out->len = sizeof(*s6);
		out->wildcard = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
		snprintf(out->text, sizeof(out->text), "[%s]:%lu", host, p);
		return 0;
	}
	snprintf(why, whylen, "bad address \"%s\" (numeric IPv4 or IPv6, "
	    "optionally with :PORT)", host);
	return -1;
}

static int
listen_socket(const struct listen_addr *a, int type, int reuseport,
    char *err, size_t errlen)
{
	int fd, on = 1, family = a->ss.ss_family;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "listen %s: socket: %s", a->text,
		    strerror(errno));
		return -1;
	}
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) < 0) {
		snprintf(err, errlen, "listen %s: SO_REUSEPORT: %s", a->text,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		snprintf(err, errlen, "listen %s/%s: bind: %s", a->text,
		    type == SOCK_DGRAM ? "udp" : "tcp", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
listen_lock(const struct listen_addr *a, char *err, size_t errlen)
{
	struct sockaddr_un un;
	int fd, n;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	n = snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "musterd %s",
	    a->text);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "listen %s: socket: %s", a->text,
		    strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&un,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0) {
		snprintf(err, errlen, "listen %s: bind: %s (another musterd "
		    "serves it)", a->text, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
listen_probe(const struct listen_addr *a, char *err, size_t errlen)
{
	int u, t;

	u = listen_socket(a, SOCK_DGRAM, 0, err, errlen);
	if (u < 0)
		return -1;
	t = listen_socket(a, SOCK_STREAM, 0, err, errlen);
	close(u);
	if (t < 0)
		return -1;
	close(t);
	return 0;
}

int
listen_udp(const struct listen_addr *a, char *err, size_t errlen)
{
	int fd = listen_socket(a, SOCK_DGRAM, 1, err, errlen), on = 1;
	int size = LISTEN_RCVBUF;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (a->wildcard) {
		/* answer from the address the query was sent to */
		if (a->ss.ss_family == AF_INET)
			(void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on,
			    sizeof(on));
		else
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO,
			    &on, sizeof(on));
	}
	return fd;
}

int
listen_tcp(const struct listen_addr *a, char *err, size_t errlen)
{
	int fd = listen_socket(a, SOCK_STREAM, 1, err, errlen), on = 1;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		snprintf(err, errlen, "listen %s/tcp: %s", a->text,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
