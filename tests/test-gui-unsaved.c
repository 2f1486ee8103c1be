/* test-gui-unsaved.c — measured results that were not saved count as
 * unsaved changes: closing (Ctrl+W too), New, and opening an example or
 * another file ask first ("Save with Results", "Discard", "Cancel")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-examples.h"
#include "il-window.h"

#include "il-test-utils.h"

#define RUN_TIMEOUT_S 120

/* One short task: a run takes a fraction of a second. */
static const char tiny_json[] =
  "{ \"interleave\": 1, \"name\": \"tiny\","
  "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
  "  \"runs\": [ { \"executor\": \"sequential\" } ],"
  "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }";

typedef struct
{
  char  *dir;
  char  *path; /* tiny.interleave */
  char  *other_path;
  GFile *file;
} Fixture;

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("il-unsaved-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "tiny.interleave", NULL);
  f->other_path = g_build_filename (f->dir, "other.interleave", NULL);
  g_assert_true (g_file_set_contents (f->path, tiny_json, -1, NULL));
  g_assert_true (g_file_set_contents (f->other_path, tiny_json, -1, NULL));
  f->file = g_file_new_for_path (f->path);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_unlink (f->path);
  g_unlink (f->other_path);
  g_rmdir (f->dir);
  g_clear_object (&f->file);
  g_free (f->path);
  g_free (f->other_path);
  g_free (f->dir);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The prompt of @window, if one is open. */
static AdwMessageDialog *
find_prompt (IlWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == GTK_WINDOW (window) &&
          adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (item), "discard"))
        return ADW_MESSAGE_DIALOG (item);
    }
  return NULL;
}

/* Gives @response as a click would: the response, then the dialog goes. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
}

/* The prompt asks about results: "Save with Results", "Discard", "Cancel". */
static AdwMessageDialog *
expect_results_prompt (IlWindow *window)
{
  AdwMessageDialog *dialog = find_prompt (window);

  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, "save-results"));
  g_assert_true (adw_message_dialog_has_response (dialog, "cancel"));
  g_assert_false (adw_message_dialog_has_response (dialog, "save"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "save-results"), ==, "Save with _Results");
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "save-results");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "results"));
  return dialog;
}

/* A window showing tiny.interleave with the results of one run, unsaved. */
static IlWindow *
window_with_results (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  IlWindow *window = il_window_new (NULL);
  gboolean  timed_out = FALSE;
  guint     source;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_file (window, f->file, &error));
  g_assert_no_error (error);
  g_assert_false (il_document_get_modified (il_window_get_document (window)));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (il_window_get_running (window));
  source = g_timeout_add_seconds (RUN_TIMEOUT_S, timeout_cb, &timed_out);
  while (il_window_get_running (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  il_test_drain ();
  g_assert_nonnull (il_window_get_results (window));
  /* The edits are saved; the results are not: the title says so. */
  g_assert_false (il_document_get_modified (il_window_get_document (window)));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "• "));
  return window;
}

/* Close and Ctrl+W (window.close) ask; Cancel keeps the window and its
 * results; Discard closes. */
static void
test_close (Fixture      *f,
            gconstpointer data)
{
  IlWindow         *window = window_with_results (f);
  AdwMessageDialog *dialog;

  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = expect_results_prompt (window);
  respond (dialog, "cancel");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_nonnull (il_window_get_results (window));

  /* Ctrl+W is window.close. */
  gtk_widget_activate_action (GTK_WIDGET (window), "window.close", NULL);
  il_test_drain ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = expect_results_prompt (window);
  respond (dialog, "discard");
  g_assert_null (find_prompt (window));
  g_assert_finalize_object (window);
}

/* "Save with Results" saves the results into the document's file, then
 * does what was asked (here: New). */
static void
test_new_save_with_results (Fixture      *f,
                            gconstpointer data)
{
  IlWindow *window = window_with_results (f);
  g_autoptr(IlExperiment) saved = NULL;
  g_autoptr(GError) error = NULL;
  IlDocument *before = il_window_get_document (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new", NULL);
  il_test_drain ();
  g_assert_true (il_window_get_document (window) == before);
  respond (expect_results_prompt (window), "save-results");

  /* A new, empty document, and the file has the results. */
  g_assert_true (il_window_get_document (window) != before);
  g_assert_null (il_document_get_file (il_window_get_document (window)));
  g_assert_null (il_window_get_results (window));
  saved = il_experiment_load_file (f->file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (saved->results);
  g_assert_cmpuint (saved->results->runs->len, ==, 1);

  /* Nothing unsaved now: New goes ahead without asking. */
  before = il_window_get_document (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new", NULL);
  il_test_drain ();
  g_assert_null (find_prompt (window));
  g_assert_true (il_window_get_document (window) != before);

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* Opening an example or another file asks; Cancel keeps the document and
 * its results, Discard opens. After "Save with Results", closing does not
 * ask again. */
static void
test_open (Fixture      *f,
           gconstpointer data)
{
  IlWindow   *window = window_with_results (f);
  IlDocument *before = il_window_get_document (window);
  g_autoptr(GFile) other = g_file_new_for_path (f->other_path);
  g_autoptr(GError) error = NULL;

  /* An example. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-example", "s", IL_DEFAULT_EXAMPLE);
  il_test_drain ();
  respond (expect_results_prompt (window), "cancel");
  g_assert_true (il_window_get_document (window) == before);
  g_assert_nonnull (il_window_get_results (window));

  /* Another file (Open…, a dropped file, the command line). */
  il_window_open_file (window, other);
  il_test_drain ();
  respond (expect_results_prompt (window), "discard");
  g_assert_true (il_window_get_document (window) != before);
  g_assert_true (g_file_equal (il_document_get_file (il_window_get_document (window)), other));
  g_assert_null (il_window_get_results (window));
  g_assert_false (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "• "));
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();

  /* Saved with its results: nothing to ask. */
  window = window_with_results (f);
  g_assert_true (il_window_save_to (window, f->file, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "• "));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-example", "s", IL_DEFAULT_EXAMPLE);
  il_test_drain ();
  g_assert_null (find_prompt (window));
  g_assert_null (il_document_get_file (il_window_get_document (window)));

  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_null (find_prompt (window));
  g_assert_finalize_object (window);
}

/* Edits and results both unsaved: one prompt names both, and Save with
 * Results saves the edits too. */
static void
test_edits_and_results (Fixture      *f,
                        gconstpointer data)
{
  IlWindow   *window = window_with_results (f);
  IlDocument *document = il_window_get_document (window);
  g_autoptr(IlExperiment) saved = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  {
    IlExperiment *experiment = il_document_begin_edit (document, NULL);

    g_free (experiment->name);
    experiment->name = g_strdup ("renamed");
    il_document_end_edit (document, FALSE);
  }
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  il_test_drain ();
  dialog = expect_results_prompt (window);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "unsaved changes"));
  respond (dialog, "save-results");
  saved = il_experiment_load_file (f->file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saved->name, ==, "renamed");
  g_assert_nonnull (saved->results);
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add ("/il/gui/unsaved/results-close", Fixture, NULL, fixture_set_up, test_close, fixture_tear_down);
  g_test_add ("/il/gui/unsaved/results-new-save", Fixture, NULL, fixture_set_up, test_new_save_with_results,
              fixture_tear_down);
  g_test_add ("/il/gui/unsaved/results-open", Fixture, NULL, fixture_set_up, test_open, fixture_tear_down);
  g_test_add ("/il/gui/unsaved/edits-and-results", Fixture, NULL, fixture_set_up, test_edits_and_results,
              fixture_tear_down);

  return g_test_run ();
}
