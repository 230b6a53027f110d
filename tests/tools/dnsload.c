/*
 * dnsload.c -- DNS load generator for contrib/bench.
 *
 * One thread, made to be pinned to a core of its own, so that on a small
 * machine the server (not the generator) is what runs out of CPU.  Queries
 * come from a file of "NAME TYPE [RCODE [ANCOUNT]]" lines (a dnsperf query
 * file with optional expectations), are sent in file order (wrapping) and
 * every response is matched to its query by socket and ID, timestamped and
 * checked against the expectation of its line.
 *
 * Modes:
 *   (default)  saturation over UDP: C sockets, each keeping W queries
 *              outstanding, sent in sendmmsg() batches of B and read with
 *              recvmmsg();
 *   -r QPS     fixed rate over UDP: paced sends (no window), for latency
 *              at a given load and for overload (offered > capacity);
 *   -T         pipelined TCP: C persistent connections, B queries per
 *              write(), W outstanding per connection, responses matched
 *              by ID whatever their order;
 *   -n COUNT   send COUNT queries (over any of the above) instead of
 *              running for a time;
 *   -R SOCKET  register -> answered: registers instances through the
 *              registry Function muster_register over a Redis Unix socket
 *              at -r registrations per second, polls the server until the
 *              new instance is served, deregisters it and polls until it
 *              is gone; both delays are timestamped in this one process
 *              (reg_*, dereg_*), as are Redis' reply to the FCALL (ack_*)
 *              and the time from that reply to the first answer with the
 *              new instance (prop_*, 0 when the answer came first).
 *
 * Timed runs have a warm-up (-W) and a measured window (-l): qps counts
 * the responses received in the window, latency percentiles and losses
 * the queries sent in it.  With -P PID[,PID...] the utime+stime of those
 * processes (/proc/PID/stat) is read at both ends of the window, giving
 * the server's CPU time per answered query (srv_us_per_q); the same from
 * the threads' exact run time in /proc/PID/task/TID/schedstat is given as
 * srv_run_us_per_q (utime+stime are sampled at the clock tick).
 *
 * Output: one line starting with "dnsload " of key=value pairs (latencies
 * in microseconds, from a histogram of 1 us buckets up to 1 s); details
 * of the first few wrong answers go to stderr.  Exit status: 0; 3 when an
 * answer did not match its expectation, or none came; 2 usage; 1 error.
 *
 *   dnsload -p PORT -f FILE [-s ADDR] [-c N] [-w N] [-b N] [-l S] [-W S]
 *           [-r QPS | -T | -n COUNT] [-t MS] [-e] [-P PIDS]
 *   dnsload -p PORT -R SOCKET -S SERVICES -k K [-r RATE] [-n COUNT | -l S]
 *           [-x PREFIX] [-a SVCPREFIX] [-D DOMAIN] [-i POLL_US] [-P PIDS]
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DL_MAXCONN	64
#define DL_MAXBATCH	64
#define DL_NID		65536
#define DL_RING		(1u << 18)	/* send order, for timeouts */
#define DL_HIST		1000000		/* 1 us buckets up to 1 s */
#define DL_MAXQ		300		/* largest query on the wire */
#define DL_RBUF		65536
#define DL_TBUF		(1u << 20)	/* TCP read buffer */
#define DL_MAXPID	16
#define DL_REGSLOTS	8192		/* registrations in flight */

struct dl_query {
	uint8_t		*wire;
	uint16_t	 len;
	int16_t		 rcode;		/* -1: any */
	int32_t		 ancount;	/* -1: any */
	char		*text;		/* "name TYPE", for reports */
};

struct dl_hist {
	uint64_t	*b;		/* DL_HIST + 1 buckets, last: overflow */
	uint64_t	 n;
	uint64_t	 max;
	double		 sum;
};

struct dl_conn {
	int		 fd;
	uint32_t	 out;		/* outstanding */
	uint16_t	 next_id;
	uint64_t	*ts;		/* [DL_NID] send time; 0: free */
	uint32_t	*qi;		/* [DL_NID] query index */
	uint16_t	*ring_id;	/* [DL_RING] */
	uint64_t	*ring_ts;
	uint32_t	 rhead, rtail;
	/* TCP */
	uint8_t		*rbuf, *wbuf;
	size_t		 rlen, wlen, woff;
};

struct dl_stats {
	uint64_t	 sent, recv, lost;	/* whole run */
	uint64_t	 sent_w, recv_w, lost_w, ans_w;	/* window */
	uint64_t	 wrong, tc, late, badmsg, reconnects, idfull;
	uint64_t	 rcode[16];
	uint64_t	 resp_bytes;
	struct dl_hist	 lat;
};

static struct {
	struct sockaddr_in	 sa;
	const char		*file;
	int			 nconn, window, batch, tcp, edns;
	double			 rate, dur, warm, timeout_ms;
	long long		 count;
	pid_t			 pids[DL_MAXPID];
	int			 npids;
	/* registration mode */
	const char		*redis, *prefix, *svcprefix, *domain;
	unsigned		 services, k;
	double			 poll_us;
} opt;

static struct dl_query	*qs;
static size_t		 nq, qnext;
static struct dl_conn	 conns[DL_MAXCONN];
static struct dl_stats	 st;
static uint64_t		 tm0, tm1;	/* measured window */
static int		 nwrong_shown;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL) {
		perror("dnsload");
		exit(1);
	}
	return p;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: dnsload -p PORT -f FILE [-s ADDR] [-c N] [-w N] [-b N] "
	    "[-l S] [-W S] [-r QPS | -T | -n COUNT] [-t MS] [-e] [-P PIDS]\n"
	    "       dnsload -p PORT -R SOCKET -S SERVICES -k K [-r RATE] "
	    "[-n COUNT | -l S] [-x PREFIX] [-a SVCPREFIX] [-D DOMAIN] "
	    "[-i POLL_US] [-P PIDS]\n");
	exit(2);
}

