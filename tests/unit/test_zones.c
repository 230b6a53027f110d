/*
 * test_zones.c -- unit tests for zones.c: master files in, RRsets out.
 *
 * Most tests load a zone from a string with zones_load_string(); the
 * $INCLUDE tests write real files into a mkdtemp() directory and use
 * zones_load().  Every error test checks that the message names the file
 * and, where the error has one, the line of the offending record (as NSD
 * and Knot report).  Loaded zones are freed by the suites' fini, so a
 * failing test leaks nothing under ASan.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "zones.h"

#define SOA_LINE	"@ 3600 IN SOA ns1 hostmaster 2024010101 7200 900 " \
			"1209600 300\n"

static char err[1024];

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
	    | (uint32_t)p[2] << 8 | p[3];
}

/* Zones loaded by a test, freed by the suite's fini even on failure. */
static struct zones_zone *kept[16];
static size_t nkept;

static struct zones_zone *
keep(struct zones_zone *z)
{
	cr_assert_lt(nkept, 16);
	kept[nkept++] = z;
	return z;
}

static void
free_kept(void)
{
	while (nkept > 0)
		zones_free(kept[--nkept]);
}

static struct zones_zone *
load(const char *text, const char *origin)
{
	err[0] = '\0';
	return keep(zones_load_string("t.zone", text, strlen(text), origin,
	    err, sizeof(err)));
}

/* Load text that must fail; returns the message. */
static const char *
load_fails(const char *text, const char *origin)
{
	struct zones_zone *z = load(text, origin);

	cr_assert_null(z, "loaded, expected an error");
	cr_assert_neq(err[0], '\0', "no error message");
	return err;
}

/* The nth (from 0) record of type at owner (text), or NULL. */
static const struct zones_rr *
find(const struct zones_zone *z, const char *owner, uint16_t type,
    size_t nth)
{
	uint8_t name[DNAME_MAXLEN];
	const char *why;
	int len = dname_from_str(name, owner, &why);
	size_t i;

	cr_assert_gt(len, 0, "bad test name %s", owner);
	dname_copy_lower(name, name, (size_t)len);
	for (i = 0; i < z->nrrs; i++) {
		const struct zones_rr *x = &z->rrs[i];

		if (x->type == type && x->owner_len == len
		    && memcmp(x->owner, name, (size_t)len) == 0 && nth-- == 0)
			return x;
	}
	return NULL;
}

static size_t
count(const struct zones_zone *z, const char *owner, uint16_t type)
{
	size_t n = 0;

	while (find(z, owner, type, n) != NULL)
		n++;
	return n;
}

TestSuite(zones, .fini = free_kept);

#define assert_err_has(msg, want) \
	cr_assert_not_null(strstr((msg), (want)), \
	    "error \"%s\" lacks \"%s\"", (msg), (want))

/* ---- reading ---- */

Test(zones, origin_ttl_relative_names_and_at)
{
	struct zones_zone *z = load(
	    "$ORIGIN example.com.\n"
	    "$TTL 300\n"
	    "@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n"
	    "www 600 IN A 192.0.2.2\n"
	    "ns1.example.com. A 192.0.2.1\n", NULL);
	static const uint8_t origin[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	    3, 'c', 'o', 'm', 0 };
	const struct zones_rr *soa, *www, *ns1;

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(z->origin_len, sizeof(origin));
	cr_assert_arr_eq(z->origin, origin, sizeof(origin));
	cr_assert_eq(z->nrrs, 3);
	soa = find(z, "example.com", 6, 0);
	www = find(z, "www.example.com", 1, 0);
	ns1 = find(z, "ns1.example.com", 1, 0);
	cr_assert_not_null(soa);
	cr_assert_not_null(www);
	cr_assert_not_null(ns1);
	cr_assert_eq(&z->rrs[z->soa], soa);
	cr_assert_eq(soa->ttl, 300, "$TTL applies to an entry without TTL");
	cr_assert_eq(www->ttl, 600);
	cr_assert_eq(ns1->ttl, 300);
	cr_assert_eq(www->rdlen, 4);
	cr_assert_eq(www->rdata[3], 2);
	cr_assert_eq(www->line, 4);
	cr_assert_str_eq(www->file, "t.zone");
	/* SOA MNAME "ns1" was relative: ns1.example.com. */
	cr_assert_eq(soa->rdata[0], 3);
	cr_assert_eq(memcmp(soa->rdata + 4, origin, sizeof(origin)), 0);
}

