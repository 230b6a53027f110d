/*
 * zones.c -- read and check RFC 1035 master files.
 *
 * ldns parses each resource record (every type it knows, RFC 3597 "\#"
 * for the rest), but its file reader does not follow $INCLUDE and
 * reports the line where an entry ends, so entries are cut here: quotes,
 * ";" comments and "( )" continuation lines are handled by zone_next(),
 * which hands ldns one logical line at a time and remembers where it
 * started.  After reading, the records are sorted into canonical order
 * and checked as a whole.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "wire.h"
#include "zones.h"

#define ZONE_MAXDEPTH	8		/* nested $INCLUDE */
#define ZONE_MAXENTRY	(128 * 1024)	/* one logical line */
#define ZONE_MAXFILE	(1024L * 1024 * 1024)
#define ZONE_DEFTTL	3600

struct zone_src {
	char		*path;		/* owned by the zone's file list */
	char		*text;		/* file contents (owned) */
	size_t		 len;
	size_t		 pos;
	uint32_t	 line;		/* current line, from 1 */
	ldns_rdf	*saved_origin;	/* origin to restore after include */
};

struct zone_reader {
	struct zones_zone *zone;
	struct zone_src	 src[ZONE_MAXDEPTH];
	int		 depth;
	ldns_rdf	*origin;	/* current $ORIGIN, or NULL */
	ldns_rdf	*prev;		/* previous owner */
	uint32_t	 default_ttl;
	int		 have_default_ttl;	/* $TTL seen */
	uint32_t	 last_ttl;	/* last explicit TTL (RFC 1035) */
	int		 have_last_ttl;
	char		*entry;		/* ZONE_MAXENTRY + 1 bytes */
	size_t		 cap;		/* rrs capacity */
	char		*err;
	size_t		 errlen;
};

static int zone_fail(struct zone_reader *r, const char *file,
    uint32_t line, const char *fmt, ...) LOG_PRINTF(4, 5);

static int
zone_fail(struct zone_reader *r, const char *file, uint32_t line,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(r->err, r->errlen, "%s:%u: %s", file, line, msg);
	else
		snprintf(r->err, r->errlen, "%s: %s", file, msg);
	return -1;
}

int
zones_name_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[DNAME_MAXLABELS], *lb[DNAME_MAXLABELS];
	int na = 0, nb = 0;

	for (; *a != 0; a += *a + 1)
		la[na++] = a;
	for (; *b != 0; b += *b + 1)
		lb[nb++] = b;
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		size_t n = x[0] < y[0] ? x[0] : y[0];
		int c = memcmp(x + 1, y + 1, n);

		if (c != 0)
			return c;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

/* Keep a copy of every file name, so records can point at it. */
static char *
zone_keep_path(struct zones_zone *z, const char *path)
{
	char **files, *copy;

	files = realloc(z->files, (z->nfiles + 1) * sizeof(*files));
	if (files == NULL)
		return NULL;
	z->files = files;
	copy = strdup(path);
	if (copy == NULL)
		return NULL;
	z->files[z->nfiles++] = copy;
	return copy;
}

static int
zone_push_text(struct zone_reader *r, const char *path, char *text,
    size_t len)
{
	struct zone_src *s;
	char *kept;

	if (r->depth >= ZONE_MAXDEPTH) {
		free(text);
		return zone_fail(r, r->src[r->depth - 1].path,
		    r->src[r->depth - 1].line, "$INCLUDE nested too deeply");
	}
	kept = zone_keep_path(r->zone, path);
	if (kept == NULL) {
		free(text);
		return zone_fail(r, path, 0, "out of memory");
	}
	s = &r->src[r->depth++];
	s->path = kept;
	s->text = text;
	s->len = len;
	s->pos = 0;
	s->line = 1;
	s->saved_origin = r->origin ? ldns_rdf_clone(r->origin) : NULL;
	return 0;
}

static int
zone_push_file(struct zone_reader *r, const char *path, const char *from,
    uint32_t line)
{
	FILE *fp;
	char *text = NULL;
	long size;
	size_t got;

	fp = fopen(path, "r");
	if (fp == NULL)
		return zone_fail(r, from ? from : path, from ? line : 0,
		    "cannot open %s (%s)", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0
	    || size > ZONE_MAXFILE || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return zone_fail(r, path, 0, "cannot read (not a regular "
		    "file, or larger than 1 GiB)");
	}
	text = malloc((size_t)size + 1);
	if (text == NULL) {
		fclose(fp);
		return zone_fail(r, path, 0, "out of memory");
	}
	got = fread(text, 1, (size_t)size, fp);
	fclose(fp);
	if (got != (size_t)size) {
		free(text);
		return zone_fail(r, path, 0, "short read");
	}
	text[got] = '\0';
	return zone_push_text(r, path, text, got);
}

