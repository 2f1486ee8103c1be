/* il-export.c — CSV and Chrome trace-event exports of results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <glib/gi18n.h>

#include "il-atomic-file.h"
#include "il-export.h"

/* The GIL lane's thread id: far above any worker lane. */
#define GIL_TID 1000000

static char *
group_name (const IlExperiment *experiment,
            guint               group)
{
  if (experiment != NULL && group < experiment->tasks->len)
    return il_task_group_display_name (g_ptr_array_index (experiment->tasks, group), group);
  return g_strdup_printf ("task %u", group + 1);
}

/* ---------------------------------------------------------------- */
/* CSV                                                               */

static void
csv_field (GString    *line,
           const char *value)
{
  if (line->len > 0)
    g_string_append_c (line, ',');
  if (value == NULL)
    return;
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static void
csv_int (GString *line,
         gint64   value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  csv_field (line, buf);
}

static gboolean
csv_write_line (GOutputStream *out,
                GString       *line,
                GError       **error)
{
  g_string_append (line, "\r\n");
  if (!g_output_stream_write_all (out, line->str, line->len, NULL, NULL, error))
    return FALSE;
  g_string_truncate (line, 0);
  return TRUE;
}

gboolean
il_export_csv (const IlResults    *results,
               const IlExperiment *experiment,
               GOutputStream      *out,
               GError            **error)
{
  static const char *const header[] = {
    "run",
    "label",
    "repetition",
    "group",
    "group_name",
    "index",
    "worker",
    "pid",
    "tid",
    "cpu_start",
    "cpu_end",
    "queued_us",
    "start_us",
    "end_us",
    "running_us",
    "ready_us",
    "blocked_us",
    "gil_wait_us",
    "lock_wait_us",
    "failed",
    "error",
  };
  g_autoptr(GString) line = g_string_sized_new (256);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    csv_field (line, header[i]);
  if (!csv_write_line (out, line, error))
    return FALSE;

  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, r);

      for (guint k = 0; k < run->repetitions->len; k++)
        {
          const IlRepetition *rep = g_ptr_array_index (run->repetitions, k);

          for (guint t = 0; t < rep->tasks->len; t++)
            {
              const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

              while (names->len <= rec->group)
                g_ptr_array_add (names, group_name (experiment, names->len));

              csv_int (line, r);
              csv_field (line, run->label);
              csv_int (line, k);
              csv_int (line, rec->group);
              csv_field (line, g_ptr_array_index (names, rec->group));
              csv_int (line, rec->index);
              csv_int (line, rec->worker);
              csv_int (line, rec->pid);
              csv_int (line, rec->tid);
              csv_int (line, rec->cpu_start);
              csv_int (line, rec->cpu_end);
              csv_int (line, rec->queued_us);
              csv_int (line, rec->start_us);
              csv_int (line, rec->end_us);
              if (il_task_record_state (rec).valid)
                {
                  csv_int (line, il_task_record_state (rec).running);
                  csv_int (line, il_task_record_state (rec).ready);
                  csv_int (line, il_task_record_state (rec).blocked);
                  csv_int (line, il_task_record_state (rec).gil_wait);
                  csv_int (line, il_task_record_state (rec).lock_wait);
                }
              else
                {
                  for (guint i = 0; i < 5; i++)
                    csv_field (line, "");
                }
              csv_int (line, rec->failed ? 1 : 0);
              csv_field (line, rec->failed && il_task_record_error (rec) != NULL ? il_task_record_error (rec) : "");
              if (!csv_write_line (out, line, error))
                return FALSE;
            }
        }
    }
  return TRUE;
}

/* ---------------------------------------------------------------- */
/* Trace                                                             */

static void
begin_event (JsonBuilder *b,
             const char  *name,
             const char  *cat,
             const char  *ph,
             gint         pid,
             gint         tid,
             gint64       ts)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  if (cat != NULL)
    {
      json_builder_set_member_name (b, "cat");
      json_builder_add_string_value (b, cat);
    }
  json_builder_set_member_name (b, "ph");
  json_builder_add_string_value (b, ph);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, pid);
  json_builder_set_member_name (b, "tid");
  json_builder_add_int_value (b, tid);
  json_builder_set_member_name (b, "ts");
  json_builder_add_int_value (b, ts);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_state (JsonBuilder        *b,
           const IlStateTimes *state)
{
  json_builder_set_member_name (b, "state_us");
  if (!state->valid)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  add_int (b, "running", state->running);
  add_int (b, "ready", state->ready);
  add_int (b, "blocked", state->blocked);
  add_int (b, "gil_wait", state->gil_wait);
  add_int (b, "lock_wait", state->lock_wait);
  json_builder_end_object (b);
}

