/* test-cpython.c — the cpython engine: the same executors on the real
 * interpreter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Checksums equal the native ones under every executor; CPython threads do
 * not speed CPU-bound work up (the real GIL) while its processes do; asyncio
 * overlaps sleeps; CPU-bound threads record gil_wait; cancelling leaves no
 * Python process behind; a stopped interpreter is declared lost after the
 * silence timeout while a busy one is not; without an interpreter a cpython run is refused
 * before anything runs. The tests that need an interpreter skip, saying so,
 * where there is none. They prefer Debian's /usr/bin/python3 (the reference
 * interpreter) unless INTERLEAVE_PYTHON names one.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>

#include <glib/gstdio.h>

#include "il-cpython.h"
#include "il-experiment.h"
#include "il-kernels.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-test-utils.h"
#include "il-stats.h"

static gint64 spin_units_100ms;

static IlExperiment *
load (const char *json)
{
  g_autoptr(GError) error = NULL;
  IlExperiment *exp = il_experiment_load_data (json, -1, "test.interleave", &error);

  g_assert_no_error (error);
  g_assert_nonnull (exp);
  return exp;
}

static IlResults *
run_with (IlExperiment *exp,
          IlEventQueue *events,
          GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = NULL;
  IlResults *results;

  options.events = events;
  runner = il_runner_new (exp, &options);
  g_assert_true (il_runner_check (runner, &error));
  g_assert_no_error (error);
  results = il_runner_run (runner, cancellable, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

static const IlRunResult *
run_result (const IlResults *results,
            guint            run)
{
  g_assert_cmpuint (results->runs->len, >, run);
  return g_ptr_array_index (results->runs, run);
}

static const IlRepetition *
first_rep (const IlResults *results,
           guint            run)
{
  const IlRunResult *rr = run_result (results, run);

  g_assert_cmpuint (rr->repetitions->len, >, 0);
  return g_ptr_array_index (rr->repetitions, 0);
}

/* ---- the format ---------------------------------------------------------- */

static void
test_format (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlExperiment) back = NULL;
  g_autofree char *data = NULL;
  const char      *json =
    "{ \"interleave\": 1, \"name\": \"engines\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" },"
    "              { \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\", \"switch_interval_ms\": 1 },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"engine\": \"cpython\", \"spawn\": \"per-task\" },"
    "              { \"executor\": \"async\", \"engine\": \"cpython\", \"cpu_slice_units\": 3 },"
    "              { \"executor\": \"sequential\", \"engine\": \"native\" } ] }";
  const char *const labels[] = {
    "CPython threads ×2",
    "CPython threads ×2 (switch 1 ms)",
    "CPython processes ×2 (per task)",
    "CPython async (slice 3)",
    "sequential",
  };

  exp = load (json);
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      const IlRunConfig *run = g_ptr_array_index (exp->runs, i);
      g_autofree char   *label = il_run_config_derive_label (run, 0);

      g_assert_cmpstr (label, ==, labels[i]);
      g_assert_cmpint (run->engine, ==, i < 4 ? IL_ENGINE_CPYTHON : IL_ENGINE_NATIVE);
    }

  /* Saved only where it is not the default, read back the same. */
  data = il_experiment_to_data (exp, NULL);
  g_assert_nonnull (strstr (data, "\"engine\" : \"cpython\"") != NULL ? data : strstr (data, "\"engine\": \"cpython\""));
  g_assert_null (strstr (data, "\"native\""));
  back = il_experiment_load_data (data, -1, "back.interleave", &error);
  g_assert_no_error (error);
  g_assert_true (il_experiment_equal (exp, back));
  ((IlRunConfig *) g_ptr_array_index (back->runs, 0))->engine = IL_ENGINE_NATIVE;
  g_assert_false (il_experiment_equal (exp, back));
}

