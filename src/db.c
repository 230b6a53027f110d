/*
 * db.c -- the compiled, immutable database of the static zones.
 *
 * Build, in order:
 *  - names: every owner becomes a node of its zone, every missing
 *    ancestor up to the zone's origin an empty non-terminal.  Each zone
 *    keeps all its names while it is built (a parent keeps its
 *    delegation, DS and glue at a child zone loaded beside it, so its
 *    chains and referrals are its own, as Knot's are); the query table
 *    then holds each name once, from the deepest zone containing it, and
 *    a child zone's apex points at the parent's node for DS (RFC 4035
 *    3.1.4.1);
 *  - shape: parent, delegation point (topmost NS below the apex) and
 *    wildcard child of every node;
 *  - templates: per zone NXDOMAIN and NODATA (SOA in authority, TTL the
 *    smaller of the SOA's TTL and MINIMUM, RFC 2308); per node one answer
 *    per type, ANY, CNAME chains per type found at the chain's end, and a
 *    referral at each delegation point.  Wildcard and referral templates
 *    are relocatable (enc.h), the others laid out for the node's name.
 *
 * Lookup (db_lookup): exact name, else the closest encloser by stripping
 * labels; below a delegation -> referral; below a DNAME -> a per-query
 * answer (db_dname_answer, from uncompressed RRsets kept only for zones
 * that have a DNAME); a wildcard child -> its answer; else NXDOMAIN of
 * the encloser's zone.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "db.h"
#include "hmap.h"
#include "log.h"

#define DB_MAXCHAIN	32	/* CNAME hops followed in-zone (loops stop) */
#define DB_MAXADDL	64	/* distinct targets given additional data */

struct db_type {
	uint16_t		 type;
	const struct enc_tmpl	*tmpl;
};

/* An RRset kept uncompressed, for answers made per query (DNAME). */
struct db_raw {
	uint16_t		 type, count;
	uint32_t		 ttl;
	uint32_t		 len;	/* count x (RDLENGTH, RDATA) */
	const uint8_t		*data;
};

struct db_dname {
	const struct db_node	*owner;
	const struct db_zone	*zone;
	uint32_t		 ttl;
	uint8_t			 target_len;
	uint8_t			 target[DNAME_MAXLEN];	/* as written */
	uint8_t			 target_lc[DNAME_MAXLEN];
};

struct db_zone {
	const uint8_t		*origin;
	uint8_t			 origin_len;
	const char		*file;
	uint32_t		 serial;
	size_t			 records;
	const struct enc_tmpl	*nxdomain;	/* relocatable, base origin */
	const struct enc_tmpl	*nodata;	/* relocatable, base origin */
	bool			 has_dname;
	struct db_raw		 soa;		/* negative TTL; DNAME zones */
	const struct enc_tmpl	*servfail;	/* a zone that failed to load */
};

struct db_node {
	const struct db_zone	*zone;
	const struct db_node	*cut;	/* delegation at or above, or NULL */
	const struct db_node	*wild;	/* the "*" child, or NULL */
	const struct enc_tmpl	*referral;	/* on delegation points */
	const struct enc_tmpl	*other;	/* types not in types[] */
	const struct enc_tmpl	*any;
	const struct db_type	*types;
	const struct db_node	*parent_side;	/* child apex: parent's node */
	const struct db_dname	*dname;	/* at or below a DNAME owner */
	const struct db_raw	*raw;	/* DNAME zones: the RRsets */
	uint16_t		 nraw;
	uint32_t		 idx;	/* build index */
	uint16_t		 ntypes;
	uint8_t			 namelen;
	uint8_t			 name[];	/* lowercase wire */
};

struct db_slot {
	uint64_t		 hash;
	struct db_node		*node;
};

struct db {
	struct arena		 arena;
	uint64_t		 seed;
	size_t			 mask;
	struct db_slot		*slots;		/* malloc'd */
	size_t			 nnodes;
	struct db_zone		*zones;		/* arena */
	size_t			 nzones;
};

/* Build-time companion of a node. */
struct db_bnode {
	struct db_node		*node;
	struct db_bnode		*parent;
	const struct zones_zone	*zz;
	struct db_zone		*zone;
	const uint8_t		*orig;		/* name as written */
	size_t			 first, count;	/* RRs in zz->rrs */
	int			 visiting;
};

struct db_builder {
	struct db		*db;
	struct hmap		*names;		/* zone index + name -> bnode */
	struct db_bnode		*b;
	size_t			 nb, capb;
	struct enc		*enc;
	char			*err;
	size_t			 errlen;
};

/* ---- the table ---- */

static struct db_node *
db_find(const struct db *db, const uint8_t *name, size_t len, uint64_t h)
{
	size_t i = (size_t)h & db->mask;

	for (;; i = (i + 1) & db->mask) {
		const struct db_slot *s = &db->slots[i];

		if (s->node == NULL)
			return NULL;
		if (s->hash == h && s->node->namelen == len
		    && memcmp(s->node->name, name, len) == 0)
			return s->node;
	}
}

static struct db_node *
db_get(const struct db *db, const uint8_t *name, size_t len)
{
	return db_find(db, name, len, dname_hash(name, len, db->seed));
}

