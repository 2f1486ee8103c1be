/* il-results-json.c — the results document (docs/results-format.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes the contract's shape plus the additive fields documented in
 * docs/results-format.md ("Fields beyond the team's contract"), each only
 * where it applies.
 * Doubles are rounded (ms to 3 decimals, percentages to 1) so that files stay
 * readable; il_results_equal() compares at that precision. The reader is as
 * strict as the experiment reader: unknown fields and wrong types are errors
 * naming their JSON path.
 */

#include <math.h>
#include <string.h>

#include "il-json-positions.h"

#define MS      IL_JSON_DECIMALS_MS
#define RATIO   IL_JSON_DECIMALS_RATIO
#define PERCENT IL_JSON_DECIMALS_PERCENT

/* Writing */

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

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);

  return node;
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

  return object_node (object);
}

static JsonNode *
task_record_to_json (const IlTaskRecord *task)
{
  JsonObject *object = json_object_new ();
  JsonArray  *blocks = json_array_new ();
  char        checksum[17];

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
  if (task->spawn_us >= 0)
    json_object_set_int_member (object, "spawn_us", task->spawn_us);
  g_snprintf (checksum, sizeof checksum, "%016" G_GINT64_MODIFIER "x", task->checksum);
  json_object_set_string_member (object, "checksum", checksum);

  if (task->state.valid)
    json_object_set_object_member (object, "state_us", state_to_json (&task->state));
  else
    json_object_set_null_member (object, "state_us");

  for (guint i = 0; task->blocks != NULL && i < task->blocks->len; i++)
    json_array_add_element (blocks,
                            block_record_to_json (&g_array_index (task->blocks, IlBlockRecord, i)));
  json_object_set_array_member (object, "blocks", blocks);

  if (task->failed)
    {
      json_object_set_boolean_member (object, "failed", TRUE);
      set_string_or_null (object, "error", task->error);
    }

  return object_node (object);
}

static JsonNode *
repetition_to_json (const IlRepetition *rep)
{
  JsonObject *object = json_object_new ();
  JsonObject *core_load = json_object_new ();
  JsonArray  *tasks = json_array_new ();
  JsonArray  *cores = json_array_new ();

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

  for (guint i = 0; rep->tasks != NULL && i < rep->tasks->len; i++)
    json_array_add_element (tasks, task_record_to_json (&g_array_index (rep->tasks, IlTaskRecord, i)));
  json_object_set_array_member (object, "tasks", tasks);

  json_object_set_int_member (core_load, "hz", rep->load_hz);
  for (guint c = 0; rep->core_load != NULL && c < rep->core_load->len; c++)
    {
      const GArray *series = g_ptr_array_index (rep->core_load, c);
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
  json_object_set_array_member (core_load, "cores", cores);
  json_object_set_object_member (object, "core_load", core_load);

  if (rep->gil_holds != NULL && rep->gil_holds->len > 0)
    {
      JsonArray *holds = json_array_new ();

      for (guint i = 0; i < rep->gil_holds->len; i++)
        {
          const IlSpan *span = &g_array_index (rep->gil_holds, IlSpan, i);
          JsonArray    *triple = json_array_new ();

          json_array_add_int_element (triple, span->worker);
          json_array_add_int_element (triple, span->start_us);
          json_array_add_int_element (triple, span->end_us);
          json_array_add_array_element (holds, triple);
        }
      json_object_set_array_member (object, "gil_holds", holds);
    }

  if (rep->loop_lag != NULL && rep->loop_lag->len > 0)
    {
      JsonArray *lags = json_array_new ();

      for (guint i = 0; i < rep->loop_lag->len; i++)
        {
          const IlLagSample *sample = &g_array_index (rep->loop_lag, IlLagSample, i);
          JsonArray         *pair = json_array_new ();

          json_array_add_int_element (pair, sample->t_us);
          json_array_add_int_element (pair, sample->lag_us);
          json_array_add_array_element (lags, pair);
        }
      json_object_set_array_member (object, "loop_lag", lags);
    }

  return object_node (object);
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
run_result_to_json (const IlRunResult *run)
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
        json_array_add_element (repetitions, repetition_to_json (rep));
    }
  json_object_set_array_member (object, "repetitions", repetitions);

  return object_node (object);
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
il_results_to_json (const IlResults *results)
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
    json_array_add_element (runs, run_result_to_json (g_ptr_array_index (results->runs, i)));
  json_object_set_array_member (object, "runs", runs);

  return object_node (object);
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

/* Reading */

typedef IlJsonReader Reader;

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_member (object, name);
}