static void
test_format_refused (void)
{
  static const struct
  {
    const char *run;
    const char *message;
  } cases[] = {
    { "{ \"executor\": \"threads\", \"engine\": \"cpython\", \"gil\": true }",
      "runs[0].gil: does not apply to the cpython engine (the interpreter's own lock is always there)" },
    { "{ \"executor\": \"threads\", \"engine\": \"jython\" }",
      "runs[0].engine: expected \"native\" or \"cpython\", got the string \"jython\"" },
    { "{ \"executor\": \"async\", \"engine\": true }",
      "runs[0].engine: expected \"native\" or \"cpython\", got true" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *json = g_strdup_printf (
        "{ \"interleave\": 1, \"name\": \"refused\",\n"
        "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
        "  \"runs\": [ %s ] }\n",
        cases[i].run);
      g_autoptr(IlExperiment) exp = il_experiment_load_data (json, -1, "refused.interleave", &error);

      g_assert_null (exp);
      g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, "refused.interleave:3:"));
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  /* The same rule for experiments built in memory (the GUI's editor). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) exp = il_experiment_new ();
    IlRunConfig *run = g_ptr_array_index (exp->runs, 1);

    g_assert_cmpint (run->executor, ==, IL_EXECUTOR_THREADS);
    run->engine = IL_ENGINE_CPYTHON;
    g_assert_true (il_experiment_validate (exp, NULL));
    run->gil = TRUE;
    g_assert_false (il_experiment_validate (exp, &error));
    g_assert_nonnull (strstr (error->message, "runs[1].gil: does not apply to the cpython engine"));
  }
}

/* ---- checksums ----------------------------------------------------------- */

static void
test_same_checksum (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlResults) results = NULL;
  const char *native = NULL;

  if (!il_test_need_cpython ())
    return;

  exp = load (
    "{ \"interleave\": 1, \"name\": \"same\","
    "  \"tasks\": [ { \"name\": \"a\", \"repeat\": 4, \"blocks\": ["
    "                 { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3 },"
    "                 { \"type\": \"sleep\", \"ms\": 3 },"
    "                 { \"type\": \"http\", \"delay_ms\": 2, \"bytes\": 3000 },"
    "                 { \"type\": \"file-write\", \"bytes\": 300000, \"fsync\": true },"
    "                 { \"type\": \"file-read\", \"bytes\": 300000 },"
    "                 { \"type\": \"cpu\", \"kernel\": \"primes\", \"units\": 2 } ] },"
    "               { \"name\": \"b\", \"repeat\": 3, \"payload_bytes\": 100000, \"blocks\": ["
    "                 { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 2 },"
    "                 { \"type\": \"cpu\", \"kernel\": \"matmul\", \"units\": 2 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" },"
    "              { \"executor\": \"sequential\", \"engine\": \"cpython\" },"
    "              { \"executor\": \"threads\", \"workers\": 3, \"engine\": \"cpython\", \"switch_interval_ms\": 1 },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"engine\": \"cpython\" },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"engine\": \"cpython\", \"spawn\": \"per-task\" },"
    "              { \"executor\": \"async\", \"engine\": \"cpython\" },"
    "              { \"executor\": \"async\", \"engine\": \"cpython\", \"cpu_slice_units\": 1 } ],"
    "  \"settings\": { \"order\": \"shuffled\" } }");
  results = run_with (exp, NULL, NULL);

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult  *run = run_result (results, i);
      const IlRepetition *rep = first_rep (results, i);

      g_test_message ("%-34s %s", run->label, run->summary.checksum);
      for (guint t = 0; t < rep->tasks->len; t++)
        {
          const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

          if (rec->failed)
            g_error ("%s: task %u.%u failed: %s", run->label, rec->group, rec->index, il_task_record_error (rec));
          g_assert_cmpint (rec->start_us, <=, rec->end_us);
          g_assert_cmpuint (rec->n_blocks, ==, rec->group == 0 ? 6 : 2);
          g_assert_cmpint (rec->pid, >, 0);
        }
      g_assert_cmpuint (run->summary.failed_tasks, ==, 0);
      if (i == 0)
        {
          native = run->summary.checksum;
          g_assert_cmpint (run->engine, ==, IL_ENGINE_NATIVE);
          g_assert_null (run->python_version);
          continue;
        }
      g_assert_cmpint (run->engine, ==, IL_ENGINE_CPYTHON);
      g_assert_nonnull (run->python_version);
      g_assert_true (g_str_has_prefix (run->python_version, "3."));
      g_assert_cmpstr (run->summary.checksum, ==, native);
    }

  /* The engine and the interpreter's version survive the results document. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = il_results_to_json (results);
    g_autoptr(IlResults) back = il_results_from_json (node, "$", &error);

    g_assert_no_error (error);
    g_assert_true (il_results_equal (results, back));
    g_assert_cmpint (run_result (back, 3)->engine, ==, IL_ENGINE_CPYTHON);
  }
}

/* ---- the real GIL -------------------------------------------------------- */

