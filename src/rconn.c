/*
 * rconn.c -- one Redis connection that comes back by itself.
 *
 * States: idle (waiting for the retry timer), connecting (TCP or unix
 * connect, then AUTH and SELECT in flight), up.  hiredis owns and frees
 * the async context; we only forget our pointer in its connect and
 * disconnect callbacks.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/adapters/libev.h>
#include <hiredis/hiredis.h>

#include "log.h"
#include "rconn.h"

#define RCONN_BACKOFF_MIN	0.1
#define RCONN_BACKOFF_MAX	5.0

struct rconn {
	struct ev_loop		*loop;
	struct rconn_url	 url;
	char			 who[32];
	struct rconn_cbs	 cbs;
	void			*arg;
	redisAsyncContext	*ac;
	ev_timer		 retry;
	double			 backoff;
	bool			 up;
	bool			 was_up;	/* for logging state changes */
	bool			 failing;	/* a failure was logged */
	bool			 stopping;
};

/* Percent-decode s[0..n) into out (size outlen); -1 when malformed. */
static int
rconn_unescape(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			unsigned v;

			if (i + 2 >= n || sscanf(s + i + 1, "%2x", &v) != 1)
				return -1;
			c = (int)v;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int
rconn_parse_db(const char *s, int *db)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 65535)
		return -1;
	*db = (int)v;
	return 0;
}

/* "[[user]:password@]" at the start of *p. */
static int
rconn_parse_auth(struct rconn_url *u, const char **p, const char *end)
{
	const char *at = memchr(*p, '@', (size_t)(end - *p)), *colon;

	if (at == NULL)
		return 0;
	colon = memchr(*p, ':', (size_t)(at - *p));
	if (colon == NULL) {
		/* "password@" alone is taken as a password (redis-cli) */
		colon = *p - 1;
	} else if (rconn_unescape(u->user, sizeof(u->user), *p,
	    (size_t)(colon - *p)) < 0) {
		return -1;
	}
	if (rconn_unescape(u->password, sizeof(u->password), colon + 1,
	    (size_t)(at - colon - 1)) < 0)
		return -1;
	*p = at + 1;
	return 0;
}

int
rconn_url_parse(const char *s, struct rconn_url *u, char *why, size_t whylen)
{
	const char *p, *end;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "unix://", 7) == 0) {
		const char *q = strchr(s + 7, '?');

		u->kind = RCONN_UNIX;
		p = s + 7;
		end = q ? q : s + strlen(s);
		if (rconn_parse_auth(u, &p, end) < 0 || *p != '/'
		    || (size_t)(end - p) >= sizeof(u->path)) {
			snprintf(why, whylen, "bad unix URL \"%s\" (want "
			    "unix:///path/to.sock[?db=N])", s);
			return -1;
		}
		memcpy(u->path, p, (size_t)(end - p));
		if (q != NULL && (strncmp(q, "?db=", 4) != 0
		    || rconn_parse_db(q + 4, &u->db) < 0)) {
			snprintf(why, whylen, "bad database in \"%s\"", s);
			return -1;
		}
		snprintf(u->text, sizeof(u->text), "unix://%s", u->path);
		return 0;
	}
	if (strncmp(s, "redis://", 8) != 0) {
		snprintf(why, whylen, "\"%s\" is not a redis:// or unix:// URL",
		    s);
		return -1;
	}
	u->kind = RCONN_TCP;
	u->port = 6379;
	p = s + 8;
	end = p + strcspn(p, "/");
	if (rconn_parse_auth(u, &p, end) < 0)
		goto bad;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL || (size_t)(rb - p - 1) >= sizeof(u->host))
			goto bad;
		memcpy(u->host, p + 1, (size_t)(rb - p - 1));
		p = rb + 1;
	} else {
		size_t n = strcspn(p, ":/");

		if (n == 0 || n >= sizeof(u->host))
			goto bad;
		memcpy(u->host, p, n);
		p += n;
	}
	if (*p == ':') {
		char port[8];
		char *e;
		long v;

		if ((size_t)(end - p - 1) >= sizeof(port) || end - p - 1 == 0)
			goto bad;
		memcpy(port, p + 1, (size_t)(end - p - 1));
		port[end - p - 1] = '\0';
		v = strtol(port, &e, 10);
		if (*e != '\0' || v < 1 || v > 65535)
			goto bad;
		u->port = (int)v;
	} else if (p != end) {
		goto bad;
	}
	if (*end == '/' && end[1] != '\0' && rconn_parse_db(end + 1, &u->db) < 0)
		goto bad;
	snprintf(u->text, sizeof(u->text), "redis://%s%s%s:%d/%d",
	    strchr(u->host, ':') ? "[" : "", u->host,
	    strchr(u->host, ':') ? "]" : "", u->port, u->db);
	return 0;
bad:
	snprintf(why, whylen, "bad URL \"%s\" (want "
	    "redis://[[user]:password@]host[:port][/db])", s);
	return -1;
}

static void rconn_connect(struct rconn *c);

static void
rconn_schedule(struct rconn *c)
{
	if (c->stopping)
		return;
	ev_timer_stop(c->loop, &c->retry);
	ev_timer_set(&c->retry, c->backoff, 0.);
	ev_timer_start(c->loop, &c->retry);
	c->backoff *= 2;
	if (c->backoff > RCONN_BACKOFF_MAX)
		c->backoff = RCONN_BACKOFF_MAX;
}

