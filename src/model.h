/*
 * model.h -- the main thread's working copy of the registry.
 *
 * The model holds every instance and node record as decoded from Redis,
 * knows which instances make up each (service, datacenter) and each node,
 * and turns changes into registry objects: model_*_put/del record a
 * change and mark what it touches; model_flush() rebuilds exactly the
 * touched services and nodes and installs them into the served registry
 * (registry.h), so one change costs work in proportion to its service.
 * model_publish_all() builds a whole new registry (after a full load, or
 * when a setting that shapes every answer changed) and swaps it in.
 *
 * Main thread only.  The model owns the records it is given.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MUSTER_MODEL_H
#define MUSTER_MODEL_H

#include <stddef.h>

#include "record.h"
#include "registry.h"

struct model;

struct model *model_new(const struct reg_settings *s);

/* Free the model (not the registry it published). */
void model_free(struct model *m);

/*
 * Add or replace instance id with rec; the model takes the record's
 * memory (rec is left empty).  -1 when out of memory (rec is cleared).
 */
int model_inst_put(struct model *m, const char *id, size_t idlen,
    struct rec_inst *rec);
void model_inst_del(struct model *m, const char *id, size_t idlen);

/* Add or replace a node record (takes its memory), delete one by name. */
int model_node_put(struct model *m, struct rec_node *rec);
void model_node_del(struct model *m, const char *name, size_t len);

/* Install everything changed since the last flush.  -1: out of memory. */
int model_flush(struct model *m);

/*
 * Build a registry with settings s from the whole model and make it the
 * served one (reg_publish).  Later flushes go into it.
 */
int model_publish_all(struct model *m, const struct reg_settings *s);

size_t model_instances(const struct model *m);
size_t model_services(const struct model *m);
size_t model_nodes(const struct model *m);

/* Visit every instance (for the state file). */
void model_each_inst(const struct model *m,
    void (*fn)(const char *id, size_t idlen, const struct rec_inst *r,
    void *arg), void *arg);
void model_each_node(const struct model *m,
    void (*fn)(const struct rec_node *r, void *arg), void *arg);

#endif /* MUSTER_MODEL_H */
