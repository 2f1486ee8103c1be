/* il-results.c — results of running an experiment: lifetime and equality
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Equality compares results as they are written (il-results-write.c): doubles
 * at the precision they are written with, fields that are not written
 * (warm-up repetitions, `cancelled` of the whole results, a block's time to
 * first byte outside HTTP, …) not at all. So a results document read back
 * from its own JSON is equal to the original. Task records: il-task-record.c.
 */

#include <math.h>
#include <string.h>

#include "il-json-private.h"
#include "il-results.h"

#define MS      IL_JSON_DECIMALS_MS
#define RATIO   IL_JSON_DECIMALS_RATIO
#define PERCENT IL_JSON_DECIMALS_PERCENT

/* Machine */

void
il_machine_clear (IlMachine *machine)
{
  g_return_if_fail (machine != NULL);

  g_clear_pointer (&machine->cpu_model, g_free);
  g_clear_pointer (&machine->governor, g_free);
  g_clear_pointer (&machine->kernel, g_free);
  g_clear_pointer (&machine->os, g_free);
  g_clear_pointer (&machine->interleave_version, g_free);
  g_clear_pointer (&machine->date, g_free);
  memset (machine, 0, sizeof *machine);
}

static void
machine_copy (IlMachine       *dest,
              const IlMachine *src)
{
  *dest = *src;
  dest->cpu_model = g_strdup (src->cpu_model);
  dest->governor = g_strdup (src->governor);
  dest->kernel = g_strdup (src->kernel);
  dest->os = g_strdup (src->os);
  dest->interleave_version = g_strdup (src->interleave_version);
  dest->date = g_strdup (src->date);
}

static gboolean
machine_equal (const IlMachine *a,
               const IlMachine *b)
{
  return g_strcmp0 (a->cpu_model, b->cpu_model) == 0 &&
         a->cores == b->cores &&
         il_json_double_equal (a->mhz, b->mhz, 1) &&
         g_strcmp0 (a->governor, b->governor) == 0 &&
         il_json_double_equal (a->loadavg, b->loadavg, 2) &&
         g_strcmp0 (a->kernel, b->kernel) == 0 &&
         g_strcmp0 (a->os, b->os) == 0 &&
         g_strcmp0 (a->interleave_version, b->interleave_version) == 0 &&
         g_strcmp0 (a->date, b->date) == 0;
}

/* Repetitions */

static GArray *
task_records_new (guint reserve)
{
  GArray *tasks = g_array_sized_new (FALSE, TRUE, sizeof (IlTaskRecord), reserve);

  g_array_set_clear_func (tasks, (GDestroyNotify) il_task_record_clear);

  return tasks;
}

IlHostLoad *
il_host_load_new (const char *host,
                  guint       hz)
{
  IlHostLoad *load = g_new0 (IlHostLoad, 1);

  load->host = g_strdup (host);
  load->hz = hz;
  load->cores = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  return load;
}

void
il_host_load_free (IlHostLoad *load)
{
  if (load == NULL)
    return;
  g_free (load->host);
  g_clear_pointer (&load->cores, g_ptr_array_unref);
  g_free (load);
}

static gboolean
load_series_equal (const GPtrArray *a,
                   const GPtrArray *b);

IlRepetition *
il_repetition_new (void)
{
  IlRepetition *rep = g_new0 (IlRepetition, 1);

  rep->tasks = task_records_new (0);
  rep->core_load = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  rep->gil_holds = g_array_new (FALSE, TRUE, sizeof (IlSpan));
  rep->loop_lag = g_array_new (FALSE, TRUE, sizeof (IlLagSample));
  rep->host_load = g_ptr_array_new_with_free_func ((GDestroyNotify) il_host_load_free);
  rep->makespan_ms = NAN;

  return rep;
}