static void
zone_pop(struct zone_reader *r)
{
	struct zone_src *s = &r->src[--r->depth];

	free(s->text);
	if (r->depth > 0) {
		ldns_rdf_deep_free(r->origin);
		r->origin = s->saved_origin;
	} else {
		ldns_rdf_deep_free(s->saved_origin);
	}
}

/*
 * Cut the next logical entry out of the current source into r->entry:
 * comments dropped, parentheses and the newlines inside them turned into
 * blanks, leading blanks kept (they mean "same owner").  Returns 1 with
 * *line set to the entry's first line, 0 at the end of the source, -1 on
 * a syntax error.
 */
static int
zone_next(struct zone_reader *r, uint32_t *line)
{
	struct zone_src *s = &r->src[r->depth - 1];
	size_t n = 0;
	int paren = 0, quoted = 0, content = 0;
	uint32_t start = s->line;

	while (s->pos < s->len) {
		char c = s->text[s->pos++];

		if (c == '\0')
			return zone_fail(r, s->path, s->line, "NUL byte in file");
		if (quoted) {
			if (c == '\\' && s->pos < s->len) {
				if (n + 2 >= ZONE_MAXENTRY)
					goto toolong;
				r->entry[n++] = c;
				c = s->text[s->pos++];
			} else if (c == '"') {
				quoted = 0;
			}
			if (c == '\n')
				s->line++;
		} else if (c == '\\' && s->pos < s->len) {
			if (n + 2 >= ZONE_MAXENTRY)
				goto toolong;
			r->entry[n++] = c;
			c = s->text[s->pos++];
			if (c == '\n')
				s->line++;
			content = 1;
		} else if (c == '"') {
			quoted = 1;
			content = 1;
		} else if (c == ';') {
			while (s->pos < s->len && s->text[s->pos] != '\n')
				s->pos++;
			continue;
		} else if (c == '(') {
			if (++paren > 1)
				return zone_fail(r, s->path, s->line,
				    "nested parentheses");
			c = ' ';
		} else if (c == ')') {
			if (--paren < 0)
				return zone_fail(r, s->path, s->line,
				    "\")\" without \"(\"");
			c = ' ';
		} else if (c == '\n') {
			s->line++;
			if (paren == 0) {
				if (content)
					break;
				n = 0;	/* blank or comment-only line */
				start = s->line;
				continue;
			}
			c = ' ';
		} else if (c == '\r' || c == '\t') {
			c = c == '\t' ? '\t' : ' ';
		} else if (c != ' ') {
			content = 1;
		}
		if (n + 1 >= ZONE_MAXENTRY)
			goto toolong;
		r->entry[n++] = c;
	}
	if (quoted)
		return zone_fail(r, s->path, start, "unterminated quote");
	if (paren != 0)
		return zone_fail(r, s->path, start, "unbalanced parentheses");
	r->entry[n] = '\0';
	*line = start;
	return content ? 1 : 0;
toolong:
	return zone_fail(r, s->path, start, "entry longer than %d bytes",
	    ZONE_MAXENTRY);
}

/* Split off the next blank-separated word of *p; NULL when none. */
static char *
zone_word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	w = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return w;
}

static int
zone_set_origin(struct zone_reader *r, const char *text, const char *file,
    uint32_t line)
{
	ldns_rdf *o;
	const char *why;
	uint8_t wire[DNAME_MAXLEN];

	if (dname_from_str(wire, text, &why) < 0)
		return zone_fail(r, file, line, "bad origin \"%s\" (%s)",
		    text, why);
	if (text[strlen(text) - 1] != '.' && r->origin != NULL) {
		o = ldns_dname_new_frm_str(text);
		if (o != NULL && ldns_dname_cat(o, r->origin) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(o);
			o = NULL;
		}
	} else {
		o = ldns_dname_new_frm_str(text);
	}
	if (o == NULL)
		return zone_fail(r, file, line, "bad origin \"%s\"", text);
	if (ldns_rdf_size(o) > DNAME_MAXLEN) {
		ldns_rdf_deep_free(o);
		return zone_fail(r, file, line, "origin \"%s\" makes a name "
		    "longer than 255 bytes", text);
	}
	ldns_rdf_deep_free(r->origin);
	r->origin = o;
	return 0;
}

