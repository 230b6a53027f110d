/*
 * fuzz_zone.c -- libFuzzer target: master file text in, compiled db out.
 *
 * Each input is loaded by zones_load_string() twice, without an origin
 * and with "example.".  A zone that loads is checked (sorted, owners in
 * the zone, one SOA at the apex, lowercase owners, one TTL per RRset),
 * compiled alone and beside a fixed zone sub.example. (nesting and
 * occlusion), and each db answers a few queries for the zone's own
 * names, which msgcheck.c reads back.  Everything is freed, so
 * LeakSanitizer sees any leak.
 *
 * $INCLUDE: the zone is named as if it lived in a private directory
 * (/tmp/muster-fuzz-zone-UID, written at start-up) holding a few files
 * (inc.zone, origin.zone, loop.zone, which includes itself), so relative
 * includes find something.  Inputs that could name a file elsewhere ("/"
 * together with $INCLUDE) are skipped.  With FUZZ_VERBOSE in the
 * environment, load and build errors are shown (to see what a seed
 * exercises).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include "answer.h"
#include "db.h"
#include "log.h"
#include "msgcheck.h"
#include "wire.h"
#include "zones.h"

#define FZ_OWNERS	12	/* owners queried per db */
#define FZ_UDPMAX	1232

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir[128];
static char fz_name[192];
static struct zones_zone *fz_sub;
static uint8_t *fz_out_udp, *fz_out_tcp;
static int fz_verbose;		/* FUZZ_VERBOSE set: print why it failed */

static const char fz_sub_text[] =
    "$ORIGIN sub.example.\n"
    "@\tSOA\tns hostmaster 1 3600 600 86400 60\n"
    "@\tNS\tns\n"
    "ns\tA\t192.0.2.1\n"
    "*\tTXT\t\"wild in sub\"\n"
    "www\tCNAME\twww.example.\n";

static const struct {
	const char	*name;
	const char	*text;
} fz_files[] = {
	{ "inc.zone", "incl\tA\t192.0.2.1\n\tAAAA\t2001:db8::1\n" },
	{ "origin.zone", "$ORIGIN example.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n"
	  "ns A 192.0.2.2\n$INCLUDE inc.zone\n" },
	{ "loop.zone", "loop TXT \"again\"\n$INCLUDE loop.zone\n" },
	{ "bad.zone", "this is ( not a zone\n" },
};

/* Write one include file, atomically: other fuzzing jobs may read it. */
static void
fz_write(const char *name, const char *text)
{
	char path[256], tmp[272];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", fz_dir, name);
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if ((fp = fopen(tmp, "w")) == NULL || fputs(text, fp) == EOF
	    || fclose(fp) != 0 || rename(tmp, path) != 0) {
		perror(path);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512];
	size_t i;

	fz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	log_init("fuzz_zone", 1, fz_verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERR);
	snprintf(fz_dir, sizeof(fz_dir), "/tmp/muster-fuzz-zone-%ld",
	    (long)getuid());
	if (mkdir(fz_dir, 0700) != 0 && access(fz_dir, W_OK) != 0) {
		perror(fz_dir);
		abort();
	}
	for (i = 0; i < sizeof(fz_files) / sizeof(fz_files[0]); i++)
		fz_write(fz_files[i].name, fz_files[i].text);
	snprintf(fz_name, sizeof(fz_name), "%s/fuzz.zone", fz_dir);
	fz_sub = zones_load_string("sub.zone", fz_sub_text,
	    sizeof(fz_sub_text) - 1, NULL, err, sizeof(err));
	fz_out_udp = malloc(WIRE_MAXMSG);
	fz_out_tcp = malloc(WIRE_MAXMSG);
	if (fz_sub == NULL || fz_out_udp == NULL || fz_out_tcp == NULL) {
		fprintf(stderr, "fuzz_zone: %s\n", err);
		abort();
	}
	return 0;
}

