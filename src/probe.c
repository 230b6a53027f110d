/*
 * probe.c -- muster-probe's targets: follow the registry, check, publish.
 *
 * Layout: targets (definition, registry state, observed state, timer,
 * queue links) live in an hmap by instance id; the sync_ops at the end
 * feed it.  The scheduling part arms timers and runs checks under the
 * in-flight limit; the result part applies rise/fall and decides what
 * to write; the write part sends muster_check and muster_reap.  Redis
 * replies never hold a target pointer: they carry the instance id and
 * look the target up again, so a deregistration may free a target at
 * any time.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "check.h"
#include "hmap.h"
#include "lease.h"
#include "log.h"
#include "probe.h"
#include "record.h"
#include "sync.h"

#define PROBE_MIN_INTERVAL	1000	/* ms */
#define PROBE_JITTER		0.10	/* +/- share of the interval */
#define PROBE_TTL_SLACK		0.010	/* s after a heartbeat's expiry */
#define PROBE_TTL_NUDGE		0.050	/* s after a ttl status change */
#define PROBE_LAG_SUB		16
#define PROBE_LAG_BUCKETS	(PROBE_LAG_SUB * 28)

/* What a check looks at; a change of any of it restarts the target. */
struct probe_def {
	enum rec_check		 kind;
	struct rec_addr		 addr;
	uint16_t		 port;
	uint16_t		 rise, fall;
	uint32_t		 check_ttl, interval, timeout;	/* ms */
};

struct target {
	struct check_target	 ct;		/* first: checks hand it back */
	struct probe		*p;
	char			*id;		/* NUL-terminated */
	size_t			 idlen;
	char			*path;		/* http(s), else NULL */
	char			 host[INET6_ADDRSTRLEN + 8];
	struct probe_def	 def;
	uint64_t		 deregister_after;	/* ms, 0 never */
	/* the registry's view */
	enum check_result	 reg;
	bool			 maint;
	uint64_t		 since;		/* ms since the epoch */
	/* ours */
	enum check_result	 obs;		/* valid when known */
	bool			 known;
	uint16_t		 oks, fails;
	char			 output[CHECK_OUTPUT + 1];
	bool			 writing, reaping;
	bool			 acked;		/* acked_st written, echo due */
	enum check_result	 acked_st;
	/* scheduling */
	ev_timer		 timer;
	double			 due;		/* of the armed timer, ev_now() scale */
	double			 qdue;		/* of the queued run */
	struct target		*qnext, *qprev;
	bool			 queued;
	unsigned		 gen;		/* full-load generation */
	double			 started;	/* the running check, ev_time() */
};

/* What put/del apply to: the live table, or a full load being staged. */
struct probe_tab {
	struct probe		*p;
	struct hmap		*staging;	/* id -> struct rec_inst; NULL live */
};

struct probe_stats {
	double			 since;
	uint64_t		 started, done[3], overruns, nomem;
	uint64_t		 queued, writes, changed, refused, errors, reaped;
	size_t			 queue_max, inflight_max;
	uint64_t		 lag[PROBE_LAG_BUCKETS];
	uint64_t		 lag_n;
	double			 lag_max;
};

struct probe {
	struct ev_loop		*loop;
	struct probe_config	 cfg;
	struct hmap		*targets;
	struct probe_tab	 live;
	struct sync		*sync;
	struct rconn		*wr;		/* writes, ttl checks */
	struct rconn		*lc;		/* the lease, alone: never queued */
	struct lease		*lease;
	struct check_env	*checks;
	unsigned		 gen;
	struct target		*qhead, *qtail;
	size_t			 qlen;
	bool			 draining;
	bool			 stopping;
	uint64_t		 rnd;
	double			 err_logged;	/* when a write error was logged */
	struct probe_stats	 st;		/* since the last SIGUSR1 */
	struct probe_metrics	 m;		/* since start */
};

const double probe_dur_bounds[PROBE_DUR_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5
};

static void probe_publish(struct target *t);

/* ---- small things ---- */