static int
zone_directive(struct zone_reader *r, char *entry, uint32_t line)
{
	const char *file = r->src[r->depth - 1].path;
	char *p = entry, *word = zone_word(&p), *arg = zone_word(&p);
	const char *endp;

	if (arg == NULL)
		return zone_fail(r, file, line, "%s without argument", word);
	if (strcasecmp(word, "$ORIGIN") == 0)
		return zone_set_origin(r, arg, file, line);
	if (strcasecmp(word, "$TTL") == 0) {
		r->default_ttl = ldns_str2period(arg, &endp);
		if (*endp != '\0' || !isdigit((unsigned char)arg[0]))
			return zone_fail(r, file, line, "bad $TTL \"%s\"", arg);
		r->have_default_ttl = 1;
		return 0;
	}
	if (strcasecmp(word, "$INCLUDE") == 0) {
		char path[4096], dir[4096], *org = zone_word(&p);

		if (arg[0] == '/') {
			snprintf(path, sizeof(path), "%s", arg);
		} else {
			snprintf(dir, sizeof(dir), "%s", file);
			snprintf(path, sizeof(path), "%s/%s", dirname(dir), arg);
		}
		if (zone_push_file(r, path, file, line) < 0)
			return -1;
		if (org != NULL)
			return zone_set_origin(r, org, file, line);
		return 0;
	}
	return zone_fail(r, file, line, "unknown directive %s", word);
}

/* Is the word at s a class (IN, CH, HS, CLASSnnn)? */
static int
zone_is_class(const char *s)
{
	size_t n = strcspn(s, " \t");

	return (n == 2 && (strncasecmp(s, "IN", 2) == 0
	    || strncasecmp(s, "CH", 2) == 0 || strncasecmp(s, "HS", 2) == 0))
	    || (n > 5 && strncasecmp(s, "CLASS", 5) == 0);
}

/*
 * Does the entry state a TTL?  After the owner (absent when the entry
 * starts with a blank) come TTL and class in either order, then the type.
 */
static int
zone_explicit_ttl(const char *s)
{
	int i;

	if (*s != ' ' && *s != '\t')
		s += strcspn(s, " \t");
	for (i = 0; i < 2; i++) {
		s += strspn(s, " \t");
		if (isdigit((unsigned char)*s))
			return 1;
		if (!zone_is_class(s))
			return 0;
		s += strcspn(s, " \t");
	}
	return 0;
}

/*
 * RFC 1035 5.1 lets the class come before the TTL; ldns only takes the
 * TTL first.  Turn "owner IN 60 A ..." into "owner 60 IN A ..." in
 * place: the two words and the blanks between them keep their room.
 */
static void
zone_ttl_first(char *s)
{
	char cls[16], *c, *t;
	size_t clen, tlen, span;

	if (*s != ' ' && *s != '\t')
		s += strcspn(s, " \t");
	c = s + strspn(s, " \t");
	if (!zone_is_class(c))
		return;
	clen = strcspn(c, " \t");
	t = c + clen + strspn(c + clen, " \t");
	if (!isdigit((unsigned char)*t) || clen >= sizeof(cls))
		return;
	tlen = strcspn(t, " \t");
	span = (size_t)(t - c) + tlen;
	memcpy(cls, c, clen);
	memmove(c, t, tlen);
	memset(c + tlen, ' ', span - tlen - clen);
	memcpy(c + span - clen, cls, clen);
}

static int
zone_add_rr(struct zone_reader *r, ldns_rr *rr, uint32_t line)
{
	struct zones_zone *z = r->zone;
	struct zones_rr *x;
	ldns_buffer *buf;
	ldns_rdf *owner = ldns_rr_owner(rr);

	if (z->nrrs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct zones_rr *n = realloc(z->rrs, cap * sizeof(*n));

		if (n == NULL)
			return zone_fail(r, z->file, 0, "out of memory");
		z->rrs = n;
		r->cap = cap;
	}
	x = &z->rrs[z->nrrs];
	memset(x, 0, offsetof(struct zones_rr, owner));
	x->rr = rr;
	x->file = r->src[r->depth - 1].path;
	x->line = line;
	x->type = ldns_rr_get_type(rr);
	x->ttl = ldns_rr_ttl(rr);
	x->owner_len = (uint8_t)ldns_rdf_size(owner);
	memcpy(x->owner_orig, ldns_rdf_data(owner), x->owner_len);
	dname_copy_lower(x->owner, x->owner_orig, x->owner_len);
	buf = ldns_buffer_new(512);
	if (buf == NULL || ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK
	    || ldns_buffer_position(buf) > 65535) {
		ldns_buffer_free(buf);
		return zone_fail(r, x->file, line, "cannot encode record");
	}
	x->rdlen = (uint16_t)ldns_buffer_position(buf);
	x->rdata = malloc(x->rdlen ? x->rdlen : 1);
	if (x->rdata == NULL) {
		ldns_buffer_free(buf);
		return zone_fail(r, x->file, line, "out of memory");
	}
	memcpy(x->rdata, ldns_buffer_begin(buf), x->rdlen);
	ldns_buffer_free(buf);
	z->nrrs++;
	return 0;
}

