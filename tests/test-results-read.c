/* test-results-read.c — results read back as a stream (issue 13)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment file's results are read without a json-glib tree of their
 * big arrays: the scan leaves each repetition's tasks, gil_holds and
 * loop_lag out, and the reader parses their elements a batch at a time.
 * These tests check that this gives what the whole-tree reader gave (and
 * what was written, byte for byte), that a million tasks are readable, and
 * that a bad element is still reported at its line and column.
 */

#include <string.h>

#include <glib/gstdio.h>

#include "il-experiment.h"
#include "il-results.h"
#include "il-test-utils.h"

static const char *mixed_json =
  "{ \"interleave\": 1, \"name\": \"mixed\","
  "  \"tasks\": [ { \"name\": \"cpu\", \"repeat\": 4,"
  "                 \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 },"
  "                               { \"type\": \"sleep\", \"ms\": 1 } ] },"
  "               { \"name\": \"io\", \"repeat\": 3,"
  "                 \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 4096 },"
  "                               { \"type\": \"yield\", \"times\": 10 } ] } ],"
  "  \"runs\": [ { \"executor\": \"sequential\" },"
  "             { \"executor\": \"threads\", \"workers\": 2, \"gil\": true, \"switch_interval_ms\": 1 },"
  "             { \"executor\": \"async\" } ],"
  "  \"settings\": { \"repetitions\": 2 } }";

static char *
tmp_path (const char *name)
{
  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

/* The results as the whole-tree reader reads them (il_results_from_json,
 * no scan: every array through json-glib). */
static IlResults *
read_as_tree (const IlResults *results)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = il_results_to_data (results, NULL);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  IlResults *back;

  g_assert_true (json_parser_load_from_data (parser, data, -1, &error));
  g_assert_no_error (error);
  back = il_results_from_json (json_parser_get_root (parser), "$", &error);
  g_assert_no_error (error);
  return back;
}

/* @experiment with @results saved to a file, opened again (streamed), and
 * saved again: the same bytes, and the same results as the tree reader. */
static void
check_round_trip (IlExperiment    *experiment,
                  const IlResults *results)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("il-results-read.interleave");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(IlResults) tree = read_as_tree (results);
  g_autoptr(IlExperiment) loaded = NULL;
  g_autofree char *written = NULL;
  g_autofree char *again = NULL;
  IlResults       *kept = experiment->results;

  experiment->results = (IlResults *) results;
  g_assert_true (il_experiment_save_file (experiment, file, &error));
  experiment->results = kept;
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &written, NULL, &error));
  g_assert_no_error (error);

  loaded = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded->results);
  g_assert_true (il_results_equal (loaded->results, tree));
  g_assert_true (il_results_equal (loaded->results, results));

  again = il_experiment_to_data (loaded, NULL);
  g_assert_cmpstr (again, ==, written);
  g_unlink (path);
}

static void
test_examples (void)
{
  const char *const files[] = { "format-example.interleave", "everything.interleave" };
  guint             checked = 0;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "valid", files[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(IlExperiment) loaded = il_experiment_load_file (file, &error);

      g_assert_no_error (error);
      if (loaded->results == NULL)
        continue;
      check_round_trip (loaded, loaded->results);
      /* Copies (the app's saved state, its undo steps) share the recorded
       * results rather than hold them twice. */
      {
        g_autoptr(IlExperiment) copy = il_experiment_copy (loaded);

        g_assert_true (copy->results == loaded->results);
        g_assert_true (il_experiment_equal (copy, loaded));
      }
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
}

/* A real run of every kind of record (blocks of several types, GIL holds,
 * loop lag, yields), and the same with more than 1,500 tasks (many batches
 * of the streamed reader, tasks of two blocks). */
static void
test_mixed_and_many (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (mixed_json);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  g_autoptr(IlResults) many = il_results_copy (results);
  IlRepetition *rep = il_test_first_rep (many, 0);
  guint         n = rep->tasks->len;
  gboolean      has_holds = FALSE, has_lag = FALSE;

  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRepetition *first = il_test_first_rep (results, r);

      has_holds |= first->gil_holds->len > 0;
      has_lag |= first->loop_lag->len > 0;
    }
  g_assert_true (has_holds);
  g_assert_true (has_lag);
  check_round_trip (exp, results);

  while (rep->tasks->len <= 1500)
    for (guint t = 0; t < n; t++)
      {
        IlTaskRecord rec = g_array_index (rep->tasks, IlTaskRecord, t);
        IlTaskRecord copy = rec;
        IlStateTimes state = il_task_record_state (&rec);

        copy.index += rep->tasks->len;
        /* A shallow copy: it must not share what the original owns. */
        copy.extra_ = NULL;
        il_task_record_take_error (&copy, g_strdup (il_task_record_error (&rec)));
        il_task_record_set_state (&copy, &state);
        copy.n_blocks = 0;
        copy.more_ = NULL;
        copy.more_alloc_ = 0;
        for (guint b = 0; b < rec.n_blocks; b++)
          {
            IlBlockRecord block = il_task_record_block (&rec, b);

            block.segments = block.segments != NULL
                               ? g_memdup2 (block.segments, sizeof *block.segments +
                                                              block.segments->n * sizeof (IlStateSegment))
                               : NULL;
            il_task_record_add_block (&copy, &block);
          }
        g_array_append_val (rep->tasks, copy);
      }
  g_assert_cmpuint (rep->tasks->len, >, 1500);
  check_round_trip (exp, many);
}

