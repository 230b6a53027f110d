/*
 * test_enc.c -- unit tests for enc.c: response templates.
 *
 * Templates are checked two ways: byte by byte where the layout is the
 * point (a compressed owner is 0xc00c, a SRV target is never compressed),
 * and by putting a header and question in front and decoding the whole
 * message with ldns, which rejects any bad compression pointer.
 * Relocatable templates are emitted the way answer.c does (every listed
 * pointer moves by the question's extra length) for several qnames.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <ldns/ldns.h>

#include "arena.h"
#include "enc.h"
#include "wire.h"

static struct enc *e;
static struct arena a;
static ldns_pkt *pkt;		/* the last emit(), freed by the next */

static void
setup(void)
{
	e = enc_new();
	cr_assert_not_null(e);
	arena_init(&a, 0);
}

static void
teardown(void)
{
	enc_free(e);
	arena_free(&a);
	ldns_pkt_free(pkt);
	pkt = NULL;
}

TestSuite(enc, .init = setup, .fini = teardown);

/* Wire form of a text name, case kept. */
static size_t
wname(uint8_t *out, const char *s)
{
	ldns_rdf *d = ldns_dname_new_frm_str(s);
	size_t n;

	cr_assert_not_null(d, "bad test name %s", s);
	n = ldns_rdf_size(d);
	memcpy(out, ldns_rdf_data(d), n);
	ldns_rdf_deep_free(d);
	return n;
}

static const struct enc_tmpl *
finish(void)
{
	const char *why = NULL;
	const struct enc_tmpl *t = enc_finish(e, &a, &why);

	cr_assert_not_null(t, "enc_finish: %s", why ? why : "?");
	return t;
}

/*
 * A whole response: header, the question qname/qtype, then t emitted for
 * that qname (relocated as answer.c does).  Returns the decoded packet.
 */
static ldns_pkt *
emit(const struct enc_tmpl *t, const char *qname, uint16_t qtype)
{
	static uint8_t msg[65535];
	uint8_t q[DNAME_MAXLEN];
	size_t qlen = wname(q, qname), o = 12, i;
	ldns_pkt *p = NULL;
	ldns_status st;

	memset(msg, 0, 12);
	wire_put16(msg, 0x4242);
	wire_put16(msg + 2, WIRE_QR | (t->aa ? WIRE_AA : 0) | t->rcode);
	wire_put16(msg + 4, 1);
	wire_put16(msg + 6, t->an);
	wire_put16(msg + 8, t->ns);
	wire_put16(msg + 10, t->ar);
	memcpy(msg + o, q, qlen);
	o += qlen;
	wire_put16(msg + o, qtype);
	wire_put16(msg + o + 2, WIRE_C_IN);
	o += 4;
	memcpy(msg + o, t->data, t->len);
	for (i = 0; i < t->nreloc; i++) {
		uint8_t *ptr = msg + o + t->reloc[i];

		wire_put16(ptr, (uint16_t)(wire_get16(ptr) + qlen
		    - t->base_qlen));
	}
	o += t->len;
	ldns_pkt_free(pkt);
	pkt = NULL;
	st = ldns_wire2pkt(&p, msg, o);
	cr_assert_eq(st, LDNS_STATUS_OK, "ldns_wire2pkt for %s: %s", qname,
	    ldns_get_errorstr_by_id(st));
	pkt = p;
	return p;
}

/* The text of RR i of a section, owner and names in lowercase. */
static char *
rr_text(ldns_rr_list *l, size_t i)
{
	static char buf[1024];
	ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(l, i));
	char *s;

	ldns_rr2canonical(rr);
	s = ldns_rr2str(rr);
	snprintf(buf, sizeof(buf), "%s", s);
	buf[strcspn(buf, "\n")] = '\0';
	LDNS_FREE(s);
	ldns_rr_free(rr);
	return buf;
}

static const uint8_t A1[] = { 192, 0, 2, 1 };

/* ---- layout ---- */

