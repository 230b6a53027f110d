/*
 * fuzz_state.c -- libFuzzer target: a state file in, a served registry out.
 *
 * The input is written to a file in a private directory (made by
 * mkdtemp() at start-up under $TMPDIR, else /dev/shm, else /tmp; removed
 * at exit) and read by state_load() into a new model, the way musterd
 * reads --state-file.  A refused file must say why.  A loaded one must
 * give a terminated stream id shorter than STATE_IDLEN and at most as
 * many instances as records it counted; the model is then published as
 * a registry, which answers a few queries for the names it holds
 * (services, their tags and RFC 2782 names, nodes, reverse names) over
 * UDP and TCP, read back by msgcheck.c.  Finally state_save() writes the
 * model out and state_load() reads that back into a second model, which
 * must hold the same instances and node records.  Everything is freed
 * (models, registries through qsbr_reclaim()), so LeakSanitizer sees a
 * leak.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer.h"
#include "db.h"
#include "log.h"
#include "model.h"
#include "msgcheck.h"
#include "qsbr.h"
#include "record.h"
#include "registry.h"
#include "state.h"
#include "wire.h"
#include "zones.h"

#define FS_SOURCE	"muster: redis://127.0.0.1:6379/0"
#define FS_UDPMAX	1232
#define FS_NAMES	8	/* services and nodes queried per input */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fs_zone[] =
    "$ORIGIN consul.\n"
    "@\t60 IN SOA ns hostmaster 1 3600 600 86400 5\n"
    "@\t60 IN NS ns\n"
    "ns\t60 IN A 127.0.0.1\n";

static char fs_dir[256], fs_in[300], fs_out[300], fs_tmp[310];
static struct reg_settings fs_set;
static struct answer_ctx fs_ctx;
static uint8_t *fs_out_udp, *fs_out_tcp;

