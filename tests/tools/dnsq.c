/*
 * dnsq.c -- send raw DNS messages over UDP or TCP and describe the answers.
 *
 * A test client that sends whatever bytes it is given, well-formed or
 * not, and prints one line per response, made to be grepped:
 *
 *   id=0x1234 op=0 rcode=NOERROR flags=qr,aa,rd qd=1 an=2 ns=0 ar=1
 *   len=96 edns=1232 ednsver=0 do=0 ednsopts=0 nopt=1 parse=ok
 *   q=03777777076578616d706c6503636f6d0000010001 from=127.0.0.1:5353
 *
 * (all on one line), then one final line:
 *
 *   sent=3 got=3 unique=3 end=done|timeout|eof [eof_ms=N]
 *
 * Usage: dnsq -p PORT [options] MSG...
 *   MSG        hex bytes (blanks, ':' and '.' ignored) or @FILE (raw bytes)
 *   -a ADDR    server address (default 127.0.0.1; IPv6 too)
 *   -t         TCP: one connection, each MSG with a two-byte length prefix
 *   -r         TCP: send the MSG bytes as they are (no prefix added)
 *   -n N       responses expected (default: one per message sent)
 *   -T MS      give up waiting for responses after MS ms (default 2000)
 *   -W N       at most N messages outstanding (default: send all, then
 *              read; -W 1 is one query at a time)
 *   -c BYTES   TCP: write in pieces of BYTES bytes ...
 *   -d MS      ... with MS ms between pieces (default 5)
 *   -D MS      TCP: a slow reader: wait MS ms after the first write
 *              before reading anything
 *   -S         TCP: shut down the sending side once everything is sent
 *   -E MS      TCP: after the responses, wait up to MS ms for the server
 *              to close; end=eof (eof_ms: since the last byte received,
 *              or since connect) or end=open
 *   -R COUNT   send the messages COUNT times, the ID of each copy set to
 *              its sequence number (unique= counts distinct IDs back)
 *   -P N       UDP: spread the messages over N sockets (source ports)
 *   -F N:SEED  UDP: send N seeded random mutations (bit flips, cuts,
 *              extensions) of all MSGs but the last, which is a sentinel
 *              query sent after every 64 and waited for (see run_fuzz)
 *   -x         add hex=... (the whole response) to each line
 *   -Q         quiet: only the final line
 *
 * Exit status: 0 when every expected response came, 1 otherwise, 2 usage.
 * UDP sockets are not connected, so a response from another address than
 * the one asked is still received and shown in from=.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DNSQ_MAXMSG	65535
#define DNSQ_MAXSOCK	64

struct dnsq_msg {
	uint8_t	*data;
	size_t	 len;
};

struct dnsq {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 tcp, raw, hexout, quiet, shut;
	long			 expect;	/* -1: one per message */
	long			 timeout_ms, window, piece, piece_ms, eof_ms;
	long			 repeat, nsock, fuzz, read_delay;
	unsigned long		 seed;
	struct dnsq_msg		*msgs;
	size_t			 nmsgs;
	/* results */
	long			 sent, got, unique;
	uint8_t			 seen[65536 / 8];
	double			 last_ms;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
usage(void)
{
	fprintf(stderr, "usage: dnsq -p PORT [-a ADDR] [-t [-r]] [-n N] [-T MS] "
	    "[-W N] [-c BYTES [-d MS]] [-D MS] [-E MS] [-R COUNT] [-P N] [-F N:SEED] "
	    "[-S] [-x] [-Q] MSG...\n");
	exit(2);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		perror("dnsq");
		exit(2);
	}
	return p;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read one MSG argument: hex text or @FILE. */
