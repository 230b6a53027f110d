/*
 * answer.c -- turn one query packet into one response packet.
 *
 * Decisions, in order (as NSD and Knot do; checked side by side in
 * tests/integration/compare):
 *  - unparseable (wire.c): drop or FORMERR; NOTIFY and UPDATE: NOTAUTH
 *    (we are no secondary and take no updates); other opcodes: NOTIMP;
 *  - EDNS version above 0: BADVERS (RFC 6891 6.1.3);
 *  - class other than IN (or ANY): REFUSED;
 *  - AXFR over UDP: NOTIMP (RFC 5936 4.2); a transfer of a name that is
 *    no zone apex: NOTAUTH; of a zone: REFUSED (no transfer ACL);
 *  - a registry name under the domain: registry.c encodes the answer;
 *    its NXDOMAIN and NODATA come from the domain zone's templates;
 *  - a name in none of the zones, or below one of their delegations:
 *    forwarded when the client may recurse and asked to (RD), else
 *    REFUSED (a referral) with Extended DNS Error 20, Not Authoritative
 *    (RFC 8914) when the query had EDNS;
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
#define ANSWER_EDELEN	6	/* option code, length, INFO-CODE */
#define ANSWER_EDE_NOTAUTH 20

const char *
answer_qtype_name(enum answer_qtype t)
{
	switch (t) {
	case ANSWER_QT_A: return "A";
	case ANSWER_QT_NS: return "NS";
	case ANSWER_QT_CNAME: return "CNAME";
	case ANSWER_QT_SOA: return "SOA";
	case ANSWER_QT_PTR: return "PTR";
	case ANSWER_QT_MX: return "MX";
	case ANSWER_QT_TXT: return "TXT";
	case ANSWER_QT_AAAA: return "AAAA";
	case ANSWER_QT_SRV: return "SRV";
	case ANSWER_QT_ANY: return "ANY";
	case ANSWER_QT_OTHER: return "other";
	case ANSWER_QTYPES: break;
	}
	return "other";
}

const char *
answer_rcode_name(unsigned rcode)
{
	static const char *names[ANSWER_RCODES] = { "NOERROR", "FORMERR",
	    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	    "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", NULL, NULL, NULL,
	    NULL, NULL, "BADVERS" };

	return rcode < ANSWER_RCODES ? names[rcode] : NULL;
}

static enum answer_qtype
answer_qtype_of(uint16_t t)
{
	switch (t) {
	case WIRE_T_A: return ANSWER_QT_A;
	case WIRE_T_NS: return ANSWER_QT_NS;
	case WIRE_T_CNAME: return ANSWER_QT_CNAME;
	case WIRE_T_SOA: return ANSWER_QT_SOA;
	case WIRE_T_PTR: return ANSWER_QT_PTR;
	case WIRE_T_MX: return ANSWER_QT_MX;
	case WIRE_T_TXT: return ANSWER_QT_TXT;
	case WIRE_T_AAAA: return ANSWER_QT_AAAA;
	case WIRE_T_SRV: return ANSWER_QT_SRV;
	case WIRE_T_ANY: return ANSWER_QT_ANY;
	default: return ANSWER_QT_OTHER;
	}
}

/*
 * The response header's flags: echo opcode and RD; set QR (and RA).  CD
 * is cleared, as an authoritative answer should (RFC 4035 3.1.6).
 */
static uint16_t
answer_flags(const struct answer_ctx *ctx, const struct wire_query *q,
    unsigned rcode)
{
	return (uint16_t)(WIRE_QR | (q->flags & (0x7800 | WIRE_RD))
	    | (ctx->ra ? WIRE_RA : 0) | (rcode & 0xf));
}

/* The OPT record, with an Extended DNS Error when ede is not 0. */
static size_t
answer_opt(const struct answer_ctx *ctx, const struct wire_query *q,
    uint8_t *p, unsigned rcode, uint16_t ede)
{
	p[0] = 0;
	wire_put16(p + 1, WIRE_T_OPT);
	wire_put16(p + 3, ctx->udp_max);
	p[5] = (uint8_t)(rcode >> 4);
	p[6] = 0;
	wire_put16(p + 7, q->edns_do ? 0x8000 : 0);
	if (ede == 0) {
		wire_put16(p + 9, 0);
		return ANSWER_OPTLEN;
	}
	wire_put16(p + 9, ANSWER_EDELEN);
	wire_put16(p + 11, 15);		/* EDE */
	wire_put16(p + 13, 2);
	wire_put16(p + 15, ede);
	return ANSWER_OPTLEN + ANSWER_EDELEN;
}

