/*
 * worker.h -- a serving thread: UDP batches and TCP connections.
 *
 * Each worker runs its own libev loop over its own sockets (one UDP and
 * one TCP socket per listening address, SO_REUSEPORT), answers with
 * answer_query() and never blocks on anything but its poll.  TCP
 * connections come from a fixed pool made at start-up; when the pool is
 * empty the worker stops accepting until a connection closes, so TCP can
 * never take the UDP sockets' turn.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_WORKER_H
#define MUSTER_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "fwd.h"

struct worker;
struct worker_shared;

struct worker_config {
	unsigned	 id;		/* qsbr slot */
	const int	*udp_fds;	/* the worker takes ownership */
	const bool	*udp_pktinfo;	/* per UDP socket: bound to a wildcard */
	size_t		 nudp;
	const int	*tcp_fds;	/* the worker takes ownership */
	size_t		 ntcp;
	struct worker_shared *shared;	/* the TCP limit of all workers */
	double		 tcp_idle;	/* seconds before an idle close */
	const struct fwd_config *fwd;	/* NULL: no forwarding */
};

/*
 * What all workers share: at most max_conns TCP connections in all, a
 * worker stops accepting while the limit is reached and is woken when
 * another worker's connection closes.  NULL when out of memory.
 */
struct worker_shared *worker_shared_new(unsigned max_conns, unsigned nworkers);
void worker_shared_free(struct worker_shared *sh);

/* A worker ready to start; NULL with err set (fds not taken). */
struct worker *worker_new(const struct worker_config *wc, char *err,
    size_t errlen);

/* Start the thread; -1 with errno on failure. */
int worker_start(struct worker *w);

/* Ask the thread to stop and wait for it.  Idempotent. */
void worker_stop(struct worker *w);

/*
 * Close sockets and connections and free.  Stop every worker sharing its
 * worker_shared first: a closing connection would wake the others.
 */
void worker_free(struct worker *w);

/* Add this worker's counters to sum (racy read of live counters). */
void worker_stats(const struct worker *w, struct answer_stats *sum);

/* Open TCP connections right now, and accepted so far (racy reads). */
unsigned worker_tcp_active(const struct worker *w);
uint64_t worker_tcp_accepted(const struct worker *w);

/* Add this worker's forwarding counters to sum (racy read). */
void worker_fwd_stats(const struct worker *w, struct fwd_stats *sum);

#endif /* MUSTER_WORKER_H */