static double
probe_rand01(struct probe *p)
{
	/* xorshift64*: jitter only */
	p->rnd ^= p->rnd >> 12;
	p->rnd ^= p->rnd << 25;
	p->rnd ^= p->rnd >> 27;
	return (double)((p->rnd * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static uint64_t
probe_now_ms(void)
{
	return (uint64_t)(ev_time() * 1000.0);
}

static enum check_result
probe_status(enum rec_health h)
{
	switch (h) {
	case REC_PASSING:
		return CHECK_PASSING;
	case REC_WARNING:
		return CHECK_WARNING;
	case REC_CRITICAL:
		return CHECK_CRITICAL;
	}
	return CHECK_CRITICAL;
}

/* The status the prober stands for: its own once it has one. */
static enum check_result
probe_seen(const struct target *t)
{
	return t->known ? t->obs : t->reg;
}

static bool
probe_probed(const struct target *t)
{
	return t->def.kind != REC_CHECK_NONE && !t->maint;
}

static size_t
probe_lag_bucket(uint64_t us)
{
	unsigned shift;
	size_t i;

	if (us < PROBE_LAG_SUB)
		return (size_t)us;
	shift = (unsigned)(63 - __builtin_clzll(us)) - 4;
	i = (size_t)(shift + 1) * PROBE_LAG_SUB + (size_t)((us >> shift) & 15);
	return i < PROBE_LAG_BUCKETS ? i : PROBE_LAG_BUCKETS - 1;
}

static uint64_t
probe_lag_value(size_t i)
{
	unsigned shift;

	if (i < PROBE_LAG_SUB)
		return i;
	shift = (unsigned)(i / PROBE_LAG_SUB) - 1;
	return (uint64_t)(PROBE_LAG_SUB + i % PROBE_LAG_SUB) << shift;
}

/* The lag (ms) below which share q of the window's checks started. */
static double
probe_lag_pct(const struct probe_stats *s, double q)
{
	uint64_t want = (uint64_t)((double)s->lag_n * q + 0.5), sum = 0;
	size_t i;

	if (s->lag_n == 0)
		return 0;
	if (want == 0)
		want = 1;
	for (i = 0; i < PROBE_LAG_BUCKETS; i++) {
		sum += s->lag[i];
		if (sum >= want)
			return (double)probe_lag_value(i) / 1000.0;
	}
	return s->lag_max * 1000.0;
}

/* ---- the queue of checks waiting for a slot ---- */

static void
probe_enqueue(struct probe *p, struct target *t, double due)
{
	t->qdue = due;
	t->queued = true;
	t->qnext = NULL;
	t->qprev = p->qtail;
	if (p->qtail != NULL)
		p->qtail->qnext = t;
	else
		p->qhead = t;
	p->qtail = t;
	p->qlen++;
	p->st.queued++;
	p->m.queued_total++;
	if (p->qlen > p->st.queue_max)
		p->st.queue_max = p->qlen;
}

static void
probe_dequeue(struct probe *p, struct target *t)
{
	if (!t->queued)
		return;
	if (t->qprev != NULL)
		t->qprev->qnext = t->qnext;
	else
		p->qhead = t->qnext;
	if (t->qnext != NULL)
		t->qnext->qprev = t->qprev;
	else
		p->qtail = t->qprev;
	t->qnext = t->qprev = NULL;
	t->queued = false;
	p->qlen--;
}

/* ---- scheduling ---- */

static void
probe_arm(struct target *t, double after)
{
	struct probe *p = t->p;

	if (after < 0)
		after = 0;
	ev_timer_stop(p->loop, &t->timer);
	ev_timer_set(&t->timer, after, 0.);
	t->due = ev_now(p->loop) + after;
	ev_timer_start(p->loop, &t->timer);
}

/* The first check of a target: at a random point within its interval. */
static void
probe_arm_first(struct target *t)
{
	if (t->p->stopping)
		return;
	probe_arm(t, probe_rand01(t->p) * t->def.interval / 1000.0);
}

/* Start t's check, due at due (ev_now() scale). */
static void
probe_run(struct probe *p, struct target *t, double due)
{
	double lag = ev_time() - due;
	size_t n;

	if (lag < 0)
		lag = 0;
	p->st.lag[probe_lag_bucket((uint64_t)(lag * 1e6))]++;
	p->st.lag_n++;
	if (lag > p->st.lag_max)
		p->st.lag_max = lag;
	t->ct.current = t->reg;
	t->ct.ttl_left_ms = -1;
	t->started = ev_time();
	p->st.started++;
	if (check_start(p->checks, &t->ct) < 0) {
		p->st.nomem++;
		return;
	}
	n = check_env_running(p->checks);
	if (n > p->st.inflight_max)
		p->st.inflight_max = n;
}

/* Start queued checks while there are free slots. */
static void
probe_drain(struct probe *p)
{
	struct target *t;

	if (p->draining)
		return;		/* a check ended inside probe_run() below */
	p->draining = true;
	while ((t = p->qhead) != NULL
	    && check_env_running(p->checks) < p->cfg.max_checks) {
		probe_dequeue(p, t);
		probe_run(p, t, t->qdue);
	}
	p->draining = false;
}

static void
probe_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct target *t = w->data;
	struct probe *p = t->p;
	double due = t->due, ival = t->def.interval / 1000.0, next;

	(void)revents;
	next = due + ival * (1 - PROBE_JITTER + 2 * PROBE_JITTER
	    * probe_rand01(p));
	if (next <= ev_now(loop))
		next = ev_now(loop) + ival * (1 - PROBE_JITTER);
	probe_arm(t, next - ev_now(loop));
	if (t->ct.run != NULL || t->queued) {
		p->st.overruns++;
		return;
	}
	if (p->qhead != NULL
	    || check_env_running(p->checks) >= p->cfg.max_checks) {
		probe_enqueue(p, t, due);
		probe_drain(p);
		return;
	}
	probe_run(p, t, due);
}

/* Stop everything t has running: timer, queued or running check. */
static void
probe_target_stop(struct target *t)
{
	ev_timer_stop(t->p->loop, &t->timer);
	probe_dequeue(t->p, t);
	check_cancel(&t->ct);
}

/* ---- results ---- */

static void
probe_observe(struct target *t, enum check_result r, const char *output)
{
	enum check_result was = probe_seen(t);

	if (r != was)
		t->p->m.transitions[was][r]++;
	if (r != was)
		log_info("probe, %s: %s -> %s (%s)%s", t->id,
		    check_result_str(was), check_result_str(r), output,
		    lease_active(t->p->lease) ? "" : " [standby]");
	t->obs = r;
	t->known = true;
	snprintf(t->output, sizeof(t->output), "%s", output);
}

/* ttl: only an expired (or failed) heartbeat is the prober's news. */
static void
probe_ttl_result(struct target *t, enum check_result r, const char *output)
{
	double after;

	if (r == CHECK_CRITICAL)
		probe_observe(t, r, output);
	else
		t->known = false;
	if (t->ct.ttl_left_ms < 0 || !ev_is_active(&t->timer))
		return;
	after = t->ct.ttl_left_ms / 1000.0 + PROBE_TTL_SLACK;
	if (ev_now(t->p->loop) + after < t->due)
		probe_arm(t, after);
}

static void
probe_result(struct target *t, enum check_result r, const char *output)
{
	if (t->def.kind == REC_CHECK_TTL) {
		probe_ttl_result(t, r, output);
	} else if (r == CHECK_CRITICAL) {
		t->oks = 0;
		if (t->fails < UINT16_MAX)
			t->fails++;
		if (t->fails >= t->def.fall)
			probe_observe(t, r, output);
	} else {
		t->fails = 0;
		if (t->oks < UINT16_MAX)
			t->oks++;
		if (t->oks >= t->def.rise)
			probe_observe(t, r, output);
	}
	probe_publish(t);
}

static void
probe_check_done(struct check_target *ct, enum check_result r,
    const char *output, void *arg)
{
	struct target *t = (struct target *)ct;
	struct probe *p = arg;
	unsigned k = (unsigned)t->def.kind < PROBE_KINDS ? t->def.kind : 0;
	double d = ev_time() - t->started;
	size_t b;

	p->st.done[r]++;
	p->m.checks[k][r]++;
	p->m.dur_n[k]++;
	p->m.dur_sum[k] += d;
	for (b = 0; b < PROBE_DUR_BUCKETS; b++)
		if (d <= probe_dur_bounds[b]) {
			p->m.dur[k][b]++;
			break;
		}
	probe_result(t, r, output);
	probe_drain(p);
}

/* ---- writes ---- */

/* A pending write: names its target by id (it may be gone by the reply). */
struct probe_req {
	struct probe		*p;
	enum check_result	 st;		/* muster_check: the status */
	size_t			 idlen;
	char			 id[];
};

static struct probe_req *
probe_req_new(struct target *t)
{
	struct probe_req *q = malloc(sizeof(*q) + t->idlen + 1);

	if (q == NULL)
		return NULL;
	q->p = t->p;
	q->st = t->obs;
	q->idlen = t->idlen;
	memcpy(q->id, t->id, t->idlen + 1);
	return q;
}

/* A write's error reply: the lease is gone, or one (rate-limited) line. */
static void
probe_write_error(struct probe *p, const char *fn, const char *id,
    const redisReply *r)
{
	const char *why = r->type == REDIS_REPLY_ERROR ? r->str
	    : "unexpected reply";

	if (strstr(why, "lease: not held") != NULL) {
		p->st.refused++;
		p->m.refused++;
		lease_lost(p->lease);
		return;
	}
	if (strstr(why, "no such instance") != NULL)
		return;		/* deregistered meanwhile */
	p->st.errors++;
	p->m.errors++;
	if (ev_now(p->loop) - p->err_logged < 1.0)
		return;
	p->err_logged = ev_now(p->loop);
	log_warnx("probe, %s, %s: %s", id, fn, why);
}

static void
probe_write_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct probe_req *q = priv;
	struct target *t = hmap_get(q->p->targets, q->id, q->idlen);
	const redisReply *r = reply;

	(void)ac;
	if (t != NULL)
		t->writing = false;
	if (r != NULL && r->type == REDIS_REPLY_STRING) {
		rconn_healthy(q->p->wr);
		if (strcmp(r->str, "changed") == 0) {
			q->p->st.changed++;
			q->p->m.changed++;
		}
		if (t != NULL) {
			/* the registry holds it: no rewrite until its echo */
			t->acked = true;
			t->acked_st = q->st;
		}
	} else if (r != NULL) {
		probe_write_error(q->p, "muster_check", q->id, r);
	}
	free(q);
}

/* Write t's observed status with muster_check. */
static void
probe_write(struct target *t)
{
	struct probe *p = t->p;
	redisAsyncContext *ac = rconn_ctx(p->wr);
	const char *argv[] = { "FCALL", "muster_check", "0", p->cfg.prefix,
	    t->id, check_result_str(t->obs), t->output, p->cfg.token };
	size_t len[8], i;
	struct probe_req *q;

	if (ac == NULL || (q = probe_req_new(t)) == NULL)
		return;
	for (i = 0; i < 8; i++)
		len[i] = strlen(argv[i]);
	if (redisAsyncCommandArgv(ac, probe_write_cb, q, 8, argv, len)
	    != REDIS_OK) {
		free(q);
		return;
	}
	t->writing = true;
	p->st.writes++;
	p->m.writes++;
}

static void
probe_reap_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct probe_req *q = priv;
	struct target *t = hmap_get(q->p->targets, q->id, q->idlen);
	const redisReply *r = reply;

	(void)ac;
	if (t != NULL)
		t->reaping = false;
	if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
		if (r->integer == 1) {
			q->p->st.reaped++;
			q->p->m.reaped++;
			log_info("probe, %s: deregistered: critical longer than "
			    "its deregister-after", q->id);
		}
	} else if (r != NULL) {
		probe_write_error(q->p, "muster_reap", q->id, r);
	}
	free(q);
}

