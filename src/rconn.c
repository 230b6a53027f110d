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
	ev_tstamp		 up_since;
	bool			 healthy;	/* the user got work done */
	bool			 stopping;
	/* Sentinel */
	redisAsyncContext	*sac;		/* asking a sentinel */
	size_t			 si, tried;	/* next to ask; asked in round */
	bool			 resolved;
	char			 mhost[256];	/* the primary, as told */
	int			 mport;
	redisAsyncContext	*wac;		/* watching +switch-master */
	size_t			 wi;
	ev_timer		 watch_retry;
};

/* The value of a hex digit, or -1. */
static int
rconn_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode s[0..n) into out (size outlen); -1 when malformed: a
 * '%' not followed by two hex digits, or "%00" (out is a C string).
 */
static int
rconn_unescape(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = rconn_hexval(s[i + 1])) < 0
			    || (lo = rconn_hexval(s[i + 2])) < 0
			    || (c = hi << 4 | lo) == 0)
				return -1;
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

/* "host:port" or "[v6]:port" of p[0..n) into host and port. */
static int
rconn_hostport(const char *p, size_t n, char *host, size_t hostlen, int *port,
    int defport)
{
	const char *colon;
	char num[8];
	char *e;
	long v;

	if (n > 0 && p[0] == '[') {
		const char *rb = memchr(p, ']', n);

		if (rb == NULL || rb == p + 1
		    || (size_t)(rb - p - 1) >= hostlen)
			return -1;
		memcpy(host, p + 1, (size_t)(rb - p - 1));
		host[rb - p - 1] = '\0';
		colon = rb + 1 < p + n && rb[1] == ':' ? rb + 1 : NULL;
		if (colon == NULL && rb + 1 != p + n)
			return -1;
	} else {
		colon = memchr(p, ':', n);
		if ((size_t)((colon ? colon : p + n) - p) >= hostlen
		    || (colon ? colon : p + n) == p)
			return -1;
		memcpy(host, p, (size_t)((colon ? colon : p + n) - p));
		host[(colon ? colon : p + n) - p] = '\0';
	}
	*port = defport;
	if (colon == NULL)
		return 0;
	if ((size_t)(p + n - colon - 1) >= sizeof(num) || p + n - colon - 1 == 0)
		return -1;
	memcpy(num, colon + 1, (size_t)(p + n - colon - 1));
	num[p + n - colon - 1] = '\0';
	v = strtol(num, &e, 10);
	if (*e != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* sentinel://[auth@]h:p[,h:p...]/MASTER[?db=N] */
static int
rconn_parse_sentinel(const char *s, struct rconn_url *u, char *why,
    size_t whylen)
{
	const char *p = s + 11, *slash = strchr(p, '/'), *q;

	u->kind = RCONN_SENTINEL;
	if (slash == NULL || rconn_parse_auth(u, &p, slash) < 0)
		goto bad;
	while (p < slash) {
		size_t n = strcspn(p, ",/");

		if (u->nsentinels == RCONN_MAXSENTINELS
		    || rconn_hostport(p, n, u->sentinel[u->nsentinels],
		    sizeof(u->sentinel[0]), &u->sentinel_port[u->nsentinels],
		    26379) < 0)
			goto bad;
		u->nsentinels++;
		p += n + (p[n] == ',');
	}
	q = strchr(slash + 1, '?');
	if (u->nsentinels == 0 || slash[1] == '\0' || q == slash + 1
	    || (size_t)((q ? q : slash + strlen(slash)) - slash - 1)
	    >= sizeof(u->host))
		goto bad;
	memcpy(u->host, slash + 1, (size_t)((q ? q : slash + strlen(slash))
	    - slash - 1));
	if (q != NULL && (strncmp(q, "?db=", 4) != 0
	    || rconn_parse_db(q + 4, &u->db) < 0))
		goto bad;
	snprintf(u->text, sizeof(u->text), "sentinel %s (%zu sentinels)",
	    u->host, u->nsentinels);
	return 0;
bad:
	snprintf(why, whylen, "bad URL \"%s\" (want sentinel://[[user]:"
	    "password@]host:port[,host:port...]/MASTERNAME[?db=N])", s);
	return -1;
}

int
rconn_url_check(const char *s, char *why, size_t whylen)
{
	struct rconn_url u;

	return rconn_url_parse(s, &u, why, whylen);
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
	if (strncmp(s, "sentinel://", 11) == 0)
		return rconn_parse_sentinel(s, u, why, whylen);
	if (strncmp(s, "redis://", 8) != 0) {
		snprintf(why, whylen, "\"%s\" is not a redis://, unix:// or "
		    "sentinel:// URL", s);
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

		if (rb == NULL || rb == p + 1
		    || (size_t)(rb - p - 1) >= sizeof(u->host))
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

/*
 * A link that did its job (rconn_healthy(), or up RCONN_STABLE seconds)
 * was good: log its loss and reconnect quickly.  One that failed before
 * (connected, then refused) is still failing: keep backing off and log it
 * quietly, so a server that accepts and then fails cannot make us loop at
 * 10 Hz.
 */
#define RCONN_STABLE	5.0

static void
rconn_failed(struct rconn *c, const char *why)
{
	bool was_up = c->up && (c->healthy
	    || ev_now(c->loop) - c->up_since >= RCONN_STABLE);

	if (was_up) {
		c->backoff = RCONN_BACKOFF_MIN;
		c->failing = false;
	}
	if (c->up && c->cbs.down != NULL) {
		c->ac = NULL;
		c->up = false;
		c->cbs.down(c, c->arg);
	}
	c->ac = NULL;
	c->up = false;
	if (!c->failing)
		log_warnx("%s, redis %s: %s; retrying", c->who, c->url.text, why);
	else
		log_debug("%s, redis %s: %s", c->who, c->url.text, why);
	c->failing = true;
	rconn_schedule(c);
}

static void
rconn_ready(struct rconn *c)
{
	c->up = true;
	c->healthy = false;
	c->up_since = ev_now(c->loop);
	if (c->failing)
		log_debug("%s, redis %s: connected", c->who, c->url.text);
	else
		log_info("%s, redis %s: connected", c->who, c->url.text);
	if (c->cbs.up != NULL)
		c->cbs.up(c, c->ac, c->arg);
}

static void rconn_watch(struct rconn *c);

/* With Sentinel: is the server we reached the primary? */
static void
rconn_role_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *c = priv;
	redisReply *reply = r;

	(void)ac;
	if (reply == NULL)
		return;
	if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1
	    || reply->element[0]->type != REDIS_REPLY_STRING
	    || strcmp(reply->element[0]->str, "master") != 0) {
		log_warnx("%s, redis %s:%d is not the primary (yet)", c->who,
		    c->mhost, c->mport);
		rconn_drop(c, "not the primary");
		return;
	}
	rconn_ready(c);
	rconn_watch(c);
}

/* Connected and authenticated: check the role first with Sentinel. */
static void
rconn_ready_or_role(struct rconn *c)
{
	if (c->url.kind != RCONN_SENTINEL) {
		rconn_ready(c);
		return;
	}
	redisAsyncCommand(c->ac, rconn_role_cb, c, "ROLE");
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
	rconn_ready_or_role(c);
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
		rconn_ready_or_role(c);
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
	if (c->url.kind != RCONN_UNIX)
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
		rconn_ready_or_role(c);
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

/* ---- Sentinel ---- */

static void rconn_ask_sentinel(struct rconn *c);
static void rconn_connect_to(struct rconn *c);

static void
rconn_sentinel_reply_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *c = priv;
	redisReply *reply = r;

	if (reply == NULL)
		return;
	if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
	    && reply->element[0]->type == REDIS_REPLY_STRING
	    && reply->element[1]->type == REDIS_REPLY_STRING
	    && reply->element[0]->len < sizeof(c->mhost)) {
		memcpy(c->mhost, reply->element[0]->str,
		    reply->element[0]->len + 1);
		c->mport = atoi(reply->element[1]->str);
		c->resolved = c->mport > 0 && c->mport < 65536;
	}
	redisAsyncDisconnect(ac);	/* the disconnect callback goes on */
}

static void
rconn_sentinel_connect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *c = ac->data;

	if (status == REDIS_OK || c == NULL)
		return;
	c->sac = NULL;		/* hiredis frees it */
	if (!c->stopping)
		rconn_ask_sentinel(c);
}

