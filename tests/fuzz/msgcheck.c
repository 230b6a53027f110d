/*
 * msgcheck.c -- a strict, independent reader of DNS responses, for fuzzers.
 *
 * Label starts are remembered in a bitmap as the names are read in
 * message order; a compression pointer is accepted only when it points
 * strictly backwards at one of them, which is what a correct encoder
 * produces and what catches a relocated pointer that moved one byte too
 * far.  Names in RDATA are read only for the types whose layout is fixed
 * by RFC 1035 (compressible) or RFC 2782 (SRV, never compressed).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgcheck.h"
#include "wire.h"

static uint8_t msgcheck_starts[65536 / 8];

static void
msgcheck_mark(size_t off)
{
	msgcheck_starts[off >> 3] |= (uint8_t)(1u << (off & 7));
}

static bool
msgcheck_marked(size_t off)
{
	return (msgcheck_starts[off >> 3] >> (off & 7)) & 1;
}

static uint8_t
msgcheck_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/*
 * Read the name at *off.  Its own bytes must lie below lim; compression
 * (when allowed) may lead anywhere before it.  out gets the expanded
 * lowercase name (255 bytes suffice).  *off moves past the name.
 */
static const char *
msgcheck_name(const uint8_t *m, size_t lim, size_t *off, bool compress,
    uint8_t *out, size_t *outlen)
{
	size_t o = *off, n = 0, end = 0;
	bool jumped = false;

	for (;;) {
		uint8_t c;

		if (o >= lim) {
			*off = o;
			return "name runs past its end";
		}
		c = m[o];
		if ((c & 0xc0) == 0xc0) {
			size_t t;

			if (!compress)
				return "compression where none is allowed";
			if (o + 1 >= lim)
				return "pointer cut in half";
			t = (size_t)(c & 0x3f) << 8 | m[o + 1];
			if (t >= o) {
				*off = o;
				return "pointer not backwards";
			}
			if (!msgcheck_marked(t)) {
				*off = o;
				return "pointer not at a label start";
			}
			if (!jumped)
				end = o + 2;
			jumped = true;
			o = t;
			continue;
		}
		if ((c & 0xc0) != 0) {
			*off = o;
			return "label type 01 or 10";
		}
		if (n + c + 1 > 255) {
			*off = o;
			return "name longer than 255 bytes";
		}
		if (o + 1 + c > lim) {
			*off = o;
			return "label runs past its end";
		}
		if (!jumped)
			msgcheck_mark(o);
		out[n] = c;
		for (size_t i = 1; i <= c; i++)
			out[n + i] = msgcheck_lower(m[o + i]);
		n += (size_t)c + 1;
		if (c == 0) {
			if (!jumped)
				end = o + 1;
			break;
		}
		o += (size_t)c + 1;
	}
	*off = end;
	*outlen = n;
	return NULL;
}

/* The names of an RDATA of a type we know; rd..rend must be used up. */
static const char *
msgcheck_rdata(const uint8_t *m, size_t rd, size_t rend, uint16_t type)
{
	uint8_t name[255];
	size_t nlen, o = rd;
	const char *why;
	int names = 0;
	bool compress = true;

	switch (type) {
	case 1:
		return rend - rd == 4 ? NULL : "A RDATA not 4 bytes";
	case 28:
		return rend - rd == 16 ? NULL : "AAAA RDATA not 16 bytes";
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
	case 39:
		names = 1;
		compress = type != 39;
		break;
	case 6: case 14:
		names = 2;
		break;
	case 15: case 36:
		o += 2;
		names = 1;
		compress = type == 15;
		break;
	case 33:
		o += 6;
		names = 1;
		compress = false;
		break;
	case 16:
		while (o < rend)
			o += 1 + (size_t)m[o];
		return o == rend && rend > rd ? NULL : "TXT strings do not "
		    "fill the RDATA";
	default:
		return NULL;
	}
	if (o > rend)
		return "RDATA too short for its fixed fields";
	while (names-- > 0)
		if ((why = msgcheck_name(m, rend, &o, compress, name, &nlen))
		    != NULL)
			return why;
	if (type == 6)
		o += 20;
	return o == rend ? NULL : "RDATA length does not match its names";
}

/* Options of an OPT RDATA: (code, length, data) to the end. */
static const char *
msgcheck_options(const uint8_t *m, size_t rd, size_t rend)
{
	while (rd < rend) {
		if (rend - rd < 4)
			return "EDNS option header cut";
		if (rend - rd - 4 < wire_get16(m + rd + 2))
			return "EDNS option runs past the RDATA";
		rd += 4 + wire_get16(m + rd + 2);
	}
	return NULL;
}

static const char *
msgcheck_rr(const uint8_t *m, size_t len, size_t *off, int sec,
    struct msgcheck *out)
{
	uint8_t owner[255];
	size_t olen, start = *off, rd, rend;
	uint16_t type, rdlen;
	const char *why;

