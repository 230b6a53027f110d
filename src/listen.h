/*
 * listen.h -- listening addresses and sockets.
 *
 * Every worker gets its own UDP and TCP socket per address, bound with
 * SO_REUSEPORT so the kernel spreads queries over the workers.  Because
 * SO_REUSEPORT would also let a second daemon share the port silently,
 * listen_probe() first binds the address once without it and fails when
 * someone else holds it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_LISTEN_H
#define MUSTER_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct listen_addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	bool			 wildcard;	/* 0.0.0.0 or :: */
	char			 text[64];	/* "127.0.0.1:53", "[::1]:53" */
};

/*
 * Parse "ADDR", "ADDR:PORT", "[V6ADDR]:PORT" or "V6ADDR" (numeric only).
 * Returns 0, or -1 with a reason in why.
 */
int listen_parse(const char *spec, uint16_t default_port,
    struct listen_addr *out, char *why, size_t whylen);

/*
 * Claim the address for this process: an abstract unix socket named after
 * it, bound exclusively and kept open (returned fd, close-on-exec), so two
 * musterds started at the same moment cannot both pass listen_probe().
 */
int listen_lock(const struct listen_addr *a, char *err, size_t errlen);

/* Fail when another process holds the UDP or TCP port (see above). */
int listen_probe(const struct listen_addr *a, char *err, size_t errlen);

/* Non-blocking sockets with SO_REUSEPORT; -1 with err set on failure. */
int listen_udp(const struct listen_addr *a, char *err, size_t errlen);
int listen_tcp(const struct listen_addr *a, char *err, size_t errlen);

#endif /* MUSTER_LISTEN_H */