void
il_repetition_free (IlRepetition *rep)
{
  if (rep == NULL)
    return;

  g_free (rep->checksum);
  g_clear_pointer (&rep->tasks, g_array_unref);
  g_clear_pointer (&rep->core_load, g_ptr_array_unref);
  g_clear_pointer (&rep->gil_holds, g_array_unref);
  g_clear_pointer (&rep->loop_lag, g_array_unref);
  g_clear_pointer (&rep->counter_per_worker, g_array_unref);
  g_clear_pointer (&rep->host_load, g_ptr_array_unref);
  g_free (rep);
}

static GArray *
array_copy (const GArray *array,
            guint         element_size)
{
  GArray *copy = g_array_new (FALSE, TRUE, element_size);

  if (array != NULL)
    g_array_append_vals (copy, array->data, array->len);

  return copy;
}

static IlRepetition *
repetition_copy (const IlRepetition *rep)
{
  IlRepetition *copy = il_repetition_new ();
  guint         n_tasks = rep->tasks != NULL ? rep->tasks->len : 0;

  copy->makespan_ms = rep->makespan_ms;
  copy->checksum = g_strdup (rep->checksum);
  copy->failed_tasks = rep->failed_tasks;
  copy->cancelled = rep->cancelled;
  copy->warmup = rep->warmup;

  g_array_set_size (copy->tasks, n_tasks);
  for (guint i = 0; i < n_tasks; i++)
    il_task_record_copy (&g_array_index (copy->tasks, IlTaskRecord, i),
                         &g_array_index (rep->tasks, IlTaskRecord, i));

  copy->load_hz = rep->load_hz;
  for (guint i = 0; rep->core_load != NULL && i < rep->core_load->len; i++)
    g_ptr_array_add (copy->core_load,
                     array_copy (g_ptr_array_index (rep->core_load, i), sizeof (float)));

  for (guint i = 0; rep->host_load != NULL && i < rep->host_load->len; i++)
    {
      const IlHostLoad *src = g_ptr_array_index (rep->host_load, i);
      IlHostLoad       *dest = il_host_load_new (src->host, src->hz);

      for (guint c = 0; c < src->cores->len; c++)
        g_ptr_array_add (dest->cores, array_copy (g_ptr_array_index (src->cores, c), sizeof (float)));
      g_ptr_array_add (copy->host_load, dest);
    }

  g_clear_pointer (&copy->gil_holds, g_array_unref);
  copy->gil_holds = array_copy (rep->gil_holds, sizeof (IlSpan));
  g_clear_pointer (&copy->loop_lag, g_array_unref);
  copy->loop_lag = array_copy (rep->loop_lag, sizeof (IlLagSample));

  copy->cpu_user_ms = rep->cpu_user_ms;
  copy->cpu_sys_ms = rep->cpu_sys_ms;
  copy->ctx_voluntary = rep->ctx_voluntary;
  copy->ctx_involuntary = rep->ctx_involuntary;
  copy->overhead_cpu_ms = rep->overhead_cpu_ms;
  copy->has_counter = rep->has_counter;
  copy->counter_expected = rep->counter_expected;
  copy->counter_final = rep->counter_final;
  if (rep->counter_per_worker != NULL)
    copy->counter_per_worker = array_copy (rep->counter_per_worker, sizeof (gint64));
  copy->has_yield = rep->has_yield;
  copy->yield = rep->yield;

  return copy;
}

double
il_yield_record_us_per_switch (const IlYieldRecord *record)
{
  gint64 switches = record->voluntary + record->involuntary;

  return switches > 0 ? (double) record->cpu_us / (double) switches : NAN;
}

static guint
garray_len (const GArray *array)
{
  return array != NULL ? array->len : 0;
}

static gboolean
load_series_equal (const GPtrArray *a,
                   const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint c = 0; c < a->len; c++)
    {
      const GArray *la = g_ptr_array_index (a, c);
      const GArray *lb = g_ptr_array_index (b, c);

      if (garray_len (la) != garray_len (lb))
        return FALSE;
      for (guint i = 0; i < garray_len (la); i++)
        if (!il_json_double_equal (g_array_index (la, float, i),
                                   g_array_index (lb, float, i), PERCENT))
          return FALSE;
    }
  return TRUE;
}