Test(zones, origin_from_argument_and_soa_owner)
{
	struct zones_zone *z = load("example.net. 60 IN SOA ns1.example.net. "
	    "h.example.net. 1 2 3 4 5\n", NULL);

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(z->origin_len, 13, "origin taken from the SOA owner");
	z = load(SOA_LINE "www A 192.0.2.1\n", "Example.ORG");
	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(z->origin[1], 'e', "origin is stored lowercase");
	cr_assert_not_null(find(z, "www.example.org", 1, 0));
}

Test(zones, relative_origin_directive)
{
	struct zones_zone *z = load(
	    "$ORIGIN example.com.\n"
	    SOA_LINE
	    "$ORIGIN sub\n"
	    "www A 192.0.2.1\n"
	    "$ORIGIN other.example.com.\n"
	    "www A 192.0.2.2\n", NULL);

	cr_assert_not_null(z, "%s", err);
	cr_assert_not_null(find(z, "www.sub.example.com", 1, 0));
	cr_assert_not_null(find(z, "www.other.example.com", 1, 0));
}

Test(zones, owner_case_kept_as_written)
{
	struct zones_zone *z = load(SOA_LINE "WwW A 192.0.2.1\n",
	    "example.com");
	const struct zones_rr *x;

	cr_assert_not_null(z, "%s", err);
	x = find(z, "www.example.com", 1, 0);
	cr_assert_not_null(x);
	cr_assert_eq(x->owner[1], 'w');
	cr_assert_eq(x->owner_orig[1], 'W');
	cr_assert_eq(x->owner_orig[2], 'w');
}

Test(zones, blank_owner_continues_previous)
{
	struct zones_zone *z = load(SOA_LINE
	    "  IN NS ns1\n"
	    "\tIN NS ns2\n"
	    "www A 192.0.2.1\n"
	    "    A 192.0.2.2\n"
	    "ns1 A 192.0.2.53\n"
	    "ns2 A 192.0.2.54\n", "example.com");

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(count(z, "example.com", 2), 2);
	cr_assert_eq(count(z, "www.example.com", 1), 2);
}

Test(zones, ttl_without_dollar_ttl_is_last_explicit)
{
	/* RFC 1035 5.1: an omitted TTL is the last one stated */
	struct zones_zone *z = load(SOA_LINE
	    "a 120 A 192.0.2.1\n"
	    "b A 192.0.2.2\n", "example.com");

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(find(z, "b.example.com", 1, 0)->ttl, 120);
}

Test(zones, class_before_ttl)
{
	/* RFC 1035 5.1: [<TTL>] [<class>] or [<class>] [<TTL>] */
	struct zones_zone *z = load(SOA_LINE
	    "a IN 120 A 192.0.2.1\n"
	    "b 60 IN A 192.0.2.2\n"
	    "  IN 30 A 192.0.2.3\n", "example.com");

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(find(z, "a.example.com", 1, 0)->ttl, 120);
	cr_assert_eq(find(z, "b.example.com", 1, 0)->ttl, 30,
	    "one RRset, lowest TTL");
	cr_assert_eq(count(z, "b.example.com", 1), 2);
}

Test(zones, parentheses_across_lines)
{
	struct zones_zone *z = load(
	    "$ORIGIN example.com.\n"
	    "@ 3600 IN SOA ns1 hostmaster (\n"
	    "        2024010101 ; serial\n"
	    "        7200       ; refresh\n"
	    "        900        ; retry\n"
	    "        1209600    ; expire\n"
	    "        300 )      ; minimum\n"
	    "www A 192.0.2.1\n", NULL);
	const struct zones_rr *soa, *www;

	cr_assert_not_null(z, "%s", err);
	soa = find(z, "example.com", 6, 0);
	cr_assert_not_null(soa);
	cr_assert_eq(soa->line, 2, "an entry's line is where it starts");
	cr_assert_eq(get32(soa->rdata + soa->rdlen - 20), 2024010101);
	cr_assert_eq(get32(soa->rdata + soa->rdlen - 4), 300);
	www = find(z, "www.example.com", 1, 0);
	cr_assert_not_null(www);
	cr_assert_eq(www->line, 8, "lines inside ( ) are counted");
}

