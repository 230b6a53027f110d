/*
 * log.h -- one line per event, to stderr in the foreground, else syslog.
 *
 * log_warn() appends strerror(errno); log_warnx() does not (relayd).
 * fatal()/fatalx() log and exit(1): only for start-up errors and broken
 * invariants, never for a network error.  All functions are thread-safe:
 * a line is formatted into a local buffer and written with one write(2).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_LOG_H
#define MUSTER_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/*
 * Set the program name and destination.  foreground != 0 logs to stderr,
 * otherwise to syslog (facility daemon).  May be called again (SIGHUP).
 */
void log_init(const char *ident, int foreground, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parse "error", "warning", "info", "debug"; -1 when unknown. */
int log_level_parse(const char *s);
/* A conf_check_fn for a log level. */
int log_level_check(const char *s, char *why, size_t whylen);

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_errx(const char *fmt, ...) LOG_PRINTF(1, 2);
void fatal(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif /* MUSTER_LOG_H */
