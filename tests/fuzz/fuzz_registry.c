/*
 * fuzz_registry.c -- libFuzzer target: one query packet in, registry
 * answers out.
 *
 * Three registries are built once, through the model as musterd builds
 * them (rec_inst_parse(), model_inst_put(), model_node_put(),
 * model_publish_all()), from the same instances: services with many
 * instances (priorities, weights, weight 0, warning, critical,
 * maintenance, tags, IPv4 and IPv6, a second datacenter, meta as TXT),
 * one big enough to truncate, names of 63 bytes, node records (one whose
 * address makes its instances' SRV targets <hex>.addr, one without
 * instances) and the PTR names of every address.  The settings differ:
 * consul. with datacenter dc1; the same with only-passing and an answer
 * limit of 3; sd.example. with datacenter east and a 50% panic
 * threshold.  The low byte of the query's ID picks one.  A zone database
 * holds both domains (SOA, NS, a name of its own).
 *
 * Each input is answered as musterd's workers do (answer_query() with
 * ctx.reg set) over UDP with a 65535-byte and a 1232-byte buffer (which
 * must agree), and over TCP; msgcheck.c reads every response back, and
 * the UDP one must be the TCP one or a truncation of it.  Registry
 * answers must also be right, not only well formed: an RRset has one
 * TTL (RFC 2181 5.2) and no record twice (5); SRV records come in
 * priority order; another random order (a second TCP answer with other
 * random state) gives the same records when there is no answer limit,
 * as many when there is; and a name under the domain is answered only
 * when its labels could have been registered (letters, digits, hyphens,
 * '_' first for RFC 2782 names).  Nothing is allocated per input.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "msgcheck.h"
#include "record.h"
#include "registry.h"
#include "wire.h"
#include "zones.h"

#define FRG_UDPMAX	1232
#define FRG_NREG	3
#define FRG_MAXRR	8192	/* answer records compared */
#define FRG_SEED1	0x9e3779b97f4a7c15ULL
#define FRG_SEED2	0x2545f4914f6cdd1dULL

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *frg_zones[] = {
    "$ORIGIN consul.\n"
    "@\t60 IN SOA ns hostmaster 1 3600 600 86400 5\n"
    "@\t60 IN NS ns\n"
    "ns\t60 IN A 127.0.0.1\n"
    "ns\t60 IN AAAA ::1\n"
    "static\t60 IN TXT \"zone data beside the registry\"\n",
    "$ORIGIN sd.example.\n"
    "@\t300 IN SOA ns hostmaster 7 3600 600 86400 30\n"
    "@\t300 IN NS ns\n"
    "ns\t300 IN A 192.0.2.53\n"
};

/*
 * Instances, "field=value" a line, the first line the instance id; "@"
 * stands for 63 bytes of the letter after it.
 */
