/*
 * test_registry.c -- unit tests for registry.c (built through model.c).
 *
 * A registry is built the way musterd builds it: fields decoded by
 * rec_inst_parse()/rec_node_parse(), given to the model, published; the
 * questions are literal names parsed by wire_parse() and answered by
 * reg_answer().  Covers what fuzz_registry and fuzz_state found:
 *   - instances sharing an address (one host, several ports) gave the
 *     address twice in an A answer; an RRset holds each record once
 *     (RFC 2181 5), while SRV keeps one record per instance;
 *   - a label with a NUL in it ("web\0x") matched service "web";
 *   - a node's TXT offsets were stored misaligned behind its 17-byte
 *     addresses (UBSan, in the asan build of contrib/test);
 *   - a node record that moved datacenter before the first flush left
 *     a node without addresses, compared with memcmp(NULL) (UBSan).
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "model.h"
#include "record.h"
#include "registry.h"
#include "wire.h"

static struct reg_settings set;
static struct model *m;
static uint8_t pkt[512], out[4096];
static struct wire_query q;
static struct reg_out ro;

/* "k=v k=v ..." into the fields of an instance, put as id. */
static void
put_inst(const char *id, const char *fields)
{
	struct rec_kv kv[REC_MAXFIELDS];
	struct rec_inst r;
	char buf[1024], why[256], *f, *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", fields);
	for (f = strtok_r(buf, " ", &save); f != NULL;
	    f = strtok_r(NULL, " ", &save), n++) {
		kv[n].k = f;
		kv[n].klen = (size_t)(strchr(f, '=') - f);
		kv[n].v = f + kv[n].klen + 1;
		kv[n].vlen = strlen(kv[n].v);
	}
	cr_assert_eq(rec_inst_parse(&r, kv, n, why, sizeof(why)), 0, "%s: %s",
	    id, why);
	cr_assert_eq(model_inst_put(m, id, strlen(id), &r), 0);
}

/* A node record with two meta entries (dc "": the local one). */
static void
put_node(const char *name, const char *addr, const char *dc)
{
	struct rec_kv kv[4] = {
		{ "address", 7, addr, strlen(addr) },
		{ "meta.a", 6, "one", 3 },
		{ "meta.b", 6, "two", 3 },
		{ "dc", 2, dc, strlen(dc) },
	};
	struct rec_node r;
	char why[256];

	cr_assert_eq(rec_node_parse(&r, name, strlen(name), kv,
	    dc[0] != '\0' ? 4 : 3, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(model_node_put(m, &r), 0);
}

static void
setup(void)
{
	const char *why;
	int n;

	memset(&set, 0, sizeof(set));
	n = dname_from_str(set.domain, "consul.", &why);
	cr_assert_gt(n, 0);
	set.domain_len = (uint8_t)n;
	strcpy(set.local_dc, "dc1");
	set.service_ttl = 5;
	set.node_ttl = 5;
	m = model_new(&set);
	cr_assert_not_null(m);
}

static void
teardown(void)
{
	model_free(m);
}

TestSuite(registry, .init = setup, .fini = teardown);

/* Ask the published registry: name (wire, without consul.), type. */
static enum reg_result
ask(const char *label_wire, size_t len, uint16_t qtype)
{
	uint64_t rng = 42;
	size_t o = WIRE_HDR;

	memset(pkt, 0, WIRE_HDR);
	pkt[5] = 1;
	memcpy(pkt + o, label_wire, len);
	o += len;
	memcpy(pkt + o, "\6consul\0", 8);
	o += 8;
	wire_put16(pkt + o, qtype);
	wire_put16(pkt + o + 2, WIRE_C_IN);
	o += 4;
	cr_assert_eq(wire_parse(pkt, o, &q), WIRE_OK);
	memset(&ro, 0, sizeof(ro));
	return reg_answer(reg_current(), &q, out, sizeof(out), &rng, &ro);
}

#define ASK(lit, t)	ask((lit), sizeof(lit) - 1, (t))

Test(registry, one_record_per_address)
{
	put_inst("web-1", "service=web address=10.0.0.1 port=8080");
	put_inst("web-2", "service=web address=10.0.0.1 port=8081 tags=green");
	put_inst("web-3", "service=web address=10.0.0.2 port=8080 tags=green");
	put_inst("web-4", "service=web address=2001:db8::1 port=1");
	put_inst("web-5", "service=web address=2001:db8::1 port=2");
	cr_assert_eq(model_publish_all(m, &set), 0);
	cr_assert_eq(ASK("\3web\7service", WIRE_T_A), REG_ANSWER);
	cr_assert_eq(ro.an, 2, "A: %u records", ro.an);
	cr_assert_eq(ASK("\3web\7service", WIRE_T_AAAA), REG_ANSWER);
	cr_assert_eq(ro.an, 1);
	cr_assert_eq(ASK("\3web\7service", WIRE_T_ANY), REG_ANSWER);
	cr_assert_eq(ro.an, 3);
	cr_assert_eq(ASK("\3web\7service", WIRE_T_SRV), REG_ANSWER);
	cr_assert_eq(ro.an, 5, "SRV: one per instance");
	/* web-2 carries the tag, web-1 (same address, first) does not */
	cr_assert_eq(ASK("\5green\3web\7service", WIRE_T_A), REG_ANSWER);
	cr_assert_eq(ro.an, 2);
}

Test(registry, a_nul_in_a_label_matches_nothing)
{
	put_inst("web-1", "service=web address=10.0.0.1 port=8080 node=node1");
	cr_assert_eq(model_publish_all(m, &set), 0);
	cr_assert_eq(ASK("\3web\7service", WIRE_T_A), REG_ANSWER);
	cr_assert_eq(ASK("\5web\0x\7service", WIRE_T_A), REG_NXDOMAIN);
	cr_assert_eq(ASK("\5_web\0\4_tcp\7service", WIRE_T_SRV),
	    REG_NXDOMAIN);
	cr_assert_eq(ASK("\5node1\4node", WIRE_T_A), REG_ANSWER);
	cr_assert_eq(ASK("\6node1\0\4node", WIRE_T_A), REG_NXDOMAIN);
}

Test(registry, node_meta_as_txt)
{
	put_inst("web-1", "service=web address=10.0.0.1 port=8080 node=node1");
	put_node("node1", "10.0.0.1", "");
	cr_assert_eq(model_publish_all(m, &set), 0);
	cr_assert_eq(ASK("\5node1\4node", WIRE_T_TXT), REG_ANSWER);
	cr_assert_eq(ro.an, 2);
	cr_assert_eq(ASK("\5node1\4node", WIRE_T_A), REG_ANSWER);
	cr_assert_eq(ro.an, 1);
}

Test(registry, node_moved_before_a_flush)
{
	put_node("node1", "10.0.0.1", "dc1");
	put_node("node1", "10.0.0.2", "dc2");
	cr_assert_eq(model_publish_all(m, &set), 0);
	cr_assert_eq(ASK("\5node1\4node\3dc2", WIRE_T_A), REG_ANSWER);
	cr_assert_eq(ASK("\5node1\4node", WIRE_T_A), REG_NXDOMAIN);
}