static int
db_grow(struct db *db)
{
	size_t size = (db->mask + 1) * 2, i;
	struct db_slot *slots = calloc(size, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (i = 0; i <= db->mask; i++) {
		struct db_slot *s = &db->slots[i];
		size_t j;

		if (s->node == NULL)
			continue;
		for (j = (size_t)s->hash & (size - 1); slots[j].node != NULL;
		    j = (j + 1) & (size - 1))
			;
		slots[j] = *s;
	}
	free(db->slots);
	db->slots = slots;
	db->mask = size - 1;
	return 0;
}

/* The build map's key: the zone's index, then the name. */
static size_t
db_bkey(const struct db_builder *bd, uint8_t *key, const struct db_zone *zone,
    const uint8_t *name, size_t len)
{
	uint32_t zi = (uint32_t)(zone - bd->db->zones);

	memcpy(key, &zi, sizeof(zi));
	memcpy(key + sizeof(zi), name, len);
	return sizeof(zi) + len;
}

/* Put a node into the query table. */
static int
db_insert(struct db *db, struct db_node *n)
{
	uint64_t h = dname_hash(n->name, n->namelen, db->seed);
	size_t i;

	if ((db->nnodes + 1) * 2 > db->mask + 1 && db_grow(db) < 0)
		return -1;
	for (i = (size_t)h & db->mask; db->slots[i].node != NULL;
	    i = (i + 1) & db->mask)
		;
	db->slots[i].hash = h;
	db->slots[i].node = n;
	db->nnodes++;
	return 0;
}

/* Add a node for name (lowercase) to zone; its builder entry or NULL. */
static struct db_bnode *
db_add(struct db_builder *bd, const uint8_t *name, size_t len,
    const uint8_t *orig, const struct zones_zone *zz, struct db_zone *zone)
{
	struct db *db = bd->db;
	struct db_node *n;
	struct db_bnode *b;
	uint8_t key[4 + DNAME_MAXLEN];

	if (bd->nb == bd->capb) {
		size_t cap = bd->capb ? bd->capb * 2 : 1024;
		struct db_bnode *nbs = realloc(bd->b, cap * sizeof(*nbs));

		if (nbs == NULL)
			return NULL;
		bd->b = nbs;
		bd->capb = cap;
	}
	n = arena_zalloc(&db->arena, sizeof(*n) + len);
	if (n == NULL)
		return NULL;
	memcpy(n->name, name, len);
	n->namelen = (uint8_t)len;
	n->zone = zone;
	n->idx = (uint32_t)bd->nb;
	if (hmap_put(bd->names, key, db_bkey(bd, key, zone, name, len),
	    (void *)(uintptr_t)(bd->nb + 1)) < 0)
		return NULL;
	b = &bd->b[bd->nb++];
	memset(b, 0, sizeof(*b));
	b->node = n;
	b->zz = zz;
	b->zone = zone;
	b->orig = orig;
	return b;
}

/* The node of name (lowercase) in zone, or NULL. */
static struct db_bnode *
db_bget(struct db_builder *bd, const struct db_zone *zone, const uint8_t *name,
    size_t len)
{
	uint8_t key[4 + DNAME_MAXLEN];
	uintptr_t i = (uintptr_t)hmap_get(bd->names, key,
	    db_bkey(bd, key, zone, name, len));

	return i ? &bd->b[i - 1] : NULL;
}

/* Set the build error "NAME: what"; returns -1. */
static int
db_fail(struct db_builder *bd, const uint8_t *name, const char *what)
{
	char s[DNAME_STRLEN];

	snprintf(bd->err, bd->errlen, "%s: %s",
	    dname_to_str(s, sizeof(s), name), what);
	return -1;
}

/* ---- names ---- */

/* Ensure name and its ancestors down to the zone origin exist. */
static int
db_add_ancestors(struct db_builder *bd, const uint8_t *name, size_t len,
    const struct zones_zone *zz, struct db_zone *zone)
{
	while (len > zone->origin_len) {
		len -= (size_t)name[0] + 1;
		name += name[0] + 1;
		if (db_bget(bd, zone, name, len) != NULL)
			return 0;
		if (db_add(bd, name, len, name, zz, zone) == NULL)
			return db_fail(bd, name, "out of memory");
	}
	return 0;
}

/* Does a deeper loaded zone own this name? */
static int
db_occluded(const struct db *db, const struct db_zone *zone,
    const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < db->nzones; i++) {
		const struct db_zone *o = &db->zones[i];

		if (o != zone && o->origin_len > zone->origin_len
		    && dname_is_sub(name, len, o->origin, o->origin_len))
			return 1;
	}
	return 0;
}

static int
db_add_zone_names(struct db_builder *bd, const struct zones_zone *zz,
    struct db_zone *zone)
{
	size_t i = 0;

	while (i < zz->nrrs) {
		const struct zones_rr *x = &zz->rrs[i];
		struct db_bnode *b;
		size_t j = i;

		while (j < zz->nrrs && zz->rrs[j].owner_len == x->owner_len
		    && memcmp(zz->rrs[j].owner, x->owner, x->owner_len) == 0)
			j++;
		b = db_bget(bd, zone, x->owner, x->owner_len);
		if (b == NULL)
			b = db_add(bd, x->owner, x->owner_len, x->owner_orig, zz,
			    zone);
		if (b == NULL)
			return db_fail(bd, x->owner, "out of memory");
		b->first = i;
		b->count = j - i;
		b->orig = x->owner_orig;
		if (db_add_ancestors(bd, x->owner, x->owner_len, zz, zone) < 0)
			return -1;
		i = j;
	}
	zone->records = zz->nrrs;
	return 0;
}

/*
 * Fill the query table: each node unless a deeper zone holds its name;
 * a child zone's apex learns the parent's node at its name (for DS).
 */
