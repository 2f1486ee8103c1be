/* test-experiment.c — the experiment model: enums, descriptions, labels, copies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file format has its own tests: test-experiment-read.c (loading and
 * its errors), test-experiment-validate.c (the model's rules) and
 * test-experiment-save.c (writing).
 */

#include "il-experiment.h"

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

/* A new experiment measures with spread and a warm-up (issue 12); a file
 * that leaves `settings` out still reads with the format's defaults. */
static void
test_new_defaults (void)
{
  g_autoptr(IlExperiment) experiment = il_experiment_new ();
  g_autoptr(IlExperiment) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (experiment->settings.repetitions, ==, 3);
  g_assert_cmpuint (experiment->settings.warmup, ==, 1);
  g_assert_cmpuint (experiment->settings.sample_hz, ==, 20);

  loaded = il_experiment_load_data ("{ \"interleave\": 1, \"name\": \"n\", \"tasks\": [ { \"blocks\": "
                                    "[ { \"type\": \"sleep\", \"ms\": 1 } ] } ], \"runs\": [ { \"executor\": "
                                    "\"sequential\" } ] }",
                                    -1, "defaults.interleave", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->settings.repetitions, ==, 1);
  g_assert_cmpuint (loaded->settings.warmup, ==, 0);
  g_assert_cmpuint (loaded->settings.sample_hz, ==, 20);
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
  g_test_add_func ("/il/experiment/new-defaults", test_new_defaults);

  return g_test_run ();
}
