/*
 * lease.c -- the prober's lease in Redis: at most one prober writes.
 *
 * One renewal is in flight at a time: FCALL muster_lease followed, in
 * the same round trip, by PTTL of the lease key, which a standby uses
 * to time its next try.  Replies carry the lease as their argument, so
 * the lease is freed only after the connection (whose teardown answers
 * every pending callback with NULL).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "lease.h"
#include "log.h"

#define LEASE_RETRY_SLACK	0.010	/* after the lease runs out, s */

struct lease {
	struct ev_loop		*loop;
	struct rconn		*rc;
	char			 prefix[128];
	char			 key[160];
	char			 token[160];
	char			 ttl_text[16];
	double			 ttl;		/* seconds */
	lease_change_fn		 fn;
	void			*arg;
	ev_timer		 timer;
	bool			 held;
	bool			 asking;	/* a renewal is in flight */
	bool			 releasing;
	bool			 said_error;
	bool			 told;		/* a state was logged */
	double			 sent;		/* when the renewal was sent */
	double			 valid_until;
	void			(*released)(void *);
	void			*released_arg;
};

static void lease_ask(struct lease *l);

static void
lease_set(struct lease *l, bool held, const char *why)
{
	if (held == l->held && l->told)
		return;
	l->told = true;		/* the first answer is logged either way */
	l->held = held;
	if (held)
		log_info("lease, acquired: active, writing health changes "
		    "(token %s)", l->token);
	else
		log_info("lease, %s: standby, not writing", why);
	l->fn(held, l->arg);
}

static void
lease_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct lease *l = w->data;

	(void)loop;
	(void)revents;
	lease_ask(l);
}

/* Try again after secs, then every ttl/3. */
static void
lease_again_in(struct lease *l, double secs)
{
	ev_timer_stop(l->loop, &l->timer);
	ev_timer_set(&l->timer, secs, l->ttl / 3);
	ev_timer_start(l->loop, &l->timer);
}

static void
lease_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct lease *l = priv;
	const redisReply *r = reply;

	(void)ac;
	if (r == NULL || l->releasing)
		return;
	if (r->type == REDIS_REPLY_INTEGER)
		rconn_healthy(l->rc);	/* a drop is news: reconnect at once */
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
		l->valid_until = l->sent + l->ttl;
		l->said_error = false;
		lease_set(l, true, NULL);
		return;
	}
	if (r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
		l->said_error = false;
		lease_set(l, false, "held by another prober");
		return;
	}
	if (!l->said_error)
		log_warnx("lease, muster_lease: %s", r->type == REDIS_REPLY_ERROR
		    ? r->str : "unexpected reply");
	l->said_error = true;
	lease_set(l, false, "cannot be taken");
}

/* The lease's time left: a standby tries again right after it. */
static void
lease_pttl_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct lease *l = priv;
	const redisReply *r = reply;

	(void)ac;
	if (r == NULL)
		return;
	l->asking = false;
	if (l->releasing || l->held || r->type != REDIS_REPLY_INTEGER)
		return;
	if (r->integer >= 0 && r->integer / 1000.0 < l->ttl / 3)
		lease_again_in(l, r->integer / 1000.0 + LEASE_RETRY_SLACK);
	else if (r->integer == -2)
		lease_again_in(l, LEASE_RETRY_SLACK);
}

static void
lease_ask(struct lease *l)
{
	redisAsyncContext *ac = rconn_ctx(l->rc);
	const char *argv[] = { "FCALL", "muster_lease", "0", l->prefix,
	    l->token, l->ttl_text };
	size_t len[6], i;
	double now = ev_time();

	if (l->releasing)
		return;
	if (l->held && now >= l->valid_until)
		lease_set(l, false, "not renewed in time");
	if (ac == NULL || l->asking)
		return;
	for (i = 0; i < 6; i++)
		len[i] = strlen(argv[i]);
	l->sent = now;
	if (redisAsyncCommandArgv(ac, lease_reply, l, 6, argv, len) != REDIS_OK
	    || redisAsyncCommand(ac, lease_pttl_reply, l, "PTTL %s", l->key)
	    != REDIS_OK) {
		rconn_drop(l->rc, "cannot send");
		return;
	}
	l->asking = true;
}

struct lease *
lease_new(struct ev_loop *loop, struct rconn *rc, const char *prefix,
    const char *token, uint32_t ttl_ms, lease_change_fn fn, void *arg)
{
	struct lease *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->loop = loop;
	l->rc = rc;
	snprintf(l->prefix, sizeof(l->prefix), "%s", prefix);
	snprintf(l->key, sizeof(l->key), "%sprobe:lease", prefix);
	snprintf(l->token, sizeof(l->token), "%s", token);
	snprintf(l->ttl_text, sizeof(l->ttl_text), "%u", (unsigned)ttl_ms);
	l->ttl = ttl_ms / 1000.0;
	l->fn = fn;
	l->arg = arg;
	ev_init(&l->timer, lease_timer_cb);
	l->timer.data = l;
	return l;
}

void
lease_start(struct lease *l)
{
	lease_again_in(l, l->ttl / 3);
}

void
lease_up(struct lease *l)
{
	l->asking = false;
	lease_ask(l);
}

void
lease_down(struct lease *l)
{
	l->asking = false;
	if (l->held)
		lease_set(l, false, "redis unreachable");
}

void
lease_lost(struct lease *l)
{
	lease_set(l, false, "lost (a write was refused)");
	lease_ask(l);
}

bool
lease_active(const struct lease *l)
{
	return l->held && !l->releasing && ev_time() < l->valid_until;
}

const char *
lease_token(const struct lease *l)
{
	return l->token;
}

static void
lease_release_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct lease *l = priv;
	void (*done)(void *) = l->released;

	(void)ac;
	(void)reply;
	l->released = NULL;
	if (done != NULL)
		done(l->released_arg);
}

void
lease_release(struct lease *l, void (*done)(void *), void *arg)
{
	redisAsyncContext *ac = rconn_ctx(l->rc);
	const char *argv[] = { "FCALL", "muster_lease_release", "0", l->prefix,
	    l->token };
	size_t len[5], i;
	bool held = l->held;

	ev_timer_stop(l->loop, &l->timer);
	l->releasing = true;
	l->held = false;
	for (i = 0; i < 5; i++)
		len[i] = strlen(argv[i]);
	l->released = done;
	l->released_arg = arg;
	if (!held || ac == NULL || redisAsyncCommandArgv(ac,
	    lease_release_reply, l, 5, argv, len) != REDIS_OK) {
		l->released = NULL;
		done(arg);
		return;
	}
	log_info("lease, released");
}

void
lease_free(struct lease *l)
{
	if (l == NULL)
		return;
	ev_timer_stop(l->loop, &l->timer);
	free(l);
}