static gboolean
repetition_equal (const IlRepetition *a,
                  const IlRepetition *b)
{
  guint n_cores = a->core_load != NULL ? a->core_load->len : 0;

  if (!il_json_double_equal (a->makespan_ms, b->makespan_ms, MS) ||
      g_strcmp0 (a->checksum, b->checksum) != 0 ||
      a->failed_tasks != b->failed_tasks ||
      !a->cancelled != !b->cancelled ||
      a->load_hz != b->load_hz ||
      n_cores != (b->core_load != NULL ? b->core_load->len : 0) ||
      garray_len (a->tasks) != garray_len (b->tasks) ||
      garray_len (a->gil_holds) != garray_len (b->gil_holds) ||
      garray_len (a->loop_lag) != garray_len (b->loop_lag) ||
      !il_json_double_equal (a->cpu_user_ms, b->cpu_user_ms, MS) ||
      !il_json_double_equal (a->cpu_sys_ms, b->cpu_sys_ms, MS) ||
      a->ctx_voluntary != b->ctx_voluntary ||
      a->ctx_involuntary != b->ctx_involuntary ||
      !il_json_double_equal (a->overhead_cpu_ms, b->overhead_cpu_ms, MS) ||
      !a->has_counter != !b->has_counter ||
      (a->has_counter && (a->counter_expected != b->counter_expected ||
                          a->counter_final != b->counter_final)) ||
      (a->counter_per_worker == NULL) != (b->counter_per_worker == NULL) ||
      garray_len (a->counter_per_worker) != garray_len (b->counter_per_worker) ||
      !a->has_yield != !b->has_yield ||
      (a->has_yield && memcmp (&a->yield, &b->yield, sizeof a->yield) != 0))
    return FALSE;

  for (guint i = 0; i < garray_len (a->counter_per_worker); i++)
    if (g_array_index (a->counter_per_worker, gint64, i) !=
        g_array_index (b->counter_per_worker, gint64, i))
      return FALSE;

  for (guint i = 0; i < garray_len (a->tasks); i++)
    if (!il_task_record_equal (&g_array_index (a->tasks, IlTaskRecord, i),
                               &g_array_index (b->tasks, IlTaskRecord, i)))
      return FALSE;

  if (n_cores > 0 && !load_series_equal (a->core_load, b->core_load))
    return FALSE;

  {
    guint n_a = a->host_load != NULL ? a->host_load->len : 0;
    guint n_b = b->host_load != NULL ? b->host_load->len : 0;

    if (n_a != n_b)
      return FALSE;
    for (guint i = 0; i < n_a; i++)
      {
        const IlHostLoad *ha = g_ptr_array_index (a->host_load, i);
        const IlHostLoad *hb = g_ptr_array_index (b->host_load, i);

        if (g_strcmp0 (ha->host, hb->host) != 0 || ha->hz != hb->hz ||
            !load_series_equal (ha->cores, hb->cores))
          return FALSE;
      }
  }

  for (guint i = 0; i < garray_len (a->gil_holds); i++)
    {
      const IlSpan *sa = &g_array_index (a->gil_holds, IlSpan, i);
      const IlSpan *sb = &g_array_index (b->gil_holds, IlSpan, i);

      if (sa->worker != sb->worker || sa->start_us != sb->start_us || sa->end_us != sb->end_us)
        return FALSE;
    }

  for (guint i = 0; i < garray_len (a->loop_lag); i++)
    {
      const IlLagSample *sa = &g_array_index (a->loop_lag, IlLagSample, i);
      const IlLagSample *sb = &g_array_index (b->loop_lag, IlLagSample, i);

      if (sa->t_us != sb->t_us || sa->lag_us != sb->lag_us)
        return FALSE;
    }

  return TRUE;
}