static void
metadata (JsonBuilder *b,
          const char  *what,
          gint         pid,
          gint         tid,
          const char  *key,
          const char  *str,
          gint64       num)
{
  begin_event (b, what, NULL, "M", pid, tid, 0);
  json_builder_set_member_name (b, "args");
  json_builder_begin_object (b);
  if (str != NULL)
    add_string (b, key, str);
  else
    add_int (b, key, num);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

/* A span: one complete event, or a begin/end pair of async events with
 * @id for lanes where spans overlap. @args_fn fills the args object. */
typedef void (*ArgsFunc) (JsonBuilder *b, gconstpointer data);

static void
span (JsonBuilder  *b,
      gboolean      async,
      const char   *id,
      const char   *name,
      const char   *cat,
      gint          pid,
      gint          tid,
      gint64        start,
      gint64        end,
      ArgsFunc      args_fn,
      gconstpointer data)
{
  begin_event (b, name, cat, async ? "b" : "X", pid, tid, start);
  if (async)
    add_string (b, "id", id);
  else
    add_int (b, "dur", MAX (end - start, 0));
  json_builder_set_member_name (b, "args");
  json_builder_begin_object (b);
  args_fn (b, data);
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (async)
    {
      begin_event (b, name, cat, "e", pid, tid, MAX (end, start));
      add_string (b, "id", id);
      json_builder_end_object (b);
    }
}

static void
task_args (JsonBuilder  *b,
           gconstpointer data)
{
  const IlTaskRecord *rec = data;
  IlStateTimes        state;
  char                checksum[17];

  g_snprintf (checksum, sizeof checksum, "%016" G_GINT64_MODIFIER "x", rec->checksum);
  add_int (b, "group", rec->group);
  add_int (b, "index", rec->index);
  add_int (b, "worker", rec->worker);
  add_int (b, "os_pid", rec->pid);
  add_int (b, "os_tid", rec->tid);
  add_int (b, "cpu_start", rec->cpu_start);
  add_int (b, "cpu_end", rec->cpu_end);
  add_int (b, "queued_us", rec->queued_us);
  if (il_task_record_spawn_us (rec) >= 0)
    add_int (b, "spawn_us", il_task_record_spawn_us (rec));
  add_string (b, "checksum", checksum);
  state = il_task_record_state (rec);
  add_state (b, &state);
  json_builder_set_member_name (b, "failed");
  json_builder_add_boolean_value (b, rec->failed);
  add_string (b, "error", il_task_record_error (rec));
}

static void
block_args (JsonBuilder  *b,
            gconstpointer data)
{
  const IlBlockRecord *br = data;

  add_string (b, "type", il_block_type_to_string (br->type));
  if (br->ttfb_us >= 0)
    add_int (b, "ttfb_us", br->ttfb_us);
  add_state (b, &br->state);
}

static void
no_args (JsonBuilder  *b,
         gconstpointer data)
{
}

/* A block's recorded waits, nested inside it: what it waited for, when. */
static void
state_slices (JsonBuilder         *b,
              gboolean             async,
              const char          *id,
              gint                 pid,
              gint                 tid,
              const IlBlockRecord *br)
{
  gint64 t = br->start_us;

  for (guint i = 0; br->segments != NULL && i < br->segments->n; i++)
    {
      const IlStateSegment *seg = &br->segments->seg[i];

      if (seg->state != IL_STATE_RUNNING)
        span (b, async, id, il_state_to_string (seg->state), "state", pid, tid, t, t + seg->us, no_args, NULL);
      t += seg->us;
    }
}

static void
gil_args (JsonBuilder  *b,
          gconstpointer data)
{
  const IlSpan *s = data;

  add_int (b, "worker", s->worker);
}

static char *
block_name (const IlExperiment  *experiment,
            const IlTaskRecord  *rec,
            guint                i,
            const IlBlockRecord *br)
{
  if (experiment != NULL && rec->group < experiment->tasks->len)
    {
      const IlTaskGroup *g = g_ptr_array_index (experiment->tasks, rec->group);

      if (i < g->blocks->len)
        {
          const IlBlock *block = g_ptr_array_index (g->blocks, i);

          if (block->type == br->type)
            return il_block_describe (block);
        }
    }
  return g_strdup (il_block_type_to_string (br->type));
}

/* The trace is written as it is made: events gather in @b (an open
 * array) and go to @out a few hundred at a time, each as json-glib's
 * generator writes it, so the file is the one a whole tree would give. */
typedef struct
{
  JsonBuilder   *b;
  JsonGenerator *gen;
  GString       *buf;
  GOutputStream *out;
  guint          pending; /* tasks since the last flush */
  gboolean       first;   /* no event written yet */
  GError        *error;
} Trace;

static void
trace_flush (Trace   *t,
             gboolean all)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *events;

  if (t->error != NULL)
    return;
  json_builder_end_array (t->b);
  root = json_builder_get_root (t->b);
  events = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      g_autofree char *text = NULL;

      json_generator_set_root (t->gen, json_array_get_element (events, i));
      text = json_generator_to_data (t->gen, NULL);
      if (!t->first)
        g_string_append_c (t->buf, ',');
      g_string_append (t->buf, text);
      t->first = FALSE;
    }
  json_builder_reset (t->b);
  json_builder_begin_array (t->b);
  t->pending = 0;
  if ((all || t->buf->len >= 64 * 1024) &&
      g_output_stream_write_all (t->out, t->buf->str, t->buf->len, NULL, NULL, &t->error))
    g_string_truncate (t->buf, 0);
}

