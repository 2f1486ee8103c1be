/* test-runner.c — the runner and the sequential executor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-cost.h"
#include "il-error.h"
#include "il-events.h"
#include "il-experiment.h"
#include "il-machine.h"
#include "il-export.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-server.h"

#include "il-test-utils.h"

static void
test_sequential_order (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"order\","
    "  \"tasks\": [ { \"name\": \"a\", \"repeat\": 3, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 5 } ] },"
    "               { \"name\": \"b\", \"repeat\": 2, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 },"
    "                                                     { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 2 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  const IlRepetition *rep = il_test_first_rep (results, 0);
  gint                self_tid = (gint) syscall (SYS_gettid);
  gint64              prev_end = -1;

  g_assert_cmpuint (rep->tasks->len, ==, 5);
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
  g_assert_false (rep->cancelled);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      /* flat order: group 0 indices 0..2, then group 1 indices 0..1 */
      g_assert_cmpuint (t->group, ==, i < 3 ? 0 : 1);
      g_assert_cmpuint (t->index, ==, i < 3 ? i : i - 3);
      g_assert_cmpint (t->worker, ==, 0);
      g_assert_cmpint (t->pid, ==, getpid ());
      /* one worker thread, never the caller's */
      g_assert_cmpint (t->tid, !=, self_tid);
      if (i > 0)
        g_assert_cmpint (t->tid, ==, g_array_index (rep->tasks, IlTaskRecord, 0).tid);
      g_assert_cmpint (t->start_us, >=, prev_end);
      g_assert_cmpint (t->end_us, >=, t->start_us);
      g_assert_cmpint (t->cpu_start, >=, 0);
      g_assert_cmpuint (t->n_blocks, ==, i < 3 ? 1 : 2);
      for (guint b = 0; b < t->n_blocks; b++)
        {
          const IlBlockRecord br_copy = il_task_record_block (t, b), *br = &br_copy;

          g_assert_cmpint (br->start_us, >=, t->start_us);
          g_assert_cmpint (br->end_us, <=, t->end_us);
          if (b > 0)
            g_assert_cmpint (br->start_us, >=, il_task_record_block (t, b - 1).end_us);
        }
      prev_end = t->end_us;
    }
  /* The makespan ends with the last task. */
  g_assert_cmpfloat_with_epsilon (rep->makespan_ms, (double) prev_end / 1000.0, 0.002);
  g_assert_cmpuint (strlen (rep->checksum), ==, 16);
}

static void
test_sequential_timings (void)
{
  /* 6 × 30 ms sleeps: sequential is about the sum. */
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"sleeps\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 30 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  const IlRepetition *rep = il_test_first_rep (results, 0);
  const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, 0);

  g_assert_cmpfloat (rep->makespan_ms, >=, 180.0 * 0.98);
  g_assert_cmpfloat (rep->makespan_ms, <, 180.0 * 3);
  /* A sleeping task is blocked, not running. */
  if (il_task_record_state (t).valid)
    {
      gint64 wall = t->end_us - t->start_us;

      g_assert_cmpint (il_task_record_state (t).blocked, >, wall / 2);
      g_assert_cmpint (il_task_record_state (t).running, <, wall / 4);
      g_assert_cmpint (il_task_record_state (t).running + il_task_record_state (t).ready + il_task_record_state (t).blocked + il_task_record_state (t).gil_wait, ==, wall);
    }
}

