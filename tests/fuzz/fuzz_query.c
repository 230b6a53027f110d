/*
 * fuzz_query.c -- libFuzzer target: one query packet in, responses out.
 *
 * A database of three zones (example., its nested child inner.example.,
 * and example.net.) is built once from the text below; it holds
 * wildcards, CNAME chains (short, too long, looping, leaving the zone,
 * into a delegation, into a wildcard), DNAMEs (to another zone, to their
 * own zone, into a delegation, to a target too long for most names),
 * delegations with glue, empty non-terminals, RRsets too big for UDP and
 * names close to 255 bytes.  No registry: ctx.reg is NULL.
 * Each input is answered over UDP (with a 65535-byte and a 1232-byte
 * buffer, which must agree) and over TCP, and every response is read
 * back by msgcheck.c; a malformed or inconsistent response aborts.
 * Nothing is allocated per input.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "db.h"
#include "log.h"
#include "msgcheck.h"
#include "wire.h"
#include "zones.h"

#define FQ_UDPMAX	1232

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fq_example[] =
    "$ORIGIN example.\n"
    "$TTL 300\n"
    "@\tIN SOA ns1 hostmaster ( 2024010101 3600 600 86400\n"
    "\t\t60 ) ; minimum\n"
    "\tNS\tns1\n"
    "\tNS\tns2.example.net.\n"
    "\tMX\t10 mail\n"
    "\tMX\t20 mail.example.net.\n"
    "\tTXT\t\"v=spf1 -all\"\n"
    "\tAAAA\t2001:db8::1\n"
    "ns1\tA\t192.0.2.1\n"
    "ns1\tAAAA\t2001:db8::1\n"
    "mail\t600 IN A\t192.0.2.25\n"
    "MiXeD.CaSe\tA\t192.0.2.26\n"
    "www\tCNAME\tweb\n"
    "web\tCNAME\tHost1\n"
    "host1\tA\t192.0.2.10\n"
    "host1\tAAAA\t2001:db8::10\n"
    "host1\tTXT\t\"host one\" \"second string\"\n"
    "loop1\tCNAME\tloop2\n"
    "loop2\tCNAME\tloop1\n"
    "self\tCNAME\tself\n"
    "ext\tCNAME\twww.example.net.\n"
    "dangling\tCNAME\tnothere\n"
    "towild\tCNAME\tfoo.wild\n"
    "tosub\tCNAME\tx.y.sub\n"
    "toent\tCNAME\tc.ent\n"
    "toinner\tCNAME\tns1.inner\n"
    "*.wild\tA\t192.0.2.50\n"
    "*.wild\tTXT\t\"wild\"\n"
    "*.wild\tMX\t5 mail\n"
    "*.wild\tSRV\t0 5 5060 host1\n"
    "*.cw\tCNAME\thost1\n"
    "*.cwloop\tCNAME\tx.cwloop\n"
    "*.cwsub\tCNAME\tns.sub\n"
    "a.b.c.ent\tA\t192.0.2.60\n"
    "x.*.ent2\tA\t192.0.2.61\n"
    "sub\tNS\tns.sub\n"
    "sub\tNS\tns.other\n"
    "sub\tNS\tns1\n"
    "sub\tNS\tns.elsewhere.example.net.\n"
    "sub\tDS\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC"
    "1AFE51DE4DD1D1F5A5C0E0E4A2C4B8F3\n"
    "ns.sub\tA\t192.0.2.53\n"
    "ns.sub\tAAAA\t2001:db8::53\n"
    "deep.below.sub\tA\t192.0.2.99\n"
    "*.sub\tTXT\t\"below the cut\"\n"
    "ns.other\tA\t192.0.2.54\n"
    "_sip._tcp\tSRV\t0 5 5060 host1\n"
    "_sip._tcp\tSRV\t10 5 5060 mail\n"
    "_sip._tcp\tSRV\t20 5 5060 ns.sub\n"
    "ptr\tPTR\thost1\n"
    "hinfo\tHINFO\t\"cpu\" \"os\"\n"
    "rp\tRP\thostmaster txt.rp\n"
    "naptr\tNAPTR\t100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp\n"
    "caa\tCAA\t0 issue \"ca.example.net\"\n"
    "kx\tKX\t10 host1\n"
    "unknown\tTYPE65534\t\\# 3 010203\n"
    "empty\tTYPE65280\t\\# 0\n"
    "dname\tDNAME\texample.net.\n"
    "dnself\tDNAME\texample.\n"
    "dnsub\tDNAME\tsub.example.\n"
    "dnwild\tDNAME\twild.example.\n"
    "dninner\tDNAME\tinner.example.\n"
    "inner\tNS\tns1.inner\n"
    "ns1.inner\tA\t192.0.2.78\n";

static const char fq_inner[] =
    "$ORIGIN inner.example.\n"
    "@\t3600 SOA ns1 hostmaster 7 3600 600 86400 10\n"
    "@\tNS\tns1\n"
    "ns1\tA\t192.0.2.77\n"
    "up\tCNAME\twww.example.\n"
    "*\tCNAME\tns1\n";

static const char fq_net[] =
    "example.net. 900 IN SOA ns1.example. hostmaster.example.net. "
    "1 3600 600 86400 30\n"
    "example.net. NS ns1.example.\n"
    "example.net. NS ns2.example.net.\n"
    "ns2.example.net. A 198.51.100.2\n"
    "www.example.net. A 198.51.100.80\n"
    "back.example.net. CNAME host1.example.\n"
    "*.example.net. A 198.51.100.1\n"
    "*.example.net. AAAA 2001:db8:1::1\n";

static struct answer_ctx fq_ctx;
static uint8_t *fq_out_udp, *fq_out_small, *fq_out_tcp;

/* A growing text buffer for the generated part of the zone. */
struct fq_text {
	char	*s;
	size_t	 len, cap;
};

