/*
 * registry.c -- the served copy of the service registry.
 *
 * Layout of a service object (one allocation, read-only once published):
 * items sorted by priority, each with its address, port, weight and the
 * wire labels of its SRV target up to (not including) the domain, which
 * is copied from the question at answer time so that answers use the
 * question's spelling of the domain; per tag the indices of the items
 * carrying it; the TXT RDATA made from the instances' meta.
 *
 * Names under the domain D, after an optional datacenter label:
 *   service.D, node.D, addr.D, DC.D, _x.D     empty non-terminals: NODATA
 *   S.service.D                               service S
 *   T.S.service.D                             service S, tag T
 *   _S._P.service.D, _S._P.D                  SRV; P tcp/udp: no tag
 *   N.node.D                                  node N
 *   H.addr.D                                  8 or 32 hex digits
 * anything else is left to the zone data.  Reverse names (in-addr.arpa,
 * ip6.arpa) of registered addresses answer PTR; other reverse names are
 * left to the zones and forwarding.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "qsbr.h"
#include "registry.h"

#define REG_SEED	0x2d358dccaa6c78a5ULL

struct reg_item {
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 tlen;		/* target labels, without domain */
	uint16_t	 port, prio, weight;
	uint16_t	 toff;		/* target labels in pool */
	uint16_t	 same;		/* the first item with this address */
	uint8_t		 addr[16];
};

struct reg_tag {
	uint8_t		 len;
	char		 name[REC_LABEL];
	uint16_t	 first, n;	/* into tagidx */
};

struct reg_svc {
	uint32_t	 ttl;
	uint16_t	 n;
	uint16_t	 ntags;
	uint16_t	 ntxt;
	bool		 shared_addrs;	/* two items have one address */
	const struct reg_item *items;
	const struct reg_tag *tags;
	const uint16_t	*tagidx;
	const uint16_t	*txt;		/* pairs: offset, length in pool */
	const uint8_t	*pool;
};

struct reg_node {
	uint32_t	 ttl;
	uint16_t	 naddr;
	uint16_t	 ntxt;
	const struct rec_addr *addrs;
	const uint16_t	*txt;
	const uint8_t	*pool;
};

struct reg_ptr {
	uint32_t	 ttl;
	uint16_t	 n;
	const uint16_t	*name;		/* pairs: offset, length in pool */
	const uint8_t	*pool;		/* wire labels, no domain */
};

struct reg_entry {
	uint64_t	 hash;
	_Atomic(void *)	 obj;
	uint16_t	 klen;
	char		 key[];
};

struct reg_table {
	size_t		 mask;
	size_t		 used;
	_Atomic(struct reg_entry *) slot[];
};

struct reg_dcs {
	size_t		 n;
	char		 name[][REC_LABEL];
};

struct reg {
	struct reg_settings	 set;
	unsigned		 domain_labels;
	_Atomic(struct reg_table *) svcs;
	_Atomic(struct reg_table *) nodes;
	_Atomic(struct reg_table *) ptrs;
	_Atomic(const struct reg_dcs *) dcs;
};

static _Atomic(struct reg *) reg_cur;

/* ---- tables ---- */

size_t
reg_key(char *key, const char *name, const char *dc)
{
	size_t a = strlen(name), b = strlen(dc);

	memcpy(key, name, a);
	key[a] = '\0';
	memcpy(key + a + 1, dc, b);
	return a + 1 + b;
}

/* The index of tag t among tags[0..n), or n. */
static size_t
reg_tag_find(const struct reg_tag *tags, size_t n, const char *t)
{
	size_t x;

	for (x = 0; x < n; x++)
		if (strcmp(tags[x].name, t) == 0)
			break;
	return x;
}

static struct reg_table *
reg_table_new(size_t size)
{
	struct reg_table *t = calloc(1, sizeof(*t) + size * sizeof(t->slot[0]));

	if (t == NULL)
		return NULL;
	t->mask = size - 1;
	return t;
}

static struct reg_entry *
reg_table_find(const struct reg_table *t, const char *key, size_t klen,
    uint64_t h)
{
	size_t i;

	for (i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
		struct reg_entry *e = atomic_load_explicit(&t->slot[i],
		    memory_order_acquire);

		if (e == NULL)
			return NULL;
		if (e->hash == h && e->klen == klen
		    && memcmp(e->key, key, klen) == 0)
			return e;
	}
}

static void
reg_table_place(struct reg_table *t, struct reg_entry *e)
{
	size_t i;

	for (i = (size_t)e->hash & t->mask; atomic_load(&t->slot[i]) != NULL;
	    i = (i + 1) & t->mask)
		;
	atomic_store_explicit(&t->slot[i], e, memory_order_release);
	t->used++;
}