Test(enc, owner_equal_to_question_is_0xc00c)
{
	uint8_t qn[DNAME_MAXLEN], owner[DNAME_MAXLEN];
	size_t qlen = wname(qn, "www.example.com.");
	const struct enc_tmpl *t;

	wname(owner, "WWW.Example.com.");
	enc_begin(e, qn, qlen, false);
	enc_rr(e, owner, WIRE_T_A, 300, A1, 4);
	enc_rrset_end(e);
	t = finish();
	cr_assert_eq(t->len, 2 + 10 + 4);
	cr_assert_eq(t->data[0], 0xc0);
	cr_assert_eq(t->data[1], 0x0c);
	cr_assert_eq(wire_get16(t->data + 2), WIRE_T_A);
	cr_assert_eq(wire_get16(t->data + 4), WIRE_C_IN);
	cr_assert_eq(wire_get32(t->data + 6), 300);
	cr_assert_eq(wire_get16(t->data + 10), 4);
	cr_assert_eq(t->an, 1);
	cr_assert_eq(t->ns + t->ar, 0);
	cr_assert_eq(t->aa, 1, "authoritative by default");
	cr_assert_eq(t->rcode, 0);
	cr_assert_eq(t->nreloc, 0, "fixed templates list no pointers");
}

Test(enc, null_owner_is_question)
{
	uint8_t qn[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	const struct enc_tmpl *t;

	enc_begin(e, qn, qlen, true);
	enc_rr(e, NULL, WIRE_T_A, 60, A1, 4);
	t = finish();
	cr_assert_eq(t->data[0], 0xc0);
	cr_assert_eq(t->data[1], 0x0c);
	cr_assert_eq(t->nreloc, 0, "0xc00c never moves");
	cr_assert_eq(t->base_qlen, qlen);
}

Test(enc, sections_counts_and_rcode)
{
	uint8_t qn[DNAME_MAXLEN], ns[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	size_t nslen = wname(ns, "ns1.example.com.");
	const struct enc_tmpl *t;
	ldns_pkt *p;

	enc_begin(e, qn, qlen, false);
	enc_set_rcode(e, WIRE_RC_NXDOMAIN, false);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	enc_rrset_end(e);
	enc_section(e, ENC_NS);
	enc_rr(e, qn, WIRE_T_NS, 60, ns, (uint16_t)nslen);
	enc_rrset_end(e);
	enc_section(e, ENC_AR);
	enc_rr(e, ns, WIRE_T_A, 60, A1, 4);
	enc_rr(e, ns, WIRE_T_A, 60, A1, 4);
	enc_rrset_end(e);
	cr_assert_eq(enc_count(e, ENC_AN), 1);
	cr_assert_eq(enc_count(e, ENC_NS), 1);
	cr_assert_eq(enc_count(e, ENC_AR), 2);
	t = finish();
	cr_assert_eq(t->an, 1);
	cr_assert_eq(t->ns, 1);
	cr_assert_eq(t->ar, 2);
	cr_assert_eq(t->rcode, WIRE_RC_NXDOMAIN);
	cr_assert_eq(t->aa, 0);
	p = emit(t, "example.com.", WIRE_T_A);
	cr_assert_str_eq(rr_text(ldns_pkt_authority(p), 0),
	    "example.com.\t60\tIN\tNS\tns1.example.com.");
	cr_assert_str_eq(rr_text(ldns_pkt_additional(p), 1),
	    "ns1.example.com.\t60\tIN\tA\t192.0.2.1");
}

Test(enc, rdata_names_compressed_for_rfc1035_types)
{
	uint8_t qn[DNAME_MAXLEN], mx[2 + DNAME_MAXLEN], cname[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	size_t mxlen = 2 + wname(mx + 2, "mail.example.com.");
	size_t clen = wname(cname, "example.com.");
	const struct enc_tmpl *t;
	ldns_pkt *p;

	mx[0] = 0;
	mx[1] = 10;
	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_MX, 60, mx, (uint16_t)mxlen);
	enc_rr(e, qn, WIRE_T_CNAME, 60, cname, (uint16_t)clen);
	t = finish();
	/* MX: owner ptr, 10 fixed, RDLENGTH 7: preference, "mail", ptr */
	cr_assert_eq(wire_get16(t->data + 10), 2 + 5 + 2);
	cr_assert_eq(t->data[12 + 2], 4);
	cr_assert_eq(wire_get16(t->data + 12 + 7), 0xc00c);
	/* CNAME to the question name itself: one pointer */
	cr_assert_eq(wire_get16(t->data + 21 + 10), 2);
	p = emit(t, "example.com.", WIRE_T_MX);
	cr_assert_str_eq(rr_text(ldns_pkt_answer(p), 0),
	    "example.com.\t60\tIN\tMX\t10 mail.example.com.");
}

Test(enc, soa_both_names_compressed)
{
	uint8_t qn[DNAME_MAXLEN], soa[2 * DNAME_MAXLEN + 20];
	size_t qlen = wname(qn, "example.com."), n;
	const struct enc_tmpl *t;
	ldns_pkt *p;

	n = wname(soa, "ns1.example.com.");
	n += wname(soa + n, "hostmaster.example.com.");
	memset(soa + n, 0, 20);
	soa[n + 3] = 1;			/* serial 1 */
	soa[n + 19] = 60;		/* minimum 60 */
	n += 20;
	enc_begin(e, qn, qlen, false);
	enc_section(e, ENC_NS);
	enc_rr(e, qn, WIRE_T_SOA, 60, soa, (uint16_t)n);
	t = finish();
	/* "ns1"+ptr, "hostmaster"+ptr, 20 */
	cr_assert_eq(wire_get16(t->data + 10), 4 + 2 + 11 + 2 + 20);
	p = emit(t, "example.com.", WIRE_T_SOA);
	cr_assert_str_eq(rr_text(ldns_pkt_authority(p), 0),
	    "example.com.\t60\tIN\tSOA\tns1.example.com. "
	    "hostmaster.example.com. 1 0 0 0 60");
}

Test(enc, srv_target_not_compressed)
{
	/* RFC 2782 / RFC 3597 4: names in SRV RDATA are never compressed */
	uint8_t qn[DNAME_MAXLEN], srv[6 + DNAME_MAXLEN];
	size_t qlen = wname(qn, "_sip._udp.example.com."), n;
	const struct enc_tmpl *t;

	memcpy(srv, (const uint8_t[]){ 0, 1, 0, 5, 0x13, 0xc4 }, 6);
	n = 6 + wname(srv + 6, "sip.example.com.");
	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_SRV, 60, srv, (uint16_t)n);
	t = finish();
	cr_assert_eq(wire_get16(t->data + 10), n);
	cr_assert_arr_eq(t->data + 12, srv, n);
}

Test(enc, unknown_type_rdata_copied)
{
	uint8_t qn[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	/* looks like a name that could be compressed; must stay bytes */
	static const uint8_t rd[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	    3, 'c', 'o', 'm', 0 };
	const struct enc_tmpl *t;

	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, 65280, 60, rd, sizeof(rd));
	t = finish();
	cr_assert_eq(wire_get16(t->data + 10), sizeof(rd));
	cr_assert_arr_eq(t->data + 12, rd, sizeof(rd));
}

Test(enc, later_names_compress_against_earlier_ones)
{
	uint8_t qn[DNAME_MAXLEN], ns1[DNAME_MAXLEN], ns2[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	size_t l1 = wname(ns1, "ns1.example.net.");
	size_t l2 = wname(ns2, "ns2.example.net.");
	const struct enc_tmpl *t;
	ldns_pkt *p;

	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_NS, 60, ns1, (uint16_t)l1);
	enc_rr(e, qn, WIRE_T_NS, 60, ns2, (uint16_t)l2);
	enc_rrset_end(e);
	enc_section(e, ENC_AR);
	enc_rr(e, ns2, WIRE_T_A, 60, A1, 4);
	t = finish();
	/* 1st NS: full name (17); 2nd: "ns2" + pointer (6) */
	cr_assert_eq(wire_get16(t->data + 10), l1);
	cr_assert_eq(wire_get16(t->data + 12 + l1 + 10), 6);
	p = emit(t, "example.com.", WIRE_T_NS);
	cr_assert_str_eq(rr_text(ldns_pkt_answer(p), 1),
	    "example.com.\t60\tIN\tNS\tns2.example.net.");
	cr_assert_str_eq(rr_text(ldns_pkt_additional(p), 0),
	    "ns2.example.net.\t60\tIN\tA\t192.0.2.1");
}

/*
 * A name written with a pointer at its end must not make the encoder
 * read the bytes after it as labels: those bytes are whatever an earlier
 * template left in the reused buffer.  Template 1 leaves "\003net\0" at
 * buffer offset 193 (= 0xc0 + 1: where a label-length walk that takes the
 * pointer byte 0xc0 for a length lands); template 2 then writes a
 * compressed owner at offset 0 and a name ending in "net.".
 */
Test(enc, compressed_name_does_not_read_stale_buffer)
{
	uint8_t qn[DNAME_MAXLEN], txt[256], ns[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	size_t nslen = wname(ns, "ns1.example.net.");
	const struct enc_tmpl *t;
	ldns_pkt *p;

	/* template 1: TXT at offset 0; RDATA at 12, text at 13 */
	memset(txt, 0, sizeof(txt));
	txt[0] = 255;
	memcpy(txt + 1 + (193 - 13), "\003net", 5);
	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_TXT, 60, txt, sizeof(txt));
	finish();
	/* template 2 reuses the encoder */
	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	enc_rrset_end(e);
	enc_section(e, ENC_NS);
	enc_rr(e, qn, WIRE_T_NS, 60, ns, (uint16_t)nslen);
	t = finish();
	p = emit(t, "example.com.", WIRE_T_A);
	cr_assert_str_eq(rr_text(ldns_pkt_authority(p), 0),
	    "example.com.\t60\tIN\tNS\tns1.example.net.");
}

Test(enc, partially_compressed_names_still_compress_later)
{
	/* after "www.example.com." is written as "www"+ptr, a later
	   "www.example.com." should point at it, not be written again */
	uint8_t qn[DNAME_MAXLEN], www[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	size_t wlen = wname(www, "www.example.com.");
	const struct enc_tmpl *t;
	ldns_pkt *p;

	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_CNAME, 60, www, (uint16_t)wlen);
	enc_rrset_end(e);
	enc_rr(e, www, WIRE_T_A, 60, A1, 4);
	t = finish();
	p = emit(t, "example.com.", WIRE_T_A);
	cr_assert_str_eq(rr_text(ldns_pkt_answer(p), 1),
	    "www.example.com.\t60\tIN\tA\t192.0.2.1");
	/* CNAME: ptr 2 + 10 + "www"+ptr 6; A: owner should be a ptr */
	cr_assert_eq(t->len, 18 + 2 + 10 + 4, "A owner not compressed");
}

/* ---- relocation ---- */

Test(enc, relocatable_template_decodes_for_longer_qnames)
{
	static const char *qnames[] = { "example.com.", "a.example.com.",
	    "Foo.Bar.example.COM.",
	    "a-very-long-label-of-sixty-three-bytes-xxxxxxxxxxxxxxxxxxxxxxxx"
	    ".b.c.d.e.f.g.example.com." };
	uint8_t base[DNAME_MAXLEN], mx[2 + DNAME_MAXLEN], ns[DNAME_MAXLEN];
	size_t blen = wname(base, "example.com.");
	size_t mxlen = 2 + wname(mx + 2, "mail.example.com.");
	size_t nslen = wname(ns, "ns1.example.com.");
	const struct enc_tmpl *t;
	size_t i;

	mx[0] = 0;
	mx[1] = 5;
	enc_begin(e, base, blen, true);
	enc_rr(e, NULL, WIRE_T_MX, 60, mx, (uint16_t)mxlen);
	enc_rrset_end(e);
	enc_section(e, ENC_NS);
	enc_rr(e, base, WIRE_T_NS, 60, ns, (uint16_t)nslen);
	enc_rrset_end(e);
	enc_section(e, ENC_AR);
	enc_rr(e, mx + 2, WIRE_T_A, 60, A1, 4);
	enc_rr(e, ns, WIRE_T_A, 60, A1, 4);
	t = finish();
	cr_assert_gt(t->nreloc, 0);
	cr_assert_eq(t->base_qlen, blen);
	for (i = 1; i < t->nreloc; i++)
		cr_assert_lt(t->reloc[i - 1], t->reloc[i], "ascending");
	for (i = 0; i < sizeof(qnames) / sizeof(qnames[0]); i++) {
		ldns_pkt *p = emit(t, qnames[i], WIRE_T_MX);
		char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(
		    ldns_pkt_answer(p), 0)));
		int c = strcmp(owner, qnames[i]);

		LDNS_FREE(owner);
		cr_assert_eq(c, 0, "owner for %s: case kept", qnames[i]);
		cr_assert_str_eq(strchr(rr_text(ldns_pkt_answer(p), 0), '\t'),
		    "\t60\tIN\tMX\t5 mail.example.com.");
		cr_assert_str_eq(rr_text(ldns_pkt_authority(p), 0),
		    "example.com.\t60\tIN\tNS\tns1.example.com.");
		cr_assert_str_eq(rr_text(ldns_pkt_additional(p), 0),
		    "mail.example.com.\t60\tIN\tA\t192.0.2.1");
		cr_assert_str_eq(rr_text(ldns_pkt_additional(p), 1),
		    "ns1.example.com.\t60\tIN\tA\t192.0.2.1");
	}
}

