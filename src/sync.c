/*
 * sync.c -- keep the served registry in step with Redis.
 *
 * States: DOWN (no connection), PROBE (XINFO STREAM in flight), LOAD
 * (muster_dump chunks in flight into s->loading), FOLLOW (XREAD BLOCK in
 * flight).  Each read is preceded by an XRANGE of the last applied entry
 * and an XINFO of the stream: when the entry is gone (trimmed before we
 * read what followed it), or the stream went backwards or was made anew
 * (its entries-added counter grew by less than what we applied since we
 * last saw it: FLUSHALL, a replica resynced from another primary), the
 * next step is a new probe, not the read.  Every reply is type-checked; anything unexpected drops the
 * connection with one log line and the reconnect starts over (Knot
 * rdb_process_event).  A watchdog timer drops a connection that stays
 * silent longer than a blocking read can.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "log.h"
#include "record.h"
#include "sync.h"

#define SYNC_PAGE	"1000"		/* SSCAN COUNT of a full load */
#define SYNC_HEALTHFIELDS 16		/* fields of a health hash, at most */
#define SYNC_BATCH	"256"		/* stream entries per XREAD */
#define SYNC_BLOCK_MS	"2000"
#define SYNC_WATCHDOG	10.0		/* seconds without any reply */

enum sync_state { SYNC_DOWN, SYNC_PROBE, SYNC_CHECK, SYNC_LOAD, SYNC_FOLLOW };

struct sync {
	struct ev_loop		*loop;
	struct rconn		*rc;
	struct sync_config	 cfg;
	const struct sync_ops	*ops;
	void			*arg;
	char			 k_changes[160];
	enum sync_state		 state;
	void			*loading;	/* full load in progress */
	char			*page;		/* ids of the page being read:
						   a length byte, the id */
	size_t			 page_cap, page_len, page_next;
	char			 health[4096];	/* the instance's health */
	struct rec_kv		 hkv[SYNC_HEALTHFIELDS];
	size_t			 nhkv;
	bool			 health_ok;
	size_t			 loaded_inst;
	char			 load_from[SYNC_IDLEN];	/* stream id at start */
	char			 head[SYNC_IDLEN];	/* last-generated-id seen */
	long long		 head_added;	/* its entries-added */
	long long		 load_added;	/* entries-added at load_from */
	uint64_t		 load_started;
	char			 last_id[SYNC_IDLEN];	/* last applied */
	bool			 have_id;
	bool			 x_present;	/* last_id seen in the stream */
	long long		 base_added;	/* entries-added when we were at
						   the head (exact index) */
	uint64_t		 applied;	/* entries applied since then */
	bool			 have_base;
	bool			 said_nofunc;	/* logged: Functions missing */
	ev_timer		 watchdog;
	struct sync_stats	 stats;
};

static uint64_t
sync_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Stream ids "ms-seq": -1, 0, 1 like strcmp; malformed sorts first. */
static int
sync_id_cmp(const char *a, const char *b)
{
	uint64_t am = 0, as = 0, bm = 0, bs = 0;

	if (sscanf(a, "%" SCNu64 "-%" SCNu64, &am, &as) < 1)
		return -1;
	if (sscanf(b, "%" SCNu64 "-%" SCNu64, &bm, &bs) < 1)
		return 1;
	if (am != bm)
		return am < bm ? -1 : 1;
	return as < bs ? -1 : as > bs;
}

static void
sync_watchdog_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct sync *s = t->data;

	(void)loop;
	(void)revents;
	log_warnx("%s, redis silent for %.0f s", s->cfg.who, SYNC_WATCHDOG);
	rconn_drop(s->rc, "silent");
}

static void
sync_alive(struct sync *s)
{
	ev_timer_again(s->loop, &s->watchdog);
}