/* Could the input $INCLUDE a file outside our directory? */
static int
fz_escapes(const uint8_t *data, size_t size)
{
	size_t i;

	if (memchr(data, '/', size) == NULL)
		return 0;
	for (i = 0; i + 8 <= size; i++)
		if (strncasecmp((const char *)data + i, "$include", 8) == 0)
			return 1;
	return 0;
}

static void
fz_fail(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_zone: %s%s%s\n", what, err ? ": " : "",
	    err ? err : "");
	abort();
}

/* What zones.h promises about a zone that loaded. */
static void
fz_check_zone(const struct zones_zone *z)
{
	uint8_t lower[DNAME_MAXLEN];
	size_t i;

	if (z->nrrs == 0 || z->soa >= z->nrrs
	    || z->rrs[z->soa].type != WIRE_T_SOA)
		fz_fail("zone without its SOA", NULL);
	if (z->origin_len == 0 || dname_len(z->origin) != z->origin_len
	    || z->rrs[z->soa].owner_len != z->origin_len
	    || memcmp(z->rrs[z->soa].owner, z->origin, z->origin_len) != 0)
		fz_fail("SOA not at the origin", NULL);
	for (i = 0; i < z->nrrs; i++) {
		const struct zones_rr *x = &z->rrs[i];

		if (x->owner_len == 0 || dname_len(x->owner) != x->owner_len
		    || x->rr == NULL || x->rdata == NULL)
			fz_fail("bad record", NULL);
		dname_copy_lower(lower, x->owner_orig, x->owner_len);
		if (memcmp(lower, x->owner, x->owner_len) != 0)
			fz_fail("owner is not the lowercase owner_orig", NULL);
		if (!dname_is_sub(x->owner, x->owner_len, z->origin,
		    z->origin_len))
			fz_fail("owner outside the origin", NULL);
		if (i > 0 && zones_name_cmp(z->rrs[i - 1].owner, x->owner) > 0)
			fz_fail("records not in canonical order", NULL);
		if (i > 0 && zones_name_cmp(z->rrs[i - 1].owner, x->owner) == 0
		    && z->rrs[i - 1].type > x->type)
			fz_fail("records of a name not ordered by type", NULL);
		if (x->type == WIRE_T_SOA && i != z->soa)
			fz_fail("second SOA", NULL);
		if (i > 0 && z->rrs[i - 1].type == x->type
		    && z->rrs[i - 1].owner_len == x->owner_len
		    && memcmp(z->rrs[i - 1].owner, x->owner, x->owner_len) == 0
		    && z->rrs[i - 1].ttl != x->ttl)
			fz_fail("two TTLs in one RRset", NULL);
	}
}

/* A query for name (wire, any case) and type, with or without EDNS. */
static size_t
fz_query(uint8_t *q, const uint8_t *name, size_t len, uint16_t type,
    bool edns)
{
	size_t n = WIRE_HDR + len;

	memset(q, 0, WIRE_HDR);
	wire_put16(q, 0xbeef);
	wire_put16(q + 2, WIRE_RD);
	wire_put16(q + 4, 1);
	wire_put16(q + 10, edns ? 1 : 0);
	memcpy(q + WIRE_HDR, name, len);
	wire_put16(q + n, type);
	wire_put16(q + n + 2, WIRE_C_IN);
	n += 4;
	if (edns) {
		static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0 };

		memcpy(q + n, opt, sizeof(opt));
		n += sizeof(opt);
	}
	return n;
}