static void
rconn_sentinel_disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *c = ac->data;

	(void)status;
	if (c == NULL)
		return;
	c->sac = NULL;
	if (c->stopping)
		return;
	if (c->resolved)
		rconn_connect_to(c);
	else
		rconn_ask_sentinel(c);
}

/* Ask the next sentinel where the primary is; after all, back off. */
static void
rconn_ask_sentinel(struct rconn *c)
{
	redisAsyncContext *sac;
	size_t i;

	if (c->tried == c->url.nsentinels) {
		rconn_failed(c, "no sentinel told where the primary is");
		return;
	}
	i = c->si;
	c->si = (c->si + 1) % c->url.nsentinels;
	c->tried++;
	sac = redisAsyncConnect(c->url.sentinel[i], c->url.sentinel_port[i]);
	if (sac == NULL || sac->err) {
		if (sac != NULL)
			redisAsyncFree(sac);
		rconn_ask_sentinel(c);
		return;
	}
	sac->data = c;
	c->sac = sac;
	redisLibevAttach(c->loop, sac);
	redisAsyncSetConnectCallback(sac, rconn_sentinel_connect_cb);
	redisAsyncSetDisconnectCallback(sac, rconn_sentinel_disconnect_cb);
	redisAsyncCommand(sac, rconn_sentinel_reply_cb, c,
	    "SENTINEL get-master-addr-by-name %s", c->url.host);
}

