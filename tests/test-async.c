/* test-async.c — the async executor: one loop thread, tasks as state
 * machines, the loop-latency probe, where the time went, cancellation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Timing bounds come from issue 3 and are generous (a noisy 2-core machine
 * running two tests at once); where a bound is marginal the measurement is
 * retried once before the test fails.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-error.h"
#include "il-events.h"
#include "il-experiment.h"
#include "il-kernels.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

static IlResults *
run_with (const char   *json,
          IlEventQueue *events,
          GCancellable *cancellable)
{
  g_autoptr(IlExperiment) exp = il_test_load (json);
  IlRunOptions options = { 0 };

  options.events = events;
  /* An explicit url here is loopback, refused on purpose (port 1). */
  options.allow_network = TRUE;
  return il_test_run_options (exp, &options, cancellable);
}

static IlResults *
run_json (const char *json)
{
  return run_with (json, NULL, NULL);
}

static const IlTaskRecord *
task_at (const IlRepetition *rep,
         guint               i)
{
  g_assert_cmpuint (rep->tasks->len, >, i);
  return &g_array_index (rep->tasks, IlTaskRecord, i);
}

static gint64
wall_of (const IlTaskRecord *t)
{
  return t->end_us - t->start_us;
}

static double
spin_ms_per_unit (void)
{
  static double ms = 0;

  if (ms == 0)
    ms = il_kernel_calibrate (IL_KERNEL_SPIN, 150);
  return ms;
}

/* Every task ran to completion on lane 0 of one thread, and its record is
 * complete and consistent. @n_blocks 0: any number of blocks. */
static void
assert_complete (const IlRepetition *rep,
                 guint               n_tasks,
                 guint               n_blocks)
{
  const IlTaskRecord *first = task_at (rep, 0);

  g_assert_cmpuint (rep->tasks->len, ==, n_tasks);
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
  g_assert_false (rep->cancelled);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = task_at (rep, i);
      gint64              prev_end;

      if (t->failed)
        g_error ("task %u failed: %s", i, il_task_record_error (t));
      g_assert_cmpint (t->worker, ==, 0);
      g_assert_cmpint (t->pid, ==, first->pid);
      g_assert_cmpint (t->tid, ==, first->tid);
      g_assert_cmpint (t->pid, !=, t->tid); /* a thread of its own */
      g_assert_cmpint (t->cpu_start, >=, 0);
      g_assert_cmpint (t->cpu_end, >=, 0);
      g_assert_cmpint (t->queued_us, ==, 0);
      g_assert_cmpint (t->start_us, >=, 0);
      g_assert_cmpint (t->end_us, >=, t->start_us);
      if (n_blocks > 0)
        g_assert_cmpuint (t->n_blocks, ==, n_blocks);
      prev_end = t->start_us;
      for (guint b = 0; b < t->n_blocks; b++)
        {
          const IlBlockRecord br_copy = il_task_record_block (t, b), *br = &br_copy;

          g_assert_cmpint (br->start_us, ==, prev_end);
          g_assert_cmpint (br->end_us, >=, br->start_us);
          if (br->state.valid)
            g_assert_cmpint (br->state.running + br->state.ready + br->state.blocked, ==,
                             br->end_us - br->start_us);
          prev_end = br->end_us;
        }
      g_assert_cmpint (prev_end, ==, t->end_us);
      if (il_task_record_state (t).valid)
        {
          g_assert_cmpint (il_task_record_state (t).running + il_task_record_state (t).ready + il_task_record_state (t).blocked, ==, wall_of (t));
          g_assert_cmpint (il_task_record_state (t).gil_wait, ==, 0);
        }
    }
}

