/*
 * test_wire.c -- unit tests for wire.c: the query parser.
 *
 * Every packet here is written out as literal bytes (NSD cutest_dname.c
 * style), so a test shows exactly what reaches wire_parse().  Covers the
 * accepted shapes (with and without OPT, the DO bit, case kept in the
 * packet and folded in q->qname, label offsets) and every rejection in
 * the order wire.c documents: DROP first; then the whole message must
 * parse (FORMERR, echoing what parsed); then QDCOUNT 1; then the opcode
 * (NOTIMP, with question and OPT filled in for the echo).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "wire.h"

/* Header: ID 0x1234, RD, QDCOUNT 1, others 0. */
#define HDR_RD1(ar)	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, \
			0x00, 0x00, 0x00, (ar)
/* "wWw.Example.COM." as written by a 0x20-randomising resolver. */
#define QNAME_WWW	0x03, 'w', 'W', 'w', 0x07, 'E', 'x', 'a', 'm', 'p', \
			'l', 'e', 0x03, 'C', 'O', 'M', 0x00
#define T_A_IN		0x00, 0x01, 0x00, 0x01
/* OPT: root owner, type 41, class = payload, ext-rcode, version, flags */
#define OPT(udp_hi, udp_lo, ver, flags_hi) 0x00, 0x00, 0x29, (udp_hi), \
			(udp_lo), 0x00, (ver), (flags_hi), 0x00

static struct wire_query q;

#define PARSE(pkt)	wire_parse((pkt), sizeof(pkt), &q)

/* ---- accepted queries ---- */

Test(wire, parses_plain_query)
{
	static const uint8_t pkt[] = { HDR_RD1(0), QNAME_WWW, T_A_IN };
	static const uint8_t lower[] = { 0x03, 'w', 'w', 'w', 0x07, 'e', 'x',
	    'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_eq(q.id, 0x1234);
	cr_assert_eq(q.flags, WIRE_RD);
	cr_assert_eq(q.qtype, WIRE_T_A);
	cr_assert_eq(q.qclass, WIRE_C_IN);
	cr_assert(q.have_question);
	cr_assert_eq(q.qname_len, 17);
	cr_assert_eq(q.q_end, 12 + 17 + 4);
	cr_assert_arr_eq(q.qname, lower, sizeof(lower));
	cr_assert_not(q.edns);
	cr_assert_eq(q.pkt, pkt);
	cr_assert_eq(q.len, sizeof(pkt));
}

Test(wire, keeps_case_in_packet_lowercases_qname)
{
	static const uint8_t pkt[] = { HDR_RD1(0), QNAME_WWW, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	/* the packet is not written to: 0x20 case survives for the echo */
	cr_assert_eq(pkt[12 + 2], 'W');
	cr_assert_eq(pkt[12 + 5], 'E');
	cr_assert_eq(q.qname[2], 'w');
	cr_assert_eq(q.qname[5], 'e');
	cr_assert_eq(q.qname[13], 'c');
	cr_assert_eq(q.qname[14], 'o');
}

Test(wire, label_offsets)
{
	static const uint8_t pkt[] = { HDR_RD1(0), QNAME_WWW, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_eq(q.nlabels, 3);
	cr_assert_eq(q.label_off[0], 0);
	cr_assert_eq(q.label_off[1], 4);
	cr_assert_eq(q.label_off[2], 12);
	cr_assert_eq(q.label_off[3], 16, "the root label's offset");
}

Test(wire, parses_root_qname)
{
	static const uint8_t pkt[] = { HDR_RD1(0), 0x00, 0x00, 0x02, 0x00,
	    0x01 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_eq(q.qname_len, 1);
	cr_assert_eq(q.nlabels, 0);
	cr_assert_eq(q.label_off[0], 0);
	cr_assert_eq(q.qname[0], 0);
	cr_assert_eq(q.qtype, WIRE_T_NS);
}

Test(wire, parses_opt)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x10, 0x00, 0, 0x00), 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert(q.edns);
	cr_assert_not(q.edns_do);
	cr_assert_eq(q.edns_udp, 4096);
	cr_assert_eq(q.edns_version, 0);
	cr_assert_eq(q.q_end, 12 + 17 + 4, "q_end stops at the question");
}

Test(wire, parses_do_bit)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x80), 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert(q.edns);
	cr_assert(q.edns_do);
	cr_assert_eq(q.edns_udp, 1232);
}