/* Drop the connection over a reply we cannot use; one log line. */
static void
sync_fail(struct sync *s, const char *what, const redisReply *r)
{
	log_warnx("%s, %s: %s", s->cfg.who, what, r == NULL ? "no reply"
	    : r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	rconn_drop(s->rc, what);
}

/* ---- records ---- */

/* kv pairs from a flat array of strings starting at element first. */
static size_t
sync_kv(const redisReply *a, size_t first, struct rec_kv *kv, size_t max,
    bool *ok)
{
	size_t i, n = 0;

	*ok = (a->elements - first) % 2 == 0;
	for (i = first; i + 1 < a->elements && n < max; i += 2) {
		const redisReply *k = a->element[i], *v = a->element[i + 1];

		if (k->type != REDIS_REPLY_STRING || (v->type != REDIS_REPLY_STRING
		    && v->type != REDIS_REPLY_INTEGER)) {
			*ok = false;
			return 0;
		}
		kv[n].k = k->str;
		kv[n].klen = k->len;
		if (v->type == REDIS_REPLY_INTEGER) {
			/* never in our layout; skip rather than guess */
			continue;
		}
		kv[n].v = v->str;
		kv[n].vlen = v->len;
		n++;
	}
	if (i + 1 < a->elements)
		*ok = false;	/* more fields than any record has */
	return n;
}

static void
sync_bad(struct sync *s, const char *kind, const char *id, size_t idlen,
    const char *why)
{
	s->stats.bad_records++;
	log_warnx("%s, %s%s:%.*s skipped: %s", s->cfg.who, s->cfg.prefix, kind,
	    (int)(idlen > 128 ? 128 : idlen), id, why);
}

static void
sync_put_inst(struct sync *s, void *target, const char *id, size_t idlen,
    const struct rec_kv *kv, size_t n)
{
	struct rec_inst rec;
	char why[256];

	if (idlen == 0 || idlen > 128) {
		sync_bad(s, "instance", id, idlen, "bad id");
		return;
	}
	if (rec_inst_parse(&rec, kv, n, why, sizeof(why)) < 0) {
		sync_bad(s, "instance", id, idlen, why);
		return;
	}
	s->ops->put_inst(target, id, idlen, &rec);
}

static void
sync_put_node(struct sync *s, void *target, const char *id, size_t idlen,
    const struct rec_kv *kv, size_t n)
{
	struct rec_node rec;
	char why[256];

	if (rec_node_parse(&rec, id, idlen, kv, n, why, sizeof(why)) < 0) {
		sync_bad(s, "node", id, idlen, why);
		return;
	}
	s->ops->put_node(target, &rec);
}

/*
 * ---- full load ----
 *
 * The set <prefix>instances is read a page at a time with SSCAN.  On a
 * page, the SSCAN of the next goes out, then for each id HGETALL of its
 * health hash and of its instance hash, pipelined, so that Redis works
 * on one page while musterd reads the last; then the same for the nodes,
 * and a PING marks the end.  Replies come back in order, so the queue of
 * ids says whose each reply is.  A record that changes meanwhile has a stream
 * entry after load_from, and following the stream from there sets it
 * right.  (The Function muster_dump returns the same, a page per call,
 * but running it costs Redis several times the CPU of the plain
 * commands: some 30 against 8 microseconds per instance.)
 */

static void sync_follow(struct sync *s);
static void sync_scan(struct sync *s, bool nodes, const char *cursor,
    size_t cursorlen);

static void
sync_load_done(struct sync *s)
{
	uint64_t ms = sync_now_ms() - s->load_started;
	void *t = s->loading;

	s->loading = NULL;
	memcpy(s->last_id, s->load_from, SYNC_IDLEN);
	s->have_id = true;
	s->base_added = s->load_added;	/* load_from was the head */
	s->applied = 0;
	s->have_base = true;
	s->stats.full_loads++;
	s->stats.loaded = true;
	s->stats.last_change_ms = sync_now_ms();
	s->said_nofunc = false;
	log_info("%s, full load: %zu instance records read in %" PRIu64 " ms",
	    s->cfg.who, s->loaded_inst, ms);
	s->ops->load_end(s->arg, t);
	sync_follow(s);
}

/* Is the reply WRONGTYPE (the key holds no hash)? */
static bool
sync_wrongtype(const redisReply *r)
{
	return r->type == REDIS_REPLY_ERROR
	    && strncmp(r->str, "WRONGTYPE", 9) == 0;
}

/* The next id of the page, whose replies come now. */
static const char *
sync_page_next(struct sync *s, size_t *len)
{
	const char *id;

	if (s->page_next >= s->page_len) {
		*len = 0;
		return "";
	}
	*len = (uint8_t)s->page[s->page_next];
	id = s->page + s->page_next + 1;
	return id;
}

static void
sync_page_done(struct sync *s, size_t len)
{
	s->page_next += 1 + len;
}

/*
 * HGETALL <prefix>health:<id>: keep its fields, as "health.<field>", for
 * the instance hash that comes next.  No hash: no health fields (the
 * instance's default).
 */
static void
sync_health_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;
	size_t i, o = 0;

	(void)ac;
	if (r == NULL || s->state != SYNC_LOAD)
		return;
	s->nhkv = 0;
	s->health_ok = true;
	if (r->type != REDIS_REPLY_ARRAY) {
		s->health_ok = sync_wrongtype(r);
		return;
	}
	for (i = 0; i + 1 < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];
		struct rec_kv *kv = &s->hkv[s->nhkv];

		if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING
		    || s->nhkv == SYNC_HEALTHFIELDS
		    || o + 7 + k->len + v->len > sizeof(s->health)) {
			s->health_ok = false;
			return;
		}
		memcpy(s->health + o, "health.", 7);
		memcpy(s->health + o + 7, k->str, k->len);
		kv->k = s->health + o;
		kv->klen = 7 + k->len;
		o += kv->klen;
		memcpy(s->health + o, v->str, v->len);
		kv->v = s->health + o;
		kv->vlen = v->len;
		o += v->len;
		s->nhkv++;
	}
}

