/*
 * rconn.h -- one Redis connection that comes back by itself.
 *
 * rconn_url_parse() reads the --redis URL forms:
 *   redis://[[user]:password@]host[:port][/db]
 *   unix:///path/to.sock[?db=N]   (a password as unix://:pw@/path works too)
 *   sentinel://[[user]:password@]host:port[,host:port...]/MASTER[?db=N]
 * With Sentinel, the primary is asked of the sentinels in turn (SENTINEL
 * get-master-addr-by-name), checked with ROLE once connected, and a
 * second connection to a sentinel, subscribed to +switch-master, drops
 * the link as soon as a failover is announced so the next connect finds
 * the new primary.  The user and password are the primary's.
 * A struct rconn owns a hiredis async context on the caller's libev loop:
 * it connects, sends AUTH and SELECT, then calls up(); when the link
 * drops it calls down() once and reconnects with an exponential backoff
 * (100 ms doubling to 5 s) on an ev_timer, since hiredis frees the context
 * after its disconnect callback.  It logs only state changes.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_RCONN_H
#define MUSTER_RCONN_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>
#include <hiredis/async.h>

enum rconn_kind { RCONN_TCP, RCONN_UNIX, RCONN_SENTINEL };

#define RCONN_MAXSENTINELS	8

struct rconn_url {
	enum rconn_kind	 kind;
	char		 host[256];	/* TCP; with Sentinel: the master name */
	int		 port;
	size_t		 nsentinels;
	char		 sentinel[RCONN_MAXSENTINELS][256];
	int		 sentinel_port[RCONN_MAXSENTINELS];
	char		 path[1024];
	char		 user[128];
	char		 password[256];
	int		 db;
	char		 text[1100];	/* for logs, password hidden */
};

/* 0, or -1 with a reason in why. */
int rconn_url_parse(const char *s, struct rconn_url *u, char *why,
    size_t whylen);
/* A conf_check_fn for a URL. */
int rconn_url_check(const char *s, char *why, size_t whylen);

struct rconn;

struct rconn_cbs {
	void	(*up)(struct rconn *c, redisAsyncContext *ac, void *arg);
	void	(*down)(struct rconn *c, void *arg);
};

/* A connection (not started); NULL when out of memory. */
struct rconn *rconn_new(struct ev_loop *loop, const struct rconn_url *u,
    const char *who, const struct rconn_cbs *cbs, void *arg);

/* Connect now (and keep reconnecting). */
void rconn_start(struct rconn *c);

/* The live context, or NULL while down. */
redisAsyncContext *rconn_ctx(const struct rconn *c);

/* Drop the link (protocol error, silence) and reconnect after backoff. */
void rconn_drop(struct rconn *c, const char *why);

/* Disconnect for good and free. */
void rconn_free(struct rconn *c);

bool rconn_is_up(const struct rconn *c);

/*
 * The link did what it is for (e.g. a load completed): when it drops,
 * that is news (logged) and the reconnect starts from the shortest
 * backoff.  Links never marked so count as good after 5 s up.
 */
void rconn_healthy(struct rconn *c);

#endif /* MUSTER_RCONN_H */