Test(wire, parses_edns_version)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x02, 0x00, 1, 0x00), 0x00, 0x00 };

	/* BADVERS is answer.c's decision; the parser only reports it */
	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_eq(q.edns_version, 1);
	cr_assert_eq(q.edns_udp, 512);
}

Test(wire, parses_opt_with_options)
{
	/* cookie (10) with 8 bytes, then an empty option 12 (padding) */
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 16,
	    0x00, 0x0a, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
	    0x00, 0x0c, 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert(q.edns);
}

Test(wire, accepts_other_additional_with_back_pointer)
{
	/* an A record owned by a pointer to the question name (offset 12) */
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_not(q.edns);
}

Test(wire, accepts_opt_after_other_record)
{
	static const uint8_t pkt[] = { HDR_RD1(2), QNAME_WWW, T_A_IN,
	    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1,
	    OPT(0x04, 0xd0, 0, 0x80), 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert(q.edns);
	cr_assert(q.edns_do);
}

Test(wire, accepts_name_of_255_bytes)
{
	uint8_t pkt[12 + 255 + 4];
	size_t o = 12;
	int i;

	/* labels of 63, 63, 63, 61 bytes: 64 * 3 + 62 + 1 = 255 */
	memcpy(pkt, (const uint8_t[]){ HDR_RD1(0) }, 12);
	for (i = 0; i < 4; i++) {
		size_t n = i < 3 ? 63 : 61;

		pkt[o++] = (uint8_t)n;
		memset(pkt + o, 'A', n);
		o += n;
	}
	pkt[o++] = 0;
	memcpy(pkt + o, (const uint8_t[]){ T_A_IN }, 4);
	o += 4;
	cr_assert_eq(o, sizeof(pkt));
	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_eq(q.qname_len, 255);
	cr_assert_eq(q.nlabels, 4);
	cr_assert_eq(q.qname[1], 'a');
}

Test(wire, accepts_127_labels)
{
	uint8_t pkt[12 + 255 + 4];
	size_t o = 12;
	int i;

	memcpy(pkt, (const uint8_t[]){ HDR_RD1(0) }, 12);
	for (i = 0; i < 127; i++) {
		pkt[o++] = 1;
		pkt[o++] = 'x';
	}
	pkt[o++] = 0;
	memcpy(pkt + o, (const uint8_t[]){ T_A_IN }, 4);
	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert_eq(q.nlabels, 127);
	cr_assert_eq(q.label_off[126], 252);
	cr_assert_eq(q.label_off[127], 254);
}

/* ---- dropped ---- */

Test(wire, drops_empty)
{
	cr_assert_eq(wire_parse((const uint8_t *)"", 0, &q), WIRE_DROP);
}

Test(wire, drops_11_bytes)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_DROP);
}

Test(wire, drops_response)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x81, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_DROP);
}

Test(wire, drops_response_even_with_other_errors)
{
	/* QR wins over opcode and counts: a response is never answered */
	static const uint8_t pkt[] = { 0x12, 0x34, 0xa8, 0x00, 0x00, 0x00,
	    0x00, 0x05, 0x00, 0x00, 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_DROP);
}

/* ---- NOTIMP ---- */

Test(wire, notimp_for_opcode_iquery)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x08, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_NOTIMP);
	cr_assert_eq(q.id, 0x1234, "the ID is filled for the answer");
	cr_assert_eq(WIRE_OPCODE(q.flags), 1);
}

