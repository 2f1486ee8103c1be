/* test-export.c — the CSV and Chrome trace exports, parsed back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include "il-error.h"
#include "il-experiment.h"
#include "il-export.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

static const char *const csv_header[] = {
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
  NULL,
};

/* RFC 4180: rows end in CRLF; quoted fields may hold commas, quotes
 * (doubled) and line breaks. Returns rows of GStrv. */
static GPtrArray *
csv_parse (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) row = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              g_assert_true (*p != '\0');
              if (p[0] == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                }
              else if (p[0] == '"')
                {
                  p++;
                  break;
                }
              else
                g_string_append_c (field, *p++);
            }
        }
      while (*p != '\0' && *p != ',' && *p != '\r')
        {
          g_assert_cmpint (*p, !=, '"');
          g_assert_cmpint (*p, !=, '\n');
          g_string_append_c (field, *p++);
        }
      g_ptr_array_add (row, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (*p == ',')
        p++;
      else
        {
          g_assert_cmpint (p[0], ==, '\r');
          g_assert_cmpint (p[1], ==, '\n');
          p += 2;
          g_ptr_array_add (row, NULL);
          g_ptr_array_add (rows, g_ptr_array_steal (row, NULL));
        }
    }
  g_assert_cmpuint (row->len, ==, 0);
  return rows;
}