/* HGETALL <prefix>instance:<id>, with the health fields kept before. */
static void
sync_inst_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;
	struct rec_kv kv[REC_MAXFIELDS];
	const char *id;
	size_t idlen, n;
	bool ok;

	(void)ac;
	if (r == NULL || s->state != SYNC_LOAD)
		return;
	id = sync_page_next(s, &idlen);
	sync_page_done(s, idlen);
	if (sync_wrongtype(r)) {
		sync_bad(s, "instance", id, idlen, "not a hash");
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY) {
		sync_fail(s, "full load (HGETALL)", r);
		return;
	}
	if (r->elements == 0)
		return;		/* deregistered since the SSCAN */
	n = sync_kv(r, 0, kv, REC_MAXFIELDS - s->nhkv, &ok);
	if (!ok || !s->health_ok) {
		sync_bad(s, "instance", id, idlen, ok ? "malformed health hash"
		    : "malformed field list");
		return;
	}
	memcpy(kv + n, s->hkv, s->nhkv * sizeof(*kv));
	sync_put_inst(s, s->loading, id, idlen, kv, n + s->nhkv);
	s->loaded_inst++;
}

static void
sync_node_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;
	struct rec_kv kv[REC_MAXFIELDS];
	const char *id;
	size_t idlen, n;
	bool ok;

	(void)ac;
	if (r == NULL || s->state != SYNC_LOAD)
		return;
	id = sync_page_next(s, &idlen);
	sync_page_done(s, idlen);
	if (sync_wrongtype(r)) {
		sync_bad(s, "node", id, idlen, "not a hash");
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY) {
		sync_fail(s, "full load (HGETALL)", r);
		return;
	}
	if (r->elements == 0)
		return;		/* deleted since the SSCAN */
	n = sync_kv(r, 0, kv, REC_MAXFIELDS, &ok);
	if (!ok) {
		sync_bad(s, "node", id, idlen, "malformed field list");
		return;
	}
	sync_put_node(s, s->loading, id, idlen, kv, n);
}

/* The PING after the last page: every reply has been read. */
static void
sync_loaded_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;

	(void)ac;
	if (reply == NULL || s->state != SYNC_LOAD)
		return;
	sync_alive(s);
	sync_load_done(s);
}

/*
 * Queue id (at most 128 bytes) behind those whose replies are still to
 * come (two pages at most); -1: out of memory.
 */