static int
db_publish_names(struct db_builder *bd)
{
	size_t i, j;

	for (i = 0; i < bd->nb; i++) {
		struct db_bnode *b = &bd->b[i];

		if (db_occluded(bd->db, b->zone, b->node->name, b->node->namelen))
			continue;
		if (db_insert(bd->db, b->node) < 0)
			return db_fail(bd, b->node->name, "out of memory");
	}
	for (i = 0; i < bd->db->nzones; i++) {
		const struct db_zone *z = &bd->db->zones[i];
		struct db_bnode *apex = db_bget(bd, z, z->origin, z->origin_len);

		/* zones are sorted deepest first: the first enclosing one */
		for (j = i + 1; j < bd->db->nzones; j++) {
			const struct db_zone *p = &bd->db->zones[j];
			struct db_bnode *pn;

			if (!dname_is_sub(z->origin, z->origin_len, p->origin,
			    p->origin_len))
				continue;
			pn = db_bget(bd, p, z->origin, z->origin_len);
			if (apex != NULL && pn != NULL)
				apex->node->parent_side = pn->node;
			break;
		}
	}
	return 0;
}

/* Link parents, delegation points and wildcard children. */
static void
db_link(struct db_builder *bd)
{
	size_t i;

	for (i = 0; i < bd->nb; i++) {
		struct db_bnode *b = &bd->b[i];
		const uint8_t *name = b->node->name;
		size_t len = b->node->namelen;

		if (len > b->zone->origin_len)
			b->parent = db_bget(bd, b->zone, name + name[0] + 1,
			    len - name[0] - 1);
		if (b->parent != NULL && name[0] == 1 && name[1] == '*')
			b->parent->node->wild = b->node;
	}
	for (i = 0; i < bd->nb; i++) {
		struct db_bnode *b = &bd->b[i], *p;
		const struct db_node *cut = NULL;

		/* the topmost delegation on the path from the apex */
		for (p = b; p != NULL && p->parent != NULL; p = p->parent) {
			size_t k;

			for (k = 0; k < p->count; k++)
				if (p->zz->rrs[p->first + k].type == WIRE_T_NS)
					cut = p->node;
		}
		b->node->cut = cut;
	}
}

/* ---- templates ---- */

/* The RRs of one type at a node: index range in b->zz->rrs. */
static int
db_rrset(const struct db_bnode *b, uint16_t type, size_t *first,
    size_t *count)
{
	size_t k;

	for (k = 0; k < b->count; k++) {
		const struct zones_rr *x = &b->zz->rrs[b->first + k];

		if (x->type != type)
			continue;
		*first = b->first + k;
		*count = 1;
		while (k + *count < b->count
		    && b->zz->rrs[b->first + k + *count].type == type)
			(*count)++;
		return 1;
	}
	return 0;
}

/* ---- DNAME ---- */

/* An RRset of b as a db_raw in the arena; -1 when out of memory. */
static int
db_raw_make(struct db *db, const struct db_bnode *b, size_t first,
    size_t count, struct db_raw *r)
{
	size_t k, len = 0, o = 0;
	uint8_t *data;

	for (k = 0; k < count; k++)
		len += 2 + (size_t)b->zz->rrs[first + k].rdlen;
	data = arena_alloc(&db->arena, len ? len : 1);
	if (data == NULL)
		return -1;
	for (k = 0; k < count; k++) {
		const struct zones_rr *x = &b->zz->rrs[first + k];

		wire_put16(data + o, x->rdlen);
		memcpy(data + o + 2, x->rdata, x->rdlen);
		o += 2 + (size_t)x->rdlen;
	}
	r->type = b->zz->rrs[first].type;
	r->count = (uint16_t)count;
	r->ttl = b->zz->rrs[first].ttl;
	r->len = (uint32_t)len;
	r->data = data;
	return 0;
}

/* Keep every RRset of b uncompressed (b's zone has a DNAME). */
static int
db_raw_node(struct db *db, const struct db_bnode *b)
{
	struct db_raw *raw;
	size_t k = 0, n = 0;

	if (b->count == 0)
		return 0;
	raw = arena_zalloc(&db->arena, b->count * sizeof(*raw));
	if (raw == NULL)
		return -1;
	while (k < b->count) {
		size_t first = b->first + k, count = 1;

		while (k + count < b->count
		    && b->zz->rrs[first + count].type == b->zz->rrs[first].type)
			count++;
		if (db_raw_make(db, b, first, count, &raw[n++]) < 0)
			return -1;
		k += count;
	}
	b->node->raw = raw;
	b->node->nraw = (uint16_t)n;
	return 0;
}

/*
 * DNAME owners (authoritative ones) get a db_dname; every node at or
 * below one points at the topmost; zones with a DNAME keep their RRsets
 * and SOA uncompressed for per-query answers.
 */
static int
db_link_dnames(struct db_builder *bd)
{
	struct db *db = bd->db;
	size_t i, first, count;

	for (i = 0; i < bd->nb; i++) {
		struct db_bnode *b = &bd->b[i];
		struct db_dname *d;
		const struct zones_rr *x;

		if (b->node->cut != NULL
		    || !db_rrset(b, WIRE_T_DNAME, &first, &count))
			continue;
		x = &b->zz->rrs[first];
		d = arena_zalloc(&db->arena, sizeof(*d));
		if (d == NULL)
			return db_fail(bd, b->node->name, "out of memory");
		d->owner = b->node;
		d->zone = b->zone;
		d->ttl = x->ttl;
		d->target_len = (uint8_t)dname_len(x->rdata);
		memcpy(d->target, x->rdata, d->target_len);
		dname_copy_lower(d->target_lc, x->rdata, d->target_len);
		b->node->dname = d;
		b->zone->has_dname = true;
	}
	for (i = 0; i < bd->nb; i++) {
		struct db_bnode *b = &bd->b[i], *p;

		for (p = b->parent; p != NULL && b->node->cut == NULL;
		    p = p->parent)
			if (p->node->dname != NULL && p->node->dname->owner
			    == p->node)
				b->node->dname = p->node->dname;
	}
	for (i = 0; i < bd->nb; i++)
		if (bd->b[i].zone->has_dname && db_raw_node(db, &bd->b[i]) < 0)
			return db_fail(bd, bd->b[i].node->name, "out of memory");
	return 0;
}

