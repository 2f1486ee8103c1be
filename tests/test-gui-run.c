/* test-gui-run.c — open an example, run it from the window, read the table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

#include <adwaita.h>

#include "il-application.h"
#include "il-examples.h"
#include "il-live-model.h"
#include "il-live-view.h"
#include "il-timeline-chart.h"
#include "il-runner.h"
#include "il-server.h"
#include "il-window.h"

#include "il-test-utils.h"

/* Generous: CI machines are slow and the example repeats its runs. */
#define RUN_TIMEOUT_S 240

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

/* The open quiz dialog of @window, or NULL. */
static AdwMessageDialog *
find_quiz_dialog (IlWindow *window)
{
  GListModel       *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && found == NULL; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == GTK_WINDOW (window) &&
          adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (item), "skip"))
        found = ADW_MESSAGE_DIALOG (item);
    }
  return found;
}

/* Presses Run and, when the experiment asks its quiz first, gives
 * @response ("skip", "choice-N"). */
static void
press_run (IlWindow   *window,
           const char *response)
{
  AdwMessageDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  dialog = find_quiz_dialog (window);
  if (dialog != NULL)
    {
      g_assert_false (il_window_get_running (window));
      adw_message_dialog_response (dialog, response);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
wait_for_run (IlWindow *window)
{
  gboolean timed_out = FALSE;
  guint    source = g_timeout_add_seconds (RUN_TIMEOUT_S, timeout_cb, &timed_out);

  while (il_window_get_running (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  il_test_drain ();
}

static void
test_run_example (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  IlResultsTable  *table;
  const IlResults *results;
  guint            expected;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  g_assert_no_error (error);
  expected = enable_supported_runs (il_window_get_document (window));

  press_run (window, "skip");
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
  il_test_drain ();
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
  press_run (window, "skip");
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
        gsize            length = 0;

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
  il_test_drain ();
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
    IlTaskGroup  *group = g_ptr_array_index (experiment->tasks, 0);

    /* Long enough that Stop comes first. */
    group->repeat = 1000;
    il_document_end_edit (il_window_get_document (window), TRUE);
  }
  press_run (window, "skip");
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
  il_test_drain ();
}

/* Runs the main loop for @ms. */
static void
spin_ms (guint ms)
{
  gboolean done = FALSE;
  guint    source = g_timeout_add (ms, timeout_cb, &done);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  (void) source;
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The text of the results table: its labels (title, headers, cells, notes). */
static void
append_labels (GtkWidget *widget,
               GString   *out)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    append_labels (child, out);
}

/* One long sleep block, stopped in its first repetition: while it runs the
 * Live page moves with no event (elapsed time, axis, the block's bar) and
 * the timeline re-asks its tooltip under a still pointer; after Stop it
 * says "stopped", the table "cancelled" (no "failed", no "mismatch"); the
 * next document clears the Live page. */
static void
test_stop_long_block (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-gui-stop-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "long.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *status_before = NULL;
  IlLiveView      *view;
  IlLiveModel     *model;
  IlTimelineData  *timeline;
  GtkWidget       *chart;
  gint64           end_before;
  guint            refreshes;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path,
                                      "{ \"interleave\": 1, \"name\": \"long block\",\n"
                                      "  \"settings\": { \"repetitions\": 2, \"warmup\": 0 },\n"
                                      "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 60000 } ] } ],\n"
                                      "  \"runs\": [ { \"executor\": \"sequential\" } ] }\n",
                                      -1, &error));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);

  press_run (window, "skip");
  g_assert_true (il_window_get_running (window));
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "live");
  spin_ms (600);
  view = IL_LIVE_VIEW (find_widget (GTK_WIDGET (window), IL_TYPE_LIVE_VIEW));
  g_assert_nonnull (view);
  model = il_live_view_get_model (view);
  timeline = il_live_model_get_timeline (model);
  chart = il_live_view_get_timeline (view);
  /* The pointer rests on the chart. */
  il_timeline_chart_set_pointer (IL_TIMELINE_CHART (chart), gtk_widget_get_width (chart) / 2.0,
                                 gtk_widget_get_height (chart) / 2.0);
  end_before = timeline->end_us;
  status_before = g_strdup (il_live_view_get_status (view));
  refreshes = il_timeline_chart_get_tooltip_refreshes (IL_TIMELINE_CHART (chart));
  g_test_message ("after 0.6 s: end %.3f s, \"%s\"", end_before / 1e6, status_before);
  g_assert_cmpuint (timeline->tasks->len, ==, 1);

  spin_ms (800);
  g_test_message ("after 1.4 s: end %.3f s, \"%s\", %u tooltip refreshes", timeline->end_us / 1e6,
                  il_live_view_get_status (view),
                  il_timeline_chart_get_tooltip_refreshes (IL_TIMELINE_CHART (chart)) - refreshes);
  /* No event came (the block sleeps), yet the block's bar and the axis
   * grew, the elapsed time moved, and the tooltip was asked again. */
  g_assert_cmpuint (il_live_model_get_tasks_done (model), ==, 0);
  g_assert_cmpint (timeline->end_us, >, end_before + 200 * 1000);
  g_assert_cmpstr (il_live_view_get_status (view), !=, status_before);
  g_assert_cmpuint (il_timeline_chart_get_tooltip_refreshes (IL_TIMELINE_CHART (chart)), >, refreshes);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL);
  wait_for_run (window);
  g_test_message ("live: \"%s\"", il_live_view_get_status (view));
  g_assert_nonnull (strstr (il_live_view_get_status (view), "stopped"));
  g_assert_null (strstr (il_live_view_get_status (view), "finished"));
  g_assert_cmpuint (il_live_model_get_timeline (model)->n_failed, ==, 0);

  g_assert_cmpuint (il_results_table_get_n_rows (il_window_get_results_table (window)), ==, 1);
  g_assert_cmpstr (il_results_table_get_text (il_window_get_results_table (window), 0, IL_RESULTS_COLUMN_CHECKSUM),
                   ==, "cancelled");
  spin_ms (100);
  append_labels (GTK_WIDGET (il_window_get_results_table (window)), text);
  g_test_message ("table:\n%s", text->str);
  g_assert_nonnull (strstr (text->str, "cancelled"));
  g_assert_null (strstr (text->str, "failed"));
  g_assert_null (strstr (text->str, "mismatch"));

  /* Every header says what its column means (core's texts). */
  for (guint c = 0; c < IL_N_RESULTS_COLUMNS; c++)
    {
      g_autofree char *tip = g_strdup (il_results_table_get_header_tooltip (il_window_get_results_table (window), c));

      g_assert_nonnull (tip);
      /* Wrapped into lines: the same words. */
      g_strdelimit (tip, "\n", ' ');
      g_assert_cmpstr (tip, ==, il_results_column_description (c));
    }

  /* Another document: the Live page no longer shows the old run. */
  g_assert_true (il_window_load_example (window, "io-bound", &error));
  g_assert_no_error (error);
  g_assert_null (find_widget (GTK_WIDGET (window), IL_TYPE_LIVE_VIEW));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Opening another experiment while one runs stops the run, and its
 * results never land on the new document (nor could be saved with it). */
