/*
 * fwd.c -- forward queries for names outside our zones, through c-ares.
 *
 * A pending query keeps what is needed to answer without the client's
 * packet: where to send, the client's ID and flags, and its question
 * bytes (to restore their case in the answer and to build a SERVFAIL).
 *
 * c-ares tries each forwarder in turn, so with dead forwarders its own
 * give-up time grows with their number; every query therefore also has a
 * deadline of its own: pending queries are kept in send order (all have
 * the same timeout), one ev_timer watches the oldest, and at its deadline
 * the client gets SERVFAIL and the slot waits for c-ares to let go.
 *
 * c-ares 1.18 cuts UDP answers to 512 bytes unless ARES_FLAG_EDNS is set,
 * and reads at most 4096 bytes of a datagram, so the forwarded copy of a
 * query asks for no more than 4096 bytes (its OPT size is lowered).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ares.h>

#include "fwd.h"
#include "log.h"

#define FWD_TRIES	2
#define FWD_QMAX	(DNAME_MAXLEN + 4)
#define FWD_UDPMAX	4096	/* what c-ares reads of a datagram */

struct fwd;

/* One watched c-ares socket. */
struct fwd_io {
	ev_io			 io;
	struct fwd_chan		*ch;
	struct fwd_io		*next;
};

struct fwd_chan {
	struct fwd		*f;
	ares_channel		 channel;
	struct fwd_io		*ios;
	ev_timer		 timer;
};

struct fwd_pending {
	struct fwd		*f;
	struct fwd_pending	*next_free;
	struct fwd_pending	*older, *newer;	/* in flight, send order */
	bool			 answered;	/* deadline passed: SERVFAIL */
	ev_tstamp		 deadline;
	struct fwd_client	 client;
	uint64_t		 started_ns;
	uint16_t		 id;
	uint16_t		 flags;
	bool			 edns;
	bool			 edns_do;
	uint16_t		 qlen;		/* question bytes */
	uint8_t			 question[FWD_QMAX];
};

struct fwd {
	struct ev_loop		*loop;
	struct fwd_config	 cfg;
	fwd_reply_fn		 reply;
	void			*arg;
	struct fwd_chan		 udp, tcp;
	struct fwd_pending	*pool;
	struct fwd_pending	*free_list;
	struct fwd_pending	*oldest, *newest;	/* in flight */
	ev_timer		 deadline;
	bool			 closing;
	struct fwd_stats	 stats;
	uint8_t			 qbuf[WIRE_MAXMSG];
	uint8_t			 out[WIRE_MAXMSG];
};

const double fwd_bucket_bounds[FWD_BUCKETS] = {
	0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5
};

int
fwd_library_init(void)
{
	return ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS ? 0 : -1;
}

static uint64_t
fwd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the loop glue ---- */

static void
fwd_rearm(struct fwd_chan *ch)
{
	struct timeval tv, *tvp = ares_timeout(ch->channel, NULL, &tv);

	ev_timer_stop(ch->f->loop, &ch->timer);
	if (tvp == NULL)
		return;
	ev_timer_set(&ch->timer, (double)tvp->tv_sec + tvp->tv_usec / 1e6, 0.);
	ev_timer_start(ch->f->loop, &ch->timer);
}

static void
fwd_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct fwd_io *fio = (struct fwd_io *)w;
	struct fwd_chan *ch = fio->ch;
	int fd = w->fd;

	(void)loop;
	ares_process_fd(ch->channel, revents & EV_READ ? fd : ARES_SOCKET_BAD,
	    revents & EV_WRITE ? fd : ARES_SOCKET_BAD);
	fwd_rearm(ch);
}

static void
fwd_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct fwd_chan *ch = t->data;

	(void)loop;
	(void)revents;
	ares_process_fd(ch->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	fwd_rearm(ch);
}