static int
sync_page_add(struct sync *s, const char *id, size_t len)
{
	if (s->page_next == s->page_len) {
		s->page_next = s->page_len = 0;
	} else if (s->page_next > s->page_cap / 2) {
		memmove(s->page, s->page + s->page_next,
		    s->page_len - s->page_next);
		s->page_len -= s->page_next;
		s->page_next = 0;
	}
	if (s->page_len + 1 + len > s->page_cap) {
		size_t cap = s->page_cap ? s->page_cap * 2 : 65536;
		char *p;

		while (cap < s->page_len + 1 + len)
			cap *= 2;
		if ((p = realloc(s->page, cap)) == NULL)
			return -1;
		s->page = p;
		s->page_cap = cap;
	}
	s->page[s->page_len] = (char)len;
	memcpy(s->page + s->page_len + 1, id, len);
	s->page_len += 1 + len;
	return 0;
}

/*
 * HGETALL <prefix><kind><id>, formatted here: hiredis' printf-style
 * formatting cost musterd more than reading the reply.
 */
static int
sync_hgetall(struct sync *s, redisAsyncContext *ac, redisCallbackFn *fn,
    const char *kind, const char *id, size_t idlen)
{
	char cmd[64 + sizeof(s->cfg.prefix) + 16 + 128];
	size_t plen = strlen(s->cfg.prefix), klen = strlen(kind);
	int n = snprintf(cmd, sizeof(cmd), "*2\r\n$7\r\nHGETALL\r\n$%zu\r\n",
	    plen + klen + idlen);

	if (n < 0 || (size_t)n + plen + klen + idlen + 2 > sizeof(cmd))
		return REDIS_ERR;
	memcpy(cmd + n, s->cfg.prefix, plen);
	memcpy(cmd + n + plen, kind, klen);
	memcpy(cmd + n + plen + klen, id, idlen);
	memcpy(cmd + n + plen + klen + idlen, "\r\n", 2);
	return redisAsyncFormattedCommand(ac, fn, s, cmd,
	    (size_t)n + plen + klen + idlen + 2);
}

/*
 * An SSCAN page: ask for the next page first, then for each record of
 * this one, so that Redis always has a page queued while musterd reads
 * the replies of the last (the ids wait in a queue, in order).
 */
static void
sync_page(struct sync *s, const redisReply *r, bool nodes)
{
	const char *kind = nodes ? "node" : "instance";
	redisAsyncContext *ac = rconn_ctx(s->rc);
	const redisReply *cur, *ids;
	size_t i;
	int rc = REDIS_OK;

	if (r == NULL || s->state != SYNC_LOAD)
		return;
	sync_alive(s);
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
	    || (cur = r->element[0])->type != REDIS_REPLY_STRING
	    || (ids = r->element[1])->type != REDIS_REPLY_ARRAY) {
		sync_fail(s, "full load (SSCAN)", r);
		return;
	}
	if (!(cur->len == 1 && cur->str[0] == '0'))
		sync_scan(s, nodes, cur->str, cur->len);
	else if (!nodes)
		sync_scan(s, true, "0", 1);
	for (i = 0; i < ids->elements && rc == REDIS_OK; i++) {
		const redisReply *id = ids->element[i];

		if (id->type != REDIS_REPLY_STRING) {
			sync_fail(s, "full load (SSCAN)", r);
			return;
		}
		if (id->len == 0 || id->len > 128) {
			sync_bad(s, kind, id->str, id->len, "bad id");
			continue;
		}
		if (sync_page_add(s, id->str, id->len) < 0) {
			log_warnx("%s, out of memory for a full load",
			    s->cfg.who);
			rconn_drop(s->rc, "out of memory");
			return;
		}
		if (nodes) {
			rc = sync_hgetall(s, ac, sync_node_cb, "node:", id->str,
			    id->len);
		} else if ((rc = sync_hgetall(s, ac, sync_health_cb, "health:",
		    id->str, id->len)) == REDIS_OK) {
			rc = sync_hgetall(s, ac, sync_inst_cb, "instance:",
			    id->str, id->len);
		}
	}
	/* after the last page's records, a PING says they are all read */
	if (rc != REDIS_OK || (nodes && cur->len == 1 && cur->str[0] == '0'
	    && redisAsyncCommand(ac, sync_loaded_cb, s, "PING") != REDIS_OK))
		rconn_drop(s->rc, "cannot send");
}

static void
sync_inst_page_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	(void)ac;
	sync_page(priv, reply, false);
}

static void
sync_node_page_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	(void)ac;
	sync_page(priv, reply, true);
}