static void
test_cpu_state_and_overhead (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"cpu\","
    "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ], \"settings\": { \"sample_hz\": 50 } }");
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  const IlRepetition *rep = il_test_first_rep (results, 0);
  double              cpu_ms = rep->cpu_user_ms + rep->cpu_sys_ms;

  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (il_task_record_state (t).valid)
        /* CPU work is running or, on a busy machine, ready: never blocked. */
        g_assert_cmpint (il_task_record_state (t).running + il_task_record_state (t).ready, >, (t->end_us - t->start_us) * 8 / 10);
    }
  /* getrusage's CPU time and the tasks' running time (the thread CPU
   * clock) measure the same work: they agree (rusage ticks are coarse).
   * Not compared with the makespan: a loaded machine stretches that. */
  {
    gint64 running_us = 0;

    for (guint i = 0; i < rep->tasks->len; i++)
      running_us += il_task_record_state (&g_array_index (rep->tasks, IlTaskRecord, i)).running;
    if (running_us > 0)
      {
        g_assert_cmpfloat (cpu_ms, >, running_us / 1000.0 * 0.8);
        g_assert_cmpfloat (cpu_ms, <, running_us / 1000.0 * 1.25 + 10);
      }
    g_assert_cmpfloat (cpu_ms, >, 0.0);
  }
  /* Interleave's recording and sampling cost is known, and small. */
  g_assert_cmpfloat (rep->overhead_cpu_ms, >, 0.0);
  g_assert_cmpfloat (rep->overhead_cpu_ms, <, cpu_ms * 0.05);
  /* Per-core load: one series per core, at about 50 Hz. */
  g_assert_nonnull (rep->core_load);
  g_assert_cmpuint (rep->core_load->len, >=, 1);
  g_assert_cmpuint (rep->load_hz, ==, 50);
}

static void
test_repetitions_and_events (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"reps\","
    "  \"tasks\": [ { \"repeat\": 3, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"primes\", \"units\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"sequential\", \"label\": \"again\" } ],"
    "  \"settings\": { \"repetitions\": 3, \"warmup\": 1, \"order\": \"interleaved\" } }");
  g_autoptr(IlEventQueue) queue = il_event_queue_new (0);
  g_autoptr(IlResults) results = il_test_run (exp, queue, NULL);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  guint              task_starts = 0, task_ends = 0, rep_starts = 0, finished = 0;
  GString           *order = g_string_new (NULL);
  const IlRunResult *r0, *r1;

  g_assert_cmpuint (results->runs->len, ==, 2);
  r0 = g_ptr_array_index (results->runs, 0);
  r1 = g_ptr_array_index (results->runs, 1);
  /* Warm-ups are not counted. */
  g_assert_cmpuint (r0->repetitions->len, ==, 3);
  g_assert_cmpuint (r1->repetitions->len, ==, 3);
  g_assert_cmpstr (r1->label, ==, "again");
  /* Deterministic work: the same checksum every time, and the speedup of
   * the baseline against itself is 1. */
  g_assert_cmpstr (r0->summary.checksum, ==, r1->summary.checksum);
  g_assert_cmpfloat_with_epsilon (r0->summary.speedup, 1.0, 1e-9);
  g_assert_false (isnan (r1->summary.speedup));

  il_event_queue_drain (queue, events, 0);
  for (guint i = 0; i < events->len; i++)
    {
      const IlEvent *ev = &g_array_index (events, IlEvent, i);

      switch (ev->kind)
        {
          case IL_EVENT_TASK_START:
            task_starts++;
            break;
          case IL_EVENT_TASK_END:
            task_ends++;
            break;
          case IL_EVENT_REP_START:
            rep_starts++;
            g_string_append_printf (order, "%u", ev->run);
            break;
          case IL_EVENT_FINISHED:
            finished++;
            break;
          default:
            break;
        }
    }
  /* (1 warm-up + 3) repetitions × 2 runs × 3 tasks */
  g_assert_cmpuint (task_starts, ==, 24);
  g_assert_cmpuint (task_ends, ==, 24);
  g_assert_cmpuint (rep_starts, ==, 8);
  g_assert_cmpuint (finished, ==, 1);
  /* interleaved: A B A B … */
  g_assert_cmpstr (order->str, ==, "01010101");
  g_string_free (order, TRUE);
}

static void
test_grouped_order (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"grouped\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"sequential\" } ],"
    "  \"settings\": { \"repetitions\": 2, \"order\": \"grouped\" } }");
  g_autoptr(IlEventQueue) queue = il_event_queue_new (0);
  g_autoptr(IlResults) results = il_test_run (exp, queue, NULL);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  GString *order = g_string_new (NULL);

  il_event_queue_drain (queue, events, 0);
  for (guint i = 0; i < events->len; i++)
    {
      const IlEvent *ev = &g_array_index (events, IlEvent, i);

      if (ev->kind == IL_EVENT_REP_START)
        g_string_append_printf (order, "%u", ev->run);
    }
  g_assert_cmpstr (order->str, ==, "0011");
  g_string_free (order, TRUE);
}

