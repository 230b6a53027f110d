/*
 * acl.c -- address lists (CIDR) for who may use musterd as a resolver.
 *
 * An IPv4 client seen on an IPv6 socket as ::ffff:a.b.c.d is matched as
 * the IPv4 address it is.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

int
acl_add(struct acl *a, const char *cidr, char *why, size_t whylen)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
	struct acl_entry *e;
	unsigned long bits;
	char *end;

	if (a->n == ACL_MAX) {
		snprintf(why, whylen, "more than %d entries", ACL_MAX);
		return -1;
	}
	e = &a->e[a->n];
	memset(e, 0, sizeof(*e));
	if (n >= sizeof(host))
		goto bad;
	memcpy(host, cidr, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, e->addr) == 1)
		e->family = AF_INET;
	else if (inet_pton(AF_INET6, host, e->addr) == 1)
		e->family = AF_INET6;
	else
		goto bad;
	bits = e->family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		unsigned long max = bits;

		bits = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits > max)
			goto bad;
	}
	e->bits = (uint8_t)bits;
	a->n++;
	return 0;
bad:
	snprintf(why, whylen, "bad address or CIDR \"%s\"", cidr);
	return -1;
}

static bool
acl_prefix(const uint8_t *x, const uint8_t *y, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(x, y, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((x[full] ^ y[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
acl_match(const struct acl *a, const struct sockaddr *sa)
{
	const uint8_t *addr;
	int family = sa->sa_family;
	size_t i;

	if (family == AF_INET) {
		addr = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (family == AF_INET6) {
		const struct in6_addr *v6 =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		addr = v6->s6_addr;
		if (IN6_IS_ADDR_V4MAPPED(v6)) {
			family = AF_INET;
			addr += 12;
		}
	} else {
		return false;
	}
	for (i = 0; i < a->n; i++)
		if (a->e[i].family == family
		    && acl_prefix(a->e[i].addr, addr, a->e[i].bits))
			return true;
	return false;
}
