/*
 * answer.h -- turn one query packet into one response packet.
 *
 * answer_query() is the whole query path after the socket: parse
 * (wire.c), choose (db.c), emit (a template copied behind the query's own
 * header and question, so the question keeps its case), truncate at the
 * transport's limit, add the OPT record.  It writes only into the caller's
 * buffer and the counters, allocates nothing and makes no system call.
 * Every RCODE decision is made here (NSD query_formerr, in one place).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_ANSWER_H
#define MUSTER_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire.h"

struct acl;
struct db;
struct reg;

/* answer_query(): the query must be forwarded (ctx->q holds it). */
#define ANSWER_FORWARD	((size_t)-1)

#define ANSWER_RCODES	17	/* 0..15 and BADVERS */

/* Query types counted one by one; the rest count as "other". */
enum answer_qtype {
	ANSWER_QT_A, ANSWER_QT_NS, ANSWER_QT_CNAME, ANSWER_QT_SOA,
	ANSWER_QT_PTR, ANSWER_QT_MX, ANSWER_QT_TXT, ANSWER_QT_AAAA,
	ANSWER_QT_SRV, ANSWER_QT_ANY, ANSWER_QT_OTHER, ANSWER_QTYPES
};

/* Name of a counted query type ("A", ..., "other"). */
const char *answer_qtype_name(enum answer_qtype t);

/* Name of an RCODE (0..16) for metrics; NULL for unassigned ones. */
const char *answer_rcode_name(unsigned rcode);

/* Per-worker counters; each worker owns one, the main thread sums them. */
struct answer_stats {
	uint64_t	 queries[2];		/* by transport: 0 UDP, 1 TCP */
	uint64_t	 qtype[ANSWER_QTYPES];	/* parsed queries by type */
	uint64_t	 rcode[ANSWER_RCODES];
	uint64_t	 dropped;		/* malformed beyond answering */
	uint64_t	 truncated;
	uint64_t	 edns;
};

struct answer_ctx {
	const struct db	*db;		/* borrowed for one batch */
	const struct reg *reg;		/* borrowed for one batch, or NULL */
	const struct acl *recursion;	/* who may recurse; NULL: nobody */
	const struct sockaddr *client;	/* set per packet when recursion */
	uint16_t	 udp_max;	/* our EDNS payload size */
	uint64_t	 rng;		/* answer order; never 0 */
	bool		 ra;		/* this client may recurse */
	size_t		 limit;		/* the answer's size limit */
	struct wire_query q;		/* the query being answered */
	struct answer_stats stats;
};

/*
 * Answer pkt[0..len) into out[0..outmax).  tcp selects the size limit
 * (65535, else the requester's EDNS size or 512, at most udp_max).
 * Returns the response length, 0 when the packet gets no answer, or
 * ANSWER_FORWARD when the name is outside every zone and the client
 * (ctx->client, checked against ctx->recursion) may recurse: ctx->q then
 * holds the parsed query for fwd_query().  RA is set in every answer to
 * such a client.  outmax must be at least 65535 for TCP and udp_max for
 * UDP.
 */
size_t answer_query(struct answer_ctx *ctx, const uint8_t *pkt, size_t len,
    uint8_t *out, size_t outmax, bool tcp);

#endif /* MUSTER_ANSWER_H */