static void
rconn_watch_cb(redisAsyncContext *ac, void *r, void *priv)
{
	struct rconn *c = priv;
	redisReply *reply = r;
	const redisReply *msg;
	size_t n;

	(void)ac;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY
	    || reply->elements != 3 || (msg = reply->element[2])->type
	    != REDIS_REPLY_STRING)
		return;
	n = strlen(c->url.host);
	if (strncmp(msg->str, c->url.host, n) == 0 && msg->str[n] == ' ') {
		log_info("%s, sentinel: failover of %s (%s)", c->who,
		    c->url.host, msg->str);
		rconn_drop(c, "failover");
	}
}

static void
rconn_watch_disconnect_cb(const redisAsyncContext *ac, int status)
{
	struct rconn *c = ac->data;

	(void)status;
	if (c == NULL)
		return;
	c->wac = NULL;
	if (!c->stopping) {
		ev_timer_set(&c->watch_retry, 1.0, 0.);
		ev_timer_start(c->loop, &c->watch_retry);
	}
}

static void
rconn_watch_connect_cb(const redisAsyncContext *ac, int status)
{
	if (status != REDIS_OK)
		rconn_watch_disconnect_cb(ac, status);
}

/* Keep a subscription to +switch-master on one of the sentinels. */
static void
rconn_watch(struct rconn *c)
{
	redisAsyncContext *wac;
	size_t i = c->wi;

	if (c->url.kind != RCONN_SENTINEL || c->wac != NULL || c->stopping)
		return;
	c->wi = (c->wi + 1) % c->url.nsentinels;
	wac = redisAsyncConnect(c->url.sentinel[i], c->url.sentinel_port[i]);
	if (wac == NULL || wac->err) {
		if (wac != NULL)
			redisAsyncFree(wac);
		ev_timer_set(&c->watch_retry, 1.0, 0.);
		ev_timer_start(c->loop, &c->watch_retry);
		return;
	}
	wac->data = c;
	c->wac = wac;
	redisLibevAttach(c->loop, wac);
	redisAsyncSetConnectCallback(wac, rconn_watch_connect_cb);
	redisAsyncSetDisconnectCallback(wac, rconn_watch_disconnect_cb);
	redisAsyncCommand(wac, rconn_watch_cb, c, "SUBSCRIBE +switch-master");
}

static void
rconn_watch_retry_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	rconn_watch(t->data);
}

static void
rconn_connect(struct rconn *c)
{
	if (c->url.kind == RCONN_SENTINEL) {
		c->tried = 0;
		c->resolved = false;
		rconn_ask_sentinel(c);
		return;
	}
	rconn_connect_to(c);
}

/* Connect to the server itself (with Sentinel: the primary it told). */
static void
rconn_connect_to(struct rconn *c)
{
	redisAsyncContext *ac;

	if (c->url.kind == RCONN_UNIX)
		ac = redisAsyncConnectUnix(c->url.path);
	else if (c->url.kind == RCONN_SENTINEL)
		ac = redisAsyncConnect(c->mhost, c->mport);
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
	ev_init(&c->watch_retry, rconn_watch_retry_cb);
	c->watch_retry.data = c;
	return c;
}

void
rconn_start(struct rconn *c)
{
	if (c->ac == NULL && c->sac == NULL)
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
rconn_healthy(struct rconn *c)
{
	c->healthy = c->up;
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
	ev_timer_stop(c->loop, &c->watch_retry);
	if (c->ac != NULL) {
		c->ac->data = NULL;
		redisAsyncFree(c->ac);
	}
	if (c->sac != NULL) {
		c->sac->data = NULL;
		redisAsyncFree(c->sac);
	}
	if (c->wac != NULL) {
		c->wac->data = NULL;
		redisAsyncFree(c->wac);
	}
	free(c);
}
