/*
 * wire.c -- parse and validate DNS queries.
 *
 * The whole message is walked first, so that even a query we refuse has
 * its question and OPT echoed (Knot's order):
 *  - fewer than 12 bytes, or QR set: drop, never answer;
 *  - every section must parse: names of uncompressed labels of at most
 *    63 bytes in the question, at most 255 bytes in all, pointers only
 *    backwards elsewhere; records within the message; at most one OPT,
 *    owned by the root, with well-formed options; nothing after the last
 *    record.  Otherwise FORMERR, echoing only what parsed before it;
 *  - QDCOUNT other than 1: FORMERR;
 *  - an opcode other than QUERY: WIRE_NOTIMP (answer.c picks the RCODE);
 *  - ANCOUNT and NSCOUNT are not held against a query (an IXFR query
 *    carries the client's SOA in the authority section), as in Knot.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <string.h>

#include "wire.h"

int
wire_skip_name(const uint8_t *pkt, size_t len, size_t *off)
{
	size_t o = *off, total = 0;

	for (;;) {
		uint8_t c;

		if (o >= len)
			return -1;
		c = pkt[o];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (o + 1 >= len)
				return -1;
			target = (size_t)(c & 0x3f) << 8 | pkt[o + 1];
			if (target >= o)	/* forwards or self: a loop */
				return -1;
			*off = o + 2;
			return 0;
		}
		if ((c & 0xc0) != 0)
			return -1;
		total += (size_t)c + 1;
		if (total > DNAME_MAXLEN)
			return -1;
		o += (size_t)c + 1;
		if (c == 0) {
			*off = o;
			return 0;
		}
	}
}

/* Parse the question name into q (lowercase copy, label offsets). */
static int
wire_parse_qname(const uint8_t *pkt, size_t len, struct wire_query *q)
{
	size_t o = WIRE_HDR, n = 0;
	unsigned labels = 0;

	for (;;) {
		uint8_t c;

		if (o >= len)
			return -1;
		c = pkt[o];
		if (c & 0xc0)		/* compression or extended label */
			return -1;
		if (n + (size_t)c + 1 > DNAME_MAXLEN || o + (size_t)c + 1 > len)
			return -1;
		if (c == 0)
			break;
		q->label_off[labels++] = (uint8_t)n;
		q->qname[n] = c;
		dname_copy_lower(q->qname + n + 1, pkt + o + 1, c);
		n += (size_t)c + 1;
		o += (size_t)c + 1;
	}
	q->qname[n++] = 0;
	q->qname_len = (uint8_t)n;
	q->nlabels = (uint8_t)labels;
	q->label_off[labels] = (uint8_t)(n - 1);
	return (int)(o + 1);
}

/* Check the options of an OPT record: a list of (code, len, data). */
static int
wire_check_options(const uint8_t *p, size_t rdlen)
{
	size_t o = 0;

	while (o < rdlen) {
		size_t olen;

		if (o + 4 > rdlen)
			return -1;
		olen = wire_get16(p + o + 2);
		if (o + 4 + olen > rdlen)
			return -1;
		o += 4 + olen;
	}
	return 0;
}

/* Skip count records from off (answer, authority); -1 when malformed. */
static int
wire_skip_rrs(const uint8_t *pkt, size_t len, size_t *off, unsigned count)
{
	unsigned i;

	for (i = 0; i < count; i++) {
		size_t rdlen;

		if (wire_skip_name(pkt, len, off) < 0 || *off + 10 > len)
			return -1;
		rdlen = wire_get16(pkt + *off + 8);
		if (*off + 10 + rdlen > len)
			return -1;
		*off += 10 + rdlen;
	}
	return 0;
}

/* Parse the additional section starting at off; fills the EDNS fields. */
static int
wire_parse_additional(const uint8_t *pkt, size_t len, size_t off,
    unsigned arcount, struct wire_query *q)
{
	unsigned i;

	for (i = 0; i < arcount; i++) {
		size_t owner = off, rdlen;
		uint16_t type;

		if (wire_skip_name(pkt, len, &off) < 0 || off + 10 > len)
			return -1;
		type = wire_get16(pkt + off);
		rdlen = wire_get16(pkt + off + 8);
		if (off + 10 + rdlen > len)
			return -1;
		if (type == WIRE_T_OPT) {
			if (q->edns || pkt[owner] != 0
			    || wire_check_options(pkt + off + 10, rdlen) < 0) {
				q->edns = false;
				return -1;
			}
			q->edns = true;
			q->edns_udp = wire_get16(pkt + off + 2);
			q->edns_udp_off = (uint16_t)(off + 2);
			q->edns_version = pkt[off + 5];
			q->edns_do = (pkt[off + 6] & 0x80) != 0;
		}
		off += 10 + rdlen;
	}
	return off == len ? 0 : -1;
}

enum wire_result
wire_parse(const uint8_t *pkt, size_t len, struct wire_query *q)
{
	unsigned qd, an, ns, i;
	size_t off = WIRE_HDR;
	int end;

	q->pkt = pkt;
	q->len = len;
	q->have_question = false;
	q->edns = false;
	q->edns_do = false;
	q->edns_version = 0;
	q->edns_udp = 0;
	if (len < WIRE_HDR)
		return WIRE_DROP;
	q->id = wire_get16(pkt);
	q->flags = wire_get16(pkt + 2);
	if (q->flags & WIRE_QR)
		return WIRE_DROP;
	qd = wire_get16(pkt + 4);
	an = wire_get16(pkt + 6);
	ns = wire_get16(pkt + 8);
	for (i = 0; i < qd; i++) {
		if (i == 0) {
			end = wire_parse_qname(pkt, len, q);
			if (end < 0 || (size_t)end + 4 > len)
				return WIRE_FORMERR;
			q->qtype = wire_get16(pkt + end);
			q->qclass = wire_get16(pkt + end + 2);
			q->q_end = (uint16_t)(end + 4);
			q->have_question = qd == 1;
			off = q->q_end;
		} else if (wire_skip_name(pkt, len, &off) < 0 || off + 4 > len) {
			return WIRE_FORMERR;
		} else {
			off += 4;
		}
	}
	if (wire_skip_rrs(pkt, len, &off, an + ns) < 0
	    || wire_parse_additional(pkt, len, off, wire_get16(pkt + 10), q) < 0)
		return WIRE_FORMERR;
	if (qd != 1)
		return WIRE_FORMERR;
	if (WIRE_OPCODE(q->flags) != WIRE_OP_QUERY)
		return WIRE_NOTIMP;
	return WIRE_OK;
}