	if ((why = msgcheck_name(m, len, off, true, owner, &olen)) != NULL)
		return why;
	if (len - *off < 10) {
		*off = start;
		return "record header runs past the end";
	}
	type = wire_get16(m + *off);
	rdlen = wire_get16(m + *off + 8);
	rd = *off + 10;
	if (len - rd < rdlen) {
		*off = start;
		return "RDATA runs past the end";
	}
	rend = rd + rdlen;
	if (type == WIRE_T_OPT) {
		if (sec != 3 || out->opt_off != 0 || olen != 1) {
			*off = start;
			return "OPT not once, not in additional, or not at root";
		}
		out->opt_off = start;
		out->opt_class = wire_get16(m + *off + 2);
		out->opt_ttl = wire_get32(m + *off + 4);
		why = msgcheck_options(m, rd, rend);
	} else {
		if (wire_get16(m + *off + 2) != WIRE_C_IN)
			out->not_in++;
		if (out->opt_off != 0) {
			*off = start;
			return "record after the OPT";
		}
		why = msgcheck_rdata(m, rd, rend, type);
	}
	if (why != NULL) {
		*off = rd;
		return why;
	}
	if (sec == 1 && out->an_owner_len == 0) {
		memcpy(out->an_owner, owner, olen);
		out->an_owner_len = olen;
		out->an_type = type;
	} else if (sec == 2 && out->ns_owner_len == 0) {
		memcpy(out->ns_owner, owner, olen);
		out->ns_owner_len = olen;
		out->ns_type = type;
	}
	*off = rend;
	return NULL;
}

const char *
msgcheck_parse(const uint8_t *m, size_t len, struct msgcheck *out,
    size_t *where)
{
	size_t off = WIRE_HDR, i;
	const char *why = NULL;
	int sec;

	memset(out, 0, sizeof(*out));
	*where = 0;
	if (len < WIRE_HDR)
		return "shorter than a header";
	if (len > WIRE_MAXMSG)
		return "longer than 65535 bytes";
	memset(msgcheck_starts, 0, (len >> 3) + 1);
	out->id = wire_get16(m);
	out->flags = wire_get16(m + 2);
	for (i = 0; i < 4; i++)
		out->count[i] = wire_get16(m + 4 + 2 * i);
	for (i = 0; i < out->count[0]; i++) {
		uint8_t name[255];
		size_t nlen;

		if ((why = msgcheck_name(m, len, &off, true, name, &nlen))
		    != NULL)
			goto fail;
		if (len - off < 4) {
			why = "question type and class missing";
			goto fail;
		}
		if (i == 0) {
			memcpy(out->qname, name, nlen);
			out->qname_len = nlen;
			out->qtype = wire_get16(m + off);
			out->qclass = wire_get16(m + off + 2);
		}
		off += 4;
	}
	out->q_end = out->sec_end[0] = off;
	for (sec = 1; sec <= 3; sec++) {
		for (i = 0; i < out->count[sec]; i++)
			if ((why = msgcheck_rr(m, len, &off, sec, out)) != NULL)
				goto fail;
		out->sec_end[sec] = off;
	}
	if (off != len) {
		why = "bytes after the last record";
		goto fail;
	}
	return NULL;
fail:
	*where = off;
	return why;
}

bool
msgcheck_is_sub(const uint8_t *name, size_t len, const uint8_t *parent,
    size_t plen)
{
	while (len > plen) {
		len -= (size_t)name[0] + 1;
		name += name[0] + 1;
	}
	return len == plen && memcmp(name, parent, plen) == 0;
}

static void
msgcheck_hex(const char *label, const uint8_t *p, size_t len)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", label, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", p[i]);
	fputc('\n', stderr);
}

void
msgcheck_fail(const char *what, const uint8_t *query, size_t qlen,
    const uint8_t *resp, size_t rlen)
{
	fprintf(stderr, "msgcheck: %s\n", what);
	if (query != NULL)
		msgcheck_hex("query", query, qlen);
	if (resp != NULL)
		msgcheck_hex("response", resp, rlen);
	abort();
}

void
msgcheck_response(const uint8_t *query, size_t qlen, const uint8_t *resp,
    size_t rlen, size_t limit, const char *label, struct msgcheck *out)
{
	char what[256];
	const char *why;
	size_t where;
	uint16_t qflags;

#define FAIL(...) do {							\
	snprintf(what, sizeof(what), __VA_ARGS__);			\
	msgcheck_fail(what, query, qlen, resp, rlen);			\
} while (0)

	if (rlen > limit)
		FAIL("%s: response of %zu bytes over the limit %zu", label, rlen,
		    limit);
	if ((why = msgcheck_parse(resp, rlen, out, &where)) != NULL)
		FAIL("%s: malformed response: %s at offset %zu", label, why,
		    where);
	if (qlen < WIRE_HDR)
		FAIL("%s: answered a packet shorter than a header", label);
	qflags = wire_get16(query + 2);
	if (out->id != wire_get16(query))
		FAIL("%s: ID %04x, query had %04x", label, out->id,
		    wire_get16(query));
	if (!(out->flags & WIRE_QR))
		FAIL("%s: QR not set", label);
	if (qflags & WIRE_QR)
		FAIL("%s: answered a response", label);
	if ((out->flags ^ qflags) & (0x7800 | WIRE_RD))
		FAIL("%s: opcode or RD not echoed", label);
	if (out->count[0] > 1)
		FAIL("%s: QDCOUNT %u", label, out->count[0]);
	if (out->count[0] == 1 && (out->q_end > qlen
	    || memcmp(resp + WIRE_HDR, query + WIRE_HDR,
	    out->q_end - WIRE_HDR) != 0))
		FAIL("%s: question not echoed byte for byte", label);
	if (out->count[1] > 0 && !msgcheck_is_sub(out->qname,
	    out->qname_len, out->an_owner, out->an_owner_len))
		FAIL("%s: first answer record owned by neither the question "
		    "name nor a DNAME above it", label);
	if (out->count[1] == 0 && out->count[2] > 0 && !msgcheck_is_sub(
	    out->qname, out->qname_len, out->ns_owner, out->ns_owner_len))
		FAIL("%s: authority record owner not above the question name",
		    label);
	if (out->not_in > 0)
		FAIL("%s: %u records of a class other than IN", label,
		    out->not_in);