/* Does rr hold a name over 255 bytes (relative name + $ORIGIN)? */
static int
zone_long_name(const ldns_rr *rr)
{
	size_t i;

	if (ldns_rdf_size(ldns_rr_owner(rr)) > DNAME_MAXLEN)
		return 1;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME
		    && ldns_rdf_size(f) > DNAME_MAXLEN)
			return 1;
	}
	return 0;
}

static int
zone_record(struct zone_reader *r, char *entry, uint32_t line)
{
	const char *file = r->src[r->depth - 1].path;
	ldns_rr *rr = NULL;
	ldns_status st;
	uint32_t ttl;
	int explicit_ttl = zone_explicit_ttl(entry);

	zone_ttl_first(entry);
	if (r->have_default_ttl)
		ttl = r->default_ttl;
	else if (r->have_last_ttl)
		ttl = r->last_ttl;
	else
		ttl = ZONE_DEFTTL;
	if (r->origin == NULL && entry[0] != ' ' && entry[0] != '\t') {
		const char *end = entry + strcspn(entry, " \t");

		if (end == entry || end[-1] != '.' || (end - entry >= 2
		    && end[-2] == '\\'))
			return zone_fail(r, file, line, "relative owner name "
			    "but no $ORIGIN (give one, or -z ORIGIN=FILE)");
	}
	st = ldns_rr_new_frm_str(&rr, entry, ttl, r->origin, &r->prev);
	if (st != LDNS_STATUS_OK)
		return zone_fail(r, file, line, "%s",
		    ldns_get_errorstr_by_id(st));
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		unsigned cls = (unsigned)ldns_rr_get_class(rr);

		ldns_rr_free(rr);
		return zone_fail(r, file, line, "class %u is not supported "
		    "(only IN)", cls);
	}
	if (zone_long_name(rr)) {
		ldns_rr_free(rr);
		return zone_fail(r, file, line, "name longer than 255 bytes");
	}
	if (explicit_ttl) {
		r->last_ttl = ldns_rr_ttl(rr);
		r->have_last_ttl = 1;
	}
	if (r->origin == NULL && ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
		r->origin = ldns_rdf_clone(ldns_rr_owner(rr));
	if (zone_add_rr(r, rr, line) < 0) {
		ldns_rr_free(rr);
		return -1;
	}
	return 0;
}

