/*
 * answer.c -- turn one query packet into one response packet.
 *
 * Decisions, in order (NSD and Knot agree on these):
 *  - unparseable (wire.c): drop, FORMERR or NOTIMP;
 *  - EDNS version above 0: BADVERS (RFC 6891 6.1.3);
 *  - class other than IN (or ANY): REFUSED;
 *  - zone transfers: REFUSED; OPT as a question type: FORMERR; other
 *    meta types (TKEY, TSIG, MAILA, MAILB): NOTIMP;
 *  - a registry name under the domain: registry.c encodes the answer;
 *    its NXDOMAIN and NODATA come from the domain zone's templates;
 *  - a name in none of the zones: REFUSED (we do not recurse);
 *  - otherwise the template from db_lookup().
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <string.h>

#include "acl.h"
#include "answer.h"
#include "db.h"
#include "registry.h"
#include "wire.h"

#define ANSWER_OPTLEN	11

/* The response header's flags: echo opcode, RD and CD; set QR (and RA). */
static uint16_t
answer_flags(const struct answer_ctx *ctx, const struct wire_query *q,
    unsigned rcode)
{
	return (uint16_t)(WIRE_QR | (q->flags & (0x7800 | WIRE_RD | WIRE_CD))
	    | (ctx->ra ? WIRE_RA : 0) | (rcode & 0xf));
}

static size_t
answer_opt(const struct answer_ctx *ctx, const struct wire_query *q,
    uint8_t *p, unsigned rcode)
{
	p[0] = 0;
	wire_put16(p + 1, WIRE_T_OPT);
	wire_put16(p + 3, ctx->udp_max);
	p[5] = (uint8_t)(rcode >> 4);
	p[6] = 0;
	wire_put16(p + 7, q->edns_do ? 0x8000 : 0);
	wire_put16(p + 9, 0);
	return ANSWER_OPTLEN;
}

/* A response without records: error RCODEs. */
static size_t
answer_error(struct answer_ctx *ctx, const struct wire_query *q,
    uint8_t *out, unsigned rcode)
{
	size_t n = WIRE_HDR;

	wire_put16(out, q->id);
	wire_put16(out + 2, answer_flags(ctx, q, rcode));
	memset(out + 4, 0, 8);
	if (q->have_question) {
		memcpy(out + WIRE_HDR, q->pkt + WIRE_HDR, q->q_end - WIRE_HDR);
		n = q->q_end;
		wire_put16(out + 4, 1);
	}
	if (q->edns) {
		n += answer_opt(ctx, q, out + n, rcode);
		wire_put16(out + 10, 1);
	}
	ctx->stats.rcode[rcode < ANSWER_RCODES ? rcode : 0]++;
	return n;
}

/* The last cut of t that fits in avail bytes. */
static const struct enc_cut *
answer_cut(const struct enc_tmpl *t, size_t avail)
{
	size_t lo = 0, hi = t->ncut;

	while (hi - lo > 1) {	/* cut[0].end == 0 always fits */
		size_t mid = (lo + hi) / 2;

		if (t->cut[mid].end <= avail)
			lo = mid;
		else
			hi = mid;
	}
	return &t->cut[lo];
}

static size_t
answer_emit(struct answer_ctx *ctx, const struct wire_query *q,
    const struct enc_tmpl *t, uint8_t *out, size_t limit)
{
	size_t opt = q->edns ? ANSWER_OPTLEN : 0;
	size_t avail = limit - q->q_end - opt, n = t->len, i;
	uint16_t an = t->an, ns = t->ns, ar = t->ar, flags;
	bool tc = false;

	if (n > avail) {
		const struct enc_cut *c = answer_cut(t, avail);

		tc = c->an < t->an || c->ns < t->ns || c->ar < t->ar_req;
		n = c->end;
		an = c->an;
		ns = c->ns;
		ar = c->ar;
		ctx->stats.truncated += tc;
	}
	flags = answer_flags(ctx, q, t->rcode);
	if (t->aa)
		flags |= WIRE_AA;
	if (tc)
		flags |= WIRE_TC;
	memcpy(out, q->pkt, q->q_end);
	wire_put16(out + 2, flags);
	wire_put16(out + 4, 1);
	wire_put16(out + 6, an);
	wire_put16(out + 8, ns);
	wire_put16(out + 10, (uint16_t)(ar + (opt ? 1 : 0)));
	out += q->q_end;
	memcpy(out, t->data, n);
	if (t->nreloc > 0 && q->qname_len != t->base_qlen) {
		uint16_t shift = (uint16_t)(q->qname_len - t->base_qlen);

		for (i = 0; i < t->nreloc && t->reloc[i] < n; i++) {
			uint8_t *p = out + t->reloc[i];

			wire_put16(p, (uint16_t)(wire_get16(p) + shift));
		}
	}
	if (opt)
		answer_opt(ctx, q, out + n, 0);
	ctx->stats.rcode[t->rcode]++;
	return q->q_end + n + opt;
}