static const char *frg_insts[] = {
	"web-1\nservice=web\naddress=10.0.0.1\nport=8080\nnode=node1\n"
	    "tags=v1,blue\nweight=10\nmeta.version=1.0\nmeta.team=edge",
	"web-2\nservice=web\naddress=10.0.0.2\nport=8080\nnode=node2\n"
	    "tags=v2\nweight=5\nweight_warning=1\nhealth.status=warning",
	"web-3\nservice=web\naddress=10.0.0.1\nport=8081\nnode=node1\n"
	    "tags=v1\nweight=0\nmeta.version=1.0",
	"web-4\nservice=web\naddress=2001:db8::4\nport=8080\npriority=2\n"
	    "tags=v2,blue\nttl=30",
	"web-5\nservice=web\naddress=10.0.0.5\nport=8080\n"
	    "health.status=critical",
	"web-6\nservice=web\naddress=10.0.0.6\nport=8080\nhealth.maint=1",
	"web-7\nservice=web\naddress=10.0.0.7\nport=8080\ndc=dc2\nnode=node7",
	"web-8\nservice=web\naddress=2001:db8::8\nport=8443\nnode=node3\n"
	    "tags=v1",
	"web-9\nservice=web\naddress=10.0.0.9\nport=8080\nnode=node9\n"
	    "priority=2\nweight=65535",
	"web-10\nservice=web\naddress=2001:db8::4\nport=8081\npriority=2\n"
	    "weight=3",
	"db-1\nservice=db\naddress=2001:db8::10\nport=5432\nttl=30\n"
	    "node=dbnode\ntags=primary",
	"db-2\nservice=db\naddress=10.0.1.10\nport=5432\nttl=10\n"
	    "tags=replica\nnode=dbnode",
	"long-1\nservice=@s\naddress=10.2.0.1\nport=1\nnode=@n\ndc=@d\n"
	    "tags=@t",
	"long-2\nservice=@s\naddress=2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\n"
	    "port=65535\ndc=@d",
	"flaky-1\nservice=flaky\naddress=10.3.0.1\nport=80",
	"flaky-2\nservice=flaky\naddress=10.3.0.2\nport=80\n"
	    "health.status=critical",
	"flaky-3\nservice=flaky\naddress=10.3.0.3\nport=80\n"
	    "health.status=critical",
	"flaky-4\nservice=flaky\naddress=10.3.0.4\nport=80\n"
	    "health.status=critical\nhealth.maint=1",
	"flaky-5\nservice=flaky\naddress=10.3.0.5\nport=80\n"
	    "health.status=critical",
	"down-1\nservice=down\naddress=10.4.0.1\nport=80\n"
	    "health.status=critical",
	"zero-1\nservice=zero\naddress=10.5.0.1\nport=1\nweight=0",
	"zero-2\nservice=zero\naddress=10.5.0.2\nport=2\nweight=0",
	"zero-3\nservice=zero\naddress=10.5.0.3\nport=3\nweight=0\n"
	    "priority=0",
	"x-1\nservice=x\naddress=::ffff:10.6.0.1\nport=7\ndc=dc2",
};

/* Node records: the name, then fields. */
static const char *frg_nodes[] = {
	"node1\naddress=10.0.0.1\nmeta.rack=r1\nmeta.os=linux",
	"node3\naddress=192.0.2.3",
	"node9\naddress=2001:db8::99\nmeta.note=no instance uses this address",
	"lonely\naddress=10.9.9.9\ndc=dc2",
	"@n\naddress=10.2.0.1\ndc=@d",
};

static struct answer_ctx frg_ctx;
static const struct reg *frg_reg[FRG_NREG];
static uint8_t frg_domain[FRG_NREG][DNAME_MAXLEN];
static size_t frg_domain_len[FRG_NREG];
static unsigned frg_limit[FRG_NREG];
static uint8_t *frg_out_udp, *frg_out_small, *frg_out_tcp, *frg_out_tcp2;

static void
frg_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_registry: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