/* c-ares opens, changes or closes a socket: one ev_io per socket. */
static void
fwd_sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct fwd_chan *ch = data;
	struct fwd_io **pp, *fio;
	int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	for (pp = &ch->ios; (fio = *pp) != NULL; pp = &fio->next)
		if (fio->io.fd == fd)
			break;
	if (fio != NULL) {
		ev_io_stop(ch->f->loop, &fio->io);
		if (events == 0) {
			*pp = fio->next;
			free(fio);
			return;
		}
		ev_io_set(&fio->io, fd, events);
		ev_io_start(ch->f->loop, &fio->io);
		return;
	}
	if (events == 0)
		return;
	fio = calloc(1, sizeof(*fio));
	if (fio == NULL) {
		log_warnx("forward, out of memory watching a socket");
		return;	/* the query times out: SERVFAIL */
	}
	fio->ch = ch;
	ev_io_init(&fio->io, fwd_io_cb, fd, events);
	ev_io_start(ch->f->loop, &fio->io);
	fio->next = ch->ios;
	ch->ios = fio;
}

static int
fwd_chan_init(struct fwd *f, struct fwd_chan *ch, int flags, char *err,
    size_t errlen)
{
	struct ares_options o;
	struct ares_addr_port_node nodes[FWD_MAXSERVERS];
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	ch->f = f;
	o.flags = flags | ARES_FLAG_NOCHECKRESP;
	o.timeout = (int)(f->cfg.timeout_ms / 3 > 100 ? f->cfg.timeout_ms / 3
	    : 100);
	o.tries = FWD_TRIES;
	o.sock_state_cb = fwd_sock_state_cb;
	o.sock_state_cb_data = ch;
	o.ednspsz = 4096;
	rc = ares_init_options(&ch->channel, &o, ARES_OPT_FLAGS
	    | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB
	    | ARES_OPT_EDNSPSZ);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "forward, c-ares: %s", ares_strerror(rc));
		return -1;
	}
	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < f->cfg.nservers; i++) {
		const struct sockaddr_storage *ss = &f->cfg.server[i];

		nodes[i].next = i + 1 < f->cfg.nservers ? &nodes[i + 1] : NULL;
		nodes[i].family = ss->ss_family;
		if (ss->ss_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)ss;

			memcpy(&nodes[i].addr.addr4, &s4->sin_addr, 4);
			nodes[i].udp_port = nodes[i].tcp_port = ntohs(s4->sin_port);
		} else {
			const struct sockaddr_in6 *s6 = (const void *)ss;

			memcpy(&nodes[i].addr.addr6, &s6->sin6_addr, 16);
			nodes[i].udp_port = nodes[i].tcp_port =
			    ntohs(s6->sin6_port);
		}
	}
	rc = ares_set_servers_ports(ch->channel, f->cfg.nservers ? nodes : NULL);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "forward, c-ares servers: %s",
		    ares_strerror(rc));
		ares_destroy(ch->channel);
		ch->channel = NULL;
		return -1;
	}
	ev_init(&ch->timer, fwd_timer_cb);
	ch->timer.data = ch;
	return 0;
}

/* ---- answers ---- */

/* SERVFAIL from what a pending query kept. */
static size_t
fwd_servfail_from(const struct fwd_pending *p, uint16_t udp_max, uint8_t *out)
{
	size_t n = WIRE_HDR + p->qlen;

	wire_put16(out, p->id);
	/* acting as a recursive server here: CD is copied (RFC 4035 3.2.2) */
	wire_put16(out + 2, (uint16_t)(WIRE_QR | WIRE_RA
	    | (p->flags & (0x7800 | WIRE_RD | WIRE_CD)) | WIRE_RC_SERVFAIL));
	wire_put16(out + 4, 1);
	memset(out + 6, 0, 6);
	memcpy(out + WIRE_HDR, p->question, p->qlen);
	if (p->edns) {
		out[n] = 0;
		wire_put16(out + n + 1, WIRE_T_OPT);
		wire_put16(out + n + 3, udp_max);
		wire_put32(out + n + 5, p->edns_do ? 0x8000 : 0);
		wire_put16(out + n + 9, 0);
		wire_put16(out + 10, 1);
		n += 11;
	}
	return n;
}