static void
test_open_while_running (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  IlDocument *first;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  g_assert_no_error (error);
  enable_supported_runs (il_window_get_document (window));
  {
    IlExperiment *experiment = il_document_begin_edit (il_window_get_document (window), NULL);
    IlTaskGroup  *group = g_ptr_array_index (experiment->tasks, 0);

    /* Long enough that the other experiment opens first. */
    group->repeat = 1000;
    il_document_end_edit (il_window_get_document (window), TRUE);
  }
  first = il_window_get_document (window);
  press_run (window, "skip");
  g_assert_true (il_window_get_running (window));

  g_assert_true (il_window_load_example (window, "io-bound", &error));
  g_assert_no_error (error);
  g_assert_true (il_window_get_document (window) != first);
  wait_for_run (window);

  g_assert_false (il_window_get_running (window));
  g_assert_null (il_window_get_results (window));
  g_assert_cmpuint (il_results_table_get_n_rows (il_window_get_results_table (window)), ==, 0);
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "workload");
  /* The new document can run. */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (il_window_get_workload_editor (window))));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* Short enough for a test: one repetition, no warm-up. */
static void
shorten (IlWindow *window)
{
  IlExperiment *experiment = il_document_begin_edit (il_window_get_document (window), NULL);

  experiment->settings.repetitions = 1;
  experiment->settings.warmup = 0;
  il_document_end_edit (il_window_get_document (window), TRUE);
}