typedef struct
{
  GCancellable *cancellable;
  guint         delay_ms;
} CancelLater;

static gpointer
cancel_later (gpointer data)
{
  CancelLater *cl = data;

  g_usleep (cl->delay_ms * 1000);
  g_cancellable_cancel (cl->cancellable);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"long\","
    "  \"tasks\": [ { \"repeat\": 50, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 50 },"
    "                                          { \"type\": \"sleep\", \"ms\": 100 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ], \"settings\": { \"repetitions\": 5 } }");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(IlRunner) runner = il_runner_new (exp, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) results = NULL;
  CancelLater         cl = { cancellable, 200 };
  GThread            *thread = g_thread_new ("cancel", cancel_later, &cl);
  gint64              t0 = g_get_monotonic_time ();
  gint64              elapsed;
  const IlRepetition *rep;

  results = il_runner_run (runner, cancellable, &error);
  elapsed = g_get_monotonic_time () - t0;
  g_thread_join (thread);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_true (results->cancelled);
  /* The whole experiment would take > 25 s. */
  g_assert_cmpint (elapsed, <, 200000 + 2 * G_USEC_PER_SEC);
  rep = il_test_first_rep (results, 0);
  g_assert_true (rep->cancelled);
  g_assert_cmpuint (rep->tasks->len, >=, 1);
  g_assert_cmpuint (rep->tasks->len, <, 50);
}

static void
test_check_errors (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"x\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ], \"settings\": { \"cpu_affinity\": [ 999 ] } }");
  g_autoptr(IlRunner) runner = il_runner_new (exp, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) only = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(IlRunner) runner2 = NULL;
  IlRunOptions options = { 0 };
  guint        idx = 3;

  g_assert_false (il_runner_check (runner, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "cpu_affinity"));
  g_assert_nonnull (strstr (error->message, "999"));
  g_clear_error (&error);

  g_clear_pointer (&exp->settings.cpu_affinity, g_array_unref);
  g_array_append_val (only, idx);
  options.only_runs = only;
  runner2 = il_runner_new (exp, &options);
  g_assert_false (il_runner_check (runner2, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "run 3"));
}

static void
test_sweep_expansion (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"sweep\","
    "  \"tasks\": [ { \"repeat\": 2, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"threads\", \"workers\": [1, 2, 4] } ],"
    "  \"settings\": { \"repetitions\": 2, \"warmup\": 1 } }");
  g_autoptr(IlRunner) runner = il_runner_new (exp, NULL);

  g_assert_cmpuint (il_runner_get_n_runs (runner), ==, 4);
  g_assert_cmpstr (il_runner_get_run_label (runner, 0), ==, "sequential");
  g_assert_cmpstr (il_runner_get_run_label (runner, 1), ==, "threads ×1");
  g_assert_cmpstr (il_runner_get_run_label (runner, 3), ==, "threads ×4");
  g_assert_cmpuint (il_runner_get_tasks_per_repetition (runner), ==, 2);
  /* 4 runs × (2 + 1 warm-up) repetitions × 2 tasks */
  g_assert_cmpuint (il_runner_get_total_tasks (runner), ==, 24);
}

/* A caller that keeps an embedded server running (the GUI, for the app's
 * lifetime) has its runs use it instead of starting one per run. */
static void
test_shared_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) server = il_server_new (&error);
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  IlRunOptions options = { 0 };

  g_assert_no_error (error);
  exp = il_test_load ("{ \"interleave\": 1, \"name\": \"http\","
                      "  \"tasks\": [ { \"repeat\": 3, \"blocks\": [ { \"type\": \"http\", \"delay_ms\": 1, \"bytes\": 10 } ] } ],"
                      "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  options.server_url = il_server_get_url (server);
  runner = il_runner_new (exp, &options);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_test_first_rep (results, 0)->failed_tasks, ==, 0);
  g_assert_cmpuint (il_server_get_n_requests (server), ==, 3);
}

