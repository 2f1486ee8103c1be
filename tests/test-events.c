/* test-events.c — the event stream: the bounded queue and the typed events,
 * one packing function per kind (the wire's side is in test-protocol.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "il-events.h"
#include "il-experiment.h"

static void
test_event_queue_bounded (void)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (10);
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  IlEvent ev = il_event_run_end ();

  for (guint i = 0; i < 25; i++)
    {
      ev.task = i;
      il_event_queue_push (queue, &ev);
    }
  g_assert_cmpuint (il_event_queue_get_dropped (queue), ==, 15);
  g_assert_cmpuint (il_event_queue_drain (queue, out, 4), ==, 4);
  g_assert_cmpuint (il_event_queue_drain (queue, out, 0), ==, 6);
  g_assert_cmpuint (g_array_index (out, IlEvent, 9).task, ==, 9);
  g_assert_cmpuint (il_event_queue_drain (queue, out, 0), ==, 0);
}

/* push_many keeps order and, past the capacity, drops (and counts) the
 * rest of the batch. */
static void
test_event_queue_push_many (void)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (5);
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  IlEvent batch[3];

  for (guint i = 0; i < G_N_ELEMENTS (batch); i++)
    {
      batch[i] = il_event_block_start ((gint64) i * 10, i, IL_BLOCK_CPU);
      batch[i].task = i;
    }
  il_event_queue_push_many (queue, batch, 3);
  il_event_queue_push_many (queue, batch, 3);
  g_assert_cmpuint (il_event_queue_get_dropped (queue), ==, 1);
  g_assert_cmpuint (il_event_queue_drain (queue, out, 0), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      const IlEvent *e = &g_array_index (out, IlEvent, i);

      g_assert_cmpuint (e->kind, ==, IL_EVENT_BLOCK_START);
      g_assert_cmpuint (e->task, ==, i % 3);
      g_assert_cmpuint (e->block_start.block, ==, i % 3);
    }
}

/* The fields every packing function leaves to the emitter. */
static void
assert_unaddressed (const IlEvent *e)
{
  g_assert_cmpuint (e->run, ==, 0);
  g_assert_cmpuint (e->rep, ==, 0);
}

/* Each packing function sets its kind, its flags and its named fields. */
static void
test_event_packing (void)
{
  IlStateTimes state = { TRUE, 100, 20, 30, 4 };
  IlEvent      e;

  g_assert_cmpuint (sizeof (IlEvent), <=, 88);

  e = il_event_run_start (12345);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_RUN_START);
  g_assert_cmpuint (e.flags, ==, 0);
  g_assert_cmpuint (e.run_start.tasks_per_rep, ==, 12345);
  assert_unaddressed (&e);

  e = il_event_rep_start (TRUE, 8);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_REP_START);
  g_assert_cmpuint (e.flags, ==, IL_EVENT_FLAG_WARMUP);
  g_assert_cmpuint (e.rep_start.n_tasks, ==, 8);
  e = il_event_rep_start (FALSE, 0);
  g_assert_cmpuint (e.flags, ==, 0);

  e = il_event_task_start (1500, 3, 100, 101, 2, 5);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_TASK_START);
  g_assert_cmpint (e.t_us, ==, 1500);
  g_assert_cmpint (e.task_start.cpu, ==, 3);
  g_assert_cmpint (e.task_start.pid, ==, 100);
  g_assert_cmpint (e.task_start.tid, ==, 101);
  g_assert_cmpint (e.task_start.group, ==, 2);
  g_assert_cmpint (e.task_start.index, ==, 5);
  g_assert_cmpint (e.worker, ==, 0);
  assert_unaddressed (&e);

  e = il_event_task_end (1500, 2500, -1, TRUE, &state);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_TASK_END);
  g_assert_cmpuint (e.flags, ==, IL_EVENT_FLAG_FAILED);
  g_assert_cmpint (e.t_us, ==, 2500);
  g_assert_cmpint (e.task_end.start_us, ==, 1500);
  g_assert_cmpint (e.task_end.cpu, ==, -1);
  g_assert_true (e.task_end.state.valid);
  g_assert_cmpint (e.task_end.state.running, ==, 100);
  g_assert_cmpint (e.task_end.state.ready, ==, 20);
  g_assert_cmpint (e.task_end.state.blocked, ==, 30);
  g_assert_cmpint (e.task_end.state.gil_wait, ==, 4);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 2500);
  e = il_event_task_end (0, 1, 0, FALSE, &(IlStateTimes){ FALSE, 0, 0, 0, 0 });
  g_assert_cmpuint (e.flags, ==, 0);
  g_assert_false (e.task_end.state.valid);

  e = il_event_block_start (10, 7, IL_BLOCK_FILE_WRITE);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_BLOCK_START);
  g_assert_cmpint (e.t_us, ==, 10);
  g_assert_cmpuint (e.block_start.block, ==, 7);
  g_assert_cmpuint (e.block_start.type, ==, IL_BLOCK_FILE_WRITE);

  e = il_event_block_end (10, 90, 7, IL_BLOCK_SLEEP, FALSE, &state);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_BLOCK_END);
  g_assert_cmpuint (e.flags, ==, 0);
  g_assert_cmpint (e.t_us, ==, 90);
  g_assert_cmpint (e.block_end.start_us, ==, 10);
  g_assert_cmpuint (e.block_end.block, ==, 7);
  g_assert_cmpuint (e.block_end.type, ==, IL_BLOCK_SLEEP);
  g_assert_true (e.block_end.state.valid);
  g_assert_cmpint (e.block_end.state.gil_wait, ==, 4);
  e = il_event_block_end (10, 90, 0, IL_BLOCK_HTTP, TRUE, &state);
  g_assert_cmpuint (e.flags, ==, IL_EVENT_FLAG_FAILED);

  e = il_event_gil (IL_EVENT_GIL_WAIT, 2, 33, 400, 900);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_GIL_WAIT);
  g_assert_cmpint (e.worker, ==, 2);
  g_assert_cmpuint (e.task, ==, 33);
  g_assert_cmpint (e.t_us, ==, 400);
  g_assert_cmpint (e.gil.end_us, ==, 900);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 900);
  e = il_event_gil (IL_EVENT_GIL_HOLD, 1, 34, 900, 5900);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_GIL_HOLD);
  g_assert_cmpint (e.gil.end_us, ==, 5900);

  e = il_event_core_sample (5000, 1, 99.5);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_CORE_SAMPLE);
  g_assert_cmpint (e.t_us, ==, 5000);
  g_assert_cmpint (e.core_sample.core, ==, 1);
  g_assert_cmpfloat (e.core_sample.busy_pct, ==, 99.5);

  e = il_event_overhead (6000, 1.25);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_OVERHEAD);
  g_assert_cmpfloat (e.overhead.cpu_pct, ==, 1.25);

  e = il_event_loop_lag (7000, 52000);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_LOOP_LAG);
  g_assert_cmpint (e.t_us, ==, 7000);
  g_assert_cmpint (e.loop_lag.lag_us, ==, 52000);

  e = il_event_rep_end (123456, TRUE);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_REP_END);
  g_assert_cmpint (e.t_us, ==, 123456);
  g_assert_cmpuint (e.flags, ==, IL_EVENT_FLAG_CANCELLED);
  g_assert_cmpuint (il_event_rep_end (1, FALSE).flags, ==, 0);

  e = il_event_run_end ();
  g_assert_cmpuint (e.kind, ==, IL_EVENT_RUN_END);
  g_assert_cmpuint (e.flags, ==, 0);

  e = il_event_finished (TRUE);
  g_assert_cmpuint (e.kind, ==, IL_EVENT_FINISHED);
  g_assert_cmpuint (e.flags, ==, IL_EVENT_FLAG_CANCELLED);
  g_assert_cmpuint (il_event_finished (FALSE).flags, ==, 0);
}

