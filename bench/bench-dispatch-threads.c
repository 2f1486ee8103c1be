/* bench-dispatch-threads.c — what the threads and sequential executors add
 * per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures for tiny tasks (one `sleep 0 ms` block, which does no work):
 *  - raw: g_thread_pool_push of an empty function to an exclusive pool of
 *    the same size, pool start and join included (the primitive);
 *  - threads: the threads executor running the same number of tasks,
 *    recording included (makespan of one repetition, which also includes
 *    the pool's start);
 *  - raw + recording: the same raw pool running il_task_execute, so that the
 *    executor's own dispatch cost shows apart from recording's;
 *  - sequential: the sequential executor on the same tasks;
 *  - recording: il_task_execute's own cost per task (overhead_ns), and its
 *    wall time per task on one thread;
 *  - Python's ThreadPoolExecutor on the same number of empty tasks.
 * Every recorded task's states must add up to its time (exit 1 if not).
 * The rounds alternate the figures, and each is the best of its rounds (a
 * shared machine only ever adds time): the ratios are within one run. The
 * last line is the figures as JSON.
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
#include "il-schedstat.h"

#include "bench-python.h"

static guint states_wrong;

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
  g_autofree char *run = workers > 0 ? g_strdup_printf ("\"threads\", \"workers\": %u", workers)
                                     : g_strdup ("\"sequential\"");
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"dispatch\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ { \"executor\": %s } ],"
    "  \"settings\": { \"sample_hz\": 1 } }",
    tasks, run);
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
  /* The states are exact: they add up to each task's time. */
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);
      const IlStateTimes  state = il_task_record_state (t);
      const IlStateTimes *st = &state;

      if (st->valid && st->running + st->ready + st->blocked + st->gil_wait + st->lock_wait != t->end_us - t->start_us)
        states_wrong++;
    }
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

static gint
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1
                            : 0;
}

int
main (int   argc,
      char *argv[])
{
  guint tasks = argc > 1 ? (guint) atoi (argv[1]) : 20000;
  guint workers = argc > 2 ? (guint) atoi (argv[2]) : 2;
  guint rounds = argc > 3 ? (guint) atoi (argv[3]) : 5;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlExperiment) seq_exp = NULL;
  g_autofree char *py = NULL;
  g_autofree char *load = NULL;
  double           raw = G_MAXDOUBLE, raw_rec = G_MAXDOUBLE, thr = G_MAXDOUBLE, thr_ev = G_MAXDOUBLE, exec = G_MAXDOUBLE;
  double           seq = G_MAXDOUBLE, ovh = G_MAXDOUBLE, ovh_ev = G_MAXDOUBLE, rec_ovh = G_MAXDOUBLE, seq_ovh = G_MAXDOUBLE;

  /* µ and × in the figures need the user's (UTF-8) locale. */
  setlocale (LC_ALL, "");

  tasks = CLAMP (tasks, 100, 1000000);
  workers = CLAMP (workers, 1, 256);
  rounds = CLAMP (rounds, 1, 100);
  exp = tiny_experiment (tasks, workers);
  seq_exp = tiny_experiment (tasks, 0);

  g_autoptr(GArray) raws = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  double raw_median, ratio_median;

  for (guint r = 0; r < rounds; r++)
    {
      double o, a, b, q;

      /* The raw pool has two modes: 0.1 µs while the pushing thread
       * stays ahead of its workers, several µs when each push wakes one.
       * Each round's own ratio is kept too. */
      a = raw_pool_us (tasks, workers);
      b = executor_us (exp, tasks, FALSE, &o);
      q = b / a;
      g_array_append_val (raws, a);
      g_array_append_val (ratios, q);
      raw = MIN (raw, a);
      thr = MIN (thr, b);
      ovh = MIN (ovh, o);
      seq = MIN (seq, executor_us (seq_exp, tasks, FALSE, &o));
      seq_ovh = MIN (seq_ovh, o);
      raw_rec = MIN (raw_rec, raw_pool_recorded_us (exp, tasks, workers));
      thr_ev = MIN (thr_ev, executor_us (exp, tasks, TRUE, &o));
      ovh_ev = MIN (ovh_ev, o);
      exec = MIN (exec, task_execute_us (exp, tasks, &o));
      rec_ovh = MIN (rec_ovh, o);
    }
  g_array_sort (raws, compare_double);
  g_array_sort (ratios, compare_double);
  raw_median = g_array_index (raws, double, raws->len / 2);
  ratio_median = g_array_index (ratios, double, ratios->len / 2);
  py = bench_python_peers ("threads", tasks, workers, MIN (rounds, 3), NULL);
  if (!g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    load = g_strdup ("?");
  g_strchomp (load);

  g_print ("threads executor dispatch, %u `sleep 0` tasks on %u threads, best of %u (switch detector: %s; load %s)\n",
           tasks, workers, rounds, il_thread_switch_detector_available () ? "yes" : "no", load);
  g_print ("  raw g_thread_pool_push (empty function)  %8.3f µs/task (median of the rounds %.3f)\n", raw,
           raw_median);
  g_print ("  raw pool running il_task_execute         %8.3f µs/task\n", raw_rec);
  g_print ("  threads executor, no event consumer      %8.3f µs/task  (%.2f× raw)\n", thr, thr / raw);
  g_print ("  threads executor, with event queue       %8.3f µs/task  (%.2f× raw)\n", thr_ev, thr_ev / raw);
  g_print ("  sequential executor, no event consumer   %8.3f µs/task  (%.2f× raw)\n", seq, seq / raw);
  g_print ("  il_task_execute alone, one thread        %8.3f µs/task\n", exec);
  g_print ("  recording cost (overhead_ns) per task    %8.3f µs CPU (%.3f µs with events, run total incl. sampler)\n",
           rec_ovh, ovh_ev);
  g_print ("  overhead_cpu_ms per task, no events      %8.3f µs CPU (sequential %.3f)\n", ovh, seq_ovh);
  g_print ("  Python peers: %s\n", py);
  g_print ("ratio %.2f against the raw primitive (target ≤ 3; median of each round's own ratio %.2f); "
           "%.2f against the raw pool with the same recording\n",
           thr / raw, ratio_median, thr / raw_rec);
  if (states_wrong > 0)
    g_print ("%u recorded tasks whose states do not add up to their time\n", states_wrong);
  g_print ("{\"bench\": \"dispatch-threads\", \"tasks\": %u, \"workers\": %u, \"rounds\": %u, "
           "\"switch_detector\": %s, \"loadavg\": \"%s\", "
           "\"raw_pool_push_us\": %.4f, \"raw_pool_push_median_us\": %.4f, \"threads_us\": %.4f, "
           "\"threads_ratio\": %.3f, \"threads_ratio_round_median\": %.3f, "
           "\"threads_events_us\": %.4f, \"threads_events_ratio\": %.3f, "
           "\"sequential_us\": %.4f, \"sequential_ratio\": %.3f, "
           "\"raw_pool_recorded_us\": %.4f, \"task_execute_us\": %.4f, \"recording_cpu_us\": %.4f, "
           "\"target\": 3, \"states_wrong\": %u, \"python\": %s}\n",
           tasks, workers, rounds, il_thread_switch_detector_available () ? "true" : "false", load,
           raw, raw_median, thr, thr / raw, ratio_median, thr_ev, thr_ev / raw, seq, seq / raw, raw_rec, exec, rec_ovh, states_wrong, py);
  return states_wrong > 0 ? 1 : 0;
}
