/*
 * dname.h -- domain names in wire form: case, hashing, suffixes, text.
 *
 * A "name" here is an uncompressed wire-format domain name ending in the
 * root label, at most DNAME_MAXLEN bytes.  Functions that take a length
 * trust the name (it was validated when it was parsed); dname_from_str()
 * and the wire parser in wire.c are the only doors for outside bytes.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_DNAME_H
#define MUSTER_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNAME_MAXLEN	255
#define DNAME_MAXLABELS	128	/* 127 labels plus the root */
#define DNAME_MAXLABEL	63
#define DNAME_STRLEN	1024	/* enough for any name in text, escaped */

extern const uint8_t dname_lower_tab[256];

static inline uint8_t
dname_lower(uint8_t c)
{
	return dname_lower_tab[c];
}

/* Length of a trusted wire name, including the root label. */
size_t dname_len(const uint8_t *name);

/* Number of labels, not counting the root ("." has 0). */
unsigned dname_count_labels(const uint8_t *name);

/* Copy len bytes of a wire name, lowercasing label bytes. */
void dname_copy_lower(uint8_t *dst, const uint8_t *src, size_t len);

/* Case-insensitive equality of two trusted names. */
bool dname_equal(const uint8_t *a, const uint8_t *b);

/*
 * Is name (lowercase, len bytes) equal to or below parent (lowercase,
 * plen bytes)?  Checks label boundaries, not only bytes.
 */
bool dname_is_sub(const uint8_t *name, size_t len, const uint8_t *parent,
    size_t plen);

/* Hash of a lowercase wire name; seed makes tables unpredictable. */
uint64_t dname_hash(const uint8_t *name, size_t len, uint64_t seed);

/*
 * Text -> wire.  Accepts absolute ("a.b.") and relative ("a.b") names,
 * both read as absolute; "\." and "\DDD" escapes; "." is the root.
 * Returns the wire length, or -1 with *why set to a static string.
 */
int dname_from_str(uint8_t *out, const char *s, const char **why);

/*
 * Wire -> text into buf (size >= DNAME_STRLEN is always enough), absolute
 * with trailing dot, escaping as in RFC 4343.  Returns buf.
 */
char *dname_to_str(char *buf, size_t size, const uint8_t *name);

/* Is this one label (len bytes, no length byte) a valid LDH host label? */
bool dname_label_is_ldh(const uint8_t *label, size_t len);

#endif /* MUSTER_DNAME_H */
