/*
 * view.c -- what the workers serve: one pointer, swapped as a whole.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "db.h"
#include "qsbr.h"
#include "view.h"

static _Atomic(struct view *) view_cur;

const struct view *
view_current(void)
{
	return atomic_load(&view_cur);
}

int
view_publish(struct view *v)
{
	struct view *old = atomic_exchange(&view_cur, v);

	if (old != NULL && qsbr_retire(view_free, old) < 0)
		return -1;	/* leaked rather than freed too early */
	return 0;
}

void
view_free(void *p)
{
	struct view *v = p;

	if (v == NULL)
		return;
	db_free(v->db);
	free(v);
}