static void
db_put_rrset(struct enc *e, const struct db_bnode *b, const uint8_t *owner,
    size_t first, size_t count)
{
	size_t k;

	for (k = 0; k < count; k++) {
		const struct zones_rr *x = &b->zz->rrs[first + k];

		enc_rr(e, owner, x->type, x->ttl, x->rdata, x->rdlen);
	}
	enc_rrset_end(e);
}

static int
db_put_type(struct enc *e, const struct db_bnode *b, const uint8_t *owner,
    uint16_t type)
{
	size_t first, count;

	if (!db_rrset(b, type, &first, &count))
		return 0;
	db_put_rrset(e, b, owner, first, count);
	return 1;
}

/* The SOA of a zone with the negative TTL, in the authority section. */
static void
db_put_soa(struct enc *e, const struct zones_zone *zz)
{
	const struct zones_rr *soa = &zz->rrs[zz->soa];
	uint32_t min = soa->rdlen >= 4
	    ? wire_get32(soa->rdata + soa->rdlen - 4) : 0;

	enc_section(e, ENC_NS);
	enc_rr(e, soa->owner_orig, WIRE_T_SOA, soa->ttl < min ? soa->ttl : min,
	    soa->rdata, soa->rdlen);
	enc_rrset_end(e);
}

#define DB_ANYCUT	((const struct db_node *)1)

struct db_addl {
	const struct db_bnode	*done[DB_MAXADDL];
	size_t			 n;
};

/*
 * Additional A/AAAA for the targets of an RRset (NS, MX, SRV...): for
 * in-zone authoritative targets, or with glue set, for targets at or
 * below the delegation point glue (the referral's own glue), or with
 * DB_ANYCUT, below any other delegation of the zone (sibling glue, which
 * RFC 9471 allows and NSD and Knot send).
 */
static void
db_put_additional(struct db_builder *bd, struct enc *e,
    const struct db_bnode *b, size_t first, size_t count,
    const struct db_node *glue, struct db_addl *seen)
{
	size_t k, j;

	for (k = 0; k < count; k++) {
		const struct zones_rr *x = &b->zz->rrs[first + k];
		int off = enc_rdata_target(x->type, x->rdata, x->rdlen);
		uint8_t lower[DNAME_MAXLEN];
		const struct db_bnode *t;
		size_t len;

		if (off < 0)
			continue;
		len = dname_len(x->rdata + off);
		dname_copy_lower(lower, x->rdata + off, len);
		t = db_bget(bd, b->zone, lower, len);
		if (t == NULL || seen->n == DB_MAXADDL)
			continue;
		if (glue == DB_ANYCUT ? t->node->cut == NULL
		    : t->node->cut != glue)
			continue;
		for (j = 0; j < seen->n; j++)
			if (seen->done[j] == t)
				break;
		if (j < seen->n)
			continue;
		seen->done[seen->n++] = t;
		enc_section(e, ENC_AR);
		db_put_type(e, t, t->orig, WIRE_T_A);
		db_put_type(e, t, t->orig, WIRE_T_AAAA);
	}
}

static const struct enc_tmpl *
db_finish(struct db_builder *bd, const struct db_bnode *b, uint16_t type)
{
	const struct enc_tmpl *t;
	const char *why;
	char what[128];

	t = enc_finish(bd->enc, &bd->db->arena, &why);
	if (t == NULL) {
		snprintf(what, sizeof(what), "type %u: %s", type, why);
		db_fail(bd, b->node->name, what);
	}
	return t;
}

/* Start a template answering for node b (relocatable for wildcards). */
static const uint8_t *
db_begin(struct db_builder *bd, const struct db_bnode *b)
{
	const struct db_node *n = b->node;

	if (n->name[0] == 1 && n->name[1] == '*' && b->parent != NULL) {
		const struct db_node *p = b->parent->node;

		enc_begin(bd->enc, p->name, p->namelen, true);
		return NULL;		/* owner: the question name */
	}
	enc_begin(bd->enc, n->name, n->namelen, false);
	return b->orig;
}

static const struct enc_tmpl *
db_tmpl_rrset(struct db_builder *bd, const struct db_bnode *b, uint16_t type)
{
	const uint8_t *owner = db_begin(bd, b);
	struct db_addl seen = { .n = 0 };
	size_t first, count;

	if (db_rrset(b, type, &first, &count)) {
		db_put_rrset(bd->enc, b, owner, first, count);
		db_put_additional(bd, bd->enc, b, first, count, NULL, &seen);
	}
	return db_finish(bd, b, type);
}

/* Authority NS and glue of the delegation at cut, for referrals. */
static void
db_put_referral(struct db_builder *bd, struct enc *e,
    const struct db_bnode *cut)
{
	struct db_addl seen = { .n = 0 };
	size_t first, count;

	enc_set_rcode(e, WIRE_RC_NOERROR, false);
	if (!db_rrset(cut, WIRE_T_NS, &first, &count))
		return;
	enc_section(e, ENC_NS);
	db_put_rrset(e, cut, cut->orig, first, count);
	db_put_additional(bd, e, cut, first, count, cut->node, &seen);
	enc_mark_required(e);
	db_put_additional(bd, e, cut, first, count, NULL, &seen);
	db_put_additional(bd, e, cut, first, count, DB_ANYCUT, &seen);
}

static const struct enc_tmpl *
db_tmpl_referral(struct db_builder *bd, const struct db_bnode *b)
{
	enc_begin(bd->enc, b->node->name, b->node->namelen, true);
	db_put_referral(bd, bd->enc, b);
	return db_finish(bd, b, WIRE_T_NS);
}