/* 100 × 40 ms sleeps wait together: one latency, not the sum. */
static gboolean
sleeps_once (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"sleeps\","
    "  \"tasks\": [ { \"repeat\": 100, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 40 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);

  assert_complete (rep, 100, 1);
  g_assert_cmpuint (il_test_run_at (results, 0)->workers, ==, 1);
  for (guint i = 0; i < rep->tasks->len; i++)
    g_assert_cmpint (wall_of (task_at (rep, i)), >=, 40000);
  g_test_message ("100 x 40 ms sleeps: makespan %.1f ms", rep->makespan_ms);
  g_assert_cmpfloat (rep->makespan_ms, >=, 40.0);
  return rep->makespan_ms < 250.0;
}

static void
test_sleeps (void)
{
  if (!sleeps_once ())
    g_assert_true (sleeps_once ());
}

/* CPU work on one loop thread gains nothing over sequential, and computes
 * the same checksum. */
static gboolean
cpu_once (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"cpu\","
    "  \"tasks\": [ { \"repeat\": 8, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 90 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"async\" } ] }");
  const IlRunResult  *seq = il_test_run_at (results, 0);
  const IlRunResult  *async = il_test_run_at (results, 1);
  const IlRepetition *rep = il_test_first_rep (results, 1);

  assert_complete (rep, 8, 1);
  g_assert_cmpstr (async->summary.checksum, ==, seq->summary.checksum);
  g_assert_cmpstr (rep->checksum, ==, il_test_first_rep (results, 0)->checksum);
  g_assert_cmpstr (rep->checksum, !=, "0000000000000000");
  /* Inline CPU work is this task's time on a CPU, or in the run queue when
   * the machine is busy: never blocked. */
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = task_at (rep, i);

      if (!il_task_record_state (t).valid)
        continue;
      g_test_message ("task %u: running %" G_GINT64_FORMAT " ready %" G_GINT64_FORMAT
                      " blocked %" G_GINT64_FORMAT,
                      i, il_task_record_state (t).running, il_task_record_state (t).ready,
                      il_task_record_state (t).blocked);
      g_assert_cmpint (il_task_record_state (t).running + il_task_record_state (t).ready, >=, wall_of (t) * 8 / 10);
      g_assert_cmpint (il_task_record_state (t).running, >=, (gint64) (0.5 * 90 * spin_ms_per_unit () * 1000));
    }
  /* The loop thread's own usage, accounted once. */
  g_assert_cmpfloat (rep->cpu_user_ms + rep->cpu_sys_ms, >=, 0.5 * 8 * 90 * spin_ms_per_unit ());
  g_assert_cmpfloat (rep->overhead_cpu_ms, >=, 0.0);
  g_test_message ("8 CPU tasks: sequential %.1f ms, async %.1f ms, speedup %.2f",
                  seq->summary.makespan_ms.median, async->summary.makespan_ms.median,
                  async->summary.speedup);
  g_assert_false (isnan (async->summary.speedup));
  return async->summary.speedup <= 1.2;
}

