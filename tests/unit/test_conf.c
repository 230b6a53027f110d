/*
 * test_conf.c -- unit tests for conf.c: the option table.
 *
 * A small table of our own with every type (flag, int, string, list), a
 * check callback and a command-line-only key drives conf_defaults(),
 * conf_parse_args() and conf_parse_file().  Errors must name the place
 * ("file:line: key: why" or "command line: ...").  Config files are real
 * files in a mkdtemp() directory.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "conf.h"

struct settings {
	int		 verbose;
	long		 port;
	char		*name;
	char		*zone;
	char		*pidfile;
	struct conf_list listen;
};

/* A zone is given as ORIGIN=FILE. */
static int
check_zone(const char *value, char *why, size_t whylen)
{
	if (strchr(value, '=') == NULL) {
		snprintf(why, whylen, "expected ORIGIN=FILE, not \"%s\"",
		    value);
		return -1;
	}
	return 0;
}

static const struct conf_opt tab[] = {
	{ "verbose", 'v', CONF_FLAG, "no", offsetof(struct settings, verbose),
	    0, 0, NULL, 0, NULL, "log more" },
	{ "port", 'p', CONF_INT, "53", offsetof(struct settings, port),
	    1, 65535, NULL, CONF_RESTART, "PORT", "port to listen on" },
	{ "name", 'n', CONF_STR, "muster", offsetof(struct settings, name),
	    0, 0, NULL, 0, "NAME", "server name" },
	{ "zone", 'z', CONF_STR, NULL, offsetof(struct settings, zone),
	    0, 0, check_zone, 0, "ORIGIN=FILE", "a zone" },
	{ "pidfile", 0, CONF_STR, NULL, offsetof(struct settings, pidfile),
	    0, 0, NULL, CONF_CLI_ONLY | CONF_HIDDEN, "FILE", "pid file" },
	{ "listen", 'l', CONF_LIST, "127.0.0.1,::1",
	    offsetof(struct settings, listen), 0, 0, NULL, 0, "ADDR",
	    "address" },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }
};

static struct settings s, s2;
static char err[1024];
static char dir[64];

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	memset(&s, 0, sizeof(s));
	memset(&s2, 0, sizeof(s2));
	err[0] = '\0';
	snprintf(dir, sizeof(dir), "%s/muster-conf-XXXXXX",
	    t != NULL && strlen(t) < 32 ? t : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(conf_defaults(tab, &s, err, sizeof(err)), 0, "%s", err);
}

static void
teardown(void)
{
	char cmd[128];

	conf_clear(tab, &s);
	conf_clear(tab, &s2);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("could not remove %s", dir);
}

TestSuite(conf, .init = setup, .fini = teardown);

/* Write a config file; returns its path (valid until the next call). */
static const char *
conf_file(const char *text)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/muster.conf", dir);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int
parse_file(const char *text)
{
	err[0] = '\0';
	return conf_parse_file(tab, &s, conf_file(text), err, sizeof(err));
}

#define ARGS(...) ((char *[]){ "prog", __VA_ARGS__, NULL })
#define NARGS(...) (int)(sizeof((char *[]){ "prog", __VA_ARGS__ }) \
			/ sizeof(char *))
#define PARSE_ARGS(...) conf_parse_args(tab, &s, NARGS(__VA_ARGS__), \
			ARGS(__VA_ARGS__), err, sizeof(err))

/* Expect err to be exactly "<dir>/muster.conf:<rest>". */
static void
assert_file_err(const char *rest)
{
	char want[512];

	snprintf(want, sizeof(want), "%s/muster.conf:%s", dir, rest);
	cr_assert_str_eq(err, want);
}

/* ---- defaults ---- */

Test(conf, defaults_fill_every_type)
{
	cr_assert_eq(s.verbose, 0);
	cr_assert_eq(s.port, 53);
	cr_assert_str_eq(s.name, "muster");
	cr_assert_null(s.zone);
	cr_assert_eq(s.listen.n, 2);
	cr_assert_str_eq(s.listen.v[0].value, "127.0.0.1");
	cr_assert_str_eq(s.listen.v[1].value, "::1");
	cr_assert_str_eq(s.listen.v[0].where, "default");
}

Test(conf, default_that_fails_its_range_is_an_error)
{
	static const struct conf_opt bad[] = {
		{ "port", 'p', CONF_INT, "0", offsetof(struct settings, port),
		    1, 65535, NULL, 0, NULL, "" },
		{ NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }
	};

	cr_assert_eq(conf_defaults(bad, &s2, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, "port"), "%s", err);
}

/* ---- command line ---- */