/* Where a CNAME's target leads, inside the CNAME's zone. */
enum db_hop {
	DB_HOP_NODE,		/* an existing node (or a wildcard's) */
	DB_HOP_NXDOMAIN,	/* no such name in the zone */
	DB_HOP_CUT,		/* at or below a delegation (bnode: the cut) */
	DB_HOP_OUT		/* outside the zone */
};

/* Closest existing ancestor of a name inside zone (for chain targets). */
static const struct db_bnode *
db_encloser(struct db_builder *bd, const uint8_t *lower, size_t len,
    const struct db_zone *zone)
{
	const uint8_t *p = lower;
	const struct db_bnode *b;

	while (len > zone->origin_len) {
		len -= (size_t)p[0] + 1;
		p += p[0] + 1;
		b = db_bget(bd, zone, p, len);
		if (b != NULL)
			return b;
	}
	return NULL;
}

/*
 * Follow one CNAME hop from b: *target is the name as written in the
 * CNAME, *to the node (wildcards matched, RFC 4592 3.3.1), or the cut.
 */
static enum db_hop
db_hop(struct db_builder *bd, const struct db_bnode *b, const uint8_t **target,
    const struct db_bnode **to)
{
	size_t first, count, len;
	uint8_t lower[DNAME_MAXLEN];
	const struct db_bnode *t, *ce;

	*to = NULL;
	if (!db_rrset(b, WIRE_T_CNAME, &first, &count))
		return DB_HOP_OUT;
	*target = b->zz->rrs[first].rdata;
	len = dname_len(*target);
	dname_copy_lower(lower, *target, len);
	if (!dname_is_sub(lower, len, b->zone->origin, b->zone->origin_len))
		return DB_HOP_OUT;
	t = db_bget(bd, b->zone, lower, len);
	if (t == NULL) {
		ce = db_encloser(bd, lower, len, b->zone);
		if (ce == NULL)
			return DB_HOP_OUT;
		if (ce->node->cut != NULL) {
			*to = &bd->b[ce->node->cut->idx];
			return DB_HOP_CUT;
		}
		if (ce->node->wild == NULL)
			return DB_HOP_NXDOMAIN;
		t = &bd->b[ce->node->wild->idx];
	}
	if (t->node->cut != NULL) {
		*to = &bd->b[t->node->cut->idx];
		return DB_HOP_CUT;
	}
	*to = t;
	return DB_HOP_NODE;
}

/*
 * Answer for a CNAME node and qtype (0: "a type the chain's end lacks"):
 * follow the chain inside the zone (RFC 1034 4.3.2, RFC 6604 for the
 * final RCODE), through wildcards, until it leaves, ends or loops.
 */
static const struct enc_tmpl *
db_tmpl_chain(struct db_builder *bd, const struct db_bnode *b, uint16_t qtype)
{
	struct enc *e = bd->enc;
	const uint8_t *owner = db_begin(bd, b), *target = NULL;
	const struct db_bnode *cur = b, *t, *path[DB_MAXCHAIN];
	struct db_addl seen = { .n = 0 };
	size_t hops = 0, k, first, count;

	path[0] = b;
	for (;;) {
		enc_section(e, ENC_AN);
		db_put_type(e, cur, owner, WIRE_T_CNAME);
		switch (db_hop(bd, cur, &target, &t)) {
		case DB_HOP_OUT:
			return db_finish(bd, b, qtype);
		case DB_HOP_NXDOMAIN:
			enc_set_rcode(e, WIRE_RC_NXDOMAIN, true);
			db_put_soa(e, cur->zz);
			return db_finish(bd, b, qtype);
		case DB_HOP_CUT:
			db_put_referral(bd, e, t);
			enc_set_rcode(e, WIRE_RC_NOERROR, true);
			return db_finish(bd, b, qtype);
		case DB_HOP_NODE:
			break;
		}
		owner = target;
		if (db_rrset(t, WIRE_T_CNAME, &first, &count)) {
			for (k = 0; k <= hops; k++)
				if (path[k] == t)
					break;
			if (k <= hops || hops == DB_MAXCHAIN - 1)
				return db_finish(bd, b, qtype);	/* loop, long */
			path[++hops] = cur = t;
			continue;
		}
		if (qtype != 0 && db_rrset(t, qtype, &first, &count)) {
			db_put_rrset(e, t, owner, first, count);
			db_put_additional(bd, e, t, first, count, NULL, &seen);
		} else {
			db_put_soa(e, t->zz);
		}
		return db_finish(bd, b, qtype);
	}
}

/* The last node of a CNAME chain inside the zone, or NULL. */
static const struct db_bnode *
db_chain_end(struct db_builder *bd, const struct db_bnode *b)
{
	const uint8_t *target = NULL;
	const struct db_bnode *t;
	size_t hops, first, count;

	for (hops = 0; hops < DB_MAXCHAIN; hops++) {
		if (db_hop(bd, b, &target, &t) != DB_HOP_NODE)
			return NULL;
		if (!db_rrset(t, WIRE_T_CNAME, &first, &count))
			return t;
		b = t;
	}
	return NULL;
}

static int
db_set_types(struct db_builder *bd, struct db_bnode *b, size_t ntypes)
{
	struct db_type *types = NULL;

	if (ntypes > 0) {
		types = arena_zalloc(&bd->db->arena, ntypes * sizeof(*types));
		if (types == NULL)
			return db_fail(bd, b->node->name, "out of memory");
	}
	b->node->types = types;
	b->node->ntypes = 0;
	return 0;
}

