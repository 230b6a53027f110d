/*
 * arena.h -- bump allocator for data that lives and dies together.
 *
 * A snapshot (a compiled zone set, a registry service) is built into one
 * arena and freed in one call, so a swap never walks the data it frees.
 * Allocation failure is reported (NULL); the arena stays usable.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_ARENA_H
#define MUSTER_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk	*head;
	size_t			 chunk_size;	/* default size of new chunks */
	size_t			 total;		/* bytes obtained from malloc */
};

/* Start an empty arena; chunk_size 0 picks a default (64 KiB). */
void arena_init(struct arena *a, size_t chunk_size);

/* size bytes aligned to 16; NULL when out of memory.  Valid until free. */
void *arena_alloc(struct arena *a, size_t size);

/* Like arena_alloc(), zero-filled. */
void *arena_zalloc(struct arena *a, size_t size);

/* Copy size bytes into the arena; NULL when out of memory. */
void *arena_memdup(struct arena *a, const void *p, size_t size);

/* Release every chunk; the arena can be used again after arena_init(). */
void arena_free(struct arena *a);

#endif /* MUSTER_ARENA_H */
