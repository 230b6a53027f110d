/*
 * worker.c -- a serving thread: UDP batches and TCP connections.
 *
 * UDP: recvmmsg() up to UDP_BATCH queries, answer each into its own
 * buffer, sendmmsg() the answers; repeat while the socket has more, up to
 * UDP_ROUNDS batches per wake-up so the other sockets get their turn.
 *
 * TCP (RFC 7766): two-byte length framing; all complete queries in the
 * read buffer are answered in one go (pipelining) and their answers sent
 * with one send(); when the peer does not read, the rest waits in a
 * per-connection buffer and reading stops until it drained.  A message
 * longer than the read buffer closes the connection.  Every connection
 * has an idle timer.  The connection limit counts all workers' connections
 * (worker_shared); a worker at the limit stops accepting, so the kernel
 * keeps new connections queued, and is woken by an ev_async when any
 * worker closes one.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "qsbr.h"
#include "registry.h"
#include "view.h"
#include "wire.h"
#include "worker.h"

#define UDP_BATCH	64
#define UDP_RXBUF	4096
#define UDP_TXBUF	4096
#define UDP_ROUNDS	16
#define TCP_RBUF	(16384 + 2)
#define WORKER_MAX	64
#define TCP_OUTBUF	(4 * (WIRE_MAXMSG + 2))

struct worker_udp {
	ev_io		 io;		/* first: the callback casts */
	struct worker	*w;
	bool		 pktinfo;
};

struct worker_listener {
	ev_io		 io;
	struct worker	*w;
};

struct worker_conn {
	ev_io		 io;
	ev_timer	 idle;
	struct worker	*w;
	struct worker_conn *next_free;
	int		 fd;
	uint64_t	 gen;		/* bumped at every close */
	struct sockaddr_storage peer;
	size_t		 rlen;
	uint8_t		*pend;		/* unsent output (malloc'd) */
	size_t		 plen, poff, pcap;
	uint8_t		*rbuf;		/* TCP_RBUF bytes while open */
};

struct worker_shared {
	_Atomic unsigned	 active;	/* connections of all workers */
	_Atomic unsigned	 paused;	/* workers not accepting */
	unsigned		 max;
	unsigned		 n;
	struct worker		*w[WORKER_MAX];
};

union worker_ctl {
	char		 buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct cmsghdr	 align;
};

struct worker {
	pthread_t		 thread;
	bool			 started;
	struct ev_loop		*loop;
	ev_async		 stop;
	ev_async		 resume;	/* a connection closed somewhere */
	struct worker_shared	*shared;
	struct qsbr_reader	*qr;
	struct answer_ctx	 ctx;
	struct worker_udp	*udp;
	size_t			 nudp;
	struct worker_listener	*tcp;
	size_t			 ntcp;
	bool			 accept_paused;
	struct worker_conn	*conns;
	unsigned		 nconns;
	unsigned		 active;
	uint64_t		 accepted;
	struct worker_conn	*free_conns;
	double			 tcp_idle;
	struct fwd		*fwd;
	struct mmsghdr		 rx[UDP_BATCH], tx[UDP_BATCH];
	struct iovec		 rxiov[UDP_BATCH], txiov[UDP_BATCH];
	struct sockaddr_storage	 addr[UDP_BATCH];
	union worker_ctl	 rxctl[UDP_BATCH], txctl[UDP_BATCH];
	uint8_t			 rxbuf[UDP_BATCH][UDP_RXBUF];
	uint8_t			 txbuf[UDP_BATCH][UDP_TXBUF];
	uint8_t			 tcpout[TCP_OUTBUF];
	/* forwarded answers may arrive inside fwd_query(): own scratch */
	union worker_ctl	 fwdctl;
	uint8_t			 fwdout[WIRE_MAXMSG + 2];
};

/* Take the current view for this batch (we are online, see qsbr.h). */
static void
worker_load_view(struct worker *w)
{
	const struct view *v = view_current();

	w->ctx.db = v ? v->db : NULL;
	w->ctx.reg = reg_current();
	w->ctx.udp_max = v ? v->udp_max : 1232;
	w->ctx.recursion = v && v->forwarding && w->fwd ? &v->recursion : NULL;
}