/* The format allows a million tasks per run: their results are readable.
 * (The whole-tree reader refused them: more than 2,000,000 JSON values.) */
static void
test_million_tasks (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("il-results-million.interleave");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(IlExperiment) loaded = NULL;
  GString            *text = g_string_new (NULL);
  const guint         n = 1000000;
  const IlRepetition *rep;
  const IlTaskRecord *last;

  g_string_append (text, "{ \"interleave\": 1, \"name\": \"million\",\n"
                         "  \"tasks\": [");
  for (guint g = 0; g < n / 100000; g++)
    g_string_append_printf (text, "%s{ \"name\": \"t%u\", \"repeat\": 100000, "
                                  "\"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] }",
                            g > 0 ? ", " : "", g);
  g_string_append (text, "],\n  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
                         "  \"results\": { \"interleave_results\": 1, \"runs\": [ {\n"
                         "    \"executor\": \"sequential\", \"repetitions\": [ { \"tasks\": [\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s{\"group\":%u,\"index\":%u,\"end_us\":%u}", i > 0 ? ",\n" : "",
                            i / 100000, i % 100000, i);
  g_string_append (text, "\n] } ] } ] } }\n");
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
  g_assert_no_error (error);
  g_string_free (text, TRUE);

  loaded = il_experiment_load_file (file, &error);
  g_unlink (path);
  g_assert_no_error (error);
  rep = il_test_first_rep (loaded->results, 0);
  g_assert_cmpuint (rep->tasks->len, ==, n);
  last = &g_array_index (rep->tasks, IlTaskRecord, n - 1);
  g_assert_cmpuint (last->group, ==, 9);
  g_assert_cmpuint (last->index, ==, 99999);
  g_assert_cmpint (last->end_us, ==, n - 1);
}

/* @data with @to in place of the @from at @offset must be refused at the
 * line and column of @offset, naming @path. */
static void
expect_error_at (const char *data,
                 gsize       offset,
                 const char *from,
                 const char *to,
                 const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) loaded = NULL;
  g_autofree char *expected = NULL;
  GString         *bad = g_string_new (data);
  guint            line = 1, column = 1;

  g_assert_true (strncmp (data + offset, from, strlen (from)) == 0);
  for (gsize i = 0; i < offset; i++)
    if (data[i] == '\n')
      {
        line++;
        column = 1;
      }
    else
      column++;
  g_string_erase (bad, offset, strlen (from));
  g_string_insert (bad, offset, to);
  loaded = il_experiment_load_data (bad->str, bad->len, "bad.interleave", &error);
  g_string_free (bad, TRUE);
  g_assert_null (loaded);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  expected = g_strdup_printf ("bad.interleave:%u:%u: %s: ", line, column, path);
  if (!g_str_has_prefix (error->message, expected))
    g_error ("expected \"%s…\", got\n  %s", expected, error->message);
}

/* A bad value deep in a streamed array (the 1,601st task, a GIL hold) is
 * reported as before: FILE:LINE:COLUMN of the value, and its path. */
static void
test_invalid_positions (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (mixed_json);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  IlRepetition    *rep = il_test_first_rep (results, 0);
  g_autofree char *data = NULL;
  const char      *at;

  /* 1,601+ tasks in the first repetition, each with "worker": 0. */
  while (rep->tasks->len <= 1600)
    {
      IlTaskRecord rec = { 0 };

      rec.index = rep->tasks->len;
      rec.cpu_start = rec.cpu_end = -1;
      g_array_append_val (rep->tasks, rec);
    }
  for (guint t = 0; t < rep->tasks->len; t++)
    g_array_index (rep->tasks, IlTaskRecord, t).worker = 0;
  exp->results = g_steal_pointer (&results);
  data = il_experiment_to_data (exp, NULL);

  /* The 1,601st "worker" of the document: the first repetition's task 1600. */
  at = data;
  for (guint k = 0; k < 1601; k++)
    {
      at = strstr (k == 0 ? at : at + 1, "\"worker\": 0");
      g_assert_nonnull (at);
    }
  at += strlen ("\"worker\": ");
  expect_error_at (data, at - data, "0", "\"0\"", "results.runs[0].repetitions[0].tasks[1600].worker");

  /* The GIL run's first hold, with a fourth number. */
  at = strstr (data, "\"gil_holds\": [");
  g_assert_nonnull (at);
  at = strchr (at + strlen ("\"gil_holds\": ["), '[');
  expect_error_at (data, at - data, "[", "[7, ", "results.runs[1].repetitions[0].gil_holds[0]");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/results/read/examples", test_examples);
  g_test_add_func ("/il/results/read/mixed-and-many", test_mixed_and_many);
  g_test_add_func ("/il/results/read/million-tasks", test_million_tasks);
  g_test_add_func ("/il/results/read/invalid-positions", test_invalid_positions);

  return g_test_run ();
}
