/*
 * enc.c -- encode resource records into a response template.
 *
 * The compression dictionary is a flat list of (lowercase suffix, offset)
 * searched linearly: templates are built once per load, and the list
 * stops growing at ENC_MAXDICT entries (names after that are written in
 * full, which is correct, only longer).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "enc.h"
#include "wire.h"

#define ENC_MAXDICT	1024
#define ENC_MAXRELOC	4096
#define ENC_MAXCUT	4096
/* in relocatable templates a pointer may move by up to 253 bytes */
#define ENC_MAXPTR	(0x3fff - DNAME_MAXLEN)

struct enc_dict {
	const uint8_t	*name;		/* lowercase suffix */
	uint16_t	 len;
	uint16_t	 off;		/* virtual message offset */
};

struct enc {
	uint8_t		 buf[ENC_MAXLEN];
	size_t		 len;
	size_t		 base;		/* message offset of buf[0] */
	bool		 relocatable;
	bool		 overflow;
	uint8_t		 rcode;
	bool		 aa;
	enum enc_section sec;
	uint16_t	 count[3];
	uint16_t	 ar_req;
	uint16_t	 base_qlen;
	size_t		 ndict;
	struct enc_dict	 dict[ENC_MAXDICT];
	uint8_t		 names[ENC_MAXDICT * 8];	/* lowercase copies */
	size_t		 names_len;
	size_t		 nreloc;
	uint16_t	 reloc[ENC_MAXRELOC];
	size_t		 ncut;
	struct enc_cut	 cut[ENC_MAXCUT];
};

/*
 * Remember the suffixes of a name whose first `written` bytes (whole
 * labels) were just written at message offset off, the rest being a
 * pointer or nothing: only labels physically present can be pointed to,
 * each standing for the rest of the whole name.  lower is the whole name,
 * lowercased, len bytes.
 */
static void
enc_dict_add(struct enc *e, const uint8_t *lower, size_t len, size_t written,
    size_t off)
{
	size_t i = 0;
	uint8_t *copy;

	if (len <= 1 || e->names_len + len > sizeof(e->names))
		return;
	copy = e->names + e->names_len;
	memcpy(copy, lower, len);
	e->names_len += len;
	while (i < written && copy[i] != 0) {
		if (e->ndict == ENC_MAXDICT || off + i > ENC_MAXPTR)
			return;
		e->dict[e->ndict].name = copy + i;
		e->dict[e->ndict].len = (uint16_t)(len - i);
		e->dict[e->ndict].off = (uint16_t)(off + i);
		e->ndict++;
		i += (size_t)copy[i] + 1;
	}
}

static const struct enc_dict *
enc_dict_find(const struct enc *e, const uint8_t *lower, size_t len)
{
	size_t i;

	for (i = 0; i < e->ndict; i++)
		if (e->dict[i].len == len
		    && memcmp(e->dict[i].name, lower, len) == 0)
			return &e->dict[i];
	return NULL;
}

