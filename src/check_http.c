/*
 * check_http.c -- the http and https checks: GET a path, read the status.
 *
 * After the connection is up (check_connect()) the check sends one
 * HTTP/1.1 GET with Host (the instance's address and port) and
 * "Connection: close", reads until the end of the status line, and ends:
 * 2xx is passing, 429 (Too Many Requests) warning, any other status,
 * a malformed or missing response, a refused connection or the timeout
 * critical.  The output is the status ("HTTP 500 Internal Server
 * Error") or the reason the request failed.  The body is never read.
 * check_http_head() judges what was received, apart from the socket.
 *
 * https runs the same exchange over OpenSSL with the handshake and every
 * read and write driven by the loop (SSL_ERROR_WANT_READ/WRITE re-arm
 * r->io).  The server's certificate is not verified (check.h).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>

#include "check.h"
#include "check_priv.h"

#define CHECK_HTTP_WOULDBLOCK	(-1)
#define CHECK_HTTP_ERROR	(-2)

/* The step of an exchange, in r->step. */
enum { HTTP_HANDSHAKE, HTTP_SEND, HTTP_RECV };

static void check_http_step(struct check_run *r);

static void
check_http_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	check_http_step(w->data);
}

/* The reason of a failed TLS call, for the output. */
static const char *
check_http_tls_why(struct check_run *r, int rc, int *want)
{
	int e = SSL_get_error(r->ssl, rc);
	unsigned long code;

	*want = 0;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want = EV_READ;
		return NULL;
	case SSL_ERROR_WANT_WRITE:
		*want = EV_WRITE;
		return NULL;
	case SSL_ERROR_ZERO_RETURN:
		return "connection closed";
	case SSL_ERROR_SYSCALL:
		return errno != 0 ? check_strerror(errno) : "connection closed";
	default:
		code = ERR_get_error();
		ERR_clear_error();
		return code != 0 ? ERR_reason_error_string(code) : "TLS error";
	}
}

/*
 * Move bytes over TCP or TLS: the count (0 at the end of the stream),
 * CHECK_HTTP_WOULDBLOCK with r->io armed for what is awaited, or
 * CHECK_HTTP_ERROR with the reason in *why.
 */
static ssize_t
check_http_xfer(struct check_run *r, bool sending, char *buf, size_t len,
    const char **why)
{
	ssize_t n;
	int want;

	if (r->ssl != NULL) {
		int rc;

		errno = 0;
		rc = sending ? SSL_write(r->ssl, buf, (int)len)
		    : SSL_read(r->ssl, buf, (int)len);
		if (rc > 0)
			return rc;
		if (!sending && SSL_get_error(r->ssl, rc) == SSL_ERROR_ZERO_RETURN)
			return 0;
		*why = check_http_tls_why(r, rc, &want);
		if (*why == NULL) {
			check_io(r, check_http_io_cb, want);
			return CHECK_HTTP_WOULDBLOCK;
		}
		return CHECK_HTTP_ERROR;
	}
	n = sending ? send(r->fd, buf, len, MSG_NOSIGNAL)
	    : recv(r->fd, buf, len, 0);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		check_io(r, check_http_io_cb, sending ? EV_WRITE : EV_READ);
		return CHECK_HTTP_WOULDBLOCK;
	}
	*why = check_strerror(errno);
	return CHECK_HTTP_ERROR;
}

/*
 * The verdict on a status line (NUL-terminated, without its LF; a
 * trailing CR and spaces are cut off in place), its output into out.
 */
static enum check_result
check_http_status(char *line, char *out, size_t outlen)
{
	char *p = line, *reason;
	size_t n = strlen(line);
	int code;

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (strncmp(line, "HTTP/", 5) != 0 || (p = strchr(line, ' ')) == NULL)
		goto malformed;
	while (*p == ' ')
		p++;
	if (p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0'
	    || p[2] > '9' || (p[3] != ' ' && p[3] != '\0'))
		goto malformed;
	code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	reason = p + 3;
	while (*reason == ' ')
		reason++;
	snprintf(out, outlen, "HTTP %d%s%s", code, *reason != '\0' ? " " : "",
	    reason);
	return code >= 200 && code <= 299 ? CHECK_PASSING
	    : code == 429 ? CHECK_WARNING : CHECK_CRITICAL;
malformed:
	snprintf(out, outlen, "malformed response: %.80s", line);
	return CHECK_CRITICAL;
}

