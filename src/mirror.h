/*
 * mirror.h -- musterd's copy of the registry, fed by sync.h.
 *
 * The mirror owns the model (model.h) that the served registry is built
 * from, applies what the follower delivers (a full load becomes a new
 * model swapped in whole; stream entries are flushed per batch), rebuilds
 * everything when the settings change (SIGHUP), and keeps the state file
 * (state.h): read at start so a musterd started while Redis is down
 * serves the last known copy, written a second after each change.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_MIRROR_H
#define MUSTER_MIRROR_H

#include <stddef.h>

#include <ev.h>

#include "registry.h"
#include "sync.h"

struct mirror;

struct mirror_stats {
	size_t		 instances, services, nodes;
};

/* The ops to give sync_new() with the mirror as its argument. */
extern const struct sync_ops mirror_sync_ops;

/*
 * A mirror with settings set; state_file may be NULL (source names the
 * registry it is for: a state file written for another is not used).
 * loaded(arg) is called once, when a whole copy of the registry is first
 * served (from a full load, or from the state file); may be NULL.
 */
struct mirror *mirror_new(struct ev_loop *loop, const struct reg_settings *set,
    const char *state_file, const char *source, void (*loaded)(void *),
    void *arg);

/*
 * Tie the mirror to its follower, serve the state file's copy if there
 * is one (and tell the follower where it is), else an empty registry.
 */
int mirror_start(struct mirror *m, struct sync *s);

/* New settings: rebuild the served registry when they differ. */
void mirror_set_settings(struct mirror *m, const struct reg_settings *set);

void mirror_get_stats(const struct mirror *m, struct mirror_stats *out);

/* Write the state file if it is behind, and free (after sync_free()). */
void mirror_free(struct mirror *m);

#endif /* MUSTER_MIRROR_H */