static int
db_add_type(struct db_builder *bd, struct db_bnode *b, uint16_t type,
    const struct enc_tmpl *t)
{
	struct db_type *types = (struct db_type *)b->node->types;

	if (t == NULL)
		return -1;
	types[b->node->ntypes].type = type;
	types[b->node->ntypes].tmpl = t;
	b->node->ntypes++;
	return 0;
}

/* Distinct types at node b, in zone order. */
static size_t
db_count_types(const struct db_bnode *b)
{
	size_t k, n = 0;

	for (k = 0; k < b->count; k++)
		if (k == 0 || b->zz->rrs[b->first + k].type
		    != b->zz->rrs[b->first + k - 1].type)
			n++;
	return n;
}

static int
db_node_cname(struct db_builder *bd, struct db_bnode *b)
{
	const struct db_bnode *end = db_chain_end(bd, b);
	size_t k, n = end ? db_count_types(end) : 0;
	const struct enc_tmpl *t;

	if (db_set_types(bd, b, n + 1) < 0)
		return -1;
	t = db_tmpl_rrset(bd, b, WIRE_T_CNAME);
	if (db_add_type(bd, b, WIRE_T_CNAME, t) < 0)
		return -1;
	b->node->any = t;
	for (k = 0; end != NULL && k < end->count; k++) {
		uint16_t type = end->zz->rrs[end->first + k].type;

		if (type == WIRE_T_CNAME || (k > 0 && type
		    == end->zz->rrs[end->first + k - 1].type))
			continue;
		if (db_add_type(bd, b, type, db_tmpl_chain(bd, b, type)) < 0)
			return -1;
	}
	b->node->other = db_tmpl_chain(bd, b, 0);
	return b->node->other ? 0 : -1;
}

static int
db_node_templates(struct db_builder *bd, struct db_bnode *b)
{
	struct db_node *n = b->node;
	size_t k, first, count;

	n->other = n->any = b->zone->nodata;
	if (n->cut == n) {
		n->referral = db_tmpl_referral(bd, b);
		if (n->referral == NULL || db_set_types(bd, b, 1) < 0)
			return -1;
		if (db_rrset(b, WIRE_T_DS, &first, &count))
			return db_add_type(bd, b, WIRE_T_DS,
			    db_tmpl_rrset(bd, b, WIRE_T_DS));
		return 0;
	}
	if (n->cut != NULL || b->count == 0)
		return 0;	/* below a delegation, or empty non-terminal */
	if (db_rrset(b, WIRE_T_CNAME, &first, &count))
		return db_node_cname(bd, b);
	if (db_set_types(bd, b, db_count_types(b)) < 0)
		return -1;
	for (k = 0; k < b->count; k++) {
		uint16_t type = b->zz->rrs[b->first + k].type;

		if (k > 0 && type == b->zz->rrs[b->first + k - 1].type)
			continue;
		if (db_add_type(bd, b, type, db_tmpl_rrset(bd, b, type)) < 0)
			return -1;
	}
	/* ANY: one RRset, the lowest type, as Knot does (RFC 8482 4.1) */
	n->any = n->types[0].tmpl;
	return 0;
}

static int
db_zone_templates(struct db_builder *bd, struct db_zone *zone,
    const struct zones_zone *zz)
{
	const struct db_bnode *apex = db_bget(bd, zone, zone->origin,
	    zone->origin_len);
	struct enc *e = bd->enc;

	enc_begin(e, zone->origin, zone->origin_len, true);
	enc_set_rcode(e, WIRE_RC_NXDOMAIN, true);
	db_put_soa(e, zz);
	zone->nxdomain = db_finish(bd, apex, WIRE_T_SOA);
	enc_begin(e, zone->origin, zone->origin_len, true);
	db_put_soa(e, zz);
	zone->nodata = db_finish(bd, apex, WIRE_T_SOA);
	if (zz->broken) {
		enc_begin(e, zone->origin, zone->origin_len, true);
		enc_set_rcode(e, WIRE_RC_SERVFAIL, false);
		zone->servfail = db_finish(bd, apex, WIRE_T_SOA);
		if (zone->servfail == NULL)
			return -1;
	}
	if (zone->has_dname) {
		const struct zones_rr *soa = &zz->rrs[zz->soa];
		uint32_t min = soa->rdlen >= 4
		    ? wire_get32(soa->rdata + soa->rdlen - 4) : 0;

		if (db_raw_make(bd->db, apex, zz->soa, 1, &zone->soa) < 0)
			return db_fail(bd, zone->origin, "out of memory");
		if (min < zone->soa.ttl)
			zone->soa.ttl = min;
	}
	return zone->nxdomain && zone->nodata ? 0 : -1;
}

/* ---- build ---- */

static int
db_zone_depth_cmp(const void *pa, const void *pb)
{
	const struct zones_zone *a = *(struct zones_zone *const *)pa;
	const struct zones_zone *b = *(struct zones_zone *const *)pb;
	unsigned la = dname_count_labels(a->origin);
	unsigned lb = dname_count_labels(b->origin);

	return la == lb ? 0 : (la > lb ? -1 : 1);
}

