/* test-experiment-read.c — loading experiment files and their errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Valid files read into the model; hostile and invalid files fail with
 * FILE:LINE:COLUMN messages (docs/experiment-format.md, "Limits and safety"
 * and the error examples).
 */

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  g_assert_cmpint (il_task_record_state (&g_array_index (rep->tasks, IlTaskRecord, 0)).gil_wait, ==, 500000);

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

/* Hostile input: what a shared file must never do to the reader. */

#define TEST_DOC_HEAD "{\n  \"interleave\": 1,\n  \"name\": \"x\",\n"
#define TEST_DOC_TAIL                                                          \
  "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n" \
  "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n"

/* Every message: FILE:LINE:COLUMN, valid UTF-8, bounded. */
static void
assert_good_message (const GError *error,
                     const char   *display_name)
{
  g_autofree char *prefix = g_strconcat (display_name, ":", NULL);
  guint            line = 0, column = 0;

  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), <, 4000);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_cmpint (sscanf (error->message + strlen (prefix), "%u:%u: ", &line, &column), ==, 2);
  g_assert_cmpuint (line, >=, 1);
  g_assert_cmpuint (column, >=, 1);
}

static char *
nested (const char *open,
        const char *close,
        guint       depth)
{
  GString *out = g_string_sized_new (depth * 2);

  for (guint i = 0; i < depth; i++)
    g_string_append (out, open);
  for (guint i = 0; i < depth; i++)
    g_string_append (out, close);
  return g_string_free (out, FALSE);
}

/* ~100,000 levels overflowed json-glib's recursive parser (SIGSEGV): the
 * scan refuses them first, wherever they are. */
static void
test_load_deep_nesting (void)
{
  static const char *const places[] = {
    TEST_DOC_HEAD "  \"description\": %s,\n" TEST_DOC_TAIL,
    TEST_DOC_HEAD TEST_DOC_TAIL, /* (unknown field, below) */
    "{\n  \"interleave\": 1,\n  \"name\": \"x\",\n  \"quiz\": { \"question\": %s },\n"
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
    "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n",
    "{\n  \"interleave\": 1,\n  \"name\": \"x\",\n  \"results\": { \"runs\": %s },\n"
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
    "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n",
  };

  for (guint kind = 0; kind < 2; kind++)
    {
      g_autofree char *deep = kind == 0 ? nested ("[", "]", 100000)
                                        : nested ("{\"a\":", "}", 100000);

      /* {"a":{"a":…}} needs a value at the bottom. */
      if (kind == 1)
        {
          g_autofree char *tmp = g_steal_pointer (&deep);
          GString         *fixed = g_string_new (NULL);

          g_string_append_len (fixed, tmp, 100000 * 5);
          g_string_append (fixed, "0");
          g_string_append (fixed, tmp + 100000 * 5);
          deep = g_string_free (fixed, FALSE);
        }

      for (guint i = 0; i < G_N_ELEMENTS (places); i++)
        {
          g_autofree char *text = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(IlExperiment) experiment = NULL;

          if (i == 1)
            text = g_strdup_printf ("{ \"unknown\": %s, \"interleave\": 1 }", deep);
          else
            {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
              text = g_strdup_printf (places[i], deep);
#pragma GCC diagnostic pop
            }

          experiment = il_experiment_load_data (text, -1, "deep.interleave", &error);
          g_assert_null (experiment);
          g_assert_error (error, IL_ERROR, IL_ERROR_PARSE);
          assert_good_message (error, "deep.interleave");
          g_assert_nonnull (strstr (error->message, "nested more than 64 levels deep"));
        }
    }

  /* Just within the limit: the scan lets it through and the reader says
   * what is wrong with it. */
  {
    g_autofree char *deep = nested ("[", "]", 60);
    g_autofree char *text = g_strdup_printf (TEST_DOC_HEAD "  \"description\": %s,\n" TEST_DOC_TAIL, deep);
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = il_experiment_load_data (text, -1, "d.interleave", &error);

    g_assert_null (experiment);
    g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message, "d.interleave:4:18: description: expected a string"));
  }
}

/* A lone surrogate was stored as invalid UTF-8 (eating the character after
 * it), or quoted raw in the message; \u0000 cut the string short. */
