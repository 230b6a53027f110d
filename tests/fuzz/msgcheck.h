/*
 * msgcheck.h -- a strict, independent reader of DNS responses, for fuzzers.
 *
 * msgcheck_parse() walks a whole message the way a picky resolver would:
 * the header counts must match the sections exactly, every name must be
 * at most 255 bytes expanded, every compression pointer must point
 * backwards at the start of a label already read, every RDATA must lie
 * inside the message and the names in the RDATA of the RFC 1035 types
 * must fill it exactly.  It shares no code with src/ on purpose (only the
 * wire_get*() helpers), allocates nothing and is not thread-safe (one
 * static bitmap of label offsets).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_MSGCHECK_H
#define MUSTER_MSGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msgcheck {
	uint16_t	 id;
	uint16_t	 flags;
	uint16_t	 count[4];	/* QD, AN, NS, AR */
	size_t		 q_end;		/* offset past the question section */
	size_t		 sec_end[4];	/* past each section: QD, AN, NS, AR */
	size_t		 opt_off;	/* offset of the OPT record, or 0 */
	uint16_t	 opt_class;	/* its payload size field */
	uint32_t	 opt_ttl;	/* extended RCODE, version, flags */
	uint16_t	 qtype;		/* first question, if any */
	uint16_t	 qclass;
	uint8_t		 qname[255];	/* first question, expanded, lowercase */
	size_t		 qname_len;
	uint8_t		 an_owner[255];	/* first answer record's owner */
	size_t		 an_owner_len;
	uint16_t	 an_type;
	uint8_t		 ns_owner[255];	/* first authority record's owner */
	size_t		 ns_owner_len;
	uint16_t	 ns_type;
	unsigned	 not_in;	/* records of a class other than IN */
};

/*
 * Parse msg[0..len).  Returns NULL when the message is well formed (and
 * fills *out), else a static description of the first problem with its
 * offset in *where.
 */
const char *msgcheck_parse(const uint8_t *msg, size_t len,
    struct msgcheck *out, size_t *where);

/* Is name (lowercase wire, len bytes) equal to or below parent? */
bool msgcheck_is_sub(const uint8_t *name, size_t len, const uint8_t *parent,
    size_t plen);

/*
 * Check a response against the query that produced it and abort() with
 * a hex dump of both when it is malformed or does not belong to the
 * query.  limit: the size the response had to fit in.  label: for the
 * message ("udp", "tcp").
 */
void msgcheck_response(const uint8_t *query, size_t qlen,
    const uint8_t *resp, size_t rlen, size_t limit, const char *label,
    struct msgcheck *out);

/*
 * The UDP response to a query must be its TCP response, or a truncation
 * of it: the same header but for TC and the counts, the same records up
 * to where it stops, TC set when answer or authority records were left
 * out.  The TCP response is never truncated.  AXFR is exempt (NOTIMP
 * over UDP only).  Both were checked by
 * msgcheck_response() into mu and mt.  abort() when not.
 */
void msgcheck_pair(const uint8_t *query, size_t qlen, const uint8_t *u,
    size_t nu, const struct msgcheck *mu, const uint8_t *t, size_t nt,
    const struct msgcheck *mt);

/*
 * msgcheck_pair() for answers whose additional section follows the
 * answer records that fit (SRV records and the addresses of their
 * targets): the UDP response must be the TCP one, or have the same
 * header but TC and the counts, the same OPT, and answer and authority
 * records that are a prefix of the TCP ones, with TC set when answer or
 * authority records were left out.  AXFR is exempt, as for
 * msgcheck_pair().  abort() when not.
 */
void msgcheck_pair_prefix(const uint8_t *query, size_t qlen, const uint8_t *u,
    size_t nu, const struct msgcheck *mu, const uint8_t *t, size_t nt,
    const struct msgcheck *mt);

/* Print what, the query and the response to stderr, then abort(). */
void msgcheck_fail(const char *what, const uint8_t *query, size_t qlen,
    const uint8_t *resp, size_t rlen) __attribute__((noreturn));

#endif /* MUSTER_MSGCHECK_H */