static void
load_msg(const char *arg, struct dnsq_msg *m)
{
	size_t n = 0;
	int hi = -1;

	if (arg[0] == '@') {
		FILE *fp = fopen(arg + 1, "rb");
		size_t got;

		if (fp == NULL) {
			perror(arg + 1);
			exit(2);
		}
		m->data = xmalloc(DNSQ_MAXMSG + 2);
		got = fread(m->data, 1, DNSQ_MAXMSG + 2, fp);
		fclose(fp);
		m->len = got;
		return;
	}
	m->data = xmalloc(strlen(arg) / 2 + 1);
	for (; *arg != '\0'; arg++) {
		int v;

		if (*arg == ' ' || *arg == '\t' || *arg == '\n' || *arg == ':'
		    || *arg == '.')
			continue;
		v = hexval((unsigned char)*arg);
		if (v < 0) {
			fprintf(stderr, "dnsq: bad hex digit '%c'\n", *arg);
			exit(2);
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		m->data[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		fprintf(stderr, "dnsq: odd number of hex digits\n");
		exit(2);
	}
	m->len = n;
}

static void
parse_addr(struct dnsq *q, const char *addr, const char *port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&q->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&q->ss;
	long p = strtol(port, NULL, 10);

	if (p <= 0 || p > 65535)
		usage();
	memset(&q->ss, 0, sizeof(q->ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		q->sslen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		q->sslen = sizeof(*s6);
	} else {
		fprintf(stderr, "dnsq: bad address %s\n", addr);
		exit(2);
	}
}

/* ---- describing a response ---- */

static const char *
rcode_name(unsigned rc, char *buf, size_t len)
{
	static const char *names[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
	    "NOTAUTH", "NOTZONE" };

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	if (rc == 16)
		return "BADVERS";
	snprintf(buf, len, "RCODE%u", rc);
	return buf;
}

/* Skip a name, following and checking pointers; -1 when malformed. */
static int
skip_name(const uint8_t *p, size_t len, size_t *off)
{
	size_t o = *off, total = 0;
	int jumps = 0, jumped = 0;

	for (;;) {
		uint8_t c;

		if (o >= len)
			return -1;
		c = p[o];
		if ((c & 0xc0) == 0xc0) {
			size_t target;

			if (o + 1 >= len || ++jumps > 64)
				return -1;
			target = (size_t)(c & 0x3f) << 8 | p[o + 1];
			if (target >= len)
				return -1;
			if (!jumped)
				*off = o + 2;
			jumped = 1;
			o = target;
			continue;
		}
		if (c & 0xc0)
			return -1;
		total += (size_t)c + 1;
		if (total > 255)
			return -1;
		if (c == 0) {
			if (!jumped)
				*off = o + 1;
			return 0;
		}
		o += (size_t)c + 1;
	}
}

struct dnsq_info {
	int	 nopt;
	unsigned ednsudp, ednsver, ednsdo, ednsext, ednsopts;
	size_t	 q_end;		/* 0: no question parsed */
	long	 bad;		/* -1: the whole message parsed */
};

static void
describe_records(const uint8_t *p, size_t len, struct dnsq_info *in)
{
	unsigned qd = (unsigned)(p[4] << 8 | p[5]);
	unsigned rest = (unsigned)(p[6] << 8 | p[7]) + (unsigned)(p[8] << 8
	    | p[9]);
	unsigned ar = (unsigned)(p[10] << 8 | p[11]), i;
	size_t off = 12;

	for (i = 0; i < qd; i++) {
		if (skip_name(p, len, &off) < 0 || off + 4 > len)
			goto bad;
		off += 4;
		if (i == 0)
			in->q_end = off;
	}
	for (i = 0; i < rest + ar; i++) {
		size_t owner = off, rdlen;
		unsigned type;

		if (skip_name(p, len, &off) < 0 || off + 10 > len)
			goto bad;
		type = (unsigned)(p[off] << 8 | p[off + 1]);
		rdlen = (size_t)(p[off + 8] << 8 | p[off + 9]);
		if (off + 10 + rdlen > len)
			goto bad;
		if (type == 41) {
			in->nopt++;
			if (i < rest || p[owner] != 0)
				goto bad;	/* OPT outside additional */
			in->ednsudp = (unsigned)(p[off + 2] << 8 | p[off + 3]);
			in->ednsext = p[off + 4];
			in->ednsver = p[off + 5];
			in->ednsdo = (p[off + 6] & 0x80) != 0;
			in->ednsopts = (unsigned)rdlen;
		}
		off += 10 + rdlen;
	}
	if (off != len)
		goto bad;
	return;
bad:
	in->bad = (long)off;
}

static void
print_response(struct dnsq *q, const uint8_t *p, size_t len,
    const struct sockaddr_storage *from)
{
	static const char *fl[] = { "qr", "aa", "tc", "rd", "ra", "z", "ad",
	    "cd" };
	static const unsigned bit[] = { 0x8000, 0x0400, 0x0200, 0x0100, 0x0080,
	    0x0040, 0x0020, 0x0010 };
	struct dnsq_info in;
	char rcbuf[16], flags[64] = "", addr[INET6_ADDRSTRLEN] = "";
	unsigned f, rc, i;
	size_t k;

	if (len < 12) {
		printf("short len=%zu\n", len);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.bad = -1;
	describe_records(p, len, &in);
	f = (unsigned)(p[2] << 8 | p[3]);
	for (i = 0; i < 8; i++)
		if (f & bit[i]) {
			if (flags[0] != '\0')
				strcat(flags, ",");
			strcat(flags, fl[i]);
		}
	rc = (f & 0xf) | (in.nopt == 1 ? in.ednsext << 4 : 0);
	printf("id=0x%02x%02x op=%u rcode=%s flags=%s qd=%u an=%u ns=%u ar=%u "
	    "len=%zu", p[0], p[1], (f >> 11) & 0xf,
	    rcode_name(rc, rcbuf, sizeof(rcbuf)), flags[0] ? flags : "-",
	    p[4] << 8 | p[5], p[6] << 8 | p[7], p[8] << 8 | p[9],
	    p[10] << 8 | p[11], len);
	if (in.nopt > 0)
		printf(" edns=%u ednsver=%u do=%u ednsopts=%u", in.ednsudp,
		    in.ednsver, in.ednsdo, in.ednsopts);
	else
		printf(" edns=none");
	printf(" nopt=%d", in.nopt);
	if (in.bad < 0)
		printf(" parse=ok");
	else
		printf(" parse=bad@%ld", in.bad);
	printf(" q=");
	if (in.q_end == 0)
		printf("-");
	for (k = 12; k < in.q_end; k++)
		printf("%02x", p[k]);
	if (from != NULL) {
		unsigned port;

		if (from->ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)from;

			inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
			port = ntohs(s6->sin6_port);
			printf(" from=[%s]:%u", addr, port);
		} else {
			const struct sockaddr_in *s4 = (const void *)from;

			inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
			port = ntohs(s4->sin_port);
			printf(" from=%s:%u", addr, port);
		}
	}
	if (q->hexout) {
		printf(" hex=");
		for (k = 0; k < len; k++)
			printf("%02x", p[k]);
	}
	printf("\n");
	fflush(stdout);
}

static void
got_response(struct dnsq *q, const uint8_t *p, size_t len,
    const struct sockaddr_storage *from)
{
	q->got++;
	q->last_ms = now_ms();
	if (len >= 2) {
		unsigned id = (unsigned)(p[0] << 8 | p[1]);

		if (!(q->seen[id / 8] & (1u << (id % 8)))) {
			q->seen[id / 8] |= (uint8_t)(1u << (id % 8));
			q->unique++;
		}
	}
	if (!q->quiet)
		print_response(q, p, len, from);
}

/* The i-th message to send, with its ID rewritten under -R. */
static const struct dnsq_msg *
nth_msg(struct dnsq *q, long i, struct dnsq_msg *tmp)
{
	const struct dnsq_msg *m = &q->msgs[(size_t)i % q->nmsgs];

	if (q->repeat <= 1 || m->len < 2)
		return m;
	tmp->data = m->data;
	tmp->len = m->len;
	tmp->data[0] = (uint8_t)(i >> 8);
	tmp->data[1] = (uint8_t)i;
	return tmp;
}

static uint32_t
rnd(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return (uint32_t)(*s >> 33);
}

/*
 * -F: the last MSG is the sentinel, the others are mutated.  After every
 * FUZZ_CHUNK mutations the sentinel is sent with the chunk number as its
 * ID and its answer awaited: that paces the sending, and (one server
 * thread answering in order) shows every earlier mutation was handled.
 */
#define FUZZ_CHUNK	64

static int
is_sentinel(const struct dnsq_msg *s, size_t qend, unsigned id,
    const uint8_t *p, size_t len)
{
	return len >= qend && (unsigned)(p[0] << 8 | p[1]) == id
	    && memcmp(p + 12, s->data + 12, qend - 12) == 0;
}

static int
run_fuzz(struct dnsq *q, int fd)
{
	static uint8_t buf[DNSQ_MAXMSG];
	struct dnsq_msg *s = &q->msgs[q->nmsgs - 1];
	size_t qend = 12;
	long i = 0, chunks = 0, ok = 0;
	int size = 1 << 20;

	if (q->nmsgs < 2 || s->len < 12 || skip_name(s->data, s->len, &qend) < 0
	    || qend + 4 > s->len) {
		fprintf(stderr, "dnsq: -F needs MSG... SENTINEL (a query)\n");
		return 2;
	}
	qend += 4;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	while (i < q->fuzz) {
		long n;
		unsigned id = (unsigned)(chunks & 0xffff);
		double deadline;
		int found = 0;

		for (n = 0; n < FUZZ_CHUNK && i < q->fuzz; n++, i++) {
			const struct dnsq_msg *m = &q->msgs[(size_t)i
			    % (q->nmsgs - 1)];
			size_t len = m->len, k, flips;

			if (len > sizeof(buf) - 64)
				len = sizeof(buf) - 64;
			memcpy(buf, m->data, len);
			flips = 1 + rnd(&q->seed) % 4;
			for (k = 0; k < flips && len > 0; k++)
				buf[rnd(&q->seed) % len] ^= (uint8_t)(1u
				    << (rnd(&q->seed) % 8));
			switch (rnd(&q->seed) % 4) {
			case 0:
				len = len ? rnd(&q->seed) % len : 0;
				break;
			case 1:
				for (k = rnd(&q->seed) % 64; k > 0; k--)
					buf[len++] = (uint8_t)rnd(&q->seed);
				break;
			}
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&q->ss,
			    q->sslen) == (ssize_t)len)
				q->sent++;
		}
		s->data[0] = (uint8_t)(id >> 8);
		s->data[1] = (uint8_t)id;
		if (sendto(fd, s->data, s->len, 0, (struct sockaddr *)&q->ss,
		    q->sslen) < 0) {
			perror("dnsq: sendto");
			return 2;
		}
		chunks++;
		deadline = now_ms() + (double)q->timeout_ms;
		while (!found) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			double left = deadline - now_ms();
			ssize_t r;

			if (left <= 0)
				break;
			if (poll(&pfd, 1, (int)left + 1) <= 0)
				continue;
			while (!found && (r = recv(fd, buf, sizeof(buf),
			    MSG_DONTWAIT)) >= 0) {
				if (is_sentinel(s, qend, id, buf, (size_t)r)) {
					found = 1;
					ok++;
				} else {
					got_response(q, buf, (size_t)r, NULL);
				}
			}
		}
		if (!found)
			break;
	}
	printf("sent=%ld got=%ld sentinels=%ld/%ld end=%s\n", q->sent, q->got,
	    ok, chunks, ok == chunks && i >= q->fuzz ? "done" : "timeout");
	return ok == chunks && i >= q->fuzz ? 0 : 1;
}