static void
test_load_unicode_escapes (void)
{
  static const struct
  {
    const char *value;
    const char *position;
    const char *contains;
  } refused[] = {
    { "\"\\ud800x\"", "5:6: ", "\\uD800 is the first half of a surrogate pair" },
    { "\"ab\\uD83D\"", "5:8: ", "no second half" },
    { "\"\\ud800\\u0041\"", "5:6: ", "no second half" },
    { "\"\\udc00x\"", "5:6: ", "\\uDC00 is the second half" },
    { "\"\\ude00\\ud83d\"", "5:6: ", "\\uDE00 is the second half" },
    { "\"a\\u0000b\"", "5:7: ", "\\u0000" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *text = g_strdup_printf (TEST_DOC_HEAD "  \"description\":\n    %s,\n" TEST_DOC_TAIL,
                                               refused[i].value);
      g_autofree char *prefix = g_strconcat ("u.interleave:", refused[i].position, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) experiment = il_experiment_load_data (text, -1, "u.interleave", &error);

      g_assert_null (experiment);
      g_assert_error (error, IL_ERROR, IL_ERROR_PARSE);
      assert_good_message (error, "u.interleave");
      if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, refused[i].contains) == NULL)
        g_error ("%s: expected %s… %s, got\n  %s", refused[i].value, prefix, refused[i].contains,
                 error->message);
    }

  /* A real pair is one character. */
  {
    g_autofree char *text = g_strdup_printf (TEST_DOC_HEAD "  \"description\": \"%s\",\n" TEST_DOC_TAIL,
                                             "x\\ud83d\\ude00y\\u00e9");
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = il_experiment_load_data (text, -1, "u.interleave", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (experiment->description, ==, "x\xf0\x9f\x98\x80y\xc3\xa9");
  }

  /* Raw bytes that are not UTF-8, anywhere. */
  {
    static const char text[] = TEST_DOC_HEAD "  \"description\": \"ok\", \"\xc3\x28\": 1,\n" TEST_DOC_TAIL;
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = il_experiment_load_data (text, -1, "raw.interleave", &error);

    g_assert_null (experiment);
    g_assert_error (error, IL_ERROR, IL_ERROR_PARSE);
    assert_good_message (error, "raw.interleave");
    g_assert_true (g_str_has_prefix (error->message, "raw.interleave:4:25: "));
  }
}

/* A 10 MB field name made a 10 MB message: every quote of the file's text
 * is cut to about 80 characters, and control characters are escaped. */