static char *
cpu_tasks_json (guint repeat)
{
  return g_strdup_printf ("\"tasks\": [ { \"name\": \"fragment\", \"repeat\": %u, \"blocks\": "
                          "[ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] } ]",
                          repeat, spin_units_100ms);
}

/* 8 × 100 ms of CPU: CPython threads ×2 take as long as one thread (the
 * GIL), CPython processes ×2 nearly halve it; threads record gil_wait. */
static void
test_gil_speedups (void)
{
  g_autofree char *tasks = cpu_tasks_json (8);
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"real GIL\", %s,"
    "  \"runs\": [ { \"executor\": \"sequential\", \"engine\": \"cpython\" },"
    "              { \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"engine\": \"cpython\" } ] }",
    tasks);
  g_autoptr(IlExperiment) exp = NULL;

  if (!il_test_need_cpython ())
    return;
  exp = load (json);

  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(IlResults) results = run_with (exp, NULL, NULL);
      const IlRunResult  *seq = run_result (results, 0);
      const IlRunResult  *thr = run_result (results, 1);
      const IlRunResult  *proc = run_result (results, 2);
      const IlRepetition *rep = first_rep (results, 1);
      double              busy = MAX (il_test_ready_share (first_rep (results, 0)), il_test_ready_share (first_rep (results, 2)));
      gint64              gil_wait = 0;
      gboolean            ok;

      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

          g_assert_false (t->failed);
          g_assert_true (il_task_record_state (t).valid);
          g_assert_cmpint (t->worker, >=, 0);
          g_assert_cmpint (t->worker, <, 2);
          gil_wait += il_task_record_state (t).gil_wait;
        }
      g_test_message ("attempt %u: CPython sequential %.1f ms, threads ×2 %.1f ms (speedup %.2f, "
                      "gil_wait %.1f ms), processes ×2 %.1f ms (speedup %.2f)",
                      attempt, seq->summary.makespan_ms.median,
                      thr->summary.makespan_ms.median, thr->summary.speedup, gil_wait / 1000.0,
                      proc->summary.makespan_ms.median, proc->summary.speedup);
      g_assert_cmpstr (seq->summary.checksum, ==, thr->summary.checksum);
      g_assert_cmpstr (seq->summary.checksum, ==, proc->summary.checksum);
      /* Two CPU-bound threads each wait for the lock about half the time. */
      g_assert_cmpint (gil_wait, >, 0);

      ok = thr->summary.speedup <= 1.2 && proc->summary.speedup >= 1.5;
      if (ok || !il_test_measure_again (attempt, busy))
        {
          g_assert_cmpfloat (thr->summary.speedup, <=, 1.2);
          g_assert_cmpfloat (proc->summary.speedup, >=, 1.5);
          break;
        }
    }
}

/* An I/O-bound thread beside two CPU-bound ones: after each sleep it waits
 * once for the GIL (up to a switch interval), as Python code does. The
 * engine's own recording must not add waits: an os.pread or os.write
 * releases the lock, and taking it back costs another interval each time
 * (the I/O tasks then took 4–6 intervals instead of 1–2). */
static void
test_io_beside_cpu (void)
{
  const guint      interval_ms = 20;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"io beside cpu\","
    "  \"tasks\": [ { \"name\": \"cpu\", \"repeat\": 2, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] },"
    "               { \"name\": \"io\", \"repeat\": 12, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 },"
    "                 { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 3, \"engine\": \"cpython\", \"switch_interval_ms\": %u } ] }",
    spin_units_100ms * 10, interval_ms);
  g_autoptr(IlExperiment) exp = NULL;

  if (!il_test_need_cpython ())
    return;
  exp = load (json);
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(IlResults) results = run_with (exp, NULL, NULL);
      const IlRepetition *rep = first_rep (results, 0);
      g_autoptr(GArray) waits = g_array_new (FALSE, FALSE, sizeof (double));
      double median;

      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);
          double              beyond;

          g_assert_false (t->failed);
          if (t->group != 1)
            continue;
          /* Beyond the sleep and the unit, in switch intervals. */
          beyond = ((double) (t->end_us - t->start_us) / 1000.0 - 20.0) / interval_ms;
          g_array_append_val (waits, beyond);
        }
      median = il_stats_median ((double *) (gpointer) waits->data, waits->len);
      g_test_message ("attempt %u: an I/O task beside two CPU-bound threads waits %.2f switch intervals (median)",
                      attempt, median);
      if (median <= 2.5 || attempt >= IL_TEST_ATTEMPTS)
        {
          g_assert_cmpfloat (median, <=, 2.5);
          break;
        }
    }
}

