/* test-edit-rules.c — what the editor marks, and in which words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il_experiment_find_problems() must mark exactly the blocks the file's
 * validation refuses (it applies the same rules to every block instead of
 * stopping at the first); il_experiment_check() says the validation's
 * verdict with places as the editor shows them; the text fields' parsers
 * accept exactly what the validation accepts.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "il-edit-rules.h"
#include "il-experiment.h"

static IlTaskGroup *
group_at (IlExperiment *experiment,
          guint         group)
{
  return g_ptr_array_index (experiment->tasks, group);
}

/* A group named @name with the blocks of @types (IL_N_BLOCK_TYPES ends). */
static IlTaskGroup *
group_new (const char        *name,
           const IlBlockType *types)
{
  IlTaskGroup *group = il_task_group_new ();

  g_ptr_array_set_size (group->blocks, 0);
  group->name = g_strdup (name);
  for (guint i = 0; types[i] != IL_N_BLOCK_TYPES; i++)
    g_ptr_array_add (group->blocks, il_block_new (types[i]));
  return group;
}

static const IlProblem *
problem_at (GPtrArray *problems,
            guint      i)
{
  g_assert_cmpuint (i, <, problems->len);
  return g_ptr_array_index (problems, i);
}

static void
test_read_before_write (void)
{
  g_autoptr(IlExperiment) experiment = il_experiment_new ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  static const IlBlockType job[] = { IL_BLOCK_CPU, IL_BLOCK_FILE_READ, IL_BLOCK_FILE_WRITE,
                                     IL_BLOCK_FILE_READ, IL_N_BLOCK_TYPES };
  static const IlBlockType reads[] = { IL_BLOCK_SLEEP, IL_BLOCK_SLEEP, IL_BLOCK_SLEEP,
                                       IL_BLOCK_FILE_READ, IL_BLOCK_FILE_READ, IL_N_BLOCK_TYPES };
  g_autofree char         *first = NULL;
  g_autofree char         *text = NULL;

  /* A valid experiment has no problem. */
  problems = il_experiment_find_problems (experiment);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_true (il_experiment_check (experiment, NULL));
  g_clear_pointer (&problems, g_ptr_array_unref);

  g_ptr_array_add (experiment->tasks, group_new ("job", job));
  g_ptr_array_add (experiment->tasks, group_new (NULL, reads));

  /* Every read before the group's first write is marked, each on its own
   * block; a read after the write is fine. */
  problems = il_experiment_find_problems (experiment);
  g_assert_cmpuint (problems->len, ==, 3);
  g_assert_cmpint (problem_at (problems, 0)->kind, ==, IL_PROBLEM_READ_BEFORE_WRITE);
  g_assert_cmpuint (problem_at (problems, 0)->group, ==, 1);
  g_assert_cmpuint (problem_at (problems, 0)->block, ==, 1);
  g_assert_cmpuint (problem_at (problems, 1)->group, ==, 2);
  g_assert_cmpuint (problem_at (problems, 1)->block, ==, 3);
  g_assert_cmpuint (problem_at (problems, 2)->group, ==, 2);
  g_assert_cmpuint (problem_at (problems, 2)->block, ==, 4);

  /* The place as the user sees it: the group's name (or "task N"), the
   * block from 1; never a JSON path. */
  first = il_problem_to_string (experiment, problem_at (problems, 0));
  g_assert_true (g_str_has_prefix (first, "job, block 2: "));
  g_assert_null (strstr (first, "tasks["));
  g_clear_pointer (&first, g_free);
  first = il_problem_to_string (experiment, problem_at (problems, 1));
  g_assert_true (g_str_has_prefix (first, "task 3, block 4: "));

  /* The text shown on one block, and none on the others. */
  text = il_problems_text_for (experiment, problems, 1, 1);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "job, block 2: "));
  g_assert_nonnull (strstr (text, "File Write"));
  g_assert_null (il_problems_text_for (experiment, problems, 1, 0));
  g_assert_null (il_problems_text_for (experiment, problems, 1, 3));
  g_assert_null (il_problems_text_for (experiment, problems, 1, IL_PROBLEM_WHOLE_GROUP));

  /* The same verdict as the file's validation, in the editor's words. */
  g_assert_false (il_experiment_validate (experiment, NULL));
  g_assert_false (il_experiment_check (experiment, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "job, block 2: "));

  /* Fixed by a write before the reads: no problem left, and valid. */
  g_ptr_array_insert (group_at (experiment, 1)->blocks, 0, il_block_new (IL_BLOCK_FILE_WRITE));
  g_ptr_array_insert (group_at (experiment, 2)->blocks, 3, il_block_new (IL_BLOCK_FILE_WRITE));
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = il_experiment_find_problems (experiment);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_true (il_experiment_validate (experiment, NULL));
}

