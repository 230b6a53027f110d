/*
 * model.c -- the main thread's working copy of the registry.
 *
 * Instances are grouped twice: by (service, datacenter) and, when they
 * name one, by (node, datacenter); a node may also have a record of its
 * own.  A change marks the groups it touches dirty.  model_flush() first
 * rebuilds dirty nodes (whose address set decides whether an instance's
 * SRV target is <node>.node or <hex>.addr, so a node whose addresses
 * changed dirties the services of its instances), then dirty services.
 * Empty groups are freed only there, so the dirty lists never point at
 * freed memory.  A third grouping, by address, gives the PTR answers of
 * registered addresses: the names of the instances (and node records)
 * that use the address.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "log.h"
#include "model.h"

#define MODEL_MAXDC	256

struct model_group;

enum model_kind { MODEL_SVC, MODEL_NODE, MODEL_ADDR };

struct model_inst {
	struct rec_inst		 rec;
	struct model_group	*grp[3];	/* by enum model_kind */
	uint32_t		 idx[3];
	uint32_t		 idlen;
	char			 id[];
};

/*
 * A group is sized to its key: a registry of a million instances, each
 * on a node of its own, holds two million of them.
 */
struct model_group {
	struct model_inst	**v;		/* &v1 while there is one */
	struct model_inst	*v1;
	uint32_t		 n, cap;
	uint8_t			 kind;		/* enum model_kind */
	bool			 dirty;
	uint8_t			 klen;
	uint16_t		 naddrs;	/* nodes: published addresses */
	struct rec_addr		*addrs;		/* &addr1 for one */
	struct rec_addr		 addr1;
	struct rec_node		*rec;		/* nodes: a record of its own */
	struct model_group	*rec_addr;	/* nodes: the record's address */
	struct model_group	**recs;		/* addresses: node records */
	uint32_t		 nrecs, caprecs;
	char			 key[];		/* name NUL dc NUL, or for
						   addresses a rec_addr */
};

/* The name and dc of a service or node group; an address group's address. */
#define MODEL_NAME(g)	((const char *)(g)->key)
#define MODEL_DC(g)	((const char *)(g)->key + strlen((g)->key) + 1)
#define MODEL_ADDRESS(g) ((const struct rec_addr *)(const void *)(g)->key)

struct model {
	struct reg_settings	 set;
	struct reg		*reg;		/* where flushes go */
	struct hmap		*insts;		/* id -> model_inst */
	struct hmap		*svcs;		/* name\0dc -> group */
	struct hmap		*nodes;		/* name\0dc -> group */
	struct hmap		*addrs;		/* family, 16 bytes -> group */
	struct hmap		*noderecs;	/* name -> group with has_rec */
	struct model_group	**dirty;
	size_t			 ndirty, capdirty;
	bool			 dcs_dirty;
};

static const char *
model_dc(const struct model *m, const char *dc)
{
	return dc[0] != '\0' ? dc : m->set.local_dc;
}

struct model *
model_new(const struct reg_settings *s)
{
	struct model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->set = *s;
	m->insts = hmap_new();
	m->svcs = hmap_new();
	m->nodes = hmap_new();
	m->addrs = hmap_new();
	m->noderecs = hmap_new();
	if (m->insts == NULL || m->svcs == NULL || m->nodes == NULL
	    || m->addrs == NULL || m->noderecs == NULL) {
		model_free(m);
		return NULL;
	}
	return m;
}

static void
model_free_inst(const void *k, size_t len, void *v, void *arg)
{
	struct model_inst *i = v;

	(void)k;
	(void)len;
	(void)arg;
	rec_inst_clear(&i->rec);
	free(i);
}

static void
model_free_group(const void *k, size_t len, void *v, void *arg)
{
	struct model_group *g = v;

	(void)k;
	(void)len;
	(void)arg;
	if (g->rec != NULL)
		rec_node_clear(g->rec);
	free(g->rec);
	if (g->addrs != &g->addr1)
		free(g->addrs);
	free(g->recs);
	if (g->v != &g->v1)
		free(g->v);
	free(g);
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	if (m->insts)
		hmap_each(m->insts, model_free_inst, NULL);
	if (m->svcs)
		hmap_each(m->svcs, model_free_group, NULL);
	if (m->nodes)
		hmap_each(m->nodes, model_free_group, NULL);
	if (m->addrs)
		hmap_each(m->addrs, model_free_group, NULL);
	hmap_free(m->insts);
	hmap_free(m->svcs);
	hmap_free(m->nodes);
	hmap_free(m->addrs);
	hmap_free(m->noderecs);
	free(m->dirty);
	free(m);
}

