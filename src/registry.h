/*
 * registry.h -- the served copy of the service registry.
 *
 * The query side (any worker) calls reg_answer(): it recognises the
 * Consul-style names under the domain (<svc>.service, <tag>.<svc>.service,
 * _<svc>._<proto|tag>[.service], <node>.node, <hex>.addr, each with an
 * optional datacenter label) and encodes the answer straight from
 * immutable per-service objects, shuffled per query by weight (RFC 2782
 * selection).  It allocates nothing.
 *
 * The build side (the main thread only) makes those objects
 * (reg_svc_build, reg_node_build) and puts them into a registry with
 * reg_set_svc/reg_set_node: one pointer store per change, the replaced
 * object retired through qsbr.h.  Tables only ever gain entries, so a
 * reader probing them needs no lock.  A full reload builds a new registry
 * and swaps it in whole with reg_publish().
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_REGISTRY_H
#define MUSTER_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"
#include "record.h"
#include "wire.h"

#define REG_MAXITEMS	4096	/* served instances per service */

struct reg;
struct reg_svc;
struct reg_node;
struct reg_ptr;

struct reg_settings {
	uint8_t		 domain[DNAME_MAXLEN];	/* lowercase wire */
	uint8_t		 domain_len;
	char		 local_dc[REC_LABEL];
	bool		 only_passing;
	unsigned	 panic_pct;	/* 0: off */
	unsigned	 answer_limit;	/* 0: as many as fit */
	uint32_t	 service_ttl;	/* when an instance has none */
	uint32_t	 node_ttl;
};

/* One instance of a service as the model hands it to the builder. */
struct reg_member {
	const struct rec_inst	*rec;
	bool			 node_target;	/* address is its node's */
};

enum reg_result {
	REG_NOT_MINE = 0,	/* not a registry name: try the zones */
	REG_NXDOMAIN,
	REG_NODATA,
	REG_ANSWER
};

struct reg_out {
	size_t		 len;		/* bytes written after the question */
	uint16_t	 an, ar;
	bool		 tc;
};

/* ---- query side ---- */

/* The current registry, or NULL.  Valid until the next quiescent state. */
const struct reg *reg_current(void);

/*
 * Answer q from r.  out points just past the question (offset q->q_end
 * in the message) with avail bytes of room.  rng is the caller's random
 * state.  On REG_ANSWER, *ro tells what was written.
 */
enum reg_result reg_answer(const struct reg *r, const struct wire_query *q,
    uint8_t *out, size_t avail, uint64_t *rng, struct reg_out *ro);

/* The registry's domain (lowercase wire) and its length. */
const uint8_t *reg_domain(const struct reg *r, size_t *len);

/* ---- build side (main thread) ---- */

struct reg *reg_new(const struct reg_settings *s);

/* Free a registry and everything in it (qsbr callback signature). */
void reg_free(void *r);

/* Make r current; the previous one is retired whole.  NULL: none. */
int reg_publish(struct reg *r);

const struct reg_settings *reg_settings(const struct reg *r);

/*
 * Build the served object of service name in datacenter dc from all its
 * instances (any health); NULL when none of them is to be served (and
 * for no memory, with *nomem set).
 */
struct reg_svc *reg_svc_build(const struct reg_settings *s, const char *name,
    const char *dc, const struct reg_member *m, size_t n, bool *nomem);
void reg_svc_free(void *svc);

/* Build a node object: its addresses and meta (a rec_next() list). */
struct reg_node *reg_node_build(const struct reg_settings *s,
    const struct rec_addr *addrs, size_t naddrs, const char *meta,
    size_t nmeta);
void reg_node_free(void *node);

/*
 * Build the PTR object of one address: names (a rec_next() list of n
 * presentation names relative to the domain, e.g. "web-1.node.dc1")
 * answered for its reverse name with ttl.  NULL when out of memory.
 */
struct reg_ptr *reg_ptr_build(const char *names, size_t n, uint32_t ttl);
void reg_ptr_free(void *ptr);

/*
 * The table key of a service or node: name, a NUL, dc (no NUL after it).
 * key holds REG_KEYMAX bytes; returns the key's length.
 */
#define REG_KEYMAX	(2 * REC_LABEL)
size_t reg_key(char *key, const char *name, const char *dc);

/*
 * Install (or with obj NULL, remove) the object for a key; the old one is
 * retired through qsbr.  Returns 0, or -1 when out of memory (nothing
 * changed).
 */
int reg_set_svc(struct reg *r, const char *name, const char *dc,
    struct reg_svc *obj);
int reg_set_node(struct reg *r, const char *name, const char *dc,
    struct reg_node *obj);
int reg_set_ptr(struct reg *r, const struct rec_addr *a, struct reg_ptr *obj);

/* Replace the set of known datacenters (labels); -1 when out of memory. */
int reg_set_dcs(struct reg *r, const char (*dcs)[REC_LABEL], size_t n);

/* Served instances in a service object (tests, metrics). */
size_t reg_svc_count(const struct reg_svc *s);

#endif /* MUSTER_REGISTRY_H */