Test(conf, args_all_types_and_operand)
{
	int i = PARSE_ARGS("-v", "--port", "5353", "-n", "ns1", "-z",
	    "example.com=example.zone", "--pidfile=/run/m.pid", "-l",
	    "192.0.2.1", "--listen=192.0.2.2", "operand");

	cr_assert_eq(i, 12, "index of the first operand: %s", err);
	cr_assert_eq(s.verbose, 1);
	cr_assert_eq(s.port, 5353);
	cr_assert_str_eq(s.name, "ns1");
	cr_assert_str_eq(s.zone, "example.com=example.zone");
	cr_assert_str_eq(s.pidfile, "/run/m.pid");
	cr_assert_eq(s.listen.n, 2, "the command line replaces the default");
	cr_assert_str_eq(s.listen.v[0].value, "192.0.2.1");
	cr_assert_str_eq(s.listen.v[1].value, "192.0.2.2");
	cr_assert_str_eq(s.listen.v[0].where, "command line");
}

Test(conf, args_no_operand)
{
	cr_assert_eq(PARSE_ARGS("-p", "54"), 3);
	cr_assert_eq(s.port, 54);
}

Test(conf, args_again_same_result)
{
	char *argv[] = { "prog", "-l", "192.0.2.1", "-p", "99", NULL };

	cr_assert_eq(conf_parse_args(tab, &s, 5, argv, err, sizeof(err)), 5);
	cr_assert_eq(conf_parse_args(tab, &s, 5, argv, err, sizeof(err)), 5,
	    "a second parse (reload) starts over: %s", err);
	cr_assert_eq(s.listen.n, 1, "the list is replaced, not appended");
	cr_assert_eq(s.port, 99);
}

Test(conf, args_bad_int)
{
	cr_assert_eq(PARSE_ARGS("--port", "0"), -1);
	cr_assert_str_eq(err, "command line: port: expected a number from 1 "
	    "to 65535, not \"0\"");
	cr_assert_eq(PARSE_ARGS("-p", "65536"), -1);
	cr_assert_not_null(strstr(err, "command line: port:"), "%s", err);
	cr_assert_eq(PARSE_ARGS("-p", "12abc"), -1);
	cr_assert_eq(PARSE_ARGS("-p", ""), -1);
	cr_assert_eq(PARSE_ARGS("-p", "99999999999999999999999"), -1);
}

Test(conf, args_check_callback)
{
	cr_assert_eq(PARSE_ARGS("-z", "example.zone"), -1);
	cr_assert_str_eq(err, "command line: zone: expected ORIGIN=FILE, not "
	    "\"example.zone\"");
}

Test(conf, args_unknown_option)
{
	cr_assert_eq(PARSE_ARGS("--bogus"), -1);
	cr_assert_not_null(strstr(err, "command line"), "%s", err);
	cr_assert_not_null(strstr(err, "--bogus"), "%s", err);
	cr_assert_eq(PARSE_ARGS("-x"), -1);
	cr_assert_not_null(strstr(err, "command line"), "%s", err);
}

Test(conf, args_missing_argument)
{
	cr_assert_eq(PARSE_ARGS("--port"), -1);
	cr_assert_not_null(strstr(err, "command line"), "%s", err);
	cr_assert_not_null(strstr(err, "port"), "%s", err);
}

/* ---- config file ---- */

Test(conf, file_all_types)
{
	cr_assert_eq(parse_file(
	    "# a comment\n"
	    "\n"
	    "port 5353\n"
	    "name \"hello world\"   # a trailing comment\n"
	    "  listen 192.0.2.1\n"
	    "listen\t192.0.2.2   # another\n"
	    "verbose yes\n"
	    "zone example.com=example.zone\n"), 0, "%s", err);
	cr_assert_eq(s.port, 5353);
	cr_assert_str_eq(s.name, "hello world");
	cr_assert_eq(s.verbose, 1);
	cr_assert_str_eq(s.zone, "example.com=example.zone");
	cr_assert_eq(s.listen.n, 2, "the file replaces the default list");
	cr_assert_str_eq(s.listen.v[0].value, "192.0.2.1");
	cr_assert_str_eq(s.listen.v[1].value, "192.0.2.2");
	{
		char want[128];

		snprintf(want, sizeof(want), "%s/muster.conf:6", dir);
		cr_assert_str_eq(s.listen.v[1].where, want);
	}
}

Test(conf, file_quoted_values_keep_hash_and_blanks)
{
	cr_assert_eq(parse_file("name \"a # b\"\n"), 0, "%s", err);
	cr_assert_str_eq(s.name, "a # b");
}

Test(conf, file_empty_string_value)
{
	cr_assert_eq(parse_file("name \"\"\n"), 0, "%s", err);
	cr_assert_str_eq(s.name, "");
}

Test(conf, file_last_line_without_newline)
{
	cr_assert_eq(parse_file("port 54"), 0, "%s", err);
	cr_assert_eq(s.port, 54);
}

