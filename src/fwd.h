/*
 * fwd.h -- forward queries for names outside our zones, through c-ares.
 *
 * Each worker owns one struct fwd on its own loop: two c-ares channels
 * (answers to UDP clients come over UDP with truncation kept, so the
 * client retries over TCP; TCP clients are forwarded over TCP), whose
 * sockets are watched by ev_io watchers made from ARES_OPT_SOCK_STATE_CB
 * and whose timeouts are driven by one ev_timer armed from ares_timeout().
 * No thread per query.  The upstream answer is relayed as it came (rcode,
 * sections, TC, EDNS) with the client's ID and the question in the
 * client's spelling; a timeout or failure becomes SERVFAIL.
 *
 * In-flight queries live in a pool made at start; when it is full the
 * caller answers SERVFAIL at once.  c-ares owns its answer buffer, so
 * answers are copied before they are patched and sent.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_FWD_H
#define MUSTER_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ev.h>

#include "wire.h"

#define FWD_MAXSERVERS	8

struct fwd_config {
	struct sockaddr_storage	 server[FWD_MAXSERVERS];
	size_t			 nservers;
	unsigned		 timeout_ms;	/* whole query, about */
	unsigned		 max_pending;	/* per worker */
	uint16_t		 udp_max;	/* our EDNS size for SERVFAILs */
};

/* Where an answer goes; filled in by the worker, copied by fwd_query(). */
struct fwd_client {
	bool			 tcp;
	int			 fd;		/* UDP: the socket to answer on */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	uint8_t			 ctl[64];	/* UDP: IP(V6)_PKTINFO to send */
	size_t			 ctllen;
	void			*conn;		/* TCP: the connection ... */
	uint64_t		 conn_gen;	/* ... while it is this one */
	uint16_t		 limit;		/* UDP: largest answer */
};

#define FWD_BUCKETS	12

/* Upper bounds of the latency histogram's buckets, in seconds. */
extern const double fwd_bucket_bounds[FWD_BUCKETS];

struct fwd_stats {
	uint64_t	 queries;	/* forwarded */
	uint64_t	 answers;	/* relayed */
	uint64_t	 failures;	/* answered SERVFAIL */
	uint64_t	 full;		/* refused a slot */
	uint64_t	 latency_us;	/* sum over answers */
	uint64_t	 bucket[FWD_BUCKETS];	/* answers by latency */
};

/* The worker's way of sending msg (len bytes, may be modified) to c. */
typedef void (*fwd_reply_fn)(void *arg, const struct fwd_client *c,
    uint8_t *msg, size_t len);

struct fwd;

/* Call once in the main thread before any fwd_new(). */
int fwd_library_init(void);

/* A forwarder on loop; NULL with err set on failure. */
struct fwd *fwd_new(struct ev_loop *loop, const struct fwd_config *cfg,
    fwd_reply_fn reply, void *arg, char *err, size_t errlen);

/*
 * Send q (the client's packet as received) upstream.  The answer or a
 * SERVFAIL reaches reply() later.  Returns -1 when no slot is free.
 */
int fwd_query(struct fwd *f, const struct wire_query *q,
    const struct fwd_client *c);

/*
 * Write a SERVFAIL for q into out (WIRE_MAXMSG bytes) with RA set; returns
 * its length.  For callers that cannot forward at all.
 */
size_t fwd_servfail(const struct wire_query *q, uint16_t udp_max,
    uint8_t *out);

void fwd_stats(const struct fwd *f, struct fwd_stats *out);

/* Cancel everything in flight (no replies) and free. */
void fwd_free(struct fwd *f);

#endif /* MUSTER_FWD_H */