/* Set key -> obj in table *tp (growing it), retiring the old object. */
static int
reg_table_set(_Atomic(struct reg_table *) *tp, const char *key, size_t klen,
    void *obj, void (*free_fn)(void *))
{
	struct reg_table *t = atomic_load(tp), *bigger;
	uint64_t h = dname_hash((const uint8_t *)key, klen, REG_SEED);
	struct reg_entry *e = reg_table_find(t, key, klen, h);
	size_t i;

	if (e != NULL) {
		void *old = atomic_exchange(&e->obj, obj);

		if (old != NULL && qsbr_retire(free_fn, old) < 0)
			log_warnx("registry, out of memory: an object leaks");
		return 0;
	}
	if (obj == NULL)
		return 0;
	e = malloc(sizeof(*e) + klen);
	if (e == NULL)
		return -1;
	e->hash = h;
	atomic_init(&e->obj, obj);
	e->klen = (uint16_t)klen;
	memcpy(e->key, key, klen);
	if ((t->used + 1) * 2 > t->mask + 1) {
		bigger = reg_table_new((t->mask + 1) * 2);
		if (bigger == NULL) {
			free(e);
			return -1;
		}
		for (i = 0; i <= t->mask; i++) {
			struct reg_entry *x = atomic_load(&t->slot[i]);

			if (x != NULL)
				reg_table_place(bigger, x);
		}
		reg_table_place(bigger, e);
		atomic_store(tp, bigger);
		if (qsbr_retire(free, t) < 0)
			log_warnx("registry, out of memory: a table leaks");
		return 0;
	}
	reg_table_place(t, e);
	return 0;
}

static void *
reg_table_get(const _Atomic(struct reg_table *) *tp, const char *key,
    size_t klen)
{
	const struct reg_table *t = atomic_load_explicit(tp,
	    memory_order_acquire);
	struct reg_entry *e = reg_table_find(t, key, klen,
	    dname_hash((const uint8_t *)key, klen, REG_SEED));

	return e ? atomic_load_explicit(&e->obj, memory_order_acquire) : NULL;
}

static void
reg_table_free(struct reg_table *t, void (*free_fn)(void *))
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i <= t->mask; i++) {
		struct reg_entry *e = atomic_load(&t->slot[i]);

		if (e == NULL)
			continue;
		free_fn(atomic_load(&e->obj));
		free(e);
	}
	free(t);
}

/* ---- registry ---- */

struct reg *
reg_new(const struct reg_settings *s)
{
	struct reg *r = calloc(1, sizeof(*r));
	struct reg_table *a = reg_table_new(1024), *b = reg_table_new(1024);
	struct reg_table *c = reg_table_new(1024);
	struct reg_dcs *d = calloc(1, sizeof(*d));

	if (r == NULL || a == NULL || b == NULL || c == NULL || d == NULL) {
		free(r);
		free(a);
		free(b);
		free(c);
		free(d);
		return NULL;
	}
	atomic_init(&r->ptrs, c);
	r->set = *s;
	r->domain_labels = dname_count_labels(s->domain);
	atomic_init(&r->svcs, a);
	atomic_init(&r->nodes, b);
	atomic_init(&r->dcs, d);
	return r;
}

void
reg_free(void *p)
{
	struct reg *r = p;

	if (r == NULL)
		return;
	reg_table_free(atomic_load(&r->svcs), reg_svc_free);
	reg_table_free(atomic_load(&r->nodes), reg_node_free);
	reg_table_free(atomic_load(&r->ptrs), reg_ptr_free);
	free((void *)atomic_load(&r->dcs));
	free(r);
}

int
reg_publish(struct reg *r)
{
	struct reg *old = atomic_exchange(&reg_cur, r);

	if (old != NULL && qsbr_retire(reg_free, old) < 0)
		return -1;
	return 0;
}

const struct reg *
reg_current(void)
{
	return atomic_load_explicit(&reg_cur, memory_order_acquire);
}

const struct reg_settings *
reg_settings(const struct reg *r)
{
	return &r->set;
}

const uint8_t *
reg_domain(const struct reg *r, size_t *len)
{
	*len = r->set.domain_len;
	return r->set.domain;
}

int
reg_set_svc(struct reg *r, const char *name, const char *dc,
    struct reg_svc *obj)
{
	char key[REG_KEYMAX];

	return reg_table_set(&r->svcs, key, reg_key(key, name, dc), obj,
	    reg_svc_free);
}

int
reg_set_node(struct reg *r, const char *name, const char *dc,
    struct reg_node *obj)
{
	char key[REG_KEYMAX];

	return reg_table_set(&r->nodes, key, reg_key(key, name, dc), obj,
	    reg_node_free);
}

/* The key of an address: its family, then 16 bytes. */
static size_t
reg_addr_key(char *key, const struct rec_addr *a)
{
	key[0] = (char)a->family;
	memcpy(key + 1, a->a, 16);
	return 17;
}

int
reg_set_ptr(struct reg *r, const struct rec_addr *a, struct reg_ptr *obj)
{
	char key[17];

	return reg_table_set(&r->ptrs, key, reg_addr_key(key, a), obj,
	    reg_ptr_free);
}

int
reg_set_dcs(struct reg *r, const char (*dcs)[REC_LABEL], size_t n)
{
	struct reg_dcs *d = malloc(sizeof(*d) + n * REC_LABEL);
	const struct reg_dcs *old;

	if (d == NULL)
		return -1;
	d->n = n;
	memcpy(d->name, dcs, n * REC_LABEL);
	old = atomic_exchange(&r->dcs, d);
	if (qsbr_retire(free, (void *)old) < 0)
		log_warnx("registry, out of memory: a list leaks");
	return 0;
}

size_t
reg_svc_count(const struct reg_svc *s)
{
	return s ? s->n : 0;
}

/* ---- building objects ---- */

