/*
 * zones.h -- read and check RFC 1035 master files.
 *
 * zones_load() reads one zone file (following $INCLUDE, $ORIGIN, $TTL) with
 * ldns, checks it (one SOA at the origin, every owner inside the origin,
 * no CNAME beside other data, class IN) and returns its records grouped
 * into RRsets in canonical order.  Errors name the file and line.  The
 * result is plain build input for db.c; nothing here is used per query.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_ZONES_H
#define MUSTER_ZONES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "dname.h"

struct zones_rr {
	ldns_rr		*rr;		/* owned by the zone */
	const char	*file;		/* the file it came from (zone owns) */
	uint32_t	 line;
	uint32_t	 ttl;
	uint16_t	 type;
	uint16_t	 rdlen;
	uint8_t		*rdata;		/* uncompressed wire RDATA (owned) */
	uint8_t		 owner_len;
	uint8_t		 owner[DNAME_MAXLEN];	/* lowercase wire */
	uint8_t		 owner_orig[DNAME_MAXLEN];	/* as written */
};

struct zones_zone {
	char		*file;		/* path given by the caller */
	uint8_t		 origin[DNAME_MAXLEN];	/* lowercase wire */
	uint8_t		 origin_len;
	struct zones_rr	*rrs;		/* canonical order, then type */
	size_t		 nrrs;
	size_t		 soa;		/* index of the SOA in rrs */
	char		**files;	/* every file read ($INCLUDE) */
	size_t		 nfiles;
	bool		 broken;	/* a stand-in: serve SERVFAIL */
};

/*
 * Load path.  origin may be NULL (then $ORIGIN or the SOA owner give it).
 * Returns a zone the caller frees with zones_free(), or NULL with a
 * "file:line: problem" message in err.
 */
struct zones_zone *zones_load(const char *path, const char *origin,
    char *err, size_t errlen);

/*
 * Load a zone from a string, for tests and the fuzzer; name is used in
 * messages and as the base of relative $INCLUDE paths.
 */
struct zones_zone *zones_load_string(const char *name, const char *text,
    size_t len, const char *origin, char *err, size_t errlen);

/*
 * A stand-in for a zone that failed to load: origin only, served as
 * SERVFAIL (db.c), as NSD and Knot do.  NULL when out of memory.
 */
struct zones_zone *zones_broken(const char *file, const char *origin);

void zones_free(struct zones_zone *z);

/* Canonical (RFC 4034 6.1) order of two lowercase wire names. */
int zones_name_cmp(const uint8_t *a, const uint8_t *b);

#endif /* MUSTER_ZONES_H */