/* A registry answer: records already written behind the question. */
static size_t
answer_reg(struct answer_ctx *ctx, const struct wire_query *q, uint8_t *out,
    const struct reg_out *ro)
{
	size_t opt = q->edns ? ANSWER_OPTLEN : 0;
	uint16_t flags = answer_flags(ctx, q, WIRE_RC_NOERROR) | WIRE_AA;

	if (ro->tc) {
		flags |= WIRE_TC;
		ctx->stats.truncated++;
	}
	memcpy(out, q->pkt, q->q_end);
	wire_put16(out + 2, flags);
	wire_put16(out + 4, 1);
	wire_put16(out + 6, ro->an);
	wire_put16(out + 8, 0);
	wire_put16(out + 10, (uint16_t)(ro->ar + (opt ? 1 : 0)));
	if (opt)
		answer_opt(ctx, q, out + q->q_end + ro->len, 0);
	ctx->stats.rcode[WIRE_RC_NOERROR]++;
	return q->q_end + ro->len + opt;
}

/* Ask the registry; 0 when the name is not one of its names. */
static size_t
answer_try_reg(struct answer_ctx *ctx, const struct wire_query *q,
    uint8_t *out, size_t limit)
{
	size_t opt = q->edns ? ANSWER_OPTLEN : 0, dlen;
	const uint8_t *dom;
	const struct enc_tmpl *t;
	struct reg_out ro;

	switch (reg_answer(ctx->reg, q, out + q->q_end, limit - q->q_end - opt,
	    &ctx->rng, &ro)) {
	case REG_ANSWER:
		return answer_reg(ctx, q, out, &ro);
	case REG_NXDOMAIN:
		dom = reg_domain(ctx->reg, &dlen);
		t = db_zone_negative(ctx->db, dom, dlen, true);
		break;
	case REG_NODATA:
		dom = reg_domain(ctx->reg, &dlen);
		t = db_zone_negative(ctx->db, dom, dlen, false);
		break;
	case REG_NOT_MINE:
	default:
		return 0;
	}
	if (t == NULL)
		return answer_error(ctx, q, out, WIRE_RC_SERVFAIL);
	return answer_emit(ctx, q, t, out, limit);
}

size_t
answer_query(struct answer_ctx *ctx, const uint8_t *pkt, size_t len,
    uint8_t *out, size_t outmax, bool tcp)
{
	struct wire_query *q = &ctx->q;
	const struct enc_tmpl *t;
	size_t limit;

	ctx->stats.queries[tcp]++;
	ctx->ra = ctx->recursion != NULL && ctx->client != NULL
	    && acl_match(ctx->recursion, ctx->client);
	switch (wire_parse(pkt, len, q)) {
	case WIRE_OK:
		break;
	case WIRE_FORMERR:
		if (len < WIRE_HDR)
			goto drop;
		return answer_error(ctx, q, out, WIRE_RC_FORMERR);
	case WIRE_NOTIMP:
		return answer_error(ctx, q, out, WIRE_RC_NOTIMP);
	case WIRE_DROP:
	default:
		goto drop;
	}
	ctx->stats.edns += q->edns;
	if (q->edns && q->edns_version > 0)
		return answer_error(ctx, q, out, WIRE_RC_BADVERS);
	if (q->qclass != WIRE_C_IN && q->qclass != WIRE_C_ANY)
		return answer_error(ctx, q, out, WIRE_RC_REFUSED);
	switch (q->qtype) {
	case WIRE_T_AXFR: case WIRE_T_IXFR:
		return answer_error(ctx, q, out, WIRE_RC_REFUSED);
	case WIRE_T_OPT:
		return answer_error(ctx, q, out, WIRE_RC_FORMERR);
	case WIRE_T_TKEY: case WIRE_T_TSIG: case WIRE_T_MAILA:
	case WIRE_T_MAILB:
		return answer_error(ctx, q, out, WIRE_RC_NOTIMP);
	default:
		break;
	}
	if (ctx->db == NULL)
		return answer_error(ctx, q, out, WIRE_RC_REFUSED);
	if (tcp)
		limit = WIRE_MAXMSG;
	else if (!q->edns || q->edns_udp < 512)
		limit = 512;
	else
		limit = q->edns_udp < ctx->udp_max ? q->edns_udp : ctx->udp_max;
	if (limit > outmax)
		limit = outmax;
	ctx->limit = limit;
	if (ctx->reg != NULL && (len = answer_try_reg(ctx, q, out, limit)) > 0)
		return len;
	if ((t = db_lookup(ctx->db, q)) != NULL)
		return answer_emit(ctx, q, t, out, limit);
	if (ctx->ra)
		return ANSWER_FORWARD;
	return answer_error(ctx, q, out, WIRE_RC_REFUSED);
drop:
	ctx->stats.dropped++;
	return 0;
}