/* ---- histogram ---- */

static void
hist_init(struct dl_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->b = xcalloc(DL_HIST + 1, sizeof(uint64_t));
}

static void
hist_add(struct dl_hist *h, uint64_t ns)
{
	uint64_t us = ns / 1000;

	h->b[us < DL_HIST ? us : DL_HIST]++;
	h->n++;
	h->sum += (double)ns / 1000.0;
	if (us > h->max)
		h->max = us;
}

/* The pm-th per mille, as the upper edge of its 1 us bucket. */
static uint64_t
hist_pct(const struct dl_hist *h, unsigned pm)
{
	uint64_t need, acc = 0, i;

	if (h->n == 0)
		return 0;
	need = (h->n * pm + 999) / 1000;
	if (need == 0)
		need = 1;
	for (i = 0; i <= DL_HIST; i++) {
		acc += h->b[i];
		if (acc >= need)
			break;
	}
	return i + 1;
}

static void
hist_print(const char *name, const struct dl_hist *h)
{
	printf(" %s_p50_us=%llu %s_p90_us=%llu %s_p99_us=%llu %s_p999_us=%llu"
	    " %s_avg_us=%.1f %s_max_us=%llu",
	    name, (unsigned long long)hist_pct(h, 500),
	    name, (unsigned long long)hist_pct(h, 900),
	    name, (unsigned long long)hist_pct(h, 990),
	    name, (unsigned long long)hist_pct(h, 999),
	    name, h->n ? h->sum / (double)h->n : 0.0,
	    name, (unsigned long long)h->max);
}

/* ---- server CPU ---- */

/* utime+stime of the -P processes in clock ticks; -1 when one is gone. */
static long long
srv_ticks(void)
{
	long long tot = 0;
	int i;

	for (i = 0; i < opt.npids; i++) {
		char path[64], buf[2048], *p;
		unsigned long long ut, stm;
		ssize_t n;
		int fd, f;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)opt.pids[i]);
		if ((fd = open(path, O_RDONLY)) < 0)
			return -1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return -1;
		buf[n] = '\0';
		if ((p = strrchr(buf, ')')) == NULL)
			return -1;
		/* after ')': state is field 3; utime 14, stime 15 */
		for (f = 2; f < 14 && p != NULL; f++)
			p = strchr(p + 1, ' ');
		if (p == NULL || sscanf(p, " %llu %llu", &ut, &stm) != 2)
			return -1;
		tot += (long long)(ut + stm);
	}
	return tot;
}

/*
 * Time on CPU of all threads of the -P processes in ns, from
 * /proc/PID/task/TID/schedstat (exact, where utime+stime are sampled at
 * the tick); -1 when unavailable.
 */
