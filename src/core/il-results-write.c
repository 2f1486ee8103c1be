/* il-results-write.c — the results document (docs/results-format.md), written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes the contract's shape plus the additive fields documented in
 * docs/results-format.md ("Fields beyond the team's contract"), each only
 * where it applies.
 * Doubles are rounded (ms to 3 decimals, percentages to 1) so that files stay
 * readable; il_results_equal() compares at that precision.
 */

#include <math.h>

#include "il-json-private.h"

#define MS      IL_JSON_DECIMALS_MS
#define RATIO   IL_JSON_DECIMALS_RATIO
#define PERCENT IL_JSON_DECIMALS_PERCENT

static void
set_double (JsonObject *object,
            const char *member,
            double      value,
            int         decimals)
{
  double rounded = il_json_round (value, decimals);

  if (isnan (rounded))
    json_object_set_null_member (object, member);
  else
    json_object_set_double_member (object, member, rounded);
}

static void
set_string_or_null (JsonObject *object,
                    const char *member,
                    const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member, value);
}

static JsonObject *
state_to_json (const IlStateTimes *state)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "running", state->running);
  json_object_set_int_member (object, "ready", state->ready);
  json_object_set_int_member (object, "blocked", state->blocked);
  if (state->gil_wait > 0)
    json_object_set_int_member (object, "gil_wait", state->gil_wait);
  if (state->lock_wait > 0)
    json_object_set_int_member (object, "lock_wait", state->lock_wait);

  return object;
}

static JsonNode *
block_record_to_json (const IlBlockRecord *block)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", il_block_type_to_string (block->type));
  json_object_set_int_member (object, "start_us", block->start_us);
  json_object_set_int_member (object, "end_us", block->end_us);
  if (block->type == IL_BLOCK_HTTP && block->ttfb_us >= 0)
    json_object_set_int_member (object, "ttfb_us", block->ttfb_us);
  if (block->state.valid)
    json_object_set_object_member (object, "state_us", state_to_json (&block->state));
  if (block->segments != NULL)
    {
      JsonArray *segments = json_array_sized_new (block->segments->n);

      for (guint i = 0; i < block->segments->n; i++)
        {
          JsonArray *pair = json_array_sized_new (2);

          json_array_add_string_element (pair, il_state_to_string (block->segments->seg[i].state));
          json_array_add_int_element (pair, block->segments->seg[i].us);
          json_array_add_array_element (segments, pair);
        }
      json_object_set_array_member (object, "segments", segments);
    }

  return il_json_object_node (object);
}

static JsonNode *
task_record_to_json (const IlTaskRecord *task)
{
  JsonObject  *object = json_object_new ();
  JsonArray   *blocks = json_array_new ();
  IlStateTimes state = il_task_record_state (task);
  char         checksum[17];

  json_object_set_int_member (object, "group", task->group);
  json_object_set_int_member (object, "index", task->index);
  json_object_set_int_member (object, "worker", task->worker);
  json_object_set_int_member (object, "pid", task->pid);
  json_object_set_int_member (object, "tid", task->tid);
  json_object_set_int_member (object, "cpu_start", task->cpu_start);
  json_object_set_int_member (object, "cpu_end", task->cpu_end);
  json_object_set_int_member (object, "queued_us", task->queued_us);
  json_object_set_int_member (object, "start_us", task->start_us);
  json_object_set_int_member (object, "end_us", task->end_us);
  if (il_task_record_spawn_us (task) >= 0)
    json_object_set_int_member (object, "spawn_us", il_task_record_spawn_us (task));
  if (il_task_record_host (task) != NULL)
    {
      json_object_set_string_member (object, "host", il_task_record_host (task));
      json_object_set_int_member (object, "rank", il_task_record_rank (task));
    }
  if (il_task_record_marshal_us (task) >= 0)
    json_object_set_int_member (object, "marshal_us", il_task_record_marshal_us (task));
  g_snprintf (checksum, sizeof checksum, "%016" G_GINT64_MODIFIER "x", task->checksum);
  json_object_set_string_member (object, "checksum", checksum);

  if (state.valid)
    json_object_set_object_member (object, "state_us", state_to_json (&state));
  else
    json_object_set_null_member (object, "state_us");

  for (guint i = 0; i < task->n_blocks; i++)
    {
      IlBlockRecord block = il_task_record_block (task, i);

      json_array_add_element (blocks, block_record_to_json (&block));
    }
  json_object_set_array_member (object, "blocks", blocks);

  if (task->failed)
    {
      json_object_set_boolean_member (object, "failed", TRUE);
      set_string_or_null (object, "error", il_task_record_error (task));
    }

  return il_json_object_node (object);
}