static void fq_printf(struct fq_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fq_printf(struct fq_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->s == NULL && (t->s = malloc(t->cap = 4096)) == NULL)
		abort();
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n + 1;
		if ((t->s = realloc(t->s, t->cap)) == NULL)
			abort();
	}
	t->len += (size_t)n;
}

/* The parts of example. too big or too regular to write out. */
static void
fq_generate(struct fq_text *t)
{
	char l63[64], l45[46], n45[46];
	int i, j;

	fq_printf(t, "%s", fq_example);
	for (i = 0; i < 100; i++)	/* 1.6 KB: truncated over UDP */
		fq_printf(t, "big\tA\t10.0.%d.%d\n", i / 16, i % 256);
	for (i = 0; i < 30; i++) {	/* 6 KB of TXT */
		fq_printf(t, "bigtxt\tTXT\t\"%03d", i);
		for (j = 0; j < 200; j++)
			fq_printf(t, "%c", 'a' + (i + j) % 26);
		fq_printf(t, "\"\n");
	}
	for (i = 0; i < 40; i++) {	/* a referral whose glue cannot fit */
		fq_printf(t, "manyns\tNS\tns%02d.manyns\n", i);
		fq_printf(t, "ns%02d.manyns\tA\t192.0.2.%d\n", i, 100 + i);
		fq_printf(t, "ns%02d.manyns\tAAAA\t2001:db8::%x\n", i, 100 + i);
	}
	for (i = 0; i < 40; i++) {	/* a wildcard with much additional */
		fq_printf(t, "*.bigwild\tMX\t%d mx%02d.bigwild-targets\n", i, i);
		fq_printf(t, "mx%02d.bigwild-targets\tA\t192.0.2.%d\n", i, i);
		fq_printf(t, "mx%02d.bigwild-targets\tAAAA\t2001:db8::1:%x\n",
		    i, i);
	}
	for (i = 0; i < 8; i++)		/* a chain one hop too long */
		fq_printf(t, "c%d\tCNAME\tc%d\n", i, i + 1);
	fq_printf(t, "c8\tCNAME\thost1\n");
	for (i = 0; i < 6; i++)		/* a chain that fits */
		fq_printf(t, "d%d\tCNAME\t%s%d\n", i, i < 5 ? "d" : "host", i < 5
		    ? i + 1 : 1);
	/* names of 247 and 249 bytes: below them only short labels fit */
	memset(l63, 'l', 63);
	l63[63] = '\0';
	memset(l45, 'm', 45);
	l45[45] = '\0';
	memset(n45, 'n', 45);
	n45[45] = '\0';
	fq_printf(t, "%s.%s.%s.%s\tA\t192.0.2.200\n", l45, l63, l63, l63);
	fq_printf(t, "*.%s.%s.%s.%s\tMX\t1 mail\n", l45, l63, l63, l63);
	fq_printf(t, "*.%s.%s.%s.%s\tCNAME\twww\n", n45, l63, l63, l63);
	/* a DNAME whose target makes most names too long (YXDOMAIN) */
	fq_printf(t, "dnlong\tDNAME\t%s.%s.%s.\n", l63, l63, l63);
}

