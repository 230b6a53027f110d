/*
 * db.h -- the compiled, immutable database of the static zones.
 *
 * db_build() turns checked zones (zones.c) into a hash table of names,
 * each with ready-made response templates (enc.h) per query type: the
 * answer, negative answers with the SOA, CNAME chains, wildcard answers
 * and referrals are all worked out once per load.  db_lookup() is then
 * one hash probe for names that exist, a few more for names that do not,
 * and never allocates.  A db is shared read-only by all workers and is
 * freed after a reload has swapped it out (qsbr.h).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_DB_H
#define MUSTER_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enc.h"
#include "wire.h"
#include "zones.h"

struct db;
struct db_dname;

/* What db_dname_answer() wrote after the question. */
struct db_dname_out {
	size_t		 len;
	uint16_t	 an, ns;
	uint8_t		 rcode;
	bool		 tc;
};

struct db_zone_info {
	const uint8_t	*origin;	/* lowercase wire */
	const char	*file;
	uint32_t	 serial;
	size_t		 records;
	bool		 broken;	/* did not load: answers SERVFAIL */
};

/*
 * Compile n checked zones.  The zones are only read; the caller still
 * frees them.  Returns NULL with a message in err on failure (two zones
 * with one origin, an RRset too large for a DNS message, no memory).
 */
struct db *db_build(struct zones_zone *const *zones, size_t n, char *err,
    size_t errlen);

void db_free(struct db *db);

/*
 * The template that answers q (q->qname lowercase), or NULL: then *dn is
 * set when the name is below a DNAME (answer with db_dname_answer()), and
 * NULL when the name is in none of the zones (REFUSED).  Valid as long as
 * the db.
 */
const struct enc_tmpl *db_lookup(const struct db *db,
    const struct wire_query *q, const struct db_dname **dn);

/*
 * DNAME substitution (RFC 6672) for q below dn: the DNAME, the CNAME made
 * for the question's name, and what that name leads to in the zone (its
 * RRset, or NODATA/NXDOMAIN with the SOA), written to out (avail bytes)
 * just past the question.  No allocation.
 */
void db_dname_answer(const struct db *db, const struct db_dname *dn,
    const struct wire_query *q, uint8_t *out, size_t avail,
    struct db_dname_out *res);

/*
 * The NXDOMAIN (nxdomain true) or NODATA template of the zone whose origin
 * is exactly origin (lowercase wire), for answers made elsewhere (the
 * registry); NULL when no such zone is loaded.
 */
const struct enc_tmpl *db_zone_negative(const struct db *db,
    const uint8_t *origin, size_t len, bool nxdomain);

/* Is name (lowercase wire) at or below one of the db's zones? */
int db_covers(const struct db *db, const uint8_t *name, size_t len);

size_t db_zone_count(const struct db *db);
void db_zone_info(const struct db *db, size_t i, struct db_zone_info *out);
size_t db_memory(const struct db *db);

#endif /* MUSTER_DB_H */