static int
model_mark(struct model *m, struct model_group *g)
{
	if (g->dirty)
		return 0;
	if (m->ndirty == m->capdirty) {
		size_t cap = m->capdirty ? m->capdirty * 2 : 64;
		struct model_group **d = realloc(m->dirty, cap * sizeof(*d));

		if (d == NULL)
			return -1;
		m->dirty = d;
		m->capdirty = cap;
	}
	m->dirty[m->ndirty++] = g;
	g->dirty = true;
	return 0;
}

/* The key of a group; addresses are keyed by family and 16 bytes. */
static size_t
model_group_key(char *key, enum model_kind kind, const char *name,
    const char *dc, const struct rec_addr *a)
{
	if (kind != MODEL_ADDR)
		return reg_key(key, name, dc);
	key[0] = (char)a->family;
	memcpy(key + 1, a->a, 16);
	return 17;
}

static struct hmap *
model_map(const struct model *m, enum model_kind kind)
{
	return kind == MODEL_SVC ? m->svcs : kind == MODEL_NODE ? m->nodes
	    : m->addrs;
}

static struct model_group *
model_group(struct model *m, enum model_kind kind, const char *name,
    const char *dc, const struct rec_addr *a)
{
	char key[REG_KEYMAX];
	size_t klen = model_group_key(key, kind, name, dc, a);
	struct hmap *h = model_map(m, kind);
	struct model_group *g = hmap_get(h, key, klen);

	if (g != NULL)
		return g;
	/* the key with a NUL after it: name and dc are C strings */
	g = calloc(1, sizeof(*g) + klen + 1);
	if (g == NULL)
		return NULL;
	g->kind = (uint8_t)kind;
	g->klen = (uint8_t)klen;
	memcpy(g->key, key, klen);
	if (kind != MODEL_ADDR)
		m->dcs_dirty = true;
	if (hmap_put_ref(h, g->key, klen, g) < 0) {
		free(g);
		return NULL;
	}
	return g;
}

