/* il-results-read.c — the results document (docs/results-format.md), read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads what il-results-write.c writes, on its own (il_results_from_json)
 * or inside an experiment file's "results" (il_results_read).  The reader
 * is as strict as the experiment reader: unknown fields and wrong types are
 * errors naming their JSON path.
 */

#include <string.h>

#include "il-results-read-private.h"

typedef struct
{
  guint       n;
  const char *shape;
  GArray     *rows;
} Tuples;

/* [a, b, c]: an array of exactly tuples->n integers, appended to the rows. */
static gboolean
read_tuple (Reader           *r,
            JsonNode         *element,
            const IlJsonPath *p_row,
            gpointer          data)
{
  Tuples    *tuples = data;
  gint64     values[3] = { 0 };
  JsonArray *tuple;

  g_assert (tuples->n <= G_N_ELEMENTS (values));

  if (!JSON_NODE_HOLDS_ARRAY (element) ||
      json_array_get_length (tuple = json_node_get_array (element)) != tuples->n)
    {
      g_autofree char *got = il_json_describe (r, element, p_row);

      return il_json_fail (r, p_row, IL_JSON_AT_VALUE, "expected %s, got %s", tuples->shape, got);
    }

  for (guint j = 0; j < tuples->n; j++)
    {
      IlJsonPath p_value = IL_JSON_INDEX (p_row, j);

      if (!il_json_get_int (r, json_array_get_element (tuple, j), &p_value,
                            G_MININT64, G_MAXINT64, &values[j]))
        return FALSE;
    }

  g_array_append_vals (tuples->rows, values, 1);
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
  Tuples                tuples = { n, shape, rows };
  const IlJsonStreamed *streamed;
  JsonArray            *array;

  if (!il_json_get_array (r, node, path, &array))
    return FALSE;

  streamed = il_json_streamed_at (r, path);
  if (streamed != NULL)
    {
      /* Room for them all at once. */
      g_array_set_size (rows, streamed->n);
      g_array_set_size (rows, 0);
      if (!il_json_read_streamed (r, path, streamed, read_tuple, &tuples))
        return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath p_row = IL_JSON_INDEX (path, i);

      if (!read_tuple (r, json_array_get_element (array, i), &p_row, &tuples))
        return FALSE;
    }

  *out_rows = g_steal_pointer (&rows);

  return TRUE;
}