/* Packed events carry no stray bytes: two events packed from the same
 * values are equal as bytes (they are compared and sent that way). */
static void
test_event_packing_zeroed (void)
{
  IlStateTimes a, b;
  IlEvent      x, y;

  /* The same state, with different garbage in its padding. */
  memset (&a, 0xaa, sizeof a);
  memset (&b, 0x55, sizeof b);
  a.valid = b.valid = TRUE;
  a.running = b.running = 1;
  a.ready = b.ready = 2;
  a.blocked = b.blocked = 3;
  a.gil_wait = b.gil_wait = 4;
  a.lock_wait = b.lock_wait = 5;
  x = il_event_task_end (1, 2, 3, FALSE, &a);
  y = il_event_task_end (1, 2, 3, FALSE, &b);
  g_assert_cmpmem (&x, sizeof x, &y, sizeof y);
  x = il_event_block_end (1, 2, 3, IL_BLOCK_CPU, FALSE, &a);
  y = il_event_block_end (1, 2, 3, IL_BLOCK_CPU, FALSE, &b);
  g_assert_cmpmem (&x, sizeof x, &y, sizeof y);
}

/* The latest time an event mentions, which the live view extends its
 * time axis to. */
static void
test_event_latest (void)
{
  IlStateTimes state = { TRUE, 0, 0, 0, 0 };
  IlEvent      e;

  e = il_event_task_start (50, 0, 1, 1, 0, 0);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 50);
  e = il_event_block_end (10, 40, 0, IL_BLOCK_CPU, FALSE, &state);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 40);
  /* A start after the end (clock trouble) still counts. */
  e = il_event_block_end (60, 40, 0, IL_BLOCK_CPU, FALSE, &state);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 60);
  e = il_event_gil (IL_EVENT_GIL_HOLD, 0, 0, 100, 700);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 700);
  e = il_event_core_sample (300, 0, 1);
  g_assert_cmpint (il_event_get_latest_us (&e), ==, 300);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/events/bounded", test_event_queue_bounded);
  g_test_add_func ("/il/events/push-many", test_event_queue_push_many);
  g_test_add_func ("/il/events/packing", test_event_packing);
  g_test_add_func ("/il/events/packing-zeroed", test_event_packing_zeroed);
  g_test_add_func ("/il/events/latest", test_event_latest);

  return g_test_run ();
}