static void
fs_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_state: %s%s%s\n", what, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
fs_cleanup(void)
{
	unlink(fs_in);
	unlink(fs_out);
	unlink(fs_tmp);
	rmdir(fs_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("TMPDIR");
	struct zones_zone *z;
	char err[512];
	const char *why;
	int n;

	(void)argc;
	(void)argv;
	log_init("fuzz_state", 1, LOG_LEVEL_ERR);
	if (base == NULL || *base == '\0')
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(fs_dir, sizeof(fs_dir), "%s/muster-fuzz-state-XXXXXX", base);
	if (mkdtemp(fs_dir) == NULL) {
		perror("fuzz_state: mkdtemp");
		abort();
	}
	snprintf(fs_in, sizeof(fs_in), "%s/in", fs_dir);
	snprintf(fs_out, sizeof(fs_out), "%s/out", fs_dir);
	snprintf(fs_tmp, sizeof(fs_tmp), "%s.tmp", fs_out);
	atexit(fs_cleanup);
	if ((n = dname_from_str(fs_set.domain, "consul.", &why)) < 0)
		fs_fail("domain", why);
	fs_set.domain_len = (uint8_t)n;
	strcpy(fs_set.local_dc, "dc1");
	fs_set.service_ttl = 5;
	fs_set.node_ttl = 7;
	z = zones_load_string("consul.zone", fs_zone, sizeof(fs_zone) - 1,
	    NULL, err, sizeof(err));
	if (z == NULL || (fs_ctx.db = db_build(&z, 1, err, sizeof(err)))
	    == NULL)
		fs_fail("zone", err);
	zones_free(z);
	fs_ctx.udp_max = FS_UDPMAX;
	fs_out_udp = malloc(FS_UDPMAX);
	fs_out_tcp = malloc(WIRE_MAXMSG);
	if (fs_out_udp == NULL || fs_out_tcp == NULL)
		abort();
	return 0;
}

/* ---- asking the registry ---- */

/* A query for the labels (NULL-terminated) under consul. */
static size_t
fs_query(uint8_t *q, const char *const *labels, uint16_t qtype)
{
	size_t o = WIRE_HDR, n;

	memset(q, 0, WIRE_HDR);
	q[0] = 0x4d;
	q[5] = 1;
	for (; *labels != NULL; labels++) {
		n = strlen(*labels);
		q[o++] = (uint8_t)n;
		memcpy(q + o, *labels, n);
		o += n;
	}
	memcpy(q + o, "\6consul\0", 8);
	o += 8;
	wire_put16(q + o, qtype);
	wire_put16(q + o + 2, WIRE_C_IN);
	return o + 4;
}

static void
fs_ask(const char *const *labels, uint16_t qtype)
{
	struct msgcheck mu, mt;
	uint8_t q[WIRE_HDR + DNAME_MAXLEN + 4];
	size_t qlen = fs_query(q, labels, qtype), nu, nt;

	fs_ctx.rng = 1;
	nu = answer_query(&fs_ctx, q, qlen, fs_out_udp, FS_UDPMAX, false);
	fs_ctx.rng = 1;
	nt = answer_query(&fs_ctx, q, qlen, fs_out_tcp, WIRE_MAXMSG, true);
	msgcheck_response(q, qlen, fs_out_udp, nu, 512, "udp", &mu);
	msgcheck_response(q, qlen, fs_out_tcp, nt, WIRE_MAXMSG, "tcp", &mt);
	msgcheck_pair_prefix(q, qlen, fs_out_udp, nu, &mu, fs_out_tcp, nt, &mt);
}

struct fs_names {
	char	svc[FS_NAMES][REC_LABEL], sdc[FS_NAMES][REC_LABEL];
	char	tag[FS_NAMES][REC_LABEL];
	size_t	nsvc;
	char	node[FS_NAMES][REC_LABEL], ndc[FS_NAMES][REC_LABEL];
	size_t	nnode;
	struct rec_addr addr[FS_NAMES];
	size_t	naddr;
	size_t	insts;
};

static void
fs_collect_inst(const char *id, size_t idlen, const struct rec_inst *r,
    void *arg)
{
	struct fs_names *n = arg;
	const char *dc = r->dc[0] ? r->dc : fs_set.local_dc;

	(void)id;
	(void)idlen;
	n->insts++;
	if (n->nsvc < FS_NAMES) {
		strcpy(n->svc[n->nsvc], r->service);
		strcpy(n->sdc[n->nsvc], dc);
		strcpy(n->tag[n->nsvc], r->ntags ? r->tags : "");
		n->nsvc++;
	}
	if (r->node[0] != '\0' && n->nnode < FS_NAMES) {
		strcpy(n->node[n->nnode], r->node);
		strcpy(n->ndc[n->nnode], dc);
		n->nnode++;
	}
	if (n->naddr < FS_NAMES)
		n->addr[n->naddr++] = r->addr;
}

static void
fs_collect_node(const struct rec_node *r, void *arg)
{
	struct fs_names *n = arg;

	if (n->nnode < FS_NAMES) {
		strcpy(n->node[n->nnode], r->name);
		strcpy(n->ndc[n->nnode], r->dc[0] ? r->dc : fs_set.local_dc);
		n->nnode++;
	}
	if (n->naddr < FS_NAMES)
		n->addr[n->naddr++] = r->addr;
}

/* The PTR question of a, under in-addr.arpa or ip6.arpa (not consul.). */
static void
fs_ask_ptr(const struct rec_addr *a)
{
	struct msgcheck mu, mt;
	uint8_t q[WIRE_HDR + DNAME_MAXLEN + 4];
	size_t o = WIRE_HDR, i, nu, nt;
	static const char hex[] = "0123456789abcdef";

	memset(q, 0, WIRE_HDR);
	q[5] = 1;
	if (a->family == 4) {
		for (i = 0; i < 4; i++)
			o += (size_t)sprintf((char *)q + o, "%c%u",
			    a->a[3 - i] >= 100 ? 3 : a->a[3 - i] >= 10 ? 2 : 1,
			    a->a[3 - i]);
		memcpy(q + o, "\7in-addr\4arpa\0", 14);
		o += 14;
	} else {
		for (i = 0; i < 32; i++) {
			q[o++] = 1;
			q[o++] = (uint8_t)hex[i % 2 ? a->a[15 - i / 2] >> 4
			    : a->a[15 - i / 2] & 15];
		}
		memcpy(q + o, "\3ip6\4arpa\0", 10);
		o += 10;
	}
	wire_put16(q + o, WIRE_T_PTR);
	wire_put16(q + o + 2, WIRE_C_IN);
	o += 4;
	fs_ctx.rng = 1;
	nu = answer_query(&fs_ctx, q, o, fs_out_udp, FS_UDPMAX, false);
	nt = answer_query(&fs_ctx, q, o, fs_out_tcp, WIRE_MAXMSG, true);
	msgcheck_response(q, o, fs_out_udp, nu, 512, "udp", &mu);
	msgcheck_response(q, o, fs_out_tcp, nt, WIRE_MAXMSG, "tcp", &mt);
	msgcheck_pair_prefix(q, o, fs_out_udp, nu, &mu, fs_out_tcp, nt, &mt);
}

/* Publish m and ask it about the names it holds. */
static void
fs_serve(struct model *m, const struct fs_names *n)
{
	static const uint16_t types[] = { WIRE_T_SRV, WIRE_T_A, WIRE_T_AAAA,
	    WIRE_T_TXT, WIRE_T_ANY };
	char under[REC_LABEL + 1], tagged[REC_LABEL + 1];
	size_t i, t;

	if (model_publish_all(m, &fs_set) < 0)
		fs_fail("model_publish_all", NULL);
	fs_ctx.reg = reg_current();
	for (i = 0; i < n->nsvc; i++) {
		const char *plain[] = { n->svc[i], "service", n->sdc[i], NULL };
		const char *tag[] = { n->tag[i], n->svc[i], "service",
		    n->sdc[i], NULL };
		const char *rfc[] = { under, tagged, n->sdc[i], NULL };

		for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			fs_ask(plain, types[t]);
		if (n->tag[i][0] != '\0')
			fs_ask(tag, WIRE_T_SRV);
		snprintf(under, sizeof(under), "_%s", n->svc[i]);
		snprintf(tagged, sizeof(tagged), "_%s", n->tag[i][0] != '\0'
		    ? n->tag[i] : "tcp");
		fs_ask(rfc, WIRE_T_SRV);
	}
	for (i = 0; i < n->nnode; i++) {
		const char *node[] = { n->node[i], "node", n->ndc[i], NULL };

		fs_ask(node, WIRE_T_A);
		fs_ask(node, WIRE_T_TXT);
	}
	for (i = 0; i < n->naddr; i++)
		fs_ask_ptr(&n->addr[i]);
}

/* ---- comparing two models ---- */

struct fs_recs {
	char	**v;
	size_t	 n, cap;
};

static void
fs_add(struct fs_recs *r, const char *prefix, size_t plen,
    const struct rec_kv *kv, size_t n)
{
	size_t len = plen + 1, i, o;
	char *s;

	for (i = 0; i < n; i++)
		len += kv[i].klen + kv[i].vlen + 2;
	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, prefix, plen);
	o = plen;
	s[o++] = '\n';
	for (i = 0; i < n; i++) {
		memcpy(s + o, kv[i].k, kv[i].klen);
		o += kv[i].klen;
		s[o++] = '=';
		memcpy(s + o, kv[i].v, kv[i].vlen);
		o += kv[i].vlen;
		s[o++] = '\n';
	}
	s[o] = '\0';
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		if ((r->v = realloc(r->v, r->cap * sizeof(*r->v))) == NULL)
			abort();
	}
	r->v[r->n++] = s;
}