/* A run that cannot start after others have been measured (here: the
 * worker program is missing) keeps what was measured, marked incomplete,
 * with the reason in the warnings; with nothing measured it is an error. */
static void
test_partial_on_failure (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"partial\","
    "  \"tasks\": [ { \"repeat\": 2, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"processes\", \"workers\": 1 } ] }");
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("IL_WORKER_PATH"));
  gboolean         named = FALSE;

  g_setenv ("IL_WORKER_PATH", "/nonexistent/interleave-worker", TRUE);
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_true (results->incomplete);
  g_assert_cmpuint (results->runs->len, ==, 1);
  g_assert_cmpstr (((IlRunResult *) g_ptr_array_index (results->runs, 0))->label, ==, "sequential");
  for (guint i = 0; results->warnings[i] != NULL; i++)
    named |= strstr (results->warnings[i], "processes") != NULL;
  g_assert_true (named);

  /* Only the failing run: nothing measured, so an error. */
  g_ptr_array_remove_index (exp->runs, 0);
  g_clear_object (&runner);
  g_clear_pointer (&results, il_results_free);
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, &error);
  g_assert_null (results);
  g_assert_nonnull (error);

  if (saved != NULL)
    g_setenv ("IL_WORKER_PATH", saved, TRUE);
  else
    g_unsetenv ("IL_WORKER_PATH");
}

static guint64
max_rss_bytes (void)
{
  struct rusage ru;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &ru), ==, 0);
  return (guint64) ru.ru_maxrss * 1024;
}

/* The memory estimate (il-cost.c) against what a run really takes: the
 * records of 40,000 tasks × 3 blocks × 2 repetitions, then the results
 * document and the trace streamed from them to files as the CLI writes
 * them. Not below what is measured (the margin included), not absurdly
 * above. In a subprocess: a fresh peak RSS. */
