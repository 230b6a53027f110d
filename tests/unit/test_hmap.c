/*
 * test_hmap.c -- the main thread's map: get, put (copied and referenced
 * keys), del with backward shifting, growth, each.
 *
 * The random test runs thousands of operations on small key sets, so
 * that probe runs wrap around the end of the array and deletions shift
 * entries across it, and checks every key against a plain array after
 * each step.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "hmap.h"

static struct hmap *m;

static void
setup(void)
{
	m = hmap_new();
	cr_assert_not_null(m);
}

static void
teardown(void)
{
	hmap_free(m);
}

TestSuite(hmap, .init = setup, .fini = teardown);

static int a, b, c;

Test(hmap, put_get_replace_del)
{
	char key[8] = "web";

	cr_assert_eq(hmap_put(m, key, 3, &a), 0);
	strcpy(key, "xyz");		/* the map kept its own copy */
	cr_assert_eq(hmap_get(m, "web", 3), &a);
	cr_assert_null(hmap_get(m, "we", 2), "a prefix is another key");
	cr_assert_eq(hmap_put(m, "web", 3, &b), 0);
	cr_assert_eq(hmap_get(m, "web", 3), &b, "replaced");
	cr_assert_eq(hmap_count(m), 1);
	cr_assert_eq(hmap_del(m, "web", 3), &b);
	cr_assert_null(hmap_get(m, "web", 3));
	cr_assert_null(hmap_del(m, "web", 3));
	cr_assert_eq(hmap_count(m), 0);
}

Test(hmap, keys_with_nul_bytes)
{
	cr_assert_eq(hmap_put(m, "a\0b", 3, &a), 0);
	cr_assert_eq(hmap_put(m, "a\0c", 3, &b), 0);
	cr_assert_eq(hmap_get(m, "a\0b", 3), &a);
	cr_assert_eq(hmap_get(m, "a\0c", 3), &b);
}

Test(hmap, referenced_key_follows_the_value)
{
	char k1[] = "node1", k2[] = "node1";

	cr_assert_eq(hmap_put_ref(m, k1, 5, &a), 0);
	cr_assert_eq(hmap_get(m, "node1", 5), &a);
	/* set again with another copy of the key: the map now uses k2 */
	cr_assert_eq(hmap_put_ref(m, k2, 5, &b), 0);
	memset(k1, 'x', 5);
	cr_assert_eq(hmap_get(m, "node1", 5), &b);
	/* a copied put over a referenced key copies it */
	cr_assert_eq(hmap_put(m, "node1", 5, &c), 0);
	memset(k2, 'y', 5);
	cr_assert_eq(hmap_get(m, "node1", 5), &c);
	/* and a referenced put over a copied key frees the copy (ASan) */
	cr_assert_eq(hmap_put_ref(m, "node1", 5, &a), 0);
	cr_assert_eq(hmap_get(m, "node1", 5), &a);
}

static void
count_each(const void *k, size_t len, void *v, void *arg)
{
	size_t *n = arg;

	(void)k;
	(void)len;
	(void)v;
	(*n)++;
}

Test(hmap, random_against_an_array)
{
	enum { NKEYS = 300, STEPS = 20000 };
	static char keys[NKEYS][8];
	static int vals[NKEYS];
	static bool in[NKEYS];
	size_t i, n = 0, seen = 0;
	unsigned r = 12345;

	for (i = 0; i < NKEYS; i++)
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
	for (i = 0; i < STEPS; i++) {
		size_t k = (r = r * 1103515245 + 12345) >> 8, j;

		k %= (i < STEPS / 2 ? NKEYS : 40);	/* then churn a few */
		if ((r >> 4) % 3 == 0) {
			void *v = hmap_del(m, keys[k], strlen(keys[k]));

			cr_assert_eq(v, in[k] ? (void *)&vals[k] : NULL,
			    "step %zu: del %s", i, keys[k]);
			n -= in[k];
			in[k] = false;
		} else {
			int rc = (r >> 6) & 1 ? hmap_put(m, keys[k],
			    strlen(keys[k]), &vals[k]) : hmap_put_ref(m,
			    keys[k], strlen(keys[k]), &vals[k]);

			cr_assert_eq(rc, 0);
			n += !in[k];
			in[k] = true;
		}
		cr_assert_eq(hmap_count(m), n, "step %zu", i);
		if (i % 97 == 0 || i > STEPS - 50)
			for (j = 0; j < NKEYS; j++)
				cr_assert_eq(hmap_get(m, keys[j],
				    strlen(keys[j])), in[j] ? &vals[j] : NULL,
				    "step %zu: key %s", i, keys[j]);
	}
	hmap_each(m, count_each, &seen);
	cr_assert_eq(seen, n);
}