static void
test_cpu_no_speedup (void)
{
  if (!cpu_once ())
    g_assert_true (cpu_once ());
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gint64
lag_quantile (const IlRepetition *rep,
              double              q,
              gint64             *max)
{
  g_autoptr(GArray) lags = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint idx;

  g_assert_nonnull (rep->loop_lag);
  g_assert_cmpuint (rep->loop_lag->len, >, 3);
  for (guint i = 0; i < rep->loop_lag->len; i++)
    {
      const IlLagSample *s = &g_array_index (rep->loop_lag, IlLagSample, i);

      g_assert_cmpint (s->lag_us, >=, 0);
      g_assert_cmpint (s->t_us, >=, 0);
      if (i > 0)
        g_assert_cmpint (s->t_us, >, g_array_index (rep->loop_lag, IlLagSample, i - 1).t_us);
      g_array_append_val (lags, s->lag_us);
    }
  g_array_sort (lags, cmp_gint64);
  idx = (guint) ceil (q * lags->len) - 1;
  *max = g_array_index (lags, gint64, lags->len - 1);
  return g_array_index (lags, gint64, MIN (idx, lags->len - 1));
}

/* Inline CPU blocks stall the loop for their whole duration; slicing them
 * keeps the heartbeat close to on time. */
static gboolean
lag_once (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"lag\","
    "  \"tasks\": [ { \"repeat\": 3, \"blocks\": ["
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 45 },"
    "      { \"type\": \"sleep\", \"ms\": 5 },"
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 45 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" }, { \"executor\": \"async\", \"cpu_slice_units\": 1 } ],"
    "  \"settings\": { \"order\": \"grouped\" } }");
  const IlRepetition  *whole = il_test_first_rep (results, 0);
  const IlRepetition  *sliced = il_test_first_rep (results, 1);
  const IlBlockRecord *cpu_block;
  IlBlockRecord        cpu_block_copy;
  gint64               whole_max, whole_p95, sliced_max, sliced_p95, block_us;

  assert_complete (whole, 3, 3);
  assert_complete (sliced, 3, 3);
  g_assert_cmpuint (il_test_run_at (results, 1)->cpu_slice_units, ==, 1);
  /* Slicing changes the order of the work, never its result. */
  g_assert_cmpstr (whole->checksum, ==, sliced->checksum);

  cpu_block_copy = il_task_record_block (task_at (whole, 0), 0);
  cpu_block = &cpu_block_copy;
  block_us = cpu_block->end_us - cpu_block->start_us;
  whole_p95 = lag_quantile (whole, 0.95, &whole_max);
  sliced_p95 = lag_quantile (sliced, 0.95, &sliced_max);
  g_test_message ("CPU block %.1f ms; loop lag inline: p95 %.1f ms, max %.1f ms; "
                  "sliced by 1 unit: p95 %.1f ms, max %.1f ms",
                  block_us / 1000.0, whole_p95 / 1000.0, whole_max / 1000.0,
                  sliced_p95 / 1000.0, sliced_max / 1000.0);
  return whole_max >= block_us / 2 && sliced_p95 <= whole_p95 / 2;
}

static void
test_loop_lag (void)
{
  if (!lag_once ())
    g_assert_true (lag_once ());
}

/* A stall that lasts until the end of the run is still recorded. */
static void
test_loop_lag_last_stall (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"stall\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 40 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);
  const IlTaskRecord *t = task_at (rep, 0);
  gint64              max = 0;

  assert_complete (rep, 1, 1);
  g_assert_cmpuint (rep->loop_lag->len, >=, 1);
  for (guint i = 0; i < rep->loop_lag->len; i++)
    max = MAX (max, g_array_index (rep->loop_lag, IlLagSample, i).lag_us);
  g_test_message ("one 40-unit block of %.1f ms: max lag %.1f ms", wall_of (t) / 1000.0, max / 1000.0);
  g_assert_cmpint (max, >=, wall_of (t) / 2);
}

/* A sleep-only task is blocked; tasks that take turns running inline CPU
 * work between short sleeps wait for each other: ready time. */
