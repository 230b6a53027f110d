/*
 * test_record.c -- unit tests for record.c: instance fields from Redis.
 *
 * The fields arrive as in an HGETALL reply, written here as "k", "v"
 * pairs.  Covers check_path, which muster-probe puts into its request
 * line as it is: muster-registry(7) allows printable ASCII only, so a
 * CR, LF, TAB or DEL in it (a second request or header smuggled into the
 * health check; fuzz_record found it) must refuse the instance.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "record.h"

/* Parse an http instance with check_path path (plen bytes). */
static int
parse_path(struct rec_inst *r, const char *path, size_t plen)
{
	static const char *f[][2] = { { "service", "web" },
	    { "address", "192.0.2.10" }, { "port", "8080" },
	    { "check", "http" } };
	struct rec_kv kv[5];
	char why[256];
	size_t i;

	for (i = 0; i < 4; i++) {
		kv[i].k = f[i][0];
		kv[i].klen = strlen(f[i][0]);
		kv[i].v = f[i][1];
		kv[i].vlen = strlen(f[i][1]);
	}
	kv[4].k = "check_path";
	kv[4].klen = 10;
	kv[4].v = path;
	kv[4].vlen = plen;
	why[0] = '\0';
	if (rec_inst_parse(r, kv, 5, why, sizeof(why)) == 0)
		return 0;
	cr_assert_str_eq(why, "check_path: bad value");
	return -1;
}

Test(record, check_path_printable_is_kept)
{
	static const char path[] = "/health?full=1&x=a b~";
	struct rec_inst r;

	cr_assert_eq(parse_path(&r, path, sizeof(path) - 1), 0);
	cr_assert_str_eq(r.check_path, path);
	rec_inst_clear(&r);
}

Test(record, check_path_refuses_crlf)
{
	static const char path[] = "/health HTTP/1.1\r\nX-Smuggled: 1";
	struct rec_inst r;

	cr_assert_eq(parse_path(&r, path, sizeof(path) - 1), -1);
	cr_assert_null(r.blob);
}

Test(record, check_path_refuses_control_bytes)
{
	static const char *paths[] = { "/a\tb", "/a\nb", "/a\rb", "/a\x7f",
	    "/a\x1b[0m", "/\xc3\xa9" };
	struct rec_inst r;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		cr_assert_eq(parse_path(&r, paths[i], strlen(paths[i])), -1,
		    "path %zu accepted", i);
	cr_assert_eq(parse_path(&r, "/a\0b", 4), -1);
}

Test(record, check_path_at_most_512)
{
	char path[514];
	struct rec_inst r;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	cr_assert_eq(parse_path(&r, path, 512), 0);
	rec_inst_clear(&r);
	cr_assert_eq(parse_path(&r, path, 513), -1);
}