static int
db_init_zones(struct db_builder *bd, struct zones_zone **sorted, size_t n)
{
	struct db *db = bd->db;
	size_t i, j;

	db->zones = arena_zalloc(&db->arena, n * sizeof(*db->zones));
	if (db->zones == NULL)
		return db_fail(bd, (const uint8_t *)"", "out of memory");
	for (i = 0; i < n; i++) {
		struct db_zone *z = &db->zones[i];
		const struct zones_rr *soa = &sorted[i]->rrs[sorted[i]->soa];

		for (j = 0; j < i; j++)
			if (db->zones[j].origin_len == sorted[i]->origin_len
			    && memcmp(db->zones[j].origin, sorted[i]->origin,
			    sorted[i]->origin_len) == 0)
				return db_fail(bd, sorted[i]->origin,
				    "zone loaded twice");
		z->origin = arena_memdup(&db->arena, sorted[i]->origin,
		    sorted[i]->origin_len);
		z->origin_len = sorted[i]->origin_len;
		z->file = arena_memdup(&db->arena, sorted[i]->file,
		    strlen(sorted[i]->file) + 1);
		if (z->origin == NULL || z->file == NULL)
			return db_fail(bd, sorted[i]->origin,
			    "out of memory");
		z->serial = soa->rdlen >= 20
		    ? wire_get32(soa->rdata + soa->rdlen - 20) : 0;
	}
	db->nzones = n;
	return 0;
}