static char *
export_to_string (gboolean (*func) (const IlResults *, const IlExperiment *, GOutputStream *, GError **),
                  const IlResults    *results,
                  const IlExperiment *experiment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_true (func (results, experiment, out, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* ---------------------------------------------------------------- */

/* Every executor there is, CPU and I/O blocks, 3 repetitions. */
static const char *mixed_json =
  "{ \"interleave\": 1, \"name\": \"exports\","
  "  \"tasks\": [ { \"name\": \"cpu, \\\"quoted\\\"\", \"repeat\": 3,"
  "                 \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 },"
  "                               { \"type\": \"sleep\", \"ms\": 2 } ] },"
  "               { \"name\": \"io\", \"repeat\": 3,"
  "                 \"blocks\": [ { \"type\": \"http\", \"delay_ms\": 3, \"bytes\": 100 },"
  "                               { \"type\": \"file-write\", \"bytes\": 4096 },"
  "                               { \"type\": \"file-read\", \"bytes\": 4096 },"
  "                               { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 1 } ] } ],"
  "  \"runs\": [ { \"executor\": \"sequential\" },"
  "             { \"executor\": \"threads\", \"workers\": 2, \"gil\": true, \"switch_interval_ms\": 1 },"
  "             { \"executor\": \"processes\", \"workers\": 2 },"
  "             { \"executor\": \"async\" } ],"
  "  \"settings\": { \"repetitions\": 3 } }";

typedef struct
{
  gint64 ts, end;
  gint   tid;
  char  *id;
} Span;

static const IlRepetition *
median_rep (const IlRunResult *run)
{
  g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  const IlRepetition *pick = NULL;
  guint               below, equal;

  /* The lower median: the repetition with (n-1)/2 others strictly below
   * it (ties broken by position, as a stable sort would). */
  for (guint i = 0; i < run->repetitions->len; i++)
    {
      const IlRepetition *a = g_ptr_array_index (run->repetitions, i);

      below = equal = 0;
      for (guint j = 0; j < run->repetitions->len; j++)
        {
          const IlRepetition *b = g_ptr_array_index (run->repetitions, j);

          if (b->makespan_ms < a->makespan_ms || (b->makespan_ms == a->makespan_ms && j < i))
            below++;
          (void) equal;
        }
      if (below == (run->repetitions->len - 1) / 2)
        pick = a;
    }
  g_assert_nonnull (pick);
  return pick;
}

static void
check_trace (const char         *text,
             const IlResults    *results,
             const IlExperiment *exp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray  *events;
  guint       n_runs = results->runs->len;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "displayTimeUnit"), ==, "ms");
  events = json_object_get_array_member (root, "traceEvents");

  for (guint r = 0; r < n_runs; r++)
    {
      const IlRunResult  *run = g_ptr_array_index (results->runs, r);
      const IlRepetition *rep = median_rep (run);
      gboolean            async = run->executor == IL_EXECUTOR_ASYNC;
      gint                pid = (gint) r + 1;
      g_autoptr(GHashTable) tasks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_autoptr(GHashTable) named_tids = g_hash_table_new (NULL, NULL);
      g_autoptr(GHashTable) open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      const char *process_name = NULL;
      guint       n_tasks = 0, n_blocks = 0, n_gil = 0, n_states = 0;
      guint       expected_blocks = 0, expected_states = 0;

      for (guint t = 0; t < rep->tasks->len; t++)
        {
          const IlTaskRecord *task = &g_array_index (rep->tasks, IlTaskRecord, t);

          expected_blocks += task->n_blocks;
          for (guint k = 0; k < task->n_blocks; k++)
            {
              const IlStateSegments *segments = il_task_record_block (task, k).segments;

              for (guint j = 0; segments != NULL && j < segments->n; j++)
                if (segments->seg[j].state != IL_STATE_RUNNING)
                  expected_states++;
            }
        }

      /* Pass 1: metadata and task spans. */
      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          JsonObject *ev = json_array_get_object_element (events, i);
          const char *ph = json_object_get_string_member (ev, "ph");
          const char *cat = json_object_get_string_member_with_default (ev, "cat", "");

          if (json_object_get_int_member (ev, "pid") != pid)
            continue;
          if (g_str_equal (ph, "M"))
            {
              JsonObject *args = json_object_get_object_member (ev, "args");

              if (g_str_equal (json_object_get_string_member (ev, "name"), "process_name"))
                process_name = json_object_get_string_member (args, "name");
              else if (g_str_equal (json_object_get_string_member (ev, "name"), "thread_name"))
                g_hash_table_add (named_tids, GINT_TO_POINTER (json_object_get_int_member (ev, "tid")));
              continue;
            }
          if (!g_str_equal (cat, "task") || g_str_equal (ph, "e"))
            continue;
          /* Async runs: begin/end pairs, never complete events. */
          g_assert_cmpstr (ph, ==, async ? "b" : "X");
          {
            JsonObject         *args = json_object_get_object_member (ev, "args");
            guint               group = (guint) json_object_get_int_member (args, "group");
            guint               index = (guint) json_object_get_int_member (args, "index");
            const IlTaskRecord *rec = NULL;
            Span               *s = g_new0 (Span, 1);

            for (guint t = 0; t < rep->tasks->len; t++)
              {
                const IlTaskRecord *c = &g_array_index (rep->tasks, IlTaskRecord, t);

                if (c->group == group && c->index == index)
                  rec = c;
              }
            g_assert_nonnull (rec);
            s->ts = json_object_get_int_member (ev, "ts");
            s->tid = (gint) json_object_get_int_member (ev, "tid");
            g_assert_cmpint (s->ts, ==, rec->start_us);
            if (!async)
              s->end = s->ts + json_object_get_int_member (ev, "dur");
            else
              s->end = rec->end_us;
            g_assert_cmpint (s->end, ==, rec->end_us);
            g_assert_cmpint (s->tid, ==, rec->worker + 1);
            g_assert_true (g_hash_table_contains (named_tids, GINT_TO_POINTER (s->tid)));
            /* The key: the async id, or where the span is. */
            g_hash_table_insert (tasks,
                                 async ? g_strdup (json_object_get_string_member (ev, "id"))
                                       : g_strdup_printf ("%d@%" G_GINT64_FORMAT, s->tid, s->ts),
                                 s);
            n_tasks++;
          }
        }
      g_assert_cmpstr (process_name, ==, run->label);
      /* One task span per task of the run. */
      g_assert_cmpuint (n_tasks, ==, rep->tasks->len);
      g_assert_cmpuint (g_hash_table_size (tasks), ==, rep->tasks->len);

      /* Pass 2: blocks nest in their task's span, same lane; async begin
       * and end pair up. */
      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          JsonObject *ev = json_array_get_object_element (events, i);
          const char *ph = json_object_get_string_member (ev, "ph");
          const char *cat = json_object_get_string_member_with_default (ev, "cat", "");
          gint        tid;
          gint64      ts;

          if (json_object_get_int_member (ev, "pid") != pid || g_str_equal (ph, "M") ||
              g_str_equal (ph, "C"))
            continue;
          tid = (gint) json_object_get_int_member (ev, "tid");
          ts = json_object_get_int_member (ev, "ts");
          if (g_str_equal (cat, "gil"))
            {
              g_assert_cmpstr (ph, ==, "X");
              g_assert_true (g_hash_table_contains (named_tids, GINT_TO_POINTER (tid)));
              n_gil++;
              continue;
            }
          if (async)
            {
              const char      *id = json_object_get_string_member (ev, "id");
              g_autofree char *key = g_strdup_printf ("%s/%s/%s", id, cat, json_object_get_string_member (ev, "name"));
              Span            *task = g_hash_table_lookup (tasks, id);

              g_assert_nonnull (task);
              g_assert_cmpint (ts, >=, task->ts);
              g_assert_cmpint (ts, <=, task->end);
              g_assert_cmpint (tid, ==, task->tid);
              if (g_str_equal (ph, "b"))
                {
                  g_hash_table_insert (open, g_strdup (key), GINT_TO_POINTER (1));
                  if (g_str_equal (cat, "state"))
                    n_states++;
                  else if (!g_str_equal (cat, "task"))
                    n_blocks++;
                }
              else
                {
                  g_assert_cmpstr (ph, ==, "e");
                  g_assert_true (g_hash_table_remove (open, key));
                }
              continue;
            }
          if (g_str_equal (cat, "task"))
            continue;
          {
            GHashTableIter iter;
            gpointer       value;
            gint64         end = ts + json_object_get_int_member (ev, "dur");
            guint          inside = 0;

            g_assert_cmpstr (ph, ==, "X");
            g_hash_table_iter_init (&iter, tasks);
            while (g_hash_table_iter_next (&iter, NULL, &value))
              {
                Span *task = value;

                if (task->tid == tid && ts >= task->ts && end <= task->end)
                  inside++;
              }
            /* Exactly one task span holds the block, or a block's state
             * slice (tasks on a lane never overlap outside the async
             * executor). */
            g_assert_cmpuint (inside, ==, 1);
            if (g_str_equal (cat, "state"))
              n_states++;
            else
              n_blocks++;
          }
        }
      g_assert_cmpuint (g_hash_table_size (open), ==, 0);
      g_assert_cmpuint (n_blocks, ==, expected_blocks);
      g_assert_cmpuint (n_states, ==, expected_states);
      if (rep->gil_holds != NULL)
        g_assert_cmpuint (n_gil, ==, rep->gil_holds->len);
      g_test_message ("run %u (%s): %u tasks, %u blocks, %u GIL holds, %u state slices", r, run->label,
                      n_tasks, n_blocks, n_gil, n_states);
    }
}

