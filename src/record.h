/*
 * record.h -- decode registry records read from Redis.
 *
 * Everything musterd and muster-probe know about an instance or a node
 * arrives as a flat list of field/value strings: an HGETALL reply, a
 * change-stream entry or a state-file line, in the layout of
 * muster-registry(7).  rec_inst_parse() and rec_node_parse() are the only
 * readers of those strings: they check every field and either fill a
 * complete record or fail with a reason, never half-fill one.  Records
 * own their memory; rec_*_clear() frees it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_RECORD_H
#define MUSTER_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REC_LABEL	64	/* a DNS label and its NUL */
#define REC_MAXTAGS	64
#define REC_MAXMETA	64

/* One field and its value; not NUL-terminated, borrowed. */
struct rec_kv {
	const char	*k;
	size_t		 klen;
	const char	*v;
	size_t		 vlen;
};

enum rec_health {
	REC_PASSING = 0,
	REC_WARNING,
	REC_CRITICAL
};

enum rec_check {
	REC_CHECK_NONE = 0,
	REC_CHECK_TCP,
	REC_CHECK_HTTP,
	REC_CHECK_HTTPS,
	REC_CHECK_TTL
};

struct rec_addr {
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 a[16];		/* network order; 4 bytes for IPv4 */
};

/*
 * An instance.  Strings live in one allocation (blob): service, node and
 * dc are NUL-terminated ("" when absent; dc "" means the local
 * datacenter), tags and meta are ntags/nmeta NUL-terminated strings one
 * after the other (iterate with rec_next()).
 */
struct rec_inst {
	const char	*service;	/* lowercase label */
	const char	*node;
	const char	*dc;
	const char	*tags;		/* lowercase labels */
	const char	*meta;		/* "key=value" */
	const char	*check_path;	/* http(s) only, else NULL */
	char		*blob;		/* owns the strings */
	struct rec_addr	 addr;
	uint16_t	 port;
	uint16_t	 priority, weight, weight_warning;
	uint16_t	 ntags, nmeta;
	int32_t		 ttl;			/* -1: the server's default */
	/* check definition (muster-probe) */
	enum rec_check	 check;
	uint32_t	 check_ttl;		/* ms */
	uint32_t	 interval, timeout;	/* ms */
	uint16_t	 rise, fall;
	uint64_t	 deregister_after;	/* ms, 0 = never */
	/* health */
	enum rec_health	 status;
	bool		 maint;
	uint64_t	 since;			/* ms since the epoch */
};

struct rec_node {
	char		 name[REC_LABEL];
	char		 dc[REC_LABEL];
	struct rec_addr	 addr;
	uint16_t	 nmeta;
	char		*meta;		/* nmeta "key=value" strings (owned) */
};

/* The string after s in a NUL-separated list. */
static inline const char *
rec_next(const char *s)
{
	while (*s != '\0')
		s++;
	return s + 1;
}

/*
 * Fill r from the fields of an instance (health fields prefixed with
 * "health.").  Returns 0, or -1 with a reason ("port: not a number") in
 * why; r is then cleared.  Unknown fields are ignored (newer writers).
 */
int rec_inst_parse(struct rec_inst *r, const struct rec_kv *kv, size_t n,
    char *why, size_t whylen);
void rec_inst_clear(struct rec_inst *r);

int rec_node_parse(struct rec_node *r, const char *name, size_t namelen,
    const struct rec_kv *kv, size_t n, char *why, size_t whylen);
void rec_node_clear(struct rec_node *r);

#define REC_MAXFIELDS	(32 + REC_MAXMETA)
#define REC_FMTBUF	16384

/*
 * The fields of r, named as in muster-registry(7): the inverse of
 * rec_inst_parse().  kv needs REC_MAXFIELDS entries; values point into r
 * or into buf (REC_FMTBUF bytes is enough).  Returns the number of fields.
 */
size_t rec_inst_format(const struct rec_inst *r, struct rec_kv *kv,
    char *buf, size_t buflen);
size_t rec_node_format(const struct rec_node *r, struct rec_kv *kv,
    char *buf, size_t buflen);

/* Is s[0..len) one LDH label of 1..63 bytes (letters, digits, hyphen)? */
bool rec_label_ok(const char *s, size_t len);

/* Parse IPv4 or IPv6 text; 0 or -1. */
int rec_addr_parse(struct rec_addr *a, const char *s, size_t len);

/* Is the instance's address one this health lets serve? */
static inline bool
rec_inst_served(const struct rec_inst *r, bool only_passing)
{
	if (r->maint)
		return false;
	return r->status == REC_PASSING
	    || (r->status == REC_WARNING && !only_passing);
}

#endif /* MUSTER_RECORD_H */