static int
zone_read_all(struct zone_reader *r)
{
	uint32_t line = 0;
	int rc;

	while (r->depth > 0) {
		rc = zone_next(r, &line);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			zone_pop(r);
			continue;
		}
		if (r->entry[0] == '$')
			rc = zone_directive(r, r->entry, line);
		else
			rc = zone_record(r, r->entry, line);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
zone_rr_cmp(const void *pa, const void *pb)
{
	const struct zones_rr *a = pa, *b = pb;
	int c = zones_name_cmp(a->owner, b->owner);

	if (c != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->rdlen != b->rdlen) {
		size_t n = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;

		c = memcmp(a->rdata, b->rdata, n);
		return c != 0 ? c : (a->rdlen < b->rdlen ? -1 : 1);
	}
	c = memcmp(a->rdata, b->rdata, a->rdlen);
	if (c != 0)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

static void
zone_rr_clear(struct zones_rr *x)
{
	ldns_rr_free(x->rr);
	free(x->rdata);
}

/* Sort, drop duplicate records (RFC 2181 5), unify RRset TTLs. */
static void
zone_sort(struct zones_zone *z)
{
	size_t i, o = 0, set = 0;
	char name[DNAME_STRLEN];

	if (z->nrrs > 1)
		qsort(z->rrs, z->nrrs, sizeof(*z->rrs), zone_rr_cmp);
	for (i = 0; i < z->nrrs; i++) {
		struct zones_rr *x = &z->rrs[i];

		if (o > 0 && z->rrs[o - 1].type == x->type
		    && z->rrs[o - 1].rdlen == x->rdlen
		    && memcmp(z->rrs[o - 1].owner, x->owner, x->owner_len) == 0
		    && z->rrs[o - 1].owner_len == x->owner_len
		    && memcmp(z->rrs[o - 1].rdata, x->rdata, x->rdlen) == 0) {
			zone_rr_clear(x);
			continue;
		}
		if (o == 0 || z->rrs[set].type != x->type
		    || z->rrs[set].owner_len != x->owner_len
		    || memcmp(z->rrs[set].owner, x->owner, x->owner_len) != 0)
			set = o;
		else if (z->rrs[set].ttl != x->ttl) {
			log_warnx("zone, %s:%u: TTL %u of %s differs from its "
			    "RRset's %u (line %u), using the lower", x->file,
			    x->line, x->ttl, dname_to_str(name, sizeof(name),
			    x->owner), z->rrs[set].ttl, z->rrs[set].line);
			if (x->ttl < z->rrs[set].ttl)
				z->rrs[set].ttl = x->ttl;
		}
		z->rrs[o++] = *x;
	}
	z->nrrs = o;
	/* RFC 2181 5.2: one TTL per RRset, the lowest */
	for (i = 0, set = 0; i < o; i++) {
		if (i > 0 && (z->rrs[i].type != z->rrs[set].type
		    || z->rrs[i].owner_len != z->rrs[set].owner_len
		    || memcmp(z->rrs[i].owner, z->rrs[set].owner,
		    z->rrs[i].owner_len) != 0))
			set = i;
		z->rrs[i].ttl = z->rrs[set].ttl;
	}
}

static int
zone_check(struct zone_reader *r)
{
	struct zones_zone *z = r->zone;
	size_t i, nsoa = 0, first_soa = 0;
	char name[DNAME_STRLEN];

	for (i = 0; i < z->nrrs; i++) {
		struct zones_rr *x = &z->rrs[i];

		if (!dname_is_sub(x->owner, x->owner_len, z->origin,
		    z->origin_len))
			return zone_fail(r, x->file, x->line, "%s is outside "
			    "the zone's origin %s",
			    dname_to_str(name, sizeof(name), x->owner_orig),
			    dname_to_str(name + 512, sizeof(name) - 512,
			    z->origin));
		if (x->type == WIRE_T_SOA) {
			if (x->owner_len != z->origin_len
			    || memcmp(x->owner, z->origin, z->origin_len) != 0)
				return zone_fail(r, x->file, x->line, "SOA "
				    "record not at the zone's origin");
			if (nsoa++ > 0) {
				/* name the later one, as written */
				const struct zones_rr *late = x->line
				    > z->rrs[first_soa].line ? x
				    : &z->rrs[first_soa];

				return zone_fail(r, late->file, late->line,
				    "more than one SOA record");
			}
			first_soa = i;
			z->soa = i;
		}
	}
	if (nsoa == 0)
		return zone_fail(r, z->file, 0, "no SOA record for %s",
		    dname_to_str(name, sizeof(name), z->origin));
	/* CNAME and other data: records of one owner are adjacent */
	for (i = 0; i < z->nrrs; i++) {
		size_t j = i, cname = SIZE_MAX, other = SIZE_MAX;

		while (j < z->nrrs && z->rrs[j].owner_len == z->rrs[i].owner_len
		    && memcmp(z->rrs[j].owner, z->rrs[i].owner,
		    z->rrs[i].owner_len) == 0) {
			uint16_t t = z->rrs[j].type;

			if (t == WIRE_T_CNAME) {
				if (cname != SIZE_MAX) {
					size_t late = z->rrs[j].line
					    > z->rrs[cname].line ? j : cname;

					return zone_fail(r, z->rrs[late].file,
					    z->rrs[late].line, "more than one "
					    "CNAME for %s", dname_to_str(name,
					    sizeof(name), z->rrs[late].owner_orig));
				}
				cname = j;
			} else if (t != WIRE_T_RRSIG && t != 47 /* NSEC */) {
				if (other == SIZE_MAX
				    || z->rrs[j].line > z->rrs[other].line)
					other = j;
			}
			j++;
		}
		if (cname != SIZE_MAX && other != SIZE_MAX) {
			size_t late = z->rrs[cname].line > z->rrs[other].line
			    ? cname : other;

			return zone_fail(r, z->rrs[late].file, z->rrs[late].line,
			    "CNAME and other data at %s", dname_to_str(name,
			    sizeof(name), z->rrs[late].owner_orig));
		}
		i = j - 1;
	}
	return 0;
}

static struct zones_zone *
zone_run(struct zone_reader *r, const char *origin)
{
	struct zones_zone *z = r->zone;
	int rc = -1;

	r->entry = malloc(ZONE_MAXENTRY + 1);
	if (r->entry == NULL) {
		zone_fail(r, z->file, 0, "out of memory");
		goto out;
	}
	if (origin != NULL && zone_set_origin(r, origin, z->file, 0) < 0)
		goto out;
	if (zone_read_all(r) < 0)
		goto out;
	/* the zone's origin is the one given, else the SOA owner's */
	if (z->origin_len == 0) {
		ldns_rdf *o = NULL;
		size_t i;

		for (i = 0; i < z->nrrs && o == NULL; i++)
			if (z->rrs[i].type == WIRE_T_SOA)
				o = ldns_rr_owner(z->rrs[i].rr);
		if (o == NULL) {
			zone_fail(r, z->file, 0, "no SOA record");
			goto out;
		}
		z->origin_len = (uint8_t)ldns_rdf_size(o);
		dname_copy_lower(z->origin, ldns_rdf_data(o), z->origin_len);
	}
	zone_sort(z);
	rc = zone_check(r);
out:
	while (r->depth > 0)
		zone_pop(r);
	free(r->entry);
	ldns_rdf_deep_free(r->origin);
	ldns_rdf_deep_free(r->prev);
	if (rc < 0) {
		zones_free(z);
		return NULL;
	}
	return z;
}

static struct zones_zone *
zone_start(struct zone_reader *r, const char *path, const char *origin,
    char *err, size_t errlen)
{
	const char *why;

	memset(r, 0, sizeof(*r));
	r->err = err;
	r->errlen = errlen;
	r->zone = calloc(1, sizeof(*r->zone));
	if (r->zone == NULL || (r->zone->file = strdup(path)) == NULL) {
		free(r->zone);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (origin != NULL) {
		int n = dname_from_str(r->zone->origin, origin, &why);

		if (n < 0) {
			snprintf(err, errlen, "%s: bad origin \"%s\" (%s)", path,
			    origin, why);
			zones_free(r->zone);
			return NULL;
		}
		dname_copy_lower(r->zone->origin, r->zone->origin, (size_t)n);
		r->zone->origin_len = (uint8_t)n;
	}
	return r->zone;
}

struct zones_zone *
zones_load(const char *path, const char *origin, char *err, size_t errlen)
{
	struct zone_reader r;

	if (zone_start(&r, path, origin, err, errlen) == NULL)
		return NULL;
	if (zone_push_file(&r, path, NULL, 0) < 0) {
		zones_free(r.zone);
		return NULL;
	}
	return zone_run(&r, origin);
}

struct zones_zone *
zones_load_string(const char *name, const char *text, size_t len,
    const char *origin, char *err, size_t errlen)
{
	struct zone_reader r;
	char *copy;

	if (zone_start(&r, name, origin, err, errlen) == NULL)
		return NULL;
	copy = malloc(len + 1);
	if (copy == NULL) {
		zones_free(r.zone);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (zone_push_text(&r, name, copy, len) < 0) {
		zones_free(r.zone);
		return NULL;
	}
	return zone_run(&r, origin);
}

struct zones_zone *
zones_broken(const char *file, const char *origin)
{
	char text[DNAME_STRLEN + 64], err[256];
	struct zones_zone *z;
	int n;

	n = snprintf(text, sizeof(text), "$ORIGIN %s\n@ 0 IN SOA . . 0 0 0 0 0\n",
	    origin);
	if (n < 0 || (size_t)n >= sizeof(text))
		return NULL;
	z = zones_load_string(file, text, (size_t)n, origin, err, sizeof(err));
	if (z != NULL)
		z->broken = true;
	return z;
}

void
zones_free(struct zones_zone *z)
{
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->nrrs; i++)
		zone_rr_clear(&z->rrs[i]);
	free(z->rrs);
	for (i = 0; i < z->nfiles; i++)
		free(z->files[i]);
	free(z->files);
	free(z->file);
	free(z);
}
