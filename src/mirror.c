/*
 * mirror.c -- musterd's copy of the registry, fed by sync.h.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mirror.h"
#include "model.h"
#include "state.h"

#define MIRROR_SAVE_DELAY	1.0

struct mirror {
	struct ev_loop		*loop;
	struct reg_settings	 set;
	struct model		*model;		/* the served one */
	struct sync		*sync;
	char			*state_file;
	char			*source;
	char			 pos[SYNC_IDLEN];	/* stream id of model */
	bool			 dirty;		/* state file behind */
	ev_timer		 save;
	void			(*loaded)(void *);
	void			*loaded_arg;
};

/* The first whole copy is served: say so once. */
static void
mirror_loaded(struct mirror *m)
{
	void (*fn)(void *) = m->loaded;

	m->loaded = NULL;
	if (fn != NULL)
		fn(m->loaded_arg);
}

static void
mirror_save(struct mirror *m)
{
	if (m->state_file == NULL || !m->dirty)
		return;
	if (state_save(m->state_file, m->model, m->pos, m->source) < 0)
		log_warn("registry, cannot write state file %s", m->state_file);
	else
		m->dirty = false;
}

static void
mirror_save_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	mirror_save(t->data);
}

static void
mirror_changed(struct mirror *m)
{
	snprintf(m->pos, sizeof(m->pos), "%s", sync_position(m->sync));
	if (m->state_file == NULL)
		return;
	m->dirty = true;
	if (!ev_is_active(&m->save)) {
		ev_timer_set(&m->save, MIRROR_SAVE_DELAY, 0.);
		ev_timer_start(m->loop, &m->save);
	}
}

/* ---- sync_ops ---- */

static void *
mirror_load_begin(void *arg)
{
	struct mirror *m = arg;

	return model_new(&m->set);
}

static void
mirror_load_end(void *arg, void *target)
{
	struct mirror *m = arg;
	struct model *nm = target;

	if (model_publish_all(nm, &m->set) < 0) {
		log_warnx("registry, out of memory: keeping the old copy");
		model_free(nm);
		return;
	}
	model_free(m->model);
	m->model = nm;
	log_info("registry, serving %zu instances, %zu services, %zu nodes",
	    model_instances(nm), model_services(nm), model_nodes(nm));
	mirror_changed(m);
	mirror_loaded(m);
}

static void
mirror_load_abort(void *arg, void *target)
{
	(void)arg;
	model_free(target);
}

static void *
mirror_current(void *arg)
{
	return ((struct mirror *)arg)->model;
}

static void
mirror_put_inst(void *target, const char *id, size_t idlen,
    struct rec_inst *rec)
{
	(void)model_inst_put(target, id, idlen, rec);
}

static void
mirror_del_inst(void *target, const char *id, size_t idlen)
{
	model_inst_del(target, id, idlen);
}

static void
mirror_put_node(void *target, struct rec_node *rec)
{
	(void)model_node_put(target, rec);
}

static void
mirror_del_node(void *target, const char *name, size_t len)
{
	model_node_del(target, name, len);
}

static void
mirror_batch_end(void *arg)
{
	struct mirror *m = arg;

	(void)model_flush(m->model);
	mirror_changed(m);
}

const struct sync_ops mirror_sync_ops = {
	.load_begin = mirror_load_begin,
	.load_end = mirror_load_end,
	.load_abort = mirror_load_abort,
	.current = mirror_current,
	.put_inst = mirror_put_inst,
	.del_inst = mirror_del_inst,
	.put_node = mirror_put_node,
	.del_node = mirror_del_node,
	.batch_end = mirror_batch_end,
};

/* ---- life cycle ---- */

struct mirror *
mirror_new(struct ev_loop *loop, const struct reg_settings *set,
    const char *state_file, const char *source, void (*loaded)(void *),
    void *arg)
{
	struct mirror *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->loop = loop;
	m->set = *set;
	m->loaded = loaded;
	m->loaded_arg = arg;
	m->model = model_new(set);
	m->source = strdup(source);
	if (m->model == NULL || m->source == NULL || (state_file != NULL
	    && (m->state_file = strdup(state_file)) == NULL)) {
		model_free(m->model);
		free(m->source);
		free(m);
		return NULL;
	}
	ev_init(&m->save, mirror_save_cb);
	m->save.data = m;
	strcpy(m->pos, "0-0");
	return m;
}

/* Serve the state file's copy, if there is one; true when it was read. */
static bool
mirror_load_state(struct mirror *m)
{
	struct model *nm = model_new(&m->set);
	char id[STATE_IDLEN], err[512];
	long n;

	if (nm == NULL)
		return false;
	errno = 0;
	n = state_load(m->state_file, nm, m->source, id, err, sizeof(err));
	if (n < 0) {
		if (errno != ENOENT)
			log_warnx("registry, state file not used: %s", err);
		model_free(nm);
		return false;
	}
	model_free(m->model);
	m->model = nm;
	sync_set_position(m->sync, id);
	snprintf(m->pos, sizeof(m->pos), "%s", id);
	log_info("registry, %ld instances from state file %s (stream at %s)",
	    n, m->state_file, id);
	return true;
}

int
mirror_start(struct mirror *m, struct sync *s)
{
	bool from_file = false;

	m->sync = s;
	if (m->state_file != NULL)
		from_file = mirror_load_state(m);
	if (model_publish_all(m->model, &m->set) < 0)
		return -1;
	if (from_file)
		mirror_loaded(m);
	return 0;
}

void
mirror_set_settings(struct mirror *m, const struct reg_settings *set)
{
	if (memcmp(set, &m->set, sizeof(*set)) == 0)
		return;
	m->set = *set;
	if (model_publish_all(m->model, set) < 0)
		log_warnx("registry, out of memory applying new settings");
}

void
mirror_get_stats(const struct mirror *m, struct mirror_stats *out)
{
	out->instances = model_instances(m->model);
	out->services = model_services(m->model);
	out->nodes = model_nodes(m->model);
}

void
mirror_free(struct mirror *m)
{
	if (m == NULL)
		return;
	ev_timer_stop(m->loop, &m->save);
	mirror_save(m);
	model_free(m->model);
	free(m->state_file);
	free(m->source);
	free(m);
}