static JsonArray *
load_series_to_json (const GPtrArray *series_per_core)
{
  JsonArray *cores = json_array_new ();

  for (guint c = 0; series_per_core != NULL && c < series_per_core->len; c++)
    {
      const GArray *series = g_ptr_array_index (series_per_core, c);
      JsonArray    *row = json_array_new ();

      for (guint i = 0; series != NULL && i < series->len; i++)
        {
          double value = il_json_round (g_array_index (series, float, i), PERCENT);

          if (isnan (value))
            json_array_add_null_element (row);
          else
            json_array_add_double_element (row, value);
        }
      json_array_add_array_element (cores, row);
    }
  return cores;
}

static JsonNode *
task_element (gconstpointer data,
              guint         index)
{
  const IlRepetition *rep = data;

  return task_record_to_json (&g_array_index (rep->tasks, IlTaskRecord, index));
}

static JsonNode *
gil_hold_element (gconstpointer data,
                  guint         index)
{
  const IlRepetition *rep = data;
  const IlSpan       *span = &g_array_index (rep->gil_holds, IlSpan, index);
  JsonArray          *triple = json_array_sized_new (3);

  json_array_add_int_element (triple, span->worker);
  json_array_add_int_element (triple, span->start_us);
  json_array_add_int_element (triple, span->end_us);
  return il_json_array_node (triple);
}

static JsonNode *
loop_lag_element (gconstpointer data,
                  guint         index)
{
  const IlRepetition *rep = data;
  const IlLagSample  *sample = &g_array_index (rep->loop_lag, IlLagSample, index);
  JsonArray          *pair = json_array_sized_new (2);

  json_array_add_int_element (pair, sample->t_us);
  json_array_add_int_element (pair, sample->lag_us);
  return il_json_array_node (pair);
}

/* The elements of @array: made now, or (@streams) when written. */
static void
fill_array (JsonArray          *array,
            guint               n,
            IlJsonElementFunc   func,
            const IlRepetition *rep,
            GHashTable         *streams)
{
  if (streams != NULL)
    {
      il_json_streams_add (streams, array, n, func, rep);
      return;
    }
  for (guint i = 0; i < n; i++)
    json_array_add_element (array, func (rep, i));
}