/* ---- UDP ---- */

/*
 * Control data for a reply from the address the query came to (sockets
 * bound to a wildcard address): written to buf, returns its length; 0
 * when the query carried no packet info.
 */
static size_t
worker_reply_ctl(struct msghdr *rh, union worker_ctl *buf)
{
	struct cmsghdr *c, *o = (struct cmsghdr *)buf->buf;

	for (c = CMSG_FIRSTHDR(rh); c != NULL; c = CMSG_NXTHDR(rh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			pi.ipi_spec_dst = pi.ipi_addr;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(o), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (c->cmsg_level == IPPROTO_IPV6
		    && c->cmsg_type == IPV6_PKTINFO) {
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			memcpy(CMSG_DATA(o), CMSG_DATA(c),
			    sizeof(struct in6_pktinfo));
			return CMSG_SPACE(sizeof(struct in6_pktinfo));
		}
	}
	return 0;
}

/*
 * Hand a UDP query to the forwarder; returns 0 (answered later) or the
 * length of a SERVFAIL written to out when no slot is free.
 */
static size_t
worker_udp_forward(struct worker *w, const struct worker_udp *u, size_t i,
    uint8_t *out)
{
	struct fwd_client c;
	union worker_ctl ctl;

	c.tcp = false;
	c.fd = u->io.fd;
	c.addr = w->addr[i];
	c.addrlen = w->rx[i].msg_hdr.msg_namelen;
	c.ctllen = 0;
	c.limit = (uint16_t)w->ctx.limit;
	c.conn = NULL;
	c.conn_gen = 0;
	if (u->pktinfo) {
		c.ctllen = worker_reply_ctl(&w->rx[i].msg_hdr, &ctl);
		if (c.ctllen > sizeof(c.ctl))
			c.ctllen = 0;
		memcpy(c.ctl, ctl.buf, c.ctllen);
	}
	if (fwd_query(w->fwd, &w->ctx.q, &c) == 0)
		return 0;
	return fwd_servfail(&w->ctx.q, w->ctx.udp_max, out);
}

static void
worker_udp_send(struct worker *w, int fd, size_t m)
{
	size_t off = 0;

	while (off < m) {
		int n = sendmmsg(fd, w->tx + off, (unsigned)(m - off),
		    MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				w->ctx.stats.dropped += m - off;
				return;
			}
			/* this one message is bad (address?): skip it */
			w->ctx.stats.dropped++;
			off++;
			continue;
		}
		off += (size_t)n;
	}
}

static void
worker_udp_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct worker_udp *u = (struct worker_udp *)io;
	struct worker *w = u->w;
	int round, n, i;

	(void)loop;
	(void)revents;
	worker_load_view(w);
	for (round = 0; round < UDP_ROUNDS; round++) {
		size_t m = 0;

		for (i = 0; i < UDP_BATCH; i++) {
			w->rx[i].msg_hdr.msg_namelen = sizeof(w->addr[i]);
			w->rx[i].msg_hdr.msg_controllen = u->pktinfo
			    ? sizeof(w->rxctl[i]) : 0;
			w->rx[i].msg_hdr.msg_control = u->pktinfo
			    ? w->rxctl[i].buf : NULL;
		}
		n = recvmmsg(io->fd, w->rx, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			size_t len;

			if (w->rx[i].msg_hdr.msg_flags & MSG_TRUNC) {
				w->ctx.stats.dropped++;
				continue;
			}
			w->ctx.client = (struct sockaddr *)&w->addr[i];
			len = answer_query(&w->ctx, w->rxbuf[i], w->rx[i].msg_len,
			    w->txbuf[m], UDP_TXBUF, false);
			if (len == ANSWER_FORWARD)
				len = worker_udp_forward(w, u, (size_t)i,
				    w->txbuf[m]);
			if (len == 0)
				continue;
			w->tx[m].msg_hdr.msg_name = &w->addr[i];
			w->tx[m].msg_hdr.msg_namelen = w->rx[i].msg_hdr.msg_namelen;
			w->txiov[m].iov_len = len;
			w->tx[m].msg_hdr.msg_controllen = u->pktinfo
			    ? worker_reply_ctl(&w->rx[i].msg_hdr, &w->txctl[m]) : 0;
			w->tx[m].msg_hdr.msg_control =
			    w->tx[m].msg_hdr.msg_controllen ? w->txctl[m].buf : NULL;
			m++;
		}
		worker_udp_send(w, io->fd, m);
		if (n < UDP_BATCH)
			break;
	}
}