static void
probe_reap(struct target *t)
{
	struct probe *p = t->p;
	redisAsyncContext *ac = rconn_ctx(p->wr);
	const char *argv[] = { "FCALL", "muster_reap", "0", p->cfg.prefix,
	    t->id, p->cfg.token };
	size_t len[6], i;
	struct probe_req *q;

	if (ac == NULL || (q = probe_req_new(t)) == NULL)
		return;
	for (i = 0; i < 6; i++)
		len[i] = strlen(argv[i]);
	if (redisAsyncCommandArgv(ac, probe_reap_cb, q, 6, argv, len)
	    != REDIS_OK) {
		free(q);
		return;
	}
	t->reaping = true;
}

static bool
probe_reapable(const struct target *t)
{
	/* since 0: a hand-made record without one; never guess its age */
	return t->deregister_after > 0 && !t->maint && !t->reaping
	    && t->reg == CHECK_CRITICAL && t->known && t->obs == CHECK_CRITICAL
	    && t->since > 0 && probe_now_ms() >= t->since + t->deregister_after;
}

/*
 * Bring the registry in line with what t observed, if active.  A status
 * the registry acknowledged is not written again while its change entry
 * is on its way (the follower may lag behind under load).
 */
static void
probe_publish(struct target *t)
{
	if (!probe_probed(t) || !lease_active(t->p->lease))
		return;
	if (t->known && t->obs != t->reg) {
		if (!t->writing && !(t->acked && t->acked_st == t->obs))
			probe_write(t);
		return;
	}
	if (probe_reapable(t))
		probe_reap(t);
}

