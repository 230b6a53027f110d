/*
 * check.h -- run one health check of one target, asynchronously.
 *
 * A check kind lives in a file of its own: check_tcp.c (connect),
 * check_http.c (GET over TCP, or over TLS for https) and check_ttl.c
 * (the heartbeat key in Redis).  check_start() begins a check on the
 * caller's libev loop; every path of every kind ends in check_done(),
 * which frees what the check held (socket, TLS session, timers) and
 * hands the result to the environment's done callback: exactly one
 * result per started check, unless check_cancel() came first, which
 * ends the check without a result.  A check that fails at once (no
 * socket left, say) reports its result before check_start() returns.
 *
 * Results are the registry's three statuses; the output is one short
 * printable line ("HTTP 500 Internal Server Error", "connection
 * refused"), at most CHECK_OUTPUT bytes.  Sockets are closed with an
 * RST (SO_LINGER 0), so that thousands of checks a second leave no
 * TIME_WAIT sockets behind on the prober's side.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_CHECK_H
#define MUSTER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ev.h>

#include "rconn.h"
#include "record.h"

#define CHECK_OUTPUT	200	/* output bytes kept, without the NUL */

enum check_result {
	CHECK_PASSING = 0,
	CHECK_WARNING,
	CHECK_CRITICAL
};

struct check_env;	/* shared by the checks of one prober */
struct check_run;	/* one check in flight */

/*
 * What a check needs to know of its target; embedded in the owner's
 * target.  The owner sets the inputs and keeps them (and the strings
 * they point to) unchanged while a check runs.
 */
struct check_target {
	/* inputs */
	enum rec_check		 kind;		/* not REC_CHECK_NONE */
	struct sockaddr_storage	 addr;		/* tcp, http, https */
	socklen_t		 addrlen;
	const char		*path;		/* http, https */
	const char		*host;		/* Host header: "addr:port" */
	const char		*id;		/* ttl: the instance id */
	size_t			 idlen;
	uint32_t		 timeout_ms;
	enum check_result	 current;	/* ttl: the registry's status */
	/* set by the checks */
	struct check_run	*run;		/* non-NULL while in flight */
	int64_t			 ttl_left_ms;	/* ttl: heartbeat left, -1 none */
};

/* Called once per finished check; output is valid during the call. */
typedef void (*check_done_fn)(struct check_target *t, enum check_result r,
    const char *output, void *arg);

/*
 * The environment of every check of a prober: the loop, the done
 * callback and its argument, and a TLS client context (no certificate
 * verification: a health check asks whether the instance answers, and
 * instances are addressed by IP).  NULL with err set on failure.
 */
struct check_env *check_env_new(struct ev_loop *loop, check_done_fn done,
    void *arg, char *err, size_t errlen);

/*
 * The Redis connection ttl checks read heartbeat keys through, and the
 * registry's key prefix.  rc is borrowed and must outlive every check.
 */
void check_env_set_redis(struct check_env *e, struct rconn *rc,
    const char *prefix);

/* Checks in flight. */
size_t check_env_running(const struct check_env *e);

/* Free the environment; no check may be in flight (cancel them first). */
void check_env_free(struct check_env *e);

/*
 * Start a check of t (which must not be running one).  0: started, a
 * result will come (perhaps before this returns); -1: out of memory,
 * nothing started and no result will come.
 */
int check_start(struct check_env *e, struct check_target *t);

/* End t's check, if one runs, without a result. */
void check_cancel(struct check_target *t);

/*
 * The end of every check path: free the check and report r with output
 * (a printf format: "connect: %s") to the done callback.
 */
void check_done(struct check_target *t, enum check_result r,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "passing", "warning", "critical": the registry's words. */
const char *check_result_str(enum check_result r);

#endif /* MUSTER_CHECK_H */