/* ---- TCP ---- */

static void worker_tcp_io_cb(struct ev_loop *, ev_io *, int);

static void
worker_accept_pause(struct worker *w, bool pause)
{
	size_t i;

	if (w->accept_paused == pause)
		return;
	for (i = 0; i < w->ntcp; i++) {
		if (pause)
			ev_io_stop(w->loop, &w->tcp[i].io);
		else
			ev_io_start(w->loop, &w->tcp[i].io);
	}
	w->accept_paused = pause;
	if (pause)
		atomic_fetch_add(&w->shared->paused, 1);
	else
		atomic_fetch_sub(&w->shared->paused, 1);
}

static void
worker_resume_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct worker *w = a->data;

	(void)loop;
	(void)revents;
	worker_accept_pause(w, false);
}

static void
worker_conn_close(struct worker *w, struct worker_conn *c)
{
	struct worker_shared *sh = w->shared;
	unsigned i;

	ev_io_stop(w->loop, &c->io);
	ev_timer_stop(w->loop, &c->idle);
	close(c->fd);
	c->fd = -1;
	c->gen++;
	free(c->pend);
	free(c->rbuf);
	c->pend = c->rbuf = NULL;
	c->plen = c->poff = c->pcap = 0;
	c->next_free = w->free_conns;
	w->free_conns = c;
	w->active--;
	atomic_fetch_sub(&sh->active, 1);
	worker_accept_pause(w, false);
	if (atomic_load(&sh->paused) > 0)
		for (i = 0; i < sh->n; i++)
			if (sh->w[i] != w)
				ev_async_send(sh->w[i]->loop, &sh->w[i]->resume);
}

/*
 * Send buf; keep what the socket did not take (behind anything already
 * waiting).  -1: the connection is gone.
 */
