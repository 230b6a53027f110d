/*
 * fuzz_url.c -- libFuzzer target: --redis URLs in, connection targets out.
 *
 * The input (up to its first NUL) is given to rconn_url_parse() as it
 * is and behind each of "redis://", "unix://" and "sentinel://".  A
 * refused URL must say why.  An accepted one must fit rconn.h: the kind
 * its scheme names, every string terminated inside its array, ports 1 to
 * 65535, a database 0 to 65535, a host (TCP), a path starting with '/'
 * (unix), 1 to RCONN_MAXSENTINELS sentinels with hosts and a master name
 * (sentinel), and a text for the logs that is made of those fields alone
 * (so it never shows the password); a '%' in the user or password must
 * start two hex digits other than "00".  The URL is then written back in a
 * canonical form (user and password percent-encoded byte by byte, the
 * port and database spelled out) which must parse to the same target.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rconn.h"

#define FU_MAXURL	4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fu_fail(const char *what, const char *url)
{
	fprintf(stderr, "fuzz_url: %s: \"%s\"\n", what, url);
	abort();
}

static bool
fu_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Append s percent-encoded, every byte of it. */
static size_t
fu_enc(char *out, size_t o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		out[o++] = '%';
		out[o++] = hex[(unsigned char)*s >> 4];
		out[o++] = hex[(unsigned char)*s & 15];
	}
	return o;
}

/* host, in brackets when a bare one would not read back. */
static size_t
fu_host(char *out, size_t o, const char *host)
{
	bool br = strchr(host, ':') != NULL || host[0] == '[';

	o += (size_t)sprintf(out + o, br ? "[%s]" : "%s", host);
	return o;
}

/* u in canonical form (out holds FU_MAXURL * 2 bytes). */
static void
fu_canon(const struct rconn_url *u, char *out)
{
	static const char *scheme[] = { "redis://", "unix://", "sentinel://" };
	size_t o = 0, i;

	o += (size_t)sprintf(out, "%s", scheme[u->kind]);
	o = fu_enc(out, o, u->user);
	out[o++] = ':';
	o = fu_enc(out, o, u->password);
	out[o++] = '@';
	switch (u->kind) {
	case RCONN_TCP:
		o = fu_host(out, o, u->host);
		sprintf(out + o, ":%d/%d", u->port, u->db);
		break;
	case RCONN_UNIX:
		sprintf(out + o, "%s?db=%d", u->path, u->db);
		break;
	case RCONN_SENTINEL:
		for (i = 0; i < u->nsentinels; i++) {
			if (i > 0)
				out[o++] = ',';
			o = fu_host(out, o, u->sentinel[i]);
			o += (size_t)sprintf(out + o, ":%d",
			    u->sentinel_port[i]);
		}
		sprintf(out + o, "/%s?db=%d", u->host, u->db);
		break;
	}
}

/* The log text u should have: its fields, never user or password. */
static void
fu_text(const struct rconn_url *u, char *out, size_t outlen)
{
	bool br = strchr(u->host, ':') != NULL;

	switch (u->kind) {
	case RCONN_TCP:
		snprintf(out, outlen, "redis://%s%s%s:%d/%d", br ? "[" : "",
		    u->host, br ? "]" : "", u->port, u->db);
		break;
	case RCONN_UNIX:
		snprintf(out, outlen, "unix://%s", u->path);
		break;
	case RCONN_SENTINEL:
		snprintf(out, outlen, "sentinel %s (%zu sentinels)", u->host,
		    u->nsentinels);
		break;
	}
}

/*
 * The user and password of an accepted URL were percent-encoded right:
 * every '%' before the '@' that ends them starts "%XX" (two hex digits,
 * not "00", as they become C strings).
 */
static void
fu_check_escapes(const char *s, const struct rconn_url *u)
{
	size_t skip = u->kind == RCONN_TCP ? 8 : u->kind == RCONN_UNIX ? 7
	    : 11, i;
	const char *p = s + skip;
	size_t n = strcspn(p, u->kind == RCONN_UNIX ? "?" : "/");
	const char *at = memchr(p, '@', n);

	if (at == NULL)
		return;
	for (i = 0; p + i < at; i++) {
		if (p[i] != '%')
			continue;
		if (p + i + 2 >= at || !isxdigit((unsigned char)p[i + 1])
		    || !isxdigit((unsigned char)p[i + 2])
		    || (p[i + 1] == '0' && p[i + 2] == '0'))
			fu_fail("a bad escape taken", s);
		i += 2;
	}
}

