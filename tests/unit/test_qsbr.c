/*
 * test_qsbr.c -- unit tests for qsbr.c: deferred frees, one thread.
 *
 * The reclamation rule checked here, without threads: an object retired
 * at a swap is freed by qsbr_reclaim() only when every reader is offline
 * or has gone online again since the swap.  The free callback counts its
 * calls, so a premature or missing free shows as a wrong count.
 * Criterion runs each test in its own process, so qsbr's globals start
 * fresh every time.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stddef.h>

#include <criterion/criterion.h>

#include "qsbr.h"

static int freed;
static void *last;

static void
count_free(void *p)
{
	freed++;
	last = p;
}

static void
setup(void)
{
	freed = 0;
	last = NULL;
	cr_assert_eq(qsbr_init(2), 0);
}

static void
teardown(void)
{
	qsbr_shutdown();
}

TestSuite(qsbr, .init = setup, .fini = teardown);

static int obj1, obj2, obj3;

Test(qsbr, no_readers_frees_at_once)
{
	cr_assert_eq(qsbr_retire(count_free, &obj1), 0);
	cr_assert_eq(freed, 0, "retire never frees by itself");
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 1);
	cr_assert_eq(last, &obj1);
}

Test(qsbr, offline_readers_do_not_block)
{
	struct qsbr_reader *r0 = qsbr_reader(0), *r1 = qsbr_reader(1);

	qsbr_online(r0);
	qsbr_offline(r0);
	qsbr_online(r1);
	qsbr_offline(r1);
	qsbr_retire(count_free, &obj1);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 1);
}

Test(qsbr, online_reader_blocks_until_offline)
{
	struct qsbr_reader *r0 = qsbr_reader(0);

	qsbr_online(r0);		/* may hold the old pointer */
	qsbr_retire(count_free, &obj1);
	cr_assert_eq(qsbr_reclaim(), 1);
	cr_assert_eq(freed, 0, "freed under a reader");
	qsbr_offline(r0);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 1);
}

Test(qsbr, online_reader_blocks_until_it_moves_past)
{
	struct qsbr_reader *r0 = qsbr_reader(0);

	qsbr_online(r0);
	qsbr_retire(count_free, &obj1);
	cr_assert_eq(qsbr_reclaim(), 1);
	/* one loop iteration later: offline, online again (new epoch) */
	qsbr_offline(r0);
	qsbr_online(r0);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 1);
}

Test(qsbr, reader_online_after_swap_does_not_block)
{
	struct qsbr_reader *r0 = qsbr_reader(0);

	qsbr_retire(count_free, &obj1);
	qsbr_online(r0);	/* can only see the new pointer */
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 1);
}

Test(qsbr, one_slow_reader_holds_only_older_objects)
{
	struct qsbr_reader *r0 = qsbr_reader(0), *r1 = qsbr_reader(1);

	qsbr_online(r0);
	qsbr_online(r1);
	qsbr_retire(count_free, &obj1);		/* both may see obj1 */
	qsbr_offline(r1);
	qsbr_online(r1);			/* r1 moved on, r0 did not */
	qsbr_retire(count_free, &obj2);
	cr_assert_eq(qsbr_reclaim(), 2, "r0 holds obj1, r1 holds obj2");
	cr_assert_eq(freed, 0);
	qsbr_offline(r1);
	qsbr_online(r1);			/* r1 past obj2; r0 still old */
	cr_assert_eq(qsbr_reclaim(), 2, "r0 still blocks both");
	qsbr_offline(r0);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 2);
}

Test(qsbr, reader_between_two_retires)
{
	struct qsbr_reader *r0 = qsbr_reader(0);

	qsbr_retire(count_free, &obj1);
	qsbr_online(r0);			/* after obj1's swap */
	qsbr_retire(count_free, &obj2);		/* r0 may hold obj2 */
	cr_assert_eq(qsbr_reclaim(), 1);
	cr_assert_eq(freed, 1);
	cr_assert_eq(last, &obj1);
	qsbr_offline(r0);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 2);
	cr_assert_eq(last, &obj2);
}

Test(qsbr, reclaim_frees_each_object_once)
{
	qsbr_retire(count_free, &obj1);
	qsbr_retire(count_free, &obj2);
	qsbr_retire(count_free, &obj3);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 3);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 3, "nothing freed twice");
}

Test(qsbr, shutdown_frees_pending)
{
	qsbr_online(qsbr_reader(0));
	qsbr_retire(count_free, &obj1);
	qsbr_retire(count_free, &obj2);
	cr_assert_eq(qsbr_reclaim(), 2);
	qsbr_shutdown();
	cr_assert_eq(freed, 2);
	/* teardown calls qsbr_shutdown() again: must be harmless */
}

static int kicks;

static void
count_kick(void *arg)
{
	cr_assert_eq(arg, &kicks);
	kicks++;
}

Test(qsbr, kick_when_the_list_stops_being_empty)
{
	struct qsbr_reader *r0 = qsbr_reader(0);

	kicks = 0;
	qsbr_set_kick(count_kick, &kicks);
	qsbr_online(r0);
	cr_assert_eq(qsbr_retire(count_free, &obj1), 0);
	cr_assert_eq(kicks, 1, "the first retire asks for reclaiming");
	cr_assert_eq(qsbr_retire(count_free, &obj2), 0);
	cr_assert_eq(kicks, 1, "already asked: no second kick");
	qsbr_offline(r0);
	cr_assert_eq(qsbr_reclaim(), 0);
	cr_assert_eq(freed, 2);
	cr_assert_eq(qsbr_retire(count_free, &obj3), 0);
	cr_assert_eq(kicks, 2, "empty again, so asked again");
	qsbr_set_kick(NULL, NULL);
}