static long long
srv_run_ns(void)
{
	long long tot = 0;
	int i, seen = 0;

	for (i = 0; i < opt.npids; i++) {
		char path[64];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", (int)opt.pids[i]);
		if ((d = opendir(path)) == NULL)
			return -1;
		while ((de = readdir(d)) != NULL) {
			char sp[400], buf[128];
			unsigned long long ns;
			ssize_t n;
			int fd;

			if (de->d_name[0] == '.')
				continue;
			snprintf(sp, sizeof(sp), "%s/%s/schedstat", path,
			    de->d_name);
			if ((fd = open(sp, O_RDONLY)) < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = '\0';
			if (sscanf(buf, "%llu", &ns) == 1) {
				tot += (long long)ns;
				seen = 1;
			}
		}
		closedir(d);
	}
	return seen ? tot : -1;
}

static void
parse_pids(const char *s)
{
	char *dup = strdup(s), *tok, *save = NULL;

	for (tok = strtok_r(dup, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (opt.npids == DL_MAXPID)
			break;
		opt.pids[opt.npids++] = (pid_t)atoi(tok);
	}
	free(dup);
}

/* ---- queries ---- */

static int
qtype_num(const char *t)
{
	static const struct { const char *n; int v; } m[] = {
		{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 },
		{ "PTR", 12 }, { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
		{ "SRV", 33 }, { "ANY", 255 }, { NULL, 0 } };
	int i;

	for (i = 0; m[i].n != NULL; i++)
		if (strcasecmp(m[i].n, t) == 0)
			return m[i].v;
	if (strncasecmp(t, "TYPE", 4) == 0)
		return atoi(t + 4);
	return -1;
}

static int
rcode_num(const char *t)
{
	static const char *n[] = { "NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED", NULL };
	int i;

	for (i = 0; n[i] != NULL; i++)
		if (strcasecmp(n[i], t) == 0)
			return i;
	return -1;
}

/* Encode a query (ID 0, RD clear) for name/qtype into out; its length. */
static int
encode(const char *name, int qtype, int edns, uint8_t *out, size_t room)
{
	uint8_t *p = out, *end = out + room;
	const char *s = name;

	if (room < 12 + 256 + 4 + 11)
		return -1;
	memset(p, 0, 12);
	p[5] = 1;
	if (edns)
		p[11] = 1;
	p += 12;
	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t l = dot != NULL ? (size_t)(dot - s) : strlen(s);

		if (l == 0 || l > 63 || p + l + 1 >= end - 16)
			return -1;
		*p++ = (uint8_t)l;
		memcpy(p, s, l);
		p += l;
		s += l;
		if (*s == '.')
			s++;
	}
	*p++ = 0;
	*p++ = (uint8_t)(qtype >> 8);
	*p++ = (uint8_t)qtype;
	*p++ = 0;
	*p++ = 1;
	if (edns) {
		/* OPT: root, type 41, payload 1232, no flags, no options */
		static const uint8_t o[11] = { 0, 0, 41, 0x04, 0xd0,
		    0, 0, 0, 0, 0, 0 };

		memcpy(p, o, sizeof(o));
		p += sizeof(o);
	}
	return (int)(p - out);
}

static void
load_queries(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	size_t cap = 1024;

	if (f == NULL) {
		perror(file);
		exit(1);
	}
	qs = xcalloc(cap, sizeof(*qs));
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[300], type[32], rc[32], an[32];
		uint8_t w[DL_MAXQ];
		int n, len, t;

		n = sscanf(line, "%299s %31s %31s %31s", name, type, rc, an);
		if (n < 1 || name[0] == '#')
			continue;
		if (n < 2)
			strcpy(type, "A");
		if ((t = qtype_num(type)) < 0 ||
		    (len = encode(name, t, opt.edns, w, sizeof(w))) < 0) {
			fprintf(stderr, "dnsload: bad query line: %s", line);
			exit(1);
		}
		if (nq == cap) {
			cap *= 2;
			qs = realloc(qs, cap * sizeof(*qs));
			if (qs == NULL) {
				perror("dnsload");
				exit(1);
			}
		}
		qs[nq].wire = xcalloc(1, (size_t)len);
		memcpy(qs[nq].wire, w, (size_t)len);
		qs[nq].len = (uint16_t)len;
		qs[nq].rcode = (int16_t)(n >= 3 && strcmp(rc, "-") != 0 ?
		    rcode_num(rc) : -1);
		qs[nq].ancount = n >= 4 && strcmp(an, "-") != 0 ? atoi(an) : -1;
		if (asprintf(&qs[nq].text, "%s %s", name, type) < 0)
			qs[nq].text = NULL;
		nq++;
	}
	fclose(f);
	if (nq == 0) {
		fprintf(stderr, "dnsload: %s: no queries\n", file);
		exit(1);
	}
}

/* ---- sockets ---- */

static void
conn_alloc(struct dl_conn *c, int i)
{
	c->fd = -1;
	c->ts = xcalloc(DL_NID, sizeof(uint64_t));
	c->qi = xcalloc(DL_NID, sizeof(uint32_t));
	c->ring_id = xcalloc(DL_RING, sizeof(uint16_t));
	c->ring_ts = xcalloc(DL_RING, sizeof(uint64_t));
	c->next_id = (uint16_t)(i * 7919 + 1);
	if (opt.tcp) {
		c->rbuf = xcalloc(1, DL_TBUF);
		c->wbuf = xcalloc((size_t)DL_MAXBATCH, DL_MAXQ + 2);
	}
}

static int
udp_open(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), b = 4 << 20;

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof(b));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof(b));
	if (connect(fd, (struct sockaddr *)&opt.sa, sizeof(opt.sa)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static int
tcp_open(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1, fl;

	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&opt.sa, sizeof(opt.sa)) < 0) {
		perror("connect (tcp)");
		close(fd);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return fd;
}

/* ---- bookkeeping shared by UDP and TCP ---- */

static int
in_window(uint64_t t)
{
	return t >= tm0 && t < tm1;
}

/* Take a free ID on c for query qidx sent at t; -1 when all are taken. */
static int
id_take(struct dl_conn *c, uint32_t qidx, uint64_t t)
{
	uint32_t tries;
	uint16_t id;

	if (c->out >= DL_NID - 1)
		return -1;
	for (tries = 0; tries < DL_NID; tries++) {
		id = c->next_id++;
		if (c->ts[id] == 0)
			break;
	}
	if (c->ts[id] != 0)
		return -1;
	if (c->rtail - c->rhead >= DL_RING) {	/* ring full: expire head */
		uint16_t hid = c->ring_id[c->rhead % DL_RING];

		if (c->ts[hid] == c->ring_ts[c->rhead % DL_RING]) {
			if (in_window(c->ts[hid]))
				st.lost_w++;
			c->ts[hid] = 0;
			c->out--;
			st.lost++;
		}
		c->rhead++;
	}
	c->ts[id] = t;
	c->qi[id] = qidx;
	c->ring_id[c->rtail % DL_RING] = id;
	c->ring_ts[c->rtail % DL_RING] = t;
	c->rtail++;
	c->out++;
	return id;
}

/* Undo id_take for a query that could not be sent. */
static void
id_untake(struct dl_conn *c, uint16_t id)
{
	c->ts[id] = 0;
	c->out--;
}

static void
sent_one(uint64_t t)
{
	st.sent++;
	if (in_window(t))
		st.sent_w++;
}

static void
show_wrong(const struct dl_query *q, const uint8_t *m, size_t len)
{
	if (nwrong_shown++ >= 5)
		return;
	fprintf(stderr, "dnsload: wrong answer to %s: rcode %d an %d tc %d"
	    " (want rcode %d an %d), %zu bytes\n", q->text ? q->text : "?",
	    m[3] & 15, (m[6] << 8) | m[7], (m[2] >> 1) & 1, q->rcode,
	    q->ancount, len);
}

/* A response m of len bytes came on c at time t. */
static void
got_response(struct dl_conn *c, const uint8_t *m, size_t len, uint64_t t)
{
	const struct dl_query *q;
	uint16_t id;
	uint64_t sent;
	int rc, an;

	if (len < 12 || !(m[2] & 0x80)) {
		st.badmsg++;
		return;
	}
	id = (uint16_t)((m[0] << 8) | m[1]);
	if ((sent = c->ts[id]) == 0) {
		st.late++;
		return;
	}
	c->ts[id] = 0;
	c->out--;
	q = &qs[c->qi[id]];
	st.recv++;
	if (t >= tm0 && t < tm1)
		st.recv_w++;
	if (in_window(sent)) {
		st.ans_w++;
		hist_add(&st.lat, t > sent ? t - sent : 0);
	}
	rc = m[3] & 15;
	an = (m[6] << 8) | m[7];
	st.rcode[rc]++;
	st.resp_bytes += len;
	if (m[2] & 0x02)
		st.tc++;
	if ((q->rcode >= 0 && rc != q->rcode) ||
	    (q->ancount >= 0 && an != q->ancount) || (m[2] & 0x02)) {
		st.wrong++;
		show_wrong(q, m, len);
	}
}

/* Expire what has waited longer than the timeout. */
static void
expire(struct dl_conn *c, uint64_t now, uint64_t tout)
{
	while (c->rhead != c->rtail) {
		uint16_t id = c->ring_id[c->rhead % DL_RING];
		uint64_t t = c->ring_ts[c->rhead % DL_RING];

		if (c->ts[id] == t) {
			if (now - t < tout)
				break;
			c->ts[id] = 0;
			c->out--;
			st.lost++;
			if (in_window(t))
				st.lost_w++;
		}
		c->rhead++;
	}
}

/* Everything outstanding on c is lost (a TCP connection went away). */
static void
lose_all(struct dl_conn *c)
{
	while (c->rhead != c->rtail) {
		uint16_t id = c->ring_id[c->rhead % DL_RING];
		uint64_t t = c->ring_ts[c->rhead % DL_RING];

		if (c->ts[id] == t) {
			c->ts[id] = 0;
			st.lost++;
			if (in_window(t))
				st.lost_w++;
		}
		c->rhead++;
	}
	c->out = 0;
}

static uint32_t
next_query(void)
{
	uint32_t i = (uint32_t)qnext;

	if (++qnext == nq)
		qnext = 0;
	return i;
}

/* ---- UDP ---- */

static uint8_t		 sbuf[DL_MAXBATCH][DL_MAXQ];
static uint8_t		 rbuf[DL_MAXBATCH][DL_RBUF];
static struct mmsghdr	 smsg[DL_MAXBATCH], rmsg[DL_MAXBATCH];
static struct iovec	 siov[DL_MAXBATCH], riov[DL_MAXBATCH];

static void
mmsg_init(void)
{
	int j;

	for (j = 0; j < DL_MAXBATCH; j++) {
		siov[j].iov_base = sbuf[j];
		smsg[j].msg_hdr.msg_iov = &siov[j];
		smsg[j].msg_hdr.msg_iovlen = 1;
		riov[j].iov_base = rbuf[j];
		riov[j].iov_len = DL_RBUF;
		rmsg[j].msg_hdr.msg_iov = &riov[j];
		rmsg[j].msg_hdr.msg_iovlen = 1;
	}
}

/* Send up to want queries on c; the number sent. */
static int
udp_send(struct dl_conn *c, int want, uint64_t now)
{
	int k = 0, r, j;

	if (want > opt.batch)
		want = opt.batch;
	while (k < want) {
		uint32_t qi = next_query();
		int id = id_take(c, qi, now);

		if (id < 0) {
			st.idfull++;
			break;
		}
		memcpy(sbuf[k], qs[qi].wire, qs[qi].len);
		sbuf[k][0] = (uint8_t)(id >> 8);
		sbuf[k][1] = (uint8_t)id;
		siov[k].iov_len = qs[qi].len;
		k++;
	}
	if (k == 0)
		return 0;
	r = sendmmsg(c->fd, smsg, (unsigned)k, 0);
	if (r < 0)
		r = 0;
	for (j = r; j < k; j++)
		id_untake(c, (uint16_t)((sbuf[j][0] << 8) | sbuf[j][1]));
	for (j = 0; j < r; j++)
		sent_one(now);
	return r;
}

static int
udp_recv(struct dl_conn *c)
{
	int got, j, tot = 0;

	do {
		uint64_t t;

		got = recvmmsg(c->fd, rmsg, DL_MAXBATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			break;
		t = now_ns();
		for (j = 0; j < got; j++)
			got_response(c, rbuf[j], rmsg[j].msg_len, t);
		tot += got;
	} while (got == DL_MAXBATCH);
	return tot;
}

/* ---- TCP ---- */

static int
tcp_connect(struct dl_conn *c)
{
	c->fd = tcp_open();
	c->rlen = c->wlen = c->woff = 0;
	return c->fd < 0 ? -1 : 0;
}

static void
tcp_drop(struct dl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	lose_all(c);
	st.reconnects++;
}

/* Flush pending bytes; -1 when the connection broke. */
static int
tcp_flush(struct dl_conn *c)
{
	while (c->woff < c->wlen) {
		ssize_t w = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);

		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -1;
		}
		c->woff += (size_t)w;
	}
	c->wlen = c->woff = 0;
	return 0;
}

