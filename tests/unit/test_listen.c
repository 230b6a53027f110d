/*
 * test_listen.c -- unit tests for listen_parse(): address specs.
 *
 * Only the parser: no socket is opened.  Covers IPv4 with and without a
 * port, bracketed and bare IPv6, the wildcard flag, the text form, and
 * the rejections (port 0, 65536, junk after the port, names).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <criterion/criterion.h>

#include "listen.h"

static struct listen_addr a;
static char why[256];

static const struct sockaddr_in *
v4(void)
{
	return (const struct sockaddr_in *)&a.ss;
}

static const struct sockaddr_in6 *
v6(void)
{
	return (const struct sockaddr_in6 *)&a.ss;
}

static void
rejects(const char *spec)
{
	why[0] = '\0';
	cr_assert_eq(listen_parse(spec, 53, &a, why, sizeof(why)), -1,
	    "accepted \"%s\"", spec);
	cr_assert_neq(why[0], '\0', "no reason for \"%s\"", spec);
}

Test(listen, v4_default_port)
{
	cr_assert_eq(listen_parse("127.0.0.1", 53, &a, why, sizeof(why)), 0,
	    "%s", why);
	cr_assert_eq(a.ss.ss_family, AF_INET);
	cr_assert_eq(a.len, sizeof(struct sockaddr_in));
	cr_assert_eq(ntohs(v4()->sin_port), 53);
	cr_assert_eq(ntohl(v4()->sin_addr.s_addr), 0x7f000001);
	cr_assert_not(a.wildcard);
	cr_assert_str_eq(a.text, "127.0.0.1:53");
}

Test(listen, v4_with_port)
{
	cr_assert_eq(listen_parse("192.0.2.1:5353", 53, &a, why, sizeof(why)),
	    0, "%s", why);
	cr_assert_eq(a.ss.ss_family, AF_INET);
	cr_assert_eq(ntohs(v4()->sin_port), 5353);
	cr_assert_str_eq(a.text, "192.0.2.1:5353");
}

Test(listen, v4_wildcard)
{
	cr_assert_eq(listen_parse("0.0.0.0:53", 53, &a, why, sizeof(why)), 0);
	cr_assert(a.wildcard);
}

Test(listen, v4_port_65535)
{
	cr_assert_eq(listen_parse("10.0.0.1:65535", 53, &a, why, sizeof(why)),
	    0, "%s", why);
	cr_assert_eq(ntohs(v4()->sin_port), 65535);
}

Test(listen, v6_bracketed_with_port)
{
	cr_assert_eq(listen_parse("[::1]:8053", 53, &a, why, sizeof(why)), 0,
	    "%s", why);
	cr_assert_eq(a.ss.ss_family, AF_INET6);
	cr_assert_eq(a.len, sizeof(struct sockaddr_in6));
	cr_assert_eq(ntohs(v6()->sin6_port), 8053);
	cr_assert(IN6_IS_ADDR_LOOPBACK(&v6()->sin6_addr));
	cr_assert_not(a.wildcard);
	cr_assert_str_eq(a.text, "[::1]:8053");
}

Test(listen, v6_bracketed_default_port)
{
	cr_assert_eq(listen_parse("[2001:db8::53]", 53, &a, why, sizeof(why)),
	    0, "%s", why);
	cr_assert_eq(a.ss.ss_family, AF_INET6);
	cr_assert_eq(ntohs(v6()->sin6_port), 53);
	cr_assert_str_eq(a.text, "[2001:db8::53]:53");
}

Test(listen, v6_bare)
{
	cr_assert_eq(listen_parse("2001:db8::1", 5300, &a, why, sizeof(why)),
	    0, "%s", why);
	cr_assert_eq(a.ss.ss_family, AF_INET6);
	cr_assert_eq(ntohs(v6()->sin6_port), 5300);
	cr_assert_eq(v6()->sin6_addr.s6_addr[0], 0x20);
	cr_assert_eq(v6()->sin6_addr.s6_addr[15], 0x01);
}

Test(listen, v6_wildcard)
{
	cr_assert_eq(listen_parse("::", 53, &a, why, sizeof(why)), 0, "%s",
	    why);
	cr_assert(a.wildcard);
	cr_assert_eq(listen_parse("[::]:53", 53, &a, why, sizeof(why)), 0);
	cr_assert(a.wildcard);
}

Test(listen, rejects_port_0)
{
	rejects("127.0.0.1:0");
	rejects("[::1]:0");
}

Test(listen, rejects_port_65536)
{
	rejects("127.0.0.1:65536");
	rejects("[::1]:65536");
	rejects("127.0.0.1:99999999999999999999999");
}

Test(listen, rejects_bad_port_text)
{
	rejects("127.0.0.1:");
	rejects("127.0.0.1:53x");
	rejects("127.0.0.1:-1");
	rejects("[::1]:");
	rejects("[::1]x");
}

Test(listen, rejects_garbage)
{
	rejects("");
	rejects("localhost");
	rejects("localhost:53");
	rejects("256.1.1.1");
	rejects("1.2.3");
	rejects("[::1");
	rejects("::1::2");
	rejects("[127.0.0.1:53");
}

Test(listen, rejects_long_input)
{
	char spec[200];

	memset(spec, '1', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	rejects(spec);
}
