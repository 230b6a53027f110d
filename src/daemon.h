/*
 * daemon.h -- going to the background, and saying how the start went.
 *
 * daemon_background() forks twice (setsid between) and points the
 * standard streams at /dev/null.  The starting process does not exit at
 * once: it waits until the daemon calls daemon_report() with "ok" (exit
 * 0) or an error message (printed, exit 1), or dies (exit 1), so whoever
 * started it learns whether it really serves.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_DAEMON_H
#define MUSTER_DAEMON_H

/* In the daemon, the end of the pipe to report on; fatal() on failure. */
int daemon_background(const char *prog);

/* Report "ok" or why not, once; *fd becomes -1.  No-op when *fd < 0. */
void daemon_report(int *fd, const char *msg);

/* Write our process id to path (NULL: nothing); logs when it cannot. */
void daemon_pidfile(const char *path);

#endif /* MUSTER_DAEMON_H */