static int
model_join(struct model *m, struct model_group *g, struct model_inst *i)
{
	if (g->cap == 0) {
		g->v = &g->v1;
		g->cap = 1;
	} else if (g->n == g->cap) {
		uint32_t cap = g->cap * 2;
		struct model_inst **v = g->v == &g->v1 ? malloc(cap * sizeof(*v))
		    : realloc(g->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		if (g->v == &g->v1)
			v[0] = g->v1;
		g->v = v;
		g->cap = cap;
	}
	i->grp[g->kind] = g;
	i->idx[g->kind] = g->n;
	g->v[g->n++] = i;
	return model_mark(m, g);
}

static void
model_leave(struct model *m, struct model_group *g, size_t idx)
{
	struct model_inst *last = g->v[--g->n];

	if (idx != g->n) {
		g->v[idx] = last;
		last->idx[g->kind] = idx;
	}
	(void)model_mark(m, g);
}

static void
model_detach(struct model *m, struct model_inst *i)
{
	int k;

	for (k = 0; k < 3; k++) {
		if (i->grp[k] != NULL)
			model_leave(m, i->grp[k], i->idx[k]);
		i->grp[k] = NULL;
	}
}

static int
model_attach(struct model *m, struct model_inst *i)
{
	const char *dc = model_dc(m, i->rec.dc);
	struct model_group *g;

	g = model_group(m, MODEL_SVC, i->rec.service, dc, NULL);
	if (g == NULL || model_join(m, g, i) < 0)
		return -1;
	g = model_group(m, MODEL_ADDR, NULL, NULL, &i->rec.addr);
	if (g == NULL || model_join(m, g, i) < 0)
		return -1;
	if (i->rec.node[0] == '\0')
		return 0;
	g = model_group(m, MODEL_NODE, i->rec.node, dc, NULL);
	if (g == NULL || model_join(m, g, i) < 0)
		return -1;
	return 0;
}

/* A node record uses address group a (NULL: none any more). */
static int
model_rec_addr(struct model *m, struct model_group *node,
    struct model_group *a)
{
	struct model_group *old = node->rec_addr;
	size_t i;

	if (old != NULL) {
		for (i = 0; i < old->nrecs; i++)
			if (old->recs[i] == node) {
				old->recs[i] = old->recs[--old->nrecs];
				break;
			}
		(void)model_mark(m, old);
	}
	node->rec_addr = a;
	if (a == NULL)
		return 0;
	if (a->nrecs == a->caprecs) {
		uint32_t cap = a->caprecs ? a->caprecs * 2 : 1;
		struct model_group **r = realloc(a->recs, cap * sizeof(*r));

		if (r == NULL) {
			node->rec_addr = NULL;
			return -1;
		}
		a->recs = r;
		a->caprecs = cap;
	}
	a->recs[a->nrecs++] = node;
	return model_mark(m, a);
}

int
model_inst_put(struct model *m, const char *id, size_t idlen,
    struct rec_inst *rec)
{
	struct model_inst *i = hmap_get(m->insts, id, idlen);

	if (i != NULL) {
		model_detach(m, i);
		rec_inst_clear(&i->rec);
	} else {
		i = calloc(1, sizeof(*i) + idlen + 1);
		if (i != NULL)
			memcpy(i->id, id, idlen);
		if (i == NULL || hmap_put_ref(m->insts, i->id, idlen, i) < 0) {
			free(i);
			rec_inst_clear(rec);
			return -1;
		}
		i->idlen = (uint32_t)idlen;
	}
	i->rec = *rec;
	memset(rec, 0, sizeof(*rec));
	if (model_attach(m, i) < 0) {
		log_warnx("registry, out of memory: instance %.*s not served",
		    (int)idlen, id);
		model_detach(m, i);
		return -1;
	}
	return 0;
}

void
model_inst_del(struct model *m, const char *id, size_t idlen)
{
	struct model_inst *i = hmap_del(m->insts, id, idlen);

	if (i == NULL)
		return;
	model_detach(m, i);
	rec_inst_clear(&i->rec);
	free(i);
}

int
model_node_put(struct model *m, struct rec_node *rec)
{
	/* noderecs only names groups that hold a record */
	struct model_group *old = hmap_get(m->noderecs, rec->name,
	    strlen(rec->name)), *g, *a;
	struct rec_node *keep = old != NULL ? old->rec : NULL;

	g = model_group(m, MODEL_NODE, rec->name, model_dc(m, rec->dc), NULL);
	a = model_group(m, MODEL_ADDR, NULL, NULL, &rec->addr);
	if (g == NULL || a == NULL
	    || (keep == NULL && (keep = malloc(sizeof(*keep))) == NULL)
	    || hmap_put_ref(m->noderecs, g->key, strlen(rec->name), g) < 0
	    || model_mark(m, g) < 0) {
		if (old == NULL)
			free(keep);
		rec_node_clear(rec);
		return -1;
	}
	if (old != NULL) {
		/* its record moves to g (the same group, or another dc) */
		rec_node_clear(old->rec);
		old->rec = NULL;
		(void)model_rec_addr(m, old, NULL);
		(void)model_mark(m, old);
	}
	*keep = *rec;
	g->rec = keep;
	memset(rec, 0, sizeof(*rec));
	return model_rec_addr(m, g, a);
}

void
model_node_del(struct model *m, const char *name, size_t len)
{
	struct model_group *g = hmap_del(m->noderecs, name, len);

	if (g == NULL || g->rec == NULL)
		return;
	rec_node_clear(g->rec);
	free(g->rec);
	g->rec = NULL;
	(void)model_rec_addr(m, g, NULL);
	(void)model_mark(m, g);
}

/* ---- flushing ---- */

static bool
model_addr_in(const struct rec_addr *set, size_t n, const struct rec_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i].family == a->family
		    && memcmp(set[i].a, a->a, a->family == 4 ? 4 : 16) == 0)
			return true;
	return false;
}

/* The node's addresses: its record's, else its instances' (distinct). */
static size_t
model_node_addrs(const struct model_group *g, struct rec_addr *out)
{
	size_t i, n = 0;

	if (g->rec != NULL) {
		out[0] = g->rec->addr;
		return 1;
	}
	for (i = 0; i < g->n; i++)
		if (!model_addr_in(out, n, &g->v[i]->rec.addr))
			out[n++] = g->v[i]->rec.addr;
	return n;
}

