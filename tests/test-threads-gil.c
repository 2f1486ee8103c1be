/* test-threads-gil.c — the simulated GIL of the threads executor: holds
 * that alternate, one holder at a time, a switch interval kept, and the lock
 * released around I/O (the rest of the executor is in test-threads.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Timing bounds are the issue's, measured as ratios on a 2-core machine: a
 * measurement that misses its bound is taken once more before the test
 * fails.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-kernels.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-stats.h"

#include "il-test-utils.h"

static gint64 spin_units_100ms;

/* Checks that the holds never overlap, alternate between the two workers
 * while both are busy, and last about @interval_ms. Returns the median hold
 * in ms. */
static double
check_gil_holds (const IlRepetition *rep,
                 guint               interval_ms)
{
  GArray            *holds = rep->gil_holds;
  g_autofree double *lengths = NULL;
  guint              same = 0;
  double             median;

  g_assert_nonnull (holds);
  g_assert_cmpuint (holds->len, >=, 10);
  lengths = g_new (double, holds->len);
  for (guint i = 0; i < holds->len; i++)
    {
      const IlSpan *h = &g_array_index (holds, IlSpan, i);

      g_assert_cmpint (h->end_us, >=, h->start_us);
      lengths[i] = (double) (h->end_us - h->start_us) / 1000.0;
      if (i > 0)
        {
          const IlSpan *p = &g_array_index (holds, IlSpan, i - 1);

          /* One holder at a time. */
          g_assert_cmpint (h->start_us, >=, p->end_us);
          if (h->worker == p->worker)
            same++;
        }
    }
  /* The fair hand-off: the waiter that asked gets the lock, so the holders
   * alternate. Only the very last hold(s), when one worker has run out of
   * tasks, may repeat a worker. */
  g_test_message ("%u holds, %u repeated holders", holds->len, same);
  g_assert_cmpuint (same, <=, 2);

  median = il_stats_median (lengths, holds->len);
  g_test_message ("median hold %.2f ms (switch interval %u ms)", median, interval_ms);
  g_assert_cmpfloat (median, >=, 0.5 * interval_ms);
  g_assert_cmpfloat (median, <=, 3.0 * interval_ms);
  return median;
}

/* The block's states in time order: it ran and waited for the GIL by
 * turns, and its GIL waits add up to its gil_wait. */
static void
check_gil_segments (const IlBlockRecord *br)
{
  const IlStateSegments *s = br->segments;
  g_autofree char       *problem = NULL;
  guint                  waits = 0;

  g_assert_nonnull (s);
  problem = il_state_segments_check (s, br->end_us - br->start_us);
  g_assert_cmpstr (problem, ==, NULL);
  for (guint i = 0; i < s->n; i++)
    if (s->seg[i].state == IL_STATE_GIL_WAIT)
      waits++;
  g_test_message ("%u segments, %u GIL waits: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " µs",
                  s->n, waits, il_state_segments_total (s, IL_STATE_GIL_WAIT), br->state.gil_wait);
  /* Hand-overs every switch interval over ~200 ms: many waits, between
   * stretches of running. */
  g_assert_cmpuint (waits, >=, 3);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_GIL_WAIT), ==, br->state.gil_wait);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_RUNNING), >, 0);
}

/* With the GIL, two CPU-bound threads pass the lock back and forth every
 * switch interval; each task spends about half its time waiting for it. */
