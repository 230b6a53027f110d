/*
 * check_priv.h -- what the check kinds share with check.c; not for users.
 *
 * A struct check_run is one check in flight.  check.c allocates it,
 * opens the connection for the socket kinds (check_connect()), arms the
 * timeout, and frees everything in check_done() or check_cancel(); the
 * kind files only drive the protocol through r->io and the buffer.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_CHECK_PRIV_H
#define MUSTER_CHECK_PRIV_H

#include <openssl/ssl.h>

#include "check.h"

#define CHECK_BUF	1024	/* request, then the head of the response */

struct check_env {
	struct ev_loop		*loop;
	check_done_fn		 done;
	void			*arg;
	SSL_CTX			*ssl_ctx;
	struct rconn		*rc;		/* ttl checks */
	char			 prefix[128];
	size_t			 running;
};

struct check_run;

/* Called once the connection is up (from check_connect()). */
typedef void (*check_connected_fn)(struct check_run *r);

struct check_run {
	struct check_env	*env;
	struct check_target	*t;		/* NULL: cancelled, reply due */
	int			 fd;
	ev_io			 io;
	ev_timer		 timer;
	SSL			*ssl;
	const char		*phase;		/* for a timeout's output */
	check_connected_fn	 connected;
	bool			 reply_due;	/* a Redis reply will come */
	bool			 lazy;		/* see check_connect() */
	int			 step;		/* the kind's own state */
	size_t			 off, len;	/* in buf */
	char			 buf[CHECK_BUF];
};

/*
 * Open a non-blocking connection to r->t's address; calls connected
 * when it is up, or ends the check as critical with the reason.  With
 * lazy, connected is called at once, without waiting for the connection
 * or asking whether it failed: the caller's first send() says EAGAIN
 * while it is on its way and reports a failure (two system calls less
 * per check when the connection is quick).
 */
void check_connect(struct check_run *r, check_connected_fn connected,
    bool lazy);

/* (Re)arm r->io on r->fd for events with cb. */
void check_io(struct check_run *r, void (*cb)(struct ev_loop *, ev_io *, int),
    int events);

/* A short lower-case reason for an errno value ("connection refused"). */
const char *check_strerror(int err);

/*
 * The http(s) check's reading of a response, apart from any socket (so
 * that it can be fuzzed): buf[0..len) is all that was received (buf has
 * room for len + 1 bytes; its status line is cut at the LF in place),
 * max the most buf can hold, eof whether the peer closed.  Returns
 * CHECK_HTTP_MORE while the status line is incomplete and buf can take
 * more, else the check's result with its output in out (outlen bytes,
 * truncated): 2xx passing, 429 warning, anything else critical.
 */
#define CHECK_HTTP_MORE	(-1)
int check_http_head(char *buf, size_t len, size_t max, bool eof, char *out,
    size_t outlen);

/* Kind entry points: start the check of r->t (connection not yet open). */
void check_tcp_start(struct check_run *r);
void check_http_start(struct check_run *r);
void check_ttl_start(struct check_run *r);

#endif /* MUSTER_CHECK_PRIV_H */