static gboolean
states_once (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"states\","
    "  \"tasks\": ["
    "    { \"name\": \"sleeper\", \"blocks\": [ { \"type\": \"sleep\", \"ms\": 60 } ] },"
    "    { \"name\": \"worker\", \"repeat\": 2, \"blocks\": ["
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 },"
    "      { \"type\": \"sleep\", \"ms\": 2 },"
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 },"
    "      { \"type\": \"sleep\", \"ms\": 2 },"
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);
  const IlTaskRecord *sleeper = task_at (rep, 0);
  const IlTaskRecord *first = task_at (rep, 1);
  const IlTaskRecord *second = task_at (rep, 2);
  gint64              cpu_us = (gint64) (20 * spin_ms_per_unit () * 1000);

  assert_complete (rep, 3, 0);
  g_assert_cmpuint (first->n_blocks, ==, 5);
  if (!il_task_record_state (sleeper).valid)
    {
      g_test_skip ("no per-thread scheduler statistics on this kernel");
      return TRUE;
    }
  g_test_message ("sleeper: running %" G_GINT64_FORMAT " ready %" G_GINT64_FORMAT " blocked %" G_GINT64_FORMAT
                  "; worker 2: running %" G_GINT64_FORMAT " ready %" G_GINT64_FORMAT " blocked %" G_GINT64_FORMAT,
                  il_task_record_state (sleeper).running, il_task_record_state (sleeper).ready, il_task_record_state (sleeper).blocked,
                  il_task_record_state (second).running, il_task_record_state (second).ready, il_task_record_state (second).blocked);
  /* The sleeper starts first; its timer may be late behind a CPU block, so
   * "mostly" is measured against its own 60 ms. */
  g_assert_cmpint (il_task_record_state (sleeper).blocked, >=, 60000 / 2);
  g_assert_cmpint (il_task_record_state (sleeper).running, <, 1000);
  /* Both workers ran their own units. */
  g_assert_cmpint (il_task_record_state (first).running, >=, 3 * cpu_us / 2);
  g_assert_cmpint (il_task_record_state (second).running, >=, 3 * cpu_us / 2);
  /* Each of the second worker's sleeps ends while the first worker runs a
   * CPU block, and vice versa: the continuation waits, ready. */
  if (il_task_record_state (second).ready < cpu_us / 2 || il_task_record_state (first).ready < cpu_us / 4)
    return FALSE;
  /* The ready time sits in the sleeps' records, where the timers were due. */
  for (guint b = 1; b < 4; b += 2)
    g_assert_cmpint (il_task_record_block (second, b).state.ready, >, 0);
  return TRUE;
}

static void
test_states (void)
{
  if (!states_once ())
    g_assert_true (states_once ());
}

/* The live stream: what il_task_execute emits, on lane 0, plus the lag. */
static void
test_events (void)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (0);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *rep;
  guint               task_start = 0, task_end = 0, block_start = 0, block_end = 0, lag = 0;

  results = run_with (
    "{ \"interleave\": 1, \"name\": \"events\","
    "  \"tasks\": [ { \"repeat\": 5, \"blocks\": ["
    "      { \"type\": \"sleep\", \"ms\": 20 },"
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\", \"cpu_slice_units\": 1 } ] }",
    queue, NULL);
  rep = il_test_first_rep (results, 0);
  assert_complete (rep, 5, 2);

  il_event_queue_drain (queue, events, 0);
  for (guint i = 0; i < events->len; i++)
    {
      const IlEvent *ev = &g_array_index (events, IlEvent, i);

      switch (ev->kind)
        {
          case IL_EVENT_TASK_START:
            task_start++;
            g_assert_cmpint (ev->worker, ==, 0);
            g_assert_cmpuint (ev->task, <, 5);
            break;
          case IL_EVENT_TASK_END:
            {
              const IlTaskRecord *t = task_at (rep, ev->task);

              task_end++;
              g_assert_cmpint (ev->worker, ==, 0);
              g_assert_cmpint (ev->t_us, ==, t->end_us);
              g_assert_cmpint (ev->task_end.start_us, ==, t->start_us);
              g_assert_cmpint (ev->task_end.state.valid, ==, il_task_record_state (t).valid);
              g_assert_cmpint (ev->task_end.state.running, ==, il_task_record_state (t).running);
              g_assert_cmpint (ev->task_end.state.ready, ==, il_task_record_state (t).ready);
              g_assert_cmpint (ev->task_end.state.blocked, ==, il_task_record_state (t).blocked);
              g_assert_false (ev->flags & IL_EVENT_FLAG_FAILED);
            }
            break;
          case IL_EVENT_BLOCK_START:
            block_start++;
            g_assert_cmpuint (ev->block_start.block, <, 2);
            break;
          case IL_EVENT_BLOCK_END:
            {
              const IlBlockRecord br_copy = il_task_record_block (task_at (rep, ev->task), ev->block_end.block), *br = &br_copy;

              block_end++;
              g_assert_cmpint (ev->worker, ==, 0);
              g_assert_cmpint (ev->t_us, ==, br->end_us);
              g_assert_cmpint (ev->block_end.start_us, ==, br->start_us);
              g_assert_cmpint (ev->block_end.state.valid, ==, br->state.valid);
              g_assert_cmpint (ev->block_end.state.running, ==, br->state.running);
              g_assert_cmpint (ev->block_end.state.ready, ==, br->state.ready);
              g_assert_cmpint (ev->block_end.state.blocked, ==, br->state.blocked);
              g_assert_cmpint (ev->block_end.state.gil_wait, ==, 0);
            }
            break;
          case IL_EVENT_LOOP_LAG:
            lag++;
            g_assert_cmpint (ev->loop_lag.lag_us, >=, 0);
            break;
          default:
            break;
        }
    }
  g_assert_cmpuint (task_start, ==, 5);
  g_assert_cmpuint (task_end, ==, 5);
  g_assert_cmpuint (block_start, ==, 10);
  g_assert_cmpuint (block_end, ==, 10);
  g_assert_cmpuint (lag, ==, rep->loop_lag->len);
  g_assert_cmpuint (lag, >, 0);
}