static gboolean
opt_int (Reader           *r,
         JsonObject       *object,
         const IlJsonPath *path,
         const char       *name,
         gint64            min,
         gint64            max,
         gint64           *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, name);

  if (!json_object_has_member (object, name))
    return TRUE;

  return il_json_get_int (r, member (object, name), &p, min, max, out);
}

static gboolean
opt_gint (Reader           *r,
          JsonObject       *object,
          const IlJsonPath *path,
          const char       *name,
          gint64            min,
          gint             *out)
{
  gint64 value = *out;

  if (!opt_int (r, object, path, name, min, G_MAXINT, &value))
    return FALSE;

  *out = (gint) value;

  return TRUE;
}

static gboolean
opt_uint (Reader           *r,
          JsonObject       *object,
          const IlJsonPath *path,
          const char       *name,
          guint            *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, name);

  if (!json_object_has_member (object, name))
    return TRUE;

  return il_json_get_uint (r, member (object, name), &p, 0, G_MAXUINT, out);
}

static gboolean
opt_us (Reader           *r,
        JsonObject       *object,
        const IlJsonPath *path,
        const char       *name,
        gint64           *out)
{
  return opt_int (r, object, path, name, G_MININT64, G_MAXINT64, out);
}

static gboolean
opt_double (Reader           *r,
            JsonObject       *object,
            const IlJsonPath *path,
            const char       *name,
            double           *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, name);

  if (!json_object_has_member (object, name))
    return TRUE;

  return il_json_get_double (r, member (object, name), &p, TRUE, out);
}

static gboolean
opt_bool (Reader           *r,
          JsonObject       *object,
          const IlJsonPath *path,
          const char       *name,
          gboolean         *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, name);

  if (!json_object_has_member (object, name))
    return TRUE;

  return il_json_get_bool (r, member (object, name), &p, out);
}

static gboolean
opt_string (Reader           *r,
            JsonObject       *object,
            const IlJsonPath *path,
            const char       *name,
            char            **out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, name);
  char      *value = NULL;

  if (!json_object_has_member (object, name))
    return TRUE;

  if (!il_json_get_string (r, member (object, name), &p, 0, -1, TRUE, &value))
    return FALSE;

  g_free (*out);
  *out = value;

  return TRUE;
}

static gboolean
get_object (Reader            *r,
            JsonNode          *node,
            const IlJsonPath  *path,
            const char        *what,
            const char *const *allowed,
            JsonObject       **out)
{
  return il_json_get_object (r, node, path, out) &&
         il_json_check_members (r, *out, path, what, allowed, NULL);
}

static gboolean
read_state (Reader           *r,
            JsonNode         *node,
            const IlJsonPath *path,
            IlStateTimes     *state)
{
  static const char *const allowed[] = { "running", "ready", "blocked", "gil_wait", NULL };
  JsonObject              *object;

  memset (state, 0, sizeof *state);

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *got = il_json_describe (r, node, path);

      return il_json_fail (r, path, IL_JSON_AT_VALUE,
                           "expected null or an object { \"running\", \"ready\", \"blocked\" }, got %s",
                           got);
    }

  if (!get_object (r, node, path, "state_us", allowed, &object) ||
      !opt_us (r, object, path, "running", &state->running) ||
      !opt_us (r, object, path, "ready", &state->ready) ||
      !opt_us (r, object, path, "blocked", &state->blocked) ||
      !opt_us (r, object, path, "gil_wait", &state->gil_wait))
    return FALSE;

  state->valid = TRUE;

  return TRUE;
}