static void
sync_scan(struct sync *s, bool nodes, const char *cursor, size_t cursorlen)
{
	redisAsyncContext *ac = rconn_ctx(s->rc);

	if (ac == NULL || redisAsyncCommand(ac, nodes ? sync_node_page_cb
	    : sync_inst_page_cb, s, "SSCAN %s%s %b COUNT " SYNC_PAGE,
	    s->cfg.prefix, nodes ? "nodes" : "instances", cursor, cursorlen)
	    != REDIS_OK)
		rconn_drop(s->rc, "cannot send");
}

/*
 * The library must be there: a Redis without it (restarted empty, or a
 * new one) is more likely lost data than an empty registry, so the last
 * copy keeps serving until someone loads the Functions.
 */
static void
sync_version_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;

	(void)ac;
	if (r == NULL || s->state != SYNC_LOAD)
		return;
	sync_alive(s);
	if (r->type == REDIS_REPLY_ERROR
	    && strstr(r->str, "Function not found") != NULL) {
		if (!s->said_nofunc)
			log_warnx("%s, the muster Functions are not loaded in "
			    "redis %s (musterctl load-functions); keeping the "
			    "last copy meanwhile", s->cfg.who, s->cfg.url.text);
		s->said_nofunc = true;
		rconn_drop(s->rc, "no muster Functions");
		return;
	}
	if (r->type != REDIS_REPLY_INTEGER) {
		sync_fail(s, "full load (muster_version)", r);
		return;
	}
	sync_scan(s, false, "0", 1);
}

static void
sync_abort_load(struct sync *s)
{
	if (s->loading != NULL)
		s->ops->load_abort(s->arg, s->loading);
	s->loading = NULL;
}

static void
sync_load(struct sync *s, const char *from)
{
	redisAsyncContext *ac = rconn_ctx(s->rc);

	sync_abort_load(s);
	s->loading = s->ops->load_begin(s->arg);
	if (s->loading == NULL) {
		log_warnx("%s, out of memory for a full load", s->cfg.who);
		rconn_drop(s->rc, "out of memory");
		return;
	}
	snprintf(s->load_from, sizeof(s->load_from), "%s", from);
	s->load_added = s->head_added;
	s->loaded_inst = 0;
	s->page_next = s->page_len = 0;
	s->load_started = sync_now_ms();
	s->state = SYNC_LOAD;
	log_info("%s, full load from redis (stream at %s)", s->cfg.who, from);
	if (ac == NULL || redisAsyncCommand(ac, sync_version_cb, s,
	    "FCALL_RO muster_version 0") != REDIS_OK)
		rconn_drop(s->rc, "cannot send");
}

/* ---- following the change stream ---- */

/* Apply one stream entry [id, [field, value, ...]]; -1 if malformed. */
static int
sync_apply(struct sync *s, const redisReply *e)
{
	const redisReply *f;
	struct rec_kv kv[REC_MAXFIELDS + 2];
	const struct rec_kv *op = NULL, *id = NULL;
	void *target;
	size_t n;
	bool ok;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2
	    || e->element[0]->type != REDIS_REPLY_STRING
	    || (f = e->element[1])->type != REDIS_REPLY_ARRAY)
		return -1;
	n = sync_kv(f, 0, kv, REC_MAXFIELDS + 2, &ok);
	if (n >= 2 && kv[0].klen == 2 && memcmp(kv[0].k, "op", 2) == 0
	    && kv[1].klen == 2 && memcmp(kv[1].k, "id", 2) == 0) {
		op = &kv[0];
		id = &kv[1];
	}
	if (!ok || op == NULL) {
		log_warnx("%s, stream entry %s skipped: malformed", s->cfg.who,
		    e->element[0]->str);
		s->stats.bad_records++;
		return 0;
	}
#define SYNC_OP(name) (op->vlen == strlen(name) \
	&& memcmp(op->v, name, op->vlen) == 0)
	target = s->ops->current(s->arg);
	if (SYNC_OP("register") || SYNC_OP("health") || SYNC_OP("maint"))
		sync_put_inst(s, target, id->v, id->vlen, kv + 2, n - 2);
	else if (SYNC_OP("deregister"))
		s->ops->del_inst(target, id->v, id->vlen);
	else if (SYNC_OP("node"))
		sync_put_node(s, target, id->v, id->vlen, kv + 2, n - 2);
	else if (SYNC_OP("node_delete"))
		s->ops->del_node(target, id->v, id->vlen);
	else {
		log_warnx("%s, stream entry %s skipped: unknown op %.*s",
		    s->cfg.who, e->element[0]->str,
		    (int)(op->vlen > 32 ? 32 : op->vlen), op->v);
		s->stats.bad_records++;
	}