/* Wire labels of an SRV target, without the domain. */
static size_t
reg_target(uint8_t *out, const struct reg_member *m, const char *dc)
{
	static const char hex[] = "0123456789abcdef";
	const struct rec_inst *r = m->rec;
	size_t o = 0, n, i;

	if (m->node_target) {
		n = strlen(r->node);
		out[o++] = (uint8_t)n;
		memcpy(out + o, r->node, n);
		o += n;
		memcpy(out + o, "\4node", 5);
	} else {
		n = r->addr.family == 4 ? 4 : 16;
		out[o++] = (uint8_t)(n * 2);
		for (i = 0; i < n; i++) {
			out[o++] = (uint8_t)hex[r->addr.a[i] >> 4];
			out[o++] = (uint8_t)hex[r->addr.a[i] & 15];
		}
		memcpy(out + o, "\4addr", 5);
	}
	o += 5;
	n = strlen(dc);
	out[o++] = (uint8_t)n;
	memcpy(out + o, dc, n);
	return o + n;
}

static int
reg_member_prio_cmp(const void *a, const void *b)
{
	const struct reg_member *x = a, *y = b;

	if (x->rec->priority != y->rec->priority)
		return x->rec->priority < y->rec->priority ? -1 : 1;
	return x < y ? -1 : x > y;	/* stable enough: keep input order */
}

/* Which members are served: health, then the panic threshold. */
static size_t
reg_served(const struct reg_settings *s, const struct reg_member *m,
    size_t n, struct reg_member *out)
{
	size_t i, k = 0, total = 0;

	for (i = 0; i < n; i++) {
		if (m[i].rec->maint)
			continue;
		total++;
		if (rec_inst_served(m[i].rec, s->only_passing))
			out[k++] = m[i];
	}
	if (s->panic_pct > 0 && total > 0 && k * 100 < total * s->panic_pct) {
		k = 0;
		for (i = 0; i < n; i++)
			if (!m[i].rec->maint)
				out[k++] = m[i];
	}
	return k;
}

/* TXT RDATA of "key=value" strings (a list), deduplicated, into pool. */
static size_t
reg_txt(uint8_t *pool, size_t o, uint16_t *txt, size_t *ntxt,
    const char *meta, size_t nmeta)
{
	size_t i, j;

	for (i = 0; i < nmeta; i++, meta = rec_next(meta)) {
		size_t len = strlen(meta);

		for (j = 0; j < *ntxt; j++)
			if (txt[2 * j + 1] == len + 1
			    && memcmp(pool + txt[2 * j] + 1, meta, len) == 0)
				break;
		if (j < *ntxt || o + len + 1 > 65535)
			continue;
		txt[2 * *ntxt] = (uint16_t)o;
		txt[2 * *ntxt + 1] = (uint16_t)(len + 1);
		pool[o] = (uint8_t)len;
		memcpy(pool + o + 1, meta, len);
		o += len + 1;
		(*ntxt)++;
	}
	return o;
}

/* An item's address as a sort key. */
struct reg_addr_ix {
	uint8_t		 key[17];	/* family, address */
	uint16_t	 i;
};

