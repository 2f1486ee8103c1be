/* bench-gil-validation.c — the simulated GIL held to the real one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs each workload twice in one run, on native threads with the simulated
 * GIL and on CPython threads (the cpython engine), and prints a Markdown
 * table: workload · simulated · CPython · ratio, for the makespan and for
 * each task group's mean latency. A ratio outside BOUND_LOW … BOUND_HIGH is
 * marked and makes the exit status 1: there the model disagrees with the
 * interpreter. Workloads: CPU-only at 1, 2 and 4 threads and switch
 * intervals of 1, 5 and 20 ms; I/O-only threads; CPU-bound and I/O-bound
 * threads together; many short tasks. Run it on an idle machine: the
 * figures are wall-clock times.
 *
 * Usage: bench-gil-validation [REPETITIONS]
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "il-cpython.h"
#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"

#define BOUND_LOW  0.67
#define BOUND_HIGH 1.5

static guint repetitions = 3;
static guint failures;

static double
group_latency_ms (const IlRunResult *run,
                  guint              group)
{
  double sum = 0;
  guint  n = 0;

  for (guint r = 0; r < run->repetitions->len; r++)
    {
      const IlRepetition *rep = g_ptr_array_index (run->repetitions, r);

      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

          if (t->group == group)
            {
              sum += (double) (t->end_us - t->queued_us) / 1000.0;
              n++;
            }
        }
    }
  return n > 0 ? sum / n : NAN;
}

static void
row (const char *workload,
     const char *what,
     double      simulated,
     double      real)
{
  double   ratio = simulated / real;
  gboolean ok = ratio >= BOUND_LOW && ratio <= BOUND_HIGH;

  if (!ok)
    failures++;
  g_print ("| %s | %s | %.1f ms | %.1f ms | %.2f%s |\n", workload, what, simulated, real, ratio,
           ok ? "" : " ✗");
}

static void
compare (const char *workload,
         const char *tasks,
         guint       workers,
         guint       interval_ms)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"validation\", \"tasks\": %s,"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": %u, \"gil\": true, \"switch_interval_ms\": %u },"
    "              { \"executor\": \"threads\", \"workers\": %u, \"engine\": \"cpython\", \"switch_interval_ms\": %u } ],"
    "  \"settings\": { \"repetitions\": %u, \"warmup\": 1 } }",
    tasks, workers, interval_ms, workers, interval_ms, repetitions);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_experiment_load_data (json, -1, "validation.interleave", &error);
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  const IlRunResult *sim, *real;

  g_assert_no_error (error);
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  sim = g_ptr_array_index (results->runs, 0);
  real = g_ptr_array_index (results->runs, 1);
  g_assert_cmpstr (sim->summary.checksum, ==, real->summary.checksum);
  row (workload, "makespan", sim->summary.makespan_ms.median, real->summary.makespan_ms.median);
  for (guint g = 0; g < exp->tasks->len; g++)
    {
      g_autofree char *name = il_task_group_display_name (g_ptr_array_index (exp->tasks, g), g);
      g_autofree char *what = g_strdup_printf ("%s latency (mean)", name);

      if (exp->tasks->len > 1)
        row (workload, what, group_latency_ms (sim, g), group_latency_ms (real, g));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char   *version = NULL;
  static const guint threads[] = { 1, 2, 4 };
  static const guint intervals[] = { 1, 5, 20 };

  setlocale (LC_ALL, "");
  if (argc > 1)
    repetitions = (guint) CLAMP (atoi (argv[1]), 1, 100);
  if (!il_cpython_find (NULL, &version, &error))
    {
      g_print ("skipped: %s\n", error->message);
      return 77;
    }
  g_print ("Simulated GIL (native threads) against CPython %s threads, median of %u repetitions\n\n",
           version, repetitions);
  g_print ("| workload | figure | simulated | CPython | ratio |\n| --- | --- | --- | --- | --- |\n");

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    for (guint i = 0; i < G_N_ELEMENTS (intervals); i++)
      {
        g_autofree char *name = g_strdup_printf ("CPU only, %u thread%s, switch %u ms", threads[t],
                                                 threads[t] > 1 ? "s" : "", intervals[i]);

        compare (name,
                 "[ { \"name\": \"cpu\", \"repeat\": 8, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 25 } ] } ]",
                 threads[t], intervals[i]);
      }
  compare ("I/O only, 8 threads",
           "[ { \"name\": \"io\", \"repeat\": 40, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 }, "
           "{ \"type\": \"http\", \"delay_ms\": 5, \"bytes\": 1024 } ] } ]",
           8, 5);
  compare ("CPU and I/O threads together, switch 5 ms",
           "[ { \"name\": \"cpu\", \"repeat\": 2, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 200 } ] },"
           "  { \"name\": \"io\", \"repeat\": 24, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 }, "
           "{ \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ]",
           8, 5);
  compare ("CPU and I/O threads together, switch 1 ms",
           "[ { \"name\": \"cpu\", \"repeat\": 2, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 200 } ] },"
           "  { \"name\": \"io\", \"repeat\": 24, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20 }, "
           "{ \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ]",
           8, 1);
  compare ("many short tasks, 4 threads",
           "[ { \"name\": \"short\", \"repeat\": 2000, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] } ]",
           4, 5);

  g_print ("\nbounds: simulated ÷ CPython within %.2f–%.2f; %u figure%s outside\n", BOUND_LOW, BOUND_HIGH,
           failures, failures == 1 ? "" : "s");
  return failures > 0 ? 1 : 0;
}
