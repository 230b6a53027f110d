/*
 * acl.h -- address lists (CIDR) for who may use musterd as a resolver.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_ACL_H
#define MUSTER_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ACL_MAX	64

struct acl_entry {
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 bits;
	uint8_t		 addr[16];
};

struct acl {
	size_t		 n;
	struct acl_entry e[ACL_MAX];
};

/* Add "ADDR" or "ADDR/BITS"; 0, or -1 with a reason in why. */
int acl_add(struct acl *a, const char *cidr, char *why, size_t whylen);

/* Does the list hold the address of sa?  No allocation, no system call. */
bool acl_match(const struct acl *a, const struct sockaddr *sa);

#endif /* MUSTER_ACL_H */