static void
check_csv (const char         *text,
           const IlResults    *results,
           const IlExperiment *exp)
{
  g_autoptr(GPtrArray) rows = csv_parse (text);
  guint expected = 0;
  guint row = 1;

  g_assert_cmpuint (rows->len, >, 0);
  g_assert_cmpstrv ((const char *const *) g_ptr_array_index (rows, 0), csv_header);
  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, r);

      for (guint k = 0; k < run->repetitions->len; k++)
        {
          const IlRepetition *rep = g_ptr_array_index (run->repetitions, k);

          expected += rep->tasks->len;
          for (guint t = 0; t < rep->tasks->len; t++, row++)
            {
              const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);
              GStrv               f;
              g_autofree char    *name = NULL;

              g_assert_cmpuint (row, <, rows->len);
              f = g_ptr_array_index (rows, row);
              g_assert_cmpuint (g_strv_length (f), ==, 21);
              g_assert_cmpint (g_ascii_strtoll (f[0], NULL, 10), ==, r);
              g_assert_cmpstr (f[1], ==, run->label);
              g_assert_cmpint (g_ascii_strtoll (f[2], NULL, 10), ==, k);
              g_assert_cmpint (g_ascii_strtoll (f[3], NULL, 10), ==, rec->group);
              name = il_task_group_display_name (g_ptr_array_index (exp->tasks, rec->group), rec->group);
              g_assert_cmpstr (f[4], ==, name);
              g_assert_cmpint (g_ascii_strtoll (f[5], NULL, 10), ==, rec->index);
              g_assert_cmpint (g_ascii_strtoll (f[8], NULL, 10), ==, rec->tid);
              g_assert_cmpint (g_ascii_strtoll (f[12], NULL, 10), ==, rec->start_us);
              g_assert_cmpint (g_ascii_strtoll (f[13], NULL, 10), ==, rec->end_us);
              if (il_task_record_state (rec).valid)
                g_assert_cmpint (g_ascii_strtoll (f[18], NULL, 10), ==, il_task_record_state (rec).lock_wait);
              g_assert_cmpstr (f[19], ==, rec->failed ? "1" : "0");
            }
        }
    }
  /* A header and one row per task. */
  g_assert_cmpuint (rows->len, ==, expected + 1);
}

