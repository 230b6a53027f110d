/*
 * notify.h -- tell systemd how the service is doing (sd_notify protocol).
 *
 * When $NOTIFY_SOCKET is set (Type=notify units), one datagram per state
 * change: "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...".  Without
 * it, nothing happens.  The protocol is a line of text on a unix datagram
 * socket, so libsystemd is not needed for it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_NOTIFY_H
#define MUSTER_NOTIFY_H

/* Send state (e.g. "READY=1\nSTATUS=serving"); 0, or -1 with errno. */
int notify_send(const char *state);

#endif /* MUSTER_NOTIFY_H */