static void
trace_run (Trace              *tr,
           const IlExperiment *experiment,
           const IlRunResult  *run,
           guint               r)
{
  JsonBuilder        *b = tr->b;
  const IlRepetition *rep = il_run_result_median_repetition (run);
  gint                pid = (gint) r + 1;
  gboolean            async = run->executor == IL_EXECUTOR_ASYNC;
  g_autoptr(GHashTable) lanes = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  metadata (b, "process_name", pid, 0, "name", run->label, 0);
  metadata (b, "process_sort_index", pid, 0, "sort_index", NULL, r);
  if (rep == NULL)
    return;

  for (guint t = 0; t < rep->tasks->len; t++)
    {
      const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);
      gint                tid = rec->worker + 1;
      g_autofree char    *name = NULL;
      g_autofree char    *id = NULL;

      /* A task that never started has no span. The runner drops such
       * records from cancelled repetitions; results read from a file may
       * still hold one (start_us < 0). */
      if (rec->start_us < 0 || rec->end_us < 0)
        continue;
      if (!g_hash_table_contains (lanes, GINT_TO_POINTER (tid)))
        {
          g_autofree char *lane = g_strdup_printf ("worker %d", rec->worker);

          g_hash_table_add (lanes, GINT_TO_POINTER (tid));
          metadata (b, "thread_name", pid, tid, "name", lane, 0);
          metadata (b, "thread_sort_index", pid, tid, "sort_index", NULL, tid);
        }
      while (names->len <= rec->group)
        g_ptr_array_add (names, group_name (experiment, names->len));

      name = g_strdup_printf ("%s #%u", (const char *) g_ptr_array_index (names, rec->group), rec->index);
      id = g_strdup_printf ("0x%x", t + 1);
      span (b, async, id, name, "task", pid, tid, rec->start_us, rec->end_us, task_args, rec);
      for (guint i = 0; i < rec->n_blocks; i++)
        {
          const IlBlockRecord  block = il_task_record_block (rec, i);
          const IlBlockRecord *br = &block;
          g_autofree char     *bname = block_name (experiment, rec, i, br);

          span (b, async, id, bname, il_block_type_to_string (br->type), pid, tid,
                br->start_us, br->end_us, block_args, br);
          state_slices (b, async, id, pid, tid, br);
        }
      if (++tr->pending >= 256)
        trace_flush (tr, FALSE);
      if (tr->error != NULL)
        return;
    }

  if (rep->gil_holds != NULL && rep->gil_holds->len > 0)
    {
      metadata (b, "thread_name", pid, GIL_TID, "name", "GIL", 0);
      metadata (b, "thread_sort_index", pid, GIL_TID, "sort_index", NULL, GIL_TID);
      for (guint i = 0; i < rep->gil_holds->len; i++)
        {
          const IlSpan    *s = &g_array_index (rep->gil_holds, IlSpan, i);
          g_autofree char *name = g_strdup_printf ("GIL: worker %d", s->worker);

          span (b, FALSE, NULL, name, "gil", pid, GIL_TID, s->start_us, s->end_us, gil_args, s);
        }
    }

  for (guint i = 0; rep->loop_lag != NULL && i < rep->loop_lag->len; i++)
    {
      const IlLagSample *s = &g_array_index (rep->loop_lag, IlLagSample, i);

      begin_event (b, "loop lag (ms)", "probe", "C", pid, 0, s->t_us);
      json_builder_set_member_name (b, "args");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "lag");
      json_builder_add_double_value (b, (double) s->lag_us / 1000.0);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }

  if (rep->core_load != NULL && rep->core_load->len > 0 && rep->load_hz > 0)
    {
      GArray *first = g_ptr_array_index (rep->core_load, 0);

      for (guint k = 0; k < first->len; k++)
        {
          begin_event (b, "core load (%)", "probe", "C", pid, 0,
                       (gint64) k * G_USEC_PER_SEC / rep->load_hz);
          json_builder_set_member_name (b, "args");
          json_builder_begin_object (b);
          for (guint c = 0; c < rep->core_load->len; c++)
            {
              GArray *series = g_ptr_array_index (rep->core_load, c);
              char    key[32];

              if (k >= series->len)
                continue;
              g_snprintf (key, sizeof key, "core %u", c);
              json_builder_set_member_name (b, key);
              json_builder_add_double_value (b, g_array_index (series, float, k));
            }
          json_builder_end_object (b);
          json_builder_end_object (b);
        }
    }
}