static void
probe_reconcile_one(const void *key, size_t len, void *value, void *arg)
{
	struct target *t = value;
	size_t *n = arg;
	bool was_writing = t->writing;

	(void)key;
	(void)len;
	t->acked = false;
	probe_publish(t);
	if (!was_writing && t->writing)
		(*n)++;
}

/* Write every observed status the registry does not hold. */
static void
probe_reconcile(struct probe *p)
{
	size_t n = 0;

	if (!lease_active(p->lease))
		return;
	hmap_each(p->targets, probe_reconcile_one, &n);
	log_info("probe, reconciled: %zu of %zu statuses written", n,
	    hmap_count(p->targets));
}

static void
probe_lease_changed(bool active, void *arg)
{
	if (active)
		probe_reconcile(arg);
}

/* ---- targets ---- */

static void
probe_def_from(struct probe_def *d, const struct rec_inst *rec)
{
	memset(d, 0, sizeof(*d));
	d->kind = rec->check;
	d->addr = rec->addr;
	d->port = rec->port;
	d->rise = rec->rise > 0 ? rec->rise : 1;
	d->fall = rec->fall > 0 ? rec->fall : 1;
	d->check_ttl = rec->check_ttl;
	d->interval = rec->interval < PROBE_MIN_INTERVAL ? PROBE_MIN_INTERVAL
	    : rec->interval;
	d->timeout = rec->timeout == 0 ? 2000 : rec->timeout;
	if (d->timeout > d->interval)
		d->timeout = d->interval;
}

