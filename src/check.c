/*
 * check.c -- what every check kind shares: start, cancel, done, connect.
 *
 * check_start() allocates a struct check_run, arms the check's timeout
 * (one timer for the whole check: connect, TLS, request and response
 * together) and hands it to its kind.  check_done() formats the output,
 * frees the run and calls the done callback last, so the callback may
 * start the next check of the same target.  A ttl check waiting for a
 * Redis reply cannot take its callback back: check_cancel() detaches it
 * and the reply frees it (check_ttl.c).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "check.h"
#include "check_priv.h"

const char *
check_result_str(enum check_result r)
{
	switch (r) {
	case CHECK_PASSING:
		return "passing";
	case CHECK_WARNING:
		return "warning";
	case CHECK_CRITICAL:
		return "critical";
	}
	return "invalid";
}

const char *
check_strerror(int err)
{
	static char buf[128];
	size_t i;

	switch (err) {
	case ECONNREFUSED:
		return "connection refused";
	case ECONNRESET:
		return "connection reset";
	case ETIMEDOUT:
		return "connection timed out";
	case EHOSTUNREACH:
		return "host unreachable";
	case ENETUNREACH:
		return "network unreachable";
	case EPIPE:
		return "connection closed";
	default:
		break;
	}
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	for (i = 0; buf[i] != '\0' && i < 1; i++)
		if (buf[i] >= 'A' && buf[i] <= 'Z')
			buf[i] = (char)(buf[i] + 32);
	return buf;
}

struct check_env *
check_env_new(struct ev_loop *loop, check_done_fn done, void *arg, char *err,
    size_t errlen)
{
	struct check_env *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		snprintf(err, errlen, "checks: out of memory");
		return NULL;
	}
	e->loop = loop;
	e->done = done;
	e->arg = arg;
	e->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (e->ssl_ctx == NULL) {
		snprintf(err, errlen, "checks: TLS context: %s",
		    ERR_reason_error_string(ERR_get_error()));
		free(e);
		return NULL;
	}
	/* liveness, not identity: instances are addressed by IP */
	SSL_CTX_set_verify(e->ssl_ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_options(e->ssl_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(e->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
	    | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return e;
}

void
check_env_set_redis(struct check_env *e, struct rconn *rc, const char *prefix)
{
	e->rc = rc;
	snprintf(e->prefix, sizeof(e->prefix), "%s", prefix);
}

size_t
check_env_running(const struct check_env *e)
{
	return e->running;
}

void
check_env_free(struct check_env *e)
{
	if (e == NULL)
		return;
	SSL_CTX_free(e->ssl_ctx);
	free(e);
}

/* Release what r holds (not r): watchers, TLS, socket (with an RST). */
static void
check_run_close(struct check_run *r)
{
	ev_io_stop(r->env->loop, &r->io);
	ev_timer_stop(r->env->loop, &r->timer);
	if (r->ssl != NULL) {
		SSL_free(r->ssl);
		r->ssl = NULL;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

static void
check_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check_run *r = w->data;

	(void)revents;
	if (ev_is_pending(&r->io)) {
		/*
		 * libev runs a late iteration's timers before its I/O: the
		 * answer may be waiting.  Let it be read, then look again.
		 */
		ev_timer_set(w, 0.001, 0.);
		ev_timer_start(loop, w);
		return;
	}
	check_done(r->t, CHECK_CRITICAL, "timeout after %u ms (%s)",
	    (unsigned)r->t->timeout_ms, r->phase);
}

int
check_start(struct check_env *e, struct check_target *t)
{
	struct check_run *r = malloc(sizeof(*r));

	if (r == NULL)
		return -1;
	memset(r, 0, offsetof(struct check_run, buf));
	r->env = e;
	r->t = t;
	r->fd = -1;
	r->phase = "starting";
	r->io.data = r;
	ev_init(&r->io, NULL);
	ev_timer_init(&r->timer, check_timeout_cb,
	    (t->timeout_ms > 0 ? t->timeout_ms : 2000) / 1000.0, 0.);
	r->timer.data = r;
	ev_timer_start(e->loop, &r->timer);
	t->run = r;
	e->running++;
	switch (t->kind) {
	case REC_CHECK_TCP:
		check_tcp_start(r);
		break;
	case REC_CHECK_HTTP:
	case REC_CHECK_HTTPS:
		check_http_start(r);
		break;
	case REC_CHECK_TTL:
		check_ttl_start(r);
		break;
	case REC_CHECK_NONE:
		check_done(t, CHECK_PASSING, "no check");
		break;
	}
	return 0;
}

void
check_cancel(struct check_target *t)
{
	struct check_run *r = t->run;

	if (r == NULL)
		return;
	r->env->running--;
	t->run = NULL;
	check_run_close(r);
	if (r->reply_due) {
		r->t = NULL;	/* the Redis reply frees it */
		return;
	}
	free(r);
}

void
check_done(struct check_target *t, enum check_result res, const char *fmt, ...)
{
	struct check_run *r = t->run;
	struct check_env *e = r->env;
	char out[CHECK_OUTPUT + 1];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(out, sizeof(out), fmt, ap);
	va_end(ap);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '?';
	e->running--;
	t->run = NULL;
	check_run_close(r);
	if (r->reply_due)
		r->t = NULL;
	else
		free(r);
	e->done(t, res, out, e->arg);
}

void
check_io(struct check_run *r, void (*cb)(struct ev_loop *, ev_io *, int),
    int events)
{
	if (ev_is_active(&r->io) && r->io.cb == cb && r->io.fd == r->fd
	    && (r->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(r->env->loop, &r->io);
	ev_io_init(&r->io, cb, r->fd, events);
	r->io.data = r;
	ev_io_start(r->env->loop, &r->io);
}

static void
check_connect_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check_run *r = w->data;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	(void)revents;
	if (r->lazy) {
		ev_io_stop(r->env->loop, &r->io);
		r->connected(r);
		return;
	}
	if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err != 0) {
		check_done(r->t, CHECK_CRITICAL, "%s", check_strerror(err));
		return;
	}
	ev_io_stop(r->env->loop, &r->io);
	r->connected(r);
}

void
check_connect(struct check_run *r, check_connected_fn connected, bool lazy)
{
	struct check_target *t = r->t;
	struct linger lg = { 1, 0 };	/* close with an RST: no TIME_WAIT */
	int fd;

	r->phase = "connecting";
	r->connected = connected;
	r->lazy = lazy;
	fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK
	    | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		check_done(t, CHECK_CRITICAL, "prober: socket: %s",
		    check_strerror(errno));
		return;
	}
	r->fd = fd;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, (struct sockaddr *)&t->addr, t->addrlen) == 0) {
		connected(r);
		return;
	}
	if (errno != EINPROGRESS) {
		check_done(t, CHECK_CRITICAL, "%s", check_strerror(errno));
		return;
	}
	if (lazy) {
		/* often done already (loopback, LAN): send() says EAGAIN if not */
		connected(r);
		return;
	}
	check_io(r, check_connect_cb, EV_WRITE);
}
