/*
 * fuzz_record.c -- libFuzzer target: registry records from Redis fields.
 *
 * The input is a list of fields, one a line, "key=value" (the first '='
 * splits; a line without one is a key with an empty value), the way an
 * HGETALL reply or a change-stream entry reaches rec_inst_parse().  The
 * same fields are decoded as an instance, and as a node named by the
 * first line's value with the other lines as its fields.
 * A record that parses must keep every promise of record.h and of
 * muster-registry(7) (labels lowercase, counts and numbers in range,
 * meta and check_path printable, check_path only for http(s)), and
 * must survive rec_*_format() then parse again unchanged; formatting
 * that second record must give the same fields again, and parsing them
 * in reverse order the same record (but for the order of meta).  A
 * refused record must say why and leave nothing allocated.  Every value
 * also goes through rec_label_ok() (checked against a plain reading of
 * RFC 1035 2.3.1) and rec_addr_parse() (which must read back its own
 * inet_ntop() text).  Everything is freed, so LeakSanitizer sees a leak.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define FR_MAXKV	512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fr_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_record: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

/* RFC 1035 2.3.1 (and RFC 1123 2.1: a digit may start a label). */
static bool
fr_ldh(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > 63)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9');

		if (!alnum && (c != '-' || i == 0 || i == len - 1))
			return false;
	}
	return true;
}

/* A stored label: LDH and lowercase (empty allowed when optional). */
static void
fr_check_label(const char *what, const char *s, bool optional)
{
	size_t i, n = strlen(s);

	if (n == 0 && optional)
		return;
	if (!fr_ldh(s, n))
		fr_fail("a stored label is no label", what);
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			fr_fail("a stored label is not lowercase", what);
}

static bool
fr_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* nmeta "key=value" strings from meta: key [A-Za-z0-9_-]{1,64}. */
static void
fr_check_meta(const char *meta, size_t nmeta)
{
	size_t i, k;

	if (nmeta > REC_MAXMETA)
		fr_fail("more meta than REC_MAXMETA", NULL);
	for (i = 0; i < nmeta; i++, meta = rec_next(meta)) {
		const char *eq = strchr(meta, '=');

		if (eq == NULL || eq == meta || eq - meta > 64
		    || strlen(meta) > 255 || !fr_printable(meta))
			fr_fail("a bad meta entry", meta);
		for (k = 0; meta + k < eq; k++) {
			char c = meta[k];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			    || (c >= '0' && c <= '9') || c == '_' || c == '-'))
				fr_fail("a bad meta key", meta);
		}
	}
}

static void
fr_check_addr(const struct rec_addr *a)
{
	size_t i;

	if (a->family != 4 && a->family != 6)
		fr_fail("an address family neither 4 nor 6", NULL);
	for (i = a->family == 4 ? 4 : 16; i < 16; i++)
		if (a->a[i] != 0)
			fr_fail("bytes after an IPv4 address", NULL);
}

/* Everything record.h and muster-registry(7) promise about r. */
static void
fr_check_inst(const struct rec_inst *r)
{
	const char *t = r->tags, *u;
	size_t i, j;

	if (r->blob == NULL || r->service != r->blob)
		fr_fail("instance strings not in its blob", NULL);
	fr_check_label("service", r->service, false);
	fr_check_label("node", r->node, true);
	fr_check_label("dc", r->dc, true);
	if (r->ntags > REC_MAXTAGS)
		fr_fail("more tags than REC_MAXTAGS", NULL);
	for (i = 0; i < r->ntags; i++, t = rec_next(t)) {
		fr_check_label("tag", t, false);
		for (j = 0, u = r->tags; j < i; j++, u = rec_next(u))
			if (strcmp(t, u) == 0)
				fr_fail("a duplicate tag", t);
	}
	fr_check_meta(r->meta, r->nmeta);
	fr_check_addr(&r->addr);
	if (r->port == 0)
		fr_fail("port 0", NULL);
	if (r->ttl < -1 || r->ttl > 86400 || r->rise > 100 || r->fall > 100
	    || r->check_ttl > 86400000 || r->interval > 86400000
	    || r->timeout > 86400000
	    || r->deregister_after > 100ULL * 365 * 86400000)
		fr_fail("a number out of its range", NULL);
	if ((unsigned)r->check > REC_CHECK_TTL
	    || (unsigned)r->status > REC_CRITICAL)
		fr_fail("an enum out of its range", NULL);
	if ((r->check_path != NULL) != (r->check == REC_CHECK_HTTP
	    || r->check == REC_CHECK_HTTPS))
		fr_fail("check_path without http(s), or http(s) without it",
		    NULL);
	if (r->check_path != NULL && (r->check_path[0] != '/'
	    || strlen(r->check_path) > 512 || !fr_printable(r->check_path)))
		fr_fail("check_path not /printable ASCII, at most 512",
		    r->check_path);
	if (r->check == REC_CHECK_TTL && r->check_ttl == 0)
		fr_fail("a ttl check without check_ttl", NULL);
}

