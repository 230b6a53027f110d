/*
 * conf.h -- one option table for the command line and the config file.
 *
 * Each daemon describes its settings once, as an array of struct conf_opt
 * (Redis static_configs[]): long name (also the config file key), short
 * letter, type, default, where it is stored, range, and an optional check.
 * From that table come getopt_long() parsing, the "key value" config file
 * reader, --help text and the defaults.  Errors name the place: the file
 * and line, or "command line", and the key.
 *
 * Precedence: defaults, then the config file, then the command line; a
 * list option given on the command line replaces the file's list.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_CONF_H
#define MUSTER_CONF_H

#include <stddef.h>
#include <stdio.h>

enum conf_type {
	CONF_FLAG,	/* no argument on the command line; yes/no in a file */
	CONF_INT,	/* long, within [min, max] */
	CONF_STR,	/* char *, owned by the struct */
	CONF_LIST	/* struct conf_list, repeatable */
};

#define CONF_CLI_ONLY	0x1	/* not a config file key */
#define CONF_RESTART	0x2	/* a change needs a restart, not SIGHUP */
#define CONF_HIDDEN	0x4	/* not shown by --help */

struct conf_item {
	char	*value;
	char	*where;		/* "file:line" or "command line" */
};

struct conf_list {
	struct conf_item *v;
	size_t		 n;
};

/* Check a value; returns 0, or -1 with a reason in why. */
typedef int (*conf_check_fn)(const char *value, char *why, size_t whylen);

struct conf_opt {
	const char	*name;
	int		 letter;	/* 0: long only */
	enum conf_type	 type;
	const char	*def;		/* default as text, or NULL */
	size_t		 offset;	/* into the daemon's settings struct */
	long		 min, max;	/* CONF_INT */
	conf_check_fn	 check;		/* NULL: any value */
	unsigned	 flags;
	const char	*arg;		/* argument name for --help */
	const char	*help;
};

/* The table ends with an entry whose name is NULL. */

/* Fill conf (zeroed by the caller) with every default. */
int conf_defaults(const struct conf_opt *tab, void *conf, char *err,
    size_t errlen);

/*
 * Parse argv into conf.  Returns the index of the first operand, or -1
 * with err set.  May be called again on the same argv (reload).
 */
int conf_parse_args(const struct conf_opt *tab, void *conf, int argc,
    char **argv, char *err, size_t errlen);

/* Parse a config file into conf.  0, or -1 with "file:line: key: why". */
int conf_parse_file(const struct conf_opt *tab, void *conf, const char *path,
    char *err, size_t errlen);

/*
 * A daemon's settings: memset conf, the defaults, the command line, then
 * the file named by the "config" option (a CONF_STR, when the table has
 * one and it was given) and the command line again, so that it wins.
 */
int conf_read(const struct conf_opt *tab, void *conf, size_t size, int argc,
    char **argv, char *err, size_t errlen);

/* Free every string and list in conf (not conf itself). */
void conf_clear(const struct conf_opt *tab, void *conf);

/* Print the --help text generated from the table. */
void conf_usage(const struct conf_opt *tab, FILE *out, const char *synopsis);

/* Find an option by name; NULL when unknown. */
const struct conf_opt *conf_find(const struct conf_opt *tab, const char *name);

/* Set o's value in dst to a copy of src's; 0, or -1 when out of memory. */
int conf_copy(const struct conf_opt *o, void *dst, const void *src);

/* Is the value of o the same in a and b? (reload: restart-only keys) */
int conf_same(const struct conf_opt *o, const void *a, const void *b);

/* Parse "yes/no/true/false/on/off/1/0"; -1 when none of those. */
int conf_bool(const char *s);

/* Parse a duration: "10", "10s", "500ms", "2m", "1h"; milliseconds or -1. */
long conf_duration_ms(const char *s);

#endif /* MUSTER_CONF_H */