static gboolean
read_block_record (Reader           *r,
                   JsonNode         *node,
                   const IlJsonPath *path,
                   IlBlockRecord    *block)
{
  static const char *const allowed[] = { "type", "start_us", "end_us", "ttfb_us", "state_us", NULL };
  static const char *const types[] = { "cpu", "sleep", "http", "file-write", "file-read", NULL };
  IlJsonPath               p_type = IL_JSON_MEMBER (path, "type");
  IlJsonPath               p_state = IL_JSON_MEMBER (path, "state_us");
  JsonObject              *object;
  guint                    type;

  memset (block, 0, sizeof *block);
  block->ttfb_us = -1;

  if (!get_object (r, node, path, "a block record", allowed, &object) ||
      !il_json_require (r, object, path, "type", NULL) ||
      !il_json_get_enum (r, member (object, "type"), &p_type, types, &type) ||
      !opt_us (r, object, path, "start_us", &block->start_us) ||
      !opt_us (r, object, path, "end_us", &block->end_us) ||
      !opt_int (r, object, path, "ttfb_us", -1, G_MAXINT64, &block->ttfb_us))
    return FALSE;

  block->type = type;

  if (json_object_has_member (object, "state_us") &&
      !read_state (r, member (object, "state_us"), &p_state, &block->state))
    return FALSE;

  return TRUE;
}

static gboolean
read_task_record (Reader           *r,
                  JsonNode         *node,
                  const IlJsonPath *path,
                  IlTaskRecord     *task)
{
  static const char *const allowed[] = {
    "group", "index", "worker", "pid", "tid", "cpu_start", "cpu_end",
    "queued_us", "start_us", "end_us", "spawn_us", "checksum", "state_us",
    "blocks", "failed", "error", NULL
  };
  IlJsonPath  p_checksum = IL_JSON_MEMBER (path, "checksum");
  IlJsonPath  p_state = IL_JSON_MEMBER (path, "state_us");
  IlJsonPath  p_blocks = IL_JSON_MEMBER (path, "blocks");
  JsonObject *object;

  task->blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
  task->cpu_start = -1;
  task->cpu_end = -1;
  task->spawn_us = -1;

  if (!get_object (r, node, path, "a task record", allowed, &object) ||
      !opt_uint (r, object, path, "group", &task->group) ||
      !opt_uint (r, object, path, "index", &task->index) ||
      !opt_gint (r, object, path, "worker", G_MININT, &task->worker) ||
      !opt_gint (r, object, path, "pid", G_MININT, &task->pid) ||
      !opt_gint (r, object, path, "tid", G_MININT, &task->tid) ||
      !opt_gint (r, object, path, "cpu_start", -1, &task->cpu_start) ||
      !opt_gint (r, object, path, "cpu_end", -1, &task->cpu_end) ||
      !opt_us (r, object, path, "queued_us", &task->queued_us) ||
      !opt_us (r, object, path, "start_us", &task->start_us) ||
      !opt_us (r, object, path, "end_us", &task->end_us) ||
      !opt_int (r, object, path, "spawn_us", -1, G_MAXINT64, &task->spawn_us) ||
      !opt_bool (r, object, path, "failed", &task->failed) ||
      !opt_string (r, object, path, "error", &task->error))
    return FALSE;

  if (json_object_has_member (object, "checksum"))
    {
      g_autofree char *hex = NULL;
      char            *end = NULL;

      if (!il_json_get_string (r, member (object, "checksum"), &p_checksum, 1, 16, FALSE, &hex))
        return FALSE;

      task->checksum = g_ascii_strtoull (hex, &end, 16);
      if (end == NULL || *end != '\0' || !g_ascii_isxdigit (hex[0]))
        return il_json_fail (r, &p_checksum, IL_JSON_AT_VALUE,
                             "expected up to 16 hexadecimal digits, got the string \"%s\"", hex);
    }

  if (json_object_has_member (object, "state_us") &&
      !read_state (r, member (object, "state_us"), &p_state, &task->state))
    return FALSE;

  if (json_object_has_member (object, "blocks"))
    {
      JsonArray *array;

      if (!il_json_get_array (r, member (object, "blocks"), &p_blocks, &array))
        return FALSE;

      g_array_set_size (task->blocks, json_array_get_length (array));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          IlJsonPath p_block = IL_JSON_INDEX (&p_blocks, i);

          if (!read_block_record (r, json_array_get_element (array, i), &p_block,
                                  &g_array_index (task->blocks, IlBlockRecord, i)))
            return FALSE;
        }
    }

  return TRUE;
}