static bool
probe_def_same(const struct target *t, const struct probe_def *d,
    const char *path)
{
	if (memcmp(&t->def, d, sizeof(*d)) != 0)
		return false;
	if (t->path == NULL || path == NULL)
		return t->path == path;
	return strcmp(t->path, path) == 0;
}

/* Give t the definition d (t's check is not running). */
static int
probe_define(struct target *t, const struct probe_def *d, const char *path)
{
	struct check_target *ct = &t->ct;
	char ip[INET6_ADDRSTRLEN];
	char *copy = NULL;

	if (path != NULL && (copy = strdup(path)) == NULL)
		return -1;
	free(t->path);
	t->path = copy;
	t->def = *d;
	memset(&ct->addr, 0, sizeof(ct->addr));
	if (d->addr.family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ct->addr;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(d->port);
		memcpy(&sin->sin_addr, d->addr.a, 4);
		ct->addrlen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ct->addr;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(d->port);
		memcpy(&sin6->sin6_addr, d->addr.a, 16);
		ct->addrlen = sizeof(*sin6);
	}
	inet_ntop(d->addr.family == 4 ? AF_INET : AF_INET6, d->addr.a, ip,
	    sizeof(ip));
	snprintf(t->host, sizeof(t->host), d->addr.family == 4 ? "%s:%u"
	    : "[%s]:%u", ip, (unsigned)d->port);
	ct->kind = d->kind;
	ct->path = t->path;
	ct->host = t->host;
	ct->timeout_ms = d->timeout;
	t->known = false;
	t->acked = false;
	t->oks = t->fails = 0;
	return 0;
}

static struct target *
probe_target_new(struct probe *p, const char *id, size_t idlen)
{
	struct target *t = calloc(1, sizeof(*t));

	if (t == NULL || (t->id = malloc(idlen + 1)) == NULL) {
		free(t);
		return NULL;
	}
	memcpy(t->id, id, idlen);
	t->id[idlen] = '\0';
	t->idlen = idlen;
	t->p = p;
	t->ct.id = t->id;
	t->ct.idlen = idlen;
	ev_init(&t->timer, probe_timer_cb);
	t->timer.data = t;
	if (hmap_put(p->targets, t->id, idlen, t) < 0) {
		free(t->id);
		free(t);
		return NULL;
	}
	return t;
}

static void
probe_target_free(struct target *t)
{
	probe_target_stop(t);
	free(t->path);
	free(t->id);
	free(t);
}

