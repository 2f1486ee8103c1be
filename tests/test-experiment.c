/* test-experiment.c — the experiment model and its file format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "il-experiment.h"
#include "il-results.h"

static char *
data_path (const char *dir,
           const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", dir, name, NULL);
}

static IlExperiment *
load_valid (const char *name)
{
  g_autofree char *path = data_path ("valid", name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  IlExperiment *experiment;

  experiment = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (experiment);

  return experiment;
}

static IlBlock *
block_at (IlExperiment *experiment,
          guint         group,
          guint         index)
{
  IlTaskGroup *g = g_ptr_array_index (experiment->tasks, group);

  return g_ptr_array_index (g->blocks, index);
}

static IlRunConfig *
run_at (IlExperiment *experiment,
        guint         index)
{
  return g_ptr_array_index (experiment->runs, index);
}

/* Enums, descriptions, labels */

static void
test_enums (void)
{
  for (guint i = 0; i < IL_N_BLOCK_TYPES; i++)
    {
      IlBlockType type;

      g_assert_true (il_block_type_from_string (il_block_type_to_string (i), &type));
      g_assert_cmpint (type, ==, i);
    }
  for (guint i = 0; i < IL_N_KERNELS; i++)
    {
      IlKernel kernel;

      g_assert_true (il_kernel_from_string (il_kernel_to_string (i), &kernel));
      g_assert_cmpint (kernel, ==, i);
    }
  for (guint i = 0; i < IL_N_EXECUTORS; i++)
    {
      IlExecutorKind executor;

      g_assert_true (il_executor_from_string (il_executor_to_string (i), &executor));
      g_assert_cmpint (executor, ==, i);
    }
  for (guint i = 0; i < IL_N_ORDERS; i++)
    {
      IlOrder order;

      g_assert_true (il_order_from_string (il_order_to_string (i), &order));
      g_assert_cmpint (order, ==, i);
    }

  g_assert_cmpstr (il_block_type_to_string (IL_BLOCK_FILE_WRITE), ==, "file-write");
  g_assert_cmpstr (il_spawn_to_string (IL_SPAWN_PER_TASK), ==, "per-task");
  g_assert_false (il_block_type_from_string ("CPU", NULL));
  g_assert_false (il_kernel_from_string ("fib", NULL));
  g_assert_false (il_executor_from_string (NULL, NULL));
  g_assert_false (il_spawn_from_string ("fork", NULL));
  g_assert_false (il_order_from_string ("random", NULL));
}

static void
test_describe (void)
{
  g_autoptr(IlBlock) cpu = il_block_new (IL_BLOCK_CPU);
  g_autoptr(IlBlock) sleep = il_block_new (IL_BLOCK_SLEEP);
  g_autoptr(IlBlock) http = il_block_new (IL_BLOCK_HTTP);
  g_autoptr(IlBlock) write = il_block_new (IL_BLOCK_FILE_WRITE);
  g_autoptr(IlBlock) read = il_block_new (IL_BLOCK_FILE_READ);
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL, *s6 = NULL;

  cpu->units = 40;
  sleep->ms = 50;
  write->fsync = TRUE;

  g_assert_cmpstr ((s1 = il_block_describe (cpu)), ==, "spin × 40");
  g_assert_cmpstr ((s2 = il_block_describe (sleep)), ==, "sleep 50 ms");
  g_assert_cmpstr ((s3 = il_block_describe (http)), ==, "GET 20 ms, 1.0 KiB");
  g_assert_cmpstr ((s4 = il_block_describe (write)), ==, "write 1.0 MiB (fsync)");
  g_assert_cmpstr ((s5 = il_block_describe (read)), ==, "read 1.0 MiB");
  http->url = g_strdup ("https://example.org/");
  g_assert_cmpstr ((s6 = il_block_describe (http)), ==, "GET https://example.org/");
}

