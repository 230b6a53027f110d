/*
 * log.c -- one line per event, to stderr in the foreground, else syslog.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "muster";
static int log_foreground = 1;
static enum log_level log_level = LOG_LEVEL_INFO;

void
log_init(const char *ident, int foreground, enum log_level level)
{
	if (!log_foreground)
		closelog();
	log_ident = ident;
	log_foreground = foreground;
	log_level = level;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *s)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
log_level_check(const char *s, char *why, size_t whylen)
{
	if (log_level_parse(s) < 0) {
		snprintf(why, whylen, "expected error, warning, info or debug, "
		    "not \"%s\"", s);
		return -1;
	}
	return 0;
}

static void
log_vwrite(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *tag[] = { "error", "warning", "info", "debug" };
	char line[1024];
	int saved = errno, n, m;

	if (level > log_level)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (with_errno) {
		m = snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
		    strerror(saved));
		if (m > 0)
			n += m;
		if ((size_t)n >= sizeof(line))
			n = sizeof(line) - 1;
	}
	if (!log_foreground) {
		syslog(prio[level], "%s", line);
		errno = saved;
		return;
	}
	{
		char out[1200];
		struct timespec ts;
		struct tm tm;
		size_t k;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		k = strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%S", &tm);
		m = snprintf(out + k, sizeof(out) - k, ".%03ldZ %s[%d]: %s: %s\n",
		    ts.tv_nsec / 1000000, log_ident, (int)getpid(), tag[level],
		    line);
		if (m > 0) {
			k += (size_t)m < sizeof(out) - k ? (size_t)m
			    : sizeof(out) - k - 1;
			if (write(STDERR_FILENO, out, k) < 0) {
				/* nowhere left to report it */
			}
		}
	}
	errno = saved;
}

#define LOG_BODY(level, with_errno) do {		\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite(level, with_errno, fmt, ap);		\
	va_end(ap);					\
} while (0)

void log_warn(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARNING, 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARNING, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_INFO, 0); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_DEBUG, 0); }
void log_errx(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_ERR, 0); }

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERR, 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERR, 0);
	exit(1);
}
