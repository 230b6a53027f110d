/*
 * fuzz_conf.c -- libFuzzer target: config file text in, settings out.
 *
 * The input becomes a file (a memfd, opened by conf_parse_file() through
 * /proc/self/fd/N) and is parsed twice into settings filled with the
 * defaults of a table that has every option type and flag: flags with
 * and without a default, numbers with narrow, negative and full ranges,
 * strings with check functions from src/ (log levels, durations), lists
 * with and without a default (listen addresses through listen_parse()).
 * Parsed values must respect the table; everything is freed, so
 * LeakSanitizer sees a string or list item that was lost.  The lines of
 * the input are also given to conf_parse_args() as a command line.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "conf.h"
#include "listen.h"
#include "log.h"

#define FC_MAXARGS	16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fc_conf {
	char			*config;
	int			 help;
	int			 foreground;
	int			 verbose;
	int			 hidden;
	long			 workers;
	long			 offset;
	long			 wide;
	char			*log_level;
	char			*pidfile;
	char			*interval;
	struct conf_list	 listen;
	struct conf_list	 zone;
};

static int
fc_check_level(const char *v, char *why, size_t whylen)
{
	if (log_level_parse(v) < 0) {
		snprintf(why, whylen, "not a log level");
		return -1;
	}
	return 0;
}

static int
fc_check_duration(const char *v, char *why, size_t whylen)
{
	if (conf_duration_ms(v) < 0) {
		snprintf(why, whylen, "not a duration");
		return -1;
	}
	return 0;
}

static int
fc_check_listen(const char *v, char *why, size_t whylen)
{
	struct listen_addr a;

	return listen_parse(v, 53, &a, why, whylen);
}

#define OFF(f) offsetof(struct fc_conf, f)
static const struct conf_opt fc_opts[] = {
	{ "config", 'c', CONF_STR, NULL, OFF(config), 0, 0, NULL,
	  CONF_CLI_ONLY, "FILE", "settings file" },
	{ "help", 'h', CONF_FLAG, NULL, OFF(help), 0, 0, NULL, CONF_CLI_ONLY,
	  NULL, "help" },
	{ "foreground", 'f', CONF_FLAG, "no", OFF(foreground), 0, 0, NULL,
	  CONF_RESTART, NULL, "stay in the foreground" },
	{ "verbose", 'v', CONF_FLAG, NULL, OFF(verbose), 0, 0, NULL, 0, NULL,
	  "say more" },
	{ "hidden", 0, CONF_FLAG, "yes", OFF(hidden), 0, 0, NULL, CONF_HIDDEN,
	  NULL, "not in --help" },
	{ "workers", 'w', CONF_INT, "0", OFF(workers), 0, 64, NULL,
	  CONF_RESTART, "N", "threads" },
	{ "offset", 0, CONF_INT, "-5", OFF(offset), -1000, 1000, NULL, 0, "N",
	  "a signed number" },
	{ "wide", 0, CONF_INT, NULL, OFF(wide), LONG_MIN, LONG_MAX, NULL, 0,
	  "N", "any long" },
	{ "log-level", 0, CONF_STR, "info", OFF(log_level), 0, 0,
	  fc_check_level, 0, "LEVEL", "error, warning, info or debug" },
	{ "pidfile", 0, CONF_STR, NULL, OFF(pidfile), 0, 0, NULL, CONF_RESTART,
	  "FILE", "pid file" },
	{ "interval", 'i', CONF_STR, "10s", OFF(interval), 0, 0,
	  fc_check_duration, 0, "DURATION", "how often" },
	{ "listen", 'l', CONF_LIST, "127.0.0.1:53,[::1]:53", OFF(listen), 0, 0,
	  fc_check_listen, CONF_RESTART, "ADDR[:PORT]", "addresses" },
	{ "zone", 'z', CONF_LIST, NULL, OFF(zone), 0, 0, NULL, 0,
	  "[ORIGIN=]FILE", "zones" },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }
};
#undef OFF

static int fc_fd = -1;
static char fc_path[64];
static FILE *fc_null;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_conf", 1, LOG_LEVEL_ERR);
	fc_fd = memfd_create("fuzz_conf", 0);
	fc_null = fopen("/dev/null", "w");
	if (fc_fd < 0 || fc_null == NULL) {
		perror("fuzz_conf");
		abort();
	}
	snprintf(fc_path, sizeof(fc_path), "/proc/self/fd/%d", fc_fd);
	return 0;
}

static void
fc_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_conf: %s: %s\n", what, detail ? detail : "");
	abort();
}

static void
fc_check_str(const char *name, const char *s)
{
	if (s != NULL && strchr(s, '\n') != NULL)
		fc_fail("a value keeps its newline", name);
}

/* What the table promises about a parsed settings struct. */
static void
fc_check(const struct fc_conf *c)
{
	const struct conf_list *lists[] = { &c->listen, &c->zone };
	size_t i, j;

	if ((c->foreground | c->verbose | c->hidden | c->help) & ~1)
		fc_fail("a flag is neither 0 nor 1", NULL);
	if (c->workers < 0 || c->workers > 64 || c->offset < -1000
	    || c->offset > 1000)
		fc_fail("a number is out of its range", NULL);
	if (c->log_level == NULL || log_level_parse(c->log_level) < 0)
		fc_fail("log-level unchecked", c->log_level);
	if (c->interval == NULL || conf_duration_ms(c->interval) < 0)
		fc_fail("interval unchecked", c->interval);
	fc_check_str("pidfile", c->pidfile);
	for (i = 0; i < 2; i++)
		for (j = 0; j < lists[i]->n; j++) {
			if (lists[i]->v[j].value == NULL
			    || lists[i]->v[j].where == NULL)
				fc_fail("a list item without value or where",
				    NULL);
			fc_check_str("list", lists[i]->v[j].value);
		}
	for (j = 0; j < c->listen.n; j++) {
		struct listen_addr a;
		char why[128];

		if (listen_parse(c->listen.v[j].value, 53, &a, why,
		    sizeof(why)) < 0)
			fc_fail("listen unchecked", c->listen.v[j].value);
	}
}