/* A `core_load` object, or (@host not NULL) an entry of `host_load`. */
static gboolean
read_load (Reader           *r,
           JsonNode         *node,
           const IlJsonPath *path,
           guint            *hz,
           GPtrArray        *series_per_core,
           char            **host)
{
  static const char *const allowed[] = { "hz", "cores", NULL };
  static const char *const host_allowed[] = { "host", "hz", "cores", NULL };
  IlJsonPath               p_cores = IL_JSON_MEMBER (path, "cores");
  JsonObject              *object;
  JsonArray               *cores;

  if (!get_object (r, node, path, host != NULL ? "a host_load entry" : "core_load",
                   host != NULL ? host_allowed : allowed, &object) ||
      !il_json_opt_uint (r, object, path, "hz", 0, G_MAXUINT, hz))
    return FALSE;
  if (host != NULL &&
      (!il_json_require (r, object, path, "host", NULL) || !opt_string (r, object, path, "host", host)))
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
      g_ptr_array_add (series_per_core, series);

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

/* A repetition's `counter` record; lost must be expected − final. */
static gboolean
read_counter (Reader           *r,
              JsonNode         *node,
              const IlJsonPath *path,
              IlRepetition     *rep)
{
  static const char *const allowed[] = { "expected", "final", "lost", "per_worker", NULL };
  IlJsonPath               p_lost = IL_JSON_MEMBER (path, "lost");
  IlJsonPath               p_per_worker = IL_JSON_MEMBER (path, "per_worker");
  JsonObject              *object;
  gint64                   lost = 0;

  if (!get_object (r, node, path, "a counter record", allowed, &object) ||
      !il_json_require (r, object, path, "expected", NULL) ||
      !il_json_require (r, object, path, "final", NULL) ||
      !il_json_require (r, object, path, "lost", NULL) ||
      !il_json_opt_int (r, object, path, "expected", 0, G_MAXINT64 / 2, &rep->counter_expected) ||
      !il_json_opt_int (r, object, path, "final", 0, G_MAXINT64 / 2, &rep->counter_final) ||
      !il_json_opt_int (r, object, path, "lost", -(G_MAXINT64 / 2), G_MAXINT64 / 2, &lost))
    return FALSE;
  if (lost != rep->counter_expected - rep->counter_final)
    return il_json_fail (r, &p_lost, IL_JSON_AT_VALUE,
                         "expected expected − final (%" G_GINT64_FORMAT "), got %" G_GINT64_FORMAT,
                         rep->counter_expected - rep->counter_final, lost);
  rep->has_counter = TRUE;

  if (json_object_has_member (object, "per_worker"))
    {
      JsonArray *array;

      if (!il_json_get_array (r, member (object, "per_worker"), &p_per_worker, &array))
        return FALSE;
      if (json_array_get_length (array) > IL_MAX_WORKERS)
        return il_json_fail (r, &p_per_worker, IL_JSON_AT_VALUE,
                             "expected at most %d counts, one per worker", IL_MAX_WORKERS);
      rep->counter_per_worker = g_array_new (FALSE, TRUE, sizeof (gint64));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          IlJsonPath p_item = IL_JSON_INDEX (&p_per_worker, i);
          gint64     count;

          if (!il_json_get_int (r, json_array_get_element (array, i), &p_item, 0,
                                G_MAXINT64 / 2, &count))
            return FALSE;
          g_array_append_val (rep->counter_per_worker, count);
        }
    }
  return TRUE;
}

/* A repetition's `yield` record; us_per_switch is derived (cpu_us ÷
 * switches) and only checked for its type. */
