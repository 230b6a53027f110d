/*
 * fuzz_http.c -- libFuzzer target: an HTTP response in, a check result out.
 *
 * The input is what an instance sends back to muster-probe's http(s)
 * check.  It is fed to check_http_head() the way check_http_recv() does
 * (into a heap buffer of exactly CHECK_BUF bytes, so ASan sees a write
 * past it; then the end of the stream), three times: in one read, a
 * byte at a time, and in reads of varying size.  The three must agree
 * on the result and the output, which must be a terminated string that
 * fits CHECK_OUTPUT.  The result must not depend on anything after the
 * first LF.  A passing result needs an "HTTP/" line with a 2xx status
 * (warning: 429), and a line that is plainly well formed ("HTTP/1.1 200
 * OK") must get the result its status code calls for.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fh_verdict {
	int	 res;
	char	 out[CHECK_OUTPUT + 1];
};

static void
fh_fail(const char *what, const char *out)
{
	fprintf(stderr, "fuzz_http: %s%s%s\n", what, out ? ": " : "",
	    out ? out : "");
	abort();
}

/* Next read size: 0 all that fits, else from a small generator. */
static size_t
fh_chunk(int how, uint32_t *x)
{
	if (how == 0)
		return SIZE_MAX;
	if (how == 1)
		return 1;
	*x = *x * 1103515245u + 12345u;
	return 1 + (*x >> 16) % 300;
}

/* Feed data as check_http_recv() would, in reads chosen by how. */
static void
fh_feed(const uint8_t *data, size_t size, int how, struct fh_verdict *v)
{
	char *buf = malloc(CHECK_BUF);
	size_t len = 0, off = 0, room, n;
	uint32_t x = (uint32_t)size;

	if (buf == NULL)
		abort();
	memset(v->out, 0x55, sizeof(v->out));
	for (;;) {
		room = CHECK_BUF - 1 - len;
		n = fh_chunk(how, &x);
		if (n > room)
			n = room;
		if (n > size - off)
			n = size - off;
		memcpy(buf + len, data + off, n);
		off += n;
		len += n;
		v->res = check_http_head(buf, len, CHECK_BUF - 1, n == 0,
		    v->out, sizeof(v->out));
		if (v->res != CHECK_HTTP_MORE)
			break;
		if (n == 0)
			fh_fail("more wanted after the end of the stream",
			    NULL);
	}
	free(buf);
	if (v->res != CHECK_PASSING && v->res != CHECK_WARNING
	    && v->res != CHECK_CRITICAL)
		fh_fail("a result that is none", NULL);
	if (memchr(v->out, '\0', sizeof(v->out)) == NULL || v->out[0] == '\0')
		fh_fail("an output empty or not terminated", NULL);
}

/*
 * A plainly well-formed status line at the start of data: "HTTP/"
 * digit "." digit SP 3DIGIT, then SP, LF or CRLF.  Returns the code or
 * -1.
 */
static int
fh_plain_status(const uint8_t *d, size_t size)
{
	static const char pat[] = "HTTP/9.9 999";
	size_t i;

	if (size < sizeof(pat))
		return -1;
	for (i = 0; i < sizeof(pat) - 1; i++)
		if (pat[i] == '9' ? d[i] < '0' || d[i] > '9' : d[i] != pat[i])
			return -1;
	if (d[12] != ' ' && d[12] != '\n' && !(d[12] == '\r'
	    && size > 13 && d[13] == '\n'))
		return -1;
	if (memchr(d, '\n', size) == NULL
	    || (size_t)((const uint8_t *)memchr(d, '\n', size) - d)
	    >= CHECK_BUF - 1)
		return -1;
	if (d[9] < '1' || d[9] > '5')
		return -1;
	return (d[9] - '0') * 100 + (d[10] - '0') * 10 + (d[11] - '0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fh_verdict v[3], cut;
	const uint8_t *lf;
	int how, code;

	if (size > 4 * CHECK_BUF)
		return 0;
	for (how = 0; how < 3; how++)
		fh_feed(data, size, how, &v[how]);
	for (how = 1; how < 3; how++)
		if (v[how].res != v[0].res || strcmp(v[how].out, v[0].out) != 0)
			fh_fail("the result depends on how it was read",
			    v[how].out);
	/* nothing after the first LF counts */
	lf = memchr(data, '\n', size < CHECK_BUF - 1 ? size : CHECK_BUF - 1);
	if (lf != NULL) {
		fh_feed(data, (size_t)(lf - data) + 1, 0, &cut);
		if (cut.res != v[0].res || strcmp(cut.out, v[0].out) != 0)
			fh_fail("bytes after the status line count", cut.out);
	}
	if (v[0].res == CHECK_PASSING && (size < 5 || memcmp(data, "HTTP/", 5)
	    != 0 || strncmp(v[0].out, "HTTP 2", 6) != 0))
		fh_fail("passing without an HTTP/ 2xx status line", v[0].out);
	if (v[0].res == CHECK_WARNING && strncmp(v[0].out, "HTTP 429", 8) != 0)
		fh_fail("warning without a 429", v[0].out);
	code = fh_plain_status(data, size);
	if (code >= 0 && v[0].res != (code / 100 == 2 ? CHECK_PASSING
	    : code == 429 ? CHECK_WARNING : CHECK_CRITICAL))
		fh_fail("a plain status line judged wrong", v[0].out);
	if (code >= 0 && strncmp(v[0].out, "HTTP ", 5) != 0)
		fh_fail("a plain status line called malformed", v[0].out);
	return 0;
}