/* The marks and the validation agree on every arrangement of up to four
 * blocks of cpu, write and read: the rule is one. */
static void
test_agrees_with_validation (void)
{
  static const IlBlockType kinds[] = { IL_BLOCK_CPU, IL_BLOCK_FILE_WRITE, IL_BLOCK_FILE_READ };

  for (guint n = 1; n <= 4; n++)
    {
      guint combos = 1;

      for (guint i = 0; i < n; i++)
        combos *= G_N_ELEMENTS (kinds);
      for (guint c = 0; c < combos; c++)
        {
          g_autoptr(IlExperiment) experiment = il_experiment_new ();
          g_autoptr(GPtrArray) problems = NULL;
          IlBlockType types[5];
          guint       code = c;

          for (guint i = 0; i < n; i++, code /= G_N_ELEMENTS (kinds))
            types[i] = kinds[code % G_N_ELEMENTS (kinds)];
          types[n] = IL_N_BLOCK_TYPES;
          g_ptr_array_set_size (experiment->tasks, 0);
          g_ptr_array_add (experiment->tasks, group_new ("g", types));
          problems = il_experiment_find_problems (experiment);
          g_assert_cmpint (problems->len == 0, ==, il_experiment_validate (experiment, NULL));
          g_assert_cmpint (problems->len == 0, ==, il_experiment_check (experiment, NULL));
        }
    }
}

static void
test_too_many_tasks (void)
{
  g_autoptr(IlExperiment) experiment = il_experiment_new ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  static const IlBlockType cpu[] = { IL_BLOCK_CPU, IL_N_BLOCK_TYPES };
  g_autofree char         *text = NULL;

  /* Ten groups of 100,000 tasks: exactly the limit, fine. */
  g_ptr_array_set_size (experiment->tasks, 0);
  for (guint i = 0; i < 10; i++)
    {
      IlTaskGroup *group = group_new (NULL, cpu);

      group->repeat = IL_MAX_REPEAT;
      g_ptr_array_add (experiment->tasks, group);
    }
  problems = il_experiment_find_problems (experiment);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_true (il_experiment_validate (experiment, NULL));
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* An eleventh passes it: the mark goes on that group, as a whole. */
  g_ptr_array_add (experiment->tasks, group_new ("big", cpu));
  group_at (experiment, 10)->repeat = IL_MAX_REPEAT;
  problems = il_experiment_find_problems (experiment);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpint (problem_at (problems, 0)->kind, ==, IL_PROBLEM_TOO_MANY_TASKS);
  g_assert_cmpuint (problem_at (problems, 0)->group, ==, 10);
  g_assert_cmpuint (problem_at (problems, 0)->block, ==, IL_PROBLEM_WHOLE_GROUP);
  text = il_problems_text_for (experiment, problems, 10, IL_PROBLEM_WHOLE_GROUP);
  g_assert_nonnull (strstr (text, "1100000"));
  g_assert_false (il_experiment_validate (experiment, NULL));
  g_assert_false (il_experiment_check (experiment, &error));
  g_assert_true (g_str_has_prefix (error->message, "big: "));
}