static struct zones_zone *
fq_load(const char *name, const char *text, size_t len)
{
	char err[512];
	struct zones_zone *z;

	z = zones_load_string(name, text, len, NULL, err, sizeof(err));
	if (z == NULL) {
		fprintf(stderr, "fuzz_query: %s\n", err);
		abort();
	}
	return z;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fq_text t = { NULL, 0, 0 };
	struct zones_zone *z[3];
	char err[512];
	size_t i;

	log_init("fuzz_query", 1, LOG_LEVEL_ERR);
	fq_generate(&t);
	z[0] = fq_load("example.zone", t.s, t.len);
	z[1] = fq_load("inner.zone", fq_inner, sizeof(fq_inner) - 1);
	z[2] = fq_load("net.zone", fq_net, sizeof(fq_net) - 1);
	free(t.s);
	fq_ctx.db = db_build(z, 3, err, sizeof(err));
	if (fq_ctx.db == NULL) {
		fprintf(stderr, "fuzz_query: %s\n", err);
		abort();
	}
	for (i = 0; i < 3; i++)		/* the db must not need them */
		zones_free(z[i]);
	fq_ctx.udp_max = FQ_UDPMAX;
	fq_ctx.rng = 0x9e3779b97f4a7c15ULL;
	/* exact sizes, so that ASan sees a write past outmax */
	fq_out_udp = malloc(WIRE_MAXMSG);
	fq_out_small = malloc(FQ_UDPMAX);
	fq_out_tcp = malloc(WIRE_MAXMSG);
	if (fq_out_udp == NULL || fq_out_small == NULL || fq_out_tcp == NULL)
		abort();
	return 0;
}

/* The UDP size limit the query asked for, as RFC 6891 6.2.5 says. */
static size_t
fq_udp_limit(const uint8_t *data, size_t size)
{
	struct wire_query q;

	(void)wire_parse(data, size, &q);
	if (!q.edns || q.edns_udp < 512)
		return 512;
	return q.edns_udp < FQ_UDPMAX ? q.edns_udp : FQ_UDPMAX;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgcheck mu, mt;
	size_t nu, ns, nt, limit;
	bool drop;

	if (size > WIRE_MAXMSG)
		return 0;	/* no transport carries it */
	nu = answer_query(&fq_ctx, data, size, fq_out_udp, WIRE_MAXMSG, false);
	ns = answer_query(&fq_ctx, data, size, fq_out_small, FQ_UDPMAX, false);
	nt = answer_query(&fq_ctx, data, size, fq_out_tcp, WIRE_MAXMSG, true);
	if (nu == ANSWER_FORWARD || ns == ANSWER_FORWARD || nt == ANSWER_FORWARD)
		msgcheck_fail("forwarded, with no recursion allowed", data, size,
		    NULL, 0);
	drop = size < WIRE_HDR || (data[2] & 0x80) != 0;
	if ((nu == 0) != drop || (ns == 0) != drop || (nt == 0) != drop)
		msgcheck_fail(drop ? "answered a response or a runt"
		    : "dropped a query", data, size, NULL, 0);
	if (drop)
		return 0;
	if (ns != nu || memcmp(fq_out_small, fq_out_udp, nu) != 0)
		msgcheck_fail("udp answer depends on the buffer size", data,
		    size, fq_out_small, ns);
	limit = fq_udp_limit(data, size);
	msgcheck_response(data, size, fq_out_udp, nu, limit, "udp", &mu);
	msgcheck_response(data, size, fq_out_tcp, nt, WIRE_MAXMSG, "tcp", &mt);
	if ((mu.opt_off != 0 && mu.opt_class != FQ_UDPMAX)
	    || (mt.opt_off != 0 && mt.opt_class != FQ_UDPMAX))
		msgcheck_fail("OPT does not offer our payload size", data, size,
		    fq_out_udp, nu);
	msgcheck_pair(data, size, fq_out_udp, nu, &mu, fq_out_tcp, nt, &mt);
	return 0;
}
