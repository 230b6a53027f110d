/*
 * metrics.c -- Prometheus text exposition over HTTP, on the main loop.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

#define METRICS_REQMAX	4096
#define METRICS_TIMEOUT	5.0
#define METRICS_MAXCONN	16

struct metrics_buf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

struct metrics_conn {
	ev_io			 io;
	ev_timer		 timer;
	struct metrics_server	*m;
	int			 fd;
	size_t			 rlen;
	char			 req[METRICS_REQMAX];
	char			*out;		/* response, malloc'd */
	size_t			 olen, ooff;
};

struct metrics_server {
	struct ev_loop		*loop;
	ev_io			 accept;
	metrics_fn		 fn;
	void			*arg;
	struct metrics_conn	 conns[METRICS_MAXCONN];
};

static void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap * 2 + (size_t)n;
			char *p = realloc(b->p, cap);

			if (p == NULL) {
				b->oom = 1;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

void
metrics_family(struct metrics_buf *b, const char *name, const char *type,
    const char *help)
{
	metrics_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_value(struct metrics_buf *b, const char *name, const char *labels,
    double v)
{
	if (labels != NULL && labels[0] != '\0')
		metrics_printf(b, "%s{%s} %.17g\n", name, labels, v);
	else
		metrics_printf(b, "%s %.17g\n", name, v);
}

void
metrics_histogram(struct metrics_buf *b, const char *name, const char *labels,
    const double *bounds, const uint64_t *counts, size_t n, double sum,
    uint64_t count)
{
	const char *sep = labels != NULL && labels[0] != '\0' ? "," : "";
	uint64_t cum = 0;
	size_t i;

	if (labels == NULL)
		labels = "";
	for (i = 0; i < n; i++) {
		cum += counts[i];
		metrics_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels,
		    sep, bounds[i], (unsigned long long)cum);
	}
	metrics_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
	    sep, (unsigned long long)count);
	metrics_printf(b, "%s_sum%s%s%s %.17g\n", name, labels[0] ? "{" : "",
	    labels, labels[0] ? "}" : "", sum);
	metrics_printf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "",
	    labels, labels[0] ? "}" : "", (unsigned long long)count);
}

static void
metrics_close(struct metrics_conn *c)
{
	ev_io_stop(c->m->loop, &c->io);
	ev_timer_stop(c->m->loop, &c->timer);
	close(c->fd);
	c->fd = -1;
	free(c->out);
	c->out = NULL;
}

/* Build the whole response for the request in c->req. */
static void
metrics_respond(struct metrics_conn *c)
{
	struct metrics_buf body = { NULL, 0, 0, 0 }, all = { NULL, 0, 0, 0 };
	const char *status = "200 OK";

	body.p = malloc(body.cap = 16384);
	all.p = malloc(all.cap = 512);
	if (body.p == NULL || all.p == NULL) {
		free(body.p);
		free(all.p);
		metrics_close(c);
		return;
	}
	body.p[0] = '\0';
	if (strncmp(c->req, "GET /metrics ", 13) == 0
	    || strncmp(c->req, "GET /metrics?", 13) == 0)
		c->m->fn(&body, c->m->arg);
	else {
		status = "404 Not Found";
		metrics_printf(&body, "only /metrics here\n");
	}
	if (body.oom)
		status = "500 Internal Server Error";
	metrics_printf(&all, "HTTP/1.1 %s\r\nContent-Type: text/plain; "
	    "version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", status, body.oom ? 0 : body.len);
	if (!body.oom)
		metrics_printf(&all, "%.*s", (int)body.len, body.p);
	free(body.p);
	c->out = all.p;
	c->olen = all.oom ? 0 : all.len;
	c->ooff = 0;
	ev_io_stop(c->m->loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(c->m->loop, &c->io);
}

static void
metrics_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct metrics_conn *c = (struct metrics_conn *)w;
	ssize_t n;

	(void)loop;
	if (revents & EV_WRITE) {
		n = send(c->fd, c->out + c->ooff, c->olen - c->ooff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0)
			c->ooff += (size_t)n;
		if ((n < 0 && errno != EAGAIN && errno != EINTR)
		    || c->ooff == c->olen)
			metrics_close(c);
		return;
	}
	n = read(c->fd, c->req + c->rlen, sizeof(c->req) - 1 - c->rlen);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			metrics_close(c);
		return;
	}
	c->rlen += (size_t)n;
	c->req[c->rlen] = '\0';
	if (strstr(c->req, "\r\n\r\n") != NULL || strstr(c->req, "\n\n") != NULL)
		metrics_respond(c);
	else if (c->rlen == sizeof(c->req) - 1)
		metrics_close(c);	/* too long */
}

static void
metrics_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	metrics_close(t->data);
}

static void
metrics_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct metrics_server *m = w->data;
	size_t i;
	int fd;

	(void)loop;
	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < METRICS_MAXCONN; i++)
		if (m->conns[i].fd < 0)
			break;
	if (i == METRICS_MAXCONN) {
		close(fd);	/* a scraper at a time is plenty */
		return;
	}
	m->conns[i].fd = fd;
	m->conns[i].rlen = 0;
	ev_io_init(&m->conns[i].io, metrics_io_cb, fd, EV_READ);
	ev_io_start(m->loop, &m->conns[i].io);
	ev_timer_init(&m->conns[i].timer, metrics_timeout_cb, METRICS_TIMEOUT, 0.);
	m->conns[i].timer.data = &m->conns[i];
	ev_timer_start(m->loop, &m->conns[i].timer);
}

struct metrics_server *
metrics_start(struct ev_loop *loop, const struct listen_addr *a, metrics_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct metrics_server *m = calloc(1, sizeof(*m));
	int fd, on = 1;
	size_t i;

	if (m == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) < 0 || bind(fd, (const struct sockaddr *)&a->ss,
	    a->len) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen, "metrics %s: %s", a->text, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(m);
		return NULL;
	}
	m->loop = loop;
	m->fn = fn;
	m->arg = arg;
	for (i = 0; i < METRICS_MAXCONN; i++) {
		m->conns[i].fd = -1;
		m->conns[i].m = m;
	}
	ev_io_init(&m->accept, metrics_accept_cb, fd, EV_READ);
	m->accept.data = m;
	ev_io_start(loop, &m->accept);
	return m;
}

void
metrics_stop(struct metrics_server *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < METRICS_MAXCONN; i++)
		if (m->conns[i].fd >= 0)
			metrics_close(&m->conns[i]);
	ev_io_stop(m->loop, &m->accept);
	close(m->accept.fd);
	free(m);
}