/* Queue up to want queries into one write; the number queued. */
static int
tcp_send(struct dl_conn *c, int want, uint64_t now)
{
	int k = 0;
	size_t off = 0;

	if (c->fd < 0 || c->wlen > c->woff)
		return 0;
	if (want > opt.batch)
		want = opt.batch;
	while (k < want) {
		uint32_t qi = next_query();
		int id = id_take(c, qi, now);
		uint8_t *p = c->wbuf + off;

		if (id < 0) {
			st.idfull++;
			break;
		}
		p[0] = (uint8_t)(qs[qi].len >> 8);
		p[1] = (uint8_t)qs[qi].len;
		memcpy(p + 2, qs[qi].wire, qs[qi].len);
		p[2] = (uint8_t)(id >> 8);
		p[3] = (uint8_t)id;
		off += 2u + qs[qi].len;
		k++;
		sent_one(now);
	}
	c->wlen = off;
	c->woff = 0;
	if (k > 0 && tcp_flush(c) < 0) {
		tcp_drop(c);
		return 0;
	}
	return k;
}

static int
tcp_recv(struct dl_conn *c)
{
	int tot = 0;

	for (;;) {
		ssize_t r;
		size_t off = 0;
		uint64_t t;

		if (c->fd < 0)
			return tot;
		r = read(c->fd, c->rbuf + c->rlen, DL_TBUF - c->rlen);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			tcp_drop(c);
			return tot;
		}
		if (r < 0)
			return tot;
		c->rlen += (size_t)r;
		t = now_ns();
		while (c->rlen - off >= 2) {
			size_t ml = ((size_t)c->rbuf[off] << 8) | c->rbuf[off + 1];

			if (c->rlen - off < 2 + ml)
				break;
			got_response(c, c->rbuf + off + 2, ml, t);
			off += 2 + ml;
			tot++;
		}
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

/* ---- the query run ---- */

static long long run0 = -1, run1 = -1;

static void
print_summary(uint64_t t_start, uint64_t t_end, long long cpu0,
    long long cpu1)
{
	static const char *rn[16] = { "noerror", "formerr", "servfail",
	    "nxdomain", "notimp", "refused", "yxdomain", "yxrrset",
	    "nxrrset", "notauth", "notzone", "r11", "r12", "r13", "r14",
	    "r15" };
	double w = (double)(tm1 - tm0) / 1e9;
	long tck = sysconf(_SC_CLK_TCK);
	int i;

	(void)t_start;
	(void)t_end;
	printf("dnsload mode=%s proto=%s conns=%d window=%d batch=%d"
	    " rate=%.0f edns=%d secs=%.3f sent=%llu answered=%llu lost=%llu"
	    " offered_qps=%.0f qps=%.0f lost_pct=%.3f wrong=%llu tc=%llu"
	    " late=%llu badmsg=%llu reconnects=%llu idfull=%llu"
	    " avg_resp=%.1f",
	    opt.count > 0 ? "count" : opt.rate > 0 ? "rate" : "sat",
	    opt.tcp ? "tcp" : "udp", opt.nconn, opt.window, opt.batch,
	    opt.rate, opt.edns, w,
	    (unsigned long long)st.sent_w, (unsigned long long)st.ans_w,
	    (unsigned long long)st.lost_w,
	    w > 0 ? (double)st.sent_w / w : 0.0,
	    w > 0 ? (double)st.recv_w / w : 0.0,
	    st.sent_w ? 100.0 * (double)st.lost_w / (double)st.sent_w : 0.0,
	    (unsigned long long)st.wrong, (unsigned long long)st.tc,
	    (unsigned long long)st.late, (unsigned long long)st.badmsg,
	    (unsigned long long)st.reconnects, (unsigned long long)st.idfull,
	    st.recv ? (double)st.resp_bytes / (double)st.recv : 0.0);
	for (i = 0; i < 16; i++)
		if (st.rcode[i])
			printf(" rc_%s=%llu", rn[i],
			    (unsigned long long)st.rcode[i]);
	hist_print("lat", &st.lat);
	if (opt.npids > 0) {
		double cpu = cpu0 >= 0 && cpu1 >= 0 ?
		    (double)(cpu1 - cpu0) / (double)tck : -1;

		double run = run0 >= 0 && run1 >= 0 ?
		    (double)(run1 - run0) / 1e9 : -1;

		printf(" srv_cpu_s=%.3f srv_cpu_pct=%.1f srv_us_per_q=%.3f",
		    cpu, w > 0 ? 100.0 * cpu / w : 0.0,
		    st.recv_w && cpu >= 0 ? cpu * 1e6 / (double)st.recv_w :
		    -1.0);
		printf(" srv_run_s=%.4f srv_run_us_per_q=%.3f", run,
		    st.recv_w && run >= 0 ? run * 1e6 / (double)st.recv_w :
		    -1.0);
	}
	printf("\n");
	fflush(stdout);
}

static int
run_queries(void)
{
	struct pollfd pf[DL_MAXCONN];
	uint64_t t0, now, last_exp, tout, send_end, t_stop = 0, sent_total = 0;
	long long cpu0 = -1, cpu1 = -1;
	int i, sending = 1, rr = 0, cpu0_taken = 0;

	mmsg_init();
	for (i = 0; i < opt.nconn; i++) {
		conn_alloc(&conns[i], i);
		if (opt.tcp) {
			if (tcp_connect(&conns[i]) < 0)
				return 1;
		} else
			conns[i].fd = udp_open();
	}
	tout = (uint64_t)(opt.timeout_ms * 1e6);
	t0 = now_ns();
	if (opt.count > 0) {
		tm0 = t0;
		tm1 = UINT64_MAX;
		send_end = UINT64_MAX;
		cpu0 = srv_ticks();
		run0 = srv_run_ns();
		cpu0_taken = 1;
	} else {
		tm0 = t0 + (uint64_t)(opt.warm * 1e9);
		tm1 = tm0 + (uint64_t)(opt.dur * 1e9);
		send_end = tm1;
	}
	last_exp = t0;
	for (;;) {
		int progress = 0, outstanding = 0;
		long long due = 0;

		now = now_ns();
		if (!cpu0_taken && now >= tm0) {
			cpu0 = srv_ticks();
			run0 = srv_run_ns();
			cpu0_taken = 1;
		}
		if (sending && (now >= send_end ||
		    (opt.count > 0 && (long long)sent_total >= opt.count))) {
			sending = 0;
			t_stop = now;
			if (opt.count <= 0) {
				cpu1 = srv_ticks();
				run1 = srv_run_ns();
				now = now_ns();
			}
		}
		if (sending && opt.rate > 0) {
			due = (long long)((double)(now - t0) * opt.rate / 1e9) -
			    (long long)sent_total;
			if (due > (long long)opt.batch * opt.nconn)
				due = (long long)opt.batch * opt.nconn;
		}
		for (i = 0; i < opt.nconn; i++) {
			struct dl_conn *c = &conns[(rr + i) % opt.nconn];
			int want, n;

			if (opt.tcp && c->fd < 0 && sending &&
			    tcp_connect(c) < 0)
				continue;
			if (sending) {
				if (opt.rate > 0) {
					want = (int)(due > opt.batch ?
					    opt.batch : due);
				} else {
					want = opt.window - (int)c->out;
					if (opt.tcp && want < opt.batch &&
					    c->out > 0)
						want = 0;
				}
				if (opt.count > 0 && want > opt.count -
				    (long long)sent_total)
					want = (int)(opt.count -
					    (long long)sent_total);
				if (want > 0) {
					n = opt.tcp ? tcp_send(c, want, now) :
					    udp_send(c, want, now);
					sent_total += (uint64_t)n;
					due -= n;
					if (n > 0)
						progress = 1;
				}
			}
			if (opt.tcp && c->fd >= 0 && c->wlen > c->woff &&
			    tcp_flush(c) < 0)
				tcp_drop(c);
			n = opt.tcp ? tcp_recv(c) : udp_recv(c);
			if (n > 0)
				progress = 1;
			outstanding += (int)c->out;
		}
		rr++;
		now = now_ns();
		if (now - last_exp > 1000000) {
			last_exp = now;
			for (i = 0; i < opt.nconn; i++)
				expire(&conns[i], now, tout);
		}
		if (!sending && outstanding == 0)
			break;
		if (!sending && now > t_stop + tout + 100000000ull)
			break;
		if (!progress) {
			struct timespec ts = { 0, 1000000 };
			int np = 0;

			if (sending && opt.rate > 0) {
				uint64_t next = t0 + (uint64_t)((double)
				    (sent_total + 1) * 1e9 / opt.rate);

				ts.tv_nsec = next > now ? (long)(next - now) :
				    0;
				if (ts.tv_nsec > 1000000)
					ts.tv_nsec = 1000000;
			}
			if (ts.tv_nsec == 0)
				continue;
			for (i = 0; i < opt.nconn; i++) {
				if (conns[i].fd < 0)
					continue;
				pf[np].fd = conns[i].fd;
				pf[np].events = POLLIN;
				if (opt.tcp && conns[i].wlen > conns[i].woff)
					pf[np].events |= POLLOUT;
				np++;
			}
			ppoll(pf, (nfds_t)np, &ts, NULL);
		}
	}
	for (i = 0; i < opt.nconn; i++) {
		st.lost += conns[i].out;
		st.lost_w += conns[i].out;
	}
	if (opt.count > 0) {
		tm1 = now_ns();
		cpu1 = srv_ticks();
		run1 = srv_run_ns();
		st.recv_w = st.recv;
		st.sent_w = st.sent;
		st.ans_w = st.recv;
	}
	print_summary(t0, now_ns(), cpu0, cpu1);
	if (st.wrong > 0 || st.recv == 0)
		return 3;
	return 0;
}

/* ---- register -> answered ---- */

enum { RS_FREE, RS_REG, RS_DEREG };

struct reg_slot {
	int		 state;
	unsigned	 svc;
	unsigned long	 n;		/* registration number */
	uint64_t	 t_change;	/* FCALL written */
	uint64_t	 t_poll;	/* last poll sent */
	uint64_t	 t_ack;		/* its reply came (0: not yet) */
	int		 polling;	/* a poll is outstanding */
};

struct reg_fifo_ent {
	uint32_t	 slot;
	int		 state;		/* RS_REG or RS_DEREG */
	unsigned long	 n;
	uint64_t	 t;
};

static struct reg_slot		 slots[DL_REGSLOTS];
static struct reg_fifo_ent	 fifo[DL_REGSLOTS * 2];
static uint32_t			 fhead, ftail;
static uint8_t			 rrbuf[65536];
static size_t			 rrlen;

static int
redis_open(const char *path)
{
	struct sockaddr_un su;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	if (fd < 0 || strlen(path) >= sizeof(su.sun_path)) {
		fprintf(stderr, "dnsload: bad redis socket %s\n", path);
		exit(1);
	}
	strcpy(su.sun_path, path);
	if (connect(fd, (struct sockaddr *)&su, sizeof(su)) < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

/* Write one command (argv) in RESP to fd, blocking. */
static void
redis_cmd(int fd, int argc, const char **argv)
{
	char buf[4096];
	size_t off;
	int i;

	off = (size_t)snprintf(buf, sizeof(buf), "*%d\r\n", argc);
	for (i = 0; i < argc; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
	for (size_t w = 0; w < off;) {
		ssize_t r = write(fd, buf + w, off - w);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("redis write");
			exit(1);
		}
		w += (size_t)r;
	}
}

/*
 * Parse one reply at the start of rrbuf: 0 incomplete, else its length;
 * *err set for an error reply or one that is not "created"/1.
 */
static size_t
redis_reply(int *err)
{
	uint8_t *e = memchr(rrbuf, '\n', rrlen);
	size_t hl;

	if (e == NULL)
		return 0;
	hl = (size_t)(e - rrbuf) + 1;
	*err = rrbuf[0] == '-' || rrbuf[0] == '*';
	if (rrbuf[0] == '$') {
		long bl = atol((char *)rrbuf + 1);

		if (bl < 0)
			return hl;
		if (rrlen < hl + (size_t)bl + 2)
			return 0;
		return hl + (size_t)bl + 2;
	}
	if (rrbuf[0] == '-')
		fprintf(stderr, "dnsload: redis: %.*s\n", (int)hl - 2,
		    (char *)rrbuf);
	return hl;
}

static void
reg_poll(int fd, uint32_t slot, uint64_t now)
{
	struct reg_slot *s = &slots[slot];
	char name[300];
	uint8_t w[DL_MAXQ];
	int len;

	snprintf(name, sizeof(name), "%s%u.service.%s", opt.svcprefix, s->svc,
	    opt.domain);
	if ((len = encode(name, 1, 1, w, sizeof(w))) < 0)
		return;
	w[0] = (uint8_t)(slot >> 8);
	w[1] = (uint8_t)slot;
	if (send(fd, w, (size_t)len, 0) == len) {
		s->polling = 1;
		s->t_poll = now;
		st.sent++;
	}
}

static int
run_register(void)
{
	struct dl_hist h_reg, h_dereg, h_ack, h_prop;
	uint8_t *svc_busy;
	uint64_t t0, now, end, interval, slot_tout = 5000000000ull,
	    poll_tout = 200000000ull;
	unsigned long started = 0, total, done_reg = 0, done_dereg = 0,
	    failed = 0, errors = 0, skipped = 0, oldest = 0;
	unsigned nextsvc = 0;
	long long cpu0, cpu1;
	int rfd, ufd, inflight = 0;
	char id[64], svc[80], addr[32], port[16], kbuf[16];
	long tck = sysconf(_SC_CLK_TCK);

	if (opt.services == 0 || opt.rate <= 0)
		usage();
	hist_init(&h_reg);
	hist_init(&h_dereg);
	hist_init(&h_ack);
	hist_init(&h_prop);
	svc_busy = xcalloc(opt.services, 1);
	rfd = redis_open(opt.redis);
	ufd = udp_open();
	interval = (uint64_t)(opt.poll_us * 1000.0);
	total = opt.count > 0 ? (unsigned long)opt.count :
	    (unsigned long)(opt.dur * opt.rate);
	snprintf(kbuf, sizeof(kbuf), "%u", opt.k);
	cpu0 = srv_ticks();
	t0 = now_ns();
	end = UINT64_MAX;
	for (;;) {
		struct pollfd pf[2];
		uint8_t m[DL_RBUF];
		ssize_t r;
		uint32_t i;
		int err;

		now = now_ns();
		/* start registrations that are due */
		while (started < total && now >= t0 + (uint64_t)((double)
		    started * 1e9 / opt.rate)) {
			unsigned tries;
			uint32_t sl = (uint32_t)(started % DL_REGSLOTS);
			const char *av[11];

			for (tries = 0; tries < opt.services &&
			    svc_busy[nextsvc]; tries++)
				nextsvc = (nextsvc + 1) % opt.services;
			if (svc_busy[nextsvc] || slots[sl].state != RS_FREE) {
				skipped++;
				started++;
				continue;
			}
			slots[sl].state = RS_REG;
			slots[sl].svc = nextsvc;
			slots[sl].n = started;
			slots[sl].polling = 0;
			svc_busy[nextsvc] = 1;
			nextsvc = (nextsvc + 1) % opt.services;
			snprintf(id, sizeof(id), "dnsload-%d-%lu", (int)getpid(),
			    started);
			snprintf(svc, sizeof(svc), "%s%u", opt.svcprefix,
			    slots[sl].svc);
			snprintf(addr, sizeof(addr), "10.250.%lu.%lu",
			    (started >> 8) & 255, started & 255);
			snprintf(port, sizeof(port), "%lu",
			    30000 + started % 30000);
			av[0] = "FCALL"; av[1] = "muster_register"; av[2] = "0";
			av[3] = opt.prefix; av[4] = id; av[5] = svc;
			av[6] = addr; av[7] = port; av[8] = "weight";
			av[9] = "1"; av[10] = NULL;
			now = now_ns();
			redis_cmd(rfd, 10, av);
			slots[sl].t_change = now;
			slots[sl].t_ack = 0;
			fifo[ftail++ % (DL_REGSLOTS * 2)] =
			    (struct reg_fifo_ent){ sl, RS_REG, started, now };
			reg_poll(ufd, sl, now);
			inflight++;
			started++;
		}
		if (started >= total && inflight == 0)
			break;
		if (started >= total && end == UINT64_MAX)
			end = now + slot_tout + 1000000000ull;
		if (now > end)
			break;
		/* Redis replies */
		while ((r = recv(rfd, rrbuf + rrlen, sizeof(rrbuf) - rrlen,
		    MSG_DONTWAIT)) > 0) {
			size_t l;

			rrlen += (size_t)r;
			while (rrlen > 0 && (l = redis_reply(&err)) > 0) {
				uint64_t tr = now_ns();

				if (fhead != ftail) {
					struct reg_fifo_ent *fe =
					    &fifo[fhead++ % (DL_REGSLOTS * 2)];

					struct reg_slot *fs = &slots[fe->slot];

					hist_add(&h_ack, tr - fe->t);
					if (fs->state == fe->state &&
					    fs->n == fe->n)
						fs->t_ack = tr;
				}
				if (err)
					errors++;
				memmove(rrbuf, rrbuf + l, rrlen - l);
				rrlen -= l;
			}
		}
		/* DNS answers */
		while ((r = recv(ufd, m, sizeof(m), MSG_DONTWAIT)) > 0) {
			struct reg_slot *s;
			unsigned an;
			uint32_t sl;

			if (r < 12)
				continue;
			sl = (uint32_t)((m[0] << 8) | m[1]);
			if (sl >= DL_REGSLOTS)
				continue;
			s = &slots[sl];
			if (s->state == RS_FREE || !s->polling)
				continue;
			st.recv++;
			s->polling = 0;
			now = now_ns();
			an = (m[3] & 15) == 0 ? (unsigned)((m[6] << 8) | m[7]) :
			    0;
			if (s->state == RS_REG && an == opt.k + 1) {
				const char *av[6];

				hist_add(&h_reg, now - s->t_change);
				hist_add(&h_prop, s->t_ack != 0 &&
				    now > s->t_ack ? now - s->t_ack : 0);
				done_reg++;
				snprintf(id, sizeof(id), "dnsload-%d-%lu",
				    (int)getpid(), s->n);
				av[0] = "FCALL"; av[1] = "muster_deregister";
				av[2] = "0"; av[3] = opt.prefix; av[4] = id;
				av[5] = NULL;
				now = now_ns();
				redis_cmd(rfd, 5, av);
				s->state = RS_DEREG;
				s->t_change = now;
				s->t_ack = 0;
				fifo[ftail++ % (DL_REGSLOTS * 2)] =
				    (struct reg_fifo_ent){ sl, RS_DEREG, s->n, now };
				reg_poll(ufd, sl, now);
			} else if (s->state == RS_DEREG && an == opt.k) {
				hist_add(&h_dereg, now - s->t_change);
				done_dereg++;
				s->state = RS_FREE;
				svc_busy[s->svc] = 0;
				inflight--;
			}
		}
		/* polls due, timeouts */
		now = now_ns();
		while (oldest < started &&
		    (slots[oldest % DL_REGSLOTS].state == RS_FREE ||
		    slots[oldest % DL_REGSLOTS].n != oldest))
			oldest++;
		for (unsigned long x = oldest; x < started; x++) {
			struct reg_slot *s = &slots[x % DL_REGSLOTS];

			i = (uint32_t)(x % DL_REGSLOTS);
			if (s->state == RS_FREE || s->n != x)
				continue;
			if (now - s->t_change > slot_tout) {
				failed++;
				s->state = RS_FREE;
				svc_busy[s->svc] = 0;
				inflight--;
				continue;
			}
			if (s->polling && now - s->t_poll > poll_tout)
				s->polling = 0;
			if (!s->polling && now - s->t_poll >= interval)
				reg_poll(ufd, i, now);
		}
		/* wait a little: for an answer, a reply or the next poll */
		pf[0].fd = rfd;
		pf[0].events = POLLIN;
		pf[1].fd = ufd;
		pf[1].events = POLLIN;
		{
			struct timespec ts = { 0, (long)(interval / 2 > 0 ?
			    interval / 2 : 1000) };

			ppoll(pf, 2, &ts, NULL);
		}
	}
	now = now_ns();
	cpu1 = srv_ticks();
	tm0 = t0;
	tm1 = now;
	printf("dnsload mode=reg rate=%.0f secs=%.3f registrations=%lu"
	    " answered=%lu gone=%lu failed=%lu skipped=%lu redis_errors=%lu"
	    " polls=%llu poll_answers=%llu poll_us=%.0f",
	    opt.rate, (double)(now - t0) / 1e9, started - skipped, done_reg,
	    done_dereg, failed, skipped, errors, (unsigned long long)st.sent,
	    (unsigned long long)st.recv, opt.poll_us);
	hist_print("reg", &h_reg);
	hist_print("dereg", &h_dereg);
	hist_print("ack", &h_ack);
	hist_print("prop", &h_prop);
	if (opt.npids > 0) {
		double cpu = cpu0 >= 0 && cpu1 >= 0 ?
		    (double)(cpu1 - cpu0) / (double)tck : -1;

		printf(" srv_cpu_s=%.3f srv_cpu_ms_per_change=%.4f", cpu,
		    done_reg + done_dereg > 0 && cpu >= 0 ? cpu * 1e3 /
		    (double)(done_reg + done_dereg) : -1.0);
	}
	printf("\n");
	fflush(stdout);
	return done_reg == 0 || failed > 0 || errors > 0 ? 3 : 0;
}

int
main(int argc, char **argv)
{
	const char *server = "127.0.0.1";
	int o, port = 0;

	opt.nconn = 4;
	opt.window = 64;
	opt.batch = 16;
	opt.dur = 5;
	opt.warm = 0.5;
	opt.timeout_ms = 1000;
	opt.prefix = "muster:";
	opt.svcprefix = "s";
	opt.domain = "consul";
	opt.poll_us = 100;
	while ((o = getopt(argc, argv, "s:p:f:c:w:b:l:W:r:Tn:t:eP:R:x:a:D:S:k:i:"))
	    != -1) {
		switch (o) {
		case 's': server = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'f': opt.file = optarg; break;
		case 'c': opt.nconn = atoi(optarg); break;
		case 'w': opt.window = atoi(optarg); break;
		case 'b': opt.batch = atoi(optarg); break;
		case 'l': opt.dur = atof(optarg); break;
		case 'W': opt.warm = atof(optarg); break;
		case 'r': opt.rate = atof(optarg); break;
		case 'T': opt.tcp = 1; break;
		case 'n': opt.count = atoll(optarg); break;
		case 't': opt.timeout_ms = atof(optarg); break;
		case 'e': opt.edns = 1; break;
		case 'P': parse_pids(optarg); break;
		case 'R': opt.redis = optarg; break;
		case 'x': opt.prefix = optarg; break;
		case 'a': opt.svcprefix = optarg; break;
		case 'D': opt.domain = optarg; break;
		case 'S': opt.services = (unsigned)atoi(optarg); break;
		case 'k': opt.k = (unsigned)atoi(optarg); break;
		case 'i': opt.poll_us = atof(optarg); break;
		default: usage();
		}
	}
	if (port <= 0 || port > 65535 || optind != argc)
		usage();
	memset(&opt.sa, 0, sizeof(opt.sa));
	opt.sa.sin_family = AF_INET;
	opt.sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, server, &opt.sa.sin_addr) != 1) {
		fprintf(stderr, "dnsload: bad address %s\n", server);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	if (opt.redis != NULL)
		return run_register();
	if (opt.file == NULL)
		usage();
	if (opt.nconn < 1)
		opt.nconn = 1;
	if (opt.nconn > DL_MAXCONN)
		opt.nconn = DL_MAXCONN;
	if (opt.batch < 1)
		opt.batch = 1;
	if (opt.batch > DL_MAXBATCH)
		opt.batch = DL_MAXBATCH;
	if (opt.window < 1)
		opt.window = 1;
	if (opt.window > DL_NID - 2)
		opt.window = DL_NID - 2;
	if (opt.tcp && opt.rate > 0) {
		fprintf(stderr, "dnsload: -T and -r cannot be combined\n");
		return 2;
	}
	hist_init(&st.lat);
	load_queries(opt.file);
	return run_queries();
}
