/* il-summary.c — a run's summary over its counted repetitions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "il-results.h"
#include "il-stats.h"

#define MISMATCH "mismatch"

static double
il_summary_median_of (GArray *values)
{
  return il_stats_median ((const double *) values->data, values->len);
}

/* Context switches are counts: the median of an even number of them may
 * fall between two, and the document stores integers. */
static gint64
il_summary_round_count (double value)
{
  return isnan (value) ? 0 : (gint64) llround (value);
}

void
il_run_result_summarize (IlRunResult *run,
                         double       baseline_median_ms,
                         guint        cores)
{
  IlSummary *summary;
  g_autoptr(GArray) makespans = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) user = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sys = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ctx_vol = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ctx_invol = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) overhead = g_array_new (FALSE, FALSE, sizeof (double));
  const char *checksum = NULL;
  gboolean    checksum_agrees = TRUE;
  guint       tasks_per_rep = 0;
  guint       failed = 0;
  double      latency_sum = 0.0;
  double      median_s;
  guint       parallel;

  g_return_if_fail (run != NULL);

  summary = &run->summary;
  g_clear_pointer (&summary->checksum, g_free);

  for (guint r = 0; run->repetitions != NULL && r < run->repetitions->len; r++)
    {
      const IlRepetition *rep = g_ptr_array_index (run->repetitions, r);
      double              value;

      /* run->repetitions should hold counted ones only; a stray warm-up
       * must still not skew the figures, nor a repetition cut off by Stop
       * (its makespan is when it stopped, its tasks did not all run). */
      if (!il_repetition_counts (rep))
        continue;

      g_array_append_val (makespans, rep->makespan_ms);
      g_array_append_val (user, rep->cpu_user_ms);
      g_array_append_val (sys, rep->cpu_sys_ms);
      value = (double) rep->ctx_voluntary;
      g_array_append_val (ctx_vol, value);
      value = (double) rep->ctx_involuntary;
      g_array_append_val (ctx_invol, value);
      g_array_append_val (overhead, rep->overhead_cpu_ms);
      failed += rep->failed_tasks;

      if (makespans->len == 1)
        {
          checksum = rep->checksum;
          tasks_per_rep = rep->tasks != NULL ? rep->tasks->len : 0;
        }
      else if (g_strcmp0 (checksum, rep->checksum) != 0)
        checksum_agrees = FALSE;

      for (guint t = 0; rep->tasks != NULL && t < rep->tasks->len; t++)
        {
          const IlTaskRecord *task = &g_array_index (rep->tasks, IlTaskRecord, t);
          double              latency_ms;

          /* A failed task's end is when it gave up, not when its work was
           * done: it would flatter (or spoil) the latency figures. */
          if (task->failed)
            continue;

          latency_ms = (double) (task->end_us - task->queued_us) / 1000.0;
          latency_sum += latency_ms;
          g_array_append_val (latencies, latency_ms);
        }
    }

  il_stats_compute ((const double *) makespans->data, makespans->len,
                    &summary->makespan_ms);

  if (!isnan (baseline_median_ms) && summary->makespan_ms.median > 0.0)
    summary->speedup = baseline_median_ms / summary->makespan_ms.median;
  else
    summary->speedup = NAN;

  /* More workers than cores cannot run more than `cores` at once: judge
   * efficiency against what the machine could actually give. */
  parallel = MAX (run->workers, 1);
  if (cores > 0)
    parallel = MIN (parallel, cores);
  summary->efficiency = isnan (summary->speedup) ? NAN : summary->speedup / parallel;

  median_s = summary->makespan_ms.median / 1000.0;
  if (median_s > 0.0)
    summary->throughput_per_s = (double) tasks_per_rep / median_s;
  else
    summary->throughput_per_s = NAN;

  if (latencies->len > 0)
    {
      const double *l = (const double *) latencies->data;

      summary->latency_mean_ms = latency_sum / latencies->len;
      summary->latency_p50_ms = il_stats_percentile (l, latencies->len, 50.0);
      summary->latency_p95_ms = il_stats_percentile (l, latencies->len, 95.0);
    }
  else
    {
      summary->latency_mean_ms = NAN;
      summary->latency_p50_ms = NAN;
      summary->latency_p95_ms = NAN;
    }

  summary->cpu_user_ms = il_summary_median_of (user);
  summary->cpu_sys_ms = il_summary_median_of (sys);
  summary->ctx_voluntary = il_summary_round_count (il_summary_median_of (ctx_vol));
  summary->ctx_involuntary = il_summary_round_count (il_summary_median_of (ctx_invol));
  summary->overhead_cpu_ms = il_summary_median_of (overhead);

  if (!checksum_agrees)
    summary->checksum = g_strdup (MISMATCH);
  else
    summary->checksum = g_strdup (checksum);

  summary->failed_tasks = failed;
}