static JsonNode *
repetition_to_json (const IlRepetition *rep,
                    GHashTable         *streams)
{
  JsonObject *object = json_object_new ();
  JsonObject *core_load = json_object_new ();
  JsonArray  *tasks = json_array_new ();

  set_double (object, "makespan_ms", rep->makespan_ms, MS);
  set_string_or_null (object, "checksum", rep->checksum);
  json_object_set_int_member (object, "failed_tasks", rep->failed_tasks);
  if (rep->cancelled)
    json_object_set_boolean_member (object, "cancelled", TRUE);
  set_double (object, "cpu_user_ms", rep->cpu_user_ms, MS);
  set_double (object, "cpu_sys_ms", rep->cpu_sys_ms, MS);
  json_object_set_int_member (object, "ctx_voluntary", rep->ctx_voluntary);
  json_object_set_int_member (object, "ctx_involuntary", rep->ctx_involuntary);
  set_double (object, "overhead_cpu_ms", rep->overhead_cpu_ms, MS);

  fill_array (tasks, rep->tasks != NULL ? rep->tasks->len : 0, task_element, rep, streams);
  json_object_set_array_member (object, "tasks", tasks);

  json_object_set_int_member (core_load, "hz", rep->load_hz);
  json_object_set_array_member (core_load, "cores", load_series_to_json (rep->core_load));
  json_object_set_object_member (object, "core_load", core_load);

  if (rep->host_load != NULL && rep->host_load->len > 0)
    {
      JsonArray *hosts = json_array_new ();

      for (guint i = 0; i < rep->host_load->len; i++)
        {
          const IlHostLoad *load = g_ptr_array_index (rep->host_load, i);
          JsonObject       *entry = json_object_new ();

          json_object_set_string_member (entry, "host", load->host);
          json_object_set_int_member (entry, "hz", load->hz);
          json_object_set_array_member (entry, "cores", load_series_to_json (load->cores));
          json_array_add_object_element (hosts, entry);
        }
      json_object_set_array_member (object, "host_load", hosts);
    }

  if (rep->gil_holds != NULL && rep->gil_holds->len > 0)
    {
      JsonArray *holds = json_array_new ();

      fill_array (holds, rep->gil_holds->len, gil_hold_element, rep, streams);
      json_object_set_array_member (object, "gil_holds", holds);
    }

  if (rep->has_counter)
    {
      JsonObject *counter = json_object_new ();

      json_object_set_int_member (counter, "expected", rep->counter_expected);
      json_object_set_int_member (counter, "final", rep->counter_final);
      json_object_set_int_member (counter, "lost", rep->counter_expected - rep->counter_final);
      if (rep->counter_per_worker != NULL)
        {
          JsonArray *per_worker = json_array_new ();

          for (guint i = 0; i < rep->counter_per_worker->len; i++)
            json_array_add_int_element (per_worker,
                                        g_array_index (rep->counter_per_worker, gint64, i));
          json_object_set_array_member (counter, "per_worker", per_worker);
        }
      json_object_set_object_member (object, "counter", counter);
    }

  if (rep->has_yield)
    {
      JsonObject *yield = json_object_new ();
      double      per_switch = il_yield_record_us_per_switch (&rep->yield);

      json_object_set_int_member (yield, "yields", rep->yield.yields);
      json_object_set_int_member (yield, "voluntary", rep->yield.voluntary);
      json_object_set_int_member (yield, "involuntary", rep->yield.involuntary);
      json_object_set_int_member (yield, "cpu_us", rep->yield.cpu_us);
      if (isnan (per_switch))
        json_object_set_null_member (yield, "us_per_switch");
      else
        json_object_set_double_member (yield, "us_per_switch", round (per_switch * 1000.0) / 1000.0);
      json_object_set_object_member (object, "yield", yield);
    }

  if (rep->loop_lag != NULL && rep->loop_lag->len > 0)
    {
      JsonArray *lags = json_array_new ();

      fill_array (lags, rep->loop_lag->len, loop_lag_element, rep, streams);
      json_object_set_array_member (object, "loop_lag", lags);
    }

  return il_json_object_node (object);
}

static JsonObject *
summary_to_json (const IlSummary *summary)
{
  JsonObject *object = json_object_new ();
  JsonObject *makespan = json_object_new ();
  JsonObject *latency = json_object_new ();

  set_double (makespan, "median", summary->makespan_ms.median, MS);
  set_double (makespan, "min", summary->makespan_ms.min, MS);
  set_double (makespan, "max", summary->makespan_ms.max, MS);
  set_double (makespan, "mean", summary->makespan_ms.mean, MS);
  set_double (makespan, "stddev", summary->makespan_ms.stddev, MS);
  json_object_set_object_member (object, "makespan_ms", makespan);

  set_double (object, "speedup", summary->speedup, RATIO);
  set_double (object, "efficiency", summary->efficiency, RATIO);
  set_double (object, "throughput_per_s", summary->throughput_per_s, RATIO);

  set_double (latency, "mean", summary->latency_mean_ms, MS);
  set_double (latency, "p50", summary->latency_p50_ms, MS);
  set_double (latency, "p95", summary->latency_p95_ms, MS);
  json_object_set_object_member (object, "latency_ms", latency);

  set_double (object, "cpu_user_ms", summary->cpu_user_ms, MS);
  set_double (object, "cpu_sys_ms", summary->cpu_sys_ms, MS);
  json_object_set_int_member (object, "ctx_voluntary", summary->ctx_voluntary);
  json_object_set_int_member (object, "ctx_involuntary", summary->ctx_involuntary);
  set_string_or_null (object, "checksum", summary->checksum);
  set_double (object, "overhead_cpu_ms", summary->overhead_cpu_ms, MS);
  json_object_set_int_member (object, "failed_tasks", summary->failed_tasks);

  return object;
}