static void
enc_put(struct enc *e, const void *p, size_t n)
{
	if (e->overflow || e->len + n > sizeof(e->buf)) {
		e->overflow = true;
		return;
	}
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

static void
enc_put16(struct enc *e, uint16_t v)
{
	uint8_t b[2];

	wire_put16(b, v);
	enc_put(e, b, 2);
}

/* Write a name, compressed against the dictionary when allowed. */
static void
enc_name(struct enc *e, const uint8_t *name, bool compress)
{
	uint8_t lower[DNAME_MAXLEN];
	size_t len = dname_len(name), i = 0, start = e->len;
	const struct enc_dict *d;

	dname_copy_lower(lower, name, len);
	while (name[i] != 0) {
		if (compress && (d = enc_dict_find(e, lower + i, len - i))
		    != NULL) {
			enc_put(e, name, i);
			if (e->relocatable && !e->overflow) {
				if (e->nreloc == ENC_MAXRELOC) {
					e->overflow = true;
					return;
				}
				e->reloc[e->nreloc++] = (uint16_t)e->len;
			}
			enc_put16(e, (uint16_t)(0xc000 | d->off));
			if (!e->overflow)
				enc_dict_add(e, lower, len, i, e->base + start);
			return;
		}
		i += (size_t)name[i] + 1;
	}
	enc_put(e, name, len);
	/* later names may point into this one even if it was not compressed */
	if (!e->overflow)
		enc_dict_add(e, lower, len, len, e->base + start);
}

struct enc *
enc_new(void)
{
	return malloc(sizeof(struct enc));
}

void
enc_begin(struct enc *e, const uint8_t *qname, size_t qlen, bool relocatable)
{
	e->len = 0;
	e->base = WIRE_HDR + qlen + 4;
	e->relocatable = relocatable;
	e->overflow = false;
	e->rcode = 0;
	e->aa = true;
	e->sec = ENC_AN;
	e->count[0] = e->count[1] = e->count[2] = 0;
	e->ar_req = 0;
	e->base_qlen = (uint16_t)qlen;
	e->ndict = 0;
	e->names_len = 0;
	e->nreloc = 0;
	e->ncut = 0;
	enc_dict_add(e, qname, qlen, qlen, WIRE_HDR);
	enc_rrset_end(e);
}

void
enc_free(struct enc *e)
{
	free(e);
}

void
enc_section(struct enc *e, enum enc_section s)
{
	e->sec = s;
}

void
enc_set_rcode(struct enc *e, uint8_t rcode, bool aa)
{
	e->rcode = rcode;
	e->aa = aa;
}

unsigned
enc_count(const struct enc *e, enum enc_section s)
{
	return e->count[s];
}

void
enc_mark_required(struct enc *e)
{
	e->ar_req = e->count[ENC_AR];
}

/* Is a name in this type's RDATA compressible (RFC 3597 4)? */
static bool
enc_compressible(uint16_t type)
{
	switch (type) {
	case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
	case 12: case 14: case 15:
		return true;
	default:
		return false;
	}
}

/* Length of an uncompressed name at rdata[off..rdlen), or 0 if bad. */
static size_t
enc_rdata_name(const uint8_t *rdata, size_t off, size_t rdlen)
{
	size_t o = off;

	while (o < rdlen) {
		if (rdata[o] & 0xc0)
			return 0;
		if (rdata[o] == 0)
			return o + 1 - off;
		o += (size_t)rdata[o] + 1;
	}
	return 0;
}

/* RDATA of a compressible type: names compressed, the rest copied. */
static void
enc_rdata(struct enc *e, uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
	size_t off = 0, n, names = 1;

	if (type == WIRE_T_MX) {
		if (rdlen < 2)
			goto raw;
		enc_put(e, rdata, 2);
		off = 2;
	} else if (type == WIRE_T_SOA || type == 14) {
		names = 2;
	}
	while (names-- > 0) {
		n = enc_rdata_name(rdata, off, rdlen);
		if (n == 0)
			goto raw;
		enc_name(e, rdata + off, true);
		off += n;
	}
	enc_put(e, rdata + off, rdlen - off);
	return;
raw:
	enc_put(e, rdata + off, rdlen - off);
}

void
enc_rr(struct enc *e, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t fixed[8];
	size_t rdstart;

	if (owner == NULL)
		enc_put16(e, 0xc000 | WIRE_HDR);
	else
		enc_name(e, owner, true);
	wire_put16(fixed, type);
	wire_put16(fixed + 2, WIRE_C_IN);
	wire_put32(fixed + 4, ttl);
	enc_put(e, fixed, sizeof(fixed));
	enc_put16(e, 0);
	rdstart = e->len;
	if (enc_compressible(type))
		enc_rdata(e, type, rdata, rdlen);
	else
		enc_put(e, rdata, rdlen);
	if (!e->overflow)
		wire_put16(e->buf + rdstart - 2, (uint16_t)(e->len - rdstart));
	e->count[e->sec]++;
}

void
enc_rrset_end(struct enc *e)
{
	struct enc_cut *c;

	if (e->overflow)
		return;
	if (e->ncut > 0 && e->cut[e->ncut - 1].end == e->len)
		e->ncut--;	/* nothing written since the last cut */
	if (e->ncut == ENC_MAXCUT) {
		e->overflow = true;
		return;
	}
	c = &e->cut[e->ncut++];
	c->end = (uint16_t)e->len;
	c->an = e->count[ENC_AN];
	c->ns = e->count[ENC_NS];
	c->ar = e->count[ENC_AR];
}

const struct enc_tmpl *
enc_finish(struct enc *e, struct arena *a, const char **why)
{
	struct enc_tmpl *t;
	uint16_t *reloc;
	struct enc_cut *cut;
	uint8_t *data;

	enc_rrset_end(e);
	if (e->overflow) {
		*why = "records do not fit in one DNS message";
		return NULL;
	}
	*why = "out of memory";
	t = arena_alloc(a, sizeof(*t));
	reloc = arena_memdup(a, e->reloc, e->nreloc * sizeof(*reloc));
	cut = arena_memdup(a, e->cut, e->ncut * sizeof(*cut));
	data = arena_memdup(a, e->buf, e->len);
	if (t == NULL || reloc == NULL || cut == NULL || data == NULL)
		return NULL;
	t->len = (uint16_t)e->len;
	t->an = e->count[ENC_AN];
	t->ns = e->count[ENC_NS];
	t->ar = e->count[ENC_AR];
	t->ar_req = e->ar_req;
	t->base_qlen = e->base_qlen;
	t->nreloc = (uint16_t)e->nreloc;
	t->ncut = (uint16_t)e->ncut;
	t->rcode = e->rcode;
	t->aa = e->aa;
	t->reloc = reloc;
	t->cut = cut;
	t->data = data;
	*why = NULL;
	return t;
}

int
enc_rdata_target(uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
	size_t off;

	switch (type) {
	case WIRE_T_NS: case 7:		/* MB */
		off = 0;
		break;
	case WIRE_T_MX: case 36:	/* KX */
		off = 2;
		break;
	case WIRE_T_SRV:
		off = 6;
		break;
	case 64: case 65:		/* SVCB, HTTPS (RFC 9460 4.1) */
		off = 2;
		break;
	default:
		return -1;
	}
	if (off >= rdlen || enc_rdata_name(rdata, off, rdlen) == 0)
		return -1;
	return (int)off;
}