gboolean
il_repetition_counts (const IlRepetition *rep)
{
  return rep != NULL && !rep->warmup && !rep->cancelled;
}

guint
il_run_result_count_repetitions (const IlRunResult *run,
                                 guint             *n_cancelled)
{
  guint counted = 0, cancelled = 0;

  g_return_val_if_fail (run != NULL, 0);

  for (guint r = 0; run->repetitions != NULL && r < run->repetitions->len; r++)
    {
      const IlRepetition *rep = g_ptr_array_index (run->repetitions, r);

      if (il_repetition_counts (rep))
        counted++;
      else if (rep != NULL && !rep->warmup && rep->cancelled)
        cancelled++;
    }
  if (n_cancelled != NULL)
    *n_cancelled = cancelled;
  return counted;
}

double
il_run_result_median_makespan (const IlRunResult *run)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (run != NULL, NAN);

  for (guint r = 0; run->repetitions != NULL && r < run->repetitions->len; r++)
    {
      const IlRepetition *rep = g_ptr_array_index (run->repetitions, r);

      if (il_repetition_counts (rep))
        g_array_append_val (values, rep->makespan_ms);
    }
  return values->len > 0 ? il_stats_median ((const double *) values->data, values->len) : NAN;
}

gboolean
il_task_record_is_cancelled (const IlRepetition *rep,
                             const IlTaskRecord *task)
{
  g_return_val_if_fail (rep != NULL && task != NULL, FALSE);

  /* Stop cuts the tasks in flight short and they end "failed": in a
   * repetition cut off by Stop, that is what a failure is. */
  return rep->cancelled && task->failed;
}

const IlRepetition *
il_run_result_median_repetition (const IlRunResult *run)
{
  g_autofree guint *order = NULL;
  guint             n = 0;
  gboolean          only_counted;

  g_return_val_if_fail (run != NULL, NULL);

  if (run->repetitions == NULL || run->repetitions->len == 0)
    return NULL;
  /* The repetitions that count; a run that was stopped in its first one
   * is shown by what it did before Stop. */
  only_counted = il_run_result_count_repetitions (run, NULL) > 0;
  order = g_new (guint, run->repetitions->len);
  for (guint i = 0; i < run->repetitions->len; i++)
    if (!only_counted || il_repetition_counts (g_ptr_array_index (run->repetitions, i)))
      order[n++] = i;
  /* Insertion sort by makespan, stable: at most 100 repetitions. */
  for (guint i = 1; i < n; i++)
    {
      guint  x = order[i], j = i;
      double mx = ((const IlRepetition *) g_ptr_array_index (run->repetitions, x))->makespan_ms;

      while (j > 0 && ((const IlRepetition *) g_ptr_array_index (run->repetitions, order[j - 1]))->makespan_ms > mx)
        {
          order[j] = order[j - 1];
          j--;
        }
      order[j] = x;
    }
  return g_ptr_array_index (run->repetitions, order[(n - 1) / 2]);
}