static int
worker_conn_send(struct worker *w, struct worker_conn *c, const uint8_t *buf,
    size_t len)
{
	ssize_t n = 0;

	if (c->plen > 0) {
		size_t have = c->plen - c->poff;

		if (c->pcap < have + len) {
			uint8_t *p = realloc(c->pend, have + len);

			if (p == NULL)
				return -1;
			c->pend = p;
			c->pcap = have + len;
		}
		memmove(c->pend, c->pend + c->poff, have);
		memcpy(c->pend + have, buf, len);
		c->plen = have + len;
		c->poff = 0;
		return 0;
	}
	while (len > 0) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (len == 0)
		return 0;
	if (c->pcap < len) {
		uint8_t *p = realloc(c->pend, len);

		if (p == NULL)
			return -1;
		c->pend = p;
		c->pcap = len;
	}
	memcpy(c->pend, buf, len);
	c->plen = len;
	c->poff = 0;
	ev_io_stop(w->loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(w->loop, &c->io);
	return 0;
}

/* Forward a TCP query; 0, or a SERVFAIL's length written to out. */
static size_t
worker_tcp_forward(struct worker *w, struct worker_conn *c, uint8_t *out)
{
	struct fwd_client fc;

	memset(&fc, 0, sizeof(fc));
	fc.tcp = true;
	fc.fd = -1;
	fc.conn = c;
	fc.conn_gen = c->gen;
	fc.limit = WIRE_MAXMSG;
	if (fwd_query(w->fwd, &w->ctx.q, &fc) == 0)
		return 0;
	return fwd_servfail(&w->ctx.q, w->ctx.udp_max, out);
}

/* Answer every complete query in the read buffer. -1: close. */
static int
worker_conn_process(struct worker *w, struct worker_conn *c)
{
	size_t off = 0, olen = 0;
	int rc = 0;

	worker_load_view(w);
	while (c->plen == 0 && c->rlen - off >= 2) {
		size_t mlen = wire_get16(c->rbuf + off), len;

		if (mlen > TCP_RBUF - 2) {
			w->ctx.stats.dropped++;
			return -1;
		}
		if (c->rlen - off - 2 < mlen)
			break;
		if (TCP_OUTBUF - olen < WIRE_MAXMSG + 2) {
			if (worker_conn_send(w, c, w->tcpout, olen) < 0)
				return -1;
			olen = 0;
			if (c->plen > 0)
				break;
		}
		w->ctx.client = (struct sockaddr *)&c->peer;
		len = answer_query(&w->ctx, c->rbuf + off + 2, mlen,
		    w->tcpout + olen + 2, WIRE_MAXMSG, true);
		if (len == ANSWER_FORWARD)
			len = worker_tcp_forward(w, c, w->tcpout + olen + 2);
		off += 2 + mlen;
		if (len == 0)
			continue;
		wire_put16(w->tcpout + olen, (uint16_t)len);
		olen += len + 2;
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	if (olen > 0)
		rc = worker_conn_send(w, c, w->tcpout, olen);
	return rc;
}

static void
worker_tcp_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct worker_conn *c = (struct worker_conn *)io;
	struct worker *w = c->w;
	ssize_t n;

	(void)loop;
	if (revents & EV_WRITE) {
		n = send(c->fd, c->pend + c->poff, c->plen - c->poff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK
		    && errno != EINTR)
			goto close;
		if (n > 0) {
			c->poff += (size_t)n;
			ev_timer_again(w->loop, &c->idle);
		}
		if (c->poff < c->plen)
			return;
		c->plen = c->poff = 0;
		ev_io_stop(w->loop, &c->io);
		ev_io_set(&c->io, c->fd, EV_READ);
		ev_io_start(w->loop, &c->io);
		if (worker_conn_process(w, c) < 0)
			goto close;
		return;
	}
	n = read(c->fd, c->rbuf + c->rlen, TCP_RBUF - c->rlen);
	if (n == 0)
		goto close;
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		goto close;
	}
	c->rlen += (size_t)n;
	ev_timer_again(w->loop, &c->idle);
	if (worker_conn_process(w, c) == 0)
		return;
close:
	worker_conn_close(w, c);
}

static void
worker_idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker_conn *c = (struct worker_conn *)((char *)t
	    - offsetof(struct worker_conn, idle));

	(void)loop;
	(void)revents;
	worker_conn_close(c->w, c);
}

static void
worker_accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct worker *w = ((struct worker_listener *)io)->w;

	(void)loop;
	(void)revents;
	while (w->free_conns != NULL) {
		struct worker_conn *c = w->free_conns;
		socklen_t plen = sizeof(c->peer);
		int fd;

		if (atomic_fetch_add(&w->shared->active, 1) >= w->shared->max) {
			atomic_fetch_sub(&w->shared->active, 1);
			break;
		}
		fd = accept4(io->fd, (struct sockaddr *)&c->peer, &plen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			atomic_fetch_sub(&w->shared->active, 1);
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("tcp, accept");
			return;
		}
		c->rbuf = malloc(TCP_RBUF);
		if (c->rbuf == NULL) {
			atomic_fetch_sub(&w->shared->active, 1);
			close(fd);
			return;
		}
		w->free_conns = c->next_free;
		w->active++;
		w->accepted++;
		c->fd = fd;
		c->rlen = 0;
		ev_io_init(&c->io, worker_tcp_io_cb, fd, EV_READ);
		ev_io_start(w->loop, &c->io);
		ev_timer_init(&c->idle, worker_idle_cb, 0., w->tcp_idle);
		ev_timer_again(w->loop, &c->idle);
	}
	worker_accept_pause(w, true);
}

/* ---- forwarded answers ---- */

