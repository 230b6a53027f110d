/*
 * freeport.c -- print a loopback port that is free for both UDP and TCP.
 *
 * Usage: freeport [ADDRESS]   (default 127.0.0.1; IPv4 or IPv6)
 * Binds UDP to port 0, then TCP to the port the kernel chose; retries
 * when TCP is taken.  The port is free when printed; a test that races
 * another for it fails loudly at bind, it never shares it.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *addr = argc > 1 ? argv[1] : "127.0.0.1";
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int tries, family;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		family = AF_INET;
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		family = AF_INET6;
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "freeport: bad address %s\n", addr);
		return 2;
	}
	for (tries = 0; tries < 100; tries++) {
		int u = socket(family, SOCK_DGRAM, 0), t;
		socklen_t l = len;
		unsigned port;

		ss.ss_family = (sa_family_t)family;
		if (family == AF_INET)
			s4->sin_port = 0;
		else
			s6->sin6_port = 0;
		if (u < 0 || bind(u, (struct sockaddr *)&ss, len) < 0
		    || getsockname(u, (struct sockaddr *)&ss, &l) < 0) {
			perror("freeport");
			return 1;
		}
		port = ntohs(family == AF_INET ? s4->sin_port : s6->sin6_port);
		t = socket(family, SOCK_STREAM, 0);
		if (t >= 0 && bind(t, (struct sockaddr *)&ss, len) == 0) {
			close(t);
			close(u);
			printf("%u\n", port);
			return 0;
		}
		if (t >= 0)
			close(t);
		close(u);
	}
	fprintf(stderr, "freeport: no free port found\n");
	return 1;
}