static void
fr_check_node(const struct rec_node *r)
{
	if (memchr(r->name, '\0', sizeof(r->name)) == NULL
	    || memchr(r->dc, '\0', sizeof(r->dc)) == NULL)
		fr_fail("node name or dc not terminated", NULL);
	fr_check_label("node name", r->name, false);
	fr_check_label("node dc", r->dc, true);
	fr_check_addr(&r->addr);
	if (r->meta == NULL)
		fr_fail("a node without its meta list", NULL);
	fr_check_meta(r->meta, r->nmeta);
}

/* Two lists of strings (nmeta or ntags of them) are equal. */
static bool
fr_same_list(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, a = rec_next(a), b = rec_next(b))
		if (strcmp(a, b) != 0)
			return false;
	return true;
}

/* How many times s is in the list (n strings). */
static size_t
fr_count(const char *list, size_t n, const char *s)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++, list = rec_next(list))
		k += strcmp(list, s) == 0;
	return k;
}

/* The same strings as many times each, in any order. */
static bool
fr_same_bag(const char *a, const char *b, size_t n)
{
	const char *x = a;
	size_t i;

	for (i = 0; i < n; i++, x = rec_next(x))
		if (fr_count(a, n, x) != fr_count(b, n, x))
			return false;
	return true;
}

/*
 * The fields rec_inst_format() writes are the same in a and b; meta in
 * any order when any_order (it follows the order of the fields).
 */
static void
fr_same_inst(const struct rec_inst *a, const struct rec_inst *b,
    bool any_order)
{
	bool checked = a->check != REC_CHECK_NONE;

	if (strcmp(a->service, b->service) != 0
	    || strcmp(a->node, b->node) != 0 || strcmp(a->dc, b->dc) != 0
	    || a->ntags != b->ntags
	    || !fr_same_list(a->tags, b->tags, a->ntags)
	    || a->nmeta != b->nmeta || !(any_order ? fr_same_bag(a->meta,
	    b->meta, a->nmeta) : fr_same_list(a->meta, b->meta, a->nmeta))
	    || memcmp(&a->addr, &b->addr, sizeof(a->addr)) != 0
	    || a->port != b->port || a->priority != b->priority
	    || a->weight != b->weight || a->weight_warning != b->weight_warning
	    || a->ttl != b->ttl || a->check != b->check
	    || (a->check_path == NULL) != (b->check_path == NULL)
	    || (a->check_path && strcmp(a->check_path, b->check_path) != 0)
	    || (a->check == REC_CHECK_TTL && a->check_ttl != b->check_ttl)
	    || (checked && (a->interval != b->interval
	    || a->timeout != b->timeout || a->rise != b->rise
	    || a->fall != b->fall
	    || a->deregister_after != b->deregister_after))
	    || a->status != b->status || a->maint != b->maint
	    || a->since != b->since)
		fr_fail("an instance changed through format and parse", NULL);
}

/* kv lists with the same fields (names and values), in any order. */
static void
fr_same_fields(const struct rec_kv *a, size_t na, const struct rec_kv *b,
    size_t nb)
{
	size_t i, j;

	if (na != nb)
		fr_fail("format gave a different number of fields", NULL);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (a[i].klen == b[j].klen && a[i].vlen == b[j].vlen
			    && memcmp(a[i].k, b[j].k, a[i].klen) == 0
			    && memcmp(a[i].v, b[j].v, a[i].vlen) == 0)
				break;
		if (j == nb)
			fr_fail("format is not a fixed point", NULL);
	}
}

static void
fr_reverse(struct rec_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		struct rec_kv t = kv[i];

		kv[i] = kv[n - 1 - i];
		kv[n - 1 - i] = t;
	}
}

/* A refused record: a reason, and nothing left to free. */
static void
fr_refused_inst(const struct rec_inst *r, const char *why)
{
	if (why[0] == '\0')
		fr_fail("an instance refused without a reason", NULL);
	if (r->blob != NULL || r->service != NULL || r->check_path != NULL)
		fr_fail("a refused instance holds memory", why);
}

