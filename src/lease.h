/*
 * lease.h -- the prober's lease in Redis: at most one prober writes.
 *
 * Every prober tries to hold <prefix>probe:lease with the registry's
 * muster_lease Function (SET NX PX, or PEXPIRE when it already holds it)
 * every ttl/3; the one that holds it is active and writes, the others
 * stand by.  A standby also reads the lease's remaining time and tries
 * again right after it runs out, so it takes over within one lease time
 * of the active prober's death.  The active prober counts its lease as
 * valid until the time it sent its last successful renewal plus the
 * ttl, a time the lease in Redis cannot run out before; past that, or
 * when Redis is unreachable, or when a write is refused (the Functions
 * check the token too), it is standby at once.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_LEASE_H
#define MUSTER_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "rconn.h"

struct lease;

/* Called on every change between active and standby. */
typedef void (*lease_change_fn)(bool active, void *arg);

/*
 * A lease (not yet asked for) over rc, which is borrowed and must
 * outlive it; token and prefix are copied.  NULL when out of memory.
 */
struct lease *lease_new(struct ev_loop *loop, struct rconn *rc,
    const char *prefix, const char *token, uint32_t ttl_ms,
    lease_change_fn fn, void *arg);

/* Start asking (every ttl/3, and at once when the connection is up). */
void lease_start(struct lease *l);

/* The connection came up: ask now. */
void lease_up(struct lease *l);

/* The connection went down: standby. */
void lease_down(struct lease *l);

/* A write was refused for want of the lease: standby, ask again now. */
void lease_lost(struct lease *l);

/* May this prober write now? */
bool lease_active(const struct lease *l);

const char *lease_token(const struct lease *l);

/*
 * Give the lease up (at exit) and stop asking; done(arg) is called once
 * Redis has answered, or at once when there is nothing to give up.
 */
void lease_release(struct lease *l, void (*done)(void *), void *arg);

/* Free (after the connection, whose pending replies refer to l). */
void lease_free(struct lease *l);

#endif /* MUSTER_LEASE_H */
