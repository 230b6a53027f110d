/*
 * hmap.h -- a map from byte-string keys to pointers, for the main thread.
 *
 * Used for bookkeeping that is never read by the query path (the
 * registry model, the prober's targets).  Keys are copied, or kept by
 * reference with hmap_put_ref(); values are borrowed and never freed by
 * the map.  Not thread-safe.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_HMAP_H
#define MUSTER_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap;

struct hmap *hmap_new(void);

/* Free the map (not the values). */
void hmap_free(struct hmap *m);

/* The value for key, or NULL. */
void *hmap_get(const struct hmap *m, const void *key, size_t len);

/* Set key to value (replacing); -1 when out of memory. */
int hmap_put(struct hmap *m, const void *key, size_t len, void *value);

/*
 * The same, keeping the key by reference: it must stay as it is until the
 * entry is removed or set again (a value holding its own key).
 */
int hmap_put_ref(struct hmap *m, const void *key, size_t len, void *value);

/* Remove key; returns its value or NULL. */
void *hmap_del(struct hmap *m, const void *key, size_t len);

size_t hmap_count(const struct hmap *m);

/*
 * Call fn for every entry; fn may not change the map.  Iteration order
 * is unspecified.
 */
void hmap_each(const struct hmap *m, void (*fn)(const void *key, size_t len,
    void *value, void *arg), void *arg);

#endif /* MUSTER_HMAP_H */