/* 100 × 40 ms sleeps under asyncio overlap: well under a second. */
static void
test_async_sleeps (void)
{
  g_autoptr(IlExperiment) exp = NULL;

  if (!il_test_need_cpython ())
    return;
  exp = load ("{ \"interleave\": 1, \"name\": \"sleeps\","
              "  \"tasks\": [ { \"repeat\": 100, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 40 } ] } ],"
              "  \"runs\": [ { \"executor\": \"async\", \"engine\": \"cpython\" } ] }");
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(IlResults) results = run_with (exp, NULL, NULL);
      const IlRunResult *run = run_result (results, 0);

      g_test_message ("attempt %u: CPython async, 100 × 40 ms sleeps: %.1f ms",
                      attempt, run->summary.makespan_ms.median);
      g_assert_cmpuint (run->summary.failed_tasks, ==, 0);
      if (run->summary.makespan_ms.median <= 250.0 || attempt >= IL_TEST_ATTEMPTS)
        {
          g_assert_cmpfloat (run->summary.makespan_ms.median, <=, 250.0);
          break;
        }
    }
}

/* ---- cancelling ---------------------------------------------------------- */

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  IlExperiment *exp;
  IlEventQueue *events;
  GCancellable *cancellable;
  IlResults    *results;
  gint64        cancelled_at;
  gint64        returned_at;
} CancelRun;

static gpointer
cancel_thread (gpointer data)
{
  CancelRun *c = data;

  c->results = run_with (c->exp, c->events, c->cancellable);
  c->returned_at = g_get_monotonic_time ();
  return NULL;
}

static void
test_cancel (gconstpointer data)
{
  const char      *executor = data;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"long\","
    "  \"tasks\": [ { \"repeat\": 20, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] } ],"
    "  \"runs\": [ { \"executor\": \"%s\", %s \"engine\": \"cpython\" } ] }",
    spin_units_100ms * 5, executor, g_str_equal (executor, "async") ? "" : "\"workers\": 2,");
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlEventQueue) events = il_event_queue_new (4096);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(GHashTable) pids = g_hash_table_new (g_direct_hash, g_direct_equal);
  CancelRun        c = { 0 };
  GThread         *thread;
  GHashTableIter   iter;
  gpointer         pid;
  g_autofree char *children = NULL;

  if (!il_test_need_cpython ())
    return;
  exp = load (json);
  c.exp = exp;
  c.events = events;
  c.cancellable = cancellable;
  thread = g_thread_new ("run", cancel_thread, &c);

  /* Cancel once the interpreter is running tasks. */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;;)
    {
      gboolean started = FALSE;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      il_event_queue_drain (events, got, 0);
      for (guint i = 0; i < got->len; i++)
        if (g_array_index (got, IlEvent, i).kind == IL_EVENT_TASK_START)
          {
            started = TRUE;
            g_hash_table_add (pids, GINT_TO_POINTER ((gint) g_array_index (got, IlEvent, i).task_start.pid));
          }
      if (started)
        break;
      g_usleep (10000);
    }
  g_usleep (200000);
  c.cancelled_at = g_get_monotonic_time ();
  cancel_cb (cancellable);
  g_thread_join (thread);

  g_test_message ("%s: returned %.1f ms after the cancel", executor,
                  (c.returned_at - c.cancelled_at) / 1000.0);
  g_assert_cmpint (c.returned_at - c.cancelled_at, <, G_USEC_PER_SEC);
  g_assert_true (first_rep (c.results, 0)->cancelled);

  /* No Python process is left: the interpreter (and its children) are gone
   * and reaped. */
  g_hash_table_iter_init (&iter, pids);
  while (g_hash_table_iter_next (&iter, &pid, NULL))
    {
      g_assert_cmpint (kill (GPOINTER_TO_INT (pid), 0), ==, -1);
      g_assert_cmpint (errno, ==, ESRCH);
    }
  if (g_file_get_contents ("/proc/self/task/self/children", &children, NULL, NULL) ||
      g_file_get_contents ("/proc/thread-self/children", &children, NULL, NULL))
    g_assert_cmpstr (g_strstrip (children), ==, "");
  il_results_free (c.results);
}