/* Ask db one question over UDP (with and without EDNS) and TCP. */
static void
fz_ask(struct answer_ctx *ctx, const uint8_t *name, size_t len,
    uint16_t type)
{
	uint8_t q[WIRE_HDR + DNAME_MAXLEN + 4 + 11];
	struct msgcheck mu, mt;
	size_t qlen, nu, nt;
	int edns;

	for (edns = 0; edns <= 1; edns++) {
		qlen = fz_query(q, name, len, type, edns);
		nu = answer_query(ctx, q, qlen, fz_out_udp, WIRE_MAXMSG, false);
		nt = answer_query(ctx, q, qlen, fz_out_tcp, WIRE_MAXMSG, true);
		if (nu == 0 || nt == 0)
			msgcheck_fail("no answer to a well-formed query", q, qlen,
			    NULL, 0);
		msgcheck_response(q, qlen, fz_out_udp, nu, edns ? 1232 : 512,
		    "udp", &mu);
		msgcheck_response(q, qlen, fz_out_tcp, nt, WIRE_MAXMSG, "tcp",
		    &mt);
		msgcheck_pair(q, qlen, fz_out_udp, nu, &mu, fz_out_tcp, nt, &mt);
		if ((mt.flags & 0xf) == WIRE_RC_REFUSED
		    && type != WIRE_T_AXFR && type != WIRE_T_IXFR)
			msgcheck_fail("REFUSED for a name in the zone", q, qlen,
			    fz_out_tcp, nt);
	}
}

/* Query some owners of z (mixed case, and a child name) in db. */
static void
fz_probe(const struct db *db, const struct zones_zone *z)
{
	static const uint16_t types[] = { WIRE_T_A, WIRE_T_ANY, WIRE_T_DS,
	    WIRE_T_TXT };
	struct answer_ctx ctx = { .db = db, .udp_max = FZ_UDPMAX };
	uint8_t name[DNAME_MAXLEN + 3];
	size_t i, k, step = z->nrrs / FZ_OWNERS + 1;

	for (i = 0; i < z->nrrs; i += step) {
		const struct zones_rr *x = &z->rrs[i];

		if (!db_covers(db, x->owner, x->owner_len))
			msgcheck_fail("db does not cover a zone owner", NULL, 0,
			    NULL, 0);
		memcpy(name, x->owner_orig, x->owner_len);
		for (k = 0; k < x->owner_len && name[k] != 0;
		    k += name[k] + 1u)
			if (name[k] > 0 && name[k + 1] >= 'a'
			    && name[k + 1] <= 'z')
				name[k + 1] ^= 0x20;
		fz_ask(&ctx, name, x->owner_len, x->type);
		for (k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			fz_ask(&ctx, name, x->owner_len, types[k]);
		if (x->owner_len + 3 > DNAME_MAXLEN)
			continue;
		memmove(name + 3, x->owner_orig, x->owner_len);
		memcpy(name, "\002zZ", 3);
		fz_ask(&ctx, name, x->owner_len + 3u, WIRE_T_A);
		fz_ask(&ctx, name, x->owner_len + 3u, WIRE_T_MX);
	}
}

static void
fz_build(struct zones_zone *z)
{
	struct zones_zone *two[2] = { z, fz_sub };
	struct db *db;
	char err[512];

	err[0] = '\0';
	if ((db = db_build(two, 1, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			fz_fail("db_build failed without a message", NULL);
		if (fz_verbose)
			fprintf(stderr, "fuzz_zone: db_build: %s\n", err);
	} else {
		fz_probe(db, z);
		db_free(db);
	}
	err[0] = '\0';
	if ((db = db_build(two, 2, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			fz_fail("db_build failed without a message", NULL);
		if (fz_verbose)
			fprintf(stderr, "fuzz_zone: db_build 2: %s\n", err);
		return;
	}
	fz_probe(db, z);
	fz_probe(db, fz_sub);
	db_free(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const origins[] = { NULL, "example." };
	struct zones_zone *z;
	char err[512];
	size_t i;

	if (fz_escapes(data, size))
		return 0;
	for (i = 0; i < 2; i++) {
		err[0] = '\0';
		z = zones_load_string(fz_name, (const char *)data, size,
		    origins[i], err, sizeof(err));
		if (z == NULL) {
			if (err[0] == '\0')
				fz_fail("load failed without a message", NULL);
			if (fz_verbose)
				fprintf(stderr, "fuzz_zone: load: %s\n", err);
			continue;
		}
		if (fz_verbose)
			fprintf(stderr, "fuzz_zone: loaded %zu records\n",
			    z->nrrs);
		fz_check_zone(z);
		fz_build(z);
		zones_free(z);
	}
	return 0;
}
