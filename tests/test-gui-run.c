/* test-gui-run.c — open an example, run it from the window, read the table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-examples.h"
#include "il-runner.h"
#include "il-window.h"

/* Generous: CI machines are slow and the example repeats its runs. */
#define RUN_TIMEOUT_S 240

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Leaves enabled only the runs this build can run (executors land one by
 * one), and returns how many result rows they make (sweeps expand). */
static guint
enable_supported_runs (IlDocument *document)
{
  const IlExperiment *experiment = il_document_get_experiment (document);
  g_autoptr(GArray) enabled = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(IlRunner) runner = NULL;
  IlRunOptions options = { 0 };

  for (guint i = 0; i < experiment->runs->len; i++)
    {
      g_autoptr(GArray) only = g_array_new (FALSE, FALSE, sizeof (guint));
      g_autoptr(IlRunner) probe = NULL;
      g_autoptr(GError) error = NULL;
      IlRunOptions probe_options = { 0 };

      g_array_append_val (only, i);
      probe_options.only_runs = only;
      probe = il_runner_new (experiment, &probe_options);
      if (il_runner_check (probe, &error))
        g_array_append_val (enabled, i);
      else
        {
          g_test_message ("run %u not supported here: %s", i, error->message);
          il_document_set_run_enabled (document, i, FALSE);
        }
    }
  g_assert_cmpuint (enabled->len, >, 0);
  options.only_runs = enabled;
  runner = il_runner_new (experiment, &options);
  return il_runner_get_n_runs (runner);
}

static void
wait_for_run (IlWindow *window)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (RUN_TIMEOUT_S, timeout_cb, &timed_out);

  while (il_window_get_running (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  drain ();
}

static void
test_run_example (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  IlResultsTable *table;
  const IlResults *results;
  guint expected;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  g_assert_no_error (error);
  expected = enable_supported_runs (il_window_get_document (window));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (il_window_get_running (window));
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "live");
  wait_for_run (window);

  results = il_window_get_results (window);
  g_assert_nonnull (results);
  g_assert_false (results->cancelled);
  g_assert_cmpuint (results->runs->len, ==, expected);
  table = il_window_get_results_table (window);
  g_assert_cmpuint (il_results_table_get_n_rows (table), ==, expected);
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "results");
  for (guint i = 0; i < expected; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      g_assert_cmpstr (il_results_table_get_text (table, i, IL_RESULTS_COLUMN_LABEL), ==, run->label);
      /* The checksum is the same under every executor. */
      g_assert_cmpstr (il_results_table_get_text (table, i, IL_RESULTS_COLUMN_CHECKSUM), ==,
                       il_results_table_get_text (table, 0, IL_RESULTS_COLUMN_CHECKSUM));
    }

  gtk_window_destroy (GTK_WINDOW (window));
  drain ();
}

static void
test_save_with_results (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("interleave-gui-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "shared.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(IlExperiment) reopened = NULL;

  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  enable_supported_runs (il_window_get_document (window));
  /* Keep it short: one repetition, no warm-up. */
  {
    IlExperiment *experiment = il_document_begin_edit (il_window_get_document (window), NULL);

    experiment->settings.repetitions = 1;
    experiment->settings.warmup = 0;
    il_document_end_edit (il_window_get_document (window), TRUE);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for_run (window);
  g_assert_nonnull (il_window_get_results (window));

  g_assert_true (il_window_save_to (window, file, TRUE, &error));
  g_assert_no_error (error);
  reopened = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reopened->results);
  g_assert_cmpuint (reopened->results->runs->len, ==, il_window_get_results (window)->runs->len);

  /* Every export format writes something. */
  {
    const char *formats[] = { "json", "csv", "trace", "png", "svg" };

    for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
      {
        g_autofree char *name = g_strdup_printf ("export.%s", formats[i]);
        g_autofree char *export_path = g_build_filename (dir, name, NULL);
        g_autoptr(GFile) export_file = g_file_new_for_path (export_path);
        g_autofree char *contents = NULL;
        gsize length = 0;

        g_assert_true (il_window_export_to (window, export_file, formats[i], &error));
        g_assert_no_error (error);
        g_assert_true (g_file_get_contents (export_path, &contents, &length, NULL));
        g_assert_cmpuint (length, >, 16);
        g_assert_cmpint (g_remove (export_path), ==, 0);
      }
  }

  /* Opening a file with recorded results shows them before any run. */
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_null (il_window_get_results (window));

  gtk_window_destroy (GTK_WINDOW (window));
  drain ();
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_stop (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 stopped_at;

  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  enable_supported_runs (il_window_get_document (window));
  {
    IlExperiment *experiment = il_document_begin_edit (il_window_get_document (window), NULL);
    IlTaskGroup *group = g_ptr_array_index (experiment->tasks, 0);

    /* Long enough that Stop comes first. */
    group->repeat = 1000;
    il_document_end_edit (il_window_get_document (window), TRUE);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (il_window_get_running (window));
  g_usleep (G_USEC_PER_SEC / 5);
  stopped_at = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  wait_for_run (window);
  g_test_message ("stopped after %.3f s", (g_get_monotonic_time () - stopped_at) / 1e6);
  g_assert_false (il_window_get_running (window));
  /* The editors are back and editable. */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (il_window_get_workload_editor (window))));

  gtk_window_destroy (GTK_WINDOW (window));
  drain ();
}

static void
skip_no_display (void)
{
  g_test_skip ("no display");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_test_add_func ("/il/gui/run/no-display", skip_no_display);
      return g_test_run ();
    }
  adw_init ();

  g_test_add_func ("/il/gui/run/example", test_run_example);
  g_test_add_func ("/il/gui/run/save-with-results", test_save_with_results);
  g_test_add_func ("/il/gui/run/stop", test_stop);

  return g_test_run ();
}