/* [[a, b, c], …]: arrays of exactly @n integers. */
static gboolean
read_tuples (Reader           *r,
             JsonNode         *node,
             const IlJsonPath *path,
             guint             n,
             const char       *shape,
             GArray          **out_rows)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (gint64) * n);
  JsonArray *array;

  if (!il_json_get_array (r, node, path, &array))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath p_row = IL_JSON_INDEX (path, i);
      JsonNode  *element = json_array_get_element (array, i);
      gint64     values[3] = { 0 };
      JsonArray *tuple;

      g_assert (n <= G_N_ELEMENTS (values));

      if (!JSON_NODE_HOLDS_ARRAY (element) ||
          json_array_get_length (tuple = json_node_get_array (element)) != n)
        {
          g_autofree char *got = il_json_describe (r, element, &p_row);

          return il_json_fail (r, &p_row, IL_JSON_AT_VALUE, "expected %s, got %s", shape, got);
        }

      for (guint j = 0; j < n; j++)
        {
          IlJsonPath p_value = IL_JSON_INDEX (&p_row, j);

          if (!il_json_get_int (r, json_array_get_element (tuple, j), &p_value,
                                G_MININT64, G_MAXINT64, &values[j]))
            return FALSE;
        }

      g_array_append_vals (rows, values, 1);
    }

  *out_rows = g_steal_pointer (&rows);

  return TRUE;
}

static gboolean
read_core_load (Reader           *r,
                JsonNode         *node,
                const IlJsonPath *path,
                IlRepetition     *rep)
{
  static const char *const allowed[] = { "hz", "cores", NULL };
  IlJsonPath               p_cores = IL_JSON_MEMBER (path, "cores");
  JsonObject              *object;
  JsonArray               *cores;

  if (!get_object (r, node, path, "core_load", allowed, &object) ||
      !opt_uint (r, object, path, "hz", &rep->load_hz))
    return FALSE;

  if (!json_object_has_member (object, "cores"))
    return TRUE;

  if (!il_json_get_array (r, member (object, "cores"), &p_cores, &cores))
    return FALSE;

  for (guint c = 0; c < json_array_get_length (cores); c++)
    {
      IlJsonPath p_core = IL_JSON_INDEX (&p_cores, c);
      GArray    *series;
      JsonArray *row;

      if (!il_json_get_array (r, json_array_get_element (cores, c), &p_core, &row))
        return FALSE;

      series = g_array_sized_new (FALSE, FALSE, sizeof (float), json_array_get_length (row));
      g_ptr_array_add (rep->core_load, series);

      for (guint i = 0; i < json_array_get_length (row); i++)
        {
          IlJsonPath p_sample = IL_JSON_INDEX (&p_core, i);
          double     value;
          float      sample;

          if (!il_json_get_double (r, json_array_get_element (row, i), &p_sample, TRUE, &value))
            return FALSE;
          sample = (float) value;
          g_array_append_val (series, sample);
        }
    }

  return TRUE;
}