Test(zones, line_numbers_after_blank_and_comment_lines)
{
	struct zones_zone *z = load(
	    "; a comment\n"
	    "\n"
	    "$ORIGIN example.com.\n"
	    "   \n"
	    SOA_LINE
	    "; (not a parenthesis\n"
	    "www A 192.0.2.1 ; ) nor this\n", NULL);

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(find(z, "example.com", 6, 0)->line, 5);
	cr_assert_eq(find(z, "www.example.com", 1, 0)->line, 7);
}

Test(zones, semicolon_and_parens_inside_quotes)
{
	struct zones_zone *z = load(SOA_LINE
	    "t TXT \"a;b\" \"(c)\" ; a real comment\n", "example.com");
	const struct zones_rr *t;
	static const uint8_t want[] = { 3, 'a', ';', 'b', 3, '(', 'c', ')' };

	cr_assert_not_null(z, "%s", err);
	t = find(z, "t.example.com", 16, 0);
	cr_assert_not_null(t);
	cr_assert_eq(t->rdlen, sizeof(want));
	cr_assert_arr_eq(t->rdata, want, sizeof(want));
}

Test(zones, escaped_quote_inside_quotes)
{
	struct zones_zone *z = load(SOA_LINE
	    "t TXT \"say \\\"hi\\\"; ok\"\n", "example.com");
	const struct zones_rr *t;

	cr_assert_not_null(z, "%s", err);
	t = find(z, "t.example.com", 16, 0);
	cr_assert_not_null(t);
	cr_assert_eq(t->rdata[0], 12, "say \"hi\"; ok: %u", t->rdata[0]);
	cr_assert_eq(t->rdata[5], '"');
	cr_assert_eq(t->rdata[9], ';');
}

Test(zones, rfc3597_unknown_type)
{
	struct zones_zone *z = load(SOA_LINE
	    "x TYPE65280 \\# 2 abcd\n"
	    "y TYPE65281 \\# 0\n", "example.com");
	const struct zones_rr *x, *y;

	cr_assert_not_null(z, "%s", err);
	x = find(z, "x.example.com", 65280, 0);
	cr_assert_not_null(x);
	cr_assert_eq(x->rdlen, 2);
	cr_assert_eq(x->rdata[0], 0xab);
	cr_assert_eq(x->rdata[1], 0xcd);
	y = find(z, "y.example.com", 65281, 0);
	cr_assert_not_null(y);
	cr_assert_eq(y->rdlen, 0);
}

Test(zones, duplicates_removed)
{
	struct zones_zone *z = load(SOA_LINE
	    "www A 192.0.2.1\n"
	    "www A 192.0.2.2\n"
	    "WWW.example.com. A 192.0.2.1\n", "example.com");

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(count(z, "www.example.com", 1), 2);
	cr_assert_eq(z->nrrs, 3);
}

Test(zones, rrset_ttl_unified_to_lowest)
{
	/* RFC 2181 5.2: one TTL per RRset, the lowest of the records (as
	   zones.c says); the lowest is here neither the first line nor the
	   first RDATA, so neither of those orders can pass by accident */
	struct zones_zone *z = load(SOA_LINE
	    "www 200 A 192.0.2.9\n"
	    "www 100 A 192.0.2.5\n"
	    "www 300 A 192.0.2.1\n"
	    "ftp 50 A 192.0.2.1\n", "example.com");

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(count(z, "www.example.com", 1), 3);
	cr_assert_eq(find(z, "www.example.com", 1, 0)->ttl, 100);
	cr_assert_eq(find(z, "www.example.com", 1, 1)->ttl, 100);
	cr_assert_eq(find(z, "www.example.com", 1, 2)->ttl, 100);
	cr_assert_eq(find(z, "ftp.example.com", 1, 0)->ttl, 50,
	    "other RRsets keep their own TTL");
	cr_assert_eq(find(z, "example.com", 6, 0)->ttl, 3600);
}