/* Run results */

static void
summary_init (IlSummary *summary)
{
  memset (summary, 0, sizeof *summary);
  summary->makespan_ms.median = NAN;
  summary->makespan_ms.min = NAN;
  summary->makespan_ms.max = NAN;
  summary->makespan_ms.mean = NAN;
  summary->makespan_ms.stddev = NAN;
  summary->speedup = NAN;
  summary->efficiency = NAN;
  summary->throughput_per_s = NAN;
  summary->latency_mean_ms = NAN;
  summary->latency_p50_ms = NAN;
  summary->latency_p95_ms = NAN;
}

IlRunResult *
il_run_result_new (void)
{
  IlRunResult *run = g_new0 (IlRunResult, 1);

  run->executor = IL_EXECUTOR_SEQUENTIAL;
  run->workers = 1;
  run->switch_interval_ms = 5;
  run->spawn = IL_SPAWN_POOL;
  summary_init (&run->summary);
  run->repetitions = g_ptr_array_new_with_free_func ((GDestroyNotify) il_repetition_free);

  return run;
}

void
il_run_result_free (IlRunResult *run)
{
  if (run == NULL)
    return;

  g_free (run->label);
  g_free (run->python_version);
  g_free (run->summary.checksum);
  g_clear_pointer (&run->repetitions, g_ptr_array_unref);
  g_free (run);
}

static IlRunResult *
run_result_copy (const IlRunResult *run)
{
  IlRunResult *copy = il_run_result_new ();
  GPtrArray   *repetitions = copy->repetitions;

  *copy = *run;
  copy->label = g_strdup (run->label);
  copy->python_version = g_strdup (run->python_version);
  copy->summary.checksum = g_strdup (run->summary.checksum);
  copy->repetitions = repetitions;

  for (guint i = 0; run->repetitions != NULL && i < run->repetitions->len; i++)
    g_ptr_array_add (copy->repetitions, repetition_copy (g_ptr_array_index (run->repetitions, i)));

  return copy;
}

static gboolean
stats_equal (const IlStats *a,
             const IlStats *b)
{
  return il_json_double_equal (a->median, b->median, MS) &&
         il_json_double_equal (a->min, b->min, MS) &&
         il_json_double_equal (a->max, b->max, MS) &&
         il_json_double_equal (a->mean, b->mean, MS) &&
         il_json_double_equal (a->stddev, b->stddev, MS);
}

static gboolean
summary_equal (const IlSummary *a,
               const IlSummary *b)
{
  return stats_equal (&a->makespan_ms, &b->makespan_ms) &&
         il_json_double_equal (a->speedup, b->speedup, RATIO) &&
         il_json_double_equal (a->efficiency, b->efficiency, RATIO) &&
         il_json_double_equal (a->throughput_per_s, b->throughput_per_s, RATIO) &&
         il_json_double_equal (a->latency_mean_ms, b->latency_mean_ms, MS) &&
         il_json_double_equal (a->latency_p50_ms, b->latency_p50_ms, MS) &&
         il_json_double_equal (a->latency_p95_ms, b->latency_p95_ms, MS) &&
         il_json_double_equal (a->cpu_user_ms, b->cpu_user_ms, MS) &&
         il_json_double_equal (a->cpu_sys_ms, b->cpu_sys_ms, MS) &&
         a->ctx_voluntary == b->ctx_voluntary &&
         a->ctx_involuntary == b->ctx_involuntary &&
         g_strcmp0 (a->checksum, b->checksum) == 0 &&
         il_json_double_equal (a->overhead_cpu_ms, b->overhead_cpu_ms, MS) &&
         a->failed_tasks == b->failed_tasks;
}

/* Warm-up repetitions are never written, so they never count. */
static const IlRepetition *
nth_counted (const GPtrArray *repetitions,
             guint           *cursor)
{
  while (repetitions != NULL && *cursor < repetitions->len)
    {
      const IlRepetition *rep = g_ptr_array_index (repetitions, *cursor);

      (*cursor)++;
      if (!rep->warmup)
        return rep;
    }

  return NULL;
}