static IlRepetition *
read_repetition (Reader           *r,
                 JsonNode         *node,
                 const IlJsonPath *path)
{
  static const char *const allowed[] = {
    "makespan_ms", "checksum", "failed_tasks", "cancelled", "cpu_user_ms", "cpu_sys_ms",
    "ctx_voluntary", "ctx_involuntary", "overhead_cpu_ms", "tasks", "core_load",
    "gil_holds", "loop_lag", NULL
  };
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  IlJsonPath  p_tasks = IL_JSON_MEMBER (path, "tasks");
  IlJsonPath  p_core_load = IL_JSON_MEMBER (path, "core_load");
  IlJsonPath  p_holds = IL_JSON_MEMBER (path, "gil_holds");
  IlJsonPath  p_lag = IL_JSON_MEMBER (path, "loop_lag");
  JsonObject *object;

  if (!get_object (r, node, path, "a repetition", allowed, &object) ||
      !opt_double (r, object, path, "makespan_ms", &rep->makespan_ms) ||
      !opt_string (r, object, path, "checksum", &rep->checksum) ||
      !opt_uint (r, object, path, "failed_tasks", &rep->failed_tasks) ||
      !opt_bool (r, object, path, "cancelled", &rep->cancelled) ||
      !opt_double (r, object, path, "cpu_user_ms", &rep->cpu_user_ms) ||
      !opt_double (r, object, path, "cpu_sys_ms", &rep->cpu_sys_ms) ||
      !opt_int (r, object, path, "ctx_voluntary", 0, G_MAXINT64, &rep->ctx_voluntary) ||
      !opt_int (r, object, path, "ctx_involuntary", 0, G_MAXINT64, &rep->ctx_involuntary) ||
      !opt_double (r, object, path, "overhead_cpu_ms", &rep->overhead_cpu_ms))
    return NULL;

  if (json_object_has_member (object, "tasks"))
    {
      JsonArray *array;

      if (!il_json_get_array (r, member (object, "tasks"), &p_tasks, &array))
        return NULL;

      g_array_set_size (rep->tasks, json_array_get_length (array));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          IlJsonPath p_task = IL_JSON_INDEX (&p_tasks, i);

          if (!read_task_record (r, json_array_get_element (array, i), &p_task,
                                 &g_array_index (rep->tasks, IlTaskRecord, i)))
            return NULL;
        }
    }

  if (json_object_has_member (object, "core_load") &&
      !read_core_load (r, member (object, "core_load"), &p_core_load, rep))
    return NULL;

  if (json_object_has_member (object, "gil_holds"))
    {
      g_autoptr(GArray) rows = NULL;

      if (!read_tuples (r, member (object, "gil_holds"), &p_holds, 3,
                        "[worker, start_us, end_us]", &rows))
        return NULL;

      for (guint i = 0; i < rows->len; i++)
        {
          const gint64 *row = (const gint64 *) (rows->data + i * 3 * sizeof (gint64));
          IlSpan        span = { (gint) row[0], row[1], row[2] };

          g_array_append_val (rep->gil_holds, span);
        }
    }

  if (json_object_has_member (object, "loop_lag"))
    {
      g_autoptr(GArray) rows = NULL;

      if (!read_tuples (r, member (object, "loop_lag"), &p_lag, 2, "[t_us, lag_us]", &rows))
        return NULL;

      for (guint i = 0; i < rows->len; i++)
        {
          const gint64 *row = (const gint64 *) (rows->data + i * 2 * sizeof (gint64));
          IlLagSample   sample = { row[0], row[1] };

          g_array_append_val (rep->loop_lag, sample);
        }
    }

  return g_steal_pointer (&rep);
}

static gboolean
read_stats (Reader           *r,
            JsonNode         *node,
            const IlJsonPath *path,
            IlStats          *stats)
{
  static const char *const allowed[] = { "median", "min", "max", "mean", "stddev", NULL };
  JsonObject              *object;

  return get_object (r, node, path, "makespan_ms", allowed, &object) &&
         opt_double (r, object, path, "median", &stats->median) &&
         opt_double (r, object, path, "min", &stats->min) &&
         opt_double (r, object, path, "max", &stats->max) &&
         opt_double (r, object, path, "mean", &stats->mean) &&
         opt_double (r, object, path, "stddev", &stats->stddev);
}