static void
fr_inst(const struct rec_kv *kv, size_t n)
{
	struct rec_kv *f1, *f2;
	struct rec_inst r, again, third;
	char why[256], *b1, *b2;
	size_t n1, n2;

	why[0] = '\0';
	if (rec_inst_parse(&r, kv, n, why, sizeof(why)) < 0) {
		fr_refused_inst(&r, why);
		return;
	}
	fr_check_inst(&r);
	f1 = malloc(2 * REC_MAXFIELDS * sizeof(*f1));
	b1 = malloc(2 * REC_FMTBUF);
	if (f1 == NULL || b1 == NULL)
		abort();
	f2 = f1 + REC_MAXFIELDS;
	b2 = b1 + REC_FMTBUF;
	n1 = rec_inst_format(&r, f1, b1, REC_FMTBUF);
	if (n1 > REC_MAXFIELDS)
		fr_fail("format wrote more than REC_MAXFIELDS", NULL);
	if (rec_inst_parse(&again, f1, n1, why, sizeof(why)) < 0)
		fr_fail("a formatted instance does not parse", why);
	fr_check_inst(&again);
	fr_same_inst(&r, &again, false);
	n2 = rec_inst_format(&again, f2, b2, REC_FMTBUF);
	fr_same_fields(f1, n1, f2, n2);
	/* formatted fields are distinct: their order must not matter */
	fr_reverse(f1, n1);
	if (rec_inst_parse(&third, f1, n1, why, sizeof(why)) < 0)
		fr_fail("reversed formatted fields do not parse", why);
	fr_same_inst(&again, &third, true);
	rec_inst_clear(&third);
	rec_inst_clear(&again);
	rec_inst_clear(&r);
	if (r.blob != NULL || r.service != NULL)
		fr_fail("rec_inst_clear left pointers", NULL);
	free(f1);
	free(b1);
}

static void
fr_node(const char *name, size_t namelen, const struct rec_kv *kv, size_t n)
{
	struct rec_kv f[REC_MAXFIELDS];
	struct rec_node r, again;
	char why[256], *buf;
	size_t nf;

	why[0] = '\0';
	if (rec_node_parse(&r, name, namelen, kv, n, why, sizeof(why)) < 0) {
		if (why[0] == '\0')
			fr_fail("a node refused without a reason", NULL);
		if (r.meta != NULL)
			fr_fail("a refused node holds memory", why);
		return;
	}
	fr_check_node(&r);
	if ((buf = malloc(REC_FMTBUF)) == NULL)
		abort();
	nf = rec_node_format(&r, f, buf, REC_FMTBUF);
	if (rec_node_parse(&again, r.name, strlen(r.name), f, nf, why,
	    sizeof(why)) < 0)
		fr_fail("a formatted node does not parse", why);
	if (strcmp(r.name, again.name) != 0 || strcmp(r.dc, again.dc) != 0
	    || memcmp(&r.addr, &again.addr, sizeof(r.addr)) != 0
	    || r.nmeta != again.nmeta
	    || !fr_same_list(r.meta, again.meta, r.nmeta))
		fr_fail("a node changed through format and parse", r.name);
	rec_node_clear(&again);
	rec_node_clear(&r);
	free(buf);
}

/* rec_label_ok against fr_ldh; rec_addr_parse against inet_ntop. */
static void
fr_value(const char *v, size_t len)
{
	struct rec_addr a, b;
	char text[INET6_ADDRSTRLEN];

	if (rec_label_ok(v, len) != fr_ldh(v, len))
		fr_fail("rec_label_ok disagrees with RFC 1035", NULL);
	if (rec_addr_parse(&a, v, len) < 0)
		return;
	fr_check_addr(&a);
	if (inet_ntop(a.family == 4 ? AF_INET : AF_INET6, a.a, text,
	    sizeof(text)) == NULL)
		fr_fail("inet_ntop of a parsed address", NULL);
	if (rec_addr_parse(&b, text, strlen(text)) < 0
	    || memcmp(&a, &b, sizeof(a)) != 0)
		fr_fail("an address does not read back", text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	struct rec_kv *kv;
	size_t n = 0, i;

	if ((kv = malloc(FR_MAXKV * sizeof(*kv))) == NULL)
		return 0;
	while (s < end && n < FR_MAXKV) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		const char *eq = memchr(s, '=', (size_t)(eol - s));

		kv[n].k = s;
		kv[n].klen = (size_t)((eq ? eq : eol) - s);
		kv[n].v = eq ? eq + 1 : eol;
		kv[n].vlen = (size_t)(eol - kv[n].v);
		n++;
		s = nl ? nl + 1 : end;
	}
	fr_inst(kv, n);
	if (n > 0)
		fr_node(kv[0].v, kv[0].vlen, kv + 1, n - 1);
	for (i = 0; i < n; i++)
		fr_value(kv[i].v, kv[i].vlen);
	free(kv);
	return 0;
}
