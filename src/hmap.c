/*
 * hmap.c -- a map from byte-string keys to pointers, for the main thread.
 *
 * Separate chaining; the bucket array doubles when the map holds more
 * entries than buckets.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "hmap.h"

struct hmap_entry {
	struct hmap_entry	*next;
	uint64_t		 hash;
	void			*value;
	size_t			 len;
	unsigned char		 key[];
};

struct hmap {
	struct hmap_entry	**b;
	size_t			 mask;
	size_t			 n;
};

#define HMAP_SEED	0x9ae16a3b2f90404fULL

struct hmap *
hmap_new(void)
{
	struct hmap *m = malloc(sizeof(*m));

	if (m == NULL)
		return NULL;
	m->mask = 63;
	m->n = 0;
	m->b = calloc(m->mask + 1, sizeof(*m->b));
	if (m->b == NULL) {
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
	for (i = 0; i <= m->mask; i++) {
		struct hmap_entry *e = m->b[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(m->b);
	free(m);
}

static struct hmap_entry **
hmap_find(const struct hmap *m, const void *key, size_t len, uint64_t h)
{
	struct hmap_entry **pp = &m->b[h & m->mask];

	for (; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->hash == h && (*pp)->len == len
		    && memcmp((*pp)->key, key, len) == 0)
			break;
	return pp;
}

void *
hmap_get(const struct hmap *m, const void *key, size_t len)
{
	struct hmap_entry **pp = hmap_find(m, key, len,
	    dname_hash(key, len, HMAP_SEED));

	return *pp ? (*pp)->value : NULL;
}

static void
hmap_grow(struct hmap *m)
{
	size_t size = (m->mask + 1) * 2, i;
	struct hmap_entry **b = calloc(size, sizeof(*b));

	if (b == NULL)
		return;		/* keep the longer chains */
	for (i = 0; i <= m->mask; i++) {
		struct hmap_entry *e = m->b[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (size - 1)];
			b[e->hash & (size - 1)] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->mask = size - 1;
}

int
hmap_put(struct hmap *m, const void *key, size_t len, void *value)
{
	uint64_t h = dname_hash(key, len, HMAP_SEED);
	struct hmap_entry **pp = hmap_find(m, key, len, h), *e;

	if (*pp != NULL) {
		(*pp)->value = value;
		return 0;
	}
	e = malloc(sizeof(*e) + len);
	if (e == NULL)
		return -1;
	e->next = NULL;
	e->hash = h;
	e->value = value;
	e->len = len;
	memcpy(e->key, key, len);
	*pp = e;
	if (++m->n > m->mask + 1)
		hmap_grow(m);
	return 0;
}

void *
hmap_del(struct hmap *m, const void *key, size_t len)
{
	struct hmap_entry **pp = hmap_find(m, key, len,
	    dname_hash(key, len, HMAP_SEED)), *e = *pp;
	void *v;

	if (e == NULL)
		return NULL;
	*pp = e->next;
	v = e->value;
	free(e);
	m->n--;
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

	for (i = 0; i <= m->mask; i++) {
		struct hmap_entry *e = m->b[i];

		for (; e != NULL; e = e->next)
			fn(e->key, e->len, e->value, arg);
	}
}