static void
test_cost_estimate (void)
{
  if (IL_TEST_ASAN)
    {
      g_test_skip ("limits and peak memory are AddressSanitizer's here");
      return;
    }

  if (g_test_subprocess ())
    {
      static const char json[] =
        "{ \"interleave\": 1, \"name\": \"cost\",\n"
        "  \"tasks\": [ { \"repeat\": 20000, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 },\n"
        "      { \"type\": \"sleep\", \"ms\": 0 }, { \"type\": \"sleep\", \"ms\": 0 } ] },\n"
        "    { \"repeat\": 20000, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 },\n"
        "      { \"type\": \"sleep\", \"ms\": 0 }, { \"type\": \"sleep\", \"ms\": 0 } ] } ],\n"
        "  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
        "  \"settings\": { \"repetitions\": 2, \"warmup\": 0 } }\n";
      g_autoptr(IlExperiment) exp = il_test_load (json);
      g_autoptr(IlResults) results = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("il-cost-XXXXXX", NULL);
      g_autofree char *json_path = g_build_filename (dir, "out.json", NULL);
      g_autofree char *trace_path = g_build_filename (dir, "out.trace.json", NULL);
      IlRunCost        cost;
      guint64          before, records, document;

      il_run_cost_estimate (exp, 1, 2, 0, IL_RUN_OUTPUT_DOCUMENT | IL_RUN_OUTPUT_TRACE, &cost);
      g_assert_cmpuint (cost.tasks_per_repetition, ==, 40000);
      g_assert_cmpuint (cost.task_records, ==, 80000);

      before = max_rss_bytes ();
      results = il_test_run (exp, NULL, NULL);
      records = max_rss_bytes () - before;

      before = max_rss_bytes ();
      g_assert_true (il_results_export_to_path (results, exp, IL_EXPORT_JSON, json_path, &error));
      g_assert_no_error (error);
      g_assert_true (il_results_export_to_path (results, exp, IL_EXPORT_TRACE, trace_path, &error));
      g_assert_no_error (error);
      document = max_rss_bytes () - before;
      g_unlink (json_path);
      g_unlink (trace_path);
      g_rmdir (dir);

      g_test_message ("records: measured %" G_GUINT64_FORMAT ", estimated %" G_GUINT64_FORMAT
                      "; document: measured %" G_GUINT64_FORMAT ", estimated %" G_GUINT64_FORMAT,
                      records, cost.records_bytes, document, cost.outputs_bytes);
      g_assert_cmpuint (records, <=, cost.records_bytes / 100 * 125);
      g_assert_cmpuint (cost.records_bytes, <=, 3 * records);
      /* Streamed: the writers' buffers and one element at a time. */
      g_assert_cmpuint (document, <=, cost.outputs_bytes / 100 * 125 + (2 << 20));
      g_assert_cmpuint (cost.total_bytes, >=, cost.records_bytes + cost.outputs_bytes);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* What this process cannot hold is refused by il_runner_check(), for the
 * CLI and the GUI alike, naming the limit. */
static void
test_cost_refused (void)
{
  if (IL_TEST_ASAN)
    {
      g_test_skip ("limits and peak memory are AddressSanitizer's here");
      return;
    }

  if (g_test_subprocess ())
    {
      static const char json[] =
        "{ \"interleave\": 1, \"name\": \"too big\",\n"
        "  \"tasks\": [ { \"repeat\": 100000, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],\n"
        "  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
        "  \"settings\": { \"repetitions\": 100 } }\n";
      g_autoptr(IlExperiment) exp = il_test_load (json);
      g_autoptr(IlRunner) runner = il_runner_new (exp, NULL);
      g_autoptr(GError) error = NULL;
      struct rlimit rl;
      const char   *what = NULL;

      /* 2 GiB of data segment for 10 million records of ~350 bytes. */
      g_assert_cmpint (getrlimit (RLIMIT_DATA, &rl), ==, 0);
      rl.rlim_cur = G_GUINT64_CONSTANT (2) << 30;
      if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
        rl.rlim_cur = rl.rlim_max;
      g_assert_cmpint (setrlimit (RLIMIT_DATA, &rl), ==, 0);
      g_assert_cmpuint (il_run_cost_available (&what), <=, rl.rlim_cur);

      g_assert_false (il_runner_check (runner, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_SYSTEM);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "100000 tasks × 100 repetitions × 1 run keep 10000000 task records"));
      g_assert_nonnull (strstr (error->message, "memory"));

      /* Few tasks, but 256 workers each with a 64 MiB payload on its way
       * out and back: 32 GiB in this process alone. */
      {
        static const char wide[] =
          "{ \"interleave\": 1, \"name\": \"wide\",\n"
          "  \"tasks\": [ { \"repeat\": 256, \"payload_bytes\": 67108864,\n"
          "               \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],\n"
          "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 256 } ] }\n";
        g_autoptr(IlExperiment) exp2 = il_test_load (wide);
        g_autoptr(IlRunner) runner2 = il_runner_new (exp2, NULL);
        g_autoptr(GError) error2 = NULL;

        g_assert_false (il_runner_check (runner2, &error2));
        g_assert_error (error2, IL_ERROR, IL_ERROR_SYSTEM);
        g_test_message ("%s", error2->message);
        g_assert_nonnull (strstr (error2->message, "payloads in flight"));
      }
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/runner/sequential-order", test_sequential_order);
  g_test_add_func ("/il/runner/sequential-timings", test_sequential_timings);
  g_test_add_func ("/il/runner/cpu-state-overhead", test_cpu_state_and_overhead);
  g_test_add_func ("/il/runner/repetitions-events", test_repetitions_and_events);
  g_test_add_func ("/il/runner/grouped-order", test_grouped_order);
  g_test_add_func ("/il/runner/cancel", test_cancel);
  g_test_add_func ("/il/runner/check-errors", test_check_errors);
  g_test_add_func ("/il/runner/sweep-expansion", test_sweep_expansion);
  g_test_add_func ("/il/runner/shared-server", test_shared_server);
  g_test_add_func ("/il/runner/partial-on-failure", test_partial_on_failure);
  g_test_add_func ("/il/runner/cost-estimate", test_cost_estimate);
  g_test_add_func ("/il/runner/cost-refused", test_cost_refused);

  return g_test_run ();
}
