/* bench-gil-validation.c — the simulated GIL held to the real one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs each workload twice in one run, on native threads with the simulated
 * GIL and on CPython threads (the cpython engine), and prints a Markdown
 * table: workload · simulated · CPython · ratio, for the makespan and for
 * each task group's mean latency. A ratio outside 0.67–1.5 (IL_GIL_VALIDATION_LOW, _HIGH) is
 * marked and makes the exit status 1: there the model disagrees with the
 * interpreter. Workloads: CPU-only at 1, 2 and 4 threads and switch
 * intervals of 1, 5 and 20 ms; I/O-only threads; CPU-bound and I/O-bound
 * threads together; many short tasks. Run it on an idle machine: the
 * figures are wall-clock times.
 *
 * The workloads and bounds are tests/il-gil-validation.c's, which the test
 * gil-validation checks too. Like the tests, it prefers Debian's
 * /usr/bin/python3 unless INTERLEAVE_PYTHON names an interpreter.
 *
 * Usage: bench-gil-validation [REPETITIONS [WORKLOAD-SUBSTRING]]
 * (only the workloads whose name contains WORKLOAD-SUBSTRING)
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "il-cpython.h"
#include "il-gil-validation.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autoptr(GArray) figures = il_gil_figures_new ();
  guint repetitions = 3;
  guint failures = 0;

  setlocale (LC_ALL, "");
  if (argc > 1)
    repetitions = (guint) CLAMP (atoi (argv[1]), 1, 100);
  il_gil_validation_prefer_system_python ();
  if (!il_cpython_find (NULL, &version, &error))
    {
      g_print ("skipped: %s\n", error->message);
      return 77;
    }
  g_print ("Simulated GIL (native threads) against CPython %s threads, median of %u repetitions\n\n",
           version, repetitions);
  g_print ("| workload | figure | simulated | CPython | ratio |\n| --- | --- | --- | --- | --- |\n");

  for (guint w = 0; w < il_gil_validation_n_workloads (); w++)
    {
      g_autoptr(IlResults) results = NULL;
      guint first = figures->len;

      if (argc > 2 && strstr (il_gil_validation_name (w), argv[2]) == NULL)
        continue;
      results = il_gil_validation_run (w, repetitions, &error);
      if (results == NULL)
        g_error ("%s: %s", il_gil_validation_name (w), error->message);
      il_gil_validation_figures (w, results, figures);
      for (guint i = first; i < figures->len; i++)
        {
          const IlGilFigure *f = &g_array_index (figures, IlGilFigure, i);
          g_autofree char   *row = il_gil_figure_row (f);

          if (!il_gil_figure_ok (f))
            failures++;
          g_print ("%s\n", row);
        }
    }

  g_print ("\nbounds: simulated ÷ CPython within %.2f–%.2f; %u figure%s outside\n", IL_GIL_VALIDATION_LOW,
           IL_GIL_VALIDATION_HIGH, failures, failures == 1 ? "" : "s");
  return failures > 0 ? 1 : 0;
}