static void
fu_check(const char *s, const struct rconn_url *u)
{
	char text[sizeof(u->text)];
	size_t i;

	if (!fu_terminated(u->host, sizeof(u->host))
	    || !fu_terminated(u->path, sizeof(u->path))
	    || !fu_terminated(u->user, sizeof(u->user))
	    || !fu_terminated(u->password, sizeof(u->password))
	    || !fu_terminated(u->text, sizeof(u->text)))
		fu_fail("a string runs off its array", s);
	if (u->db < 0 || u->db > 65535)
		fu_fail("database out of range", s);
	switch (u->kind) {
	case RCONN_TCP:
		if (strncmp(s, "redis://", 8) != 0)
			fu_fail("TCP from another scheme", s);
		if (u->host[0] == '\0' || u->port < 1 || u->port > 65535)
			fu_fail("TCP without a host, or a bad port", s);
		break;
	case RCONN_UNIX:
		if (strncmp(s, "unix://", 7) != 0 || u->path[0] != '/')
			fu_fail("unix from another scheme, or a relative path",
			    s);
		break;
	case RCONN_SENTINEL:
		if (strncmp(s, "sentinel://", 11) != 0)
			fu_fail("sentinel from another scheme", s);
		if (u->nsentinels < 1 || u->nsentinels > RCONN_MAXSENTINELS
		    || u->host[0] == '\0')
			fu_fail("no sentinel, too many, or no master name", s);
		for (i = 0; i < u->nsentinels; i++)
			if (!fu_terminated(u->sentinel[i],
			    sizeof(u->sentinel[i])) || u->sentinel[i][0] == '\0'
			    || u->sentinel_port[i] < 1
			    || u->sentinel_port[i] > 65535)
				fu_fail("a bad sentinel", s);
		break;
	default:
		fu_fail("an unknown kind", s);
	}
	fu_text(u, text, sizeof(text));
	if (strcmp(text, u->text) != 0)
		fu_fail("the log text is not made of the fields", s);
	fu_check_escapes(s, u);
}

/* Two targets are the same connection (strings compared as strings). */
static bool
fu_same(const struct rconn_url *a, const struct rconn_url *b)
{
	size_t i;

	if (a->kind != b->kind || a->db != b->db
	    || strcmp(a->user, b->user) != 0
	    || strcmp(a->password, b->password) != 0
	    || strcmp(a->text, b->text) != 0)
		return false;
	switch (a->kind) {
	case RCONN_TCP:
		return strcmp(a->host, b->host) == 0 && a->port == b->port;
	case RCONN_UNIX:
		return strcmp(a->path, b->path) == 0;
	case RCONN_SENTINEL:
		if (strcmp(a->host, b->host) != 0
		    || a->nsentinels != b->nsentinels)
			return false;
		for (i = 0; i < a->nsentinels; i++)
			if (strcmp(a->sentinel[i], b->sentinel[i]) != 0
			    || a->sentinel_port[i] != b->sentinel_port[i])
				return false;
		return true;
	}
	return false;
}

static void
fu_one(const char *s, struct rconn_url *u, struct rconn_url *v, char *canon)
{
	char why[512];

	why[0] = '\0';
	if (rconn_url_parse(s, u, why, sizeof(why)) < 0) {
		if (why[0] == '\0')
			fu_fail("refused without a reason", s);
		return;
	}
	fu_check(s, u);
	fu_canon(u, canon);
	if (rconn_url_parse(canon, v, why, sizeof(why)) < 0) {
		fprintf(stderr, "fuzz_url: canonical form \"%s\": %s\n", canon,
		    why);
		fu_fail("the canonical form does not parse", s);
	}
	fu_check(canon, v);
	if (!fu_same(u, v)) {
		fprintf(stderr, "fuzz_url: canonical form \"%s\"\n", canon);
		fu_fail("the canonical form is another target", s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *prefix[] = { "", "redis://", "unix://",
	    "sentinel://" };
	struct rconn_url *u, *v;
	char *s, *canon;
	size_t i, n;

	if (size > FU_MAXURL)
		return 0;
	s = malloc(size + 16);
	canon = malloc(FU_MAXURL * 2);
	u = malloc(sizeof(*u));
	v = malloc(sizeof(*v));
	if (s == NULL || canon == NULL || u == NULL || v == NULL)
		abort();
	for (i = 0; i < 4; i++) {
		n = strlen(prefix[i]);
		memcpy(s, prefix[i], n);
		memcpy(s + n, data, size);
		s[n + size] = '\0';
		fu_one(s, u, v, canon);
	}
	free(s);
	free(canon);
	free(u);
	free(v);
	return 0;
}
