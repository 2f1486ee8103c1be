/* il-ideal.c — the "ideal" reference of the comparison and scaling charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "il-ideal.h"

#include <math.h>

#include <glib/gi18n-lib.h>

static const IlRunResult *
baseline_run (const IlResults *results)
{
  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      if (run->executor == IL_EXECUTOR_SEQUENTIAL && run->repetitions->len > 0)
        return run;
    }
  return NULL;
}

/* The share of task time spent wanting the CPU (running, or ready on a
 * busy machine) rather than blocked, over the baseline's median
 * repetition; NAN when a task has no state accounting. */
static double
cpu_share_of (const IlRunResult *run)
{
  const IlRepetition *rep = il_run_result_median_repetition (run);
  gint64              blocked = 0, total = 0;

  if (rep == NULL || rep->tasks == NULL || rep->tasks->len == 0)
    return NAN;
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (!il_task_record_state (rec).valid || rec->failed)
        return NAN;
      blocked += il_task_record_state (rec).blocked;
      total += MAX (rec->end_us - rec->start_us, 0);
    }
  if (total <= 0)
    return NAN;
  return CLAMP (1.0 - (double) blocked / (double) total, 0.0, 1.0);
}

void
il_ideal_compute (const IlResults *results,
                  const GArray    *cpu_affinity,
                  IlIdeal         *ideal)
{
  const IlRunResult *base;

  g_return_if_fail (results != NULL);
  g_return_if_fail (ideal != NULL);

  ideal->cores = MAX (results->machine.cores, 1);
  if (cpu_affinity != NULL && cpu_affinity->len > 0)
    ideal->cores = MIN (ideal->cores, cpu_affinity->len);
  base = baseline_run (results);
  ideal->baseline_ms = base != NULL ? base->summary.makespan_ms.median : NAN;
  ideal->cpu_share = base != NULL ? cpu_share_of (base) : NAN;

  if (base == NULL || !isfinite (ideal->baseline_ms) || ideal->baseline_ms <= 0)
    ideal->kind = IL_IDEAL_NO_BASELINE;
  else if (ideal->cores <= 1)
    ideal->kind = IL_IDEAL_ONE_CORE;
  else if (isfinite (ideal->cpu_share) && ideal->cpu_share < IL_IDEAL_MIN_CPU_SHARE)
    ideal->kind = IL_IDEAL_NOT_CPU_BOUND;
  else
    ideal->kind = IL_IDEAL_APPLIES;
}

double
il_ideal_makespan_ms (const IlIdeal *ideal)
{
  g_return_val_if_fail (ideal != NULL, NAN);
  if (ideal->kind != IL_IDEAL_APPLIES)
    return NAN;
  return ideal->baseline_ms / ideal->cores;
}

double
il_ideal_speedup (const IlIdeal *ideal,
                  double         workers)
{
  g_return_val_if_fail (ideal != NULL, NAN);
  if (ideal->kind != IL_IDEAL_APPLIES || !(workers > 0))
    return NAN;
  return MIN (workers, (double) ideal->cores);
}

char *
il_ideal_explain (const IlIdeal *ideal)
{
  g_return_val_if_fail (ideal != NULL, NULL);
  switch (ideal->kind)
    {
      case IL_IDEAL_APPLIES:
        return NULL;
      case IL_IDEAL_NO_BASELINE:
        return g_strdup (_("No ideal: there is no sequential run to compare with"));
      case IL_IDEAL_ONE_CORE:
        return g_strdup (_("No ideal: the runs are confined to one core, so no run can beat the sequential one "
                           "at CPU work"));
      case IL_IDEAL_NOT_CPU_BOUND:
        /* TRANSLATORS: %.0f is a percentage, e.g. "The tasks wait 93 % of their time" */
        return g_strdup_printf (_("No ideal: the tasks wait %.0f %% of their time (sleep, network, files), "
                                  "so the cores are not what limits this workload"),
                                   100.0 * (1.0 - ideal->cpu_share));
    }
  return NULL;
}