Test(conf, command_line_list_replaces_file_list)
{
	cr_assert_eq(parse_file("listen 192.0.2.1\nlisten 192.0.2.2\n"), 0,
	    "%s", err);
	cr_assert_eq(PARSE_ARGS("-l", "198.51.100.1"), 3, "%s", err);
	cr_assert_eq(s.listen.n, 1);
	cr_assert_str_eq(s.listen.v[0].value, "198.51.100.1");
}

Test(conf, command_line_overrides_file_scalar)
{
	cr_assert_eq(parse_file("port 5353\n"), 0, "%s", err);
	cr_assert_eq(PARSE_ARGS("-p", "5454"), 3, "%s", err);
	cr_assert_eq(s.port, 5454);
}

Test(conf, file_unknown_key)
{
	cr_assert_eq(parse_file("port 53\n\nbogus 1\n"), -1);
	assert_file_err("3: bogus: unknown key");
}

Test(conf, file_cli_only_key_is_unknown)
{
	cr_assert_eq(parse_file("pidfile /run/x.pid\n"), -1);
	assert_file_err("1: pidfile: unknown key");
}

Test(conf, file_key_twice)
{
	cr_assert_eq(parse_file("port 53\nport 54\n"), -1);
	assert_file_err("2: port: given twice");
}

Test(conf, file_bad_int_range)
{
	cr_assert_eq(parse_file("port 70000\n"), -1);
	assert_file_err("1: port: expected a number from 1 to 65535, not "
	    "\"70000\"");
}

Test(conf, file_bad_flag)
{
	cr_assert_eq(parse_file("verbose maybe\n"), -1);
	assert_file_err("1: verbose: expected yes or no, not \"maybe\"");
}

Test(conf, file_check_callback)
{
	cr_assert_eq(parse_file("# zones\nzone nothing\n"), -1);
	assert_file_err("2: zone: expected ORIGIN=FILE, not \"nothing\"");
}

Test(conf, file_missing_value)
{
	cr_assert_eq(parse_file("port\n"), -1);
	assert_file_err("1: port: missing value");
}

Test(conf, file_unterminated_quote)
{
	cr_assert_eq(parse_file("name \"abc\n"), -1);
	assert_file_err("1: unterminated quote");
}

Test(conf, file_text_after_quote)
{
	cr_assert_eq(parse_file("name \"abc\" def\n"), -1);
	assert_file_err("1: text after the closing quote");
}

Test(conf, file_missing)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/absent.conf", dir);
	cr_assert_eq(conf_parse_file(tab, &s, path, err, sizeof(err)), -1);
	cr_assert_eq(strncmp(err, path, strlen(path)), 0, "%s", err);
}

Test(conf, file_line_too_long)
{
	char *text = malloc(10000);

	memset(text, 'x', 9998);
	memcpy(text, "name ", 5);
	text[9998] = '\n';
	text[9999] = '\0';
	cr_assert_eq(parse_file(text), -1);
	free(text);
	assert_file_err("1: line too long");
}

/* ---- helpers ---- */

Test(conf, duration_ms)
{
	cr_assert_eq(conf_duration_ms("10"), 10000);
	cr_assert_eq(conf_duration_ms("10s"), 10000);
	cr_assert_eq(conf_duration_ms("500ms"), 500);
	cr_assert_eq(conf_duration_ms("2m"), 120000);
	cr_assert_eq(conf_duration_ms("1h"), 3600000);
	cr_assert_eq(conf_duration_ms("0"), 0);
	cr_assert_eq(conf_duration_ms(""), -1);
	cr_assert_eq(conf_duration_ms("s"), -1);
	cr_assert_eq(conf_duration_ms("10x"), -1);
	cr_assert_eq(conf_duration_ms("10 s"), -1);
	cr_assert_eq(conf_duration_ms("-1"), -1);
	cr_assert_eq(conf_duration_ms(" 10"), -1);
	cr_assert_eq(conf_duration_ms("1.5s"), -1);
	cr_assert_eq(conf_duration_ms("99999999999999999999999"), -1);
}

Test(conf, bool_words)
{
	const char *yes[] = { "yes", "true", "on", "1" };
	const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(conf_bool(yes[i]), 1, "%s", yes[i]);
		cr_assert_eq(conf_bool(no[i]), 0, "%s", no[i]);
	}
	cr_assert_eq(conf_bool("maybe"), -1);
	cr_assert_eq(conf_bool(""), -1);
	cr_assert_eq(conf_bool("2"), -1);
	cr_assert_eq(conf_bool("yess"), -1);
}

Test(conf, find)
{
	cr_assert_eq(conf_find(tab, "port"), &tab[1]);
	cr_assert_eq(conf_find(tab, "listen"), &tab[5]);
	cr_assert_null(conf_find(tab, "por"));
	cr_assert_null(conf_find(tab, ""));
}