#undef SYNC_OP
	return 0;
}

static void
sync_follow_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply, *stream, *entries;
	size_t i;

	(void)ac;
	if (r == NULL || s->state != SYNC_FOLLOW)
		return;
	sync_alive(s);
	if (r->type == REDIS_REPLY_NIL) {
		sync_follow(s);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 1
	    || (stream = r->element[0])->type != REDIS_REPLY_ARRAY
	    || stream->elements != 2
	    || (entries = stream->element[1])->type != REDIS_REPLY_ARRAY) {
		sync_fail(s, "XREAD", r);
		return;
	}
	for (i = 0; i < entries->elements; i++) {
		const redisReply *e = entries->element[i];

		if (sync_apply(s, e) < 0) {
			sync_fail(s, "XREAD entry", r);
			return;
		}
		snprintf(s->last_id, sizeof(s->last_id), "%s", e->element[0]->str);
		s->applied++;
		s->stats.entries++;
	}
	if (entries->elements > 0) {
		uint64_t now = sync_now_ms(), ms = 0;

		s->stats.last_change_ms = now;
		s->ops->batch_end(s->arg);
		/* behind: a full batch means more were waiting */
		if (entries->elements == (size_t)atoi(SYNC_BATCH)
		    && sscanf(s->last_id, "%" SCNu64, &ms) == 1 && ms < now)
			s->stats.lag_ms = now - ms;
		else
			s->stats.lag_ms = 0;
	}
	sync_follow(s);
}

/* The string value of field name in a flat XINFO reply, or NULL. */
static const char *
sync_info_field(const redisReply *r, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];

		if (k->type == REDIS_REPLY_STRING && strcmp(k->str, name) == 0)
			return v->type == REDIS_REPLY_STRING ? v->str : NULL;
	}
	return NULL;
}

/* An integer field of a flat XINFO reply, or -1. */
static long long
sync_info_int(const redisReply *r, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < r->elements; i += 2) {
		const redisReply *k = r->element[i], *v = r->element[i + 1];

		if (k->type == REDIS_REPLY_STRING && strcmp(k->str, name) == 0)
			return v->type == REDIS_REPLY_INTEGER ? v->integer : -1;
	}
	return -1;
}

static void sync_probe_cb(redisAsyncContext *, void *, void *);

/* Before a read: is our last entry still there?  Kept for sync_info_cb. */
static void
sync_still_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;

	(void)ac;
	if (r == NULL || s->state != SYNC_FOLLOW)
		return;
	if (r->type != REDIS_REPLY_ARRAY) {
		sync_fail(s, "XRANGE", r);
		return;
	}
	s->x_present = r->elements > 0;
}

/*
 * Why the stream no longer holds what we applied, or NULL when it does.
 * Our position's absolute index (entries-added when it was the head) is
 * known once we have been at the head: from there, with our last entry
 * gone, the stream must hold exactly the entries after it.
 */
static const char *
sync_lost(struct sync *s, const char *last, const char *maxdel,
    const char *first, long long added, long long length)
{
	if (sync_id_cmp(last, s->last_id) < 0)
		return "went back before our copy";
	if (sync_id_cmp(maxdel, s->last_id) > 0)
		return "lost entries after ours (deleted)";
	if (s->have_base && added < s->base_added + (long long)s->applied)
		return "was made anew";		/* the counter only grows */
	if (s->x_present)
		return NULL;
	if (length > 0 && first != NULL && sync_id_cmp(first, s->last_id) <= 0)
		return "does not hold our last entry";
	if (!s->have_base || length != added - (s->base_added
	    + (long long)s->applied))
		return "lost entries after ours, or was made anew";
	return NULL;
}

