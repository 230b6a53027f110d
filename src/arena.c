/*
 * arena.c -- bump allocator for data that lives and dies together.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_ALIGN	16
#define ARENA_DEFAULT	(64 * 1024)

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 used;
	size_t			 size;
	unsigned char		 data[] __attribute__((aligned(ARENA_ALIGN)));
};

void
arena_init(struct arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT;
	a->total = 0;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = a->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (need < size || need > SIZE_MAX / 2)
		return NULL;
	if (c == NULL || c->size - c->used < need) {
		size_t csize = need > a->chunk_size / 4 ? need : a->chunk_size;

		c = malloc(sizeof(*c) + csize);
		if (c == NULL)
			return NULL;
		c->size = csize;
		c->used = 0;
		a->total += sizeof(*c) + csize;
		if (csize == need && a->head != NULL) {
			/* big block: keep filling the current chunk */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *
arena_memdup(struct arena *a, const void *src, size_t size)
{
	void *p = arena_alloc(a, size);

	if (p != NULL && size > 0)
		memcpy(p, src, size);
	return p;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->total = 0;
}