/* ---- liveness ------------------------------------------------------------ */

typedef struct
{
  IlExperiment *exp;
  IlEventQueue *events;
  GCancellable *cancellable;
  IlResults    *results;
  gint          done;
} LiveRun;

static gpointer
live_thread (gpointer data)
{
  LiveRun *l = data;

  l->results = run_with (l->exp, l->events, l->cancellable);
  g_atomic_int_set (&l->done, 1);
  return NULL;
}

/* Waits for the run to end by itself; cancels it after @seconds so that a
 * run that would never end fails the test instead of hanging it. */
static void
live_wait (LiveRun *l,
           GThread *thread,
           guint    seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!g_atomic_int_get (&l->done) && g_get_monotonic_time () < deadline)
    g_usleep (20000);
  if (!g_atomic_int_get (&l->done))
    g_test_message ("the run did not end by itself within %u s: cancelling it", seconds);
  g_cancellable_cancel (l->cancellable);
  g_thread_join (thread);
}

/* An interpreter that stops (SIGSTOP) is declared lost after the silence
 * timeout, as a native worker is: its tasks fail saying so, the run ends
 * by itself, and the interpreter is gone. */
static void
test_liveness_stopped (void)
{
  static const char json[] =
    "{ \"interleave\": 1, \"name\": \"stops\","
    "  \"tasks\": [ { \"repeat\": 2, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20000 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" } ],"
    "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }";
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlEventQueue) events = il_event_queue_new (4096);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  const IlRepetition *rep;
  LiveRun             l = { 0 };
  GThread            *thread;
  pid_t               pid = 0;

  if (!il_test_need_cpython ())
    return;
  g_setenv ("IL_WORKER_TIMEOUT_MS", "500", TRUE);
  exp = load (json);
  l.exp = exp;
  l.events = events;
  l.cancellable = cancellable;
  thread = g_thread_new ("run", live_thread, &l);

  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC; pid == 0;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      il_event_queue_drain (events, got, 0);
      for (guint i = 0; i < got->len && pid == 0; i++)
        if (g_array_index (got, IlEvent, i).kind == IL_EVENT_TASK_START)
          pid = g_array_index (got, IlEvent, i).task_start.pid;
      g_usleep (10000);
    }
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  live_wait (&l, thread, 30);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");

  rep = first_rep (l.results, 0);
  g_assert_false (rep->cancelled);
  g_assert_cmpuint (rep->failed_tasks, ==, 2);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      g_assert_true (t->failed);
      g_assert_nonnull (strstr (il_task_record_error (t), "stopped responding for 0.5 s"));
    }
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
  il_results_free (l.results);
}

/* A busy interpreter is not a silent one: with every worker CPU-bound for
 * far longer than the silence timeout, the engine's heartbeat thread still
 * gets the GIL and is heard, and no task is lost. */
static void
test_liveness_busy (gconstpointer data)
{
  const char      *executor = data;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"busy\","
    "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] } ],"
    "  \"runs\": [ { \"executor\": \"%s\", %s \"engine\": \"cpython\" } ],"
    "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }",
    spin_units_100ms * 8, executor, g_str_equal (executor, "async") ? "" : "\"workers\": 2,");
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlEventQueue) events = il_event_queue_new (4096);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const IlRepetition *rep;
  LiveRun             l = { 0 };
  GThread            *thread;

  if (!il_test_need_cpython ())
    return;
  g_setenv ("IL_WORKER_TIMEOUT_MS", "500", TRUE);
  exp = load (json);
  l.exp = exp;
  l.events = events;
  l.cancellable = cancellable;
  thread = g_thread_new ("run", live_thread, &l);
  live_wait (&l, thread, 120);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");

  rep = first_rep (l.results, 0);
  g_assert_false (rep->cancelled);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (t->failed)
        g_error ("task %u failed: %s", i, il_task_record_error (t));
    }
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
  il_results_free (l.results);
}

/* ---- no interpreter ------------------------------------------------------ */