Test(wire, notimp_fills_question_and_edns)
{
	/* opcode 2 (STATUS) with a question and an OPT: both are filled in
	   so that the NOTIMP answer can echo them (RFC 6891 7) */
	static const uint8_t pkt[] = { 0x12, 0x34, 0x10, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x80), 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_NOTIMP);
	cr_assert(q.have_question);
	cr_assert_eq(q.q_end, 12 + 17 + 4);
	cr_assert(q.edns);
	cr_assert(q.edns_do);
	cr_assert_eq(q.edns_udp, 1232);
}

Test(wire, formerr_before_notimp)
{
	/* a malformed message is FORMERR whatever its opcode */
	static const uint8_t pkt[] = { 0x12, 0x34, 0x10, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, T_A_IN, 0xff };
	static const uint8_t qd0[] = { 0x12, 0x34, 0x20, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_eq(PARSE(qd0), WIRE_FORMERR, "NOTIFY without a question");
}

Test(wire, notimp_for_opcode_notify_and_update)
{
	static uint8_t pkt[] = { 0xab, 0xcd, 0x20, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, 0x00, 0x06, 0x00,
	    0x01 };

	cr_assert_eq(PARSE(pkt), WIRE_NOTIMP, "opcode 4 (NOTIFY)");
	cr_assert_eq(q.id, 0xabcd);
	pkt[2] = 0x28;		/* opcode 5 (UPDATE) */
	cr_assert_eq(PARSE(pkt), WIRE_NOTIMP, "opcode 5 (UPDATE)");
	pkt[2] = 0x78;		/* opcode 15 */
	cr_assert_eq(PARSE(pkt), WIRE_NOTIMP, "opcode 15");
}

/* ---- FORMERR: header counts ---- */

Test(wire, rejects_qdcount_0)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.have_question);
	cr_assert_eq(q.id, 0x1234);
}

Test(wire, rejects_qdcount_2)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x02,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, T_A_IN,
	    QNAME_WWW, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.have_question);
}

Test(wire, rejects_qdcount_2_with_opt_keeps_edns)
{
	/* both questions and the OPT are walked before QDCOUNT is judged,
	   so the FORMERR can carry an OPT; no question is echoed */
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x02,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, QNAME_WWW, T_A_IN,
	    0x01, 'x', 0xc0, 0x0c, T_A_IN, OPT(0x04, 0xd0, 0, 0x00), 0, 0 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.have_question);
	cr_assert(q.edns);
}

Test(wire, accepts_answer_and_authority_records)
{
	/* ANCOUNT and NSCOUNT are not held against a query (Knot; an IXFR
	   query carries the client's SOA in the authority section) */
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
	    0x00, 0x01, 0x00, 0x01, 0x00, 0x01, QNAME_WWW, T_A_IN,
	    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1,
	    0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 2,
	    OPT(0x04, 0xd0, 0, 0x80), 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_OK);
	cr_assert(q.edns, "the OPT after them is found");
	cr_assert_eq(q.q_end, 12 + 17 + 4);
}

Test(wire, rejects_truncated_answer_record)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
	    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, T_A_IN,
	    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert(q.have_question);
}

