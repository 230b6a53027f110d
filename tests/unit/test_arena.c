/*
 * test_arena.c -- unit tests for arena.c: the bump allocator.
 *
 * Alignment, zero-fill, copies, blocks larger than a chunk, the byte
 * count, reuse after arena_free(), and sizes that would overflow the
 * chunk arithmetic (which must come back NULL, never a short block).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "arena.h"

/* Under ASan a failed huge malloc() must return NULL, as in production. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static struct arena a;

static void
setup(void)
{
	arena_init(&a, 1024);
}

static void
teardown(void)
{
	arena_free(&a);
}

TestSuite(arena, .init = setup, .fini = teardown);

Test(arena, aligned_to_16)
{
	size_t sizes[] = { 1, 3, 16, 17, 100, 255, 1 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = arena_alloc(&a, sizes[i]);

		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % 16, 0, "size %zu", sizes[i]);
	}
}

Test(arena, blocks_do_not_overlap)
{
	unsigned char *p[64];
	size_t i, j;

	/* more than one chunk's worth (64 * 48 > 1024) */
	for (i = 0; i < 64; i++) {
		p[i] = arena_alloc(&a, 40);
		cr_assert_not_null(p[i]);
		memset(p[i], (int)i, 40);
	}
	for (i = 0; i < 64; i++)
		for (j = 0; j < 40; j++)
			cr_assert_eq(p[i][j], i, "block %zu byte %zu", i, j);
}

Test(arena, zalloc_zero_fills)
{
	unsigned char *p;
	size_t i;

	/* dirty a chunk, free it, and take memory again */
	memset(arena_alloc(&a, 500), 0xaa, 500);
	arena_free(&a);
	arena_init(&a, 1024);
	p = arena_zalloc(&a, 300);
	cr_assert_not_null(p);
	for (i = 0; i < 300; i++)
		cr_assert_eq(p[i], 0, "byte %zu", i);
}

Test(arena, memdup_copies)
{
	static const char s[] = "muster";
	char *p = arena_memdup(&a, s, sizeof(s));

	cr_assert_not_null(p);
	cr_assert_neq(p, s);
	cr_assert_str_eq(p, s);
	cr_assert_not_null(arena_memdup(&a, s, 0), "size 0 is fine");
}

Test(arena, big_block_gets_its_own_chunk)
{
	unsigned char *small1, *big, *small2;

	small1 = arena_alloc(&a, 16);
	big = arena_alloc(&a, 5000);	/* larger than the chunk size */
	small2 = arena_alloc(&a, 16);
	cr_assert_not_null(small1);
	cr_assert_not_null(big);
	cr_assert_not_null(small2);
	memset(big, 0x55, 5000);
	/* the small allocations keep filling the first chunk */
	cr_assert_eq(small2, small1 + 16);
	cr_assert_geq(a.total, 5000 + 1024);
}

Test(arena, total_counts_chunks)
{
	cr_assert_eq(a.total, 0);
	cr_assert_not_null(arena_alloc(&a, 10));
	cr_assert_geq(a.total, 1024);
	cr_assert_lt(a.total, 1024 + 128, "one chunk and its header");
}

Test(arena, default_chunk_size)
{
	struct arena d;

	arena_init(&d, 0);
	cr_assert_eq(d.chunk_size, 64 * 1024);
	cr_assert_not_null(arena_alloc(&d, 1));
	arena_free(&d);
	cr_assert_null(d.head);
	cr_assert_eq(d.total, 0);
}

Test(arena, free_then_reuse)
{
	cr_assert_not_null(arena_alloc(&a, 100));
	arena_free(&a);
	cr_assert_null(a.head);
	cr_assert_eq(a.total, 0);
	arena_init(&a, 1024);
	cr_assert_not_null(arena_alloc(&a, 100));
}

Test(arena, huge_size_fails)
{
	cr_assert_null(arena_alloc(&a, SIZE_MAX));
	cr_assert_null(arena_alloc(&a, SIZE_MAX - 8), "rounding overflows");
	cr_assert_null(arena_alloc(&a, SIZE_MAX / 2), "no such memory");
	/* the arena stays usable */
	cr_assert_not_null(arena_alloc(&a, 8));
}

Test(arena, chunk_header_overflow_fails)
{
	/* SIZE_MAX - 31 is already aligned, so the rounding does not
	   overflow, but chunk header + size does: malloc() would be asked
	   for a few bytes and the caller handed a "huge" block */
	cr_assert_null(arena_alloc(&a, SIZE_MAX - 31));
	cr_assert_null(arena_alloc(&a, SIZE_MAX - 15));
}
