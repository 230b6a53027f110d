/*
 * qsbr.c -- quiescent-state based reclamation for the served snapshot.
 *
 * The global epoch starts at 1 and grows with every retire.  An online
 * reader's slot holds the epoch it saw when it went online; 0 means
 * offline.  An object retired at epoch E (the value after the increment)
 * may be freed when every slot is 0 or >= E: such a reader went online
 * after the swap, so it can only have loaded the new pointer.  All
 * accesses are sequentially consistent, which that argument needs.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "qsbr.h"

struct qsbr_reader {
	_Atomic uint64_t	 epoch;
	char			 pad[64 - sizeof(uint64_t)];
};

struct qsbr_item {
	void			(*fn)(void *);
	void			*p;
	uint64_t		 epoch;
	struct qsbr_item	*next;
};

static _Atomic uint64_t qsbr_epoch = 1;
static struct qsbr_reader *qsbr_readers;
static unsigned qsbr_nreaders;
static struct qsbr_item *qsbr_pending;
static void (*qsbr_kick)(void *);
static void *qsbr_kick_arg;

int
qsbr_init(unsigned n)
{
	unsigned i;

	qsbr_readers = aligned_alloc(64, (n ? n : 1) * sizeof(*qsbr_readers));
	if (qsbr_readers == NULL)
		return -1;
	for (i = 0; i < n; i++)
		atomic_init(&qsbr_readers[i].epoch, 0);
	qsbr_nreaders = n;
	return 0;
}

struct qsbr_reader *
qsbr_reader(unsigned i)
{
	return &qsbr_readers[i];
}

void
qsbr_online(struct qsbr_reader *r)
{
	atomic_store(&r->epoch, atomic_load(&qsbr_epoch));
}

void
qsbr_offline(struct qsbr_reader *r)
{
	atomic_store(&r->epoch, 0);
}

int
qsbr_retire(void (*fn)(void *), void *p)
{
	struct qsbr_item *it = malloc(sizeof(*it));

	if (it == NULL)
		return -1;
	it->fn = fn;
	it->p = p;
	it->epoch = atomic_fetch_add(&qsbr_epoch, 1) + 1;
	it->next = qsbr_pending;
	qsbr_pending = it;
	if (it->next == NULL && qsbr_kick != NULL)
		qsbr_kick(qsbr_kick_arg);
	return 0;
}

void
qsbr_set_kick(void (*fn)(void *), void *arg)
{
	qsbr_kick = fn;
	qsbr_kick_arg = arg;
}

/* The smallest epoch an online reader holds, or UINT64_MAX. */
static uint64_t
qsbr_oldest(void)
{
	uint64_t min = UINT64_MAX;
	unsigned i;

	for (i = 0; i < qsbr_nreaders; i++) {
		uint64_t e = atomic_load(&qsbr_readers[i].epoch);

		if (e != 0 && e < min)
			min = e;
	}
	return min;
}

size_t
qsbr_reclaim(void)
{
	struct qsbr_item **pp = &qsbr_pending, *it;
	uint64_t oldest = qsbr_oldest();
	size_t left = 0;

	while ((it = *pp) != NULL) {
		if (it->epoch <= oldest) {
			*pp = it->next;
			it->fn(it->p);
			free(it);
		} else {
			pp = &it->next;
			left++;
		}
	}
	return left;
}

void
qsbr_shutdown(void)
{
	struct qsbr_item *it, *next;

	for (it = qsbr_pending; it != NULL; it = next) {
		next = it->next;
		it->fn(it->p);
		free(it);
	}
	qsbr_pending = NULL;
	free(qsbr_readers);
	qsbr_readers = NULL;
	qsbr_nreaders = 0;
}