Test(wire, rejects_missing_authority_record)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
	    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, QNAME_WWW, T_A_IN,
	    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_forward_pointer_in_answer_record)
{
	static const uint8_t pkt[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
	    0x00, 0x01, 0x00, 0x00, 0x00, 0x00, QNAME_WWW, T_A_IN,
	    0xc0, 0x22, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

/* ---- FORMERR: the question ---- */

Test(wire, rejects_compression_pointer_in_qname)
{
	/* "www" then a pointer back to the header: never valid in a qname */
	static const uint8_t pkt[] = { HDR_RD1(0), 0x03, 'w', 'w', 'w',
	    0xc0, 0x0c, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.have_question);
}

Test(wire, rejects_label_of_64)
{
	uint8_t pkt[12 + 1 + 64 + 1 + 4];

	memcpy(pkt, (const uint8_t[]){ HDR_RD1(0) }, 12);
	pkt[12] = 64;	/* 0x40: the reserved "extended label" type */
	memset(pkt + 13, 'a', 64);
	pkt[13 + 64] = 0;
	memcpy(pkt + 14 + 64, (const uint8_t[]){ T_A_IN }, 4);
	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_label_type_0x80)
{
	static const uint8_t pkt[] = { HDR_RD1(0), 0x80, 'a', 0x00, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_name_of_256_bytes)
{
	uint8_t pkt[12 + 256 + 4];
	size_t o = 12;
	int i;

	/* labels of 63, 63, 63, 62 bytes: 64 * 3 + 63 + 1 = 256 */
	memcpy(pkt, (const uint8_t[]){ HDR_RD1(0) }, 12);
	for (i = 0; i < 4; i++) {
		size_t n = i < 3 ? 63 : 62;

		pkt[o++] = (uint8_t)n;
		memset(pkt + o, 'a', n);
		o += n;
	}
	pkt[o++] = 0;
	memcpy(pkt + o, (const uint8_t[]){ T_A_IN }, 4);
	cr_assert_eq(o + 4, sizeof(pkt));
	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_128_labels)
{
	/* 128 one-byte labels: 257 bytes with the root */
	uint8_t pkt[12 + 257 + 4];
	size_t o = 12;
	int i;

	memcpy(pkt, (const uint8_t[]){ HDR_RD1(0) }, 12);
	for (i = 0; i < 128; i++) {
		pkt[o++] = 1;
		pkt[o++] = 'x';
	}
	pkt[o++] = 0;
	memcpy(pkt + o, (const uint8_t[]){ T_A_IN }, 4);
	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_truncated_label)
{
	static const uint8_t pkt[] = { HDR_RD1(0), 0x07, 'e', 'x', 'a' };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_name_without_root)
{
	static const uint8_t pkt[] = { HDR_RD1(0), 0x03, 'w', 'w', 'w' };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_missing_question)
{
	static const uint8_t pkt[] = { HDR_RD1(0) };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_truncated_type)
{
	static const uint8_t pkt[] = { HDR_RD1(0), QNAME_WWW, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.have_question);
}

Test(wire, rejects_truncated_class)
{
	static const uint8_t pkt[] = { HDR_RD1(0), QNAME_WWW, 0x00, 0x01,
	    0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.have_question);
}

/* ---- FORMERR: the additional section ---- */

Test(wire, rejects_arcount_without_record)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert(q.have_question, "the question parsed and can be echoed");
	cr_assert_eq(q.qtype, WIRE_T_A);
}

Test(wire, rejects_truncated_rr_header)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    0x00, 0x00, 0x29, 0x04, 0xd0, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_truncated_rdata)
{
	/* RDLENGTH 5, two bytes present */
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 0x05, 0x00, 0x0a };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_forward_pointer_in_owner)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    0xc0, 0x30, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1 };

	/* the owner sits at offset 33; 0x30 = 48 points ahead of it */
	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_self_pointer_in_owner)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    0xc0, 0x21, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 60, 0x00, 0x04,
	    192, 0, 2, 1 };

	/* 0x21 = 33: the pointer's own offset */
	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_two_opts)
{
	static const uint8_t pkt[] = { HDR_RD1(2), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 0x00,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_opt_not_at_root)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    0x01, 'a', 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert_not(q.edns);
}

Test(wire, rejects_option_shorter_than_its_header)
{
	/* RDLENGTH 3: not even an option code and length */
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 0x03, 0x00, 0x0a, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_option_longer_than_rdata)
{
	/* option 10 claims 5 bytes, 4 follow inside RDLENGTH 8 */
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 0x08, 0x00, 0x0a, 0x00, 0x05,
	    1, 2, 3, 4 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_second_option_truncated)
{
	/* a good option, then two stray bytes */
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x00), 0x00, 0x06, 0x00, 0x0c, 0x00, 0x00,
	    0x00, 0x0a };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
}

Test(wire, rejects_trailing_garbage_after_question)
{
	static const uint8_t pkt[] = { HDR_RD1(0), QNAME_WWW, T_A_IN, 0x00 };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert(q.have_question);
}

