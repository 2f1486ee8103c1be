/* bench-dispatch-threads.c — what the threads executor adds per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three figures for tiny tasks (one `sleep 0 ms` block, which does no work):
 *  - raw: g_thread_pool_push of an empty function to an exclusive pool of
 *    the same size, pool start and join included (the primitive);
 *  - threads: the threads executor running the same number of tasks,
 *    recording included (makespan of one repetition, which also includes
 *    the pool's start);
 *  - raw + recording: the same raw pool running il_task_execute, so that the
 *    executor's own dispatch cost shows apart from recording's;
 *  - recording: il_task_execute's own cost per task (overhead_ns), and its
 *    wall time per task on one thread.
 * Recording needs a few kernel reads per task (thread CPU clock,
 * /proc/thread-self/schedstat, getrusage: 0.3–0.8 µs each on a VM), which
 * dwarfs an empty push; the second ratio is the executor's own share.
 * Best of several rounds, since a shared machine only ever adds time.
 *
 * Usage: bench-dispatch-threads [TASKS [WORKERS [ROUNDS]]]
 */
#include "config.h"

#include <locale.h>

#include <stdlib.h>

#include "il-experiment.h"
#include "il-results.h"
#include "il-run-private.h"
#include "il-runner.h"

static void
empty_task (gpointer item,
            gpointer user_data)
{
  /* The cheapest body that cannot be optimised away. */
  g_atomic_int_inc ((gint *) user_data);
}

static double
raw_pool_us (guint tasks,
             guint workers)
{
  gint         done = 0;
  gint64       t0 = g_get_monotonic_time ();
  GThreadPool *pool = g_thread_pool_new (empty_task, &done, (gint) workers, TRUE, NULL);

  for (guint i = 0; i < tasks; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  g_assert_cmpint (done, ==, (gint) tasks);
  return (double) (g_get_monotonic_time () - t0) / tasks;
}

typedef struct
{
  const IlTaskGroup *def;
  IlTaskRecord      *records;
  GCancellable      *cancellable;
  gint64             t0;
} RawRecorded;

static void
recorded_task (gpointer item,
               gpointer user_data)
{
  RawRecorded *rr = user_data;
  guint        flat = GPOINTER_TO_UINT (item) - 1;
  IlTaskEnv    env = { 0 };

  env.def = rr->def;
  env.index = flat;
  env.flat = flat;
  env.t0 = rr->t0;
  env.cancellable = rr->cancellable;
  il_task_execute (&env, &rr->records[flat]);
}

/* The raw pool running il_task_execute: what is left between this and the
 * executor is the executor's own dispatch (lanes, task environments,
 * accounting, queue times). */
static double
raw_pool_recorded_us (IlExperiment *exp,
                      guint         tasks,
                      guint         workers)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RawRecorded  rr = { g_ptr_array_index (exp->tasks, 0), g_new0 (IlTaskRecord, tasks), cancellable, 0 };
  GThreadPool *pool;
  double       us;

  rr.t0 = g_get_monotonic_time ();
  pool = g_thread_pool_new (recorded_task, &rr, (gint) workers, TRUE, NULL);
  for (guint i = 0; i < tasks; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  us = (double) (g_get_monotonic_time () - rr.t0) / tasks;
  for (guint i = 0; i < tasks; i++)
    il_task_record_clear (&rr.records[i]);
  g_free (rr.records);
  return us;
}

static IlExperiment *
tiny_experiment (guint tasks,
                 guint workers)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"dispatch\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": %u } ],"
    "  \"settings\": { \"sample_hz\": 1 } }",
    tasks, workers);
  IlExperiment *exp = il_experiment_load_data (json, -1, "bench", &error);

  if (exp == NULL)
    g_error ("%s", error->message);
  return exp;
}

static double
executor_us (IlExperiment *exp,
             guint         tasks,
             gboolean      with_events,
             double       *overhead_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(IlEventQueue) events = with_events ? il_event_queue_new (0) : NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *rep;

  options.events = events;
  runner = il_runner_new (exp, &options);
  /* A cancellable as the GUI and the CLI pass one: it is part of the cost. */
  results = il_runner_run (runner, cancellable, &error);
  if (results == NULL)
    g_error ("%s", error->message);
  rep = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (results->runs, 0))->repetitions, 0);
  g_assert_cmpuint (rep->tasks->len, ==, tasks);
  *overhead_us = rep->overhead_cpu_ms * 1000.0 / tasks;
  return rep->makespan_ms * 1000.0 / tasks;
}