static gboolean
read_yield (Reader           *r,
            JsonNode         *node,
            const IlJsonPath *path,
            IlRepetition     *rep)
{
  static const char *const allowed[] = {
    "yields", "voluntary", "involuntary", "cpu_us", "us_per_switch", NULL
  };
  IlJsonPath  p_per_switch = IL_JSON_MEMBER (path, "us_per_switch");
  JsonObject *object;
  JsonNode   *per_switch;
  double      ignored;

  if (!get_object (r, node, path, "a yield record", allowed, &object) ||
      !il_json_require (r, object, path, "yields", NULL) ||
      !il_json_require (r, object, path, "voluntary", NULL) ||
      !il_json_require (r, object, path, "involuntary", NULL) ||
      !il_json_require (r, object, path, "cpu_us", NULL) ||
      !il_json_opt_int (r, object, path, "yields", 0, G_MAXINT64 / 2, &rep->yield.yields) ||
      !il_json_opt_int (r, object, path, "voluntary", 0, G_MAXINT64 / 2, &rep->yield.voluntary) ||
      !il_json_opt_int (r, object, path, "involuntary", 0, G_MAXINT64 / 2, &rep->yield.involuntary) ||
      !il_json_opt_int (r, object, path, "cpu_us", 0, G_MAXINT64 / 2, &rep->yield.cpu_us))
    return FALSE;
  per_switch = json_object_get_member (object, "us_per_switch");
  if (per_switch != NULL && !il_json_get_double (r, per_switch, &p_per_switch, TRUE, &ignored))
    return FALSE;
  rep->has_yield = TRUE;
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
    "gil_holds", "loop_lag", "counter", "yield", "host_load", NULL
  };
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  IlJsonPath  p_tasks = IL_JSON_MEMBER (path, "tasks");
  IlJsonPath  p_core_load = IL_JSON_MEMBER (path, "core_load");
  IlJsonPath  p_holds = IL_JSON_MEMBER (path, "gil_holds");
  IlJsonPath  p_lag = IL_JSON_MEMBER (path, "loop_lag");
  IlJsonPath  p_counter = IL_JSON_MEMBER (path, "counter");
  IlJsonPath  p_yield = IL_JSON_MEMBER (path, "yield");
  JsonObject *object;

  if (!get_object (r, node, path, "a repetition", allowed, &object) ||
      !il_json_opt_double (r, object, path, "makespan_ms", &rep->makespan_ms) ||
      !opt_string (r, object, path, "checksum", &rep->checksum) ||
      !il_json_opt_uint (r, object, path, "failed_tasks", 0, G_MAXUINT, &rep->failed_tasks) ||
      !il_json_opt_bool (r, object, path, "cancelled", &rep->cancelled) ||
      !il_json_opt_double (r, object, path, "cpu_user_ms", &rep->cpu_user_ms) ||
      !il_json_opt_double (r, object, path, "cpu_sys_ms", &rep->cpu_sys_ms) ||
      !il_json_opt_int (r, object, path, "ctx_voluntary", 0, G_MAXINT64, &rep->ctx_voluntary) ||
      !il_json_opt_int (r, object, path, "ctx_involuntary", 0, G_MAXINT64, &rep->ctx_involuntary) ||
      !il_json_opt_double (r, object, path, "overhead_cpu_ms", &rep->overhead_cpu_ms))
    return NULL;

  if (json_object_has_member (object, "tasks"))
    {
      const IlJsonStreamed *streamed;
      JsonArray            *array;

      if (!il_json_get_array (r, member (object, "tasks"), &p_tasks, &array))
        return NULL;
      /* A big array the scan left out of the tree: its elements, a few at
       * a time, straight into the records. */
      streamed = il_json_streamed_at (r, &p_tasks);
      if (streamed != NULL)
        {
          g_array_set_size (rep->tasks, streamed->n);
          if (!il_json_read_streamed (r, &p_tasks, streamed, il_results_read_task_element, rep->tasks))
            return NULL;
        }
      else if (!il_json_read_structs (r, array, &p_tasks, (IlJsonReadInto) il_results_read_task_record,
                                      rep->tasks))
        return NULL;
    }

  if (json_object_has_member (object, "core_load") &&
      !read_load (r, member (object, "core_load"), &p_core_load, &rep->load_hz, rep->core_load, NULL))
    return NULL;
  if (json_object_has_member (object, "host_load"))
    {
      IlJsonPath p_hosts = IL_JSON_MEMBER (path, "host_load");
      JsonArray *hosts;

      if (!il_json_get_array (r, member (object, "host_load"), &p_hosts, &hosts))
        return NULL;
      for (guint i = 0; i < json_array_get_length (hosts); i++)
        {
          IlJsonPath  p_host = IL_JSON_INDEX (&p_hosts, i);
          IlHostLoad *load = il_host_load_new (NULL, 0);

          g_ptr_array_add (rep->host_load, load);
          if (!read_load (r, json_array_get_element (hosts, i), &p_host, &load->hz, load->cores, &load->host))
            return NULL;
        }
    }
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

  if (json_object_has_member (object, "counter") &&
      !read_counter (r, member (object, "counter"), &p_counter, rep))
    return NULL;

  if (json_object_has_member (object, "yield") &&
      !read_yield (r, member (object, "yield"), &p_yield, rep))
    return NULL;

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
         il_json_opt_double (r, object, path, "median", &stats->median) &&
         il_json_opt_double (r, object, path, "min", &stats->min) &&
         il_json_opt_double (r, object, path, "max", &stats->max) &&
         il_json_opt_double (r, object, path, "mean", &stats->mean) &&
         il_json_opt_double (r, object, path, "stddev", &stats->stddev);
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
          !il_json_opt_double (r, latency, &p_latency, "mean", &summary->latency_mean_ms) ||
          !il_json_opt_double (r, latency, &p_latency, "p50", &summary->latency_p50_ms) ||
          !il_json_opt_double (r, latency, &p_latency, "p95", &summary->latency_p95_ms))
        return FALSE;
    }

  return il_json_opt_double (r, object, path, "speedup", &summary->speedup) &&
         il_json_opt_double (r, object, path, "efficiency", &summary->efficiency) &&
         il_json_opt_double (r, object, path, "throughput_per_s", &summary->throughput_per_s) &&
         il_json_opt_double (r, object, path, "cpu_user_ms", &summary->cpu_user_ms) &&
         il_json_opt_double (r, object, path, "cpu_sys_ms", &summary->cpu_sys_ms) &&
         il_json_opt_int (r, object, path, "ctx_voluntary", 0, G_MAXINT64, &summary->ctx_voluntary) &&
         il_json_opt_int (r, object, path, "ctx_involuntary", 0, G_MAXINT64, &summary->ctx_involuntary) &&
         opt_string (r, object, path, "checksum", &summary->checksum) &&
         il_json_opt_double (r, object, path, "overhead_cpu_ms", &summary->overhead_cpu_ms) &&
         il_json_opt_uint (r, object, path, "failed_tasks", 0, G_MAXUINT, &summary->failed_tasks);
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
  static const char *const executors[] = { "sequential", "threads", "processes", "async", "mpi", NULL };
  static const char *const spawns[] = { "pool", "per-task", NULL };
  g_autoptr(IlRunResult) run = il_run_result_new ();
  IlJsonPath  p_executor = IL_JSON_MEMBER (path, "executor");
  IlJsonPath  p_summary = IL_JSON_MEMBER (path, "summary");
  IlJsonPath  p_repetitions = IL_JSON_MEMBER (path, "repetitions");
  JsonObject *object;
  guint       executor;

  if (!get_object (r, node, path, "a run", allowed, &object) ||
      !opt_string (r, object, path, "label", &run->label) ||
      !il_json_require (r, object, path, "executor", NULL) ||
      !il_json_get_enum (r, member (object, "executor"), &p_executor, executors, &executor) ||
      !il_json_opt_uint (r, object, path, "workers", 0, G_MAXUINT, &run->workers) ||
      !il_json_opt_bool (r, object, path, "gil", &run->gil) ||
      !il_json_opt_uint (r, object, path, "switch_interval_ms", 0, G_MAXUINT, &run->switch_interval_ms) ||
      !il_json_opt_uint (r, object, path, "cpu_slice_units", 0, G_MAXUINT, &run->cpu_slice_units) ||
      !il_json_opt_uint (r, object, path, "config_index", 0, G_MAXUINT, &run->config_index))
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

  {
    guint spawn = run->spawn;

    if (!il_json_opt_enum (r, object, path, "spawn", spawns, &spawn))
      return NULL;
    run->spawn = spawn;
  }

  if (json_object_has_member (object, "summary") &&
      !read_summary (r, member (object, "summary"), &p_summary, &run->summary))
    return NULL;

  if (json_object_has_member (object, "repetitions"))
    {
      JsonArray *array;

      if (!il_json_get_array (r, member (object, "repetitions"), &p_repetitions, &array) ||
          !il_json_read_objects (r, array, &p_repetitions, (IlJsonReadNew) read_repetition,
                                 run->repetitions))
        return NULL;
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
         il_json_opt_uint (r, object, path, "cores", 0, G_MAXUINT, &machine->cores) &&
         il_json_opt_double (r, object, path, "mhz", &machine->mhz) &&
         opt_string (r, object, path, "governor", &machine->governor) &&
         il_json_opt_double (r, object, path, "loadavg", &machine->loadavg) &&
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
      char **warnings;

      if (!il_json_get_array (r, member (object, "warnings"), &p_warnings, &array) ||
          !il_json_read_strings (r, array, &p_warnings, 0, IL_RESULTS_MAX_TEXT_CHARS, &warnings))
        return NULL;

      g_strfreev (results->warnings);
      results->warnings = warnings;
    }

  if (!il_json_require (r, object, path, "runs", NULL) ||
      !il_json_get_array (r, member (object, "runs"), &p_runs, &array) ||
      !il_json_read_objects (r, array, &p_runs, (IlJsonReadNew) read_run_result, results->runs))
    return NULL;

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