Test(wire, rejects_trailing_garbage_after_opt)
{
	static const uint8_t pkt[] = { HDR_RD1(1), QNAME_WWW, T_A_IN,
	    OPT(0x04, 0xd0, 0, 0x80), 0x00, 0x00, 0xde, 0xad };

	cr_assert_eq(PARSE(pkt), WIRE_FORMERR);
	cr_assert(q.have_question);
	cr_assert(q.edns, "the OPT parsed, so a FORMERR can carry one");
}

/* ---- wire_skip_name ---- */

Test(wire, skip_name_plain)
{
	static const uint8_t pkt[] = { 0xff, 0x03, 'w', 'w', 'w', 0x00,
	    0xee };
	size_t off = 1;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), 0);
	cr_assert_eq(off, 6);
}

Test(wire, skip_name_root)
{
	static const uint8_t pkt[] = { 0x00 };
	size_t off = 0;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), 0);
	cr_assert_eq(off, 1);
}

Test(wire, skip_name_backward_pointer)
{
	/* "www.example." at 0, then "mail" + pointer to "example." at 4 */
	static const uint8_t pkt[] = { 0x03, 'w', 'w', 'w', 0x07, 'e', 'x',
	    'a', 'm', 'p', 'l', 'e', 0x00,
	    0x04, 'm', 'a', 'i', 'l', 0xc0, 0x04, 0x99 };
	size_t off = 13;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), 0);
	cr_assert_eq(off, 20, "stops after the pointer, never follows it");
}

Test(wire, skip_name_bare_pointer)
{
	static const uint8_t pkt[] = { 0x00, 0xc0, 0x00 };
	size_t off = 1;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), 0);
	cr_assert_eq(off, 3);
}

Test(wire, skip_name_rejects_forward_pointer)
{
	static const uint8_t pkt[] = { 0xc0, 0x02, 0x00 };
	size_t off = 0;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), -1);
	cr_assert_eq(off, 0, "off is left alone on failure");
}

Test(wire, skip_name_rejects_self_pointer)
{
	static const uint8_t pkt[] = { 0x00, 0x01, 'a', 0xc0, 0x03 };
	size_t off = 1;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), -1);
}

Test(wire, skip_name_rejects_pointer_cut_short)
{
	static const uint8_t pkt[] = { 0x00, 0x01, 'a', 0xc0 };
	size_t off = 1;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), -1);
}

Test(wire, skip_name_rejects_high_pointer_bits_into_future)
{
	/* 0xc1 0x00 is offset 256: beyond the name, a forward pointer */
	static const uint8_t pkt[] = { 0x00, 0xc1, 0x00 };
	size_t off = 1;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), -1);
}

Test(wire, skip_name_rejects_extended_label)
{
	static const uint8_t pkt[] = { 0x41, 'a', 0x00 };
	size_t off = 0;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), -1);
}

Test(wire, skip_name_rejects_running_off_the_end)
{
	static const uint8_t pkt[] = { 0x03, 'w', 'w', 'w', 0x03, 'c' };
	size_t off = 0;

	cr_assert_eq(wire_skip_name(pkt, sizeof(pkt), &off), -1);
}

Test(wire, skip_name_rejects_over_255_bytes)
{
	uint8_t pkt[300];
	size_t o = 0, off = 0;
	int i;

	for (i = 0; i < 4; i++) {	/* 63, 63, 63, 62: 256 with root */
		size_t n = i < 3 ? 63 : 62;

		pkt[o++] = (uint8_t)n;
		memset(pkt + o, 'a', n);
		o += n;
	}
	pkt[o++] = 0;
	cr_assert_eq(wire_skip_name(pkt, o, &off), -1);
	pkt[o - 2 - 62] = 61;		/* 61-byte last label: 255 */
	pkt[o - 2] = 0;
	off = 0;
	cr_assert_eq(wire_skip_name(pkt, o - 1, &off), 0);
	cr_assert_eq(off, 255);
}