/* The texts of the visible labels under @widget, one per line. */
static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static char *
window_text (IlWindow *window)
{
  GString *out = g_string_new (NULL);

  collect_labels (GTK_WIDGET (window), out);
  return g_string_free (out, FALSE);
}

static void
test_quiz (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  const IlQuiz    *quiz;
  g_autofree char *text = NULL;
  g_autofree char *right = NULL;
  g_autofree char *response = NULL;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  g_assert_no_error (error);
  enable_supported_runs (il_window_get_document (window));
  shorten (window);
  quiz = il_document_get_experiment (il_window_get_document (window))->quiz;
  g_assert_nonnull (quiz);

  /* Run asks first and does not start until answered. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_false (il_window_get_running (window));
  g_assert_nonnull (find_quiz_dialog (window));
  response = g_strdup_printf ("choice-%u", quiz->answer);
  press_run (window, response);
  g_assert_true (il_window_get_running (window));
  wait_for_run (window);
  g_assert_nonnull (il_window_get_results (window));

  text = window_text (window);
  g_test_message ("%s", text);
  right = g_strdup_printf ("Right: you picked “%s”", quiz->choices[quiz->answer]);
  g_assert_nonnull (strstr (text, quiz->question));
  g_assert_nonnull (strstr (text, right));
  g_assert_nonnull (strstr (text, quiz->explanation));
  g_assert_nonnull (strstr (text, "Measured here:"));
  g_assert_nonnull (strstr (text, "speedup"));

  /* Asked once per document: a second run starts straight away. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_null (find_quiz_dialog (window));
  g_assert_true (il_window_get_running (window));
  wait_for_run (window);

  /* A wrong pick says so and names the answer. */
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  enable_supported_runs (il_window_get_document (window));
  shorten (window);
  g_clear_pointer (&response, g_free);
  /* The previous document's quiz went with it: read the new one's. */
  quiz = il_document_get_experiment (il_window_get_document (window))->quiz;
  response = g_strdup_printf ("choice-%u", quiz->answer == 0 ? 1 : 0);
  press_run (window, response);
  wait_for_run (window);
  g_clear_pointer (&text, g_free);
  text = window_text (window);
  g_assert_nonnull (strstr (text, "Not quite"));
  g_assert_nonnull (strstr (text, quiz->choices[quiz->answer]));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* Two runs of an http experiment share the application's lifetime server. */
static void
test_lifetime_server (void)
{
  g_autoptr(IlApplication) app = il_application_new ();
  g_autoptr(GError) error = NULL;
  IlWindow *window;
  IlServer *server;
  guint     after_first;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_assert_null (il_application_get_server (app));

  window = il_window_new (GTK_APPLICATION (app));
  g_assert_true (il_window_load_example (window, "http", &error));
  g_assert_no_error (error);
  enable_supported_runs (il_window_get_document (window));
  shorten (window);

  press_run (window, "skip");
  wait_for_run (window);
  g_assert_nonnull (il_window_get_results (window));
  server = il_application_get_server (app);
  g_assert_nonnull (server);
  after_first = il_server_get_n_requests (server);
  g_assert_cmpuint (after_first, >=, 50);

  press_run (window, "skip");
  wait_for_run (window);
  g_assert_true (il_application_get_server (app) == server);
  g_assert_cmpuint (il_server_get_n_requests (server), >=, 2 * after_first);

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* The open consent dialog of @window, or NULL. */
static AdwMessageDialog *
find_consent_dialog (IlWindow *window)
{
  GListModel       *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && found == NULL; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == GTK_WINDOW (window) &&
          adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (item), "allow"))
        found = ADW_MESSAGE_DIALOG (item);
    }
  return found;
}