static void
fs_rec_inst(const char *id, size_t idlen, const struct rec_inst *r,
    void *arg)
{
	struct rec_kv kv[REC_MAXFIELDS];
	static char buf[REC_FMTBUF];

	fs_add(arg, id, idlen, kv, rec_inst_format(r, kv, buf, sizeof(buf)));
}

static void
fs_rec_node(const struct rec_node *r, void *arg)
{
	struct rec_kv kv[REC_MAXFIELDS];
	static char buf[REC_FMTBUF];
	char name[REC_LABEL + 6];

	snprintf(name, sizeof(name), "node %s", r->name);
	fs_add(arg, name, strlen(name), kv,
	    rec_node_format(r, kv, buf, sizeof(buf)));
}

static int
fs_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record of m as text, sorted (instance ids may hold NUL: fine). */
static void
fs_records(const struct model *m, struct fs_recs *r)
{
	memset(r, 0, sizeof(*r));
	model_each_inst(m, fs_rec_inst, r);
	model_each_node(m, fs_rec_node, r);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), fs_strcmp);
}

static void
fs_recs_free(struct fs_recs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

/* Save m, load it back: the same records. */
static void
fs_round_trip(const struct model *m, const char *id)
{
	struct fs_recs a, b;
	struct model *m2;
	char id2[STATE_IDLEN], err[512];
	long n;
	size_t i;

	if (state_save(fs_out, m, id, FS_SOURCE) < 0) {
		perror("fuzz_state: state_save");
		abort();
	}
	if ((m2 = model_new(&fs_set)) == NULL)
		abort();
	if ((n = state_load(fs_out, m2, FS_SOURCE, id2, err, sizeof(err))) < 0)
		fs_fail("a saved state does not load", err);
	if (strcmp(id, id2) != 0 || (size_t)n != model_instances(m)
	    || model_instances(m2) != model_instances(m)
	    || model_nodes(m2) != model_nodes(m)
	    || model_services(m2) != model_services(m))
		fs_fail("a saved state loads as another", id2);
	fs_records(m, &a);
	fs_records(m2, &b);
	if (a.n != b.n)
		fs_fail("a saved state loads other records", NULL);
	for (i = 0; i < a.n; i++)
		if (strcmp(a.v[i], b.v[i]) != 0)
			fs_fail("a record changed through the state file",
			    a.v[i]);
	fs_recs_free(&a);
	fs_recs_free(&b);
	model_free(m2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fs_names *names;
	struct model *m;
	char id[STATE_IDLEN], err[512];
	FILE *fp;
	long n;

	if ((fp = fopen(fs_in, "w")) == NULL
	    || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		perror("fuzz_state: writing the input");
		abort();
	}
	if ((m = model_new(&fs_set)) == NULL)
		abort();
	memset(id, 0x55, sizeof(id));
	err[0] = '\0';
	n = state_load(fs_in, m, FS_SOURCE, id, err, sizeof(err));
	if (n < 0) {
		if (err[0] == '\0')
			fs_fail("refused without a reason", NULL);
		model_free(m);
		return 0;
	}
	if (memchr(id, '\0', sizeof(id)) == NULL)
		fs_fail("a stream id not terminated", NULL);
	if ((size_t)n < model_instances(m))
		fs_fail("more instances than were counted", NULL);
	if ((names = calloc(1, sizeof(*names))) == NULL)
		abort();
	model_each_inst(m, fs_collect_inst, names);
	model_each_node(m, fs_collect_node, names);
	fs_serve(m, names);
	fs_round_trip(m, id);
	free(names);
	fs_ctx.reg = NULL;
	if (reg_publish(NULL) < 0)
		abort();
	(void)qsbr_reclaim();
	model_free(m);
	return 0;
}
