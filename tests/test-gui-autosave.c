/* test-gui-autosave.c — unsaved edits are autosaved, removed on save,
 * discard and close, and offered back after a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-autosave.h"
#include "il-examples.h"
#include "il-format.h"
#include "il-window.h"

#include "il-test-utils.h"

static char *data_home;

/* Iterates the main loop until @path exists (or not), for at most 20 s. */
static gboolean
wait_for_file (const char *path,
               gboolean    exists)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      il_autosave_wait ();
      if (g_file_test (path, G_FILE_TEST_EXISTS) == exists)
        return TRUE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  return FALSE;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* A file holding the default example, and a window showing it. */
static IlWindow *
window_with_file (const char *dir,
                  char      **out_path)
{
  g_autoptr(IlExperiment) example = il_example_load (IL_DEFAULT_EXAMPLE, NULL);
  g_autofree char *path = g_build_filename (dir, "edited.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  IlWindow *window = il_window_new (NULL);

  g_assert_true (il_experiment_save_file (example, file, &error));
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);
  il_test_drain ();
  *out_path = g_steal_pointer (&path);
  return window;
}

/* One edit through the document: the first block's units + @delta. */
static void
edit_units (IlWindow *window,
            gint64    delta)
{
  IlDocument   *document = il_window_get_document (window);
  IlExperiment *experiment = il_document_begin_edit (document, NULL);
  IlTaskGroup  *group = g_ptr_array_index (experiment->tasks, 0);
  IlBlock      *block = g_ptr_array_index (group->blocks, 0);

  block->units += delta;
  il_document_end_edit (document, FALSE);
}

static IlExperiment *
read_autosave (const char *path,
               char      **original_uri)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  IlExperiment    *experiment;

  g_assert_true (g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_key_file_get_int64 (keys, "Autosave", "pid", NULL), ==, getpid ());
  data = g_key_file_get_string (keys, "Autosave", "experiment", &error);
  g_assert_no_error (error);
  experiment = il_experiment_load_data (data, -1, path, &error);
  g_assert_no_error (error);
  if (original_uri != NULL)
    *original_uri = g_key_file_get_string (keys, "Autosave", "original", NULL);
  return experiment;
}

/* An edit is autosaved a little later (not at once), with the original
 * file's URI; saving removes it; a new edit brings it back; closing with
 * Discard removes it. */
static void
test_edit_save_discard (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-autosave-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autofree char *autosave = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *expected_uri = NULL;
  g_autoptr(IlExperiment) saved = NULL;
  g_autoptr(GError) error = NULL;
  IlWindow         *window = window_with_file (dir, &path);
  IlDocument       *document = il_window_get_document (window);
  AdwMessageDialog *dialog;

  il_autosave_set_delay (il_window_get_autosave (window), 300);
  autosave = g_strdup (il_autosave_get_path (il_window_get_autosave (window)));
  g_assert_true (g_str_has_prefix (autosave, data_home));
  g_assert_false (g_file_test (autosave, G_FILE_TEST_EXISTS));

  /* Many edits in a row: nothing is written on the edit itself. */
  for (int i = 0; i < 20; i++)
    edit_units (window, 1);
  il_autosave_wait ();
  g_assert_false (g_file_test (autosave, G_FILE_TEST_EXISTS));
  g_assert_true (wait_for_file (autosave, TRUE));
  saved = read_autosave (autosave, &uri);
  g_assert_true (il_experiment_equal (saved, il_document_get_experiment (document)));
  expected_uri = g_file_get_uri (il_document_get_file (document));
  g_assert_cmpstr (uri, ==, expected_uri);

  /* Saved: the autosave goes. */
  g_assert_true (il_window_save_to (window, il_document_get_file (document), FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for_file (autosave, FALSE));

  /* Undo back to the saved state after an edit: gone too. */
  edit_units (window, 3);
  g_assert_true (wait_for_file (autosave, TRUE));
  g_assert_true (il_document_undo (document));
  g_assert_true (wait_for_file (autosave, FALSE));

  /* Closed after the prompt, with Discard: gone. */
  edit_units (window, 5);
  g_assert_true (wait_for_file (autosave, TRUE));
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  il_test_drain ();
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  g_assert_true (wait_for_file (autosave, FALSE));
  g_assert_finalize_object (window);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A process that is surely gone: started and reaped. */
static GPid
dead_pid (void)
{
  int  status;
  GPid pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  return pid;
}

/* The autosave a killed app leaves: its format, another (dead) pid. */
/* An orphan written at @time (seconds since the epoch). */
static char *
write_orphan_at (GPid                pid,
                 const char         *name,
                 const IlExperiment *experiment,
                 GFile              *original,
                 gint64              time)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *dir = il_autosave_dup_dir ();
  g_autofree char *data = il_experiment_to_data (experiment, NULL);
  g_autofree char *file_name = g_strdup_printf ("%d-%s.autosave", (int) pid, name);
  char            *path = g_build_filename (dir, file_name, NULL);
  g_autoptr(GError) error = NULL;

  g_key_file_set_integer (keys, "Autosave", "version", 1);
  g_key_file_set_int64 (keys, "Autosave", "pid", pid);
  g_key_file_set_int64 (keys, "Autosave", "time", time);
  if (original != NULL)
    {
      g_autofree char *uri = g_file_get_uri (original);

      g_key_file_set_string (keys, "Autosave", "original", uri);
    }
  g_key_file_set_string (keys, "Autosave", "title", experiment->name);
  g_key_file_set_string (keys, "Autosave", "experiment", data);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_key_file_save_to_file (keys, path, &error));
  g_assert_no_error (error);
  return path;
}

