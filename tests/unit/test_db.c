/*
 * test_db.c -- unit tests for db.c and answer.c: zones in, responses out.
 *
 * Zones are loaded with zones_load_string() and compiled with db_build();
 * queries are literal wire packets (built here so the 0x20 case, the OPT
 * record and every header bit are under the test's control), answered by
 * answer_query(), and the responses decoded with ldns_wire2pkt(), which
 * fails on any bad compression pointer or count.  Records are compared as
 * ldns canonical text ("owner TTL IN TYPE RDATA"), so a failure prints
 * the section that was there.
 *
 * Behaviour checked is that of RFC 1034 4.3.2, 2308, 4592, 6604, 6672,
 * 6891, 8482, 8914, 4035 3.1.4.1/3.1.6 and 9471 as NSD and Knot
 * implement it; where they differ the test says which one it follows.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <ldns/ldns.h>

#include "answer.h"
#include "db.h"
#include "wire.h"
#include "zones.h"

#define DS_HEX	"49FD46E6C4B45C55D4AC69CBD3CD34AC" \
		"1AFE51DE3C7E2D3F7F1E3B2C5D6E7F80"

/* The main test zone.  SOA TTL 3600, minimum 300: negative TTL 300. */
static const char ZONE[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@        IN SOA ns1 hostmaster 2024010101 7200 900 1209600 300\n"
    "         IN NS ns1\n"
    "         IN NS ns2.example.net.\n"
    "         IN MX 10 mail\n"
    "ns1      IN A 192.0.2.53\n"
    "         IN AAAA 2001:db8::53\n"
    "mail     IN A 192.0.2.25\n"
    "www  300 IN A 192.0.2.1\n"
    "     300 IN A 192.0.2.2\n"
    "     300 IN AAAA 2001:db8::1\n"
    "     300 IN TXT \"hello\"\n"
    "alias    IN CNAME www\n"
    "chain1   IN CNAME chain2\n"
    "chain2   IN CNAME www\n"
    "dangling IN CNAME nowhere\n"
    "outside  IN CNAME www.example.org.\n"
    "loop1    IN CNAME loop2\n"
    "loop2    IN CNAME loop1\n"
    "self     IN CNAME self\n"
    "towild   IN CNAME foo.wild\n"
    "tosub    IN CNAME host.sub\n"
    "toent    IN CNAME c\n"
    "a.b.c    IN A 192.0.2.3\n"
    "*.wc     IN CNAME www\n"
    "*.wild   IN A 192.0.2.4\n"
    "*.wild   IN MX 10 mail\n"
    "a.ent.wild IN A 192.0.2.5\n"
    "sub      IN NS ns1.sub\n"
    "         IN NS ns.example.net.\n"
    "         IN DS 12345 8 2 " DS_HEX "\n"
    "ns1.sub  IN A 192.0.2.54\n"
    "deep.below.sub IN A 192.0.2.99\n"
    "nods     IN NS ns.example.net.\n";

/* A child of ZONE's "child" delegation, loaded beside it. */
static const char PARENT[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@        IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
    "         IN NS ns1\n"
    "ns1      IN A 192.0.2.53\n"
    "child    IN NS ns1.child\n"
    "         IN DS 12345 8 2 " DS_HEX "\n"
    "ns1.child IN A 192.0.2.153\n"
    "www.child IN A 192.0.2.111\n"
    "a.b.deep IN A 192.0.2.9\n";

static const char CHILD[] =
    "$ORIGIN child.example.com.\n"
    "$TTL 600\n"
    "@        IN SOA ns1 hostmaster 7 7200 900 1209600 120\n"
    "         IN NS ns1\n"
    "ns1      IN A 192.0.2.153\n"
    "www      IN A 192.0.2.200\n";

/* A zone two labels below PARENT, with an empty non-terminal between. */
static const char DEEP[] =
    "$ORIGIN x.b.deep.example.com.\n"
    "@        60 IN SOA ns hm 9 1 1 1 30\n"
    "         60 IN NS ns.example.net.\n"
    "www      60 IN A 192.0.2.77\n";

static struct db *db;
static struct answer_ctx ctx;
static uint8_t qbuf[512], out[65535];
static size_t qlen, outlen;
static char err[1024];
static ldns_pkt *resp;
static struct zones_zone *sweep;	/* every_name_and_type_decodes */

/* ---- building ---- */

static struct db *
build(const char *const *texts, size_t n)
{
	struct zones_zone *z[8];
	struct db *d;
	size_t i;

	cr_assert_leq(n, 8);
	for (i = 0; i < n; i++) {
		err[0] = '\0';
		z[i] = zones_load_string("t.zone", texts[i], strlen(texts[i]),
		    NULL, err, sizeof(err));
		cr_assert_not_null(z[i], "zone %zu: %s", i, err);
	}
	err[0] = '\0';
	d = db_build(z, n, err, sizeof(err));
	/* the db must not keep pointers into the zones */
	for (i = 0; i < n; i++)
		zones_free(z[i]);
	return d;
}

static void
use(const char *const *texts, size_t n)
{
	db_free(db);
	db = build(texts, n);
	cr_assert_not_null(db, "db_build: %s", err);
	ctx.db = db;
}

static void
setup(void)
{
	memset(&ctx, 0, sizeof(ctx));
	ctx.udp_max = 1232;
	db = NULL;
	resp = NULL;
	use((const char *[]){ ZONE }, 1);
}

static void
teardown(void)
{
	if (resp != NULL)
		ldns_pkt_free(resp);
	zones_free(sweep);
	db_free(db);
}

TestSuite(db, .init = setup, .fini = teardown);

/* ---- queries ---- */

struct q {
	const char	*name;
	uint16_t	 type;
	uint16_t	 qclass;	/* 0: IN */
	uint16_t	 id;
	uint16_t	 flags;		/* 0: RD only */
	uint16_t	 udp;		/* 0: no OPT */
	bool		 do_bit;
	uint8_t		 version;
	bool		 tcp;
};

/* Write the query packet for s into qbuf; returns its length. */
static size_t
make_query(const struct q *s)
{
	ldns_rdf *d = ldns_dname_new_frm_str(s->name);
	size_t o = 12, n;

	cr_assert_not_null(d, "bad test name %s", s->name);
	memset(qbuf, 0, 12);
	wire_put16(qbuf, s->id ? s->id : 0xbeef);
	wire_put16(qbuf + 2, s->flags ? s->flags : WIRE_RD);
	wire_put16(qbuf + 4, 1);
	wire_put16(qbuf + 10, s->udp ? 1 : 0);
	n = ldns_rdf_size(d);
	memcpy(qbuf + o, ldns_rdf_data(d), n);	/* case as given */
	ldns_rdf_deep_free(d);
	o += n;
	wire_put16(qbuf + o, s->type);
	wire_put16(qbuf + o + 2, s->qclass ? s->qclass : WIRE_C_IN);
	o += 4;
	if (s->udp) {
		qbuf[o] = 0;
		wire_put16(qbuf + o + 1, WIRE_T_OPT);
		wire_put16(qbuf + o + 3, s->udp);
		qbuf[o + 5] = 0;
		qbuf[o + 6] = s->version;
		wire_put16(qbuf + o + 7, s->do_bit ? 0x8000 : 0);
		wire_put16(qbuf + o + 9, 0);
		o += 11;
	}
	return o;
}

/* Answer the bytes in qbuf[0..qlen); decode into resp. */
static ldns_pkt *
answer_raw(bool tcp)
{
	ldns_status st;

	if (resp != NULL)
		ldns_pkt_free(resp);
	resp = NULL;
	outlen = answer_query(&ctx, qbuf, qlen, out, sizeof(out), tcp);
	cr_assert_gt(outlen, 0, "no answer");
	if (!tcp)
		cr_assert_leq(outlen, 512 > ctx.udp_max ? 512 : ctx.udp_max,
		    "UDP answer of %zu bytes", outlen);
	st = ldns_wire2pkt(&resp, out, outlen);
	cr_assert_eq(st, LDNS_STATUS_OK, "response does not decode: %s",
	    ldns_get_errorstr_by_id(st));
	return resp;
}

static ldns_pkt *
ask(struct q s)
{
	qlen = make_query(&s);
	return answer_raw(s.tcp);
}

#define Q(...)	ask((struct q){ __VA_ARGS__ })

/* ---- checking ---- */

/* Canonical text of one RR, without the newline. */
static void
rr_str(const ldns_rr *x, char *buf, size_t size)
{
	ldns_rr *c = ldns_rr_clone(x);
	char *s, *p;

	ldns_rr2canonical(c);
	s = ldns_rr2str(c);
	snprintf(buf, size, "%s", s != NULL ? s : "?");
	LDNS_FREE(s);
	ldns_rr_free(c);
	buf[strcspn(buf, "\n")] = '\0';
	for (p = buf; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
}

static char *
section_str(ldns_rr_list *l)
{
	static char buf[16384];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++) {
		char one[1024];

		rr_str(ldns_rr_list_rr(l, i), one, sizeof(one));
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\n  %s", one);
		if (o >= sizeof(buf))
			break;
	}
	return buf;
}

/* Is the RR given as text (e.g. "www.example.com. 300 IN A 1.2.3.4")
   in the list?  TTL included. */
static bool
has_rr(ldns_rr_list *l, const char *text)
{
	ldns_rr *want = NULL;
	char w[1024], got[1024];
	size_t i;

	cr_assert_eq(ldns_rr_new_frm_str(&want, text, 0, NULL, NULL),
	    LDNS_STATUS_OK, "bad test RR %s", text);
	rr_str(want, w, sizeof(w));
	ldns_rr_free(want);
	for (i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++) {
		rr_str(ldns_rr_list_rr(l, i), got, sizeof(got));
		if (strcmp(got, w) == 0)
			return true;
	}
	return false;
}

#define assert_an(text) cr_assert(has_rr(ldns_pkt_answer(resp), text), \
	"answer lacks %s; has:%s", text, section_str(ldns_pkt_answer(resp)))
#define assert_ns(text) cr_assert(has_rr(ldns_pkt_authority(resp), text), \
	"authority lacks %s; has:%s", text, \
	section_str(ldns_pkt_authority(resp)))