static JsonNode *
run_result_to_json (const IlRunResult *run,
                    GHashTable        *streams)
{
  JsonObject *object = json_object_new ();
  JsonArray  *repetitions = json_array_new ();

  set_string_or_null (object, "label", run->label);
  json_object_set_string_member (object, "executor", il_executor_to_string (run->executor));
  json_object_set_int_member (object, "workers", run->workers);
  json_object_set_boolean_member (object, "gil", run->gil);
  if (run->gil)
    json_object_set_int_member (object, "switch_interval_ms", run->switch_interval_ms);
  if (run->executor == IL_EXECUTOR_PROCESSES)
    json_object_set_string_member (object, "spawn", il_spawn_to_string (run->spawn));
  if (run->executor == IL_EXECUTOR_ASYNC)
    json_object_set_int_member (object, "cpu_slice_units", run->cpu_slice_units);
  if (run->engine == IL_ENGINE_CPYTHON)
    {
      json_object_set_string_member (object, "engine", il_engine_to_string (run->engine));
      if (!run->gil && run->executor == IL_EXECUTOR_THREADS)
        json_object_set_int_member (object, "switch_interval_ms", run->switch_interval_ms);
      set_string_or_null (object, "python", run->python_version);
    }
  json_object_set_int_member (object, "config_index", run->config_index);

  json_object_set_object_member (object, "summary", summary_to_json (&run->summary));

  for (guint i = 0; run->repetitions != NULL && i < run->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (run->repetitions, i);

      if (!rep->warmup)
        json_array_add_element (repetitions, repetition_to_json (rep, streams));
    }
  json_object_set_array_member (object, "repetitions", repetitions);

  return il_json_object_node (object);
}

static JsonObject *
machine_to_json (const IlMachine *machine)
{
  JsonObject *object = json_object_new ();

  set_string_or_null (object, "cpu_model", machine->cpu_model);
  json_object_set_int_member (object, "cores", machine->cores);
  set_double (object, "mhz", machine->mhz, 1);
  set_string_or_null (object, "governor", machine->governor);
  set_double (object, "loadavg", machine->loadavg, 2);
  set_string_or_null (object, "kernel", machine->kernel);
  set_string_or_null (object, "os", machine->os);
  set_string_or_null (object, "interleave_version", machine->interleave_version);
  set_string_or_null (object, "date", machine->date);

  return object;
}

JsonNode *
il_results_to_json_streamed (const IlResults *results,
                             GHashTable      *streams)
{
  JsonObject *object;
  JsonArray  *warnings;
  JsonArray  *runs;

  g_return_val_if_fail (results != NULL, NULL);

  object = json_object_new ();
  warnings = json_array_new ();
  runs = json_array_new ();

  json_object_set_int_member (object, "interleave_results", IL_RESULTS_VERSION);
  set_string_or_null (object, "experiment", results->experiment);
  json_object_set_object_member (object, "machine", machine_to_json (&results->machine));

  for (guint i = 0; results->warnings != NULL && results->warnings[i] != NULL; i++)
    json_array_add_string_element (warnings, results->warnings[i]);
  json_object_set_array_member (object, "warnings", warnings);

  for (guint i = 0; results->runs != NULL && i < results->runs->len; i++)
    json_array_add_element (runs, run_result_to_json (g_ptr_array_index (results->runs, i), streams));
  json_object_set_array_member (object, "runs", runs);

  return il_json_object_node (object);
}

JsonNode *
il_results_to_json (const IlResults *results)
{
  return il_results_to_json_streamed (results, NULL);
}

gboolean
il_results_write (const IlResults *results,
                  GOutputStream   *stream,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_autoptr(GHashTable) streams = il_json_streams_new ();
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  node = il_results_to_json_streamed (results, streams);
  return il_json_write_stream (node, streams, stream, cancellable, error);
}

char *
il_results_to_data (const IlResults *results,
                    gsize           *length)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (results != NULL, NULL);

  node = il_results_to_json (results);

  return il_json_write (node, length);
}