static void
worker_fwd_reply(void *arg, const struct fwd_client *fc, uint8_t *msg,
    size_t len)
{
	struct worker *w = arg;

	if (!fc->tcp) {
		struct iovec iov = { msg, len };
		struct msghdr mh;

		memset(&mh, 0, sizeof(mh));
		mh.msg_name = (void *)&fc->addr;
		mh.msg_namelen = fc->addrlen;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (fc->ctllen > 0) {
			memcpy(w->fwdctl.buf, fc->ctl, fc->ctllen);
			mh.msg_control = w->fwdctl.buf;
			mh.msg_controllen = fc->ctllen;
		}
		if (sendmsg(fc->fd, &mh, MSG_DONTWAIT) < 0)
			w->ctx.stats.dropped++;
		return;
	}
	{
		struct worker_conn *c = fc->conn;

		if (c->fd < 0 || c->gen != fc->conn_gen)
			return;		/* the client went away */
		wire_put16(w->fwdout, (uint16_t)len);
		memcpy(w->fwdout + 2, msg, len);
		if (worker_conn_send(w, c, w->fwdout, len + 2) < 0)
			worker_conn_close(w, c);
	}
}

/* ---- thread ---- */

static void
worker_release(struct ev_loop *loop)
{
	struct worker *w = ev_userdata(loop);

	qsbr_offline(w->qr);
}

static void
worker_acquire(struct ev_loop *loop)
{
	struct worker *w = ev_userdata(loop);

	qsbr_online(w->qr);
}

static void
worker_stop_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	(void)a;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	ev_run(w->loop, 0);
	qsbr_offline(w->qr);
	return NULL;
}

static int
worker_alloc_conns(struct worker *w, unsigned n)
{
	unsigned i;

	w->conns = calloc(n ? n : 1, sizeof(*w->conns));
	if (w->conns == NULL)
		return -1;
	w->nconns = n;
	for (i = n; i-- > 0;) {
		w->conns[i].w = w;
		w->conns[i].fd = -1;
		w->conns[i].next_free = w->free_conns;
		w->free_conns = &w->conns[i];
	}
	return 0;
}

static void
worker_init_udp(struct worker *w)
{
	size_t i;

	for (i = 0; i < UDP_BATCH; i++) {
		w->rxiov[i].iov_base = w->rxbuf[i];
		w->rxiov[i].iov_len = UDP_RXBUF;
		w->rx[i].msg_hdr.msg_iov = &w->rxiov[i];
		w->rx[i].msg_hdr.msg_iovlen = 1;
		w->rx[i].msg_hdr.msg_name = &w->addr[i];
		w->txiov[i].iov_base = w->txbuf[i];
		w->tx[i].msg_hdr.msg_iov = &w->txiov[i];
		w->tx[i].msg_hdr.msg_iovlen = 1;
	}
}

struct worker_shared *
worker_shared_new(unsigned max_conns, unsigned nworkers)
{
	struct worker_shared *sh;

	if (nworkers > WORKER_MAX)
		return NULL;
	sh = calloc(1, sizeof(*sh));
	if (sh == NULL)
		return NULL;
	atomic_init(&sh->active, 0);
	atomic_init(&sh->paused, 0);
	sh->max = max_conns;
	return sh;
}

void
worker_shared_free(struct worker_shared *sh)
{
	free(sh);
}