static gboolean
read_summary (Reader           *r,
              JsonNode         *node,
              const IlJsonPath *path,
              IlSummary        *summary)
{
  static const char *const allowed[] = {
    "makespan_ms", "speedup", "efficiency", "throughput_per_s", "latency_ms",
    "cpu_user_ms", "cpu_sys_ms", "ctx_voluntary", "ctx_involuntary", "checksum",
    "overhead_cpu_ms", "failed_tasks", NULL
  };
  static const char *const latency_allowed[] = { "mean", "p50", "p95", NULL };
  IlJsonPath               p_makespan = IL_JSON_MEMBER (path, "makespan_ms");
  IlJsonPath               p_latency = IL_JSON_MEMBER (path, "latency_ms");
  JsonObject              *object;

  if (!get_object (r, node, path, "a summary", allowed, &object))
    return FALSE;

  if (json_object_has_member (object, "makespan_ms") &&
      !read_stats (r, member (object, "makespan_ms"), &p_makespan, &summary->makespan_ms))
    return FALSE;

  if (json_object_has_member (object, "latency_ms"))
    {
      JsonObject *latency;

      if (!get_object (r, member (object, "latency_ms"), &p_latency, "latency_ms",
                       latency_allowed, &latency) ||
          !opt_double (r, latency, &p_latency, "mean", &summary->latency_mean_ms) ||
          !opt_double (r, latency, &p_latency, "p50", &summary->latency_p50_ms) ||
          !opt_double (r, latency, &p_latency, "p95", &summary->latency_p95_ms))
        return FALSE;
    }

  return opt_double (r, object, path, "speedup", &summary->speedup) &&
         opt_double (r, object, path, "efficiency", &summary->efficiency) &&
         opt_double (r, object, path, "throughput_per_s", &summary->throughput_per_s) &&
         opt_double (r, object, path, "cpu_user_ms", &summary->cpu_user_ms) &&
         opt_double (r, object, path, "cpu_sys_ms", &summary->cpu_sys_ms) &&
         opt_int (r, object, path, "ctx_voluntary", 0, G_MAXINT64, &summary->ctx_voluntary) &&
         opt_int (r, object, path, "ctx_involuntary", 0, G_MAXINT64, &summary->ctx_involuntary) &&
         opt_string (r, object, path, "checksum", &summary->checksum) &&
         opt_double (r, object, path, "overhead_cpu_ms", &summary->overhead_cpu_ms) &&
         opt_uint (r, object, path, "failed_tasks", &summary->failed_tasks);
}

static IlRunResult *
read_run_result (Reader           *r,
                 JsonNode         *node,
                 const IlJsonPath *path)
{
  static const char *const allowed[] = {
    "label", "executor", "workers", "gil", "switch_interval_ms", "spawn",
    "cpu_slice_units", "config_index", "summary", "repetitions", "engine", "python", NULL
  };
  static const char *const executors[] = { "sequential", "threads", "processes", "async", NULL };
  static const char *const spawns[] = { "pool", "per-task", NULL };
  g_autoptr(IlRunResult) run = il_run_result_new ();
  IlJsonPath  p_executor = IL_JSON_MEMBER (path, "executor");
  IlJsonPath  p_spawn = IL_JSON_MEMBER (path, "spawn");
  IlJsonPath  p_summary = IL_JSON_MEMBER (path, "summary");
  IlJsonPath  p_repetitions = IL_JSON_MEMBER (path, "repetitions");
  JsonObject *object;
  guint       executor;

  if (!get_object (r, node, path, "a run", allowed, &object) ||
      !opt_string (r, object, path, "label", &run->label) ||
      !il_json_require (r, object, path, "executor", NULL) ||
      !il_json_get_enum (r, member (object, "executor"), &p_executor, executors, &executor) ||
      !opt_uint (r, object, path, "workers", &run->workers) ||
      !opt_bool (r, object, path, "gil", &run->gil) ||
      !opt_uint (r, object, path, "switch_interval_ms", &run->switch_interval_ms) ||
      !opt_uint (r, object, path, "cpu_slice_units", &run->cpu_slice_units) ||
      !opt_uint (r, object, path, "config_index", &run->config_index))
    return NULL;

  run->executor = executor;

  if (json_object_has_member (object, "engine"))
    {
      static const char *const engines[] = { "native", "cpython", NULL };
      IlJsonPath               p_engine = IL_JSON_MEMBER (path, "engine");
      guint                    engine;

      if (!il_json_get_enum (r, member (object, "engine"), &p_engine, engines, &engine) ||
          !opt_string (r, object, path, "python", &run->python_version))
        return NULL;
      run->engine = engine;
    }

  if (json_object_has_member (object, "spawn"))
    {
      guint spawn;

      if (!il_json_get_enum (r, member (object, "spawn"), &p_spawn, spawns, &spawn))
        return NULL;
      run->spawn = spawn;
    }

  if (json_object_has_member (object, "summary") &&
      !read_summary (r, member (object, "summary"), &p_summary, &run->summary))
    return NULL;

  if (json_object_has_member (object, "repetitions"))
    {
      JsonArray *array;

      if (!il_json_get_array (r, member (object, "repetitions"), &p_repetitions, &array))
        return NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          IlJsonPath    p_rep = IL_JSON_INDEX (&p_repetitions, i);
          IlRepetition *rep = read_repetition (r, json_array_get_element (array, i), &p_rep);

          if (rep == NULL)
            return NULL;
          g_ptr_array_add (run->repetitions, rep);
        }
    }

  return g_steal_pointer (&run);
}