/* A response without records: error RCODEs, ede as in answer_opt(). */
static size_t
answer_error_ede(struct answer_ctx *ctx, const struct wire_query *q,
    uint8_t *out, unsigned rcode, uint16_t ede)
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
		n += answer_opt(ctx, q, out + n, rcode, ede);
		wire_put16(out + 10, 1);
	}
	ctx->stats.rcode[rcode < ANSWER_RCODES ? rcode : 0]++;
	return n;
}

static size_t
answer_error(struct answer_ctx *ctx, const struct wire_query *q,
    uint8_t *out, unsigned rcode)
{
	return answer_error_ede(ctx, q, out, rcode, 0);
}

/* Zone transfers: none, but with the RCODE NSD and Knot give. */
static size_t
answer_xfr(struct answer_ctx *ctx, const struct wire_query *q, uint8_t *out,
    bool tcp)
{
	if (q->qtype == WIRE_T_AXFR && !tcp)
		return answer_error(ctx, q, out, WIRE_RC_NOTIMP);
	if (ctx->db == NULL || db_zone_negative(ctx->db, q->qname,
	    q->qname_len, false) == NULL)
		return answer_error(ctx, q, out, WIRE_RC_NOTAUTH);
	return answer_error(ctx, q, out, WIRE_RC_REFUSED);
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
		answer_opt(ctx, q, out + n, 0, 0);
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
		answer_opt(ctx, q, out + q->q_end + ro->len, 0, 0);
	ctx->stats.rcode[WIRE_RC_NOERROR]++;
	return q->q_end + ro->len + opt;
}

/* A name below a DNAME: records made per query by db_dname_answer(). */
static size_t
answer_dname(struct answer_ctx *ctx, const struct wire_query *q,
    const struct db_dname *dn, uint8_t *out, size_t limit)
{
	size_t opt = q->edns ? ANSWER_OPTLEN : 0;
	struct db_dname_out r;
	uint16_t flags;

	db_dname_answer(ctx->db, dn, q, out + q->q_end, limit - q->q_end - opt,
	    &r);
	flags = answer_flags(ctx, q, r.rcode) | WIRE_AA;
	if (r.tc) {
		flags |= WIRE_TC;
		ctx->stats.truncated++;
	}
	memcpy(out, q->pkt, q->q_end);
	wire_put16(out + 2, flags);
	wire_put16(out + 4, 1);
	wire_put16(out + 6, r.an);
	wire_put16(out + 8, r.ns);
	wire_put16(out + 10, opt ? 1 : 0);
	if (opt)
		answer_opt(ctx, q, out + q->q_end + r.len, 0, 0);
	ctx->stats.rcode[r.rcode]++;
	return q->q_end + r.len + opt;
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
	const struct db_dname *dn;
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
		if (WIRE_OPCODE(q->flags) == WIRE_OP_NOTIFY
		    || WIRE_OPCODE(q->flags) == WIRE_OP_UPDATE)
			return answer_error(ctx, q, out, WIRE_RC_NOTAUTH);
		return answer_error(ctx, q, out, WIRE_RC_NOTIMP);
	case WIRE_DROP:
	default:
		goto drop;
	}
	ctx->stats.edns += q->edns;
	ctx->stats.qtype[answer_qtype_of(q->qtype)]++;
	if (q->edns && q->edns_version > 0)
		return answer_error(ctx, q, out, WIRE_RC_BADVERS);
	if (q->qclass != WIRE_C_IN && q->qclass != WIRE_C_ANY)
		return answer_error(ctx, q, out, WIRE_RC_REFUSED);
	if (q->qtype == WIRE_T_AXFR || q->qtype == WIRE_T_IXFR)
		return answer_xfr(ctx, q, out, tcp);
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
	t = db_lookup(ctx->db, q, &dn);
	/* a referral is no answer for a client that asked us to recurse */
	if (t != NULL && !(ctx->ra && (q->flags & WIRE_RD) && !t->aa
	    && t->rcode == WIRE_RC_NOERROR && t->an == 0))
		return answer_emit(ctx, q, t, out, limit);
	if (t == NULL && dn != NULL)
		return answer_dname(ctx, q, dn, out, limit);
	if (ctx->ra && (q->flags & WIRE_RD))
		return ANSWER_FORWARD;
	return answer_error_ede(ctx, q, out, WIRE_RC_REFUSED,
	    ANSWER_EDE_NOTAUTH);
drop:
	ctx->stats.dropped++;
	return 0;
}
