/*
 * conf.c -- one option table for the command line and the config file.
 *
 * File syntax: one "key value" per line; "#" starts a comment; blank lines
 * are ignored; a value may be quoted with double quotes to keep blanks.
 * A repeated key adds to a list option and is an error for the others.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define CONF_MAXOPTS	64
#define CONF_LINE	4096

static void *
conf_at(const struct conf_opt *o, void *conf)
{
	return (char *)conf + o->offset;
}

int
conf_bool(const char *s)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0
	    || strcmp(s, "on") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0
	    || strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		return 0;
	return -1;
}

long
conf_duration_ms(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v < 0 || v > 100L * 24 * 3600 * 1000)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v * 1000;
	if (strcmp(end, "ms") == 0)
		return v;
	if (strcmp(end, "m") == 0)
		return v * 60 * 1000;
	if (strcmp(end, "h") == 0)
		return v * 3600 * 1000;
	if (strcmp(end, "d") == 0)
		return v * 24 * 3600 * 1000;
	return -1;
}

const struct conf_opt *
conf_find(const struct conf_opt *tab, const char *name)
{
	for (; tab->name != NULL; tab++)
		if (strcmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

static void
conf_list_clear(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].value);
		free(l->v[i].where);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * Store value for option o.  fresh_list: replace a list instead of adding
 * (first command-line use of a list option).  where: for messages.
 */
static int
conf_set(const struct conf_opt *o, void *conf, const char *value,
    const char *where, int fresh_list, char *err, size_t errlen)
{
	char why[256] = "";
	void *p = conf_at(o, conf);

	if (o->check != NULL && o->check(value, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s: %s", where, o->name, why);
		return -1;
	}
	switch (o->type) {
	case CONF_FLAG: {
		int b = conf_bool(value);

		if (b < 0) {
			snprintf(err, errlen, "%s: %s: expected yes or no, not "
			    "\"%s\"", where, o->name, value);
			return -1;
		}
		*(int *)p = b;
		return 0;
	}
	case CONF_INT: {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < o->min
		    || v > o->max) {
			snprintf(err, errlen, "%s: %s: expected a number from "
			    "%ld to %ld, not \"%s\"", where, o->name, o->min,
			    o->max, value);
			return -1;
		}
		*(long *)p = v;
		return 0;
	}
	case CONF_STR: {
		char *copy = strdup(value);

		if (copy == NULL)
			goto nomem;
		free(*(char **)p);
		*(char **)p = copy;
		return 0;
	}
	case CONF_LIST: {
		struct conf_list *l = p;
		struct conf_item *v;

		if (fresh_list)
			conf_list_clear(l);
		v = realloc(l->v, (l->n + 1) * sizeof(*v));
		if (v == NULL)
			goto nomem;
		l->v = v;
		v[l->n].value = strdup(value);
		v[l->n].where = strdup(where);
		if (v[l->n].value == NULL || v[l->n].where == NULL) {
			free(v[l->n].value);
			free(v[l->n].where);
			goto nomem;
		}
		l->n++;
		return 0;
	}
	}
	return 0;
nomem:
	snprintf(err, errlen, "%s: %s: out of memory", where, o->name);
	return -1;
}

int
conf_read(const struct conf_opt *tab, void *conf, size_t size, int argc,
    char **argv, char *err, size_t errlen)
{
	const struct conf_opt *cf = conf_find(tab, "config");
	const char *path;

	memset(conf, 0, size);
	if (conf_defaults(tab, conf, err, errlen) < 0
	    || conf_parse_args(tab, conf, argc, argv, err, errlen) < 0)
		return -1;
	if (cf == NULL || cf->type != CONF_STR)
		return 0;
	path = *(char **)(void *)((char *)conf + cf->offset);
	if (path == NULL)
		return 0;
	if (conf_parse_file(tab, conf, path, err, errlen) < 0)
		return -1;
	return conf_parse_args(tab, conf, argc, argv, err, errlen) < 0 ? -1 : 0;
}

