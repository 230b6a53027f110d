/*
 * metrics.h -- Prometheus text exposition over HTTP, on the main loop.
 *
 * metrics_start() listens on an address; each GET /metrics calls the
 * daemon's provider, which writes metric families into a struct
 * metrics_buf with metrics_family() and metrics_value(), and the text is
 * sent back (HTTP/1.1, Connection: close).  Any other path is 404.  A
 * request must arrive within 5 s and fit in 4 KiB.  A small libev
 * responder rather than libmicrohttpd: one path, a few requests a
 * minute, no extra thread or dependency.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_METRICS_H
#define MUSTER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "listen.h"

struct metrics_buf;
struct metrics_server;

typedef void (*metrics_fn)(struct metrics_buf *b, void *arg);

/* Start serving on a; NULL with err set. */
struct metrics_server *metrics_start(struct ev_loop *loop,
    const struct listen_addr *a, metrics_fn fn, void *arg, char *err,
    size_t errlen);
void metrics_stop(struct metrics_server *m);

/* "# HELP" and "# TYPE" lines; type is "counter", "gauge", "histogram". */
void metrics_family(struct metrics_buf *b, const char *name, const char *type,
    const char *help);

/* One sample: name{labels} value.  labels may be NULL or "". */
void metrics_value(struct metrics_buf *b, const char *name,
    const char *labels, double v);

/*
 * A histogram sample set from cumulative-free bucket counts: bounds[i]
 * is the upper bound of counts[i] (n buckets), plus the sum and count.
 */
void metrics_histogram(struct metrics_buf *b, const char *name,
    const char *labels, const double *bounds, const uint64_t *counts,
    size_t n, double sum, uint64_t count);

#endif /* MUSTER_METRICS_H */