int
check_http_head(char *buf, size_t len, size_t max, bool eof, char *out,
    size_t outlen)
{
	char *eol;

	buf[len] = '\0';
	eol = memchr(buf, '\n', len);
	if (eol != NULL) {
		*eol = '\0';
		return (int)check_http_status(buf, out, outlen);
	}
	if (eof) {
		snprintf(out, outlen, len == 0 ? "connection closed before a "
		    "response" : "malformed response: %.80s", buf);
		return CHECK_CRITICAL;
	}
	if (len >= max) {
		snprintf(out, outlen, "malformed response: no status line in "
		    "%zu bytes", len);
		return CHECK_CRITICAL;
	}
	return CHECK_HTTP_MORE;
}

/* Read until the status line is complete. */
static void
check_http_recv(struct check_run *r)
{
	const char *why = NULL;
	char out[CHECK_OUTPUT + 1];
	ssize_t n;
	int res;

	for (;;) {
		n = check_http_xfer(r, false, r->buf + r->len,
		    sizeof(r->buf) - 1 - r->len, &why);
		if (n == CHECK_HTTP_WOULDBLOCK)
			return;
		if (n == CHECK_HTTP_ERROR) {
			check_done(r->t, CHECK_CRITICAL, "%s", why);
			return;
		}
		r->len += (size_t)n;
		res = check_http_head(r->buf, r->len, sizeof(r->buf) - 1,
		    n == 0, out, sizeof(out));
		if (res != CHECK_HTTP_MORE) {
			check_done(r->t, (enum check_result)res, "%s", out);
			return;
		}
	}
}

/* Send the rest of the request, then read the response. */
static void
check_http_send(struct check_run *r)
{
	const char *why = NULL;
	ssize_t n;

	while (r->off < r->len) {
		n = check_http_xfer(r, true, r->buf + r->off, r->len - r->off,
		    &why);
		if (n == CHECK_HTTP_WOULDBLOCK)
			return;
		if (n <= 0 && r->off == 0 && r->ssl == NULL) {
			/* a lazy connect that failed: say why it failed */
			check_done(r->t, CHECK_CRITICAL, "%s",
			    why != NULL ? why : "connection closed");
			return;
		}
		if (n <= 0) {
			check_done(r->t, CHECK_CRITICAL, "sending the request: %s",
			    why != NULL ? why : "connection closed");
			return;
		}
		r->off += (size_t)n;
	}
	r->step = HTTP_RECV;
	r->phase = "waiting for the response";
	r->off = r->len = 0;
	check_io(r, check_http_io_cb, EV_READ);	/* it cannot be here yet */
}

static void
check_http_step(struct check_run *r)
{
	const char *why;
	int rc, want;

	switch (r->step) {
	case HTTP_HANDSHAKE:
		ERR_clear_error();
		errno = 0;
		rc = SSL_do_handshake(r->ssl);
		if (rc != 1) {
			why = check_http_tls_why(r, rc, &want);
			if (why == NULL)
				check_io(r, check_http_io_cb, want);
			else
				check_done(r->t, CHECK_CRITICAL,
				    "TLS handshake: %s", why);
			return;
		}
		r->step = HTTP_SEND;
		r->phase = "sending the request";
		check_http_send(r);
		return;
	case HTTP_SEND:
		check_http_send(r);
		return;
	default:
		check_http_recv(r);
		return;
	}
}

static void
check_http_connected(struct check_run *r)
{
	struct check_target *t = r->t;
	int n;

	n = snprintf(r->buf, sizeof(r->buf), "GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: muster-probe/%s\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", t->path, t->host, PACKAGE_VERSION);
	if (n < 0 || (size_t)n >= sizeof(r->buf)) {
		check_done(t, CHECK_CRITICAL, "prober: request too long");
		return;
	}
	r->len = (size_t)n;
	r->off = 0;
	if (t->kind != REC_CHECK_HTTPS) {
		r->step = HTTP_SEND;
		r->phase = "sending the request";
		check_http_send(r);
		return;
	}
	r->ssl = SSL_new(r->env->ssl_ctx);
	if (r->ssl == NULL || SSL_set_fd(r->ssl, r->fd) != 1) {
		check_done(t, CHECK_CRITICAL, "prober: TLS: out of memory");
		return;
	}
	SSL_set_connect_state(r->ssl);
	r->step = HTTP_HANDSHAKE;
	r->phase = "TLS handshake";
	check_http_step(r);
}

void
check_http_start(struct check_run *r)
{
	check_connect(r, check_http_connected, r->t->kind == REC_CHECK_HTTP);
}