static int
model_flush_node(struct model *m, struct model_group *g)
{
	struct rec_addr *addrs = malloc((g->n + 1) * sizeof(*addrs));
	struct reg_node *obj = NULL;
	size_t n, i;

	if (addrs == NULL)
		return -1;
	n = model_node_addrs(g, addrs);
	if (n != g->naddrs
	    || (n > 0 && memcmp(addrs, g->addrs, n * sizeof(*addrs)) != 0)) {
		for (i = 0; i < g->n; i++)
			if (model_mark(m, g->v[i]->grp[MODEL_SVC]) < 0) {
				free(addrs);
				return -1;
			}
	}
	if (g->addrs != &g->addr1)
		free(g->addrs);
	if (n <= 1) {
		/* one address (the usual) needs no allocation, none none */
		if (n == 1)
			g->addr1 = addrs[0];
		free(addrs);
		addrs = n == 1 ? &g->addr1 : NULL;
	}
	g->addrs = addrs;
	g->naddrs = (uint16_t)n;
	if (n > 0) {
		obj = reg_node_build(&m->set, addrs, n,
		    g->rec ? g->rec->meta : "", g->rec ? g->rec->nmeta : 0);
		if (obj == NULL)
			return -1;
	}
	return reg_set_node(m->reg, MODEL_NAME(g), MODEL_DC(g), obj);
}

static int
model_flush_svc(struct model *m, struct model_group *g)
{
	struct reg_member *mem = malloc((g->n + 1) * sizeof(*mem));
	struct reg_svc *obj;
	bool nomem = false;
	size_t i;
	int rc;

	if (mem == NULL)
		return -1;
	for (i = 0; i < g->n; i++) {
		const struct model_inst *in = g->v[i];

		const struct model_group *node = in->grp[MODEL_NODE];

		/* <node>.node only if it resolves to exactly this address */
		mem[i].rec = &in->rec;
		mem[i].node_target = node != NULL && node->naddrs == 1
		    && model_addr_in(node->addrs, node->naddrs, &in->rec.addr);
	}
	obj = reg_svc_build(&m->set, MODEL_NAME(g), MODEL_DC(g), mem, g->n,
	    &nomem);
	free(mem);
	if (nomem)
		return -1;
	rc = reg_set_svc(m->reg, MODEL_NAME(g), MODEL_DC(g), obj);
	if (rc < 0)
		reg_svc_free(obj);
	return rc;
}

/* The PTR names of an address: its instances' and node records'. */
static int
model_flush_addr(struct model *m, struct model_group *g)
{
	size_t cap = (g->n + g->nrecs) * (3 * REC_LABEL + 16) + 1, o = 0, n = 0;
	size_t i, j;
	char *names = malloc(cap), one[3 * REC_LABEL + 16];
	struct reg_ptr *obj = NULL;
	int rc;

	if (names == NULL)
		return -1;
	for (i = 0; i < g->n + g->nrecs; i++) {
		const char *x = names;

		if (i < g->n) {
			const struct rec_inst *r = &g->v[i]->rec;

			snprintf(one, sizeof(one), "%s.%s.%s", r->node[0]
			    ? r->node : r->service, r->node[0] ? "node"
			    : "service", model_dc(m, r->dc));
		} else {
			const struct model_group *node = g->recs[i - g->n];

			snprintf(one, sizeof(one), "%s.node.%s",
			    MODEL_NAME(node), MODEL_DC(node));
		}
		for (j = 0; j < n && strcmp(x, one) != 0; j++)
			x = rec_next(x);
		if (j < n)
			continue;
		memcpy(names + o, one, strlen(one) + 1);
		o += strlen(one) + 1;
		n++;
	}
	if (n > 0 && (obj = reg_ptr_build(names, n, m->set.node_ttl)) == NULL) {
		free(names);
		return -1;
	}
	free(names);
	rc = reg_set_ptr(m->reg, MODEL_ADDRESS(g), obj);
	if (rc < 0)
		reg_ptr_free(obj);
	return rc;
}

/* Free a group nothing refers to any more. */
static void
model_drop(struct model *m, struct model_group *g)
{
	if (g->n > 0 || g->rec != NULL || g->nrecs > 0)
		return;
	hmap_del(model_map(m, g->kind), g->key, g->klen);
	if (g->kind != MODEL_ADDR)
		m->dcs_dirty = true;
	model_free_group(NULL, 0, g, NULL);
}

struct model_dcs {
	char	(*dc)[REC_LABEL];
	size_t	 n;
};