/* The registry's status of t changed (a stream entry or a full load). */
static void
probe_set_reg(struct target *t, enum check_result reg)
{
	if (reg == t->reg)
		return;
	t->reg = reg;
	t->acked = false;
	if (t->def.kind != REC_CHECK_TTL || (t->known && t->obs == reg))
		return;
	/* a heartbeat (or a person) set it: theirs, and look again soon */
	t->known = false;
	if (ev_is_active(&t->timer) && t->due > ev_now(t->p->loop)
	    + PROBE_TTL_NUDGE)
		probe_arm(t, PROBE_TTL_NUDGE);
}

/* An instance record arrived: create, redefine or update its target. */
static void
probe_put(struct probe *p, const char *id, size_t idlen, struct rec_inst *rec)
{
	struct target *t = hmap_get(p->targets, id, idlen);
	struct probe_def d;
	bool created = false, fresh = false, was_probed;

	probe_def_from(&d, rec);
	if (t == NULL) {
		if ((t = probe_target_new(p, id, idlen)) == NULL)
			goto nomem;
		t->reg = probe_status(rec->status);
		created = true;
	}
	was_probed = !created && probe_probed(t);
	if (created || !probe_def_same(t, &d, rec->check_path)) {
		probe_target_stop(t);
		if (probe_define(t, &d, rec->check_path) < 0)
			goto nomem;
		fresh = true;
	}
	t->gen = p->gen;
	t->deregister_after = rec->deregister_after;
	t->since = rec->since;
	t->maint = rec->maint;
	probe_set_reg(t, probe_status(rec->status));
	rec_inst_clear(rec);
	if (!probe_probed(t)) {
		probe_target_stop(t);
		t->known = false;
		return;
	}
	if (fresh || !was_probed || !ev_is_active(&t->timer))
		probe_arm_first(t);
	return;
nomem:
	log_warnx("probe, %.*s: out of memory, not checked", (int)idlen, id);
	rec_inst_clear(rec);
}

static void
probe_del(struct probe *p, const char *id, size_t idlen)
{
	struct target *t = hmap_del(p->targets, id, idlen);

	if (t == NULL)
		return;
	log_debug("probe, %s: deregistered, no longer checked", t->id);
	probe_target_free(t);
}

/* ---- sync_ops: the registry follower feeds the targets ---- */

static void
probe_item_free(const void *key, size_t len, void *value, void *arg)
{
	(void)key;
	(void)len;
	(void)arg;
	rec_inst_clear(value);
	free(value);
}

static void *
probe_load_begin(void *arg)
{
	struct probe_tab *tab = malloc(sizeof(*tab));

	if (tab == NULL)
		return NULL;
	tab->p = arg;
	tab->staging = hmap_new();
	if (tab->staging == NULL) {
		free(tab);
		return NULL;
	}
	return tab;
}

static void
probe_load_abort(void *arg, void *target)
{
	struct probe_tab *tab = target;

	(void)arg;
	hmap_each(tab->staging, probe_item_free, NULL);
	hmap_free(tab->staging);
	free(tab);
}

static void
probe_apply_item(const void *key, size_t len, void *value, void *arg)
{
	probe_put(arg, key, len, value);	/* takes the record's memory */
	free(value);
}

struct probe_sweep {
	struct target		**v;
	size_t			 n;
	unsigned		 gen;
};

static void
probe_sweep_one(const void *key, size_t len, void *value, void *arg)
{
	struct target *t = value;
	struct probe_sweep *s = arg;

	(void)key;
	(void)len;
	if (t->gen != s->gen)
		s->v[s->n++] = t;
}

/* Targets the full load did not bring were deregistered meanwhile. */
static void
probe_sweep(struct probe *p)
{
	struct probe_sweep s = { NULL, 0, p->gen };
	size_t i;

	s.v = malloc((hmap_count(p->targets) + 1) * sizeof(*s.v));
	if (s.v == NULL) {
		log_warnx("probe, out of memory: stale targets kept");
		return;
	}
	hmap_each(p->targets, probe_sweep_one, &s);
	for (i = 0; i < s.n; i++)
		probe_del(p, s.v[i]->id, s.v[i]->idlen);
	free(s.v);
}