static void
test_exports_parse_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_experiment_load_data (mixed_json, -1, "exports.interleave", &error);
  g_autoptr(IlResults) results = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *trace = NULL;

  g_assert_no_error (error);
  results = il_test_run (exp, NULL, NULL);
  g_assert_cmpuint (results->runs->len, ==, 4);
  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, r);

      g_assert_cmpuint (run->repetitions->len, ==, 3);
      g_assert_cmpuint (run->summary.failed_tasks, ==, 0);
    }

  csv = export_to_string (il_export_csv, results, exp);
  check_csv (csv, results, exp);
  trace = export_to_string (il_export_trace, results, exp);
  check_trace (trace, results, exp);
}

/* The streamed writers give the documents the whole-tree writers gave:
 * the results document byte for byte as il_results_to_data() (a tree)
 * writes it, and a trace that json-glib's generator writes the same from
 * its own parse (the trace was one generated tree). Through a file too,
 * so that the chunks the atomic save is written in are checked. */
static void
check_streamed_same (const IlResults    *results,
                     const IlExperiment *experiment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tree = il_results_to_data (results, NULL);
  g_autofree char *trace = export_to_string (il_export_trace, results, experiment);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *regenerated = NULL;
  g_autofree char *streamed = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-export-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *from_file = NULL;

  g_assert_no_error (error);
  g_assert_true (il_results_write (results, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  streamed = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_cmpstr (streamed, ==, tree);

  path = g_build_filename (dir, "results.json", NULL);
  g_assert_true (il_results_export_to_path (results, experiment, IL_EXPORT_JSON, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &from_file, NULL, &error));
  g_assert_cmpstr (from_file, ==, tree);
  g_clear_pointer (&from_file, g_free);

  g_assert_true (json_parser_load_from_data (parser, trace, -1, &error));
  g_assert_no_error (error);
  json_generator_set_root (gen, json_parser_get_root (parser));
  regenerated = json_generator_to_data (gen, NULL);
  g_assert_true (g_str_has_suffix (trace, "\n"));
  g_assert_cmpuint (strlen (trace), ==, strlen (regenerated) + 1);
  g_assert_true (strncmp (trace, regenerated, strlen (regenerated)) == 0);

  g_assert_true (il_results_export_to_path (results, experiment, IL_EXPORT_TRACE, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &from_file, NULL, &error));
  g_assert_cmpstr (from_file, ==, trace);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_streamed_same (void)
{
  const char *const files[] = { "format-example.interleave", "everything.interleave" };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_experiment_load_data (mixed_json, -1, "exports.interleave", &error);
  g_autoptr(IlResults) results = NULL;
  g_autoptr(IlResults) many = NULL;
  IlRepetition *rep;
  guint         checked = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "valid", files[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(IlExperiment) loaded = il_experiment_load_file (file, &error);

      g_assert_no_error (error);
      if (loaded->results != NULL)
        {
          g_autofree char *tree = il_experiment_to_data (loaded, NULL);
          g_autofree char *saved_path = g_build_filename (g_get_tmp_dir (), "il-export-saved.interleave", NULL);
          g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
          g_autofree char *streamed = NULL;

          check_streamed_same (loaded->results, loaded);
          /* The experiment with its results, saved as a stream. */
          g_assert_true (il_experiment_save_file (loaded, saved, &error));
          g_assert_no_error (error);
          g_assert_true (g_file_get_contents (saved_path, &streamed, NULL, &error));
          g_assert_cmpstr (streamed, ==, tree);
          g_unlink (saved_path);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 0);

  results = il_test_run (exp, NULL, NULL);
  check_streamed_same (results, exp);

  /* Big enough for many chunks of the writers (64 KiB each). */
  many = il_results_copy (results);
  rep = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (many->runs, 0))->repetitions, 0);
  for (guint round = 0; round < 8; round++)
    {
      guint n = rep->tasks->len;

      for (guint t = 0; t < n; t++)
        {
          IlTaskRecord rec = g_array_index (rep->tasks, IlTaskRecord, t);

          rec.index += n;
          /* A shallow copy: it must not share what the original owns. */
          rec.extra_ = NULL;
          rec.n_blocks = 0;
          rec.more_ = NULL;
          rec.more_alloc_ = 0;
          g_array_append_val (rep->tasks, rec);
        }
    }
  g_assert_cmpuint (rep->tasks->len, >=, 500);
  check_streamed_same (many, exp);
}

/* Quoting, failures and missing accounting, on results built by hand. */
static void
test_csv_quoting (void)
{
  g_autoptr(IlResults) results = il_results_new ();
  IlRunResult     *run = il_run_result_new ();
  IlRepetition    *rep = il_repetition_new ();
  IlTaskRecord     rec = { 0 };
  g_autofree char *csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GStrv       f;
  const char *nasty = "block 1 (http): GET \"x\", then\r\nmore";

  results->experiment = g_strdup ("by hand");
  run->label = g_strdup ("threads ×2, \"odd\"");
  rec.group = 1;
  rec.index = 4;
  rec.worker = 1;
  rec.pid = 10;
  rec.tid = 11;
  rec.cpu_start = -1;
  rec.cpu_end = -1;
  rec.start_us = 5;
  rec.end_us = 7;
  il_task_record_set_spawn_us (&rec, -1);
  rec.failed = TRUE;
  il_task_record_take_error (&rec, g_strdup (nasty));
  il_task_record_reserve_blocks (&rec, 1);
  {
    IlBlockRecord br = { 0 };

    /* Its waits in time order: slices nested in the block. */
    br.type = IL_BLOCK_COUNTER;
    br.start_us = 5;
    br.end_us = 7;
    br.ttfb_us = -1;
    br.segments = g_malloc0 (sizeof (IlStateSegments) + 2 * sizeof (IlStateSegment));
    br.segments->n = 2;
    br.segments->seg[0] = (IlStateSegment){ 1, IL_STATE_RUNNING };
    br.segments->seg[1] = (IlStateSegment){ 1, IL_STATE_LOCK_WAIT };
    il_task_record_add_block (&rec, &br);
  }
  g_array_append_val (rep->tasks, rec);
  g_ptr_array_add (run->repetitions, rep);
  g_ptr_array_add (results->runs, run);

  csv = export_to_string (il_export_csv, results, NULL);
  rows = csv_parse (csv);
  g_assert_cmpuint (rows->len, ==, 2);
  f = g_ptr_array_index (rows, 1);
  g_assert_cmpuint (g_strv_length (f), ==, 21);
  g_assert_cmpstr (f[1], ==, "threads ×2, \"odd\"");
  g_assert_cmpstr (f[4], ==, "task 2");
  g_assert_cmpstr (f[9], ==, "-1");
  /* No accounting: empty, not zero. */
  g_assert_cmpstr (f[14], ==, "");
  g_assert_cmpstr (f[17], ==, "");
  g_assert_cmpstr (f[18], ==, "");
  g_assert_cmpstr (f[19], ==, "1");
  g_assert_cmpstr (f[20], ==, nasty);

  /* The trace of the same: valid JSON, the error carried in args. */
  {
    g_autofree char *trace = export_to_string (il_export_trace, results, NULL);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;

    json_parser_load_from_data (parser, trace, -1, &error);
    g_assert_no_error (error);
    JsonArray *events;
    guint      found = 0, states = 0;

    events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "traceEvents");
    for (guint i = 0; i < json_array_get_length (events); i++)
      {
        JsonObject *ev = json_array_get_object_element (events, i);

        if (g_strcmp0 (json_object_get_string_member_with_default (ev, "cat", ""), "state") == 0)
          {
            /* The lock wait: the block's second µs. */
            g_assert_cmpstr (json_object_get_string_member (ev, "name"), ==, "lock_wait");
            g_assert_cmpint (json_object_get_int_member (ev, "ts"), ==, 6);
            g_assert_cmpint (json_object_get_int_member (ev, "dur"), ==, 1);
            states++;
          }
        if (g_strcmp0 (json_object_get_string_member_with_default (ev, "cat", ""), "task") != 0)
          continue;
        g_assert_cmpstr (json_object_get_string_member (ev, "name"), ==, "task 2 #4");
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ev, "args"), "error"), ==, nasty);
        found++;
      }
    g_assert_cmpuint (found, ==, 1);
    g_assert_cmpuint (states, ==, 1);
  }
}