#undef FAIL
}

void
msgcheck_pair(const uint8_t *query, size_t qlen, const uint8_t *u,
    size_t nu, const struct msgcheck *mu, const uint8_t *t, size_t nt,
    const struct msgcheck *mt)
{
	size_t ou = mu->opt_off ? nu - mu->opt_off : 0;
	size_t ot = mt->opt_off ? nt - mt->opt_off : 0;

	if (mt->flags & WIRE_TC)
		msgcheck_fail("tcp response truncated", query, qlen, t, nt);
	if (nu == nt && memcmp(u, t, nu) == 0)
		return;
	if (mu->count[0] == 1 && mu->qtype == WIRE_T_AXFR)
		return;		/* NOTIMP over UDP (RFC 5936 4.2) */
	if (ou != ot || nu > nt)
		msgcheck_fail("udp and tcp differ in OPT, or udp is longer",
		    query, qlen, u, nu);
	if (((mu->flags ^ mt->flags) & ~WIRE_TC) != 0)
		msgcheck_fail("udp and tcp headers differ beyond TC", query,
		    qlen, u, nu);
	if (mu->count[0] != mt->count[0] || mu->count[1] > mt->count[1]
	    || mu->count[2] > mt->count[2] || mu->count[3] > mt->count[3])
		msgcheck_fail("udp has records tcp does not", query, qlen, u,
		    nu);
	if (memcmp(u + WIRE_HDR, t + WIRE_HDR, nu - ou - WIRE_HDR) != 0)
		msgcheck_fail("udp is not a prefix of tcp", query, qlen, u, nu);
	if ((mu->count[1] < mt->count[1] || mu->count[2] < mt->count[2])
	    && !(mu->flags & WIRE_TC))
		msgcheck_fail("udp lost answer or authority records without TC",
		    query, qlen, u, nu);
}

void
msgcheck_pair_prefix(const uint8_t *query, size_t qlen, const uint8_t *u,
    size_t nu, const struct msgcheck *mu, const uint8_t *t, size_t nt,
    const struct msgcheck *mt)
{
	size_t ou = mu->opt_off ? nu - mu->opt_off : 0;
	size_t ot = mt->opt_off ? nt - mt->opt_off : 0;
	size_t an = mu->sec_end[1], ns = mu->sec_end[2] - an;

	if (mt->flags & WIRE_TC)
		msgcheck_fail("tcp response truncated", query, qlen, t, nt);
	if (nu == nt && memcmp(u, t, nu) == 0)
		return;
	if (mu->count[0] == 1 && mu->qtype == WIRE_T_AXFR)
		return;		/* NOTIMP over UDP (RFC 5936 4.2) */
	if (ou != ot || (ou > 0 && memcmp(u + mu->opt_off, t + mt->opt_off,
	    ou) != 0))
		msgcheck_fail("udp and tcp differ in OPT", query, qlen, u, nu);
	if (((mu->flags ^ mt->flags) & ~WIRE_TC) != 0)
		msgcheck_fail("udp and tcp headers differ beyond TC", query,
		    qlen, u, nu);
	if (mu->count[0] != mt->count[0] || mu->count[1] > mt->count[1]
	    || mu->count[2] > mt->count[2])
		msgcheck_fail("udp has records tcp does not", query, qlen, u,
		    nu);
	if (an > mt->sec_end[1] || memcmp(u + WIRE_HDR, t + WIRE_HDR,
	    an - WIRE_HDR) != 0)
		msgcheck_fail("udp answer records are not a prefix of tcp's",
		    query, qlen, u, nu);
	if (mu->count[1] == mt->count[1] && (ns > mt->sec_end[2] - an
	    || memcmp(u + an, t + an, ns) != 0))
		msgcheck_fail("udp authority records are not a prefix of tcp's",
		    query, qlen, u, nu);
	if ((mu->count[1] < mt->count[1] || mu->count[2] < mt->count[2])
	    && !(mu->flags & WIRE_TC))
		msgcheck_fail("udp lost answer or authority records without TC",
		    query, qlen, u, nu);
}