static void
test_missing_python (void)
{
  const char      *cli = g_getenv ("IL_CLI");
  g_autofree char *dir = g_dir_make_tmp ("il-cpython-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "engine.interleave", NULL);
  g_autofree char *json_out = g_build_filename (dir, "out.json", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_nonnull (cli);
  g_assert_true (g_file_set_contents (file,
                                      "{ \"interleave\": 1, \"name\": \"engine\",\n"
                                      "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
                                      "  \"runs\": [ { \"executor\": \"sequential\" },\n"
                                      "              { \"executor\": \"threads\", \"engine\": \"cpython\" } ] }\n",
                                      -1, NULL));
  g_subprocess_launcher_setenv (launcher, "INTERLEAVE_PYTHON", "/nonexistent/python3", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, cli, "run", file, "--json", json_out, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
  g_assert_nonnull (strstr (err, "runs[1]: The cpython engine needs Python 3"));
  g_assert_nonnull (strstr (err, "/nonexistent/python3"));
  /* Nothing ran: not even the native run, and no results were written. */
  g_assert_false (g_file_test (json_out, G_FILE_TEST_EXISTS));
  g_assert_null (strstr (out, "sequential"));

  /* Without the engine's own files: refused the same way. */
  {
    g_autoptr(GSubprocessLauncher) l2 = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                    G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GSubprocess) p2 = NULL;
    g_autofree char *err2 = NULL;

    g_subprocess_launcher_setenv (l2, "IL_ENGINE_PYTHON_DIR", "/nonexistent", TRUE);
    p2 = g_subprocess_launcher_spawn (l2, &error, cli, "run", file, NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (p2, NULL, NULL, NULL, &err2, &error);
    g_assert_no_error (error);
    g_test_message ("%s", err2);
    if (il_cpython_find (NULL, NULL, NULL))
      {
        g_assert_cmpint (g_subprocess_get_exit_status (p2), ==, 2);
        g_assert_nonnull (strstr (err2, "runs[1]: The cpython engine's files are not where"));
      }
  }

  /* A program that is not a usable interpreter is refused with the reason. */
  {
    g_autoptr(GSubprocessLauncher) l3 = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                    G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autoptr(GSubprocess) p3 = NULL;
    g_autofree char *err3 = NULL;

    g_subprocess_launcher_setenv (l3, "INTERLEAVE_PYTHON", "/bin/false", TRUE);
    p3 = g_subprocess_launcher_spawn (l3, &error, cli, "run", file, NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (p3, NULL, NULL, NULL, &err3, &error);
    g_assert_no_error (error);
    g_test_message ("%s", err3);
    g_assert_cmpint (g_subprocess_get_exit_status (p3), ==, 2);
    g_assert_nonnull (strstr (err3, "runs[1]: The cpython engine cannot use /bin/false"));
  }
  g_unlink (file);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  double ms_per_unit;

  g_test_init (&argc, &argv, NULL);

  /* Debian's interpreter is the reference, not whatever python3 comes
   * first on PATH (a pyenv shim costs a shell per start). */
  if (g_getenv ("INTERLEAVE_PYTHON") == NULL && g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    g_setenv ("INTERLEAVE_PYTHON", "/usr/bin/python3", TRUE);

  ms_per_unit = il_kernel_calibrate (IL_KERNEL_SPIN, 100);
  spin_units_100ms = (gint64) CLAMP (round (100.0 / MAX (ms_per_unit, 1e-3)), 10, 2000);

  g_test_add_func ("/il/cpython/format", test_format);
  g_test_add_func ("/il/cpython/format-refused", test_format_refused);
  g_test_add_func ("/il/cpython/missing-python", test_missing_python);
  g_test_add_func ("/il/cpython/same-checksum", test_same_checksum);
  g_test_add_data_func ("/il/cpython/cancel/threads", "threads", test_cancel);
  g_test_add_data_func ("/il/cpython/cancel/processes", "processes", test_cancel);
  g_test_add_data_func ("/il/cpython/cancel/async", "async", test_cancel);
  g_test_add_func ("/il/cpython/liveness/stopped", test_liveness_stopped);
  g_test_add_data_func ("/il/cpython/liveness/busy/threads", "threads", test_liveness_busy);
  g_test_add_data_func ("/il/cpython/liveness/busy/async", "async", test_liveness_busy);
  g_test_add_func ("/il/cpython/timing/gil-speedups", test_gil_speedups);
  g_test_add_func ("/il/cpython/timing/async-sleeps", test_async_sleeps);
  g_test_add_func ("/il/cpython/timing/io-beside-cpu", test_io_beside_cpu);

  return g_test_run ();
}