/* Many tiny tasks: every one is recorded. */
static void
test_many (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"many\","
    "  \"tasks\": [ { \"repeat\": 3000, \"blocks\": ["
    "      { \"type\": \"sleep\", \"ms\": 0 }, { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);

  assert_complete (rep, 3000, 2);
}

typedef struct
{
  GCancellable *cancellable;
  IlEventQueue *events;
  guint         after_ms;
  gint64        cancelled_at;
} CancelLater;

/* Cancels @after_ms after the first task started (not after the call: the
 * runner's own set-up, such as the embedded server, may take a while on a
 * loaded machine). */
static gpointer
cancel_later_thread (gpointer data)
{
  CancelLater *c = data;
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  gint64   give_up = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  gboolean started = FALSE;

  while (!started && g_get_monotonic_time () < give_up)
    {
      g_array_set_size (events, 0);
      il_event_queue_drain (c->events, events, 0);
      for (guint i = 0; i < events->len && !started; i++)
        started = g_array_index (events, IlEvent, i).kind == IL_EVENT_TASK_START;
      if (!started)
        g_usleep (1000);
    }
  g_usleep (c->after_ms * 1000);
  c->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

/* Cancel ~100 ms into a long run: it returns within 0.5 s, partial and
 * marked; started tasks fail with "cancelled". */
static void
cancel_case (const char *json,
             guint       expect_started_min)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(IlEventQueue) queue = il_event_queue_new (0);
  CancelLater c = { cancellable, queue, 100, 0 };
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *rep;
  GThread            *thread;
  gint64              returned_at, elapsed_us;
  guint               cancelled_tasks = 0;

  thread = g_thread_new ("cancel-later", cancel_later_thread, &c);
  results = run_with (json, queue, cancellable);
  returned_at = g_get_monotonic_time ();
  g_thread_join (thread);
  elapsed_us = returned_at - c.cancelled_at;

  g_test_message ("cancelled 100 ms after the first task started; returned %.1f ms later",
                  elapsed_us / 1000.0);
  g_assert_cmpint (elapsed_us, <, 500000);
  g_assert_true (results->cancelled);
  rep = il_test_first_rep (results, 0);
  g_assert_true (rep->cancelled);
  g_assert_cmpuint (rep->tasks->len, >=, expect_started_min);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = task_at (rep, i);

      g_assert_cmpint (t->end_us, >=, t->start_us);
      if (t->failed)
        {
          cancelled_tasks++;
          g_assert_nonnull (strstr (il_task_record_error (t), "cancelled"));
          g_assert_cmpuint (t->n_blocks, >, 0);
        }
    }
  g_assert_cmpuint (cancelled_tasks, >, 0);
  g_assert_cmpuint (rep->failed_tasks, ==, cancelled_tasks);
}

