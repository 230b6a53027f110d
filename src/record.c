/*
 * record.c -- decode registry records read from Redis.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define REC_MAXFIELD	1024	/* longest value accepted */

static bool
rec_is(const struct rec_kv *f, const char *name)
{
	size_t n = strlen(name);

	return f->klen == n && memcmp(f->k, name, n) == 0;
}

static int
rec_why(char *why, size_t whylen, const struct rec_kv *f, const char *what)
{
	snprintf(why, whylen, "%.*s: %s", (int)(f->klen < 64 ? f->klen : 64),
	    f->k, what);
	return -1;
}

bool
rec_label_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/* Copy a label, lowercased; -1 when it is not a label. */
static int
rec_label(char *dst, const struct rec_kv *f)
{
	size_t i;

	if (!rec_label_ok(f->v, f->vlen))
		return -1;
	for (i = 0; i < f->vlen; i++) {
		char c = f->v[i];

		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	dst[f->vlen] = '\0';
	return 0;
}

/* Decimal unsigned integer within [0, max]. */
static int
rec_uint(const struct rec_kv *f, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (f->vlen == 0 || f->vlen > 20)
		return -1;
	for (i = 0; i < f->vlen; i++) {
		if (f->v[i] < '0' || f->v[i] > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(f->v[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int
rec_addr_parse(struct rec_addr *a, const char *s, size_t len)
{
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(a->a, 0, sizeof(a->a));
	if (inet_pton(AF_INET, buf, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

/* Scratch space while one record is parsed. */
struct rec_tmp {
	char		 service[REC_LABEL], node[REC_LABEL], dc[REC_LABEL];
	char		 tags[REC_MAXTAGS][REC_LABEL];
	size_t		 ntags;
	char		 meta[REC_MAXMETA][256];
	size_t		 nmeta;
	char		 path[513];
	bool		 have_path;
};

/*
 * The scratch of one parse: about 21 kB, so one per thread, reused; only
 * what a parse reads before writing is reset.
 */
static struct rec_tmp *
rec_tmp_get(void)
{
	static _Thread_local struct rec_tmp t;

	t.service[0] = t.node[0] = t.dc[0] = t.path[0] = '\0';
	t.ntags = t.nmeta = 0;
	t.have_path = false;
	return &t;
}

/* "a,b,c": labels, lowercased, duplicates dropped. */
static int
rec_tags(struct rec_tmp *t, const struct rec_kv *f)
{
	size_t i = 0, j;

	while (i < f->vlen) {
		size_t n = 0;
		struct rec_kv one;

		while (i + n < f->vlen && f->v[i + n] != ',')
			n++;
		one.k = f->k;
		one.klen = f->klen;
		one.v = f->v + i;
		one.vlen = n;
		if (t->ntags == REC_MAXTAGS || rec_label(t->tags[t->ntags], &one) < 0)
			return -1;
		for (j = 0; j < t->ntags; j++)
			if (strcmp(t->tags[j], t->tags[t->ntags]) == 0)
				break;
		if (j == t->ntags)
			t->ntags++;
		i += n + 1;
	}
	return 0;
}

/* Is the value printable ASCII (0x20 to 0x7e)? */
static bool
rec_printable(const struct rec_kv *f)
{
	size_t i;

	for (i = 0; i < f->vlen; i++)
		if ((unsigned char)f->v[i] < 0x20
		    || (unsigned char)f->v[i] > 0x7e)
			return false;
	return true;
}

/* meta.<key> -> "key=value", at most 255 bytes, printable. */
static int
rec_meta(char (*meta)[256], size_t *nmeta, const struct rec_kv *f)
{
	size_t klen = f->klen - 5, i;

	if (klen == 0 || klen > 64 || klen + 1 + f->vlen > 255
	    || *nmeta == REC_MAXMETA)
		return -1;
	for (i = 0; i < klen; i++) {
		char c = f->k[5 + i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return -1;
	}
	if (!rec_printable(f))
		return -1;
	snprintf(meta[(*nmeta)++], 256, "%.*s=%.*s", (int)klen, f->k + 5,
	    (int)f->vlen, f->v);
	return 0;
}

static int
rec_status(enum rec_health *st, const struct rec_kv *f)
{
	if (f->vlen == 7 && memcmp(f->v, "passing", 7) == 0)
		*st = REC_PASSING;
	else if (f->vlen == 7 && memcmp(f->v, "warning", 7) == 0)
		*st = REC_WARNING;
	else if (f->vlen == 8 && memcmp(f->v, "critical", 8) == 0)
		*st = REC_CRITICAL;
	else
		return -1;
	return 0;
}

static int
rec_check_kind(enum rec_check *c, const struct rec_kv *f)
{
	static const char *names[] = { "none", "tcp", "http", "https", "ttl" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f->vlen == strlen(names[i])
		    && memcmp(f->v, names[i], f->vlen) == 0) {
			*c = (enum rec_check)i;
			return 0;
		}
	return -1;
}

/* One instance field; 1 when the field is not one we know. */
static int
rec_inst_field(struct rec_inst *r, struct rec_tmp *t, const struct rec_kv *f,
    unsigned *seen)
{
	uint64_t v;

	if (rec_is(f, "service"))
		return *seen |= 1, rec_label(t->service, f);
	if (rec_is(f, "address"))
		return *seen |= 2, rec_addr_parse(&r->addr, f->v, f->vlen);
	if (rec_is(f, "port")) {
		*seen |= 4;
		if (rec_uint(f, 65535, &v) < 0 || v == 0)
			return -1;
		r->port = (uint16_t)v;
		return 0;
	}
	if (rec_is(f, "node"))
		return rec_label(t->node, f);
	if (rec_is(f, "dc"))
		return rec_label(t->dc, f);
	if (rec_is(f, "tags"))
		return rec_tags(t, f);
#define REC_INT(name, field, max) \
	if (rec_is(f, name)) { \
		if (rec_uint(f, max, &v) < 0) \
			return -1; \
		r->field = (__typeof__(r->field))v; \
		return 0; \
	}
	REC_INT("priority", priority, 65535)
	REC_INT("weight", weight, 65535)
	REC_INT("weight_warning", weight_warning, 65535)
	REC_INT("ttl", ttl, 86400)
	REC_INT("check_ttl", check_ttl, 86400000)
	REC_INT("interval", interval, 86400000)
	REC_INT("timeout", timeout, 86400000)
	REC_INT("rise", rise, 100)
	REC_INT("fall", fall, 100)
	REC_INT("deregister_after", deregister_after, 100ULL * 365 * 86400000)
	REC_INT("health.since", since, UINT64_MAX)
#undef REC_INT
	if (f->klen > 5 && memcmp(f->k, "meta.", 5) == 0)
		return rec_meta(t->meta, &t->nmeta, f);
	if (rec_is(f, "check"))
		return rec_check_kind(&r->check, f);
	if (rec_is(f, "check_path")) {
		/* it goes into the request line: printable, as documented */
		if (f->vlen == 0 || f->vlen > 512 || f->v[0] != '/'
		    || !rec_printable(f))
			return -1;
		memcpy(t->path, f->v, f->vlen);
		t->path[f->vlen] = '\0';
		t->have_path = true;
		return 0;
	}
	if (rec_is(f, "health.status"))
		return rec_status(&r->status, f);
	if (rec_is(f, "health.maint")) {
		if (f->vlen != 1 || (f->v[0] != '0' && f->v[0] != '1'))
			return -1;
		r->maint = f->v[0] == '1';
		return 0;
	}
	return 1;
}

static void
rec_inst_defaults(struct rec_inst *r)
{
	memset(r, 0, sizeof(*r));
	r->priority = r->weight = r->weight_warning = 1;
	r->ttl = -1;
	r->interval = 10000;
	r->timeout = 2000;
	r->rise = r->fall = 1;
	r->status = REC_PASSING;
}

/* Append s and its NUL at *o. */
static void
rec_put(char *blob, size_t *o, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(blob + *o, s, n);
	*o += n;
}

/* Move the strings of t into r's blob and point r at them. */
static int
rec_inst_pack(struct rec_inst *r, const struct rec_tmp *t)
{
	size_t size = strlen(t->service) + strlen(t->node) + strlen(t->dc) + 4
	    + (t->have_path ? strlen(t->path) + 1 : 0), o = 0, i;
	size_t tags, meta;

	for (i = 0; i < t->ntags; i++)
		size += strlen(t->tags[i]) + 1;
	for (i = 0; i < t->nmeta; i++)
		size += strlen(t->meta[i]) + 1;
	r->blob = malloc(size);
	if (r->blob == NULL)
		return -1;
	rec_put(r->blob, &o, t->service);
	rec_put(r->blob, &o, t->node);
	rec_put(r->blob, &o, t->dc);
	tags = o;
	for (i = 0; i < t->ntags; i++)
		rec_put(r->blob, &o, t->tags[i]);
	meta = o;
	for (i = 0; i < t->nmeta; i++)
		rec_put(r->blob, &o, t->meta[i]);
	r->service = r->blob;
	r->node = rec_next(r->service);
	r->dc = rec_next(r->node);
	r->tags = r->blob + tags;
	r->meta = r->blob + meta;
	r->ntags = (uint16_t)t->ntags;
	r->nmeta = (uint16_t)t->nmeta;
	if (t->have_path) {
		r->check_path = r->blob + o;
		rec_put(r->blob, &o, t->path);
	}
	return 0;
}

int
rec_inst_parse(struct rec_inst *r, const struct rec_kv *kv, size_t n,
    char *why, size_t whylen)
{
	struct rec_tmp *t = rec_tmp_get();
	unsigned seen = 0;
	size_t i;

	rec_inst_defaults(r);
	for (i = 0; i < n; i++) {
		if (kv[i].vlen > REC_MAXFIELD) {
			rec_why(why, whylen, &kv[i], "value too long");
			goto fail;
		}
		if (rec_inst_field(r, t, &kv[i], &seen) < 0) {
			rec_why(why, whylen, &kv[i], "bad value");
			goto fail;
		}
	}
	if ((seen & 7) != 7) {
		snprintf(why, whylen, "%s: missing", !(seen & 1) ? "service"
		    : !(seen & 2) ? "address" : "port");
		goto fail;
	}
	if ((r->check == REC_CHECK_HTTP || r->check == REC_CHECK_HTTPS)
	    && !t->have_path) {
		snprintf(why, whylen, "check_path: missing");
		goto fail;
	}
	if (r->check == REC_CHECK_TTL && r->check_ttl == 0) {
		snprintf(why, whylen, "check_ttl: missing");
		goto fail;
	}
	if (r->check != REC_CHECK_HTTP && r->check != REC_CHECK_HTTPS)
		t->have_path = false;
	if (rec_inst_pack(r, t) < 0) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	return 0;
fail:
	rec_inst_defaults(r);
	return -1;
}

void
rec_inst_clear(struct rec_inst *r)
{
	free(r->blob);
	r->blob = NULL;
	r->service = r->node = r->dc = r->tags = r->meta = NULL;
	r->check_path = NULL;
	r->ntags = r->nmeta = 0;
}

int
rec_node_parse(struct rec_node *r, const char *name, size_t namelen,
    const struct rec_kv *kv, size_t n, char *why, size_t whylen)
{
	struct rec_kv nf = { "name", 4, name, namelen };
	struct rec_tmp *t = rec_tmp_get();
	bool have_addr = false;
	size_t i, size = 1, o = 0;

	memset(r, 0, sizeof(*r));
	if (rec_label(r->name, &nf) < 0) {
		snprintf(why, whylen, "name: not a DNS label");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		int rc = 1;

		if (kv[i].vlen > REC_MAXFIELD)
			rc = -1;
		else if (rec_is(&kv[i], "address")) {
			rc = rec_addr_parse(&r->addr, kv[i].v, kv[i].vlen);
			have_addr = true;
		} else if (rec_is(&kv[i], "dc"))
			rc = rec_label(r->dc, &kv[i]);
		else if (kv[i].klen > 5 && memcmp(kv[i].k, "meta.", 5) == 0)
			rc = rec_meta(t->meta, &t->nmeta, &kv[i]);
		if (rc < 0) {
			rec_why(why, whylen, &kv[i], "bad value");
			goto fail;
		}
	}
	if (!have_addr) {
		snprintf(why, whylen, "address: missing");
		goto fail;
	}
	for (i = 0; i < t->nmeta; i++)
		size += strlen(t->meta[i]) + 1;
	r->meta = malloc(size);
	if (r->meta == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	for (i = 0; i < t->nmeta; i++)
		rec_put(r->meta, &o, t->meta[i]);
	r->meta[o] = '\0';
	r->nmeta = (uint16_t)t->nmeta;
	return 0;
fail:
	memset(r, 0, sizeof(*r));
	return -1;
}

void
rec_node_clear(struct rec_node *r)
{
	free(r->meta);
	r->meta = NULL;
	r->nmeta = 0;
}

/* ---- formatting ---- */

struct rec_fmt {
	struct rec_kv	*kv;
	size_t		 n;
	char		*buf;
	size_t		 len, cap;
};

static void
rec_fmt_str(struct rec_fmt *f, const char *k, const char *v, size_t vlen)
{
	f->kv[f->n].k = k;
	f->kv[f->n].klen = strlen(k);
	f->kv[f->n].v = v;
	f->kv[f->n].vlen = vlen;
	f->n++;
}

/* A value formatted into the scratch buffer. */
static void
rec_fmt_num(struct rec_fmt *f, const char *k, unsigned long long v)
{
	int n = snprintf(f->buf + f->len, f->cap - f->len, "%llu", v);

	if (n < 0 || (size_t)n >= f->cap - f->len)
		return;
	rec_fmt_str(f, k, f->buf + f->len, (size_t)n);
	f->len += (size_t)n + 1;
}

static void
rec_fmt_addr(struct rec_fmt *f, const struct rec_addr *a)
{
	if (f->cap - f->len < INET6_ADDRSTRLEN || inet_ntop(a->family == 4
	    ? AF_INET : AF_INET6, a->a, f->buf + f->len, INET6_ADDRSTRLEN)
	    == NULL)
		return;
	rec_fmt_str(f, "address", f->buf + f->len, strlen(f->buf + f->len));
	f->len += strlen(f->buf + f->len) + 1;
}

/* meta list "k=v" -> fields "meta.k" (key names live in buf). */
static void
rec_fmt_meta(struct rec_fmt *f, const char *meta, size_t nmeta)
{
	size_t i;

	for (i = 0; i < nmeta; i++, meta = rec_next(meta)) {
		const char *eq = strchr(meta, '=');
		size_t klen = (size_t)(eq - meta);

		if (eq == NULL || f->cap - f->len < klen + 6)
			continue;
		memcpy(f->buf + f->len, "meta.", 5);
		memcpy(f->buf + f->len + 5, meta, klen);
		f->buf[f->len + 5 + klen] = '\0';
		rec_fmt_str(f, f->buf + f->len, eq + 1, strlen(eq + 1));
		f->len += klen + 6;
	}
}

size_t
rec_inst_format(const struct rec_inst *r, struct rec_kv *kv, char *buf,
    size_t buflen)
{
	static const char *checks[] = { "none", "tcp", "http", "https", "ttl" };
	static const char *status[] = { "passing", "warning", "critical" };
	struct rec_fmt f = { kv, 0, buf, 0, buflen };
	char *tags = NULL;

	rec_fmt_str(&f, "service", r->service, strlen(r->service));
	rec_fmt_addr(&f, &r->addr);
	rec_fmt_num(&f, "port", r->port);
	if (r->node[0] != '\0')
		rec_fmt_str(&f, "node", r->node, strlen(r->node));
	if (r->dc[0] != '\0')
		rec_fmt_str(&f, "dc", r->dc, strlen(r->dc));
	if (r->ntags > 0 && f.cap - f.len > 64 * 65) {
		const char *t = r->tags;
		size_t i, o = 0;

		tags = f.buf + f.len;
		for (i = 0; i < r->ntags; i++, t = rec_next(t)) {
			if (i > 0)
				tags[o++] = ',';
			memcpy(tags + o, t, strlen(t));
			o += strlen(t);
		}
		rec_fmt_str(&f, "tags", tags, o);
		f.len += o + 1;
	}
	rec_fmt_num(&f, "priority", r->priority);
	rec_fmt_num(&f, "weight", r->weight);
	rec_fmt_num(&f, "weight_warning", r->weight_warning);
	if (r->ttl >= 0)
		rec_fmt_num(&f, "ttl", (unsigned long long)r->ttl);
	rec_fmt_meta(&f, r->meta, r->nmeta);
	rec_fmt_str(&f, "check", checks[r->check], strlen(checks[r->check]));
	if (r->check_path != NULL)
		rec_fmt_str(&f, "check_path", r->check_path,
		    strlen(r->check_path));
	if (r->check == REC_CHECK_TTL)
		rec_fmt_num(&f, "check_ttl", r->check_ttl);
	if (r->check != REC_CHECK_NONE) {
		rec_fmt_num(&f, "interval", r->interval);
		rec_fmt_num(&f, "timeout", r->timeout);
		rec_fmt_num(&f, "rise", r->rise);
		rec_fmt_num(&f, "fall", r->fall);
		rec_fmt_num(&f, "deregister_after", r->deregister_after);
	}
	rec_fmt_str(&f, "health.status", status[r->status],
	    strlen(status[r->status]));
	rec_fmt_str(&f, "health.maint", r->maint ? "1" : "0", 1);
	rec_fmt_num(&f, "health.since", r->since);
	return f.n;
}

size_t
rec_node_format(const struct rec_node *r, struct rec_kv *kv, char *buf,
    size_t buflen)
{
	struct rec_fmt f = { kv, 0, buf, 0, buflen };

	rec_fmt_addr(&f, &r->addr);
	if (r->dc[0] != '\0')
		rec_fmt_str(&f, "dc", r->dc, strlen(r->dc));
	rec_fmt_meta(&f, r->meta, r->nmeta);
	return f.n;
}