static void
test_labels (void)
{
  g_autoptr(IlRunConfig) sequential = il_run_config_new (IL_EXECUTOR_SEQUENTIAL);
  g_autoptr(IlRunConfig) threads = il_run_config_new (IL_EXECUTOR_THREADS);
  g_autoptr(IlRunConfig) processes = il_run_config_new (IL_EXECUTOR_PROCESSES);
  g_autoptr(IlRunConfig) async = il_run_config_new (IL_EXECUTOR_ASYNC);
  char *label;

#define CHECK_LABEL(run, workers, expected)          \
  label = il_run_config_derive_label (run, workers); \
  g_assert_cmpstr (label, ==, expected);             \
  g_free (label);

  CHECK_LABEL (sequential, 1, "sequential");
  CHECK_LABEL (threads, 4, "threads ×4");
  threads->gil = TRUE;
  CHECK_LABEL (threads, 4, "threads ×4 (GIL 5 ms)");
  CHECK_LABEL (processes, 2, "processes ×2");
  processes->spawn = IL_SPAWN_PER_TASK;
  CHECK_LABEL (processes, 2, "processes ×2 (per task)");
  CHECK_LABEL (async, 1, "async");
  async->cpu_slice_units = 5;
  CHECK_LABEL (async, 1, "async (slice 5)");

#undef CHECK_LABEL
}