static void
fwd_keep(struct fwd_pending *p, const struct wire_query *q)
{
	p->id = q->id;
	p->flags = q->flags;
	p->edns = q->edns;
	p->edns_do = q->edns_do;
	p->qlen = (uint16_t)(q->q_end - WIRE_HDR);
	memcpy(p->question, q->pkt + WIRE_HDR, p->qlen);
}

size_t
fwd_servfail(const struct wire_query *q, uint16_t udp_max, uint8_t *out)
{
	struct fwd_pending p;

	fwd_keep(&p, q);
	return fwd_servfail_from(&p, udp_max, out);
}

/*
 * The upstream answer, made the client's: its ID, its question bytes
 * (same name, maybe other case), RA, cut to the client's UDP limit with
 * TC.
 * Returns the length, or 0 when the answer is not for this question.
 */
static size_t
fwd_adopt(const struct fwd_pending *p, const uint8_t *abuf, size_t alen,
    uint8_t *out)
{
	size_t qend = WIRE_HDR + p->qlen;

	if (alen < qend || wire_get16(abuf + 4) != 1)
		return 0;
	memcpy(out, abuf, alen);
	wire_put16(out, p->id);
	/* only clients that may recurse get here: say so (RA) */
	wire_put16(out + 2, (uint16_t)(wire_get16(out + 2) | WIRE_RA));
	memcpy(out + WIRE_HDR, p->question, p->qlen);
	if (!p->client.tcp && alen > p->client.limit) {
		wire_put16(out + 2, (uint16_t)(wire_get16(out + 2) | WIRE_TC));
		memset(out + 6, 0, 6);
		return qend;
	}
	return alen;
}

static void fwd_arm_deadline(struct fwd *f);

/* Take p out of the in-flight list (it is answered or done). */
static void
fwd_unlink(struct fwd_pending *p)
{
	struct fwd *f = p->f;

	if (p->older != NULL)
		p->older->newer = p->newer;
	else if (f->oldest == p)
		f->oldest = p->newer;
	if (p->newer != NULL)
		p->newer->older = p->older;
	else if (f->newest == p)
		f->newest = p->older;
	p->older = p->newer = NULL;
}

static void
fwd_release(struct fwd_pending *p)
{
	fwd_unlink(p);
	p->next_free = p->f->free_list;
	p->f->free_list = p;
}

/* The oldest query's deadline passed: SERVFAIL to every late one. */
static void
fwd_deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct fwd *f = t->data;
	ev_tstamp now = ev_now(loop);
	struct fwd_pending *p;

	(void)revents;
	while ((p = f->oldest) != NULL && p->deadline <= now) {
		fwd_unlink(p);
		p->answered = true;
		f->stats.failures++;
		f->reply(f->arg, &p->client, f->out,
		    fwd_servfail_from(p, f->cfg.udp_max, f->out));
	}
	fwd_arm_deadline(f);
}

static void
fwd_arm_deadline(struct fwd *f)
{
	ev_timer_stop(f->loop, &f->deadline);
	if (f->oldest == NULL)
		return;
	ev_timer_set(&f->deadline, f->oldest->deadline - ev_now(f->loop), 0.);
	ev_timer_start(f->loop, &f->deadline);
}

static void
fwd_answer_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct fwd_pending *p = arg;
	struct fwd *f = p->f;
	size_t n = 0;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || f->closing || p->answered) {
		fwd_release(p);		/* nobody is waiting any more */
		return;
	}
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0)
		n = fwd_adopt(p, abuf, (size_t)alen, f->out);
	if (n > 0) {
		uint64_t us = (fwd_now_ns() - p->started_ns) / 1000;
		size_t b;

		f->stats.answers++;
		f->stats.latency_us += us;
		for (b = 0; b < FWD_BUCKETS; b++)
			if ((double)us / 1e6 <= fwd_bucket_bounds[b]) {
				f->stats.bucket[b]++;
				break;
			}
	} else {
		f->stats.failures++;
		n = fwd_servfail_from(p, f->cfg.udp_max, f->out);
	}
	f->reply(f->arg, &p->client, f->out, n);
	fwd_release(p);
	fwd_arm_deadline(f);
}