/* A value outside its range (a model not built by the editor's fields) is
 * marked on its block, and il_experiment_check names the block. */
static void
test_value_and_places (void)
{
  g_autoptr(IlExperiment) experiment = il_experiment_new ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  IlBlock     *block = g_ptr_array_index (group_at (experiment, 0)->blocks, 0);
  IlRunConfig *run;

  block->units = 0;
  problems = il_experiment_find_problems (experiment);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpint (problem_at (problems, 0)->kind, ==, IL_PROBLEM_VALUE);
  g_assert_true (g_str_has_prefix (problem_at (problems, 0)->message, "units: "));
  g_assert_false (il_experiment_check (experiment, &error));
  g_assert_true (g_str_has_prefix (error->message, "fragment, block 1: units: "));
  g_clear_error (&error);
  block->units = 5;

  /* Runs and settings: named as the runs page shows them. */
  run = g_ptr_array_index (experiment->runs, 1);
  run->switch_interval_ms = 0;
  g_assert_false (il_experiment_check (experiment, &error));
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "run 2 ("));
  g_assert_nonnull (strstr (error->message, "), switch_interval_ms: "));
  g_assert_null (strstr (error->message, "runs["));
  g_clear_error (&error);
  run->switch_interval_ms = 5;

  experiment->settings.repetitions = 0;
  g_assert_false (il_experiment_check (experiment, &error));
  g_assert_true (g_str_has_prefix (error->message, "Settings, repetitions: "));
  g_clear_error (&error);
  experiment->settings.repetitions = 1;
  g_assert_true (il_experiment_check (experiment, NULL));
}