static void
rconn_failed(struct rconn *c, const char *why)
{
	bool was_up = c->up;

	c->ac = NULL;
	c->up = false;
	if (was_up || !c->failing)
		log_warnx("%s, redis %s: %s; retrying", c->who, c->url.text, why);
	else
		log_debug("%s, redis %s: %s", c->who, c->url.text, why);
	c->failing = true;
	if (was_up && c->cbs.down != NULL)
		c->cbs.down(c, c->arg);
	rconn_schedule(c);
}

static void
rconn_ready(struct rconn *c)
{
	c->up = true;
	c->failing = false;
	c->backoff = RCONN_BACKOFF_MIN;
	log_info("%s, redis %s: connected", c->who, c->url.text);
	if (c->cbs.up != NULL)
		c->cbs.up(c, c->ac, c->arg);
}

static void
rconn_select_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *c = priv;
	redisReply *reply = r;

	(void)ac;
	if (reply == NULL)
		return;		/* disconnected meanwhile */
	if (reply->type == REDIS_REPLY_ERROR) {
		log_warnx("%s, redis %s: SELECT %d: %s", c->who, c->url.text,
		    c->url.db, reply->str);
		rconn_drop(c, "SELECT failed");
		return;
	}
	rconn_ready(c);
}

static void
rconn_auth_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *c = priv;
	redisReply *reply = r;

	if (reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ERROR) {
		log_warnx("%s, redis %s: AUTH: %s", c->who, c->url.text,
		    reply->str);
		rconn_drop(c, "authentication failed");
		return;
	}
	if (c->url.db != 0)
		redisAsyncCommand(ac, rconn_select_cb, c, "SELECT %d", c->url.db);
	else
		rconn_ready(c);
}

static void
rconn_connect_cb(const redisAsyncContext *cac, int status)
{
	redisAsyncContext *ac = (redisAsyncContext *)cac;
	struct rconn *c = ac->data;

	if (status != REDIS_OK) {
		rconn_failed(c, ac->errstr[0] ? ac->errstr : "connect failed");
		return;	/* hiredis frees ac */
	}
	if (c->url.kind == RCONN_TCP)
		redisEnableKeepAlive(&ac->c);
	if (c->url.password[0] != '\0') {
		if (c->url.user[0] != '\0')
			redisAsyncCommand(ac, rconn_auth_cb, c, "AUTH %s %s",
			    c->url.user, c->url.password);
		else
			redisAsyncCommand(ac, rconn_auth_cb, c, "AUTH %s",
			    c->url.password);
	} else if (c->url.db != 0) {
		redisAsyncCommand(ac, rconn_select_cb, c, "SELECT %d",
		    c->url.db);
	} else {
		rconn_ready(c);
	}
}

static void
rconn_disconnect_cb(const redisAsyncContext *cac, int status)
{
	struct rconn *c = cac->data;

	(void)status;
	if (c == NULL)
		return;
	if (c->stopping) {
		c->ac = NULL;
		c->up = false;
		return;
	}
	rconn_failed(c, cac->errstr[0] ? cac->errstr : "connection closed");
}

static void
rconn_connect(struct rconn *c)
{
	redisAsyncContext *ac;

	if (c->url.kind == RCONN_UNIX)
		ac = redisAsyncConnectUnix(c->url.path);
	else
		ac = redisAsyncConnect(c->url.host, c->url.port);
	if (ac == NULL) {
		rconn_failed(c, "out of memory");
		return;
	}
	if (ac->err) {
		char why[256];

		snprintf(why, sizeof(why), "%s", ac->errstr);
		redisAsyncFree(ac);
		rconn_failed(c, why);
		return;
	}
	ac->data = c;
	c->ac = ac;
	redisLibevAttach(c->loop, ac);
	redisAsyncSetConnectCallback(ac, rconn_connect_cb);
	redisAsyncSetDisconnectCallback(ac, rconn_disconnect_cb);
}

static void
rconn_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	rconn_connect(t->data);
}

struct rconn *
rconn_new(struct ev_loop *loop, const struct rconn_url *u, const char *who,
    const struct rconn_cbs *cbs, void *arg)
{
	struct rconn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->loop = loop;
	c->url = *u;
	snprintf(c->who, sizeof(c->who), "%s", who);
	c->cbs = *cbs;
	c->arg = arg;
	c->backoff = RCONN_BACKOFF_MIN;
	ev_init(&c->retry, rconn_retry_cb);
	c->retry.data = c;
	return c;
}

void
rconn_start(struct rconn *c)
{
	if (c->ac == NULL)
		rconn_connect(c);
}

redisAsyncContext *
rconn_ctx(const struct rconn *c)
{
	return c->up ? c->ac : NULL;
}

bool
rconn_is_up(const struct rconn *c)
{
	return c->up;
}

void
rconn_drop(struct rconn *c, const char *why)
{
	if (c->ac == NULL)
		return;
	log_debug("%s, redis %s: dropping the connection (%s)", c->who,
	    c->url.text, why);
	redisAsyncDisconnect(c->ac);	/* disconnect_cb reconnects */
}

void
rconn_free(struct rconn *c)
{
	if (c == NULL)
		return;
	c->stopping = true;
	ev_timer_stop(c->loop, &c->retry);
	if (c->ac != NULL) {
		c->ac->data = NULL;
		redisAsyncFree(c->ac);
	}
	free(c);
}