/* Expand "@x" to 63 x's. */
static void
frg_expand(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in != '\0' && o + 64 < outlen; in++) {
		if (*in == '@' && in[1] != '\0') {
			memset(out + o, in[1], 63);
			o += 63;
			in++;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

/* Split "first\nk=v\n..." into the first line and fields. */
static size_t
frg_fields(char *text, char **first, struct rec_kv *kv, size_t max)
{
	char *line, *save = NULL, *eq;
	size_t n = 0;

	*first = strtok_r(text, "\n", &save);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && n < max) {
		if ((eq = strchr(line, '=')) == NULL)
			frg_fail("a field without '='", line);
		kv[n].k = line;
		kv[n].klen = (size_t)(eq - line);
		kv[n].v = eq + 1;
		kv[n].vlen = strlen(eq + 1);
		n++;
	}
	return n;
}

static void
frg_put_inst(struct model *m, const char *text)
{
	struct rec_kv kv[REC_MAXFIELDS];
	struct rec_inst r;
	char buf[2048], why[256], *id;
	size_t n;

	frg_expand(text, buf, sizeof(buf));
	n = frg_fields(buf, &id, kv, REC_MAXFIELDS);
	if (rec_inst_parse(&r, kv, n, why, sizeof(why)) < 0)
		frg_fail(id, why);
	if (model_inst_put(m, id, strlen(id), &r) < 0)
		frg_fail("model_inst_put", id);
}

static void
frg_put_node(struct model *m, const char *text)
{
	struct rec_kv kv[REC_MAXFIELDS];
	struct rec_node r;
	char buf[1024], why[256], *name;
	size_t n;

	frg_expand(text, buf, sizeof(buf));
	n = frg_fields(buf, &name, kv, REC_MAXFIELDS);
	if (rec_node_parse(&r, name, strlen(name), kv, n, why, sizeof(why)) < 0)
		frg_fail(name, why);
	if (model_node_put(m, &r) < 0)
		frg_fail("model_node_put", name);
}

/* The big ones: api (over UDP's size), metas (much TXT). */
static void
frg_put_generated(struct model *m)
{
	char text[20000], addr[64];
	size_t i, o;

	for (i = 0; i < 300; i++) {
		if (i % 5 == 0)
			snprintf(addr, sizeof(addr), "2001:db8:1::%zx", i);
		else
			snprintf(addr, sizeof(addr), "10.1.%zu.%zu", i / 100,
			    i % 100);
		snprintf(text, sizeof(text), "api-%zu\nservice=api\n"
		    "address=%s\nport=%zu\npriority=%zu\nweight=%zu\n"
		    "tags=%s%s\n%s", i, addr, 9000 + i, i % 3, i % 7,
		    i % 2 ? "odd" : "even", i % 10 == 0 ? ",tenth" : "",
		    i % 4 == 0 ? "node=apinode" : "health.status=passing");
		frg_put_inst(m, text);
	}
	o = (size_t)snprintf(text, sizeof(text), "metas-1\nservice=metas\n"
	    "address=10.7.0.1\nport=1");
	for (i = 0; i < REC_MAXMETA; i++) {
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "\nmeta.k%zu=", i);
		memset(text + o, 'a' + (int)(i % 26), 240);
		o += 240;
		text[o] = '\0';
	}
	frg_put_inst(m, text);
}

static const struct reg *
frg_build(const char *domain, const char *dc, bool only_passing,
    unsigned panic, unsigned limit, size_t i)
{
	struct reg_settings set;
	struct model *m;
	const char *why;
	size_t k;
	int n;

	memset(&set, 0, sizeof(set));
	if ((n = dname_from_str(set.domain, domain, &why)) < 0)
		frg_fail(domain, why);
	set.domain_len = (uint8_t)n;
	snprintf(set.local_dc, sizeof(set.local_dc), "%s", dc);
	set.only_passing = only_passing;
	set.panic_pct = panic;
	set.answer_limit = limit;
	set.service_ttl = 5;
	set.node_ttl = 7;
	memcpy(frg_domain[i], set.domain, set.domain_len);
	frg_domain_len[i] = set.domain_len;
	frg_limit[i] = limit;
	if ((m = model_new(&set)) == NULL)
		abort();
	for (k = 0; k < sizeof(frg_insts) / sizeof(frg_insts[0]); k++)
		frg_put_inst(m, frg_insts[k]);
	for (k = 0; k < sizeof(frg_nodes) / sizeof(frg_nodes[0]); k++)
		frg_put_node(m, frg_nodes[k]);
	frg_put_generated(m);
	if (model_publish_all(m, &set) < 0)
		frg_fail("model_publish_all", domain);
	model_free(m);		/* the registry owns copies */
	return reg_current();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct zones_zone *z[2];
	char err[512];
	size_t i;

	(void)argc;
	(void)argv;
	log_init("fuzz_registry", 1, LOG_LEVEL_ERR);
	for (i = 0; i < 2; i++)
		if ((z[i] = zones_load_string("registry.zone", frg_zones[i],
		    strlen(frg_zones[i]), NULL, err, sizeof(err))) == NULL)
			frg_fail("zone", err);
	frg_ctx.db = db_build(z, 2, err, sizeof(err));
	if (frg_ctx.db == NULL)
		frg_fail("db", err);
	zones_free(z[0]);
	zones_free(z[1]);
	frg_reg[0] = frg_build("consul.", "dc1", false, 0, 0, 0);
	frg_reg[1] = frg_build("consul.", "dc1", true, 0, 3, 1);
	frg_reg[2] = frg_build("sd.example.", "east", false, 50, 0, 2);
	frg_ctx.udp_max = FRG_UDPMAX;
	frg_out_udp = malloc(WIRE_MAXMSG);
	frg_out_small = malloc(FRG_UDPMAX);
	frg_out_tcp = malloc(WIRE_MAXMSG);
	frg_out_tcp2 = malloc(WIRE_MAXMSG);
	if (frg_out_udp == NULL || frg_out_small == NULL || frg_out_tcp == NULL
	    || frg_out_tcp2 == NULL)
		abort();
	return 0;
}