static void
test_cancel_inline (void)
{
  /* The first task's 3,000-unit block runs inline: it must stop at a unit
   * boundary; the tasks behind it never start. */
  cancel_case ("{ \"interleave\": 1, \"name\": \"cancel\","
               "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3000 } ] },"
               "               { \"repeat\": 10, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20000 } ] } ],"
               "  \"runs\": [ { \"executor\": \"async\" } ] }",
               1);
}

static void
test_cancel_sliced (void)
{
  /* Sliced: every task has started (timers pending, CPU blocks half-way);
   * all end failed, promptly. */
  cancel_case ("{ \"interleave\": 1, \"name\": \"cancel\","
               "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3000 } ] },"
               "               { \"repeat\": 10, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20000 } ] } ],"
               "  \"runs\": [ { \"executor\": \"async\", \"cpu_slice_units\": 2 } ] }",
               14);
}

static void
test_cancel_io (void)
{
  /* In-flight requests are cancelled through the cancellable. */
  cancel_case ("{ \"interleave\": 1, \"name\": \"cancel\","
               "  \"tasks\": [ { \"repeat\": 20, \"blocks\": [ { \"type\": \"http\", \"delay_ms\": 20000 } ] } ],"
               "  \"runs\": [ { \"executor\": \"async\" } ] }",
               1);
}

typedef struct
{
  GCancellable *cancellable;
  IlEventQueue *events;
  IlResults    *results;
  gint          done;
} RunInThread;

static gpointer
run_lost_io_thread (gpointer data)
{
  RunInThread *r = data;

  /* Write, give the test time to swap the file for a FIFO, read it. */
  r->results = run_with ("{ \"interleave\": 1, \"name\": \"lost io\","
                         "  \"tasks\": [ { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 4096 },"
                         "                                 { \"type\": \"sleep\", \"ms\": 300 },"
                         "                                 { \"type\": \"file-read\", \"bytes\": 4096 } ] } ],"
                         "  \"runs\": [ { \"executor\": \"async\" } ] }",
                         r->events, r->cancellable);
  g_atomic_int_set (&r->done, TRUE);
  return NULL;
}

/* Waits (at most 20 s) for the start of block @block of the only task. */
static void
wait_block_start (IlEventQueue *queue,
                  guint         block)
{
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  gint64 give_up = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < give_up)
    {
      g_array_set_size (events, 0);
      il_event_queue_drain (queue, events, 0);
      for (guint i = 0; i < events->len; i++)
        {
          const IlEvent *ev = &g_array_index (events, IlEvent, i);

          if (ev->kind == IL_EVENT_BLOCK_START && ev->block_start.block == block)
            return;
        }
      g_usleep (1000);
    }
  g_error ("block %u never started", block);
}

/* The only run-* scratch folder of the isolated cache. */
static char *
scratch_folder (void)
{
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "interleave", NULL);
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "run-"))
      return g_build_filename (base, name, NULL);
  g_error ("no scratch folder in %s", base);
}

/* An I/O operation whose completion never comes after a cancel (here a
 * file-read whose open() blocks in GIO's worker thread on a FIFO without
 * a writer: not cancellable) must not keep the cancelled run from
 * finishing. The executor used to wait for every in-flight completion, and
 * a cancelled run with such an operation never returned (seen under
 * AddressSanitizer with HTTP requests: inflight=12, remaining=0). */