static char *
write_orphan (GPid                pid,
              const char         *name,
              const IlExperiment *experiment,
              GFile              *original)
{
  return write_orphan_at (pid, name, experiment, original, g_get_real_time () / G_USEC_PER_SEC);
}

/* After a crash: the first window offers the edits back; Restore shows
 * them, modified, tied to the original file; the orphan is replaced by
 * this window's own autosave. A live process's autosave is not offered. */
static void
test_restore_after_crash (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-autosave-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "original.interleave", NULL);
  g_autoptr(GFile) original = g_file_new_for_path (path);
  g_autoptr(IlExperiment) on_disk = il_example_load (IL_DEFAULT_EXAMPLE, NULL);
  g_autoptr(IlExperiment) edited = il_experiment_copy (on_disk);
  g_autoptr(IlExperiment) unsaved_new = il_experiment_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *orphan_new = NULL;
  g_autofree char *live = NULL;
  g_autofree char *body = NULL;
  IlWindow        *window;
  IlDocument      *document;
  GtkWidget       *dialog;
  GPid             pid = dead_pid ();

  g_assert_true (il_experiment_save_file (on_disk, original, &error));
  g_assert_no_error (error);
  g_free (edited->description);
  edited->description = g_strdup ("edited before the crash");
  g_free (unsaved_new->name);
  unsaved_new->name = g_strdup ("never saved");
  orphan = write_orphan (pid, "0", edited, original);
  orphan_new = write_orphan (pid, "1", unsaved_new, NULL);
  live = write_orphan (getppid (), "0", edited, original);

  window = il_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  il_test_drain ();
  dialog = il_autosave_offer_restore (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  il_test_drain ();
  g_object_get (dialog, "body", &body, NULL);
  g_assert_nonnull (strstr (body, on_disk->name));
  g_assert_nonnull (strstr (body, "never saved"));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "restore");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();

  /* The first (oldest) edits in this window, the other in a new one. */
  document = il_window_get_document (window);
  g_assert_nonnull (document);
  g_assert_true (il_document_get_modified (document));
  g_assert_true (il_experiment_equal (il_document_get_experiment (document), edited));
  g_assert_true (g_file_equal (il_document_get_file (document), original));
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "workload");

  /* The orphans are gone, this window's autosave holds the edits, and the
   * live process's file was neither offered nor touched. */
  il_autosave_wait ();
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (orphan_new, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_EXISTS));
  {
    g_autoptr(IlExperiment) kept = read_autosave (il_autosave_get_path (il_window_get_autosave (window)), NULL);

    g_assert_true (il_experiment_equal (kept, edited));
  }

  /* Undo is not needed to get back: saving writes the original file. */
  g_assert_true (il_window_save_to (window, original, FALSE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(IlExperiment) reread = il_experiment_load_file (original, &error);

    g_assert_no_error (error);
    g_assert_true (il_experiment_equal (reread, edited));
  }
  g_assert_true (wait_for_file (il_autosave_get_path (il_window_get_autosave (window)), FALSE));

  /* Nothing else to offer now. */
  g_assert_null (il_autosave_offer_restore (GTK_WINDOW (window)));

  /* The never-saved edits opened in a window of their own, modified. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    IlWindow   *other = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

        if (IL_IS_WINDOW (w) && IL_WINDOW (w) != window)
          other = IL_WINDOW (w);
      }
    g_assert_nonnull (other);
    document = il_window_get_document (other);
    g_assert_nonnull (document);
    g_assert_true (il_document_get_modified (document));
    g_assert_null (il_document_get_file (document));
    g_assert_true (il_experiment_equal (il_document_get_experiment (document), unsaved_new));
    gtk_window_destroy (GTK_WINDOW (other));
  }
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_cmpint (g_remove (live), ==, 0);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Discard removes the orphans without opening anything. */
static void
test_discard_after_crash (void)
{
  g_autoptr(IlExperiment) edited = il_experiment_new ();
  g_autofree char *orphan = write_orphan (dead_pid (), "0", edited, NULL);
  IlWindow        *window = il_window_new (NULL);
  GtkWidget       *dialog;

  gtk_window_present (GTK_WINDOW (window));
  dialog = il_autosave_offer_restore (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  il_autosave_wait ();
  g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  g_assert_null (il_window_get_document (window));
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* The same document left behind many times: each line says when, so they
 * read apart; the dialog lists 8 and says how many more, and Discard
 * removes them all, listed or not. */
static void
test_many_orphans (void)
{
  g_autoptr(IlExperiment) edited = il_experiment_new ();
  g_autoptr(GPtrArray) orphans = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *body = NULL;
  g_auto(GStrv) lines = NULL;
  IlWindow  *window;
  GtkWidget *dialog;
  GPid       pid = dead_pid ();
  guint      listed = 0;

  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  /* Left behind a second apart, the newest last: it is listed first. */
  for (guint i = 0; i < 11; i++)
    {
      g_autofree char *id = g_strdup_printf ("%u", i);

      g_free (edited->name);
      edited->name = g_strdup_printf ("Left %u", i);
      g_ptr_array_add (orphans, write_orphan_at (pid, id, edited, NULL, now_s - 11 + i));
    }
  window = il_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  dialog = il_autosave_offer_restore (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  g_object_get (dialog, "body", &body, NULL);
  g_test_message ("%s", body);
  lines = g_strsplit (body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "• "))
      {
        g_autofree char *expected = g_strdup_printf ("• Left %u, ", 10 - listed);
        g_autoptr(GDateTime) written = g_date_time_new_from_unix_utc (now_s - 1 - listed);
        g_autofree char *iso = g_date_time_format_iso8601 (written);
        g_autofree char *day = il_format_date (iso, FALSE);

        /* Newest first (Left 10, Left 9, …), each with the day it was left. */
        g_assert_true (g_str_has_prefix (lines[i], expected));
        g_assert_nonnull (strstr (lines[i], day));
        listed++;
      }
  g_assert_cmpuint (listed, ==, 8);
  g_assert_nonnull (strstr (body, "and 3 more experiments"));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  il_autosave_wait ();
  for (guint i = 0; i < orphans->len; i++)
    g_assert_false (g_file_test (g_ptr_array_index (orphans, i), G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Autosaves go to a private data folder. */
  data_home = g_dir_make_tmp ("il-autosave-data-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/autosave/edit-save-discard", test_edit_save_discard);
  g_test_add_func ("/il/gui/autosave/restore-after-crash", test_restore_after_crash);
  g_test_add_func ("/il/gui/autosave/discard-after-crash", test_discard_after_crash);
  g_test_add_func ("/il/gui/autosave/many-orphans", test_many_orphans);
  ret = g_test_run ();
  {
    g_autofree char *quoted = g_shell_quote (data_home);
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", data_home);
  }
  g_free (data_home);
  return ret;
}
