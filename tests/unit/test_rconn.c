/*
 * test_rconn.c -- unit tests for rconn.c: the --redis URL forms.
 *
 * The parser only (no connection is made).  Covers what fuzz_url found
 * taken that should not be: an empty host in brackets ("redis://[]",
 * a sentinel "[]:26379"), an empty master name before "?db=", and
 * percent escapes that are not two hex digits (sscanf("%2x") read "%8/"
 * as 0x08 and swallowed the '/', "%-1" as 0xff) or that decode to NUL,
 * which would cut the password short.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <string.h>

#include <criterion/criterion.h>

#include "rconn.h"

static struct rconn_url u;
static char why[512];

static int
parse(const char *s)
{
	why[0] = '\0';
	if (rconn_url_parse(s, &u, why, sizeof(why)) == 0)
		return 0;
	cr_assert_neq(why[0], '\0', "%s refused without a reason", s);
	return -1;
}

Test(rconn, reads_the_forms)
{
	cr_assert_eq(parse("redis://u:p%40ss@[::1]:6380/2"), 0);
	cr_assert_eq(u.kind, RCONN_TCP);
	cr_assert_str_eq(u.host, "::1");
	cr_assert_eq(u.port, 6380);
	cr_assert_eq(u.db, 2);
	cr_assert_str_eq(u.user, "u");
	cr_assert_str_eq(u.password, "p@ss");
	cr_assert_eq(parse("unix://:pw@/run/redis.sock?db=3"), 0);
	cr_assert_str_eq(u.path, "/run/redis.sock");
	cr_assert_eq(u.db, 3);
	cr_assert_eq(parse("sentinel://s1,[::1]:26380/mymaster?db=1"), 0);
	cr_assert_eq(u.nsentinels, 2);
	cr_assert_eq(u.sentinel_port[0], 26379);
	cr_assert_str_eq(u.sentinel[1], "::1");
	cr_assert_str_eq(u.host, "mymaster");
}

Test(rconn, refuses_empty_hosts)
{
	cr_assert_eq(parse("redis://[]"), -1);
	cr_assert_eq(parse("redis://[]:6379/0"), -1);
	cr_assert_eq(parse("sentinel://[]:26379/m"), -1);
	cr_assert_eq(parse("sentinel://s1,[]/m"), -1);
}

Test(rconn, refuses_an_empty_master)
{
	cr_assert_eq(parse("sentinel://s1:26379/"), -1);
	cr_assert_eq(parse("sentinel://s1:26379/?db=1"), -1);
}

Test(rconn, escapes_are_two_hex_digits)
{
	cr_assert_eq(parse("redis://:%41%6a@h"), 0);
	cr_assert_str_eq(u.password, "Aj");
	cr_assert_eq(parse("redis://:%8/@h"), -1);
	cr_assert_eq(parse("unix://%8/./@/"), -1);
	cr_assert_eq(parse("redis://:%-1@h"), -1);
	cr_assert_eq(parse("redis://:% 1@h"), -1);
	cr_assert_eq(parse("redis://:%+f@h"), -1);
	cr_assert_eq(parse("redis://:%0x1@h"), -1);
	cr_assert_eq(parse("redis://:a%4@h"), -1);
	cr_assert_eq(parse("redis://:a%00b@h"), -1);
}