Test(zones, canonical_order)
{
	struct zones_zone *z = load(SOA_LINE
	    "z A 192.0.2.1\n"
	    "a.b TXT x\n"
	    "b MX 10 z\n"
	    "b A 192.0.2.2\n"
	    "*.b A 192.0.2.3\n", "example.com");
	size_t i;

	cr_assert_not_null(z, "%s", err);
	for (i = 1; i < z->nrrs; i++) {
		int c = zones_name_cmp(z->rrs[i - 1].owner, z->rrs[i].owner);

		cr_assert(c < 0 || (c == 0 && z->rrs[i - 1].type
		    <= z->rrs[i].type), "record %zu out of order", i);
	}
	cr_assert_eq(z->rrs[0].type, 6, "the apex sorts first");
}

Test(zones, name_cmp_rfc4034)
{
	/* RFC 4034 6.1 example order */
	static const char *order[] = { "example", "a.example",
	    "yljkjljk.a.example", "Z.a.example", "zABC.a.EXAMPLE",
	    "z.example", "\\001.z.example", "*.z.example", "\\200.z.example" };
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN];
	const char *why;
	size_t i;

	for (i = 1; i < sizeof(order) / sizeof(order[0]); i++) {
		int la = dname_from_str(a, order[i - 1], &why);
		int lb = dname_from_str(b, order[i], &why);

		dname_copy_lower(a, a, (size_t)la);
		dname_copy_lower(b, b, (size_t)lb);
		cr_assert_lt(zones_name_cmp(a, b), 0, "%s < %s",
		    order[i - 1], order[i]);
		cr_assert_gt(zones_name_cmp(b, a), 0, "%s > %s", order[i],
		    order[i - 1]);
		cr_assert_eq(zones_name_cmp(a, a), 0);
	}
}

/* ---- errors: file and line ---- */

Test(zones, error_no_soa)
{
	const char *e = load_fails("www A 192.0.2.1\n", "example.com");

	assert_err_has(e, "t.zone");
	assert_err_has(e, "SOA");
}

Test(zones, error_no_origin_no_soa)
{
	const char *e = load_fails("www.example.com. A 192.0.2.1\n", NULL);

	assert_err_has(e, "t.zone");
}

Test(zones, error_relative_owner_without_origin)
{
	const char *e = load_fails("\nwww A 192.0.2.1\n", NULL);

	assert_err_has(e, "t.zone:2:");
}

Test(zones, error_two_soa)
{
	/* the second SOA (line 3) is the one in error, whatever its serial */
	const char *e = load_fails(SOA_LINE
	    "\n"
	    "@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n",
	    "example.com");

	assert_err_has(e, "t.zone:3:");
	assert_err_has(e, "SOA");
}

Test(zones, error_soa_not_at_origin)
{
	const char *e = load_fails(SOA_LINE
	    "sub 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n",
	    "example.com");

	assert_err_has(e, "t.zone:2:");
	assert_err_has(e, "SOA");
}

Test(zones, error_record_outside_origin)
{
	const char *e = load_fails(SOA_LINE
	    "www A 192.0.2.1\n"
	    "www.example.org. A 192.0.2.2\n", "example.com");

	assert_err_has(e, "t.zone:3:");
	assert_err_has(e, "www.example.org.");
}

Test(zones, error_record_above_origin)
{
	const char *e = load_fails(SOA_LINE "com. A 192.0.2.2\n",
	    "example.com");

	assert_err_has(e, "t.zone:2:");
}

Test(zones, error_suffix_not_on_label_boundary)
{
	const char *e = load_fails(SOA_LINE
	    "www.xexample.com. A 192.0.2.2\n", "example.com");

	assert_err_has(e, "t.zone:2:");
}

Test(zones, error_cname_after_other_data)
{
	const char *e = load_fails(SOA_LINE
	    "www A 192.0.2.1\n"
	    "x A 192.0.2.2\n"
	    "www CNAME x\n", "example.com");

	assert_err_has(e, "t.zone:4:");
	assert_err_has(e, "CNAME");
}

Test(zones, error_other_data_after_cname)
{
	const char *e = load_fails(SOA_LINE
	    "www CNAME x\n"
	    "x A 192.0.2.2\n"
	    "www A 192.0.2.1\n", "example.com");

	assert_err_has(e, "t.zone:4:");
}