static gboolean
run_result_equal (const IlRunResult *a,
                  const IlRunResult *b)
{
  guint ca = 0, cb = 0;

  if (g_strcmp0 (a->label, b->label) != 0 ||
      a->executor != b->executor ||
      a->engine != b->engine ||
      g_strcmp0 (a->python_version, b->python_version) != 0 ||
      a->workers != b->workers ||
      !a->gil != !b->gil ||
      (a->gil && a->switch_interval_ms != b->switch_interval_ms) ||
      (a->executor == IL_EXECUTOR_PROCESSES && a->spawn != b->spawn) ||
      (a->executor == IL_EXECUTOR_ASYNC && a->cpu_slice_units != b->cpu_slice_units) ||
      a->config_index != b->config_index ||
      !summary_equal (&a->summary, &b->summary))
    return FALSE;

  for (;;)
    {
      const IlRepetition *ra = nth_counted (a->repetitions, &ca);
      const IlRepetition *rb = nth_counted (b->repetitions, &cb);

      if (ra == NULL || rb == NULL)
        return ra == rb;
      if (!repetition_equal (ra, rb))
        return FALSE;
    }
}

/* Results */

IlResults *
il_results_new (void)
{
  IlResults *results = g_new0 (IlResults, 1);

  results->ref_count = 1;
  results->warnings = g_new0 (char *, 1);
  results->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_result_free);

  return results;
}

IlResults *
il_results_copy (const IlResults *results)
{
  IlResults *copy;

  g_return_val_if_fail (results != NULL, NULL);

  copy = il_results_new ();
  copy->experiment = g_strdup (results->experiment);
  machine_copy (&copy->machine, &results->machine);
  g_strfreev (copy->warnings);
  copy->warnings = results->warnings != NULL ? g_strdupv (results->warnings) : g_new0 (char *, 1);
  copy->cancelled = results->cancelled;
  copy->incomplete = results->incomplete;

  for (guint i = 0; results->runs != NULL && i < results->runs->len; i++)
    g_ptr_array_add (copy->runs, run_result_copy (g_ptr_array_index (results->runs, i)));

  return copy;
}

IlResults *
il_results_ref (IlResults *results)
{
  g_return_val_if_fail (results != NULL, NULL);
  g_atomic_int_inc (&results->ref_count);
  return results;
}

void
il_results_free (IlResults *results)
{
  if (results == NULL || !g_atomic_int_dec_and_test (&results->ref_count))
    return;

  g_free (results->experiment);
  il_machine_clear (&results->machine);
  g_strfreev (results->warnings);
  g_clear_pointer (&results->runs, g_ptr_array_unref);
  g_free (results);
}

static gboolean
warnings_equal (char **a,
                char **b)
{
  guint na = a != NULL ? g_strv_length (a) : 0;
  guint nb = b != NULL ? g_strv_length (b) : 0;

  if (na != nb)
    return FALSE;

  for (guint i = 0; i < na; i++)
    if (!g_str_equal (a[i], b[i]))
      return FALSE;

  return TRUE;
}

gboolean
il_results_equal (const IlResults *a,
                  const IlResults *b)
{
  guint na, nb;

  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  na = a->runs != NULL ? a->runs->len : 0;
  nb = b->runs != NULL ? b->runs->len : 0;

  if (g_strcmp0 (a->experiment, b->experiment) != 0 ||
      !machine_equal (&a->machine, &b->machine) ||
      !warnings_equal (a->warnings, b->warnings) ||
      na != nb)
    return FALSE;

  for (guint i = 0; i < na; i++)
    if (!run_result_equal (g_ptr_array_index (a->runs, i), g_ptr_array_index (b->runs, i)))
      return FALSE;

  return TRUE;
}