gboolean
il_export_trace (const IlResults    *results,
                 const IlExperiment *experiment,
                 GOutputStream      *out,
                 GError            **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GString) buf = g_string_sized_new (80 * 1024);
  g_autoptr(JsonNode) other = NULL;
  g_autofree char *other_text = NULL;
  Trace            t = { b, gen, buf, out, 0, TRUE, NULL };

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  g_string_append (buf, "{\"traceEvents\":[");
  json_builder_begin_array (b);
  for (guint r = 0; r < results->runs->len && t.error == NULL; r++)
    {
      trace_run (&t, experiment, g_ptr_array_index (results->runs, r), r);
      trace_flush (&t, FALSE);
    }
  if (t.error != NULL)
    {
      g_propagate_error (error, t.error);
      return FALSE;
    }
  json_builder_end_array (b);
  json_builder_reset (b);

  json_builder_begin_object (b);
  add_string (b, "experiment", results->experiment);
  add_string (b, "shown", "the median repetition of each run, by makespan");
  add_string (b, "interleave_version", PACKAGE_VERSION);
  json_builder_end_object (b);
  other = json_builder_get_root (b);
  json_generator_set_root (gen, other);
  other_text = json_generator_to_data (gen, NULL);
  g_string_append_printf (buf, "],\"displayTimeUnit\":\"ms\",\"otherData\":%s}\n", other_text);
  return g_output_stream_write_all (out, buf->str, buf->len, NULL, NULL, error);
}

/* ---------------------------------------------------------------- */
/* One dispatch for the GUI and the CLI                              */

gboolean
il_export_format_from_string (const char     *name,
                              IlExportFormat *format)
{
  static const char *const names[] = { "json", "csv", "trace" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *format = (IlExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

const char *
il_export_format_extension (IlExportFormat format)
{
  switch (format)
    {
      case IL_EXPORT_JSON:
        return ".json";
      case IL_EXPORT_CSV:
        return ".csv";
      case IL_EXPORT_TRACE:
        return ".trace.json";
      default:
        g_return_val_if_reached (".json");
    }
}

/* Each export is written as it is made, into the temporary that
 * il-atomic-file.c renames over the target only when all of it arrived. */
typedef struct
{
  const IlResults    *results;
  const IlExperiment *experiment;
  IlExportFormat      format;
} Export;

static gboolean
export_write (GOutputStream *out,
              gpointer       user_data,
              GError       **error)
{
  const Export *e = user_data;

  switch (e->format)
    {
      case IL_EXPORT_JSON:
        return il_results_write (e->results, out, NULL, error);
      case IL_EXPORT_CSV:
        return il_export_csv (e->results, e->experiment, out, error);
      case IL_EXPORT_TRACE:
        return il_export_trace (e->results, e->experiment, out, error);
      default:
        g_return_val_if_reached (FALSE);
    }
}

gboolean
il_results_export_to_path (const IlResults    *results,
                           const IlExperiment *experiment,
                           IlExportFormat      format,
                           const char         *path,
                           GError            **error)
{
  Export e = { results, experiment, format };

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return il_atomic_file_write_path_with (path, export_write, &e, error);
}

gboolean
il_results_export_to_file (const IlResults    *results,
                           const IlExperiment *experiment,
                           IlExportFormat      format,
                           GFile              *file,
                           GError            **error)
{
  Export e = { results, experiment, format };

  g_return_val_if_fail (results != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return il_atomic_file_write_with (file, export_write, &e, error);
}