#define assert_ar(text) cr_assert(has_rr(ldns_pkt_additional(resp), text), \
	"additional lacks %s; has:%s", text, \
	section_str(ldns_pkt_additional(resp)))

static void
assert_counts(size_t an, size_t ns, size_t ar)
{
	cr_assert_eq(ldns_pkt_ancount(resp), an, "answer:%s",
	    section_str(ldns_pkt_answer(resp)));
	cr_assert_eq(ldns_pkt_nscount(resp), ns, "authority:%s",
	    section_str(ldns_pkt_authority(resp)));
	cr_assert_eq(ldns_pkt_arcount(resp), ar, "additional:%s",
	    section_str(ldns_pkt_additional(resp)));
}

static void
assert_rcode_aa(ldns_pkt_rcode rc, bool aa)
{
	cr_assert_eq(ldns_pkt_get_rcode(resp), rc, "rcode %d, expected %d",
	    ldns_pkt_get_rcode(resp), rc);
	cr_assert_eq(ldns_pkt_aa(resp), aa, "AA %d, expected %d",
	    ldns_pkt_aa(resp), aa);
	cr_assert(ldns_pkt_qr(resp));
	cr_assert_not(ldns_pkt_tc(resp), "TC set");
}

/* The negative answer: SOA of example.com. with TTL 300, nothing else. */
static void
assert_negative(ldns_pkt_rcode rc)
{
	assert_rcode_aa(rc, true);
	assert_counts(0, 1, 0);
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 2024010101 7200 900 1209600 300");
}

/* The same for the DNAME test zone (serial 1). */
static void
assert_negative_soa1(void)
{
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(0, 1, 0);
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 1 7200 900 1209600 300");
}

/* The question in out[] is byte for byte the query's. */
static void
assert_question_echoed(void)
{
	size_t n = 12;

	cr_assert_eq(wire_get16(out + 4), 1);
	while (qbuf[n] != 0)
		n += qbuf[n] + 1;
	n += 1 + 4;
	cr_assert_arr_eq(out + 12, qbuf + 12, n - 12);
}

/*
 * The OPT record of the response in out[] (walked with wire_skip_name(),
 * so an OPT anywhere in the additional section is found); fails the test
 * when there is none.  *rdlen gets its RDLENGTH.
 */
static const uint8_t *
raw_opt_rd(size_t *rdlen)
{
	size_t off = 12, i, n;

	for (i = 0; i < wire_get16(out + 4); i++) {
		cr_assert_eq(wire_skip_name(out, outlen, &off), 0);
		off += 4;
	}
	n = (size_t)wire_get16(out + 6) + wire_get16(out + 8)
	    + wire_get16(out + 10);
	for (i = 0; i < n; i++) {
		size_t owner = off;

		cr_assert_eq(wire_skip_name(out, outlen, &off), 0);
		cr_assert_leq(off + 10, outlen);
		if (wire_get16(out + off) == WIRE_T_OPT) {
			cr_assert_eq(out[owner], 0, "OPT owner is the root");
			*rdlen = wire_get16(out + off + 8);
			return out + owner;
		}
		off += 10 + (size_t)wire_get16(out + off + 8);
	}
	cr_assert_fail("no OPT in the response");
	return NULL;
}

/* The OPT record, which must carry no options. */
static const uint8_t *
raw_opt(void)
{
	size_t rdlen;
	const uint8_t *p = raw_opt_rd(&rdlen);

	cr_assert_eq(rdlen, 0, "OPT RDLENGTH %zu", rdlen);
	return p;
}

/* ---- exact answers ---- */