static void
test_new_copy_equal (void)
{
  g_autoptr(IlExperiment) experiment = il_experiment_new ();
  g_autoptr(IlExperiment) copy = NULL;
  g_autoptr(GError) error = NULL;
  IlTaskGroup *group;
  IlBlock     *block;
  char        *name;

  g_assert_true (il_experiment_validate (experiment, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (experiment->tasks->len, ==, 1);
  g_assert_cmpuint (experiment->runs->len, ==, 2);
  g_assert_cmpuint (il_experiment_count_tasks (experiment), ==, 8);

  group = g_ptr_array_index (experiment->tasks, 0);
  block = g_ptr_array_index (group->blocks, 0);
  g_assert_cmpstr (group->name, ==, "fragment");
  g_assert_cmpint (block->type, ==, IL_BLOCK_CPU);
  g_assert_cmpint (block->units, ==, 20);

  copy = il_experiment_copy (experiment);
  g_assert_true (il_experiment_equal (experiment, copy));
  g_assert_true (g_ptr_array_index (copy->tasks, 0) != (gpointer) group);

  /* Deep copy: changing the copy leaves the original alone. */
  block_at (copy, 0, 0)->units = 21;
  g_assert_false (il_experiment_equal (experiment, copy));
  g_assert_cmpint (block->units, ==, 20);
  block_at (copy, 0, 0)->units = 20;
  g_assert_true (il_experiment_equal (experiment, copy));

  /* `enabled` is GUI state, not saved, not compared. */
  run_at (copy, 0)->enabled = FALSE;
  g_assert_true (il_experiment_equal (experiment, copy));

  /* Fields that do not apply are not saved, so they do not count. */
  run_at (copy, 0)->gil = TRUE;
  g_assert_true (il_experiment_equal (experiment, copy));
  run_at (copy, 1)->gil = TRUE;
  g_assert_false (il_experiment_equal (experiment, copy));

  name = il_task_group_display_name (group, 0);
  g_assert_cmpstr (name, ==, "fragment");
  g_free (name);
  g_clear_pointer (&group->name, g_free);
  name = il_task_group_display_name (group, 2);
  g_assert_cmpstr (name, ==, "task 3");
  g_free (name);

  /* The boxed type copies and frees. */
  {
    IlExperiment *boxed = g_boxed_copy (IL_TYPE_EXPERIMENT, experiment);

    g_assert_true (il_experiment_equal (experiment, boxed));
    g_boxed_free (IL_TYPE_EXPERIMENT, boxed);
  }
}

/* Loading valid files */

static void
test_load_format_example (void)
{
  g_autoptr(IlExperiment) experiment = load_valid ("format-example.interleave");
  IlTaskGroup *group;
  IlRunConfig *run;

  g_assert_cmpstr (experiment->name, ==, "CPU-bound: threads vs processes");
  g_assert_cmpstr (experiment->description, ==, "Free text shown beside the experiment.");
  g_assert_cmpuint (experiment->tasks->len, ==, 1);

  group = g_ptr_array_index (experiment->tasks, 0);
  g_assert_cmpint (group->repeat, ==, 8);
  g_assert_cmpuint (group->blocks->len, ==, 6);
  g_assert_cmpint (block_at (experiment, 0, 0)->kernel, ==, IL_KERNEL_SPIN);
  g_assert_cmpint (block_at (experiment, 0, 0)->units, ==, 40);
  g_assert_cmpint (block_at (experiment, 0, 1)->ms, ==, 50);
  g_assert_cmpint (block_at (experiment, 0, 2)->delay_ms, ==, 20);
  g_assert_cmpint (block_at (experiment, 0, 2)->bytes, ==, 1024);
  g_assert_cmpstr (block_at (experiment, 0, 3)->url, ==, "https://example.org/");
  g_assert_true (block_at (experiment, 0, 4)->fsync);
  g_assert_cmpint (block_at (experiment, 0, 5)->type, ==, IL_BLOCK_FILE_READ);

  g_assert_cmpuint (experiment->runs->len, ==, 5);
  run = run_at (experiment, 1);
  g_assert_true (run->workers_sweep);
  g_assert_cmpuint (run->workers->len, ==, 4);
  g_assert_cmpuint (g_array_index (run->workers, guint, 3), ==, 8);
  run = run_at (experiment, 2);
  g_assert_false (run->workers_sweep);
  g_assert_true (run->gil);
  g_assert_cmpuint (run->switch_interval_ms, ==, 5);
  g_assert_cmpint (run_at (experiment, 3)->spawn, ==, IL_SPAWN_POOL);
  for (guint i = 0; i < experiment->runs->len; i++)
    g_assert_true (run_at (experiment, i)->enabled);

  g_assert_cmpuint (experiment->settings.repetitions, ==, 3);
  g_assert_cmpuint (experiment->settings.warmup, ==, 1);
  g_assert_cmpint (experiment->settings.order, ==, IL_ORDER_INTERLEAVED);
  g_assert_cmpuint (experiment->settings.cpu_affinity->len, ==, 2);
  g_assert_null (experiment->quiz);
  g_assert_null (experiment->results);
}

static void
test_load_everything (void)
{
  g_autoptr(IlExperiment) experiment = load_valid ("everything.interleave");
  g_autofree char *path = data_path ("valid", "everything.interleave");
  g_autofree char *contents = NULL;
  g_autofree char *saved = NULL;
  gboolean         seen_type[IL_N_BLOCK_TYPES] = { FALSE };
  gboolean         seen_kernel[IL_N_KERNELS] = { FALSE };
  gboolean         seen_executor[IL_N_EXECUTORS] = { FALSE };
  IlTaskGroup     *group;
  IlRunResult     *run_result;
  IlRepetition    *rep;

  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      group = g_ptr_array_index (experiment->tasks, g);
      for (guint b = 0; b < group->blocks->len; b++)
        {
          IlBlock *block = g_ptr_array_index (group->blocks, b);

          seen_type[block->type] = TRUE;
          if (block->type == IL_BLOCK_CPU)
            seen_kernel[block->kernel] = TRUE;
        }
    }
  for (guint i = 0; i < experiment->runs->len; i++)
    seen_executor[run_at (experiment, i)->executor] = TRUE;

  for (guint i = 0; i < IL_N_BLOCK_TYPES; i++)
    g_assert_true (seen_type[i]);
  for (guint i = 0; i < IL_N_KERNELS; i++)
    g_assert_true (seen_kernel[i]);
  for (guint i = 0; i < IL_N_EXECUTORS; i++)
    g_assert_true (seen_executor[i]);

  group = g_ptr_array_index (experiment->tasks, 0);
  g_assert_cmpint (group->payload_bytes, ==, 4096);
  g_assert_cmpstr (((IlTaskGroup *) g_ptr_array_index (experiment->tasks, 2))->name, ==, "");
  g_assert_null (((IlTaskGroup *) g_ptr_array_index (experiment->tasks, 1))->name);
  g_assert_cmpuint (il_experiment_count_tasks (experiment), ==, 3 + 1 + 100000);

  g_assert_cmpstr (run_at (experiment, 6)->label, ==, "ünïcødé ×256");
  g_assert_cmpuint (run_at (experiment, 4)->switch_interval_ms, ==, 10);
  g_assert_cmpint (run_at (experiment, 8)->spawn, ==, IL_SPAWN_PER_TASK);
  g_assert_true (run_at (experiment, 8)->workers_sweep);
  g_assert_cmpuint (run_at (experiment, 10)->cpu_slice_units, ==, 5);
  g_assert_true (run_at (experiment, 3)->workers_sweep);
  g_assert_cmpuint (run_at (experiment, 3)->workers->len, ==, 1);

  g_assert_cmpint (experiment->settings.order, ==, IL_ORDER_SHUFFLED);
  g_assert_cmpuint (experiment->settings.sample_hz, ==, 50);
  g_assert_nonnull (experiment->quiz);
  g_assert_cmpuint (g_strv_length (experiment->quiz->choices), ==, 3);
  g_assert_cmpuint (experiment->quiz->answer, ==, 1);

  g_assert_nonnull (experiment->results);
  g_assert_cmpuint (experiment->results->runs->len, ==, 4);
  run_result = g_ptr_array_index (experiment->results->runs, 1);
  g_assert_true (isnan (run_result->summary.speedup));
  rep = g_ptr_array_index (run_result->repetitions, 0);
  g_assert_cmpuint (rep->gil_holds->len, ==, 2);
  g_assert_cmpint (g_array_index (rep->tasks, IlTaskRecord, 0).state.gil_wait, ==, 500000);

  /* The file is written in the saver's own layout: saving it again gives
   * the same bytes. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  saved = il_experiment_to_data (experiment, NULL);
  g_assert_cmpstr (saved, ==, contents);

  {
    g_autoptr(GError) error = NULL;

    g_assert_true (il_experiment_validate (experiment, &error));
    g_assert_no_error (error);
  }
}

static void
test_load_display_name (void)
{
  static const char text[] =
    "{\n"
    "  \"interleave\": 1,\n"
    "  \"name\": \"ééé\", \"bogus\": 1,\n"
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
    "  \"runs\": [ { \"executor\": \"sequential\" } ]\n"
    "}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;

  experiment = il_experiment_load_data (text, -1, "cpu.interleave", &error);
  g_assert_null (experiment);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  /* Columns count characters, not bytes: "é" is two bytes but one column. */
  g_assert_true (g_str_has_prefix (error->message, "cpu.interleave:3:18: bogus: unknown field"));
}

static void
test_load_not_utf8 (void)
{
  static const char text[] = "{\n  \"interleave\": 1,\n  \"name\": \"caf\xe9\"\n}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;

  experiment = il_experiment_load_data (text, -1, "latin1.interleave", &error);
  g_assert_null (experiment);
  g_assert_error (error, IL_ERROR, IL_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "latin1.interleave:3:15: "));
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

static void
test_load_missing_file (void)
{
  g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/dir/x.interleave");
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;

  experiment = il_experiment_load_file (file, &error);
  g_assert_null (experiment);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* Invalid files: one per class of error, with the exact position. */

typedef struct
{
  const char *file;
  int         code;
  const char *prefix;   /* after "PATH:" */
  const char *contains; /* a part of the message that says what was expected */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "malformed", IL_ERROR_PARSE, "6:1: malformed JSON", "expected ',' or ']'" },
  { "trailing-comma", IL_ERROR_PARSE, "5:43: malformed JSON", "trailing comma" },
  { "comment", IL_ERROR_PARSE, "3:16: malformed JSON", "comments are not allowed" },
  { "empty", IL_ERROR_PARSE, "1:1: malformed JSON", "empty" },
  { "not-object", IL_ERROR_INVALID, "1:1: expected an Interleave experiment", "got an array" },
  { "missing-version", IL_ERROR_INVALID, "1:1: interleave: required field is missing", "\"interleave\": 1" },
  { "wrong-version", IL_ERROR_INVALID, "2:17: interleave: expected 1, got 2", "newer version" },
  { "version-string", IL_ERROR_INVALID, "2:17: interleave: expected 1, got the string \"1\"", NULL },
  { "unknown-type", IL_ERROR_INVALID, "4:38: tasks[0].blocks[0].type: ", "got the string \"gpu\"" },
  { "unknown-kernel", IL_ERROR_INVALID, "5:46: tasks[0].blocks[0].kernel: ", "\"matmul\", got the string \"fib\"" },
  { "unknown-executor", IL_ERROR_INVALID, "5:57: runs[1].executor: ", "got the string \"fibers\"" },
  { "unknown-spawn", IL_ERROR_INVALID, "5:49: runs[0].spawn: ", "expected \"pool\" or \"per-task\"" },
  { "unknown-order", IL_ERROR_INVALID, "6:26: settings.order: ", "\"shuffled\", got the string \"random\"" },
  { "units-range", IL_ERROR_INVALID,
    "13:24: tasks[0].blocks[0].units: expected an integer from 1 to 1000000, got 2000000", NULL },
  { "integer-fraction", IL_ERROR_INVALID, "4:26: tasks[0].repeat: expected an integer from 1 to 100000, got 1.5", NULL },
  { "integer-string", IL_ERROR_INVALID, "4:53: tasks[0].blocks[0].ms: ", "got the string \"50\"" },
  { "integer-overflow", IL_ERROR_INVALID, "4:53: tasks[0].blocks[0].ms: ", "got 18446744073709551617" },
  { "unknown-field", IL_ERROR_INVALID, "4:63: tasks[0].blocks[0].unit: unknown field", "did you mean \"units\"" },
  { "unknown-field-settings", IL_ERROR_INVALID, "6:35: settings.warmups: unknown field", "\"warmup\"" },
  { "unknown-field-quiz", IL_ERROR_INVALID, "6:72: quiz.hint: unknown field", "\"explanation\"" },
  { "unknown-field-top", IL_ERROR_INVALID, "6:3: author: unknown field", NULL },
  { "gil-on-processes", IL_ERROR_INVALID, "5:54: runs[0].gil: ", "only to threads runs" },
  { "gil-on-cpython", IL_ERROR_INVALID, "5:80: runs[0].gil: ", "does not apply to the cpython engine" },
  { "switch-on-async", IL_ERROR_INVALID, "5:36: runs[0].switch_interval_ms: ", "does not apply to an async run" },
  { "spawn-on-threads", IL_ERROR_INVALID, "5:38: runs[0].spawn: ", "only to processes runs" },
  { "slice-on-threads", IL_ERROR_INVALID, "5:38: runs[0].cpu_slice_units: ", "only to async runs" },
  { "workers-on-sequential", IL_ERROR_INVALID, "5:41: runs[0].workers: ", "does not apply to a sequential run" },
  { "workers-on-async", IL_ERROR_INVALID, "5:36: runs[0].workers: ", "does not apply to an async run" },
  { "url-with-delay", IL_ERROR_INVALID, "4:77: tasks[0].blocks[0].delay_ms: ", "cannot be combined with \"url\"" },
  { "ms-on-cpu", IL_ERROR_INVALID, "4:75: tasks[0].blocks[0].ms: ", "does not apply to a cpu block" },
  { "units-on-sleep", IL_ERROR_INVALID, "4:56: tasks[0].blocks[0].units: ", "does not apply to a sleep block" },
  { "fsync-on-read", IL_ERROR_INVALID, "4:66: tasks[0].blocks[0].fsync: ", "only to file-write blocks" },
  { "missing-units", IL_ERROR_INVALID, "4:28: tasks[0].blocks[0].units: required field is missing", NULL },
  { "missing-runs", IL_ERROR_INVALID, "1:1: runs: required field is missing", NULL },
  { "no-blocks", IL_ERROR_INVALID, "4:26: tasks[0].blocks: expected 1 to 64 blocks, got 0", NULL },
  { "too-many-tasks", IL_ERROR_INVALID, "15:17: tasks[10].repeat: ", "limit of 1000000" },
  { "url-scheme", IL_ERROR_INVALID, "4:53: tasks[0].blocks[0].url: ", "got the scheme \"ftp\"" },
  { "url-unparsable", IL_ERROR_INVALID, "4:53: tasks[0].blocks[0].url: ", "http:// or https://" },
  { "quiz-answer", IL_ERROR_INVALID, "6:92: quiz.answer: ", "(0 to 1), got 2" },
  { "affinity-duplicate", IL_ERROR_INVALID, "6:40: settings.cpu_affinity[2]: ", "core 1 is listed twice" },
  { "affinity-negative", IL_ERROR_INVALID, "6:37: settings.cpu_affinity[1]: ", "got -1" },
  { "workers-empty", IL_ERROR_INVALID, "5:49: runs[0].workers: ", "got an empty array" },
  { "name-too-long", IL_ERROR_INVALID, "3:11: name: expected at most 200 characters, got 201", NULL },
  { "duplicate-field", IL_ERROR_INVALID, "4:56: tasks[0].blocks[0].ms: ", "appears twice" },
  { "results-bad", IL_ERROR_INVALID, "8:67: results.runs[0].summary.speedup: ", "expected a number or null" },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *c = data;
  g_autofree char   *name = g_strconcat (c->file, ".interleave", NULL);
  g_autofree char   *path = data_path ("invalid", name);
  g_autofree char   *prefix = g_strconcat (path, ":", c->prefix, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;

  experiment = il_experiment_load_file (file, &error);
  g_assert_null (experiment);
  g_assert_error (error, IL_ERROR, c->code);

  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected a message starting with\n  %s\ngot\n  %s", prefix, error->message);
  if (c->contains != NULL && strstr (error->message, c->contains) == NULL)
    g_error ("expected a message containing\n  %s\ngot\n  %s", c->contains, error->message);
}

/* Every invalid file has a test case and every case a file. */
static void
test_invalid_complete (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "invalid", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint       n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean found = FALSE;

      if (!g_str_has_suffix (name, ".interleave"))
        continue;
      n_files++;
      for (guint i = 0; i < G_N_ELEMENTS (invalid_cases) && !found; i++)
        found = strlen (name) == strlen (invalid_cases[i].file) + strlen (".interleave") &&
                g_str_has_prefix (name, invalid_cases[i].file);
      if (!found)
        g_error ("tests/data/invalid/%s has no test case", name);
    }

  g_assert_cmpuint (n_files, ==, G_N_ELEMENTS (invalid_cases));
}

/* Saving */

static void
test_save_roundtrip (void)
{
  const char *names[] = { "format-example.interleave", "everything.interleave" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(IlExperiment) experiment = load_valid (names[i]);
      g_autoptr(IlExperiment) again = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;
      gsize            length = 0;

      first = il_experiment_to_data (experiment, &length);
      g_assert_cmpuint (length, ==, strlen (first));
      g_assert_true (g_str_has_suffix (first, "}\n"));
      g_assert_true (g_str_has_prefix (first, "{\n  \"interleave\": 1,\n  \"name\": "));

      again = il_experiment_load_data (first, length, "saved", &error);
      g_assert_no_error (error);
      g_assert_true (il_experiment_equal (experiment, again));

      second = il_experiment_to_data (again, NULL);
      g_assert_cmpstr (first, ==, second);
    }

  /* An experiment built in memory survives the trip too. */
  {
    g_autoptr(IlExperiment) experiment = il_experiment_new ();
    g_autoptr(IlExperiment) again = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *data = il_experiment_to_data (experiment, NULL);

    /* Defaults are omitted: no settings, no description, no quiz. */
    g_assert_null (strstr (data, "settings"));
    g_assert_null (strstr (data, "description"));
    g_assert_null (strstr (data, "quiz"));
    g_assert_null (strstr (data, "results"));

    again = il_experiment_load_data (data, -1, "new", &error);
    g_assert_no_error (error);
    g_assert_true (il_experiment_equal (experiment, again));
  }
}

static guint
count_dir_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_save_atomic (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-test-save-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing_dir = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) missing = NULL;
  g_autoptr(IlExperiment) experiment = il_experiment_new ();
  g_autoptr(IlExperiment) loaded = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "saved.interleave", NULL);
  file = g_file_new_for_path (path);

  /* Over an existing file: replaced whole, nothing left beside it. */
  g_assert_true (g_file_set_contents (path, "old contents", -1, NULL));
  g_assert_true (il_experiment_save_file (experiment, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  expected = il_experiment_to_data (experiment, NULL);
  g_assert_cmpstr (contents, ==, expected);
  g_assert_cmpuint (count_dir_entries (dir), ==, 1);

  loaded = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_true (il_experiment_equal (experiment, loaded));

  /* Into a directory that does not exist: an error, and nothing created. */
  missing_dir = g_build_filename (dir, "missing", NULL);
  {
    g_autofree char *missing_path = g_build_filename (missing_dir, "x.interleave", NULL);

    missing = g_file_new_for_path (missing_path);
  }
  g_assert_false (il_experiment_save_file (experiment, missing, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing_dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_dir_entries (dir), ==, 1);

  /* The old file is still intact after the failed save elsewhere. */
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Validation of in-memory models (the GUI's editor) */

static void
expect_invalid (IlExperiment *experiment,
                const char   *prefix)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (il_experiment_validate (experiment, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected a message starting with\n  %s\ngot\n  %s", prefix, error->message);
}

static void
test_validate (void)
{
  g_autoptr(IlExperiment) base = il_experiment_new ();
  IlExperiment *e;

  e = il_experiment_copy (base);
  block_at (e, 0, 0)->units = 0;
  expect_invalid (e, "tasks[0].blocks[0].units: expected an integer from 1 to 1000000, got 0");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  g_ptr_array_add (((IlTaskGroup *) g_ptr_array_index (e->tasks, 0))->blocks,
                   il_block_new (IL_BLOCK_SLEEP));
  block_at (e, 0, 1)->ms = IL_MAX_MS + 1;
  expect_invalid (e, "tasks[0].blocks[1].ms: expected an integer from 0 to 600000, got 600001");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  g_free (e->name);
  e->name = g_strdup ("");
  expect_invalid (e, "name: expected a non-empty string");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  g_ptr_array_set_size (e->runs, 0);
  expect_invalid (e, "runs: expected 1 to 32 runs, got 0");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  ((IlTaskGroup *) g_ptr_array_index (e->tasks, 0))->repeat = IL_MAX_REPEAT;
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (e->tasks, il_task_group_copy (g_ptr_array_index (e->tasks, 0)));
  expect_invalid (e, "tasks[10].repeat: the experiment would have 1100000 tasks");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  run_at (e, 1)->workers_sweep = TRUE;
  expect_invalid (e, "runs[1].workers: expected at least one worker count");
  {
    guint values[] = { 2, 300 };

    g_array_append_vals (run_at (e, 1)->workers, values, 2);
  }
  expect_invalid (e, "runs[1].workers[1]: expected an integer from 1 to 256, got 300");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  run_at (e, 1)->switch_interval_ms = 0;
  expect_invalid (e, "runs[1].switch_interval_ms: expected an integer from 1 to 1000, got 0");
  run_at (e, 1)->executor = IL_EXECUTOR_PROCESSES;
  /* Not a threads run any more: the interval is not saved, not checked. */
  g_assert_true (il_experiment_validate (e, NULL));
  il_experiment_free (e);

  e = il_experiment_copy (base);
  e->settings.cpu_affinity = g_array_new (FALSE, FALSE, sizeof (guint));
  {
    guint cores[] = { 0, 1, 0 };

    g_array_append_vals (e->settings.cpu_affinity, cores, 3);
  }
  expect_invalid (e, "settings.cpu_affinity[2]: core 0 is listed twice");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  e->settings.repetitions = 0;
  expect_invalid (e, "settings.repetitions: expected an integer from 1 to 100, got 0");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  e->quiz = g_new0 (IlQuiz, 1);
  e->quiz->question = g_strdup ("Faster?");
  e->quiz->choices = g_strsplit ("yes|no", "|", -1);
  e->quiz->answer = 2;
  expect_invalid (e, "quiz.answer: expected the index of one of the 2 choices (0 to 1), got 2");
  e->quiz->answer = 1;
  g_assert_true (il_experiment_validate (e, NULL));
  il_experiment_free (e);

  e = il_experiment_copy (base);
  block_at (e, 0, 0)->type = IL_BLOCK_HTTP;
  block_at (e, 0, 0)->url = g_strdup ("file:///etc/passwd");
  expect_invalid (e, "tasks[0].blocks[0].url: expected an http:// or https:// URL");
  il_experiment_free (e);

  e = il_experiment_copy (base);
  run_at (e, 0)->label = g_strnfill (IL_MAX_LABEL_CHARS + 1, 'x');
  expect_invalid (e, "runs[0].label: expected at most 100 characters, got 101");
  il_experiment_free (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/experiment/enums", test_enums);
  g_test_add_func ("/il/experiment/describe", test_describe);
  g_test_add_func ("/il/experiment/labels", test_labels);
  g_test_add_func ("/il/experiment/new-copy-equal", test_new_copy_equal);
  g_test_add_func ("/il/experiment/load/format-example", test_load_format_example);
  g_test_add_func ("/il/experiment/load/everything", test_load_everything);
  g_test_add_func ("/il/experiment/load/display-name-and-columns", test_load_display_name);
  g_test_add_func ("/il/experiment/load/not-utf8", test_load_not_utf8);
  g_test_add_func ("/il/experiment/load/missing-file", test_load_missing_file);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *test_path = g_strconcat ("/il/experiment/invalid/", invalid_cases[i].file, NULL);

      g_test_add_data_func (test_path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/il/experiment/invalid-complete", test_invalid_complete);
  g_test_add_func ("/il/experiment/save/roundtrip", test_save_roundtrip);
  g_test_add_func ("/il/experiment/save/atomic", test_save_atomic);
  g_test_add_func ("/il/experiment/validate", test_validate);

  return g_test_run ();
}