static void
test_load_bounded_messages (void)
{
  g_autofree char *huge = g_strnfill (10 * 1000 * 1000, 'n');
  g_autofree char *huge_url = g_strconcat ("http://", huge, NULL);
  g_autofree char *huge_scheme = g_strconcat (huge, "://x/", NULL);
  g_autofree char *digits = g_strnfill (10 * 1000 * 1000, '9');
  char            *texts[] = {
               /* unknown field */
    g_strdup_printf (TEST_DOC_HEAD "  \"%s\": 1,\n" TEST_DOC_TAIL, huge),
    /* duplicate field */
    g_strdup_printf (TEST_DOC_HEAD "  \"%s\": 1, \"%s\": 2,\n" TEST_DOC_TAIL, huge, huge),
    /* unknown enum value */
    g_strdup_printf (TEST_DOC_HEAD "  \"tasks\": [ { \"blocks\": [ { \"type\": \"%s\" } ] } ],\n"
                                                         "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n",
                                huge),
    /* a URL, a scheme */
    g_strdup_printf (TEST_DOC_HEAD "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"url\": \"%s\" } ] } ],\n"
                                                         "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n",
                                huge_url),
    g_strdup_printf (TEST_DOC_HEAD "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"url\": \"%.1000s\" } ] } ],\n"
                                                         "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n",
                                huge_scheme + 10 * 1000 * 1000 - 990),
    /* a number literal of 10 MB of digits */
    g_strdup_printf (TEST_DOC_HEAD "  \"tasks\": [ { \"repeat\": 9%s, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
                                                         "  \"runs\": [ { \"executor\": \"sequential\" } ]\n}\n",
                                digits),
    /* a field name with control characters, in a nested object */
    g_strdup (TEST_DOC_HEAD "  \"settings\": { \"a\\nb\\u0007\": 1 },\n" TEST_DOC_TAIL),
    g_strdup_printf (TEST_DOC_HEAD "  \"runs\": [ { \"executor\": \"sequential\", \"%s\": 1 } ],\n"
                                                         "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ]\n}\n",
                                huge),
  };

  /* A file name that is not UTF-8 (names are bytes) is shown with U+FFFD. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = il_experiment_load_data ("[", -1, "caf\xe9.interleave", &error);

    g_assert_null (experiment);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    g_assert_true (g_str_has_prefix (error->message, "caf\xef\xbf\xbd.interleave:1:2: "));
  }
  {
    g_autofree char *dir = g_dir_make_tmp ("il-name-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "caf\xe9.interleave", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = NULL;

    g_assert_true (g_file_set_contents (path, "{}", -1, NULL));
    experiment = il_experiment_load_file (file, &error);
    g_assert_null (experiment);
    g_assert_true (g_utf8_validate (error->message, -1, NULL));
    g_unlink (path);
    g_rmdir (dir);
  }

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) experiment = il_experiment_load_data (texts[i], -1, "big.interleave", &error);

      g_assert_null (experiment);
      assert_good_message (error, "big.interleave");
      g_assert_cmpuint (g_utf8_strlen (error->message, -1), <, 400);
      g_assert_null (strchr (error->message, '\n'));
      g_assert_null (strchr (error->message, '\a'));
      g_test_message ("%s", error->message);
      g_free (texts[i]);
    }
}

/* json-glib keeps about 100 bytes per value: a document of millions of
 * small values (a results section, say) is refused before it is built. */
static void
test_load_too_many_values (void)
{
  GString *text = g_string_new (TEST_DOC_HEAD "  \"results\": { \"interleave_results\": 1, \"runs\": [ [");
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;

  for (guint i = 0; i < 2100000; i++)
    g_string_append (text, i == 0 ? "0" : ",0");
  g_string_append (text, "] ] },\n" TEST_DOC_TAIL);

  experiment = il_experiment_load_data (text->str, text->len, "many.interleave", &error);
  g_string_free (text, TRUE);
  g_assert_null (experiment);
  g_assert_error (error, IL_ERROR, IL_ERROR_PARSE);
  assert_good_message (error, "many.interleave");
  g_assert_nonnull (strstr (error->message, "the results hold more than 2000000 JSON values"));
}

/* Only regular files are read, and at most IL_MAX_EXPERIMENT_FILE_MIB of
 * them: /dev/zero made `validate` abort, a FIFO made it wait for ever. */
static void
test_load_file_kinds (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-kinds-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe.interleave", NULL);
  g_autofree char *big = g_build_filename (dir, "big.interleave", NULL);
  const char      *paths[] = { "/dev/zero", dir, fifo, big };
  g_autofree char *limit = g_strdup_printf ("%d MiB", IL_MAX_EXPERIMENT_FILE_MIB);
  const char      *what[] = { "character device", "folder", "FIFO", limit };
  int              fd;

  g_assert_nonnull (dir);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  fd = g_open (big, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, IL_MAX_EXPERIMENT_FILE_BYTES + 1), ==, 0);
  close (fd);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) experiment = NULL;

      if (i == 0 && !g_file_test (paths[i], G_FILE_TEST_EXISTS))
        continue;
      experiment = il_experiment_load_file (file, &error);
      g_assert_null (experiment);
      g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, paths[i]));
      if (strstr (error->message, what[i]) == NULL)
        g_error ("expected \"%s\" in\n  %s", what[i], error->message);
    }

  /* A file at the limit is read. */
  fd = g_open (big, O_WRONLY | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "[", 1), ==, 1);
  close (fd);
  {
    g_autoptr(GFile) file = g_file_new_for_path (big);
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = il_experiment_load_file (file, &error);

    g_assert_error (error, IL_ERROR, IL_ERROR_PARSE);
  }

  g_unlink (fifo);
  g_unlink (big);
  g_rmdir (dir);
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
  { "url-no-host", IL_ERROR_INVALID, "4:53: tasks[0].blocks[0].url: ", "with a host name" },
  { "quiz-answer", IL_ERROR_INVALID, "6:92: quiz.answer: ", "(0 to 1), got 2" },
  { "affinity-duplicate", IL_ERROR_INVALID, "6:40: settings.cpu_affinity[2]: ", "core 1 is listed twice" },
  { "affinity-negative", IL_ERROR_INVALID, "6:37: settings.cpu_affinity[1]: ", "got -1" },
  { "workers-empty", IL_ERROR_INVALID, "5:49: runs[0].workers: ", "got an empty array" },
  { "name-too-long", IL_ERROR_INVALID, "3:11: name: expected at most 200 characters, got 201", NULL },
  { "duplicate-field", IL_ERROR_INVALID, "4:56: tasks[0].blocks[0].ms: ", "appears twice" },
  { "results-bad", IL_ERROR_INVALID, "8:67: results.runs[0].summary.speedup: ", "expected a number or null" },
  { "file-read-first", IL_ERROR_INVALID, "4:68: tasks[0].blocks[1].type: ", "put a file-write before it" },
  { "lone-high-surrogate", IL_ERROR_PARSE, "3:15: malformed JSON: \\uD800 ", "no second half" },
  { "lone-low-surrogate", IL_ERROR_PARSE, "4:21: malformed JSON: \\uDC00 ", "no first half" },
  { "nul-escape", IL_ERROR_PARSE, "3:13: malformed JSON: \\u0000 ", "not allowed" },
  { "deep-nesting", IL_ERROR_PARSE, "6:75: malformed JSON: ", "nested more than 64 levels" },
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/experiment/load/format-example", test_load_format_example);
  g_test_add_func ("/il/experiment/load/everything", test_load_everything);
  g_test_add_func ("/il/experiment/load/display-name-and-columns", test_load_display_name);
  g_test_add_func ("/il/experiment/load/not-utf8", test_load_not_utf8);
  g_test_add_func ("/il/experiment/load/missing-file", test_load_missing_file);
  g_test_add_func ("/il/experiment/load/deep-nesting", test_load_deep_nesting);
  g_test_add_func ("/il/experiment/load/unicode-escapes", test_load_unicode_escapes);
  g_test_add_func ("/il/experiment/load/bounded-messages", test_load_bounded_messages);
  g_test_add_func ("/il/experiment/load/too-many-values", test_load_too_many_values);
  g_test_add_func ("/il/experiment/load/file-kinds", test_load_file_kinds);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *test_path = g_strconcat ("/il/experiment/invalid/", invalid_cases[i].file, NULL);

      g_test_add_data_func (test_path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/il/experiment/invalid-complete", test_invalid_complete);

  return g_test_run ();
}
