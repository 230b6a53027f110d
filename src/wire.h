/*
 * wire.h -- parse and validate DNS queries; DNS wire constants.
 *
 * wire_parse() is the only reader of client bytes.  It checks the whole
 * message (header, question, every record of the additional section) and
 * fills a struct wire_query that points into the caller's packet; the
 * packet must stay valid while the query is used.  Nothing is allocated.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_WIRE_H
#define MUSTER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"

#define WIRE_HDR	12
#define WIRE_MAXMSG	65535

/* header flag bits, in the 16-bit flags word */
#define WIRE_QR		0x8000
#define WIRE_AA		0x0400
#define WIRE_TC		0x0200
#define WIRE_RD		0x0100
#define WIRE_RA		0x0080
#define WIRE_Z		0x0040
#define WIRE_AD		0x0020
#define WIRE_CD		0x0010
#define WIRE_OPCODE(f)	(((f) >> 11) & 0xf)

enum wire_opcode { WIRE_OP_QUERY = 0, WIRE_OP_NOTIFY = 4, WIRE_OP_UPDATE = 5 };

enum wire_rcode {
	WIRE_RC_NOERROR = 0,
	WIRE_RC_FORMERR = 1,
	WIRE_RC_SERVFAIL = 2,
	WIRE_RC_NXDOMAIN = 3,
	WIRE_RC_NOTIMP = 4,
	WIRE_RC_REFUSED = 5,
	WIRE_RC_NOTAUTH = 9,
	WIRE_RC_BADVERS = 16	/* extended: needs OPT */
};

enum wire_type {
	WIRE_T_A = 1, WIRE_T_NS = 2, WIRE_T_CNAME = 5, WIRE_T_SOA = 6,
	WIRE_T_PTR = 12, WIRE_T_MX = 15, WIRE_T_TXT = 16, WIRE_T_AAAA = 28,
	WIRE_T_SRV = 33, WIRE_T_DNAME = 39, WIRE_T_OPT = 41, WIRE_T_DS = 43,
	WIRE_T_RRSIG = 46, WIRE_T_TKEY = 249, WIRE_T_TSIG = 250,
	WIRE_T_IXFR = 251, WIRE_T_AXFR = 252, WIRE_T_MAILB = 253,
	WIRE_T_MAILA = 254, WIRE_T_ANY = 255
};

enum wire_class { WIRE_C_IN = 1, WIRE_C_CH = 3, WIRE_C_NONE = 254,
	WIRE_C_ANY = 255 };

/* Outcome of wire_parse(): what the caller should do with the packet. */
enum wire_result {
	WIRE_OK = 0,	/* a well-formed query: answer it */
	WIRE_FORMERR,	/* answer FORMERR (question echoed if it parsed) */
	WIRE_NOTIMP,	/* an opcode we do not serve (NOTIMP, NOTAUTH) */
	WIRE_DROP	/* no answer: too short, or a response */
};

struct wire_query {
	const uint8_t	*pkt;		/* the packet, borrowed */
	size_t		 len;
	uint16_t	 id;
	uint16_t	 flags;
	uint16_t	 qtype;
	uint16_t	 qclass;
	bool		 have_question;	/* question parsed (echo it) */
	uint8_t		 qname_len;	/* wire bytes, root label included */
	uint8_t		 nlabels;	/* labels, root excluded */
	uint16_t	 q_end;		/* offset just past the question */
	uint8_t		 label_off[DNAME_MAXLABELS]; /* offset of each label */
	uint8_t		 qname[DNAME_MAXLEN]; /* lowercase copy */
	/* EDNS(0) */
	bool		 edns;		/* query had a valid OPT */
	bool		 edns_do;
	uint8_t		 edns_version;
	uint16_t	 edns_udp;	/* requester's payload size */
	uint16_t	 edns_udp_off;	/* where that size is in pkt */
};

/*
 * Parse and validate pkt[0..len).  Always fills q->id and q->flags when
 * len >= 12, the question fields (have_question) when there is exactly one
 * question and it parsed, and the EDNS fields when the whole message
 * parsed, so that a FORMERR or NOTIMP answer can echo them.
 */
enum wire_result wire_parse(const uint8_t *pkt, size_t len,
    struct wire_query *q);

static inline uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
	    | (uint32_t)p[2] << 8 | p[3];
}

static inline void
wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Skip a possibly compressed name at *off in pkt[0..len); pointers must
 * point backwards.  Returns 0 and advances *off, or -1 when malformed.
 */
int wire_skip_name(const uint8_t *pkt, size_t len, size_t *off);

#endif /* MUSTER_WIRE_H */