static void
model_collect_dc(const void *k, size_t len, void *v, void *arg)
{
	const struct model_group *g = v;
	struct model_dcs *d = arg;
	size_t i;

	(void)k;
	(void)len;
	for (i = 0; i < d->n; i++)
		if (strcmp(d->dc[i], MODEL_DC(g)) == 0)
			return;
	if (d->n < MODEL_MAXDC)
		strcpy(d->dc[d->n++], MODEL_DC(g));
}

static int
model_flush_dcs(struct model *m)
{
	char dcs[MODEL_MAXDC][REC_LABEL];
	struct model_dcs d = { dcs, 0 };

	hmap_each(m->svcs, model_collect_dc, &d);
	hmap_each(m->nodes, model_collect_dc, &d);
	m->dcs_dirty = false;
	return reg_set_dcs(m->reg, (const char (*)[REC_LABEL])dcs, d.n);
}

int
model_flush(struct model *m)
{
	size_t i;
	int rc = 0;

	/* nodes first: they may mark services (appended to the list) */
	for (i = 0; i < m->ndirty; i++)
		if (m->dirty[i]->kind == MODEL_NODE
		    && model_flush_node(m, m->dirty[i]) < 0)
			rc = -1;
	for (i = 0; i < m->ndirty; i++) {
		struct model_group *g = m->dirty[i];

		if ((g->kind == MODEL_SVC && model_flush_svc(m, g) < 0)
		    || (g->kind == MODEL_ADDR && model_flush_addr(m, g) < 0))
			rc = -1;
	}
	for (i = 0; i < m->ndirty; i++) {
		m->dirty[i]->dirty = false;
		model_drop(m, m->dirty[i]);
	}
	m->ndirty = 0;
	if (m->dcs_dirty && model_flush_dcs(m) < 0)
		rc = -1;
	if (rc < 0)
		log_warnx("registry, out of memory: some changes are not served");
	return rc;
}

static void
model_mark_all(const void *k, size_t len, void *v, void *arg)
{
	(void)k;
	(void)len;
	(void)model_mark(arg, v);
}

static void
model_regroup_one(const void *k, size_t len, void *v, void *arg)
{
	(void)k;
	(void)len;
	model_detach(arg, v);
	(void)model_attach(arg, v);
}

int
model_publish_all(struct model *m, const struct reg_settings *s)
{
	struct reg *r = reg_new(s);
	bool regroup = strcmp(s->local_dc, m->set.local_dc) != 0;

	if (r == NULL)
		return -1;
	m->set = *s;
	m->reg = r;
	if (regroup)
		hmap_each(m->insts, model_regroup_one, m);
	hmap_each(m->nodes, model_mark_all, m);
	hmap_each(m->svcs, model_mark_all, m);
	hmap_each(m->addrs, model_mark_all, m);
	m->dcs_dirty = true;
	if (model_flush(m) < 0)
		log_warnx("registry, built with parts missing (out of memory)");
	return reg_publish(r);
}

size_t
model_instances(const struct model *m)
{
	return hmap_count(m->insts);
}

size_t
model_services(const struct model *m)
{
	return hmap_count(m->svcs);
}

size_t
model_nodes(const struct model *m)
{
	return hmap_count(m->nodes);
}

struct model_visit {
	void	(*inst)(const char *, size_t, const struct rec_inst *, void *);
	void	(*node)(const struct rec_node *, void *);
	void	*arg;
};

static void
model_visit_inst(const void *k, size_t len, void *v, void *arg)
{
	const struct model_inst *i = v;
	struct model_visit *mv = arg;

	(void)k;
	(void)len;
	mv->inst(i->id, i->idlen, &i->rec, mv->arg);
}

static void
model_visit_node(const void *k, size_t len, void *v, void *arg)
{
	const struct model_group *g = v;
	struct model_visit *mv = arg;

	(void)k;
	(void)len;
	if (g->rec != NULL)
		mv->node(g->rec, mv->arg);
}

void
model_each_inst(const struct model *m,
    void (*fn)(const char *, size_t, const struct rec_inst *, void *),
    void *arg)
{
	struct model_visit mv = { fn, NULL, arg };

	hmap_each(m->insts, model_visit_inst, &mv);
}

void
model_each_node(const struct model *m,
    void (*fn)(const struct rec_node *, void *), void *arg)
{
	struct model_visit mv = { NULL, fn, arg };

	hmap_each(m->nodes, model_visit_node, &mv);
}