static void
test_workers_parse (void)
{
  g_autoptr(GArray) workers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) many = g_string_new (NULL);

  g_assert_true (il_workers_parse ("4", workers, NULL));
  g_assert_cmpuint (workers->len, ==, 1);
  g_assert_true (il_workers_parse (" 1, 2,4 8 ", workers, NULL));
  g_assert_cmpuint (workers->len, ==, 4);
  g_assert_cmpuint (g_array_index (workers, guint, 3), ==, 8);
  text = il_workers_format (workers);
  g_assert_cmpstr (text, ==, "1, 2, 4, 8");
  g_assert_true (il_workers_parse ("", workers, NULL));
  g_assert_cmpuint (workers->len, ==, 0);

  g_assert_false (il_workers_parse ("1, two, 4", workers, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“two” is not a number"));
  /* A refused text leaves nothing half-parsed behind. */
  g_assert_cmpuint (workers->len, ==, 0);
  g_clear_error (&error);
  g_assert_false (il_workers_parse ("0", workers, &error));
  g_assert_nonnull (strstr (error->message, "“0” is not from 1 to 256"));
  g_clear_error (&error);
  g_assert_false (il_workers_parse ("257", workers, &error));
  g_assert_nonnull (strstr (error->message, "“257”"));
  g_clear_error (&error);
  g_assert_false (il_workers_parse ("4;8", workers, &error));
  g_clear_error (&error);
  g_assert_false (il_workers_parse ("-1", workers, &error));
  g_clear_error (&error);

  for (guint i = 0; i < IL_MAX_WORKERS + 1; i++)
    g_string_append (many, "1,");
  g_assert_false (il_workers_parse (many->str, workers, &error));
  g_assert_nonnull (strstr (error->message, "at most 256"));
}

/* The URL parser accepts exactly what the file's validation accepts. */
static void
test_url_parse (void)
{
  static const char *urls[] = {
    "http://example.com/",
    "https://example.com:8443/x?y=1",
    "HTTP://EXAMPLE.COM",
    "http://127.0.0.1:8080/",
    "http://[::1]/",
    "ftp://example.com/",
    "example.com",
    "http://",
    "http:///path",
    "http://exa%2Fmple.org/",
    "http://a b/",
    "https://ex ample.com/",
    "http://user@host/",
    "mailto:someone@example.com",
    "http://例え.jp/",
    "//example.com/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(IlExperiment) experiment = il_experiment_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      IlBlock         *block = il_block_new (IL_BLOCK_HTTP);
      gboolean         parsed = il_http_url_parse (urls[i], &url, &error);

      g_test_message ("%s: %s", urls[i], error ? error->message : "accepted");
      block->url = g_strdup (urls[i]);
      block->delay_ms = 0;
      block->bytes = 0;
      g_ptr_array_add (group_at (experiment, 0)->blocks, block);
      g_assert_cmpint (parsed, ==, il_experiment_validate (experiment, NULL));
      if (parsed)
        g_assert_cmpstr (url, ==, urls[i]);
      else
        g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
    }

  {
    g_autofree char *url = NULL;
    g_autoptr(GString) long_url = g_string_new ("http://example.com/");
    g_autoptr(GError) error = NULL;

    /* Empty (or blank): the embedded server. */
    g_assert_true (il_http_url_parse ("  ", &url, NULL));
    g_assert_null (url);
    /* Surrounding blanks are not part of the URL. */
    g_assert_true (il_http_url_parse (" http://example.com/ ", &url, NULL));
    g_assert_cmpstr (url, ==, "http://example.com/");
    while (long_url->len <= IL_MAX_URL_CHARS)
      g_string_append_c (long_url, 'x');
    g_assert_false (il_http_url_parse (long_url->str, NULL, &error));
    g_assert_nonnull (strstr (error->message, "2048"));
  }
}

static void
test_estimate (void)
{
  const double per_unit[IL_N_KERNELS] = { 1.5, 2.0, 0.5, 10.0 };
  g_autoptr(IlBlock) cpu = il_block_new (IL_BLOCK_CPU);
  g_autoptr(IlBlock) sleep = il_block_new (IL_BLOCK_SLEEP);
  g_autoptr(IlBlock) http = il_block_new (IL_BLOCK_HTTP);
  g_autoptr(IlBlock) counter = il_block_new (IL_BLOCK_COUNTER);
  g_autofree char *text = NULL;

  cpu->kernel = IL_KERNEL_MATMUL;
  cpu->units = 420;
  g_assert_cmpfloat_with_epsilon (il_block_estimate_ms (cpu, per_unit), 4200.0, 1e-9);
  g_assert_cmpfloat (il_block_estimate_ms (cpu, NULL), <, 0);
  sleep->ms = 2500;
  g_assert_cmpfloat (il_block_estimate_ms (sleep, NULL), ==, 2500.0);
  http->delay_ms = 1200;
  g_assert_cmpfloat (il_block_estimate_ms (http, NULL), ==, 1200.0);
  http->url = g_strdup ("http://example.com/");
  g_assert_cmpfloat (il_block_estimate_ms (http, NULL), <, 0);
  g_assert_cmpfloat (il_block_estimate_ms (counter, per_unit), <, 0);

  text = il_format_estimate (4200.0);
  g_assert_cmpstr (text, ==, "≈ 4.2 s");
  g_clear_pointer (&text, g_free);
  text = il_format_estimate (125000.0);
  g_assert_cmpstr (text, ==, "≈ 2 min 05 s");
  g_clear_pointer (&text, g_free);
  text = il_format_estimate (5400000.0);
  g_assert_cmpstr (text, ==, "≈ 1.5 h");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/edit-rules/read-before-write", test_read_before_write);
  g_test_add_func ("/il/edit-rules/agrees-with-validation", test_agrees_with_validation);
  g_test_add_func ("/il/edit-rules/too-many-tasks", test_too_many_tasks);
  g_test_add_func ("/il/edit-rules/value-and-places", test_value_and_places);
  g_test_add_func ("/il/edit-rules/workers-parse", test_workers_parse);
  g_test_add_func ("/il/edit-rules/url-parse", test_url_parse);
  g_test_add_func ("/il/edit-rules/estimate", test_estimate);

  return g_test_run ();
}