static void
test_cli_exports (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-export-XXXXXX", &error);
  g_autofree char *csv_path = NULL;
  g_autofree char *trace_path = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *trace = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *cli = g_getenv ("IL_CLI");
  int         status = 0;

  g_assert_no_error (error);
  if (cli == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  csv_path = g_build_filename (dir, "x.csv", NULL);
  trace_path = g_build_filename (dir, "x.json", NULL);
  {
    const char *argv[] = { cli, "run", "example:cpu-bound", "--repetitions", "1", "--quiet",
                           "--csv", csv_path, "--trace", trace_path, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  g_file_get_contents (csv_path, &csv, NULL, &error);
  g_assert_no_error (error);
  rows = csv_parse (csv);
  g_assert_cmpstrv ((const char *const *) g_ptr_array_index (rows, 0), csv_header);
  g_assert_cmpuint (rows->len, >, 1);

  g_file_get_contents (trace_path, &trace, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, trace, -1, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (json_node_get_object (json_parser_get_root (parser)), "traceEvents"));

  g_unlink (csv_path);
  g_unlink (trace_path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/il/export/parse-back", test_exports_parse_back);
  g_test_add_func ("/il/export/csv-quoting", test_csv_quoting);
  g_test_add_func ("/il/export/streamed-same", test_streamed_same);
  g_test_add_func ("/il/export/cli", test_cli_exports);

  return g_test_run ();
}