Test(zones, error_cname_at_apex)
{
	const char *e = load_fails(SOA_LINE "@ CNAME x\n", "example.com");

	assert_err_has(e, "t.zone:2:");
}

Test(zones, error_two_cnames)
{
	/* the later line is the one in error, whatever the targets' order */
	const char *e = load_fails(SOA_LINE
	    "www CNAME b\n"
	    "www CNAME a\n", "example.com");

	assert_err_has(e, "t.zone:3:");
	assert_err_has(e, "CNAME");
}

Test(zones, same_cname_twice_is_a_duplicate)
{
	struct zones_zone *z = load(SOA_LINE
	    "www CNAME a\n"
	    "www CNAME a\n", "example.com");

	cr_assert_not_null(z, "%s", err);
	cr_assert_eq(count(z, "www.example.com", 5), 1);
}

Test(zones, error_syntax_names_line)
{
	const char *e = load_fails(
	    "$ORIGIN example.com.\n"
	    "@ 3600 IN SOA ns1 hostmaster (\n"
	    "  1 2 3 4 5 )\n"
	    "www A 192.0.2.1\n"
	    "bad A not-an-address\n", NULL);

	assert_err_has(e, "t.zone:5:");
}

Test(zones, error_unknown_type)
{
	const char *e = load_fails(SOA_LINE "www BOGUSTYPE 1\n",
	    "example.com");

	assert_err_has(e, "t.zone:2:");
}

Test(zones, error_unbalanced_open_paren)
{
	const char *e = load_fails(SOA_LINE
	    "www TXT ( \"a\"\n"
	    "  \"b\"\n", "example.com");

	assert_err_has(e, "t.zone:2:");
	assert_err_has(e, "parenthes");
}

Test(zones, error_close_paren_without_open)
{
	const char *e = load_fails(SOA_LINE "www TXT \"a\" )\n",
	    "example.com");

	assert_err_has(e, "t.zone:2:");
}

Test(zones, error_unterminated_quote)
{
	const char *e = load_fails(SOA_LINE
	    "\n"
	    "www TXT \"abc\n"
	    "x A 192.0.2.1\n", "example.com");

	assert_err_has(e, "t.zone:3:");
	assert_err_has(e, "quote");
}

Test(zones, error_unknown_directive)
{
	const char *e = load_fails(SOA_LINE "$GENERATE 1-2 a$ A 192.0.2.$\n",
	    "example.com");

	assert_err_has(e, "t.zone:2:");
	assert_err_has(e, "$GENERATE");
}

Test(zones, error_directive_without_argument)
{
	const char *e = load_fails("$ORIGIN\n" SOA_LINE, "example.com");

	assert_err_has(e, "t.zone:1:");
}

Test(zones, error_bad_ttl_directive)
{
	const char *e = load_fails("$TTL abc\n" SOA_LINE, "example.com");

	assert_err_has(e, "t.zone:1:");
}

Test(zones, error_class_ch)
{
	const char *e = load_fails(SOA_LINE "www CH A 192.0.2.1\n",
	    "example.com");

	assert_err_has(e, "t.zone:2:");
	assert_err_has(e, "class 3 ");
}

Test(zones, error_nul_byte)
{
	static const char text[] = SOA_LINE "www A 192.0.2.1\0\n";
	struct zones_zone *z;

	err[0] = '\0';
	z = keep(zones_load_string("t.zone", text, sizeof(text) - 1,
	    "example.com", err, sizeof(err)));
	cr_assert_null(z);
	assert_err_has(err, "t.zone:2:");
}