static void
test_cancel_io_lost (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(IlEventQueue) queue = il_event_queue_new (0);
  RunInThread      r = { cancellable, queue, NULL, FALSE };
  g_autofree char *folder = NULL;
  g_autofree char *file = NULL;
  g_autofree char *keep = g_build_filename (g_get_user_cache_dir (), "lost-io-fifo", NULL);
  GThread         *thread;
  gint64           deadline;
  int              fd;

  thread = g_thread_new ("run", run_lost_io_thread, &r);
  /* The write is done when the sleep starts: swap its file for a FIFO (a
   * second name keeps it reachable once the scratch folder goes). */
  wait_block_start (queue, 1);
  folder = scratch_folder ();
  file = g_build_filename (folder, "task-0.bin", NULL);
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (mkfifo (file, 0600), ==, 0);
  g_assert_cmpint (link (file, keep), ==, 0);
  /* The read has started: its open() is blocked. */
  wait_block_start (queue, 2);
  g_usleep (100000);
  g_cancellable_cancel (cancellable);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&r.done) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  if (!g_atomic_int_get (&r.done))
    g_error ("a run cancelled while an I/O operation could not be cancelled "
             "has not finished 20 s after the cancel");
  g_thread_join (thread);
  g_assert_true (r.results->cancelled);
  g_assert_true (il_test_first_rep (r.results, 0)->cancelled);
  g_assert_true (g_array_index (il_test_first_rep (r.results, 0)->tasks, IlTaskRecord, 0).failed);
  g_clear_pointer (&r.results, il_results_free);

  /* A writer lets the blocked open() return. */
  fd = open (keep, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_cmpint (g_unlink (keep), ==, 0);
}

/* http and file blocks run concurrently on the loop. */
static void
test_io (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"io\","
    "  \"tasks\": [ { \"repeat\": 20, \"blocks\": ["
    "      { \"type\": \"http\", \"delay_ms\": 100, \"bytes\": 2048 },"
    "      { \"type\": \"file-write\", \"bytes\": 65536 },"
    "      { \"type\": \"file-read\", \"bytes\": 65536 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);

  assert_complete (rep, 20, 3);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlBlockRecord http_copy = il_task_record_block (task_at (rep, i), 0), *http = &http_copy;

      g_assert_cmpint (http->end_us - http->start_us, >=, 100000);
      g_assert_cmpint (http->ttfb_us, >=, http->start_us);
      g_assert_cmpint (http->ttfb_us, <=, http->end_us);
    }
  g_test_message ("20 x (http 100 ms + file write/read): makespan %.1f ms", rep->makespan_ms);
  /* Concurrent: far below the 2 s the requests take one after another. */
  g_assert_cmpfloat (rep->makespan_ms, <, 1000.0);
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Each repetition's loop, and the connections and streams its I/O blocks
 * used, are gone when the repetition ends: nothing they left pending on the
 * loop keeps descriptors open. */
static void
test_io_no_fd_leak (void)
{
  const char *json =
    "{ \"interleave\": 1, \"name\": \"io fds\","
    "  \"tasks\": [ { \"repeat\": 10, \"blocks\": ["
    "      { \"type\": \"http\", \"delay_ms\": 1, \"bytes\": 2048 },"
    "      { \"type\": \"file-write\", \"bytes\": 4096 },"
    "      { \"type\": \"file-read\", \"bytes\": 4096 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ],"
    "  \"settings\": { \"repetitions\": 4 } }";
  guint before, after;

  /* Once first: GLib's own lazily opened descriptors are not the run's. */
  il_results_free (run_json (json));
  before = count_open_fds ();
  il_results_free (run_json (json));
  after = count_open_fds ();
  g_test_message ("open descriptors: %u before, %u after 4 repetitions", before, after);
  g_assert_cmpuint (after, <=, before + 2);
}

/* A failing block ends only its own task; the others go on. */
static void
test_failure (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"failure\","
    "  \"tasks\": [ { \"name\": \"reader\", \"blocks\": ["
    "      { \"type\": \"http\", \"url\": \"http://127.0.0.1:1/\" }, { \"type\": \"sleep\", \"ms\": 1 } ] },"
    "               { \"repeat\": 3, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 30 },"
    "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);
  const IlTaskRecord *reader = task_at (rep, 0);

  g_assert_cmpuint (rep->tasks->len, ==, 4);
  g_assert_false (rep->cancelled);
  g_assert_true (reader->failed);
  g_assert_nonnull (il_task_record_error (reader));
  g_assert_true (g_str_has_prefix (il_task_record_error (reader), "block 1 (http): "));
  g_assert_cmpuint (reader->n_blocks, ==, 1);
  g_assert_cmpuint (reader->checksum, ==, 0);
  g_assert_cmpint (reader->end_us, >=, reader->start_us);
  g_assert_cmpuint (rep->failed_tasks, ==, 1);
  for (guint i = 1; i < 4; i++)
    {
      g_assert_false (task_at (rep, i)->failed);
      g_assert_cmpuint (task_at (rep, i)->n_blocks, ==, 2);
    }
}