static void
probe_load_end(void *arg, void *target)
{
	struct probe *p = arg;
	struct probe_tab *tab = target;

	p->gen++;
	hmap_each(tab->staging, probe_apply_item, p);
	hmap_free(tab->staging);
	free(tab);
	probe_sweep(p);
	log_info("probe, following %zu instances", hmap_count(p->targets));
	probe_reconcile(p);
}

static void *
probe_current(void *arg)
{
	return &((struct probe *)arg)->live;
}

static void
probe_put_inst(void *target, const char *id, size_t idlen,
    struct rec_inst *rec)
{
	struct probe_tab *tab = target;
	struct rec_inst *item;

	if (tab->staging == NULL) {
		probe_put(tab->p, id, idlen, rec);
		return;
	}
	item = hmap_get(tab->staging, id, idlen);
	if (item != NULL) {
		rec_inst_clear(item);	/* SSCAN may return an id twice */
	} else if ((item = malloc(sizeof(*item))) == NULL
	    || hmap_put(tab->staging, id, idlen, item) < 0) {
		free(item);
		rec_inst_clear(rec);
		log_warnx("probe, %.*s: out of memory, not checked",
		    (int)idlen, id);
		return;
	}
	*item = *rec;
}

static void
probe_del_inst(void *target, const char *id, size_t idlen)
{
	struct probe_tab *tab = target;
	struct rec_inst *item;

	if (tab->staging == NULL) {
		probe_del(tab->p, id, idlen);
		return;
	}
	item = hmap_del(tab->staging, id, idlen);
	if (item != NULL)
		probe_item_free(NULL, 0, item, NULL);
}

static void
probe_put_node(void *target, struct rec_node *rec)
{
	(void)target;
	rec_node_clear(rec);	/* nodes are not checked */
}

static void
probe_del_node(void *target, const char *name, size_t len)
{
	(void)target;
	(void)name;
	(void)len;
}

static void
probe_batch_end(void *arg)
{
	(void)arg;
}

static const struct sync_ops probe_sync_ops = {
	.load_begin = probe_load_begin,
	.load_end = probe_load_end,
	.load_abort = probe_load_abort,
	.current = probe_current,
	.put_inst = probe_put_inst,
	.del_inst = probe_del_inst,
	.put_node = probe_put_node,
	.del_node = probe_del_node,
	.batch_end = probe_batch_end,
};

/* ---- the Redis connections ---- */

static void
probe_wr_up(struct rconn *c, redisAsyncContext *ac, void *arg)
{
	(void)c;
	(void)ac;
	probe_reconcile(arg);	/* writes may have been lost meanwhile */
}

static void
probe_lc_up(struct rconn *c, redisAsyncContext *ac, void *arg)
{
	struct probe *p = arg;

	(void)c;
	(void)ac;
	lease_up(p->lease);
}

static void
probe_lc_down(struct rconn *c, void *arg)
{
	struct probe *p = arg;

	(void)c;
	lease_down(p->lease);
}

/* ---- life cycle ---- */

struct probe *
probe_new(struct ev_loop *loop, const struct probe_config *cfg, char *err,
    size_t errlen)
{
	static const struct rconn_cbs wcbs = { probe_wr_up, NULL };
	static const struct rconn_cbs lcbs = { probe_lc_up, probe_lc_down };
	struct probe *p = calloc(1, sizeof(*p));
	struct sync_config sc;

	if (p == NULL)
		goto nomem;
	p->loop = loop;
	p->cfg = *cfg;
	p->live.p = p;
	p->st.since = ev_time();
	if (getrandom(&p->rnd, sizeof(p->rnd), 0) != sizeof(p->rnd) || !p->rnd)
		p->rnd = ((uint64_t)(ev_time() * 1e6) ^ (uint64_t)getpid()) | 1;
	p->checks = check_env_new(loop, probe_check_done, p, err, errlen);
	if (p->checks == NULL) {
		free(p);
		return NULL;
	}
	memset(&sc, 0, sizeof(sc));
	sc.url = cfg->url;
	snprintf(sc.prefix, sizeof(sc.prefix), "%s", cfg->prefix);
	sc.who = "registry";
	if ((p->targets = hmap_new()) == NULL
	    || (p->wr = rconn_new(loop, &cfg->url, "probe", &wcbs, p)) == NULL
	    || (p->lc = rconn_new(loop, &cfg->url, "lease", &lcbs, p)) == NULL
	    || (p->lease = lease_new(loop, p->lc, cfg->prefix, cfg->token,
	    cfg->lease_ms, probe_lease_changed, p)) == NULL
	    || (p->sync = sync_new(loop, &sc, &probe_sync_ops, p)) == NULL) {
		probe_free(p);
		goto nomem;
	}
	check_env_set_redis(p->checks, p->wr, cfg->prefix);
	return p;
nomem:
	snprintf(err, errlen, "probe: out of memory");
	return NULL;
}