static int
reg_addr_ix_cmp(const void *a, const void *b)
{
	const struct reg_addr_ix *x = a, *y = b;
	int c = memcmp(x->key, y->key, sizeof(x->key));

	return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Point each item at the first item with the same address (itself when
 * there is none), so that an A or AAAA answer holds each address once
 * (RFC 2181 5: instances often share a host).  Without memory, every
 * item stands alone.  True when some address is shared.
 */
static bool
reg_same_addr(struct reg_item *items, size_t k)
{
	struct reg_addr_ix *v = malloc(k * sizeof(*v));
	size_t i, first = 0;
	bool shared = false;

	for (i = 0; i < k; i++)
		items[i].same = (uint16_t)i;
	if (v == NULL)
		return false;
	for (i = 0; i < k; i++) {
		v[i].key[0] = items[i].family;
		memcpy(v[i].key + 1, items[i].addr, 16);
		v[i].i = (uint16_t)i;
	}
	qsort(v, k, sizeof(*v), reg_addr_ix_cmp);
	for (i = 1; i < k; i++) {
		if (memcmp(v[i].key, v[first].key, sizeof(v[i].key)) != 0) {
			first = i;
		} else {
			items[v[i].i].same = v[first].i;
			shared = true;
		}
	}
	free(v);
	return shared;
}

/* How many distinct tags the members carry; (size_t)-1: out of memory. */
static size_t
reg_distinct_tags(const struct reg_member *use, size_t k, size_t ntags)
{
	const char **seen = malloc((ntags ? ntags : 1) * sizeof(*seen));
	size_t i, j, x, n = 0;

	if (seen == NULL)
		return (size_t)-1;
	for (i = 0; i < k; i++) {
		const char *t = use[i].rec->tags;

		for (j = 0; j < use[i].rec->ntags; j++, t = rec_next(t)) {
			for (x = 0; x < n && strcmp(seen[x], t) != 0; x++)
				;
			if (x == n)
				seen[n++] = t;
		}
	}
	free(seen);
	return n;
}

struct reg_svc *
reg_svc_build(const struct reg_settings *s, const char *name, const char *dc,
    const struct reg_member *m, size_t n, bool *nomem)
{
	struct reg_member *use = malloc((n ? n : 1) * sizeof(*use));
	size_t k, i, j, ntags = 0, nidx = 0, nmeta = 0, pool = 0, o = 0;
	size_t ndistinct;
	uint8_t scratch[2 * REC_LABEL + 40];
	struct reg_svc *svc = NULL;
	struct reg_item *items;
	struct reg_tag *tags;
	uint16_t *tagidx, *txt;
	uint8_t *p, *pl;

	*nomem = use == NULL;
	if (use == NULL)
		return NULL;
	k = reg_served(s, m, n, use);
	if (k > REG_MAXITEMS) {
		log_warnx("registry, service %s in %s: %zu instances to serve, "
		    "serving the first %d by priority", name, dc, k,
		    REG_MAXITEMS);
	}
	qsort(use, k, sizeof(*use), reg_member_prio_cmp);
	if (k > REG_MAXITEMS)
		k = REG_MAXITEMS;
	if (k == 0)
		goto out;
	/* sizes first, exactly: a registry may hold a million items */
	for (i = 0; i < k; i++) {
		const char *x = use[i].rec->meta;

		ntags += use[i].rec->ntags;
		nmeta += use[i].rec->nmeta;
		pool += reg_target(scratch, &use[i], use[i].rec->dc[0]
		    ? use[i].rec->dc : s->local_dc);
		for (j = 0; j < use[i].rec->nmeta; j++, x = rec_next(x))
			pool += strlen(x) + 1;
	}
	if ((ndistinct = reg_distinct_tags(use, k, ntags)) == (size_t)-1) {
		*nomem = true;
		goto out;
	}
	svc = calloc(1, sizeof(*svc) + k * sizeof(*items)
	    + ndistinct * sizeof(*tags) + ntags * sizeof(*tagidx)
	    + nmeta * 2 * sizeof(*txt) + pool + 16);
	if (svc == NULL) {
		*nomem = true;
		goto out;
	}
	p = (uint8_t *)(svc + 1);
	items = (struct reg_item *)p;
	p += k * sizeof(*items);
	tags = (struct reg_tag *)p;
	p += ndistinct * sizeof(*tags);
	tagidx = (uint16_t *)p;
	p += ntags * sizeof(*tagidx);
	txt = (uint16_t *)p;
	p += nmeta * 2 * sizeof(*txt);
	pl = p;
	svc->ttl = UINT32_MAX;
	svc->n = (uint16_t)k;
	for (i = 0; i < k; i++) {
		const struct rec_inst *r = use[i].rec;
		struct reg_item *it = &items[i];

		it->family = r->addr.family;
		memcpy(it->addr, r->addr.a, sizeof(it->addr));
		it->port = r->port;
		it->prio = r->priority;
		it->weight = r->status == REC_WARNING ? r->weight_warning
		    : r->weight;
		it->toff = (uint16_t)o;
		it->tlen = (uint8_t)reg_target(pl + o, &use[i],
		    r->dc[0] ? r->dc : s->local_dc);
		/* the same target as an earlier item: share its bytes */
		for (j = 0; j < i; j++)
			if (items[j].tlen == it->tlen
			    && memcmp(pl + items[j].toff, pl + o, it->tlen) == 0)
				break;
		if (j < i)
			it->toff = items[j].toff;
		else
			o += it->tlen;
		if ((uint32_t)(r->ttl >= 0 ? r->ttl : (int32_t)s->service_ttl)
		    < svc->ttl)
			svc->ttl = r->ttl >= 0 ? (uint32_t)r->ttl : s->service_ttl;
	}
	svc->shared_addrs = reg_same_addr(items, k);
	/* tags: for each distinct tag, the items carrying it (in order) */
	for (i = 0; i < k; i++) {
		const char *t = use[i].rec->tags;

		for (j = 0; j < use[i].rec->ntags; j++, t = rec_next(t)) {
			size_t x = reg_tag_find(tags, svc->ntags, t);

			if (x == svc->ntags) {
				tags[x].len = (uint8_t)strlen(t);
				memcpy(tags[x].name, t, tags[x].len + 1);
				svc->ntags++;
			}
			tags[x].n++;
		}
	}
	for (i = 0; i < svc->ntags; i++) {
		tags[i].first = (uint16_t)nidx;
		nidx += tags[i].n;
		tags[i].n = 0;
	}
	for (i = 0; i < k; i++) {
		const char *t = use[i].rec->tags;

		for (j = 0; j < use[i].rec->ntags; j++, t = rec_next(t)) {
			size_t x = reg_tag_find(tags, svc->ntags, t);

			tagidx[tags[x].first + tags[x].n++] = (uint16_t)i;
		}
	}
	for (i = 0; i < k; i++) {
		size_t nt = svc->ntxt;

		o = reg_txt(pl, o, txt, &nt, use[i].rec->meta, use[i].rec->nmeta);
		svc->ntxt = (uint16_t)nt;
	}
	svc->items = items;
	svc->tags = tags;
	svc->tagidx = tagidx;
	svc->txt = txt;
	svc->pool = pl;
out:
	free(use);
	return svc;
}

void
reg_svc_free(void *svc)
{
	free(svc);
}

struct reg_node *
reg_node_build(const struct reg_settings *s, const struct rec_addr *addrs,
    size_t naddrs, const char *meta, size_t nmeta)
{
	size_t pool = 0, i, nt = 0;
	const char *x = meta;
	struct reg_node *node;
	struct rec_addr *a;
	uint16_t *txt;
	uint8_t *pl;

	for (i = 0; i < nmeta; i++, x = rec_next(x))
		pool += strlen(x) + 1;
	node = calloc(1, sizeof(*node) + naddrs * sizeof(*a)
	    + nmeta * 2 * sizeof(*txt) + pool + 16);
	if (node == NULL)
		return NULL;
	/* txt first: 17-byte addresses would leave it misaligned */
	txt = (uint16_t *)(node + 1);
	a = (struct rec_addr *)(txt + 2 * nmeta);
	memcpy(a, addrs, naddrs * sizeof(*a));
	pl = (uint8_t *)(a + naddrs);
	reg_txt(pl, 0, txt, &nt, meta, nmeta);
	node->ttl = s->node_ttl;
	node->naddr = (uint16_t)naddrs;
	node->ntxt = (uint16_t)nt;
	node->addrs = a;
	node->txt = txt;
	node->pool = pl;
	return node;
}

void
reg_node_free(void *node)
{
	free(node);
}

struct reg_ptr *
reg_ptr_build(const char *names, size_t n, uint32_t ttl)
{
	const char *x = names;
	size_t pool = 0, i, o = 0;
	struct reg_ptr *p;
	uint16_t *name;
	uint8_t *pl;

	for (i = 0; i < n; i++, x = rec_next(x))
		pool += strlen(x) + 1;
	p = calloc(1, sizeof(*p) + n * 2 * sizeof(*name) + pool + 1);
	if (p == NULL)
		return NULL;
	name = (uint16_t *)(p + 1);
	pl = (uint8_t *)(name + 2 * n);
	for (i = 0, x = names; i < n; i++, x = rec_next(x)) {
		const char *dot = x;
		size_t start = o;

		/* "a.b.c" -> 1a1b1c (labels are LDH: no escapes) */
		while (*dot != '\0') {
			size_t len = strcspn(dot, ".");

			pl[o++] = (uint8_t)len;
			memcpy(pl + o, dot, len);
			o += len;
			dot += len + (dot[len] == '.');
		}
		name[2 * i] = (uint16_t)start;
		name[2 * i + 1] = (uint16_t)(o - start);
	}
	p->ttl = ttl;
	p->n = (uint16_t)n;
	p->name = name;
	p->pool = pl;
	return p;
}

void
reg_ptr_free(void *ptr)
{
	free(ptr);
}

/* ---- answering ---- */

/* Where records are written, and what has been. */
struct reg_w {
	uint8_t		*out;		/* just past the question */
	size_t		 avail;
	size_t		 len;
	size_t		 base;		/* message offset of out[0] */
	const uint8_t	*dom;		/* the question's domain, as asked */
	size_t		 domlen;
	uint16_t	 an, ar;
	bool		 tc;
};

static uint64_t
reg_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Room for n more bytes? */
static bool
reg_room(const struct reg_w *w, size_t n)
{
	return w->len + n <= w->avail;
}

/* Fixed part of a record owned by the question name. */
static void
reg_rr_head(struct reg_w *w, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	uint8_t *p = w->out + w->len;

	p[0] = 0xc0;
	p[1] = WIRE_HDR;
	wire_put16(p + 2, type);
	wire_put16(p + 4, WIRE_C_IN);
	wire_put32(p + 6, ttl);
	wire_put16(p + 10, rdlen);
	w->len += 12;
}

static bool
reg_put_addr(struct reg_w *w, uint8_t family, const uint8_t *a, uint32_t ttl)
{
	size_t alen = family == 4 ? 4 : 16;

	if (!reg_room(w, 12 + alen))
		return false;
	reg_rr_head(w, family == 4 ? WIRE_T_A : WIRE_T_AAAA, ttl,
	    (uint16_t)alen);
	memcpy(w->out + w->len, a, alen);
	w->len += alen;
	w->an++;
	return true;
}

/*
 * Order candidates (item indices, ascending priority): each priority
 * group in RFC 2782 weighted random order.  The RFC's draw of r in
 * [0, sum] gives r = 0 to the first entry whatever its weight, so with
 * no weight-0 entry in the group r is drawn in [1, sum], which makes the
 * odds exactly weight/sum; weight-0 entries keep the small chance the
 * RFC gives them, and a group of only weight 0 is shuffled uniformly.
 * Writes at most max indices to out; returns how many.
 */
static size_t
reg_order(const struct reg_svc *s, uint16_t *cand, size_t n, uint16_t *out,
    size_t max, uint64_t *rng)
{
	size_t a = 0, k = 0;

	while (a < n && k < max) {
		size_t b = a, m, z = 0, i;
		uint64_t sum = 0;
		uint16_t prio = s->items[cand[a]].prio;

		while (b < n && s->items[cand[b]].prio == prio)
			b++;
		/* weight 0 first, as RFC 2782 asks */
		for (i = a; i < b; i++) {
			uint16_t x = cand[i];

			sum += s->items[x].weight;
			if (s->items[x].weight == 0) {
				memmove(cand + a + z + 1, cand + a + z,
				    (i - a - z) * sizeof(*cand));
				cand[a + z++] = x;
			}
		}
		for (m = b - a; m > 0 && k < max; m--) {
			uint64_t r, run = 0;

			if (sum == 0)	/* only weight 0 left: uniform */
				r = 0, i = a + reg_rand(rng) % m;
			else if (z > 0)
				r = reg_rand(rng) % (sum + 1);
			else
				r = 1 + reg_rand(rng) % sum;
			if (sum == 0)
				goto picked;

			for (i = a; i < a + m - 1; i++) {
				run += s->items[cand[i]].weight;
				if (run >= r)
					break;
			}
picked:
			if (s->items[cand[i]].weight == 0 && z > 0)
				z--;
			out[k++] = cand[i];
			sum -= s->items[cand[i]].weight;
			memmove(cand + i, cand + i + 1,
			    (a + m - 1 - i) * sizeof(*cand));
		}
		a = b;
	}
	return k;
}

/*
 * Candidate items of the service (or one tag), optionally one family;
 * with unique, only the first item of each address.
 */
static size_t
reg_candidates(const struct reg_svc *s, const struct reg_tag *tag,
    uint8_t family, bool unique, uint16_t *cand)
{
	uint64_t seen[REG_MAXITEMS / 64];
	size_t i, n = 0, total = tag ? tag->n : s->n;

	unique = unique && s->shared_addrs;
	if (unique)
		memset(seen, 0, sizeof(seen));
	for (i = 0; i < total; i++) {
		uint16_t x = tag ? s->tagidx[tag->first + i] : (uint16_t)i;
		uint16_t y = s->items[x].same;

		if (family != 0 && s->items[x].family != family)
			continue;
		if (unique) {
			if ((seen[y / 64] >> (y % 64)) & 1)
				continue;
			seen[y / 64] |= 1ULL << (y % 64);
		}
		cand[n++] = x;
	}
	return n;
}

static void
reg_put_addrs(struct reg_w *w, const struct reg_svc *s,
    const struct reg_tag *tag, uint8_t family, unsigned limit, uint64_t *rng)
{
	uint16_t cand[REG_MAXITEMS], order[REG_MAXITEMS];
	size_t n = reg_candidates(s, tag, family, true, cand), k, i;

	k = reg_order(s, cand, n, order, limit ? limit : n, rng);
	for (i = 0; i < k; i++)
		if (!reg_put_addr(w, s->items[order[i]].family,
		    s->items[order[i]].addr, s->ttl)) {
			w->tc = true;
			return;
		}
}

/* SRV records, then A/AAAA for their targets in the additional section. */
static void
reg_put_srv(struct reg_w *w, const struct reg_svc *s,
    const struct reg_tag *tag, unsigned limit, uint64_t *rng)
{
	uint16_t cand[REG_MAXITEMS], order[REG_MAXITEMS];
	size_t pos[REG_MAXITEMS];
	size_t n = reg_candidates(s, tag, 0, false, cand), k, i, j, done;

	k = reg_order(s, cand, n, order, limit ? limit : n, rng);
	for (done = 0; done < k; done++) {
		const struct reg_item *it = &s->items[order[done]];
		size_t rdlen = 6 + it->tlen + w->domlen;
		uint8_t *p;

		if (!reg_room(w, 12 + rdlen)) {
			w->tc = true;
			break;
		}
		pos[done] = w->base + w->len;
		reg_rr_head(w, WIRE_T_SRV, s->ttl, (uint16_t)rdlen);
		p = w->out + w->len;
		wire_put16(p, it->prio);
		wire_put16(p + 2, it->weight);
		wire_put16(p + 4, it->port);
		memcpy(p + 6, s->pool + it->toff, it->tlen);
		memcpy(p + 6 + it->tlen, w->dom, w->domlen);
		w->len += rdlen;
		w->an++;
	}
	for (i = 0; i < done; i++) {
		const struct reg_item *it = &s->items[order[i]];
		size_t target = pos[i] + 18, alen = it->family == 4 ? 4 : 16;
		uint8_t *p;

		for (j = 0; j < i; j++)
			if (s->items[order[j]].toff == it->toff)
				break;
		if (j < i || target > 0x3fff || !reg_room(w, 12 + alen))
			continue;
		p = w->out + w->len;
		wire_put16(p, (uint16_t)(0xc000 | target));
		wire_put16(p + 2, it->family == 4 ? WIRE_T_A : WIRE_T_AAAA);
		wire_put16(p + 4, WIRE_C_IN);
		wire_put32(p + 6, s->ttl);
		wire_put16(p + 10, (uint16_t)alen);
		memcpy(p + 12, it->addr, alen);
		w->len += 12 + alen;
		w->ar++;
	}
}

static void
reg_put_txt(struct reg_w *w, const uint16_t *txt, size_t ntxt,
    const uint8_t *pool, uint32_t ttl)
{
	size_t i;

	for (i = 0; i < ntxt; i++) {
		if (!reg_room(w, 12 + txt[2 * i + 1])) {
			w->tc = true;
			return;
		}
		reg_rr_head(w, WIRE_T_TXT, ttl, txt[2 * i + 1]);
		memcpy(w->out + w->len, pool + txt[2 * i], txt[2 * i + 1]);
		w->len += txt[2 * i + 1];
		w->an++;
	}
}

static enum reg_result
reg_answer_svc(const struct reg *r, const struct reg_svc *s,
    const struct reg_tag *tag, bool srv_only, uint16_t qtype,
    struct reg_w *w, uint64_t *rng)
{
	unsigned limit = r->set.answer_limit;

	if (srv_only && qtype != WIRE_T_SRV)
		return REG_NODATA;
	switch (qtype) {
	case WIRE_T_SRV:
		reg_put_srv(w, s, tag, limit, rng);
		break;
	case WIRE_T_A:
		reg_put_addrs(w, s, tag, 4, limit, rng);
		break;
	case WIRE_T_AAAA:
		reg_put_addrs(w, s, tag, 6, limit, rng);
		break;
	case WIRE_T_ANY:
		reg_put_addrs(w, s, tag, 0, limit, rng);
		break;
	case WIRE_T_TXT:
		if (tag == NULL)
			reg_put_txt(w, s->txt, s->ntxt, s->pool, s->ttl);
		break;
	default:
		break;
	}
	return w->an > 0 || w->tc ? REG_ANSWER : REG_NODATA;
}

static enum reg_result
reg_answer_node(const struct reg_node *n, uint16_t qtype, struct reg_w *w)
{
	size_t i;

	if (qtype == WIRE_T_TXT) {
		reg_put_txt(w, n->txt, n->ntxt, n->pool, n->ttl);
	} else if (qtype == WIRE_T_A || qtype == WIRE_T_AAAA
	    || qtype == WIRE_T_ANY) {
		for (i = 0; i < n->naddr; i++) {
			const struct rec_addr *a = &n->addrs[i];

			if (qtype != WIRE_T_ANY
			    && (a->family == 4) != (qtype == WIRE_T_A))
				continue;
			if (!reg_put_addr(w, a->family, a->a, n->ttl)) {
				w->tc = true;
				break;
			}
		}
	}
	return w->an > 0 || w->tc ? REG_ANSWER : REG_NODATA;
}

static int
reg_hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* <hex>.addr: 8 hex digits are an IPv4 address, 32 an IPv6 address. */
static enum reg_result
reg_answer_addr(const struct reg *r, const uint8_t *label, uint16_t qtype,
    struct reg_w *w)
{
	uint8_t a[16];
	size_t n = label[0], i;

	if (n != 8 && n != 32)
		return REG_NXDOMAIN;
	for (i = 0; i < n / 2; i++) {
		int hi = reg_hexval(label[1 + 2 * i]);
		int lo = reg_hexval(label[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return REG_NXDOMAIN;
		a[i] = (uint8_t)(hi << 4 | lo);
	}
	if (qtype == WIRE_T_ANY || qtype == (n == 8 ? WIRE_T_A : WIRE_T_AAAA))
		reg_put_addr(w, n == 8 ? 4 : 6, a, r->set.service_ttl);
	return w->an > 0 ? REG_ANSWER : REG_NODATA;
}

static bool
reg_label_is(const uint8_t *label, const char *s, size_t n)
{
	return label[0] == n && memcmp(label + 1, s, n) == 0;
}

/*
 * Copy a label (lowercase in the query) into a C string; -1 when no
 * record could name it (a NUL in it would cut the string short).
 */
static int
reg_label_str(char *dst, const uint8_t *label, size_t skip)
{
	if (!rec_label_ok((const char *)label + 1 + skip, label[0] - skip))
		return -1;
	memcpy(dst, label + 1 + skip, label[0] - skip);
	dst[label[0] - skip] = '\0';
	return 0;
}

static const struct reg_tag *
reg_find_tag(const struct reg_svc *s, const uint8_t *label, size_t skip)
{
	size_t i;

	for (i = 0; i < s->ntags; i++)
		if (s->tags[i].len == label[0] - skip
		    && memcmp(s->tags[i].name, label + 1 + skip,
		    s->tags[i].len) == 0)
			return &s->tags[i];
	return NULL;
}

/* A service question: svc (label, '_'-prefixed when srv), tag or proto. */
static enum reg_result
reg_service(const struct reg *r, const uint8_t *svc, const uint8_t *tag,
    bool rfc2782, const char *dc, uint16_t qtype, struct reg_w *w,
    uint64_t *rng)
{
	char name[REC_LABEL], key[REG_KEYMAX];
	const struct reg_svc *s;
	const struct reg_tag *t = NULL;
	size_t skip = rfc2782 ? 1 : 0;

	if (svc[0] <= skip || reg_label_str(name, svc, skip) < 0)
		return REG_NXDOMAIN;
	s = reg_table_get(&r->svcs, key, reg_key(key, name, dc));
	if (s == NULL || s->n == 0)
		return REG_NXDOMAIN;
	if (tag != NULL && !(rfc2782 && (reg_label_is(tag, "_tcp", 4)
	    || reg_label_is(tag, "_udp", 4)))) {
		if (tag[0] <= skip
		    || (t = reg_find_tag(s, tag, skip)) == NULL)
			return REG_NXDOMAIN;
	}
	return reg_answer_svc(r, s, t, rfc2782, qtype, w, rng);
}

static bool
reg_is_dc(const struct reg *r, const uint8_t *label, char *dc)
{
	const struct reg_dcs *d = atomic_load_explicit(&r->dcs,
	    memory_order_acquire);
	size_t i;

	if (reg_label_is(label, r->set.local_dc, strlen(r->set.local_dc))) {
		strcpy(dc, r->set.local_dc);
		return true;
	}
	for (i = 0; i < d->n; i++)
		if (reg_label_is(label, d->name[i], strlen(d->name[i]))) {
			strcpy(dc, d->name[i]);
			return true;
		}
	return false;
}

/* A reverse name's address: 4 decimal labels, or 32 nibbles; -1 if not. */
static int
reg_reverse_addr(const struct wire_query *q, struct rec_addr *a)
{
	unsigned n = q->nlabels, i;

	memset(a, 0, sizeof(*a));
	if (n == 6 && reg_label_is(q->qname + q->label_off[4], "in-addr", 7)
	    && reg_label_is(q->qname + q->label_off[5], "arpa", 4)) {
		for (i = 0; i < 4; i++) {
			const uint8_t *l = q->qname + q->label_off[i];
			unsigned v = 0, k;

			if (l[0] == 0 || l[0] > 3)
				return -1;
			for (k = 1; k <= l[0]; k++) {
				if (l[k] < '0' || l[k] > '9')
					return -1;
				v = v * 10 + (unsigned)(l[k] - '0');
			}
			if (v > 255)
				return -1;
			a->a[3 - i] = (uint8_t)v;
		}
		a->family = 4;
		return 0;
	}
	if (n == 34 && reg_label_is(q->qname + q->label_off[32], "ip6", 3)
	    && reg_label_is(q->qname + q->label_off[33], "arpa", 4)) {
		for (i = 0; i < 32; i++) {
			const uint8_t *l = q->qname + q->label_off[i];
			int v = l[0] == 1 ? reg_hexval(l[1]) : -1;

			if (v < 0)
				return -1;
			a->a[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
		}
		a->family = 6;
		return 0;
	}
	return -1;
}

/* PTR for a registered address; REG_NOT_MINE when it is not one. */
static enum reg_result
reg_answer_ptr(const struct reg *r, const struct wire_query *q,
    struct reg_w *w)
{
	struct rec_addr a;
	char key[17];
	const struct reg_ptr *p;
	size_t i;

	if ((q->qtype != WIRE_T_PTR && q->qtype != WIRE_T_ANY)
	    || reg_reverse_addr(q, &a) < 0)
		return REG_NOT_MINE;
	p = reg_table_get(&r->ptrs, key, reg_addr_key(key, &a));
	if (p == NULL)
		return REG_NOT_MINE;
	for (i = 0; i < p->n; i++) {
		size_t len = p->name[2 * i + 1] + r->set.domain_len;

		if (!reg_room(w, 12 + len)) {
			w->tc = true;
			break;
		}
		reg_rr_head(w, WIRE_T_PTR, p->ttl, (uint16_t)len);
		memcpy(w->out + w->len, p->pool + p->name[2 * i],
		    p->name[2 * i + 1]);
		memcpy(w->out + w->len + p->name[2 * i + 1], r->set.domain,
		    r->set.domain_len);
		w->len += len;
		w->an++;
	}
	return REG_ANSWER;
}

/* The labels left of the domain (and datacenter), as a question. */
static enum reg_result
reg_dispatch(const struct reg *r, const struct wire_query *q, unsigned m,
    const char *dc, struct reg_w *w, uint64_t *rng)
{
	const uint8_t *a = q->qname + q->label_off[0];
	const uint8_t *b = m >= 2 ? q->qname + q->label_off[1] : NULL;
	const uint8_t *last = q->qname + q->label_off[m - 1];
	char name[REC_LABEL], key[REG_KEYMAX];
	const struct reg_node *node;

	if (reg_label_is(last, "service", 7)) {
		if (m == 1 || (m == 2 && a[1] == '_'))
			return REG_NODATA;
		if (m == 2)
			return reg_service(r, a, NULL, false, dc, q->qtype, w, rng);
		if (m != 3)
			return REG_NXDOMAIN;
		if (a[1] == '_' && b[1] == '_')
			return reg_service(r, a, b, true, dc, q->qtype, w, rng);
		if (a[1] == '_' || b[1] == '_')
			return REG_NXDOMAIN;
		return reg_service(r, b, a, false, dc, q->qtype, w, rng);
	}
	if (reg_label_is(last, "node", 4)) {
		if (m == 1)
			return REG_NODATA;
		if (m != 2 || reg_label_str(name, a, 0) < 0)
			return REG_NXDOMAIN;
		node = reg_table_get(&r->nodes, key, reg_key(key, name, dc));
		return node ? reg_answer_node(node, q->qtype, w) : REG_NXDOMAIN;
	}
	if (reg_label_is(last, "addr", 4)) {
		if (m == 1)
			return REG_NODATA;
		return m == 2 ? reg_answer_addr(r, a, q->qtype, w)
		    : REG_NXDOMAIN;
	}
	if (m == 1 && a[1] == '_')
		return REG_NODATA;
	if (m == 2 && a[1] == '_' && b[1] == '_')
		return reg_service(r, a, b, true, dc, q->qtype, w, rng);
	return REG_NOT_MINE;
}

enum reg_result
reg_answer(const struct reg *r, const struct wire_query *q, uint8_t *out,
    size_t avail, uint64_t *rng, struct reg_out *ro)
{
	struct reg_w w = { .out = out, .avail = avail, .base = q->q_end };
	unsigned dl = r->domain_labels, m;
	char dc[REC_LABEL];
	enum reg_result rc;

	if (q->nlabels <= dl)
		return REG_NOT_MINE;
	m = q->nlabels - dl;
	if (q->qname_len - q->label_off[m] != r->set.domain_len
	    || memcmp(q->qname + q->label_off[m], r->set.domain,
	    r->set.domain_len) != 0) {
		rc = reg_answer_ptr(r, q, &w);
		goto out;
	}
	w.dom = q->pkt + WIRE_HDR + q->label_off[m];
	w.domlen = r->set.domain_len;
	strcpy(dc, r->set.local_dc);
	if (reg_is_dc(r, q->qname + q->label_off[m - 1], dc) && --m == 0)
		return REG_NODATA;		/* DC.D */
	rc = reg_dispatch(r, q, m, dc, &w, rng);
out:
	ro->len = w.len;
	ro->an = w.an;
	ro->ar = w.ar;
	ro->tc = w.tc;
	return rc;
}