static size_t
frg_answer(const uint8_t *data, size_t size, uint8_t *out, size_t outmax,
    bool tcp, uint64_t seed)
{
	frg_ctx.rng = seed;
	return answer_query(&frg_ctx, data, size, out, outmax, tcp);
}

/* The UDP size limit the query asked for, as RFC 6891 6.2.5 says. */
static size_t
frg_udp_limit(const struct wire_query *q)
{
	if (!q->edns || q->edns_udp < 512)
		return 512;
	return q->edns_udp < FRG_UDPMAX ? q->edns_udp : FRG_UDPMAX;
}

/* An answer record, for comparing: where it starts and its length. */
struct frg_rr {
	const uint8_t	*p;
	size_t		 len;
	const uint8_t	*rdata;
	uint16_t	 type;
	uint32_t	 ttl;
};

/* The answer records of a response msgcheck_parse() accepted. */
static size_t
frg_rrs(const uint8_t *m, size_t len, const struct msgcheck *mc,
    struct frg_rr *rr)
{
	size_t off = mc->q_end, i, n = 0;

	for (i = 0; i < mc->count[1] && n < FRG_MAXRR; i++) {
		size_t start = off;

		if (wire_skip_name(m, len, &off) < 0)
			frg_fail("an answer record msgcheck took", NULL);
		rr[n].type = wire_get16(m + off);
		rr[n].ttl = wire_get32(m + off + 4);
		rr[n].rdata = m + off + 10;
		off += 10 + wire_get16(m + off + 8);
		rr[n].p = m + start;
		rr[n].len = off - start;
		n++;
	}
	return n;
}

static int
frg_rr_cmp(const void *a, const void *b)
{
	const struct frg_rr *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* One TTL per RRset, no record twice, SRV in priority order. */
static void
frg_check_rrset(const uint8_t *data, size_t size, const uint8_t *m,
    size_t len, struct frg_rr *rr, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (rr[i].type == rr[j].type && rr[i].ttl != rr[j].ttl)
				msgcheck_fail("an RRset with two TTLs", data,
				    size, m, len);
			if (rr[i].len == rr[j].len && memcmp(rr[i].p, rr[j].p,
			    rr[i].len) == 0)
				msgcheck_fail("a record twice in the answer",
				    data, size, m, len);
		}
	for (i = 1; i < n; i++)
		if (rr[i].type == WIRE_T_SRV && rr[i - 1].type == WIRE_T_SRV
		    && wire_get16(rr[i].rdata) < wire_get16(rr[i - 1].rdata))
			msgcheck_fail("SRV records out of priority order", data,
			    size, m, len);
}

