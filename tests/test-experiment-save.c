/* test-experiment-save.c — saving experiment files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What is saved reads back as the same experiment, a save replaces an
 * existing file and leaves no temporary file behind, and a save into a
 * missing folder fails (docs/experiment-format.md).
 */

#include <string.h>

#include <glib/gstdio.h>

#include "il-experiment.h"

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

    /* Defaults are omitted: no description, no quiz. A new experiment's
     * repetitions and warm-up are not the format's defaults (1 and 0), so
     * the file says them: another reader gets the same runs. */
    g_assert_nonnull (strstr (data, "\"repetitions\": 3"));
    g_assert_nonnull (strstr (data, "\"warmup\": 1"));
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

/* Saving replaces an existing file whole and leaves nothing beside it.
 * Atomicity (a full disk, a kill mid-save): test-atomic-file.c. */
static void
test_save_replaces (void)
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/experiment/save/roundtrip", test_save_roundtrip);
  g_test_add_func ("/il/experiment/save/replaces", test_save_replaces);

  return g_test_run ();
}