int
fwd_query(struct fwd *f, const struct wire_query *q,
    const struct fwd_client *c)
{
	struct fwd_pending *p = f->free_list;
	struct fwd_chan *ch = c->tcp ? &f->tcp : &f->udp;

	if (p == NULL || q->len > sizeof(f->qbuf)) {
		f->stats.full++;
		return -1;
	}
	f->free_list = p->next_free;
	p->client = *c;
	p->started_ns = fwd_now_ns();
	p->answered = false;
	p->deadline = ev_now(f->loop) + f->cfg.timeout_ms / 1000.;
	p->older = f->newest;
	p->newer = NULL;
	if (f->newest != NULL)
		f->newest->newer = p;
	else
		f->oldest = p;
	f->newest = p;
	if (!ev_is_active(&f->deadline))
		fwd_arm_deadline(f);
	fwd_keep(p, q);
	f->stats.queries++;
	/* a copy that asks for no more than c-ares can read */
	memcpy(f->qbuf, q->pkt, q->len);
	if (q->edns && q->edns_udp > FWD_UDPMAX)
		wire_put16(f->qbuf + q->edns_udp_off, FWD_UDPMAX);
	ares_send(ch->channel, f->qbuf, (int)q->len, fwd_answer_cb, p);
	fwd_rearm(ch);
	return 0;
}

struct fwd *
fwd_new(struct ev_loop *loop, const struct fwd_config *cfg, fwd_reply_fn reply,
    void *arg, char *err, size_t errlen)
{
	struct fwd *f = calloc(1, sizeof(*f));
	unsigned i;

	if (f == NULL) {
		snprintf(err, errlen, "forward, out of memory");
		return NULL;
	}
	f->loop = loop;
	f->cfg = *cfg;
	f->reply = reply;
	f->arg = arg;
	f->pool = calloc(cfg->max_pending ? cfg->max_pending : 1,
	    sizeof(*f->pool));
	if (f->pool == NULL) {
		snprintf(err, errlen, "forward, out of memory");
		free(f);
		return NULL;
	}
	for (i = cfg->max_pending; i-- > 0;) {
		f->pool[i].f = f;
		fwd_release(&f->pool[i]);
	}
	ev_init(&f->deadline, fwd_deadline_cb);
	f->deadline.data = f;
	if (fwd_chan_init(f, &f->udp, ARES_FLAG_IGNTC | ARES_FLAG_EDNS, err,
	    errlen) < 0
	    || fwd_chan_init(f, &f->tcp, ARES_FLAG_USEVC | ARES_FLAG_EDNS, err,
	    errlen) < 0) {
		fwd_free(f);
		return NULL;
	}
	return f;
}

void
fwd_stats(const struct fwd *f, struct fwd_stats *out)
{
#define FWD_ADD(x) (out->x += __atomic_load_n(&f->stats.x, __ATOMIC_RELAXED))
	FWD_ADD(queries);
	FWD_ADD(answers);
	FWD_ADD(failures);
	FWD_ADD(full);
	FWD_ADD(latency_us);
	{
		size_t b;

		for (b = 0; b < FWD_BUCKETS; b++)
			FWD_ADD(bucket[b]);
	}
#undef FWD_ADD
}

static void
fwd_chan_free(struct fwd *f, struct fwd_chan *ch)
{
	struct fwd_io *fio, *next;

	if (ch->channel != NULL)
		ares_destroy(ch->channel);	/* callbacks: EDESTRUCTION */
	ch->channel = NULL;
	ev_timer_stop(f->loop, &ch->timer);
	for (fio = ch->ios; fio != NULL; fio = next) {
		next = fio->next;
		ev_io_stop(f->loop, &fio->io);
		free(fio);
	}
	ch->ios = NULL;
}

void
fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	f->closing = true;
	ev_timer_stop(f->loop, &f->deadline);
	fwd_chan_free(f, &f->udp);
	fwd_chan_free(f, &f->tcp);
	free(f->pool);
	free(f);
}