/* Before a read: has the stream gone back, lost entries, been remade? */
static void
sync_info_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;
	const char *why = NULL;

	if (r == NULL || s->state != SYNC_FOLLOW)
		return;
	(void)ac;
	if (r->type == REDIS_REPLY_ARRAY) {
		const char *last = sync_info_field(r, "last-generated-id");
		const char *maxdel = sync_info_field(r, "max-deleted-entry-id");
		const char *first = sync_info_field(r, "recorded-first-entry-id");
		long long added = sync_info_int(r, "entries-added");
		long long length = sync_info_int(r, "length");

		if (last == NULL || maxdel == NULL || added < 0 || length < 0) {
			sync_fail(s, "XINFO STREAM", r);
			return;
		}
		why = sync_lost(s, last, maxdel, first, added, length);
		snprintf(s->head, sizeof(s->head), "%s", last);
		s->head_added = added;
		if (why == NULL && sync_id_cmp(last, s->last_id) == 0) {
			s->base_added = added;	/* at the head: exact */
			s->applied = 0;
			s->have_base = true;
		}
	} else if (r->type == REDIS_REPLY_ERROR
	    && strstr(r->str, "no such key") != NULL) {
		strcpy(s->head, "0-0");
		s->head_added = 0;
		if (strcmp(s->last_id, "0-0") != 0)
			why = "is gone";
	} else {
		sync_fail(s, "XINFO STREAM", r);
		return;
	}
	if (why == NULL)
		return;
	/* whatever happened, only a full load can tell: the pending XREAD
	   reply comes first and is ignored (not FOLLOW any more) */
	log_info("%s, the change stream %s: reloading", s->cfg.who, why);
	sync_load(s, s->head);
}

static void
sync_follow(struct sync *s)
{
	const char *argv[] = { "XREAD", "COUNT", SYNC_BATCH, "BLOCK",
	    SYNC_BLOCK_MS, "STREAMS", s->k_changes, s->last_id };
	size_t len[8];
	redisAsyncContext *ac = rconn_ctx(s->rc);
	size_t i;

	for (i = 0; i < 8; i++)
		len[i] = strlen(argv[i]);
	s->state = SYNC_FOLLOW;
	s->stats.down_since_ms = 0;
	rconn_healthy(s->rc);
	s->x_present = strcmp(s->last_id, "0-0") == 0;
	if (ac == NULL || (!s->x_present
	    && redisAsyncCommand(ac, sync_still_cb, s, "XRANGE %s %s %s",
	    s->k_changes, s->last_id, s->last_id) != REDIS_OK)
	    || redisAsyncCommand(ac, sync_info_cb, s, "XINFO STREAM %s",
	    s->k_changes) != REDIS_OK
	    || redisAsyncCommandArgv(ac, sync_follow_cb, s, 8, argv, len)
	    != REDIS_OK)
		rconn_drop(s->rc, "cannot send");
}

/* ---- connecting ---- */


/*
 * Is our last applied entry still in the stream?  Trimming removes from
 * the head, so when it is, nothing after it was trimmed (and XDEL of a
 * later entry shows in max-deleted-entry-id, checked before).
 */
static void
sync_check_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;

	(void)ac;
	if (r == NULL || s->state != SYNC_CHECK)
		return;
	sync_alive(s);
	if (r->type != REDIS_REPLY_ARRAY) {
		sync_fail(s, "XRANGE", r);
		return;
	}
	if (r->elements == 0) {
		log_info("%s, change stream trimmed past %s: reloading",
		    s->cfg.who, s->last_id);
		sync_load(s, s->head);
		return;
	}
	log_info("%s, resuming the change stream after %s", s->cfg.who,
	    s->last_id);
	sync_follow(s);
}