/* The input's lines as a command line (argv[0] first). */
static void
fc_args(const uint8_t *data, size_t size)
{
	struct fc_conf c;
	char *copy, *argv[FC_MAXARGS + 2], err[512], *p, *nl;
	int argc = 0;

	if ((copy = malloc(size + 1)) == NULL)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = (char *)"fuzz_conf";
	for (p = copy; argc <= FC_MAXARGS && *p != '\0'; p = nl + 1) {
		argv[argc++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	argv[argc] = NULL;
	memset(&c, 0, sizeof(c));
	err[0] = '\0';
	if (conf_defaults(fc_opts, &c, err, sizeof(err)) < 0)
		fc_fail("defaults", err);
	if (conf_parse_args(fc_opts, &c, argc, argv, err, sizeof(err)) < 0) {
		if (err[0] == '\0')
			fc_fail("argv rejected without a message", NULL);
	} else {
		fc_check(&c);
	}
	conf_clear(fc_opts, &c);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fc_conf c, d;
	const struct conf_opt *o;
	char err[512];
	int pass;

	if (ftruncate(fc_fd, 0) != 0
	    || pwrite(fc_fd, data, size, 0) != (ssize_t)size)
		fc_fail("cannot write the memfd", NULL);
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	err[0] = '\0';
	if (conf_defaults(fc_opts, &c, err, sizeof(err)) < 0
	    || conf_defaults(fc_opts, &d, err, sizeof(err)) < 0)
		fc_fail("defaults", err);
	/* twice: the second time replaces what the first one stored */
	for (pass = 0; pass < 2; pass++) {
		err[0] = '\0';
		if (conf_parse_file(fc_opts, &c, fc_path, err, sizeof(err)) < 0) {
			if (err[0] == '\0')
				fc_fail("rejected without a message", NULL);
			break;
		}
		fc_check(&c);
	}
	for (o = fc_opts; o->name != NULL; o++)
		(void)conf_same(o, &c, &d);
	conf_usage(fc_opts, fc_null, "usage: fuzz_conf");
	conf_clear(fc_opts, &c);
	conf_clear(fc_opts, &d);
	fc_args(data, size);
	return 0;
}