static void
test_threads_gil_holds (void)
{
  const guint intervals[] = { 5, 2 };

  for (guint k = 0; k < G_N_ELEMENTS (intervals); k++)
    {
      g_autoptr(IlExperiment) exp = il_test_loadf (
        "{ \"interleave\": 1, \"name\": \"gil\","
        "  \"tasks\": [ { \"repeat\": 2, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] } ],"
        "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 2, \"gil\": true, \"switch_interval_ms\": %u } ] }",
        spin_units_100ms, intervals[k]);
      g_autoptr(IlEventQueue) queue = il_event_queue_new (0);
      g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
      g_autoptr(IlResults) results = NULL;
      const IlRepetition *rep;
      guint               hold_events = 0, wait_events = 0;

      for (guint attempt = 1;; attempt++)
        {
          const IlRepetition *r;
          double              makespan;
          double              cpu_ms;

          g_clear_pointer (&results, il_results_free);
          g_array_set_size (events, 0);
          il_event_queue_drain (queue, events, 0);
          g_array_set_size (events, 0);
          results = il_test_run (exp, queue, NULL);
          r = il_test_first_rep (results, 0);
          makespan = r->makespan_ms;
          cpu_ms = r->cpu_user_ms + r->cpu_sys_ms;
          g_test_message ("interval %u ms: makespan %.1f ms, CPU %.1f ms, %u holds",
                          intervals[k], makespan, cpu_ms, r->gil_holds->len);
          /* No parallelism: the CPU time is about the makespan, not twice
           * it. (A disturbed machine stretches the makespan: retry.) */
          if (cpu_ms <= makespan * 1.25 || !il_test_measure_again (attempt, il_test_ready_share (r)))
            {
              g_assert_cmpfloat (cpu_ms, <=, makespan * 1.25);
              break;
            }
        }
      rep = il_test_first_rep (results, 0);
      check_gil_holds (rep, intervals[k]);

      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);
          gint64              wall = t->end_us - t->start_us;

          g_assert_true (il_task_record_state (t).valid);
          /* Both threads compete for the lock from the start: each waits
           * for it a good part of its time (about half). */
          g_assert_cmpint (il_task_record_state (t).gil_wait, >, wall / 4);
          g_assert_cmpint (il_task_record_state (t).running + il_task_record_state (t).ready + il_task_record_state (t).blocked + il_task_record_state (t).gil_wait, ==, wall);
          /* One CPU block: the task waited for the lock in it (the two
           * splits are clamped to slightly different walls). */
          g_assert_cmpint (ABS (il_task_record_block (t, 0).state.gil_wait - il_task_record_state (t).gil_wait), <, 1000);
          check_gil_segments (&(IlBlockRecord[]){ il_task_record_block (t, 0) }[0]);
        }

      il_event_queue_drain (queue, events, 0);
      for (guint i = 0; i < events->len; i++)
        {
          const IlEvent *ev = &g_array_index (events, IlEvent, i);

          if (ev->kind == IL_EVENT_GIL_HOLD)
            {
              g_assert_cmpint (ev->gil.end_us, >=, ev->t_us);
              g_assert_cmpint (ev->worker, >=, 0);
              g_assert_cmpint (ev->worker, <, 2);
              hold_events++;
            }
          else if (ev->kind == IL_EVENT_GIL_WAIT)
            {
              g_assert_cmpint (ev->gil.end_us - ev->t_us, >=, 50);
              g_assert_cmpuint (ev->task, <, 2);
              wait_events++;
            }
        }
      /* One event per recorded hold; waits are most hand-overs. */
      g_assert_cmpuint (hold_events, ==, rep->gil_holds->len);
      g_assert_cmpuint (wait_events, >=, rep->gil_holds->len / 2);
    }
}

/* The GIL is released around I/O: sleeping threads don't hold it, so
 * sleeps overlap even with the GIL on; a thread back from its sleep waits
 * to get the lock back within the sleep block. */
static void
test_threads_gil_io (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"gil io\","
    "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 },"
    "                                          { \"type\": \"sleep\", \"ms\": 100 },"
    "                                          { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 4, \"gil\": true } ] }");
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  const IlRepetition *rep = il_test_first_rep (results, 0);

  g_test_message ("4 × (cpu, sleep 100 ms, cpu) under the GIL on 4 threads: %.1f ms", rep->makespan_ms);
  g_assert_cmpfloat (rep->makespan_ms, >=, 100.0);
  g_assert_cmpfloat (rep->makespan_ms, <, 250.0);
  /* The lock is set down once per task (for its sleep): two holds each. */
  g_assert_cmpuint (rep->gil_holds->len, >=, 8);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);
      const IlBlockRecord sleep_block_copy = il_task_record_block (t, 1), *sleep_block = &sleep_block_copy;
      const gint64        slept_until = sleep_block->start_us + 100000;

      /* The lock is set down for the sleep: the sleep's only wait for it is
       * to get it back after the 100 ms (within the block, as Python stamps
       * a sleep's end once it has the lock again). */
      g_assert_cmpint (sleep_block->state.gil_wait, <=, sleep_block->end_us - slept_until);
      for (guint h = 0; h < rep->gil_holds->len; h++)
        {
          const IlSpan *s = &g_array_index (rep->gil_holds, IlSpan, h);

          /* (The hold ends just after the block's start is stamped, when
           * the sleep is about to begin.) */
          if (s->worker == t->worker)
            g_assert_true (s->end_us <= sleep_block->start_us + 1000 || s->start_us >= slept_until);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  double ms_per_unit;

  g_test_init (&argc, &argv, NULL);

  /* About 100 ms of spin per task, whatever this machine's unit costs. */
  ms_per_unit = il_kernel_calibrate (IL_KERNEL_SPIN, 100);
  spin_units_100ms = (gint64) CLAMP (round (100.0 / MAX (ms_per_unit, 1e-3)), 10, 2000);
  g_test_message ("spin: %.3f ms per unit, %" G_GINT64_FORMAT " units ≈ 100 ms",
                  ms_per_unit, spin_units_100ms);

  g_test_add_func ("/il/threads/gil-holds", test_threads_gil_holds);
  g_test_add_func ("/il/threads/gil-io", test_threads_gil_io);

  return g_test_run ();
}