/* A file whose url is a service on this machine: Run asks first, naming
 * the host; Cancel sends nothing, Allow runs it. */
static void
test_loopback_consent (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) service = il_server_new (&error);
  g_autofree char *dir = g_dir_make_tmp ("il-gui-consent-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GFile) file = NULL;
  AdwMessageDialog *dialog;
  IlWindow         *window;

  g_assert_no_error (error);
  json = g_strdup_printf ("{ \"interleave\": 1, \"name\": \"local service\","
                          "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"url\": \"%s/admin/delete?id=1\" } ] } ],"
                          "  \"runs\": [ { \"executor\": \"sequential\" } ],"
                          "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }",
                          il_server_get_url (service));
  path = g_build_filename (dir, "local.interleave", NULL);
  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  host = g_strdup_printf ("127.0.0.1:%u", il_server_get_port (service));

  file = g_file_new_for_path (path);
  window = il_window_new (NULL);
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  dialog = find_consent_dialog (window);
  g_assert_nonnull (dialog);
  g_test_message ("%s", adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), host));
  g_assert_false (il_window_get_running (window));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  g_assert_false (il_window_get_running (window));
  g_assert_cmpuint (il_server_get_n_requests (service), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  dialog = find_consent_dialog (window);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "allow");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_run (window);
  g_assert_cmpuint (il_server_get_n_requests (service), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_unlink (path);
  g_rmdir (dir);
}

/* A run this process cannot hold (1,000,000 tasks × 100 repetitions, about
 * 44 GB of records) is refused before it starts with an error dialog, as the
 * CLI refuses it with exit 2: one check in il_runner_check(). The address
 * space is capped for the test so that the machine's memory does not
 * matter, and restored after. */
static void
too_big_refused (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char  *dir = g_dir_make_tmp ("il-gui-big-XXXXXX", NULL);
  g_autofree char  *path = g_build_filename (dir, "million.interleave", NULL);
  GString          *text = g_string_new ("{ \"interleave\": 1, \"name\": \"a million tasks\",\n  \"tasks\": [\n");
  GListModel       *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *dialog = NULL;
  struct rlimit     saved, limited;

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (text, "    { \"repeat\": 100000, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] }%s\n",
                            i < 9 ? "," : "");
  g_string_append (text, "  ],\n  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
                         "  \"settings\": { \"repetitions\": 100 } }\n");
  g_assert_true (g_file_set_contents (path, text->str, text->len, NULL));
  g_string_free (text, TRUE);

  gtk_window_present (GTK_WINDOW (window));
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    g_assert_true (il_window_load_file (window, file, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpint (getrlimit (RLIMIT_AS, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = G_GUINT64_CONSTANT (16) << 30;
  if (saved.rlim_cur != RLIM_INFINITY && saved.rlim_cur < limited.rlim_cur)
    limited.rlim_cur = saved.rlim_cur;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limited), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_cmpint (setrlimit (RLIMIT_AS, &saved), ==, 0);
  il_test_drain ();

  g_assert_false (il_window_get_running (window));
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == GTK_WINDOW (window))
        dialog = ADW_MESSAGE_DIALOG (item);
    }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Cannot Run This Experiment");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "memory"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1000000 tasks"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_too_big_refused (void)
{
  if (IL_TEST_ASAN)
    {
      g_test_skip ("address-space limits are AddressSanitizer's here");
      return;
    }
  too_big_refused ();
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/run/example", test_run_example);
  g_test_add_func ("/il/gui/run/save-with-results", test_save_with_results);
  g_test_add_func ("/il/gui/run/stop", test_stop);
  g_test_add_func ("/il/gui/run/stop-long-block", test_stop_long_block);
  g_test_add_func ("/il/gui/run/open-while-running", test_open_while_running);
  g_test_add_func ("/il/gui/run/quiz", test_quiz);
  g_test_add_func ("/il/gui/run/lifetime-server", test_lifetime_server);
  g_test_add_func ("/il/gui/run/loopback-consent", test_loopback_consent);
  g_test_add_func ("/il/gui/run/too-big-refused", test_too_big_refused);

  return g_test_run ();
}