/* A task that waited for the loop shows when: three sleeps come due while
 * a CPU block holds the loop, so each sleep block is blocked (its timer),
 * then ready (due, but the loop was busy) until the CPU block ends. */
static void
test_ready_segments (void)
{
  g_autoptr(IlResults) results = run_json (
    "{ \"interleave\": 1, \"name\": \"ready segments\","
    "  \"tasks\": [ { \"repeat\": 3, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 5 } ] },"
    "               { \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 60 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ] }");
  const IlRepetition *rep = il_test_first_rep (results, 0);
  const IlBlockRecord cpu_copy = il_task_record_block (task_at (rep, 3), 0), *cpu = &cpu_copy;

  assert_complete (rep, 4, 1);
  /* Inline CPU work is one state: nothing to place. */
  g_assert_null (cpu->segments);
  if (cpu->end_us - cpu->start_us < 20000)
    {
      g_test_skip ("the CPU block was too short to keep the timers waiting");
      return;
    }
  for (guint i = 0; i < 3; i++)
    {
      const IlBlockRecord    br_copy = il_task_record_block (task_at (rep, i), 0), *br = &br_copy;
      const IlStateSegments *s = br->segments;
      g_autofree char       *problem = NULL;

      g_assert_nonnull (s);
      problem = il_state_segments_check (s, br->end_us - br->start_us);
      g_assert_cmpstr (problem, ==, NULL);
      g_test_message ("sleep %u: %u segments, blocked %u µs then ready %u µs", i, s->n, s->seg[0].us,
                      s->n > 1 ? s->seg[1].us : 0);
      g_assert_cmpuint (s->n, ==, 2);
      g_assert_cmpuint (s->seg[0].state, ==, IL_STATE_BLOCKED);
      g_assert_cmpuint (s->seg[1].state, ==, IL_STATE_READY);
      /* Blocked until its timer was due, ready from then until the CPU
       * block let the loop go. */
      g_assert_cmpint (br->start_us + s->seg[0].us, ==, br->start_us + 5000);
      g_assert_cmpint (br->end_us, >=, cpu->end_us);
      g_assert_cmpint (il_state_segments_total (s, IL_STATE_READY), <=, br->state.ready);
    }
}

int
main (int    argc,
      char **argv)
{
  /* Isolated XDG folders: file blocks write to a private cache. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/il/async/sleeps", test_sleeps);
  g_test_add_func ("/il/async/cpu-no-speedup", test_cpu_no_speedup);
  g_test_add_func ("/il/async/loop-lag", test_loop_lag);
  g_test_add_func ("/il/async/loop-lag-last-stall", test_loop_lag_last_stall);
  g_test_add_func ("/il/async/states", test_states);
  g_test_add_func ("/il/async/events", test_events);
  g_test_add_func ("/il/async/ready-segments", test_ready_segments);
  g_test_add_func ("/il/async/many", test_many);
  g_test_add_func ("/il/async/failure", test_failure);
  g_test_add_func ("/il/async/cancel/inline", test_cancel_inline);
  g_test_add_func ("/il/async/cancel/sliced", test_cancel_sliced);
  g_test_add_func ("/il/async/cancel/io", test_cancel_io);
  g_test_add_func ("/il/async/cancel/io-lost", test_cancel_io_lost);
  g_test_add_func ("/il/async/io", test_io);
  g_test_add_func ("/il/async/io-no-fd-leak", test_io_no_fd_leak);

  return g_test_run ();
}