void
probe_start(struct probe *p)
{
	rconn_start(p->wr);
	rconn_start(p->lc);
	lease_start(p->lease);
	sync_start(p->sync);
}

void
probe_set_max_checks(struct probe *p, size_t n)
{
	p->cfg.max_checks = n > 0 ? n : 1;
	probe_drain(p);
}

static void
probe_count(const void *key, size_t len, void *value, void *arg)
{
	size_t *probed = arg;

	(void)key;
	(void)len;
	if (probe_probed(value))
		(*probed)++;
}

void
probe_get_metrics(struct probe *p, struct probe_metrics *out)
{
	size_t probed = 0;

	*out = p->m;
	hmap_each(p->targets, probe_count, &probed);
	out->targets = hmap_count(p->targets);
	out->probed = probed;
	out->queue = p->qlen;
	out->in_flight = check_env_running(p->checks);
	out->lease_held = lease_active(p->lease) ? 1 : 0;
	out->redis_up = rconn_is_up(p->wr) ? 1 : 0;
}

void
probe_log_stats(struct probe *p)
{
	struct probe_stats *s = &p->st;
	struct sync_stats ss;
	double secs = ev_time() - s->since;
	uint64_t done = s->done[0] + s->done[1] + s->done[2];
	size_t probed = 0;

	hmap_each(p->targets, probe_count, &probed);
	sync_get_stats(p->sync, &ss);
	log_info("stats, %.1f s: %" PRIu64 " checks done (%.0f/s; passing %"
	    PRIu64 ", warning %" PRIu64 ", critical %" PRIu64 "), %" PRIu64
	    " started; lag p50 %.3f ms, p99 %.3f ms, max %.3f ms; in flight %zu"
	    " (max %zu), queued %zu (max %zu, total %" PRIu64 "), overruns %"
	    PRIu64 ", no memory %" PRIu64 "; writes %" PRIu64 " (changed %"
	    PRIu64 ", refused %" PRIu64 ", errors %" PRIu64 "), reaped %" PRIu64
	    "; targets %zu, probed %zu; %s, redis %s; registry %s, %" PRIu64
	    " changes applied", secs, done,
	    secs > 0 ? done / secs : 0.0, s->done[0], s->done[1], s->done[2],
	    s->started, probe_lag_pct(s, 0.50), probe_lag_pct(s, 0.99),
	    s->lag_max * 1000.0, check_env_running(p->checks), s->inflight_max,
	    p->qlen, s->queue_max, s->queued, s->overruns, s->nomem, s->writes,
	    s->changed, s->refused, s->errors, s->reaped,
	    hmap_count(p->targets), probed,
	    lease_active(p->lease) ? "active" : "standby",
	    rconn_is_up(p->wr) ? "up" : "down", ss.connected ? "followed"
	    : "not followed", ss.entries);
	memset(s, 0, sizeof(*s));
	s->since = ev_time();
}

static void
probe_stop_one(const void *key, size_t len, void *value, void *arg)
{
	(void)key;
	(void)len;
	(void)arg;
	probe_target_stop(value);
}

void
probe_stop(struct probe *p, void (*done)(void *), void *arg)
{
	p->stopping = true;
	hmap_each(p->targets, probe_stop_one, NULL);
	lease_release(p->lease, done, arg);
}

static void
probe_free_one(const void *key, size_t len, void *value, void *arg)
{
	(void)key;
	(void)len;
	(void)arg;
	probe_target_free(value);
}

void
probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	p->stopping = true;
	if (p->targets != NULL)
		hmap_each(p->targets, probe_stop_one, NULL);
	sync_free(p->sync);
	rconn_free(p->wr);	/* answers pending replies with NULL */
	rconn_free(p->lc);
	lease_free(p->lease);
	if (p->targets != NULL) {
		hmap_each(p->targets, probe_free_one, NULL);
		hmap_free(p->targets);
	}
	check_env_free(p->checks);
	free(p);
}
