/*
 * hmap.c -- a map from byte-string keys to pointers, for the main thread.
 *
 * Open addressing with linear probing in one array of 24-byte slots,
 * at most three quarters full; a removal shifts the entries after it
 * back, so there are no tombstones.  A key is either copied (hmap_put)
 * or, to save that allocation when the value holds its own key, kept by
 * reference (hmap_put_ref): the registry model keeps millions of entries.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "hmap.h"

#define HMAP_SEED	0x9ae16a3b2f90404fULL
#define HMAP_OWNED	0x80000000u	/* in len: the map owns the key */

struct hmap_slot {
	const void	*key;		/* NULL: empty */
	void		*value;
	uint32_t	 hash;
	uint32_t	 len;		/* | HMAP_OWNED */
};

struct hmap {
	struct hmap_slot	*s;
	size_t			 mask;
	size_t			 n;
};

struct hmap *
hmap_new(void)
{
	struct hmap *m = malloc(sizeof(*m));

	if (m == NULL)
		return NULL;
	m->mask = 15;
	m->n = 0;
	m->s = calloc(m->mask + 1, sizeof(*m->s));
	if (m->s == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
hmap_free(struct hmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i <= m->mask; i++)
		if (m->s[i].len & HMAP_OWNED)
			free((void *)(uintptr_t)m->s[i].key);
	free(m->s);
	free(m);
}

static uint32_t
hmap_hash(const void *key, size_t len)
{
	return (uint32_t)dname_hash(key, len, HMAP_SEED);
}

/* The slot of key, or the empty slot where it would go. */
static size_t
hmap_find(const struct hmap *m, const void *key, size_t len, uint32_t h)
{
	size_t i;

	for (i = h & m->mask;; i = (i + 1) & m->mask) {
		const struct hmap_slot *s = &m->s[i];

		if (s->key == NULL || (s->hash == h
		    && (s->len & ~HMAP_OWNED) == len
		    && memcmp(s->key, key, len) == 0))
			return i;
	}
}

void *
hmap_get(const struct hmap *m, const void *key, size_t len)
{
	size_t i = hmap_find(m, key, len, hmap_hash(key, len));

	return m->s[i].key != NULL ? m->s[i].value : NULL;
}

static int
hmap_grow(struct hmap *m)
{
	size_t size = (m->mask + 1) * 2, i, j;
	struct hmap_slot *s = calloc(size, sizeof(*s));

	if (s == NULL)
		return -1;
	for (i = 0; i <= m->mask; i++) {
		if (m->s[i].key == NULL)
			continue;
		for (j = m->s[i].hash & (size - 1); s[j].key != NULL;
		    j = (j + 1) & (size - 1))
			;
		s[j] = m->s[i];
	}
	free(m->s);
	m->s = s;
	m->mask = size - 1;
	return 0;
}

static int
hmap_set(struct hmap *m, const void *key, size_t len, void *value, bool own)
{
	uint32_t h = hmap_hash(key, len);
	size_t i = hmap_find(m, key, len, h);
	struct hmap_slot *s = &m->s[i];
	void *copy = NULL;

	if (len >= HMAP_OWNED)
		return -1;
	if (s->key != NULL && (!own || (s->len & HMAP_OWNED))) {
		/* the same key: a kept key stays, a reference follows value */
		if (!own) {
			if (s->len & HMAP_OWNED)
				free((void *)(uintptr_t)s->key);
			s->key = key;
			s->len &= ~HMAP_OWNED;
		}
		s->value = value;
		return 0;
	}
	if (own && (copy = malloc(len ? len : 1)) == NULL)
		return -1;
	if (own)
		memcpy(copy, key, len);
	if (s->key != NULL) {		/* a referenced key, now copied */
		s->key = copy;
		s->len |= HMAP_OWNED;
		s->value = value;
		return 0;
	}
	if ((m->n + 1) * 4 > (m->mask + 1) * 3) {
		if (hmap_grow(m) < 0) {
			free(copy);
			return -1;
		}
		s = &m->s[hmap_find(m, key, len, h)];
	}
	s->key = own ? copy : key;
	s->value = value;
	s->hash = h;
	s->len = (uint32_t)len | (own ? HMAP_OWNED : 0);
	m->n++;
	return 0;
}

int
hmap_put(struct hmap *m, const void *key, size_t len, void *value)
{
	return hmap_set(m, key, len, value, true);
}

int
hmap_put_ref(struct hmap *m, const void *key, size_t len, void *value)
{
	return hmap_set(m, key, len, value, false);
}

void *
hmap_del(struct hmap *m, const void *key, size_t len)
{
	size_t i = hmap_find(m, key, len, hmap_hash(key, len)), j, home;
	void *v = m->s[i].value;

	if (m->s[i].key == NULL)
		return NULL;
	if (m->s[i].len & HMAP_OWNED)
		free((void *)(uintptr_t)m->s[i].key);
	m->n--;
	/* shift back the entries of the run that could have used slot i */
	for (j = (i + 1) & m->mask; m->s[j].key != NULL;
	    j = (j + 1) & m->mask) {
		home = m->s[j].hash & m->mask;
		/* move j to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->s[i] = m->s[j];
			i = j;
		}
	}
	m->s[i].key = NULL;
	m->s[i].value = NULL;
	return v;
}

size_t
hmap_count(const struct hmap *m)
{
	return m->n;
}

void
hmap_each(const struct hmap *m, void (*fn)(const void *, size_t, void *,
    void *), void *arg)
{
	size_t i;

	for (i = 0; i <= m->mask; i++)
		if (m->s[i].key != NULL)
			fn(m->s[i].key, m->s[i].len & ~HMAP_OWNED,
			    m->s[i].value, arg);
}