/* ---- cuts ---- */

Test(enc, cuts_at_rrset_ends)
{
	uint8_t qn[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	const struct enc_tmpl *t;

	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	enc_rrset_end(e);
	enc_rrset_end(e);		/* nothing new: no second cut */
	enc_section(e, ENC_AR);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	t = finish();			/* finish ends the last RRset */
	cr_assert_eq(t->ncut, 3);
	cr_assert_eq(t->cut[0].end, 0);
	cr_assert_eq(t->cut[0].an, 0);
	cr_assert_eq(t->cut[1].end, 32);
	cr_assert_eq(t->cut[1].an, 2);
	cr_assert_eq(t->cut[1].ar, 0);
	cr_assert_eq(t->cut[2].end, 48);
	cr_assert_eq(t->cut[2].ar, 1);
	cr_assert_eq(t->cut[2].end, t->len);
}

Test(enc, required_additional)
{
	uint8_t qn[DNAME_MAXLEN];
	size_t qlen = wname(qn, "example.com.");
	const struct enc_tmpl *t;

	enc_begin(e, qn, qlen, true);
	enc_section(e, ENC_AR);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	enc_rrset_end(e);
	enc_mark_required(e);
	enc_rr(e, qn, WIRE_T_A, 60, A1, 4);
	t = finish();
	cr_assert_eq(t->ar, 2);
	cr_assert_eq(t->ar_req, 1);
}

Test(enc, too_big_fails)
{
	uint8_t qn[DNAME_MAXLEN], txt[256];
	size_t qlen = wname(qn, "example.com."), i;
	const char *why = NULL;

	memset(txt, 'x', sizeof(txt));
	txt[0] = 255;
	enc_begin(e, qn, qlen, false);
	for (i = 0; i < 260; i++)	/* 260 * 268 > 65535 */
		enc_rr(e, qn, WIRE_T_TXT, 60, txt, sizeof(txt));
	cr_assert_null(enc_finish(e, &a, &why));
	cr_assert_not_null(why);
	/* the encoder is usable again after enc_begin() */
	enc_begin(e, qn, qlen, false);
	enc_rr(e, qn, WIRE_T_TXT, 60, txt, sizeof(txt));
	cr_assert_not_null(enc_finish(e, &a, &why));
}

/* ---- enc_rdata_target ---- */

Test(enc, rdata_target)
{
	uint8_t rd[64];
	size_t n;

	n = wname(rd, "ns1.example.com.");
	cr_assert_eq(enc_rdata_target(WIRE_T_NS, rd, (uint16_t)n), 0);
	cr_assert_eq(enc_rdata_target(WIRE_T_A, rd, (uint16_t)n), -1);
	cr_assert_eq(enc_rdata_target(WIRE_T_CNAME, rd, (uint16_t)n), -1);
	cr_assert_eq(enc_rdata_target(WIRE_T_NS, rd, (uint16_t)(n - 1)), -1,
	    "name cut short");
	n = 2 + wname(rd + 2, "mx.example.com.");
	cr_assert_eq(enc_rdata_target(WIRE_T_MX, rd, (uint16_t)n), 2);
	cr_assert_eq(enc_rdata_target(WIRE_T_MX, rd, 2), -1);
	n = 6 + wname(rd + 6, "sip.example.com.");
	cr_assert_eq(enc_rdata_target(WIRE_T_SRV, rd, (uint16_t)n), 6);
	cr_assert_eq(enc_rdata_target(WIRE_T_SRV, rd, 5), -1);
}