static void
sync_probe_cb(redisAsyncContext *ac, void *reply, void *priv)
{
	struct sync *s = priv;
	const redisReply *r = reply;
	const char *last = "0-0", *maxdel = "0-0";
	long long added = 0, length = 0;

	if (r == NULL || s->state != SYNC_PROBE)
		return;
	sync_alive(s);
	if (r->type == REDIS_REPLY_ARRAY) {
		last = sync_info_field(r, "last-generated-id");
		maxdel = sync_info_field(r, "max-deleted-entry-id");
		added = sync_info_int(r, "entries-added");
		length = sync_info_int(r, "length");
		if (last == NULL || maxdel == NULL || added < 0 || length < 0) {
			sync_fail(s, "XINFO STREAM (redis 7 needed)", r);
			return;
		}
	} else if (r->type != REDIS_REPLY_ERROR
	    || strstr(r->str, "no such key") == NULL) {
		sync_fail(s, "XINFO STREAM", r);
		return;
	}
	snprintf(s->head, sizeof(s->head), "%s", last);
	s->head_added = added;
	s->have_base = false;
	if (s->have_id && sync_id_cmp(last, s->last_id) == 0) {
		/* nothing after our entry was ever added: nothing lost */
		log_info("%s, resuming the change stream after %s", s->cfg.who,
		    s->last_id);
		s->base_added = added;
		s->applied = 0;
		s->have_base = true;
		sync_follow(s);
	} else if (!s->have_id) {
		sync_load(s, last);
	} else if (sync_id_cmp(last, s->last_id) < 0) {
		log_info("%s, change stream is behind our copy (%s < %s): it "
		    "was reset", s->cfg.who, last, s->last_id);
		sync_load(s, last);
	} else if (sync_id_cmp(maxdel, s->last_id) > 0) {
		log_info("%s, change stream entries after %s were deleted: "
		    "reloading", s->cfg.who, s->last_id);
		sync_load(s, last);
	} else if (strcmp(s->last_id, "0-0") == 0) {
		/* nothing applied yet: resume only if nothing was trimmed */
		if (added != length)
			sync_load(s, last);
		else
			sync_follow(s);
	} else {
		s->state = SYNC_CHECK;
		if (redisAsyncCommand(ac, sync_check_cb, s, "XRANGE %s %s %s",
		    s->k_changes, s->last_id, s->last_id) != REDIS_OK)
			rconn_drop(s->rc, "cannot send");
	}
}

static void
sync_up(struct rconn *c, redisAsyncContext *ac, void *arg)
{
	struct sync *s = arg;

	(void)c;
	s->stats.connected = true;
	s->state = SYNC_PROBE;
	sync_alive(s);
	if (redisAsyncCommand(ac, sync_probe_cb, s, "XINFO STREAM %s",
	    s->k_changes) != REDIS_OK)
		rconn_drop(s->rc, "cannot send");
}

static void
sync_down(struct rconn *c, void *arg)
{
	struct sync *s = arg;

	(void)c;
	s->stats.connected = false;
	s->stats.down_since_ms = sync_now_ms();
	s->state = SYNC_DOWN;
	ev_timer_stop(s->loop, &s->watchdog);
	sync_abort_load(s);
}

struct sync *
sync_new(struct ev_loop *loop, const struct sync_config *cfg,
    const struct sync_ops *ops, void *arg)
{
	static const struct rconn_cbs cbs = { sync_up, sync_down };
	struct sync *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->loop = loop;
	s->cfg = *cfg;
	s->ops = ops;
	s->arg = arg;
	snprintf(s->k_changes, sizeof(s->k_changes), "%schanges", cfg->prefix);
	strcpy(s->last_id, "0-0");
	s->stats.down_since_ms = sync_now_ms();
	s->rc = rconn_new(loop, &cfg->url, cfg->who, &cbs, s);
	if (s->rc == NULL) {
		free(s);
		return NULL;
	}
	ev_init(&s->watchdog, sync_watchdog_cb);
	s->watchdog.repeat = SYNC_WATCHDOG;
	s->watchdog.data = s;
	return s;
}

void
sync_start(struct sync *s)
{
	rconn_start(s->rc);
}

void
sync_set_position(struct sync *s, const char *id)
{
	snprintf(s->last_id, sizeof(s->last_id), "%s", id);
	s->have_id = true;
	s->stats.loaded = true;
}

const char *
sync_position(const struct sync *s)
{
	return s->last_id;
}

void
sync_resync(struct sync *s)
{
	rconn_drop(s->rc, "resync");
}

void
sync_get_stats(const struct sync *s, struct sync_stats *out)
{
	*out = s->stats;
}

void
sync_free(struct sync *s)
{
	if (s == NULL)
		return;
	ev_timer_stop(s->loop, &s->watchdog);
	rconn_free(s->rc);
	sync_abort_load(s);
	free(s->page);
	free(s);
}
