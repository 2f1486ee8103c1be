/* bench-overhead.c — what Interleave's own instrumentation costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a CPU-bound experiment under each executor and prints the CPU time
 * the recorder and the per-core sampler used (overhead_cpu_ms) as a share
 * of the run's CPU time. The target is under 1 %.
 *
 * Usage: bench-overhead [TASKS] [UNITS] [SAMPLE_HZ]
 */
#include "config.h"

#include <locale.h>

#include <stdio.h>
#include <stdlib.h>

#include "il-experiment.h"
#include "il-machine.h"
#include "il-results.h"
#include "il-runner.h"

int
main (int    argc,
      char **argv)
{
  guint            tasks = argc > 1 ? (guint) atoi (argv[1]) : 16;
  guint            units = argc > 2 ? (guint) atoi (argv[2]) : 50;
  guint            hz = argc > 3 ? (guint) atoi (argv[3]) : 20;
  g_autofree char *json = NULL;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GError) error = NULL;
  double worst = 0;

  /* µ and × in the figures need the user's (UTF-8) locale. */
  setlocale (LC_ALL, "");

  json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"overhead\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %u } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"threads\", \"workers\": 2 },"
    "              { \"executor\": \"threads\", \"workers\": 2, \"gil\": true },"
    "              { \"executor\": \"processes\", \"workers\": 2 }, { \"executor\": \"async\" } ],"
    "  \"settings\": { \"repetitions\": 3, \"sample_hz\": %u } }",
    tasks, units, hz);
  exp = il_experiment_load_data (json, -1, "bench-overhead", &error);
  if (exp == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, &error);
  if (results == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  printf ("Instrumentation cost: %u tasks × %u spin units, sampling at %u Hz, on %s (%u cores)\n",
          tasks, units, hz, results->machine.cpu_model ? results->machine.cpu_model : "?", results->machine.cores);
  printf ("%-22s %12s %14s %10s\n", "run", "CPU (ms)", "overhead (ms)", "share");
  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      double             cpu = run->summary.cpu_user_ms + run->summary.cpu_sys_ms;
      double             share = cpu > 0 ? run->summary.overhead_cpu_ms / cpu : 0;

      worst = MAX (worst, share);
      printf ("%-22s %12.1f %14.3f %9.3f%%\n", run->label, cpu, run->summary.overhead_cpu_ms, 100 * share);
    }
  printf ("worst share: %.3f%% (target < 1%%): %s\n", 100 * worst, worst < 0.01 ? "OK" : "ABOVE TARGET");
  return 0;
}