/* Labels left of the domain must be [_]LDH for a registry answer. */
static void
frg_check_labels(const uint8_t *data, size_t size, const struct wire_query *q,
    size_t r, const uint8_t *m, size_t len)
{
	size_t dl = frg_domain_len[r], d, i;

	/* the label where the domain would start, if one does */
	for (d = 0; d < q->nlabels; d++)
		if (q->label_off[d] + dl == q->qname_len)
			break;
	if (d == q->nlabels || memcmp(q->qname + q->label_off[d],
	    frg_domain[r], dl) != 0)
		return;
	for (i = 0; i < d; i++) {
		const uint8_t *l = q->qname + q->label_off[i];

		if (!rec_label_ok((const char *)l + 1 + (l[1] == '_'),
		    l[0] - (l[1] == '_')))
			msgcheck_fail("answered a name nothing could register",
			    data, size, m, len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frg_rr rr1[FRG_MAXRR], rr2[FRG_MAXRR];
	struct msgcheck mu, mt, m2;
	struct wire_query q;
	size_t nu, ns, nt, n2, k1, k2, r;
	bool drop;

	if (size > WIRE_MAXMSG)
		return 0;	/* no transport carries it */
	r = size >= 2 ? data[1] % FRG_NREG : 0;
	frg_ctx.reg = frg_reg[r];
	nu = frg_answer(data, size, frg_out_udp, WIRE_MAXMSG, false,
	    FRG_SEED1);
	ns = frg_answer(data, size, frg_out_small, FRG_UDPMAX, false,
	    FRG_SEED1);
	nt = frg_answer(data, size, frg_out_tcp, WIRE_MAXMSG, true, FRG_SEED1);
	n2 = frg_answer(data, size, frg_out_tcp2, WIRE_MAXMSG, true,
	    FRG_SEED2);
	if (nu == ANSWER_FORWARD || ns == ANSWER_FORWARD || nt == ANSWER_FORWARD
	    || n2 == ANSWER_FORWARD)
		msgcheck_fail("forwarded, with no recursion allowed", data,
		    size, NULL, 0);
	drop = size < WIRE_HDR || (data[2] & 0x80) != 0;
	if ((nu == 0) != drop || (ns == 0) != drop || (nt == 0) != drop)
		msgcheck_fail(drop ? "answered a response or a runt"
		    : "dropped a query", data, size, NULL, 0);
	if (drop)
		return 0;
	if (ns != nu || memcmp(frg_out_small, frg_out_udp, nu) != 0)
		msgcheck_fail("udp answer depends on the buffer size", data,
		    size, frg_out_small, ns);
	memset(&q, 0, sizeof(q));
	(void)wire_parse(data, size, &q);
	msgcheck_response(data, size, frg_out_udp, nu, frg_udp_limit(&q), "udp",
	    &mu);
	msgcheck_response(data, size, frg_out_tcp, nt, WIRE_MAXMSG, "tcp", &mt);
	msgcheck_response(data, size, frg_out_tcp2, n2, WIRE_MAXMSG, "tcp",
	    &m2);
	if ((mu.opt_off != 0 && mu.opt_class != FRG_UDPMAX)
	    || (mt.opt_off != 0 && mt.opt_class != FRG_UDPMAX))
		msgcheck_fail("OPT does not offer our payload size", data, size,
		    frg_out_udp, nu);
	msgcheck_pair_prefix(data, size, frg_out_udp, nu, &mu, frg_out_tcp, nt,
	    &mt);
	if (wire_parse(data, size, &q) != WIRE_OK || mt.count[1] == 0)
		return 0;
	k1 = frg_rrs(frg_out_tcp, nt, &mt, rr1);
	k2 = frg_rrs(frg_out_tcp2, n2, &m2, rr2);
	frg_check_rrset(data, size, frg_out_tcp, nt, rr1, k1);
	frg_check_labels(data, size, &q, r, frg_out_tcp, nt);
	if (k1 != k2 || mt.count[1] != m2.count[1])
		msgcheck_fail("another random order, another number of records",
		    data, size, frg_out_tcp2, n2);
	if (frg_limit[r] == 0) {
		qsort(rr1, k1, sizeof(rr1[0]), frg_rr_cmp);
		qsort(rr2, k2, sizeof(rr2[0]), frg_rr_cmp);
		for (k2 = 0; k2 < k1; k2++)
			if (frg_rr_cmp(&rr1[k2], &rr2[k2]) != 0)
				msgcheck_fail("another random order, other "
				    "records", data, size, frg_out_tcp2, n2);
	}
	return 0;
}