Test(db, exact_a_rrset)
{
	Q(.name = "www.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(2, 0, 0);
	assert_an("www.example.com. 300 IN A 192.0.2.1");
	assert_an("www.example.com. 300 IN A 192.0.2.2");
	cr_assert(ldns_pkt_rd(resp), "RD copied");
	cr_assert_not(ldns_pkt_ra(resp), "RA set by an authoritative server");
	cr_assert_eq(ldns_pkt_id(resp), 0xbeef);
}

Test(db, exact_other_types)
{
	Q(.name = "www.example.com.", .type = WIRE_T_AAAA);
	assert_counts(1, 0, 0);
	assert_an("www.example.com. 300 IN AAAA 2001:db8::1");
	Q(.name = "www.example.com.", .type = WIRE_T_TXT);
	assert_counts(1, 0, 0);
	assert_an("www.example.com. 300 IN TXT \"hello\"");
	Q(.name = "example.com.", .type = WIRE_T_SOA);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("example.com. 3600 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 2024010101 7200 900 1209600 300");
}

Test(db, apex_ns_with_additional)
{
	Q(.name = "example.com.", .type = WIRE_T_NS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(2, 0, 2);
	assert_an("example.com. 3600 IN NS ns1.example.com.");
	assert_an("example.com. 3600 IN NS ns2.example.net.");
	assert_ar("ns1.example.com. 3600 IN A 192.0.2.53");
	assert_ar("ns1.example.com. 3600 IN AAAA 2001:db8::53");
}

Test(db, mx_with_additional)
{
	Q(.name = "example.com.", .type = WIRE_T_MX);
	assert_counts(1, 0, 1);
	assert_an("example.com. 3600 IN MX 10 mail.example.com.");
	assert_ar("mail.example.com. 3600 IN A 192.0.2.25");
}

Test(db, class_any_answered)
{
	Q(.name = "www.example.com.", .type = WIRE_T_A,
	    .qclass = WIRE_C_ANY);
	assert_counts(2, 0, 0);
}

Test(db, any_query)
{
	/* RFC 8482 4.1: one RRset, the lowest type (as Knot, db.c) */
	Q(.name = "www.example.com.", .type = WIRE_T_ANY);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(2, 0, 0);
	assert_an("www.example.com. 300 IN A 192.0.2.1");
	assert_an("www.example.com. 300 IN A 192.0.2.2");
	Q(.name = "www.example.com.", .type = WIRE_T_ANY, .tcp = true);
	assert_counts(2, 0, 0);
}

Test(db, any_at_apex)
{
	/* SOA (6), NS (2), MX (15): the NS RRset */
	Q(.name = "example.com.", .type = WIRE_T_ANY);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	cr_assert_eq(ldns_pkt_ancount(resp), 2, "the NS RRset:%s",
	    section_str(ldns_pkt_answer(resp)));
	assert_an("example.com. 3600 IN NS ns1.example.com.");
	assert_an("example.com. 3600 IN NS ns2.example.net.");
}

Test(db, any_single_type)
{
	Q(.name = "mail.example.com.", .type = WIRE_T_ANY);
	assert_counts(1, 0, 0);
	assert_an("mail.example.com. 3600 IN A 192.0.2.25");
}

Test(db, question_echoed_byte_for_byte)
{
	Q(.name = "wWw.ExAmPlE.CoM.", .type = WIRE_T_A, .id = 0x1234);
	assert_question_echoed();
	cr_assert_eq(ldns_pkt_id(resp), 0x1234);
	assert_counts(2, 0, 0);
}

Test(db, question_case_kept_in_wildcard_and_negative)
{
	Q(.name = "FoO.WiLd.example.COM.", .type = WIRE_T_MX);
	assert_question_echoed();
	assert_counts(1, 0, 1);
	Q(.name = "NoThErE.eXample.com.", .type = WIRE_T_A);
	assert_question_echoed();
	assert_negative(LDNS_RCODE_NXDOMAIN);
}

/* ---- negative answers ---- */

Test(db, nodata_with_soa_ttl_min)
{
	/* RFC 2308 5: the SOA's TTL is min(SOA TTL, MINIMUM) = 300 */
	Q(.name = "www.example.com.", .type = WIRE_T_MX);
	assert_negative(LDNS_RCODE_NOERROR);
}

Test(db, nxdomain_with_soa)
{
	Q(.name = "nothere.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NXDOMAIN);
	Q(.name = "a.b.nothere.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NXDOMAIN);
	Q(.name = "x.www.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NXDOMAIN);
}

Test(db, nxdomain_for_many_qname_lengths)
{
	/* the negative template is relocated by the qname's length */
	static const char *names[] = { "n.example.com.",
	    "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.example.com.",
	    "this-is-a-rather-long-label-for-a-test-of-relocation-xxxxxxxxx."
	    "and-another-label-of-some-length.example.com." };
	size_t i;

	for (i = 0; i < 3; i++) {
		Q(.name = names[i], .type = WIRE_T_A);
		assert_negative(LDNS_RCODE_NXDOMAIN);
		Q(.name = names[i], .type = WIRE_T_AAAA, .udp = 1232);
		assert_negative(LDNS_RCODE_NXDOMAIN);
	}
}

Test(db, soa_ttl_below_minimum_is_kept)
{
	static const char z[] =
	    "$ORIGIN example.net.\n"
	    "@ 60 IN SOA ns hm 1 2 3 4 300\n"
	    "  60 IN NS ns\n"
	    "ns 60 IN A 192.0.2.1\n";

	use((const char *[]){ z }, 1);
	Q(.name = "nx.example.net.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NXDOMAIN, true);
	assert_ns("example.net. 60 IN SOA ns.example.net. hm.example.net. "
	    "1 2 3 4 300");
}

Test(db, empty_non_terminal_is_nodata)
{
	/* RFC 8020: b.c and c exist (a.b.c does); never NXDOMAIN */
	Q(.name = "b.c.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NOERROR);
	Q(.name = "c.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NOERROR);
	Q(.name = "c.example.com.", .type = WIRE_T_ANY);
	assert_negative(LDNS_RCODE_NOERROR);
	Q(.name = "a.b.c.example.com.", .type = WIRE_T_A);
	assert_counts(1, 0, 0);
	Q(.name = "x.b.c.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NXDOMAIN);
}

/* ---- CNAME ---- */

Test(db, cname_followed)
{
	Q(.name = "alias.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(3, 0, 0);
	assert_an("alias.example.com. 3600 IN CNAME www.example.com.");
	assert_an("www.example.com. 300 IN A 192.0.2.1");
	assert_an("www.example.com. 300 IN A 192.0.2.2");
}

Test(db, cname_chain)
{
	Q(.name = "chain1.example.com.", .type = WIRE_T_TXT);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(3, 0, 0);
	assert_an("chain1.example.com. 3600 IN CNAME chain2.example.com.");
	assert_an("chain2.example.com. 3600 IN CNAME www.example.com.");
	assert_an("www.example.com. 300 IN TXT \"hello\"");
}

Test(db, cname_chain_to_missing_type_is_nodata)
{
	Q(.name = "chain1.example.com.", .type = WIRE_T_MX);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(2, 1, 0);
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 2024010101 7200 900 1209600 300");
}

Test(db, cname_query_for_cname_and_any)
{
	Q(.name = "chain1.example.com.", .type = WIRE_T_CNAME);
	assert_counts(1, 0, 0);
	assert_an("chain1.example.com. 3600 IN CNAME chain2.example.com.");
	Q(.name = "chain1.example.com.", .type = WIRE_T_ANY);
	assert_counts(1, 0, 0);
}

Test(db, cname_to_nxdomain_rfc6604)
{
	/* RFC 6604 2.1: the RCODE is that of the last name in the chain */
	Q(.name = "dangling.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NXDOMAIN, true);
	assert_counts(1, 1, 0);
	assert_an("dangling.example.com. 3600 IN CNAME nowhere.example.com.");
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 2024010101 7200 900 1209600 300");
}

Test(db, cname_out_of_zone)
{
	Q(.name = "outside.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("outside.example.com. 3600 IN CNAME www.example.org.");
}

Test(db, cname_loop_terminates)
{
	Q(.name = "loop1.example.com.", .type = WIRE_T_A);
	cr_assert_geq(ldns_pkt_ancount(resp), 2);
	cr_assert_leq(ldns_pkt_ancount(resp), 9);
	assert_an("loop1.example.com. 3600 IN CNAME loop2.example.com.");
	assert_an("loop2.example.com. 3600 IN CNAME loop1.example.com.");
	Q(.name = "self.example.com.", .type = WIRE_T_A);
	cr_assert_geq(ldns_pkt_ancount(resp), 1);
	cr_assert_leq(ldns_pkt_ancount(resp), 9);
	assert_an("self.example.com. 3600 IN CNAME self.example.com.");
}

Test(db, cname_to_wildcard_synthesised_name)
{
	/* RFC 1034 4.3.2 step 3: the chain continues at foo.wild, which
	   the wildcard *.wild answers (RFC 4592 2.2.1 "synthesis") */
	Q(.name = "towild.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_an("towild.example.com. 3600 IN CNAME foo.wild.example.com.");
	assert_an("foo.wild.example.com. 3600 IN A 192.0.2.4");
	assert_counts(2, 0, 0);
}

Test(db, cname_to_empty_non_terminal_is_nodata)
{
	Q(.name = "toent.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 1, 0);
	assert_an("toent.example.com. 3600 IN CNAME c.example.com.");
}

Test(db, wildcard_cname)
{
	static const char *names[] = { "x.wc.example.com.",
	    "Longer.Name.Under.wc.example.com." };
	size_t i;

	for (i = 0; i < 2; i++) {
		char want[256];

		Q(.name = names[i], .type = WIRE_T_A);
		assert_rcode_aa(LDNS_RCODE_NOERROR, true);
		assert_counts(3, 0, 0);
		snprintf(want, sizeof(want), "%s 3600 IN CNAME "
		    "www.example.com.", names[i]);
		assert_an(want);
		assert_an("www.example.com. 300 IN A 192.0.2.1");
		assert_an("www.example.com. 300 IN A 192.0.2.2");
	}
}

Test(db, cname_into_delegation)
{
	Q(.name = "tosub.example.com.", .type = WIRE_T_A);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOERROR);
	assert_an("tosub.example.com. 3600 IN CNAME host.sub.example.com.");
	cr_assert_eq(ldns_pkt_ancount(resp), 1);
	assert_ns("sub.example.com. 3600 IN NS ns1.sub.example.com.");
	assert_ar("ns1.sub.example.com. 3600 IN A 192.0.2.54");
}

/* ---- wildcards (RFC 4592) ---- */

Test(db, wildcard_answer_owner_is_qname)
{
	Q(.name = "foo.wild.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("foo.wild.example.com. 3600 IN A 192.0.2.4");
}

Test(db, wildcard_deep)
{
	Q(.name = "a.b.c.d.wild.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("a.b.c.d.wild.example.com. 3600 IN A 192.0.2.4");
}

Test(db, wildcard_nodata)
{
	Q(.name = "foo.wild.example.com.", .type = WIRE_T_TXT);
	assert_negative(LDNS_RCODE_NOERROR);
}

Test(db, wildcard_any)
{
	Q(.name = "bar.wild.example.com.", .type = WIRE_T_ANY);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	cr_assert_eq(ldns_pkt_ancount(resp), 1, "one RRset (RFC 8482)");
	assert_an("bar.wild.example.com. 3600 IN A 192.0.2.4");
}

Test(db, wildcard_itself)
{
	Q(.name = "*.wild.example.com.", .type = WIRE_T_A);
	assert_counts(1, 0, 0);
	assert_an("*.wild.example.com. 3600 IN A 192.0.2.4");
}

Test(db, wildcard_parent_is_empty_non_terminal)
{
	Q(.name = "wild.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NOERROR);
}

Test(db, empty_non_terminal_blocks_wildcard)
{
	/* RFC 4592 2.2.2: ent.wild exists (a.ent.wild does), so the closest
	   encloser of x.ent.wild is ent.wild, which has no "*" child */
	Q(.name = "x.ent.wild.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NXDOMAIN);
	Q(.name = "ent.wild.example.com.", .type = WIRE_T_A);
	assert_negative(LDNS_RCODE_NOERROR);
	Q(.name = "a.ent.wild.example.com.", .type = WIRE_T_A);
	assert_an("a.ent.wild.example.com. 3600 IN A 192.0.2.5");
	Q(.name = "a.ent.wild.example.com.", .type = WIRE_T_MX);
	assert_negative(LDNS_RCODE_NOERROR);
}

Test(db, wildcard_relocation_for_qname_lengths)
{
	static const char *names[] = { "x.wild.example.com.",
	    "ab.wild.example.com.", "Q.R.S.T.wild.example.com.",
	    "a-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "b-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "wild.example.com.",
	    /* 45 + 3 * 64 + 18 = 255 bytes: the longest possible qname */
	    "forty-four-byte-label-xxxxxxxxxxxxxxxxxxxxxx."
	    "a-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "b-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "c-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "wild.example.com." };
	size_t i;

	for (i = 0; i < 5; i++) {
		char want[512];

		Q(.name = names[i], .type = WIRE_T_MX);
		assert_rcode_aa(LDNS_RCODE_NOERROR, true);
		assert_counts(1, 0, 1);
		snprintf(want, sizeof(want), "%s 3600 IN MX 10 "
		    "mail.example.com.", names[i]);
		assert_an(want);
		assert_ar("mail.example.com. 3600 IN A 192.0.2.25");
		Q(.name = names[i], .type = WIRE_T_TXT, .udp = 4096);
		assert_negative(LDNS_RCODE_NOERROR);
	}
}

/* ---- delegations ---- */

Test(db, referral_below_cut)
{
	Q(.name = "host.sub.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
	assert_ns("sub.example.com. 3600 IN NS ns1.sub.example.com.");
	assert_ns("sub.example.com. 3600 IN NS ns.example.net.");
	assert_ar("ns1.sub.example.com. 3600 IN A 192.0.2.54");
}

Test(db, referral_at_cut)
{
	Q(.name = "sub.example.com.", .type = WIRE_T_NS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
	Q(.name = "sub.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
}

Test(db, data_below_cut_is_not_authoritative)
{
	/* glue and occluded data are served as a referral, never as AA */
	Q(.name = "ns1.sub.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
	Q(.name = "deep.below.sub.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
	Q(.name = "below.sub.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
}

Test(db, ds_at_cut_answered_by_parent)
{
	Q(.name = "sub.example.com.", .type = WIRE_T_DS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("sub.example.com. 3600 IN DS 12345 8 2 " DS_HEX);
}

Test(db, ds_at_cut_without_ds_is_nodata)
{
	Q(.name = "nods.example.com.", .type = WIRE_T_DS);
	assert_negative(LDNS_RCODE_NOERROR);
	Q(.name = "nods.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 1, 0);
}

Test(db, ds_below_cut_is_referral)
{
	Q(.name = "x.sub.example.com.", .type = WIRE_T_DS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, false);
	assert_counts(0, 2, 1);
}

Test(db, referral_relocation_for_qname_lengths)
{
	static const char *names[] = { "sub.example.com.",
	    "a.sub.example.com.", "MiXeD.CaSe.sub.example.com.",
	    "a-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "b-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "c-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "sub.example.com." };
	size_t i;

	for (i = 0; i < 4; i++) {
		Q(.name = names[i], .type = WIRE_T_AAAA);
		assert_rcode_aa(LDNS_RCODE_NOERROR, false);
		assert_counts(0, 2, 1);
		assert_ns("sub.example.com. 3600 IN NS ns1.sub.example.com.");
		assert_ns("sub.example.com. 3600 IN NS ns.example.net.");
		assert_ar("ns1.sub.example.com. 3600 IN A 192.0.2.54");
		Q(.name = names[i], .type = WIRE_T_A, .udp = 1232, .tcp = true);
		assert_counts(0, 2, 1);
	}
}

/* ---- several zones ---- */

Test(db, nested_zones_child_wins)
{
	use((const char *[]){ PARENT, CHILD }, 2);
	Q(.name = "www.child.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("www.child.example.com. 600 IN A 192.0.2.200");
	Q(.name = "child.example.com.", .type = WIRE_T_SOA);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_an("child.example.com. 600 IN SOA ns1.child.example.com. "
	    "hostmaster.child.example.com. 7 7200 900 1209600 120");
	Q(.name = "child.example.com.", .type = WIRE_T_NS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_an("child.example.com. 600 IN NS ns1.child.example.com.");
	Q(.name = "nx.child.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NXDOMAIN, true);
	assert_ns("child.example.com. 120 IN SOA ns1.child.example.com. "
	    "hostmaster.child.example.com. 7 7200 900 1209600 120");
	Q(.name = "ns1.example.com.", .type = WIRE_T_A);
	assert_an("ns1.example.com. 3600 IN A 192.0.2.53");
}

Test(db, nested_zones_order_does_not_matter)
{
	use((const char *[]){ CHILD, PARENT }, 2);
	Q(.name = "www.child.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_an("www.child.example.com. 600 IN A 192.0.2.200");
	Q(.name = "nx.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NXDOMAIN, true);
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 1 7200 900 1209600 300");
}

Test(db, nested_zones_ds_from_parent)
{
	/* RFC 4035 3.1.4.1: authoritative for both sides of the cut, the
	   server answers DS from the parent (NSD answer_lookup_zone, Knot) */
	use((const char *[]){ PARENT, CHILD }, 2);
	Q(.name = "child.example.com.", .type = WIRE_T_DS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("child.example.com. 3600 IN DS 12345 8 2 " DS_HEX);
}

Test(db, nested_zones_ds_absent_in_parent_is_parent_nodata)
{
	static const char parent_nods[] =
	    "$ORIGIN example.com.\n"
	    "$TTL 3600\n"
	    "@        IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
	    "         IN NS ns1\n"
	    "ns1      IN A 192.0.2.53\n"
	    "child    IN NS ns1.child\n"
	    "ns1.child IN A 192.0.2.153\n";

	use((const char *[]){ parent_nods, CHILD }, 2);
	Q(.name = "child.example.com.", .type = WIRE_T_DS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(0, 1, 0);
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 1 7200 900 1209600 300");
}

Test(db, ds_at_apex_without_parent_is_child_nodata)
{
	/* not authoritative for the parent: NODATA from the zone itself
	   (NSD answer_lookup_zone) */
	use((const char *[]){ CHILD }, 1);
	Q(.name = "child.example.com.", .type = WIRE_T_DS);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(0, 1, 0);
	assert_ns("child.example.com. 120 IN SOA ns1.child.example.com. "
	    "hostmaster.child.example.com. 7 7200 900 1209600 120");
}

Test(db, nested_zone_with_empty_non_terminal_between)
{
	use((const char *[]){ PARENT, DEEP }, 2);
	Q(.name = "www.x.b.deep.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_an("www.x.b.deep.example.com. 60 IN A 192.0.2.77");
	Q(.name = "b.deep.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 1 7200 900 1209600 300");
	Q(.name = "a.b.deep.example.com.", .type = WIRE_T_A);
	assert_an("a.b.deep.example.com. 3600 IN A 192.0.2.9");
	Q(.name = "nx.x.b.deep.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NXDOMAIN, true);
	assert_ns("x.b.deep.example.com. 30 IN SOA ns.x.b.deep.example.com. "
	    "hm.x.b.deep.example.com. 9 1 1 1 30");
}

Test(db, same_origin_twice_fails)
{
	struct db *d = build((const char *[]){ ZONE, PARENT }, 2);

	cr_assert_null(d);
	cr_assert_not_null(strstr(err, "example.com"), "%s", err);
}

Test(db, zone_info)
{
	struct db_zone_info zi;
	static const uint8_t child[] = { 5, 'c', 'h', 'i', 'l', 'd', 7, 'e',
	    'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	size_t i, found = 0;

	use((const char *[]){ PARENT, CHILD }, 2);
	cr_assert_eq(db_zone_count(db), 2);
	for (i = 0; i < 2; i++) {
		db_zone_info(db, i, &zi);
		cr_assert_str_eq(zi.file, "t.zone");
		if (memcmp(zi.origin, child, sizeof(child)) == 0) {
			cr_assert_eq(zi.serial, 7);
			cr_assert_eq(zi.records, 4);
			found++;
		} else {
			cr_assert_eq(zi.serial, 1);
		}
	}
	cr_assert_eq(found, 1);
	cr_assert(db_covers(db, child, sizeof(child)));
	cr_assert(db_covers(db, child + 6, sizeof(child) - 6));
	cr_assert_not(db_covers(db, child + 14, sizeof(child) - 14), "com.");
	cr_assert_gt(db_memory(db), 0);
}

/* ---- DNAME (RFC 6672) ---- */

static const char DZONE[] =
    "$ORIGIN example.com.\n"
    "$TTL 3600\n"
    "@        IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
    "         IN NS ns1\n"
    "ns1      IN A 192.0.2.53\n"
    "dn   600 IN DNAME target.example.com.\n"
    "x.target IN A 192.0.2.8\n"
    "out  600 IN DNAME example.net.\n"
    "grow 600 IN DNAME a-target-name-much-longer-than-its-owner-name."
    "example.com.\n";

Test(db, dname_in_zone)
{
	use((const char *[]){ DZONE }, 1);
	Q(.name = "x.dn.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(3, 0, 0);
	assert_an("dn.example.com. 600 IN DNAME target.example.com.");
	assert_an("x.dn.example.com. 600 IN CNAME x.target.example.com.");
	assert_an("x.target.example.com. 3600 IN A 192.0.2.8");
}

Test(db, dname_case_and_depth)
{
	use((const char *[]){ DZONE }, 1);
	Q(.name = "A.b.X.Dn.example.COM.", .type = WIRE_T_A, .udp = 1232);
	assert_question_echoed();
	assert_an("dn.example.com. 600 IN DNAME target.example.com.");
	assert_an("a.b.x.dn.example.com. 600 IN CNAME "
	    "a.b.x.target.example.com.");
	raw_opt();
}

Test(db, dname_to_nxdomain)
{
	use((const char *[]){ DZONE }, 1);
	Q(.name = "y.dn.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NXDOMAIN, true);
	assert_counts(2, 1, 0);
	assert_an("y.dn.example.com. 600 IN CNAME y.target.example.com.");
	assert_ns("example.com. 300 IN SOA ns1.example.com. "
	    "hostmaster.example.com. 1 7200 900 1209600 300");
}

Test(db, dname_to_nodata)
{
	use((const char *[]){ DZONE }, 1);
	Q(.name = "x.dn.example.com.", .type = WIRE_T_MX);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(2, 1, 0);
}

Test(db, dname_out_of_zone)
{
	use((const char *[]){ DZONE }, 1);
	Q(.name = "www.out.example.com.", .type = WIRE_T_A);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(2, 0, 0);
	assert_an("out.example.com. 600 IN DNAME example.net.");
	assert_an("www.out.example.com. 600 IN CNAME www.example.net.");
}

Test(db, dname_owner_itself)
{
	/* the DNAME does not apply to its own owner (RFC 6672 2.3) */
	use((const char *[]){ DZONE }, 1);
	Q(.name = "dn.example.com.", .type = WIRE_T_DNAME);
	assert_rcode_aa(LDNS_RCODE_NOERROR, true);
	assert_counts(1, 0, 0);
	assert_an("dn.example.com. 600 IN DNAME target.example.com.");
	Q(.name = "dn.example.com.", .type = WIRE_T_A);
	assert_negative_soa1();
}

Test(db, dname_result_too_long_is_yxdomain)
{
	/* RFC 6672 2.2: a substituted name over 255 bytes gives YXDOMAIN;
	   the qname is 255 bytes, 237 of them replaced by 59 */
	use((const char *[]){ DZONE }, 1);
	Q(.name = "forty-four-byte-label-xxxxxxxxxxxxxxxxxxxxxx."
	    "a-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "b-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "c-label-that-is-exactly-sixty-three-bytes-long-padding-padding1."
	    "grow.example.com.", .type = WIRE_T_A);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_YXDOMAIN);
	assert_an("grow.example.com. 600 IN DNAME a-target-name-much-longer-"
	    "than-its-owner-name.example.com.");
}

/* ---- refusals and errors ---- */

Test(db, refused_outside_zones_with_ede)
{
	/* RFC 8914 4.21: Extended DNS Error 20, Not Authoritative */
	const uint8_t *opt;
	size_t rdlen;

	Q(.name = "www.example.org.", .type = WIRE_T_A, .udp = 1232);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	assert_question_echoed();
	opt = raw_opt_rd(&rdlen);
	cr_assert_eq(rdlen, 6);
	cr_assert_eq(wire_get16(opt + 11), 15, "option code EDE");
	cr_assert_eq(wire_get16(opt + 13), 2);
	cr_assert_eq(wire_get16(opt + 15), 20);
}

Test(db, refused_outside_zones)
{
	Q(.name = "www.example.org.", .type = WIRE_T_A);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	cr_assert_not(ldns_pkt_aa(resp));
	assert_counts(0, 0, 0);
	assert_question_echoed();
	Q(.name = "com.", .type = WIRE_T_NS);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	Q(.name = ".", .type = WIRE_T_NS);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	Q(.name = "xexample.com.", .type = WIRE_T_A);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	cr_assert_eq(ctx.stats.rcode[WIRE_RC_REFUSED], 4);
}

Test(db, refused_without_db)
{
	ctx.db = NULL;
	Q(.name = "www.example.com.", .type = WIRE_T_A);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
}

Test(db, refused_class_ch)
{
	Q(.name = "www.example.com.", .type = WIRE_T_A, .qclass = WIRE_C_CH);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	assert_question_echoed();
}

Test(db, transfers)
{
	/* no transfers; the RCODEs NSD and Knot give (answer.c) */
	Q(.name = "example.com.", .type = WIRE_T_AXFR, .tcp = true);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	assert_counts(0, 0, 0);
	Q(.name = "example.com.", .type = WIRE_T_AXFR);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTIMPL,
	    "AXFR over UDP (RFC 5936 4.2)");
	Q(.name = "example.com.", .type = WIRE_T_IXFR);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_REFUSED);
	Q(.name = "www.example.com.", .type = WIRE_T_AXFR, .tcp = true);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTAUTH,
	    "not a zone apex");
	Q(.name = "example.org.", .type = WIRE_T_AXFR, .tcp = true);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTAUTH);
}

Test(db, meta_types_are_nodata)
{
	/* NSD and Knot answer these as any type the name lacks */
	static const uint16_t types[] = { WIRE_T_OPT, WIRE_T_TKEY,
	    WIRE_T_TSIG, WIRE_T_MAILA, WIRE_T_MAILB };
	size_t i;

	for (i = 0; i < 5; i++) {
		Q(.name = "www.example.com.", .type = types[i]);
		assert_negative(LDNS_RCODE_NOERROR);
	}
}

Test(db, formerr_echoes_id_question_and_opt)
{
	Q(.name = "www.example.com.", .type = WIRE_T_A, .udp = 1232,
	    .do_bit = true);
	/* two bytes of trailing garbage after the OPT */
	qbuf[qlen++] = 0xde;
	qbuf[qlen++] = 0xad;
	answer_raw(false);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_FORMERR);
	cr_assert_eq(ldns_pkt_id(resp), 0xbeef);
	cr_assert(ldns_pkt_qr(resp));
	cr_assert_not(ldns_pkt_aa(resp));
	assert_question_echoed();
	cr_assert_eq(wire_get16(out + 10), 1, "OPT counted");
	cr_assert_eq(wire_get16(raw_opt() + 7), 0x8000, "DO echoed");
	cr_assert_eq(ldns_pkt_ancount(resp) + ldns_pkt_nscount(resp), 0);
}

Test(db, formerr_without_question)
{
	static const uint8_t q2[] = { 0x77, 0x88, 0x01, 0x00, 0x00, 0x02,
	    0, 0, 0, 0, 0, 0 };

	memcpy(qbuf, q2, sizeof(q2));
	qlen = sizeof(q2);
	answer_raw(false);
	cr_assert_eq(outlen, 12);
	cr_assert_eq(ldns_pkt_id(resp), 0x7788);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_FORMERR);
	cr_assert(ldns_pkt_rd(resp));
	cr_assert_eq(wire_get16(out + 4), 0);
}

Test(db, formerr_for_compressed_qname)
{
	static const uint8_t q[] = { 0x11, 0x22, 0x00, 0x00, 0x00, 0x01,
	    0, 0, 0, 0, 0, 0, 0x03, 'w', 'w', 'w', 0xc0, 0x0c, 0, 1, 0, 1 };

	memcpy(qbuf, q, sizeof(q));
	qlen = sizeof(q);
	answer_raw(false);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_FORMERR);
	cr_assert_eq(ldns_pkt_id(resp), 0x1122);
}

Test(db, notimp_for_opcode_status)
{
	struct q s = { .name = "example.com.", .type = WIRE_T_SOA,
	    .flags = 2 << 11 };

	qlen = make_query(&s);
	answer_raw(false);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTIMPL);
	cr_assert_eq(ldns_pkt_get_opcode(resp), LDNS_PACKET_STATUS,
	    "opcode echoed");
	cr_assert_eq(ldns_pkt_id(resp), 0xbeef);
	cr_assert(ldns_pkt_qr(resp));
	cr_assert_not(ldns_pkt_aa(resp));
	assert_counts(0, 0, 0);
}

Test(db, notimp_echoes_question_and_opt)
{
	/* RFC 6891 7: a request with an OPT gets an OPT in its response,
	   whatever the RCODE; the question is echoed as for FORMERR */
	struct q s = { .name = "example.com.", .type = WIRE_T_SOA,
	    .flags = 2 << 11, .udp = 1232, .do_bit = true };

	qlen = make_query(&s);
	answer_raw(false);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTIMPL);
	assert_question_echoed();
	cr_assert_eq(wire_get16(out + 10), 1, "no OPT in the NOTIMP answer");
	cr_assert_eq(wire_get16(raw_opt() + 7), 0x8000, "DO echoed");
}

Test(db, notauth_for_notify_and_update)
{
	/* we are no secondary and take no updates: NOTAUTH (answer.c, as
	   NSD and Knot answer an unknown zone), question and OPT echoed */
	struct q s = { .name = "example.com.", .type = WIRE_T_SOA,
	    .flags = 4 << 11, .udp = 1232 };

	qlen = make_query(&s);
	answer_raw(false);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTAUTH);
	cr_assert_eq(ldns_pkt_get_opcode(resp), LDNS_PACKET_NOTIFY);
	assert_question_echoed();
	raw_opt();
	s.flags = 5 << 11;
	qlen = make_query(&s);
	answer_raw(false);
	cr_assert_eq(ldns_pkt_get_rcode(resp), LDNS_RCODE_NOTAUTH);
	cr_assert_eq(ldns_pkt_get_opcode(resp), LDNS_PACKET_UPDATE);
}

Test(db, badvers)
{
	const uint8_t *opt;

	Q(.name = "www.example.com.", .type = WIRE_T_A, .udp = 1232,
	    .version = 1, .id = 0x5555);
	cr_assert_eq(ldns_pkt_id(resp), 0x5555);
	cr_assert_eq(out[3] & 0xf, 0, "low RCODE bits of 16 are 0");
	assert_question_echoed();
	assert_counts(0, 0, 0);		/* ldns does not count the OPT */
	cr_assert_eq(wire_get16(out + 10), 1);
	opt = raw_opt();
	cr_assert_eq(opt[5], 1, "extended RCODE 1: BADVERS (16)");
	cr_assert_eq(opt[6], 0, "our version is 0");
	cr_assert_eq(ctx.stats.rcode[WIRE_RC_BADVERS], 1);
}

Test(db, header_bits)
{
	/* RFC 1035 4.1.1: RD copied, RA clear (no recursion for this
	   client), Z clear; RFC 4035 3.1.6: "A security-aware name server
	   SHOULD clear the CD bit when composing an authoritative
	   response" (NSD and Knot both do, tests/integration/compare; the
	   "MUST copy" of 3.2.2 is for recursive name servers); AD never
	   set */
	Q(.name = "www.example.com.", .type = WIRE_T_A,
	    .flags = WIRE_RD | WIRE_CD | WIRE_AD | WIRE_Z);
	cr_assert(ldns_pkt_rd(resp));
	cr_assert_not(ldns_pkt_ra(resp));
	cr_assert_not(ldns_pkt_ad(resp), "AD without DNSSEC validation");
	cr_assert_eq(out[3] & WIRE_Z, 0, "Z set");
	cr_assert_not(ldns_pkt_cd(resp), "CD in an authoritative answer");
	Q(.name = "www.example.com.", .type = WIRE_T_A, .flags = WIRE_CD);
	cr_assert_not(ldns_pkt_rd(resp));
	cr_assert_not(ldns_pkt_cd(resp), "CD in an authoritative answer");
}

Test(db, drops_responses_and_runts)
{
	Q(.name = "www.example.com.", .type = WIRE_T_A);
	qbuf[2] |= 0x80;	/* QR */
	cr_assert_eq(answer_query(&ctx, qbuf, qlen, out, sizeof(out), false),
	    0);
	cr_assert_eq(answer_query(&ctx, qbuf, 11, out, sizeof(out), false), 0);
	cr_assert_eq(answer_query(&ctx, qbuf, 0, out, sizeof(out), true), 0);
	cr_assert_eq(ctx.stats.dropped, 3);
}

/* ---- EDNS ---- */

Test(db, opt_echoed_with_our_size_and_do)
{
	const uint8_t *opt;

	Q(.name = "www.example.com.", .type = WIRE_T_A, .udp = 4096,
	    .do_bit = true);
	assert_counts(2, 0, 0);
	cr_assert(ldns_pkt_edns(resp));
	cr_assert_eq(ldns_pkt_edns_udp_size(resp), 1232);
	cr_assert(ldns_pkt_edns_do(resp));
	opt = raw_opt();
	cr_assert_eq(opt[5], 0);
	cr_assert_eq(opt[6], 0);
	cr_assert_eq(ctx.stats.edns, 1);
	Q(.name = "www.example.com.", .type = WIRE_T_A, .udp = 4096);
	cr_assert_not(ldns_pkt_edns_do(resp));
	Q(.name = "www.example.com.", .type = WIRE_T_A);
	cr_assert_eq(wire_get16(out + 10), 0, "OPT without one in the query");
}

Test(db, opt_in_negative_and_referral)
{
	Q(.name = "nx.example.com.", .type = WIRE_T_A, .udp = 1232);
	cr_assert_eq(wire_get16(out + 10), 1);
	raw_opt();
	Q(.name = "a.sub.example.com.", .type = WIRE_T_A, .udp = 1232);
	cr_assert_eq(wire_get16(out + 10), 2, "glue and OPT");
	raw_opt();
}

/* ---- truncation ---- */

/* ZONE plus a 40-record A RRset (640 bytes) and a CNAME to it, a small
   and a large RRset at one name, an MX with 20 targets, and a
   delegation whose glue cannot fit in 512. */
static char *
big_zone(void)
{
	static char z[32768];
	size_t o;
	int i;

	o = (size_t)snprintf(z, sizeof(z), "%s", ZONE);
	for (i = 1; i <= 40; i++)
		o += (size_t)snprintf(z + o, sizeof(z) - o,
		    "big 60 IN A 10.0.0.%d\n", i);
	o += (size_t)snprintf(z + o, sizeof(z) - o,
	    "tobig 60 IN CNAME big\n"
	    "mixed 60 IN A 192.0.2.7\n");
	for (i = 1; i <= 30; i++)
		o += (size_t)snprintf(z + o, sizeof(z) - o,
		    "mixed 60 IN TXT \"text-record-number-%02d\"\n", i);
	for (i = 1; i <= 20; i++)
		o += (size_t)snprintf(z + o, sizeof(z) - o,
		    "mxs 60 IN MX %d m%02d\nm%02d 60 IN A 192.0.2.%d\n",
		    i, i, i, i);
	for (i = 1; i <= 13; i++)
		o += (size_t)snprintf(z + o, sizeof(z) - o,
		    "fat 60 IN NS ns%02d.fat\n"
		    "ns%02d.fat 60 IN AAAA 2001:db8::%d\n", i, i, i);
	cr_assert_lt(o, sizeof(z) - 1);
	return z;
}

static void
use_big(void)
{
	use((const char *[]){ big_zone() }, 1);
}

Test(db, tc_without_edns)
{
	use_big();
	Q(.name = "big.example.com.", .type = WIRE_T_A);
	cr_assert(ldns_pkt_tc(resp), "TC not set");
	cr_assert(ldns_pkt_aa(resp));
	cr_assert_eq(ldns_pkt_ancount(resp), 0, "whole RRsets only");
	cr_assert_leq(outlen, 512);
	assert_question_echoed();
	cr_assert_eq(ctx.stats.truncated, 1);
}

Test(db, tc_answer_has_whole_rrsets_only)
{
	/* the CNAME fits, the 40 A records behind it do not: the answer
	   keeps the whole CNAME RRset and no part of the A RRset */
	use_big();
	Q(.name = "tobig.example.com.", .type = WIRE_T_A);
	cr_assert(ldns_pkt_tc(resp));
	cr_assert_leq(outlen, 512);
	cr_assert_eq(ldns_pkt_ancount(resp), 1, "the CNAME, no A:%s",
	    section_str(ldns_pkt_answer(resp)));
	assert_an("tobig.example.com. 60 IN CNAME big.example.com.");
}

Test(db, any_picks_one_rrset_without_tc)
{
	use_big();
	Q(.name = "mixed.example.com.", .type = WIRE_T_ANY);
	cr_assert_not(ldns_pkt_tc(resp));
	assert_counts(1, 0, 0);
	assert_an("mixed.example.com. 60 IN A 192.0.2.7");
	Q(.name = "mixed.example.com.", .type = WIRE_T_TXT, .tcp = true);
	cr_assert_eq(ldns_pkt_ancount(resp), 30);
}

Test(db, full_answer_over_tcp)
{
	use_big();
	Q(.name = "big.example.com.", .type = WIRE_T_A, .tcp = true);
	cr_assert_not(ldns_pkt_tc(resp));
	cr_assert_eq(ldns_pkt_ancount(resp), 40);
	assert_an("big.example.com. 60 IN A 10.0.0.40");
	Q(.name = "tobig.example.com.", .type = WIRE_T_A, .tcp = true);
	cr_assert_not(ldns_pkt_tc(resp));
	cr_assert_eq(ldns_pkt_ancount(resp), 41);
	cr_assert_eq(ctx.stats.queries[1], 2);
}

Test(db, edns_1232_fits_larger_rrset)
{
	use_big();
	Q(.name = "big.example.com.", .type = WIRE_T_A, .udp = 1232);
	cr_assert_not(ldns_pkt_tc(resp));
	cr_assert_eq(ldns_pkt_ancount(resp), 40);
	cr_assert_gt(outlen, 512);
	cr_assert_leq(outlen, 1232);
	raw_opt();
}

Test(db, edns_limit_is_smaller_of_both_sizes)
{
	use_big();
	/* the requester's 600 is below our 1232 */
	Q(.name = "big.example.com.", .type = WIRE_T_A, .udp = 600);
	cr_assert(ldns_pkt_tc(resp));
	cr_assert_leq(outlen, 600);
	raw_opt();
	/* our 512 is below the requester's 4096 */
	ctx.udp_max = 512;
	Q(.name = "big.example.com.", .type = WIRE_T_A, .udp = 4096);
	cr_assert(ldns_pkt_tc(resp));
	cr_assert_leq(outlen, 512);
	cr_assert_eq(ldns_pkt_edns_udp_size(resp), 512);
}

Test(db, edns_size_below_512_means_512)
{
	/* RFC 6891 6.2.5: values below 512 are treated as 512 */
	use_big();
	Q(.name = "mixed.example.com.", .type = WIRE_T_A, .udp = 100);
	cr_assert_not(ldns_pkt_tc(resp));
	cr_assert_eq(ldns_pkt_ancount(resp), 1);
	Q(.name = "big.example.com.", .type = WIRE_T_A, .udp = 100);
	cr_assert(ldns_pkt_tc(resp));
	cr_assert_leq(outlen, 512);
}

Test(db, additional_dropped_without_tc)
{
	/* RFC 2181 9: TC only when required data is missing; additional
	   address records may simply be left out */
	use_big();
	Q(.name = "mxs.example.com.", .type = WIRE_T_MX);
	cr_assert_not(ldns_pkt_tc(resp), "TC for optional additional data");
	cr_assert_eq(ldns_pkt_ancount(resp), 20);
	cr_assert_lt(ldns_pkt_arcount(resp), 20);
	cr_assert_leq(outlen, 512);
	Q(.name = "mxs.example.com.", .type = WIRE_T_MX, .tcp = true);
	cr_assert_eq(ldns_pkt_arcount(resp), 20);
	assert_ar("m20.example.com. 60 IN A 192.0.2.20");
}

Test(db, referral_glue_must_fit)
{
	/* RFC 9471 3: in-domain glue that does not fit sets TC */
	use_big();
	Q(.name = "host.fat.example.com.", .type = WIRE_T_A);
	cr_assert_not(ldns_pkt_aa(resp));
	cr_assert(ldns_pkt_tc(resp), "glue left out without TC");
	cr_assert_leq(outlen, 512);
	Q(.name = "host.fat.example.com.", .type = WIRE_T_A, .udp = 1232);
	cr_assert_not(ldns_pkt_tc(resp));
	assert_counts(0, 13, 13);
	assert_ar("ns13.fat.example.com. 60 IN AAAA 2001:db8::13");
}

Test(db, rrset_too_big_for_a_message_fails_build)
{
	static char z[120000];
	size_t o;
	int i;

	o = (size_t)snprintf(z, sizeof(z), "%s", ZONE);
	for (i = 0; i < 300; i++) {
		char txt[240];

		memset(txt, 'a' + i % 26, sizeof(txt) - 1);
		txt[sizeof(txt) - 1] = '\0';
		o += (size_t)snprintf(z + o, sizeof(z) - o,
		    "huge IN TXT \"%03d%s\"\n", i, txt);
	}
	cr_assert_lt(o, sizeof(z) - 1);
	cr_assert_null(build((const char *[]){ z }, 1));
	cr_assert_not_null(strstr(err, "huge.example.com"), "%s", err);
}

/* ---- compression against stale encoder state ---- */

Test(db, names_after_a_big_txt_decode)
{
	/* a's TXT template leaves "\003net\0" at encoder offset 193; b's
	   MX template then writes a compressed owner at offset 0 (see
	   test_enc.c compressed_name_does_not_read_stale_buffer) */
	static char z[4096];
	char txt[1024];
	size_t o = 0;
	int i;

	for (i = 0; i < 255; i++) {
		if (i == 180)
			o += (size_t)snprintf(txt + o, sizeof(txt) - o,
			    "\\003net\\000");
		else if (i < 180 || i > 184)
			o += (size_t)snprintf(txt + o, sizeof(txt) - o,
			    "\\000");
	}
	snprintf(z, sizeof(z),
	    "$ORIGIN example.com.\n"
	    "@ 60 IN SOA ns hm 1 2 3 4 5\n"
	    "  60 IN NS ns\n"
	    "ns 60 IN A 192.0.2.1\n"
	    "a 60 IN TXT \"%s\"\n"
	    "b 60 IN MX 10 mail.example.net.\n", txt);
	use((const char *[]){ z }, 1);
	Q(.name = "b.example.com.", .type = WIRE_T_MX);
	assert_counts(1, 0, 0);
	assert_an("b.example.com. 60 IN MX 10 mail.example.net.");
}

Test(db, every_name_and_type_decodes)
{
	/* a sweep: every owner of the big zone, several types, three
	   transports; ldns_wire2pkt() checks every pointer */
	static const uint16_t types[] = { WIRE_T_A, WIRE_T_AAAA, WIRE_T_NS,
	    WIRE_T_MX, WIRE_T_TXT, WIRE_T_SOA, WIRE_T_CNAME, WIRE_T_DS,
	    WIRE_T_ANY, 99 };
	struct zones_zone *z;
	size_t i, t;

	use_big();
	z = sweep = zones_load_string("t.zone", big_zone(),
	    strlen(big_zone()), NULL, err, sizeof(err));
	cr_assert_not_null(z, "%s", err);
	for (i = 0; i < z->nrrs; i++) {
		char name[DNAME_STRLEN];

		if (i > 0 && z->rrs[i].owner_len == z->rrs[i - 1].owner_len
		    && memcmp(z->rrs[i].owner, z->rrs[i - 1].owner,
		    z->rrs[i].owner_len) == 0)
			continue;
		dname_to_str(name, sizeof(name), z->rrs[i].owner_orig);
		for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
			Q(.name = name, .type = types[t]);
			Q(.name = name, .type = types[t], .udp = 1232);
			Q(.name = name, .type = types[t], .tcp = true);
		}
	}
}

/* ---- counters ---- */

Test(db, stats)
{
	Q(.name = "www.example.com.", .type = WIRE_T_A);
	Q(.name = "nx.example.com.", .type = WIRE_T_A, .tcp = true);
	Q(.name = "www.example.org.", .type = WIRE_T_A, .udp = 1232);
	cr_assert_eq(ctx.stats.queries[0], 2);
	cr_assert_eq(ctx.stats.queries[1], 1);
	cr_assert_eq(ctx.stats.rcode[WIRE_RC_NOERROR], 1);
	cr_assert_eq(ctx.stats.rcode[WIRE_RC_NXDOMAIN], 1);
	cr_assert_eq(ctx.stats.rcode[WIRE_RC_REFUSED], 1);
	cr_assert_eq(ctx.stats.edns, 1);
	cr_assert_eq(ctx.stats.truncated, 0);
}