struct worker *
worker_new(const struct worker_config *wc, char *err, size_t errlen)
{
	struct worker *w = aligned_alloc(64, (sizeof(*w) + 63) & ~(size_t)63);
	size_t i;

	snprintf(err, errlen, "workers: out of memory");
	if (w == NULL)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->udp = calloc(wc->nudp ? wc->nudp : 1, sizeof(*w->udp));
	w->tcp = calloc(wc->ntcp ? wc->ntcp : 1, sizeof(*w->tcp));
	w->loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOSIGMASK);
	if (w->udp == NULL || w->tcp == NULL || w->loop == NULL
	    || worker_alloc_conns(w, wc->shared->max) < 0)
		goto fail;
	if (wc->fwd != NULL && (w->fwd = fwd_new(w->loop, wc->fwd,
	    worker_fwd_reply, w, err, errlen)) == NULL)
		goto fail;
	w->qr = qsbr_reader(wc->id);
	if (getrandom(&w->ctx.rng, sizeof(w->ctx.rng), 0) != sizeof(w->ctx.rng)
	    || w->ctx.rng == 0)
		w->ctx.rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)w;
	w->tcp_idle = wc->tcp_idle;
	worker_init_udp(w);
	ev_set_userdata(w->loop, w);
	ev_set_loop_release_cb(w->loop, worker_release, worker_acquire);
	ev_async_init(&w->stop, worker_stop_cb);
	ev_async_start(w->loop, &w->stop);
	ev_async_init(&w->resume, worker_resume_cb);
	w->resume.data = w;
	ev_async_start(w->loop, &w->resume);
	w->shared = wc->shared;
	if (wc->id < WORKER_MAX) {
		wc->shared->w[wc->id] = w;
		if (wc->id >= wc->shared->n)
			wc->shared->n = wc->id + 1;
	}
	for (i = 0; i < wc->nudp; i++) {
		w->udp[i].w = w;
		w->udp[i].pktinfo = wc->udp_pktinfo[i];
		ev_io_init(&w->udp[i].io, worker_udp_cb, wc->udp_fds[i], EV_READ);
		ev_io_start(w->loop, &w->udp[i].io);
	}
	w->nudp = wc->nudp;
	for (i = 0; i < wc->ntcp; i++) {
		w->tcp[i].w = w;
		ev_io_init(&w->tcp[i].io, worker_accept_cb, wc->tcp_fds[i],
		    EV_READ);
		ev_io_start(w->loop, &w->tcp[i].io);
	}
	w->ntcp = wc->ntcp;
	return w;
fail:
	if (w->loop != NULL)
		ev_loop_destroy(w->loop);
	free(w->udp);
	free(w->tcp);
	free(w->conns);
	free(w);
	return NULL;
}

int
worker_start(struct worker *w)
{
	sigset_t all, old;
	int rc;

	/* signals are the main thread's business */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	w->started = true;
	return 0;
}

void
worker_stop(struct worker *w)
{
	if (!w->started)
		return;
	ev_async_send(w->loop, &w->stop);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void
worker_free(struct worker *w)
{
	size_t i;

	if (w == NULL)
		return;
	worker_stop(w);
	w->shared->n = 0;	/* every thread stopped: no more wake-ups */
	fwd_free(w->fwd);
	for (i = 0; i < w->nconns; i++)
		if (w->conns[i].fd >= 0)
			worker_conn_close(w, &w->conns[i]);
	for (i = 0; i < w->nudp; i++)
		close(w->udp[i].io.fd);
	for (i = 0; i < w->ntcp; i++)
		close(w->tcp[i].io.fd);
	ev_loop_destroy(w->loop);
	free(w->conns);
	free(w->udp);
	free(w->tcp);
	free(w);
}

void
worker_stats(const struct worker *w, struct answer_stats *sum)
{
	const struct answer_stats *s = &w->ctx.stats;
	size_t i;

#define WORKER_ADD(f) (sum->f += __atomic_load_n(&s->f, __ATOMIC_RELAXED))
	WORKER_ADD(queries[0]);
	WORKER_ADD(queries[1]);
	for (i = 0; i < ANSWER_QTYPES; i++)
		WORKER_ADD(qtype[i]);
	for (i = 0; i < ANSWER_RCODES; i++)
		WORKER_ADD(rcode[i]);
	WORKER_ADD(dropped);
	WORKER_ADD(truncated);
	WORKER_ADD(edns);
#undef WORKER_ADD
}

void
worker_fwd_stats(const struct worker *w, struct fwd_stats *sum)
{
	if (w->fwd != NULL)
		fwd_stats(w->fwd, sum);
}

unsigned
worker_tcp_active(const struct worker *w)
{
	return __atomic_load_n(&w->active, __ATOMIC_RELAXED);
}

uint64_t
worker_tcp_accepted(const struct worker *w)
{
	return __atomic_load_n(&w->accepted, __ATOMIC_RELAXED);
}