Test(zones, error_name_over_255_bytes)
{
	/* 4 labels of 63 + a relative owner that pushes it past 255 */
	char text[1024];
	const char *l63 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *e;

	snprintf(text, sizeof(text), "$ORIGIN %s.%s.%s.\n" SOA_LINE
	    "%s.x A 192.0.2.1\n", l63, l63, l63, l63);
	e = load_fails(text, NULL);
	assert_err_has(e, "t.zone:3:");
	assert_err_has(e, "255");
	snprintf(text, sizeof(text), "$ORIGIN %s.%s.%s.\n" SOA_LINE
	    "@ NS %s.x\n", l63, l63, l63, l63);
	e = load_fails(text, NULL);
	assert_err_has(e, "t.zone:3:");
	snprintf(text, sizeof(text), "$ORIGIN %s.%s.%s.\n" SOA_LINE
	    "$ORIGIN %s.x\n", l63, l63, l63, l63);
	e = load_fails(text, NULL);
	assert_err_has(e, "t.zone:3:");
	assert_err_has(e, "255");
}

Test(zones, error_bad_origin_argument)
{
	const char *e = load_fails(SOA_LINE, "a..b");

	assert_err_has(e, "t.zone");
}

/* ---- $INCLUDE, with real files ---- */

static char dir[64];

static void
mkdir_tmp(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/muster-zones-XXXXXX",
	    t != NULL && strlen(t) < 32 ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
}

static void
rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free_kept();
	if (dir[0] != '\0' && system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

/* Write dir/name with a unique mkstemp() name; returns the base name. */
static char *
put_file(const char *stem, const char *text)
{
	static char names[8][128];
	static int n;
	char *path = names[n++ % 8];
	int fd;
	size_t len = strlen(text);

	snprintf(path, 128, "%s/%s-XXXXXX", dir, stem);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return strrchr(path, '/') + 1;
}

static char *
path_of(const char *base)
{
	static char p[8][128];
	static int n;
	char *s = p[n++ % 8];

	snprintf(s, 128, "%s/%s", dir, base);
	return s;
}

TestSuite(zones_include, .init = mkdir_tmp, .fini = rm_tmp);

Test(zones_include, relative_path_and_lines)
{
	char text[512];
	const char *inc = put_file("hosts", "\n"
	    "www A 192.0.2.1\n"
	    "ftp A 192.0.2.2\n");
	const char *main_zone;
	struct zones_zone *z;
	const struct zones_rr *www, *mail;

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n" SOA_LINE
	    "$INCLUDE %s\n"
	    "mail A 192.0.2.3\n", inc);
	main_zone = put_file("main", text);
	z = keep(zones_load(path_of(main_zone), NULL, err, sizeof(err)));
	cr_assert_not_null(z, "%s", err);
	www = find(z, "www.example.com", 1, 0);
	mail = find(z, "mail.example.com", 1, 0);
	cr_assert_not_null(www);
	cr_assert_not_null(find(z, "ftp.example.com", 1, 0));
	cr_assert_not_null(mail);
	cr_assert_str_eq(www->file, path_of(inc));
	cr_assert_eq(www->line, 2, "lines count in the included file");
	cr_assert_str_eq(mail->file, path_of(main_zone));
	cr_assert_eq(mail->line, 4);
	cr_assert_eq(z->nfiles, 2);
}

Test(zones_include, soa_in_included_file)
{
	char text[512];
	const char *inc = put_file("soa", "$ORIGIN example.com.\n" SOA_LINE
	    "www A 192.0.2.1\n");
	struct zones_zone *z;

	snprintf(text, sizeof(text), "$INCLUDE %s\n", inc);
	z = keep(zones_load(path_of(put_file("main", text)), NULL, err,
	    sizeof(err)));
	cr_assert_not_null(z, "%s", err);
	cr_assert_not_null(find(z, "www.example.com", 1, 0));
	cr_assert_not_null(find(z, "example.com", 6, 0));
}

Test(zones_include, nested)
{
	char text[512];
	const char *inner = put_file("inner", "deep A 192.0.2.9\n");
	const char *middle, *main_zone;
	struct zones_zone *z;
	const struct zones_rr *deep;

	snprintf(text, sizeof(text), "mid A 192.0.2.8\n$INCLUDE %s\n",
	    inner);
	middle = put_file("middle", text);
	snprintf(text, sizeof(text), SOA_LINE "$INCLUDE %s\n", middle);
	main_zone = put_file("main", text);
	z = keep(zones_load(path_of(main_zone), "example.com", err,
	    sizeof(err)));
	cr_assert_not_null(z, "%s", err);
	deep = find(z, "deep.example.com", 1, 0);
	cr_assert_not_null(deep);
	cr_assert_str_eq(deep->file, path_of(inner));
	cr_assert_eq(deep->line, 1);
	cr_assert_not_null(find(z, "mid.example.com", 1, 0));
	cr_assert_eq(z->nfiles, 3);
}