Test(conf, same_every_type)
{
	const struct conf_opt *o;

	cr_assert_eq(conf_defaults(tab, &s2, err, sizeof(err)), 0);
	for (o = tab; o->name != NULL; o++)
		cr_assert(conf_same(o, &s, &s2), "%s", o->name);
	s2.verbose = 1;
	s2.port = 54;
	free(s2.name);
	s2.name = strdup("other");
	s2.zone = strdup("a=b");
	cr_assert_not(conf_same(conf_find(tab, "verbose"), &s, &s2));
	cr_assert_not(conf_same(conf_find(tab, "port"), &s, &s2));
	cr_assert_not(conf_same(conf_find(tab, "name"), &s, &s2));
	cr_assert_not(conf_same(conf_find(tab, "zone"), &s, &s2),
	    "NULL against a string");
	cr_assert(conf_same(conf_find(tab, "pidfile"), &s, &s2),
	    "NULL against NULL");
}

Test(conf, same_lists)
{
	const struct conf_opt *l = conf_find(tab, "listen");
	char *argv1[] = { "prog", "-l", "a", "-l", "b", NULL };
	char *argv2[] = { "prog", "-l", "b", "-l", "a", NULL };
	char *argv3[] = { "prog", "-l", "a", NULL };

	cr_assert_eq(conf_defaults(tab, &s2, err, sizeof(err)), 0);
	cr_assert_eq(conf_parse_args(tab, &s, 5, argv1, err, sizeof(err)), 5);
	cr_assert_eq(conf_parse_args(tab, &s2, 5, argv1, err, sizeof(err)),
	    5);
	cr_assert(conf_same(l, &s, &s2));
	cr_assert_eq(conf_parse_args(tab, &s2, 5, argv2, err, sizeof(err)),
	    5);
	cr_assert_not(conf_same(l, &s, &s2), "order matters");
	cr_assert_eq(conf_parse_args(tab, &s2, 3, argv3, err, sizeof(err)),
	    3);
	cr_assert_not(conf_same(l, &s, &s2), "length matters");
}

Test(conf, usage_lists_options)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	conf_usage(tab, fp, "usage: prog [options]");
	fclose(fp);
	cr_assert_not_null(strstr(buf, "usage: prog [options]"));
	cr_assert_not_null(strstr(buf, "--port"));
	cr_assert_not_null(strstr(buf, "-p"));
	cr_assert_not_null(strstr(buf, "[53]"), "default shown: %s", buf);
	cr_assert_not_null(strstr(buf, "--listen"));
	cr_assert_null(strstr(buf, "pidfile"), "hidden option shown");
	free(buf);
}

Test(conf, clear_frees_and_resets)
{
	conf_clear(tab, &s);
	cr_assert_null(s.name);
	cr_assert_null(s.listen.v);
	cr_assert_eq(s.listen.n, 0);
}

/* ---- conf_read: defaults, command line, file, command line again ---- */

struct rsettings {
	char	*config;
	long	 port;
	char	*name;
};

static const struct conf_opt rtab[] = {
	{ "config", 'c', CONF_STR, NULL, offsetof(struct rsettings, config),
	    0, 0, NULL, CONF_CLI_ONLY, "FILE", "config file" },
	{ "port", 'p', CONF_INT, "53", offsetof(struct rsettings, port),
	    1, 65535, NULL, 0, "PORT", "port" },
	{ "name", 'n', CONF_STR, "muster", offsetof(struct rsettings, name),
	    0, 0, NULL, 0, "NAME", "name" },
	{ NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, NULL, NULL }
};

Test(conf, read_command_line_wins_over_file)
{
	struct rsettings r;
	const char *path = conf_file("port 5300\nname fromfile\n");
	char *argv[] = { "prog", "-c", (char *)path, "-n", "fromargs", NULL };

	cr_assert_eq(conf_read(rtab, &r, sizeof(r), 5, argv, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.port, 5300, "the file's value over the default");
	cr_assert_str_eq(r.name, "fromargs", "the command line's over the file's");
	conf_clear(rtab, &r);
}

Test(conf, read_without_file_and_with_bad_file)
{
	struct rsettings r;
	char *argv[] = { "prog", "-p", "99", NULL };
	char *bad[] = { "prog", "-c", NULL, NULL };

	cr_assert_eq(conf_read(rtab, &r, sizeof(r), 3, argv, err,
	    sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.port, 99);
	cr_assert_str_eq(r.name, "muster");
	conf_clear(rtab, &r);
	bad[2] = (char *)conf_file("port 0\n");
	cr_assert_eq(conf_read(rtab, &r, sizeof(r), 3, bad, err, sizeof(err)),
	    -1);
	cr_assert_not_null(strstr(err, "muster.conf:1"), "%s", err);
	conf_clear(rtab, &r);
}
