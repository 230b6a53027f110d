/*
 * qsbr.h -- quiescent-state based reclamation for the served snapshot.
 *
 * Workers read shared data (the zone database, the registry) without
 * locks.  The main thread replaces it by swapping a pointer and hands the
 * old one to qsbr_retire(); it is freed by qsbr_reclaim() once every
 * worker has been quiescent since the swap.  A worker is quiescent while
 * it waits in its event loop (qsbr_offline() before the poll, qsbr_online()
 * after it, through libev's loop release/acquire callbacks), so a worker
 * never holds a snapshot pointer across loop iterations.  Knot DNS uses
 * liburcu for this; the single writer and per-batch reader here need only
 * an epoch counter and one slot per worker.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_QSBR_H
#define MUSTER_QSBR_H

#include <stddef.h>

struct qsbr_reader;

/* Make room for n reader slots; call before any thread starts. */
int qsbr_init(unsigned n);

/* Reader slot i (0 <= i < n); starts offline. */
struct qsbr_reader *qsbr_reader(unsigned i);

/* Reader side: enter and leave a period that may hold pointers. */
void qsbr_online(struct qsbr_reader *r);
void qsbr_offline(struct qsbr_reader *r);

/* Writer side (main thread only): free p with fn when it is safe. */
int qsbr_retire(void (*fn)(void *), void *p);

/*
 * Have fn(arg) called (on the main thread, from qsbr_retire) whenever the
 * list of retired objects stops being empty, so that the caller can
 * schedule qsbr_reclaim() until it returns 0.
 */
void qsbr_set_kick(void (*fn)(void *), void *arg);

/* Free what no reader can still see; returns how many wait still. */
size_t qsbr_reclaim(void);

/* After every reader thread has stopped: free everything, drop slots. */
void qsbr_shutdown(void);

#endif /* MUSTER_QSBR_H */