Test(zones_include, origin_argument_is_scoped)
{
	char text[512];
	const char *inc = put_file("sub", "www A 192.0.2.1\n"
	    "@ TXT here\n");
	const char *main_zone;
	struct zones_zone *z;

	/* RFC 1035 5.1: the origin given applies to the included file
	   only; the including file goes on with its own */
	snprintf(text, sizeof(text), "$ORIGIN example.com.\n" SOA_LINE
	    "$INCLUDE %s sub.example.com.\n"
	    "after A 192.0.2.2\n", inc);
	main_zone = put_file("main", text);
	z = keep(zones_load(path_of(main_zone), NULL, err, sizeof(err)));
	cr_assert_not_null(z, "%s", err);
	cr_assert_not_null(find(z, "www.sub.example.com", 1, 0));
	cr_assert_not_null(find(z, "sub.example.com", 16, 0));
	cr_assert_not_null(find(z, "after.example.com", 1, 0));
	cr_assert_null(find(z, "after.sub.example.com", 1, 0));
}

Test(zones_include, relative_origin_argument)
{
	char text[512];
	const char *inc = put_file("sub", "www A 192.0.2.1\n");
	struct zones_zone *z;

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n" SOA_LINE
	    "$INCLUDE %s sub\n", inc);
	z = keep(zones_load(path_of(put_file("main", text)), NULL, err,
	    sizeof(err)));
	cr_assert_not_null(z, "%s", err);
	cr_assert_not_null(find(z, "www.sub.example.com", 1, 0));
}

Test(zones_include, absolute_path)
{
	char text[512];
	const char *inc = put_file("abs", "www A 192.0.2.1\n");
	struct zones_zone *z;

	snprintf(text, sizeof(text), SOA_LINE "$INCLUDE %s\n", path_of(inc));
	z = keep(zones_load(path_of(put_file("main", text)), "example.com", err,
	    sizeof(err)));
	cr_assert_not_null(z, "%s", err);
	cr_assert_not_null(find(z, "www.example.com", 1, 0));
}

Test(zones_include, missing_file_names_including_line)
{
	char text[512];
	const char *main_zone;
	struct zones_zone *z;
	char want[256];

	snprintf(text, sizeof(text), SOA_LINE "\n$INCLUDE nonexistent.inc\n");
	main_zone = put_file("main", text);
	z = keep(zones_load(path_of(main_zone), "example.com", err,
	    sizeof(err)));
	cr_assert_null(z);
	snprintf(want, sizeof(want), "%s:3:", path_of(main_zone));
	assert_err_has(err, want);
	assert_err_has(err, "nonexistent.inc");
}

Test(zones_include, error_in_included_file_names_it)
{
	char text[512];
	const char *inc = put_file("bad", "ok A 192.0.2.1\n"
	    "bad A nonsense\n");
	char want[256];
	struct zones_zone *z;

	snprintf(text, sizeof(text), SOA_LINE "$INCLUDE %s\n", inc);
	z = keep(zones_load(path_of(put_file("main", text)), "example.com", err,
	    sizeof(err)));
	cr_assert_null(z);
	snprintf(want, sizeof(want), "%s:2:", path_of(inc));
	assert_err_has(err, want);
}

Test(zones_include, include_loop_is_an_error)
{
	char text[512];
	const char *self = put_file("loop", "");
	FILE *fp;
	struct zones_zone *z;

	/* a file that includes itself must stop, not recurse forever */
	snprintf(text, sizeof(text), SOA_LINE "$INCLUDE %s\n", self);
	fp = fopen(path_of(self), "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	z = keep(zones_load(path_of(self), "example.com", err, sizeof(err)));
	cr_assert_null(z);
	assert_err_has(err, path_of(self));
}

Test(zones_include, missing_top_file)
{
	struct zones_zone *z = keep(zones_load(path_of("absent.zone"), NULL,
	    err, sizeof(err)));

	cr_assert_null(z);
	assert_err_has(err, "absent.zone");
}
