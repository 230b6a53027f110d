/*
 * check_tcp.c -- the tcp check: can a connection be opened?
 *
 * A non-blocking connect to the instance's address and port: connected
 * is passing; refused, unreachable or no answer within the timeout is
 * critical with the reason.  Nothing is sent; the connection is reset
 * as soon as it is up.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include "check.h"
#include "check_priv.h"

static void
check_tcp_connected(struct check_run *r)
{
	check_done(r->t, CHECK_PASSING, "connected");
}

void
check_tcp_start(struct check_run *r)
{
	check_connect(r, check_tcp_connected, false);
}