static int
db_compile(struct db_builder *bd, struct zones_zone **sorted, size_t n)
{
	struct db *db = bd->db;
	size_t i;

	if (db_init_zones(bd, sorted, n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (db_add_zone_names(bd, sorted[i], &db->zones[i]) < 0)
			return -1;
	/* a deeper zone's apex is a name in the zone around it */
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = i + 1; j < n; j++)
			if (dname_is_sub(db->zones[i].origin,
			    db->zones[i].origin_len, db->zones[j].origin,
			    db->zones[j].origin_len)) {
				if (db_add_ancestors(bd, db->zones[i].origin,
				    db->zones[i].origin_len, sorted[j],
				    &db->zones[j]) < 0)
					return -1;
				break;
			}
	}
	db_link(bd);
	if (db_link_dnames(bd) < 0 || db_publish_names(bd) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (db_zone_templates(bd, &db->zones[i], sorted[i]) < 0)
			return -1;
	for (i = 0; i < bd->nb; i++)
		if (db_node_templates(bd, &bd->b[i]) < 0)
			return -1;
	return 0;
}

struct db *
db_build(struct zones_zone *const *zones, size_t n, char *err, size_t errlen)
{
	struct db_builder bd = { .err = err, .errlen = errlen };
	struct zones_zone **sorted = NULL;
	struct db *db = calloc(1, sizeof(*db));
	int rc = -1;

	if (db == NULL)
		goto out;
	bd.db = db;
	arena_init(&db->arena, 1 << 20);
	if (getrandom(&db->seed, sizeof(db->seed), 0) != sizeof(db->seed))
		db->seed = (uint64_t)(uintptr_t)db ^ 0x5bd1e995ULL;
	db->mask = 1023;
	db->slots = calloc(db->mask + 1, sizeof(*db->slots));
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	bd.enc = enc_new();
	bd.names = hmap_new();
	if (db->slots == NULL || sorted == NULL || bd.enc == NULL
	    || bd.names == NULL)
		goto out;
	memcpy(sorted, zones, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), db_zone_depth_cmp);
	rc = db_compile(&bd, sorted, n);
out:
	if (rc < 0 && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	enc_free(bd.enc);
	hmap_free(bd.names);
	free(bd.b);
	free(sorted);
	if (rc < 0) {
		db_free(db);
		return NULL;
	}
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	arena_free(&db->arena);
	free(db->slots);
	free(db);
}

/* ---- queries ---- */

static const struct enc_tmpl *
db_node_tmpl(const struct db_node *n, uint16_t qtype)
{
	uint16_t i;

	for (i = 0; i < n->ntypes; i++)
		if (n->types[i].type == qtype)
			return n->types[i].tmpl;
	return qtype == WIRE_T_ANY ? n->any : n->other;
}

const struct enc_tmpl *
db_lookup(const struct db *db, const struct wire_query *q,
    const struct db_dname **dn)
{
	const struct db_node *n;
	unsigned i;

	*dn = NULL;
	n = db_get(db, q->qname, q->qname_len);
	if (n != NULL) {
		if (n->zone->servfail != NULL)
			return n->zone->servfail;
		if (q->qtype == WIRE_T_DS && n->parent_side != NULL)
			n = n->parent_side;	/* DS is the parent's */
		if (n->cut != NULL && !(n->cut == n && q->qtype == WIRE_T_DS))
			return n->cut->referral;
		if (n->dname != NULL && n->dname->owner != n) {
			*dn = n->dname;		/* occluded by the DNAME */
			return NULL;
		}
		return db_node_tmpl(n, q->qtype);
	}
	for (i = 1; i <= q->nlabels; i++) {
		size_t off = q->label_off[i];

		n = db_get(db, q->qname + off, q->qname_len - off);
		if (n == NULL)
			continue;
		if (n->zone->servfail != NULL)
			return n->zone->servfail;
		if (n->cut != NULL)
			return n->cut->referral;
		if (n->dname != NULL) {
			*dn = n->dname;
			return NULL;
		}
		if (n->wild != NULL)
			return db_node_tmpl(n->wild, q->qtype);
		return n->zone->nxdomain;
	}
	return NULL;
}

/* ---- DNAME answers, per query ---- */

struct db_w {
	uint8_t		*out;
	size_t		 avail, len, base;	/* base: offset of out[0] */
	uint16_t	 an, ns;
	bool		 tc;
};

/*
 * Append a record to the section counted by *count: owner a pointer,
 * RDATA the two pieces a and b.  false (and TC) when it does not fit.
 */
static bool
db_w_rr(struct db_w *w, uint16_t *count, uint16_t owner, uint16_t type,
    uint32_t ttl, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t *p = w->out + w->len;

	if (w->tc || w->len + 12 + alen + blen > w->avail) {
		w->tc = true;
		return false;
	}
	(*count)++;
	wire_put16(p, (uint16_t)(0xc000 | owner));
	wire_put16(p + 2, type);
	wire_put16(p + 4, WIRE_C_IN);
	wire_put32(p + 6, ttl);
	wire_put16(p + 10, (uint16_t)(alen + blen));
	memcpy(p + 12, a, alen);
	if (blen > 0)
		memcpy(p + 12 + alen, b, blen);
	w->len += 12 + alen + blen;
	return true;
}

/* Every record of a raw RRset, owned by the name at offset owner. */
static void
db_w_raw(struct db_w *w, uint16_t *count, uint16_t owner,
    const struct db_raw *r)
{
	size_t o = 0;
	uint16_t k;

	for (k = 0; k < r->count; k++) {
		uint16_t rdlen = wire_get16(r->data + o);

		if (!db_w_rr(w, count, owner, r->type, r->ttl, r->data + o + 2,
		    rdlen, NULL, 0))
			return;
		o += 2 + (size_t)rdlen;
	}
}

static const struct db_raw *
db_raw_type(const struct db_node *n, uint16_t type)
{
	uint16_t i;

	for (i = 0; i < n->nraw; i++)
		if (n->raw[i].type == type || (type == WIRE_T_ANY && i == 0))
			return &n->raw[i];
	return NULL;
}

/* Where the substituted name leads in zone z: a node, NXDOMAIN, or stop. */
static const struct db_node *
db_dname_follow(const struct db *db, const struct db_zone *z,
    const uint8_t *name, size_t len, bool *nx)
{
	const struct db_node *n = db_get(db, name, len);
	const uint8_t *p = name;

	*nx = false;
	if (!dname_is_sub(name, len, z->origin, z->origin_len))
		return NULL;
	if (n != NULL)
		return n->zone == z && n->cut == NULL && n->dname == NULL
		    ? n : NULL;
	while (len > z->origin_len) {
		len -= (size_t)p[0] + 1;
		p += p[0] + 1;
		n = db_get(db, p, len);
		if (n == NULL)
			continue;
		if (n->zone != z || n->cut != NULL || n->dname != NULL)
			return NULL;
		if (n->wild != NULL)
			return n->wild;
		*nx = true;
		return NULL;
	}
	return NULL;
}

void
db_dname_answer(const struct db *db, const struct db_dname *dn,
    const struct wire_query *q, uint8_t *out, size_t avail,
    struct db_dname_out *res)
{
	struct db_w w = { .out = out, .avail = avail, .base = q->q_end };
	unsigned k = q->nlabels - dname_count_labels(dn->owner->name);
	size_t plen = q->label_off[k], target_off, cname_off, nlen;
	uint8_t newname[2 * DNAME_MAXLEN], ptr[2];
	const struct db_node *n;
	const struct db_raw *r;
	bool nx;

	/* the RCODE first, so that it does not depend on the room left */
	res->rcode = WIRE_RC_NOERROR;
	nlen = plen + dn->target_len;
	n = NULL;
	r = NULL;
	nx = false;
	if (nlen > DNAME_MAXLEN) {
		res->rcode = 6;		/* YXDOMAIN, RFC 6672 2.2 */
	} else {
		memcpy(newname, q->qname, plen);
		memcpy(newname + plen, dn->target_lc, dn->target_len);
		n = db_dname_follow(db, dn->zone, newname, nlen, &nx);
		if (n != NULL && (r = db_raw_type(n, q->qtype)) == NULL)
			r = db_raw_type(n, WIRE_T_CNAME);
		if (r == NULL && nx)
			res->rcode = WIRE_RC_NXDOMAIN;
	}
	target_off = w.base + 12;
	if (!db_w_rr(&w, &w.an, (uint16_t)(WIRE_HDR + plen), WIRE_T_DNAME,
	    dn->ttl, dn->target, dn->target_len, NULL, 0))
		goto out;
	if (nlen > DNAME_MAXLEN)
		goto out;
	/* the CNAME: the question's own labels, then the DNAME's target */
	cname_off = w.base + w.len + 12;
	wire_put16(ptr, (uint16_t)(0xc000 | target_off));
	if (!db_w_rr(&w, &w.an, WIRE_HDR, WIRE_T_CNAME, dn->ttl,
	    q->pkt + WIRE_HDR, plen, ptr, 2))
		goto out;
	if (r != NULL)
		db_w_raw(&w, &w.an, (uint16_t)cname_off, r);
	else if (n != NULL || nx)
		db_w_raw(&w, &w.ns, (uint16_t)(WIRE_HDR + q->qname_len
		    - dn->zone->origin_len), &dn->zone->soa);
out:
	res->len = w.len;
	res->an = w.an;
	res->ns = w.ns;
	res->tc = w.tc;
}

const struct enc_tmpl *
db_zone_negative(const struct db *db, const uint8_t *origin, size_t len,
    bool nxdomain)
{
	size_t i;

	for (i = 0; i < db->nzones; i++)
		if (db->zones[i].origin_len == len
		    && memcmp(db->zones[i].origin, origin, len) == 0)
			return nxdomain ? db->zones[i].nxdomain
			    : db->zones[i].nodata;
	return NULL;
}

int
db_covers(const struct db *db, const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < db->nzones; i++)
		if (dname_is_sub(name, len, db->zones[i].origin,
		    db->zones[i].origin_len))
			return 1;
	return 0;
}

size_t
db_zone_count(const struct db *db)
{
	return db->nzones;
}

void
db_zone_info(const struct db *db, size_t i, struct db_zone_info *out)
{
	out->origin = db->zones[i].origin;
	out->file = db->zones[i].file;
	out->serial = db->zones[i].serial;
	out->records = db->zones[i].records;
	out->broken = db->zones[i].servfail != NULL;
}

size_t
db_memory(const struct db *db)
{
	return db->arena.total + (db->mask + 1) * sizeof(struct db_slot);
}