int
conf_defaults(const struct conf_opt *tab, void *conf, char *err,
    size_t errlen)
{
	const struct conf_opt *o;

	for (o = tab; o->name != NULL; o++) {
		const char *d = o->def;
		char buf[256];

		if (d == NULL)
			continue;
		if (o->type == CONF_LIST) {
			/* a list default is comma separated */
			const char *s = d;

			while (*s != '\0') {
				size_t n = strcspn(s, ",");

				snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
				if (conf_set(o, conf, buf, "default", 0, err,
				    errlen) < 0)
					return -1;
				s += n + (s[n] == ',');
			}
			continue;
		}
		if (conf_set(o, conf, d, "default", 0, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int
conf_parse_args(const struct conf_opt *tab, void *conf, int argc,
    char **argv, char *err, size_t errlen)
{
	struct option lo[CONF_MAXOPTS + 1];
	char shorts[CONF_MAXOPTS * 2 + 2], seen[CONF_MAXOPTS] = { 0 };
	size_t n = 0, s = 0;
	int c, idx;

	shorts[s++] = ':';
	for (; tab[n].name != NULL && n < CONF_MAXOPTS; n++) {
		lo[n].name = tab[n].name;
		lo[n].has_arg = tab[n].type == CONF_FLAG ? no_argument
		    : required_argument;
		lo[n].flag = NULL;
		lo[n].val = 256 + (int)n;
		if (tab[n].letter != 0) {
			shorts[s++] = (char)tab[n].letter;
			if (tab[n].type != CONF_FLAG)
				shorts[s++] = ':';
		}
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	shorts[s] = '\0';
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, &idx)) != -1) {
		const struct conf_opt *o = NULL;
		size_t i;

		if (c == '?' || c == ':') {
			const char *bad = argv[optind - 1];

			snprintf(err, errlen, "command line: %s %s", c == ':'
			    ? "missing argument for" : "unknown option", bad);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (c == 256 + (int)i || c == tab[i].letter) {
				o = &tab[i];
				break;
			}
		if (o == NULL)
			continue;
		if (conf_set(o, conf, o->type == CONF_FLAG ? "yes" : optarg,
		    "command line", !seen[i], err, errlen) < 0)
			return -1;
		seen[i] = 1;
	}
	return optind;
}

/* Split a config line into key and value; returns 0, 1 (blank), -1. */
static int
conf_split(char *line, char **key, char **value, const char **why)
{
	char *p = line, *end;

	p += strspn(p, " \t");
	if (*p == '\0' || *p == '#' || *p == '\n')
		return 1;
	*key = p;
	p += strcspn(p, " \t\n");
	if (*p != '\0')
		*p++ = '\0';
	p += strspn(p, " \t");
	if (*p == '"') {
		*value = ++p;
		end = strchr(p, '"');
		if (end == NULL) {
			*why = "unterminated quote";
			return -1;
		}
		*end++ = '\0';
		end += strspn(end, " \t\n");
		if (*end != '\0' && *end != '#') {
			*why = "text after the closing quote";
			return -1;
		}
		return 0;
	}
	*value = p;
	end = p + strcspn(p, "#\n");
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return 0;
}

int
conf_parse_file(const struct conf_opt *tab, void *conf, const char *path,
    char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[CONF_LINE], where[PATH_MAX + 32], seen[CONF_MAXOPTS] = { 0 };
	unsigned lineno = 0;
	int rc = 0;

	if (fp == NULL) {
		snprintf(err, errlen, "%s: cannot open (%s)", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		const struct conf_opt *o;
		char *key, *value;
		const char *why = NULL;
		int r;

		lineno++;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s: line too long", where);
			rc = -1;
			break;
		}
		r = conf_split(line, &key, &value, &why);
		if (r == 1)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", where, why);
			rc = -1;
			break;
		}
		o = conf_find(tab, key);
		if (o == NULL || (o->flags & CONF_CLI_ONLY)) {
			snprintf(err, errlen, "%s: %s: unknown key", where, key);
			rc = -1;
			break;
		}
		if (*value == '\0' && o->type != CONF_STR) {
			snprintf(err, errlen, "%s: %s: missing value", where, key);
			rc = -1;
			break;
		}
		if (o->type != CONF_LIST && seen[o - tab]) {
			snprintf(err, errlen, "%s: %s: given twice", where, key);
			rc = -1;
			break;
		}
		if (conf_set(o, conf, value, where, !seen[o - tab], err,
		    errlen) < 0) {
			rc = -1;
			break;
		}
		seen[o - tab] = 1;
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(fp);
	return rc;
}

void
conf_clear(const struct conf_opt *tab, void *conf)
{
	for (; tab->name != NULL; tab++) {
		void *p = conf_at(tab, conf);

		if (tab->type == CONF_STR) {
			free(*(char **)p);
			*(char **)p = NULL;
		} else if (tab->type == CONF_LIST) {
			conf_list_clear(p);
		}
	}
}

int
conf_copy(const struct conf_opt *o, void *dst, const void *src)
{
	const void *ps = (const char *)src + o->offset;
	void *pd = (char *)dst + o->offset;
	const struct conf_list *ls = ps;
	struct conf_list *ld = pd, copy = { NULL, 0 };
	size_t i;

	switch (o->type) {
	case CONF_FLAG:
		*(int *)pd = *(const int *)ps;
		return 0;
	case CONF_INT:
		*(long *)pd = *(const long *)ps;
		return 0;
	case CONF_STR: {
		const char *v = *(char *const *)ps;
		char *c = v ? strdup(v) : NULL;

		if (v != NULL && c == NULL)
			return -1;
		free(*(char **)pd);
		*(char **)pd = c;
		return 0;
	}
	case CONF_LIST:
		copy.v = calloc(ls->n ? ls->n : 1, sizeof(*copy.v));
		if (copy.v == NULL)
			return -1;
		for (i = 0; i < ls->n; i++) {
			copy.v[i].value = strdup(ls->v[i].value);
			copy.v[i].where = strdup(ls->v[i].where);
			copy.n++;
			if (copy.v[i].value == NULL || copy.v[i].where == NULL) {
				conf_list_clear(&copy);
				return -1;
			}
		}
		conf_list_clear(ld);
		*ld = copy;
		return 0;
	}
	return 0;
}

int
conf_same(const struct conf_opt *o, const void *a, const void *b)
{
	const void *pa = (const char *)a + o->offset;
	const void *pb = (const char *)b + o->offset;
	const struct conf_list *la = pa, *lb = pb;
	size_t i;

	switch (o->type) {
	case CONF_FLAG:
		return *(const int *)pa == *(const int *)pb;
	case CONF_INT:
		return *(const long *)pa == *(const long *)pb;
	case CONF_STR:
		pa = *(char *const *)pa;
		pb = *(char *const *)pb;
		return pa == pb || (pa && pb && strcmp(pa, pb) == 0);
	case CONF_LIST:
		if (la->n != lb->n)
			return 0;
		for (i = 0; i < la->n; i++)
			if (strcmp(la->v[i].value, lb->v[i].value) != 0)
				return 0;
		return 1;
	}
	return 0;
}

void
conf_usage(const struct conf_opt *tab, FILE *out, const char *synopsis)
{
	fprintf(out, "%s\n\nOptions (in a config file, \"name value\" lines "
	    "with the long names):\n", synopsis);
	for (; tab->name != NULL; tab++) {
		char left[64];

		if (tab->flags & CONF_HIDDEN)
			continue;
		if (tab->letter)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", tab->letter,
			    tab->name, tab->arg ? " " : "",
			    tab->arg ? tab->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", tab->name,
			    tab->arg ? " " : "", tab->arg ? tab->arg : "");
		fprintf(out, "  %-30s %s", left, tab->help);
		if (tab->flags & CONF_CLI_ONLY)
			fputs(" (command line only)", out);
		if (tab->def != NULL && tab->type != CONF_FLAG)
			fprintf(out, " [%s]", tab->def);
		fputc('\n', out);
	}
}
