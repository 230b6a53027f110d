/*
 * probe.h -- muster-probe's targets: follow the registry, check, publish.
 *
 * The prober keeps one target per registered instance, fed by the
 * registry follower (sync.h, through probe's struct sync_ops); a full
 * load is merged into the running table, so an instance whose check
 * definition did not change keeps its timer, counters and state.  Each
 * probed target (a check other than none, not in maintenance) has a
 * timer: the first check at a random point within its interval, then
 * every interval +/- 10 %.  At most max_checks checks are in flight;
 * more wait in a FIFO queue (counted, never dropped).  A check that is
 * still running or queued when its next turn comes skips that turn
 * (counted as an overrun).
 *
 * Results go through rise/fall: rise consecutive successes (passing or
 * warning) make the observed status the last success's, fall
 * consecutive failures make it critical.  Until then the observed
 * status is whatever the registry says.  When the prober holds the
 * lease (lease.h) it writes, with the registry's muster_check Function,
 * every observed status that differs from the registry's, after each
 * result and for every target when it becomes active (reconciliation);
 * it deregisters, with muster_reap, an instance both it and the registry
 * have seen critical for longer than deregister_after.  Writes go over
 * a second Redis connection (the follower's is blocked in XREAD), the
 * lease (lease.h) over a third, so that its renewals never wait behind
 * a burst of writes.
 *
 * ttl targets differ: the instance's heartbeats set its status, the
 * prober only finds an expired heartbeat (check_ttl.c) and writes
 * critical; it looks again right after the heartbeat is due to expire.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_PROBE_H
#define MUSTER_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "rconn.h"

struct probe_config {
	struct rconn_url	 url;
	char			 prefix[128];
	char			 token[160];	/* this prober's lease token */
	uint32_t		 lease_ms;
	size_t			 max_checks;
};

struct probe;

#define PROBE_KINDS	5	/* enum rec_check: none tcp http https ttl */
#define PROBE_RESULTS	3	/* enum check_result */
#define PROBE_DUR_BUCKETS 12

/* Upper bounds of the check-duration histogram's buckets, seconds. */
extern const double probe_dur_bounds[PROBE_DUR_BUCKETS];

/* Counters since start, for metrics (main thread only). */
struct probe_metrics {
	uint64_t	 checks[PROBE_KINDS][PROBE_RESULTS];
	uint64_t	 transitions[PROBE_RESULTS][PROBE_RESULTS];	/* from, to */
	uint64_t	 dur[PROBE_KINDS][PROBE_DUR_BUCKETS];
	uint64_t	 dur_n[PROBE_KINDS];
	double		 dur_sum[PROBE_KINDS];
	uint64_t	 writes, changed, refused, errors, reaped;
	uint64_t	 queued_total;
	size_t		 targets, probed, queue, in_flight;
	int		 lease_held;
	int		 redis_up;
};

/* A prober (not started); NULL with err set on failure. */
struct probe *probe_new(struct ev_loop *loop, const struct probe_config *cfg,
    char *err, size_t errlen);

/* Connect to Redis, load the registry and start checking. */
void probe_start(struct probe *p);

/* A new limit of checks in flight (SIGHUP). */
void probe_set_max_checks(struct probe *p, size_t n);

/*
 * Log one line of statistics for the time since the last call (or the
 * start): checks done per second and per result, scheduling lag (how
 * late checks started: p50, p99, max), in flight, queue, writes.
 */
void probe_log_stats(struct probe *p);

/* The counters since start, and the gauges right now. */
void probe_get_metrics(struct probe *p, struct probe_metrics *out);

/*
 * Stop checking and give up the lease; done(arg) is called when that is
 * finished (at once when there is no lease to give up).
 */
void probe_stop(struct probe *p, void (*done)(void *), void *arg);

/* Free everything (after ev_run() returned). */
void probe_free(struct probe *p);

#endif /* MUSTER_PROBE_H */
