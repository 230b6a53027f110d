/*
 * view.h -- what the workers serve: one pointer, swapped as a whole.
 *
 * A view bundles the zone database with the settings the query path
 * reads.  The main thread builds a new view (start-up, SIGHUP) and
 * publishes it; workers load the current one once per batch of packets
 * and may use it until their next quiescent state (qsbr.h).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_VIEW_H
#define MUSTER_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "acl.h"

struct db;

struct view {
	struct db	*db;		/* owned */
	uint16_t	 udp_max;	/* our EDNS UDP payload size */
	bool		 forwarding;	/* forwarders configured */
	struct acl	 recursion;	/* clients that may recurse */
};

/* The current view, or NULL before the first publish.  Reader side. */
const struct view *view_current(void);

/* Main thread: make v current; the old view is freed through qsbr. */
int view_publish(struct view *v);

/* Free a view and its db (qsbr callback signature). */
void view_free(void *v);

#endif /* MUSTER_VIEW_H */
