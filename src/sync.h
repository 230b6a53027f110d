/*
 * sync.h -- follow the registry in Redis: full load, then the change log.
 *
 * On (re)connect: XINFO STREAM on the change log decides between resuming
 * after the last applied entry id and a full load (first start, stream
 * reset, or entries after our id trimmed away: max-deleted-entry-id is
 * past it).  A full load reads every instance and node with the
 * registry's muster_dump Function into a fresh target the consumer makes
 * (ops->load_begin) and hands it over whole when complete (load_end);
 * then XREAD BLOCK follows the stream and every entry is applied to the
 * consumer's current target, with batch_end() after each batch.  While
 * Redis is down nothing is applied and the consumer keeps what it has.
 *
 * Records are decoded here (record.h); a bad one is skipped with one log
 * line naming its key, and counted.  Consumers: musterd's mirror
 * (mirror.h) and muster-probe's targets.  Main thread, caller's loop.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_SYNC_H
#define MUSTER_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "rconn.h"
#include "record.h"

#define SYNC_IDLEN	64	/* a stream id and its NUL */

struct sync;

/* What the consumer does with records; put_* take the record's memory. */
struct sync_ops {
	void	*(*load_begin)(void *arg);
	void	 (*load_end)(void *arg, void *target);	/* takes target */
	void	 (*load_abort)(void *arg, void *target);
	void	*(*current)(void *arg);
	void	 (*put_inst)(void *target, const char *id, size_t idlen,
		    struct rec_inst *rec);
	void	 (*del_inst)(void *target, const char *id, size_t idlen);
	void	 (*put_node)(void *target, struct rec_node *rec);
	void	 (*del_node)(void *target, const char *name, size_t len);
	void	 (*batch_end)(void *arg);	/* after stream entries */
};

struct sync_config {
	struct rconn_url	 url;
	char			 prefix[128];
	const char		*who;		/* log subsystem name */
};

struct sync_stats {
	bool		 connected;
	bool		 loaded;	/* a full copy is held */
	uint64_t	 entries;	/* stream entries applied */
	uint64_t	 full_loads;
	uint64_t	 bad_records;	/* skipped */
	uint64_t	 last_change_ms;
	uint64_t	 down_since_ms;	/* 0 while following the stream */
	uint64_t	 lag_ms;	/* age of the newest entry applied,
					   while the last read was a full batch */
};

/* A follower (not started); NULL when out of memory. */
struct sync *sync_new(struct ev_loop *loop, const struct sync_config *cfg,
    const struct sync_ops *ops, void *arg);

/* Start connecting. */
void sync_start(struct sync *s);

/*
 * The stream id the consumer's data is at (from a state file): the next
 * connect resumes after it instead of loading in full.
 */
void sync_set_position(struct sync *s, const char *id);

/* The last applied stream id ("0-0" before any). */
const char *sync_position(const struct sync *s);

/* Drop the connection and resync (e.g. after the consumer changed). */
void sync_resync(struct sync *s);

void sync_get_stats(const struct sync *s, struct sync_stats *out);

void sync_free(struct sync *s);

#endif /* MUSTER_SYNC_H */