static gboolean
read_machine (Reader           *r,
              JsonNode         *node,
              const IlJsonPath *path,
              IlMachine        *machine)
{
  static const char *const allowed[] = {
    "cpu_model", "cores", "mhz", "governor", "loadavg", "kernel", "os",
    "interleave_version", "date", NULL
  };
  JsonObject *object;

  return get_object (r, node, path, "machine", allowed, &object) &&
         opt_string (r, object, path, "cpu_model", &machine->cpu_model) &&
         opt_uint (r, object, path, "cores", &machine->cores) &&
         opt_double (r, object, path, "mhz", &machine->mhz) &&
         opt_string (r, object, path, "governor", &machine->governor) &&
         opt_double (r, object, path, "loadavg", &machine->loadavg) &&
         opt_string (r, object, path, "kernel", &machine->kernel) &&
         opt_string (r, object, path, "os", &machine->os) &&
         opt_string (r, object, path, "interleave_version", &machine->interleave_version) &&
         opt_string (r, object, path, "date", &machine->date);
}

IlResults *
il_results_read (IlJsonReader     *r,
                 JsonNode         *node,
                 const IlJsonPath *path)
{
  static const char *const allowed[] = {
    "interleave_results", "experiment", "machine", "warnings", "runs", NULL
  };
  g_autoptr(IlResults) results = il_results_new ();
  IlJsonPath  p_version = IL_JSON_MEMBER (path, "interleave_results");
  IlJsonPath  p_machine = IL_JSON_MEMBER (path, "machine");
  IlJsonPath  p_warnings = IL_JSON_MEMBER (path, "warnings");
  IlJsonPath  p_runs = IL_JSON_MEMBER (path, "runs");
  JsonObject *object;
  JsonArray  *array;
  gint64      version;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_require (r, object, path, "interleave_results",
                        "a results document starts with { \"interleave_results\": 1, … }") ||
      !il_json_get_int (r, member (object, "interleave_results"), &p_version,
                        IL_RESULTS_VERSION, IL_RESULTS_VERSION, &version) ||
      !il_json_check_members (r, object, path, "a results document", allowed, NULL) ||
      !opt_string (r, object, path, "experiment", &results->experiment))
    return NULL;

  if (json_object_has_member (object, "machine") &&
      !read_machine (r, member (object, "machine"), &p_machine, &results->machine))
    return NULL;

  if (json_object_has_member (object, "warnings"))
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      if (!il_json_get_array (r, member (object, "warnings"), &p_warnings, &array))
        return NULL;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          IlJsonPath       p_warning = IL_JSON_INDEX (&p_warnings, i);
          g_autofree char *warning = NULL;

          if (!il_json_get_string (r, json_array_get_element (array, i), &p_warning,
                                   0, -1, FALSE, &warning))
            return NULL;
          g_strv_builder_add (builder, warning);
        }

      g_strfreev (results->warnings);
      results->warnings = g_strv_builder_end (builder);
    }

  if (!il_json_require (r, object, path, "runs", NULL) ||
      !il_json_get_array (r, member (object, "runs"), &p_runs, &array))
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath   p_run = IL_JSON_INDEX (&p_runs, i);
      IlRunResult *run = read_run_result (r, json_array_get_element (array, i), &p_run);

      if (run == NULL)
        return NULL;
      g_ptr_array_add (results->runs, run);
    }

  return g_steal_pointer (&results);
}

IlResults *
il_results_from_json (JsonNode   *node,
                      const char *path,
                      GError    **error)
{
  IlJsonReader      r = { 0 };
  IlJsonPath        root = IL_JSON_MEMBER (NULL, path);
  const IlJsonPath *base = NULL;
  IlResults        *results;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* "" and "$" both mean the document's root: no prefix in messages. */
  if (path != NULL && path[0] != '\0' && !g_str_equal (path, "$"))
    base = &root;

  results = il_results_read (&r, node, base);
  if (results == NULL)
    g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, r.message);

  il_json_reader_clear (&r);

  return results;
}
