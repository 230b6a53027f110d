/*
 * check_ttl.c -- the ttl check: has the instance's heartbeat expired?
 *
 * The instance (or musterctl pass|warn|fail) reports its own status
 * through the registry's muster_status Function, which also sets the
 * key <prefix>heartbeat:<id> with an expiry of check_ttl.  This check
 * only asks Redis for that key's remaining time (PTTL): gone is
 * critical ("TTL expired"); present is the status the registry holds
 * (t->current), since the heartbeats set it; the time left goes to
 * t->ttl_left_ms so the owner can look again right after the expiry.
 * When Redis cannot be asked, the result is again t->current: no news.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "check.h"
#include "check_priv.h"

static void
check_ttl_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct check_run *r = priv;
	const redisReply *rep = reply;
	struct check_target *t = r->t;

	(void)ac;
	r->reply_due = false;
	if (t == NULL) {
		free(r);	/* cancelled, or timed out, meanwhile */
		return;
	}
	t->ttl_left_ms = -1;
	if (rep == NULL) {
		check_done(t, t->current, "registry unreachable");
		return;
	}
	if (rep->type != REDIS_REPLY_INTEGER) {
		check_done(t, t->current, "registry: %s",
		    rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
		return;
	}
	if (rep->integer == -2) {
		check_done(t, CHECK_CRITICAL, "TTL expired");
		return;
	}
	if (rep->integer >= 0)
		t->ttl_left_ms = rep->integer;
	check_done(t, t->current, "heartbeat fresh");
}

void
check_ttl_start(struct check_run *r)
{
	struct check_target *t = r->t;
	redisAsyncContext *ac = r->env->rc != NULL ? rconn_ctx(r->env->rc)
	    : NULL;
	const char *argv[2];
	size_t len[2];
	int n;

	r->phase = "asking redis";
	n = snprintf(r->buf, sizeof(r->buf), "%sheartbeat:%.*s", r->env->prefix,
	    (int)t->idlen, t->id);
	if (ac == NULL || n < 0 || (size_t)n >= sizeof(r->buf)) {
		check_done(t, t->current, "registry unreachable");
		return;
	}
	argv[0] = "PTTL";
	len[0] = 4;
	argv[1] = r->buf;
	len[1] = (size_t)n;
	if (redisAsyncCommandArgv(ac, check_ttl_reply, r, 2, argv, len)
	    != REDIS_OK) {
		check_done(t, t->current, "registry unreachable");
		return;
	}
	r->reply_due = true;
}