/* il_task_execute alone, on this thread: wall and recording cost per task. */
static double
task_execute_us (IlExperiment *exp,
                 guint         tasks,
                 double       *overhead_us)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const IlTaskGroup *def = g_ptr_array_index (exp->tasks, 0);
  IlTaskRecord       rec = { 0 };
  gint64             overhead_ns = 0;
  gint64             t0 = g_get_monotonic_time ();

  for (guint i = 0; i < tasks; i++)
    {
      IlTaskEnv env = { 0 };

      env.def = def;
      env.index = i;
      env.flat = i;
      env.t0 = t0;
      env.cancellable = cancellable;
      il_task_execute (&env, &rec);
      overhead_ns += env.overhead_ns;
      il_task_record_truncate_blocks (&rec, 0);
    }
  *overhead_us = (double) overhead_ns / 1000.0 / tasks;
  il_task_record_clear (&rec);
  return (double) (g_get_monotonic_time () - t0) / tasks;
}

int
main (int   argc,
      char *argv[])
{
  guint tasks = argc > 1 ? (guint) atoi (argv[1]) : 20000;
  guint workers = argc > 2 ? (guint) atoi (argv[2]) : 2;
  guint rounds = argc > 3 ? (guint) atoi (argv[3]) : 5;
  g_autoptr(IlExperiment) exp = NULL;
  double raw = G_MAXDOUBLE, raw_rec = G_MAXDOUBLE, thr = G_MAXDOUBLE, thr_ev = G_MAXDOUBLE, exec = G_MAXDOUBLE;
  double ovh = G_MAXDOUBLE, ovh_ev = G_MAXDOUBLE, rec_ovh = G_MAXDOUBLE;

  /* µ and × in the figures need the user's (UTF-8) locale. */
  setlocale (LC_ALL, "");

  tasks = CLAMP (tasks, 100, 1000000);
  workers = CLAMP (workers, 1, 256);
  rounds = CLAMP (rounds, 1, 100);
  exp = tiny_experiment (tasks, workers);

  for (guint r = 0; r < rounds; r++)
    {
      double o;

      raw = MIN (raw, raw_pool_us (tasks, workers));
      raw_rec = MIN (raw_rec, raw_pool_recorded_us (exp, tasks, workers));
      thr = MIN (thr, executor_us (exp, tasks, FALSE, &o));
      ovh = MIN (ovh, o);
      thr_ev = MIN (thr_ev, executor_us (exp, tasks, TRUE, &o));
      ovh_ev = MIN (ovh_ev, o);
      exec = MIN (exec, task_execute_us (exp, tasks, &o));
      rec_ovh = MIN (rec_ovh, o);
    }

  g_print ("threads executor dispatch, %u tiny tasks on %u threads, best of %u\n", tasks, workers, rounds);
  g_print ("  raw g_thread_pool_push (empty function)  %8.3f µs/task\n", raw);
  g_print ("  raw pool running il_task_execute         %8.3f µs/task\n", raw_rec);
  g_print ("  threads executor, no event consumer      %8.3f µs/task  (%.2f× raw)\n", thr, thr / raw);
  g_print ("  threads executor, with event queue       %8.3f µs/task  (%.2f× raw)\n", thr_ev, thr_ev / raw);
  g_print ("  il_task_execute alone, one thread        %8.3f µs/task\n", exec);
  g_print ("  recording cost (overhead_ns) per task    %8.3f µs CPU (%.3f µs with events, run total incl. sampler)\n",
           rec_ovh, ovh_ev);
  g_print ("  overhead_cpu_ms per task, no events      %8.3f µs CPU\n", ovh);
  g_print ("ratio %.2f against the raw primitive (target ≤ 3); %.2f against the raw pool with the same recording\n",
           thr / raw, thr / raw_rec);
  return 0;
}
