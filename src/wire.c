/*
 * wire.c -- parse and validate DNS queries.
 *
 * Rules, in the order they are checked (NSD query_process, Knot
 * knot_pkt_parse):
 *  - fewer than 12 bytes, or QR set: drop, never answer;
 *  - an opcode other than QUERY: NOTIMP;
 *  - QDCOUNT other than 1, ANCOUNT or NSCOUNT not 0: FORMERR;
 *  - the question: uncompressed labels of at most 63 bytes, a name of at
 *    most 255 bytes, type and class present, else FORMERR;
 *  - every additional record must parse; at most one OPT, owned by the
 *    root, with well-formed options; else FORMERR;
 *  - bytes after the last record: FORMERR.
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

/* Parse the additional section starting at off; fills the EDNS fields. */
static enum wire_result
wire_parse_additional(const uint8_t *pkt, size_t len, size_t off,
    unsigned arcount, struct wire_query *q)
{
	unsigned i;

	for (i = 0; i < arcount; i++) {
		size_t owner = off, rdlen;
		uint16_t type;

		if (wire_skip_name(pkt, len, &off) < 0 || off + 10 > len)
			return WIRE_FORMERR;
		type = wire_get16(pkt + off);
		rdlen = wire_get16(pkt + off + 8);
		if (off + 10 + rdlen > len)
			return WIRE_FORMERR;
		if (type == WIRE_T_OPT) {
			if (q->edns || pkt[owner] != 0)
				return WIRE_FORMERR;
			if (wire_check_options(pkt + off + 10, rdlen) < 0)
				return WIRE_FORMERR;
			q->edns = true;
			q->edns_udp = wire_get16(pkt + off + 2);
			q->edns_version = pkt[off + 5];
			q->edns_do = (pkt[off + 6] & 0x80) != 0;
		}
		off += 10 + rdlen;
	}
	return off == len ? WIRE_OK : WIRE_FORMERR;
}

enum wire_result
wire_parse(const uint8_t *pkt, size_t len, struct wire_query *q)
{
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
	if (WIRE_OPCODE(q->flags) != WIRE_OP_QUERY)
		return WIRE_NOTIMP;
	if (wire_get16(pkt + 4) != 1 || wire_get16(pkt + 6) != 0
	    || wire_get16(pkt + 8) != 0)
		return WIRE_FORMERR;
	end = wire_parse_qname(pkt, len, q);
	if (end < 0 || (size_t)end + 4 > len)
		return WIRE_FORMERR;
	q->qtype = wire_get16(pkt + end);
	q->qclass = wire_get16(pkt + end + 2);
	q->q_end = (uint16_t)(end + 4);
	q->have_question = true;
	return wire_parse_additional(pkt, len, q->q_end, wire_get16(pkt + 10),
	    q);
}
