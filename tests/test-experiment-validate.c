/* test-experiment-validate.c — the experiment model's rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il_experiment_validate() on models built in memory, as the GUI's editor
 * builds them: every rule of docs/experiment-format.md, with its message.
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

  /* Checked only by the runner before: validate passed what run refused. */
  e = il_experiment_copy (base);
  block_at (e, 0, 0)->type = IL_BLOCK_FILE_READ;
  block_at (e, 0, 0)->bytes = 4096;
  expect_invalid (e, "tasks[0].blocks[0].type: a file-read reads back what its task wrote");
  block_at (e, 0, 0)->type = IL_BLOCK_FILE_WRITE;
  g_assert_true (il_experiment_validate (e, NULL));
  il_experiment_free (e);

  /* A URL has a length limit now, like every other string. */
  e = il_experiment_copy (base);
  block_at (e, 0, 0)->type = IL_BLOCK_HTTP;
  {
    g_autofree char *host = g_strnfill (IL_MAX_URL_CHARS, 'h');

    block_at (e, 0, 0)->url = g_strconcat ("http://", host, NULL);
  }
  expect_invalid (e, "tasks[0].blocks[0].url: expected at most 2048 characters, got 2055");
  il_experiment_free (e);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/experiment/validate", test_validate);

  return g_test_run ();
}