/* ---- UDP ---- */

static int
run_udp(struct dnsq *q)
{
	int fds[DNSQ_MAXSOCK];
	struct pollfd pfd[DNSQ_MAXSOCK];
	long total = (long)q->nmsgs * q->repeat, i;
	double deadline;
	uint8_t buf[DNSQ_MAXMSG];
	long s;

	for (s = 0; s < q->nsock; s++) {
		fds[s] = socket(q->ss.ss_family, SOCK_DGRAM, 0);
		if (fds[s] < 0) {
			perror("dnsq: socket");
			return 2;
		}
		pfd[s].fd = fds[s];
		pfd[s].events = POLLIN;
	}
	if (q->fuzz > 0)
		return run_fuzz(q, fds[0]);
	if (q->expect < 0)
		q->expect = total;
	deadline = now_ms() + (double)q->timeout_ms;
	i = 0;
	while (q->got < q->expect || i < total) {
		double left = deadline - now_ms();
		int n;

		while (i < total && (q->window <= 0
		    || q->sent - q->got < q->window)) {
			struct dnsq_msg tmp;
			const struct dnsq_msg *m = nth_msg(q, i, &tmp);

			if (sendto(fds[i % q->nsock], m->data, m->len, 0,
			    (struct sockaddr *)&q->ss, q->sslen) < 0) {
				perror("dnsq: sendto");
				return 2;
			}
			q->sent++;
			i++;
		}
		if (q->got >= q->expect && i >= total)
			break;
		if (left <= 0)
			break;
		n = poll(pfd, (nfds_t)q->nsock, (int)left + 1);
		if (n < 0 && errno != EINTR)
			return 2;
		for (s = 0; n > 0 && s < q->nsock; s++) {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t r;

			if (!(pfd[s].revents & POLLIN))
				continue;
			while ((r = recvfrom(fds[s], buf, sizeof(buf),
			    MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) >= 0) {
				got_response(q, buf, (size_t)r, &from);
				fl = sizeof(from);
			}
		}
	}
	printf("sent=%ld got=%ld unique=%ld end=%s\n", q->sent, q->got,
	    q->unique, q->got >= q->expect ? "done" : "timeout");
	return q->got >= q->expect ? 0 : 1;
}

/* ---- TCP ---- */

static int
write_all(int fd, const uint8_t *p, size_t len, long piece, long piece_ms)
{
	while (len > 0) {
		size_t n = piece > 0 && (size_t)piece < len ? (size_t)piece : len;
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
		if (piece > 0 && len > 0)
			sleep_ms(piece_ms);
	}
	return 0;
}

/* Build the bytes for messages [from, to) into *out. */
static size_t
tcp_stream(struct dnsq *q, long from, long to, uint8_t **out)
{
	size_t cap = 0, len = 0;
	long i;
	uint8_t *b;

	for (i = from; i < to; i++)
		cap += q->msgs[(size_t)i % q->nmsgs].len + 2;
	b = xmalloc(cap);
	for (i = from; i < to; i++) {
		struct dnsq_msg tmp;
		const struct dnsq_msg *m = nth_msg(q, i, &tmp);

		if (!q->raw) {
			b[len++] = (uint8_t)(m->len >> 8);
			b[len++] = (uint8_t)m->len;
		}
		memcpy(b + len, m->data, m->len);
		len += m->len;
	}
	*out = b;
	return len;
}

/* Read what is there; parse complete messages.  1: EOF, -1: error. */
static int
tcp_read(struct dnsq *q, int fd, uint8_t *rbuf, size_t *rlen)
{
	ssize_t r = recv(fd, rbuf + *rlen, DNSQ_MAXMSG + 2 - *rlen, 0);
	size_t off = 0;

	if (r == 0)
		return 1;
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	*rlen += (size_t)r;
	q->last_ms = now_ms();
	while (*rlen - off >= 2) {
		size_t mlen = (size_t)(rbuf[off] << 8 | rbuf[off + 1]);

		if (*rlen - off - 2 < mlen)
			break;
		got_response(q, rbuf + off + 2, mlen, NULL);
		off += 2 + mlen;
	}
	memmove(rbuf, rbuf + off, *rlen - off);
	*rlen -= off;
	return 0;
}

static int
run_tcp(struct dnsq *q)
{
	long total = (long)q->nmsgs * q->repeat, i = 0;
	uint8_t *rbuf = xmalloc(DNSQ_MAXMSG + 2);
	size_t rlen = 0;
	int fd, one = 1, eof = 0, rc;
	double deadline;
	const char *end;

	fd = socket(q->ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&q->ss, q->sslen) < 0) {
		printf("sent=0 got=0 unique=0 end=connect-failed (%s)\n",
		    strerror(errno));
		return 1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (q->expect < 0)
		q->expect = q->raw ? 1 : total;
	q->last_ms = now_ms();
	deadline = q->last_ms + (double)q->timeout_ms;
	while (!eof && (q->got < q->expect || i < total)) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		double left;

		if (i < total && (q->window <= 0 || q->sent - q->got
		    < q->window)) {
			long to = q->window <= 0 ? total
			    : i + (q->window - (q->sent - q->got));
			uint8_t *b;
			size_t len;

			if (to > total)
				to = total;
			len = tcp_stream(q, i, to, &b);
			if (write_all(fd, b, len, q->piece, q->piece_ms) < 0) {
				free(b);
				eof = 1;	/* reset by the server */
				break;
			}
			free(b);
			q->sent += to - i;
			i = to;
			if (i >= total && q->shut)
				(void)shutdown(fd, SHUT_WR);
			if (q->read_delay > 0) {
				sleep_ms(q->read_delay);
				q->read_delay = 0;
			}
		}
		left = deadline - now_ms();
		if (q->got >= q->expect && i >= total)
			break;
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left + 1) <= 0)
			continue;
		rc = tcp_read(q, fd, rbuf, &rlen);
		if (rc != 0)
			eof = 1;
	}
	end = eof ? "eof" : q->got >= q->expect ? "done" : "timeout";
	if (!eof && q->eof_ms > 0 && q->got >= q->expect) {
		/* wait for the server to close */
		double until = now_ms() + (double)q->eof_ms;

		end = "open";
		for (;;) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			double left = until - now_ms();

			if (left <= 0)
				break;
			if (poll(&pfd, 1, (int)left + 1) <= 0)
				continue;
			if (tcp_read(q, fd, rbuf, &rlen) != 0) {
				eof = 1;
				end = "eof";
				break;
			}
		}
	}
	printf("sent=%ld got=%ld unique=%ld end=%s", q->sent, q->got,
	    q->unique, end);
	if (eof)
		printf(" eof_ms=%.0f", now_ms() - q->last_ms);
	printf("\n");
	close(fd);
	free(rbuf);
	if (q->eof_ms > 0)
		return q->got >= q->expect && eof ? 0 : 1;
	return q->got >= q->expect ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static struct dnsq q;
	const char *addr = "127.0.0.1", *port = NULL;
	int c, i;

	q.expect = -1;
	q.timeout_ms = 2000;
	q.piece_ms = 5;
	q.repeat = 1;
	q.nsock = 1;
	while ((c = getopt(argc, argv, "a:p:trn:T:W:c:d:D:E:R:P:F:xQS")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = optarg; break;
		case 't': q.tcp = 1; break;
		case 'r': q.raw = 1; break;
		case 'n': q.expect = atol(optarg); break;
		case 'T': q.timeout_ms = atol(optarg); break;
		case 'W': q.window = atol(optarg); break;
		case 'c': q.piece = atol(optarg); break;
		case 'd': q.piece_ms = atol(optarg); break;
		case 'D': q.read_delay = atol(optarg); break;
		case 'E': q.eof_ms = atol(optarg); break;
		case 'R': q.repeat = atol(optarg); break;
		case 'P': q.nsock = atol(optarg); break;
		case 'F':
			q.fuzz = atol(optarg);
			if (strchr(optarg, ':') != NULL)
				q.seed = strtoul(strchr(optarg, ':') + 1, NULL, 10);
			break;
		case 'x': q.hexout = 1; break;
		case 'Q': q.quiet = 1; break;
		case 'S': q.shut = 1; break;
		default: usage();
		}
	}
	if (port == NULL || optind >= argc || q.repeat < 1 || q.repeat > 65536
	    || q.nsock < 1 || q.nsock > DNSQ_MAXSOCK)
		usage();
	parse_addr(&q, addr, port);
	q.nmsgs = (size_t)(argc - optind);
	q.msgs = xmalloc(q.nmsgs * sizeof(*q.msgs));
	for (i = optind; i < argc; i++)
		load_msg(argv[i], &q.msgs[i - optind]);
	return q.tcp ? run_tcp(&q) : run_udp(&q);
}
