/* il-window-files.c — the main window's files: open, save, export, drop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Replacing or closing a modified document, or one whose measured results
 * were not saved, goes through one confirmation (il_window_after_confirm):
 * "pending" remembers what to do once the user chose Save (with Results) or
 * Discard, so every path asks the same way. Saved documents go
 * to the recent files; the autosave follows the window's document.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-examples.h"
#include "il-export.h"
#include "il-settings.h"
#include "il-window-private.h"

static void il_window_do_pending (IlWindow *self);

/* ---------------------------------------------------------------- files */

static void
il_window_add_recent (GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GtkRecentData    data = { 0 };
  char            *groups[] = { (char *) "interleave", NULL };

  data.display_name = NULL;
  data.mime_type = (char *) "application/x-interleave-experiment";
  data.app_name = (char *) g_get_application_name ();
  data.app_exec = (char *) "interleave %u";
  data.groups = groups;
  gtk_recent_manager_add_full (gtk_recent_manager_get_default (), uri, &data);
}

gboolean
il_window_load_file (IlWindow *self,
                     GFile    *file,
                     GError  **error)
{
  g_autoptr(IlDocument) document = NULL;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  document = il_document_new_for_file (file, error);
  if (document == NULL)
    return FALSE;
  il_window_set_document (self, document);
  il_window_add_recent (file);
  il_window_ask_recorded_quiz (self);
  return TRUE;
}

void
il_window_restore_document (IlWindow   *self,
                            IlDocument *document)
{
  g_return_if_fail (IL_IS_WINDOW (self));
  g_return_if_fail (IL_IS_DOCUMENT (document));

  il_window_set_document (self, document);
}

gboolean
il_window_load_example (IlWindow   *self,
                        const char *name,
                        GError    **error)
{
  g_autoptr(IlDocument) document = NULL;
  IlExperiment *experiment;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  experiment = il_example_load (name, error);
  if (experiment == NULL)
    return FALSE;
  /* An example is a template: saving asks where, never over the built-in. */
  document = il_document_new (experiment);
  il_window_set_document (self, document);
  il_window_ask_recorded_quiz (self);
  return TRUE;
}

/* Files from this size on are opened in a thread: a file with recorded
 * results this big holds some 10,000 tasks or more and takes over half a
 * second to read (a million tasks: most of a GiB and tens of seconds). */
#define OPEN_IN_THREAD_BYTES (8 * 1024 * 1024)

static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  GError     *error = NULL;
  IlDocument *document = il_document_new_for_file (G_FILE (data), &error);

  if (document == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, document, g_object_unref);
}

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  IlWindow *self = IL_WINDOW (source);
  g_autoptr(GFile) file = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlDocument) document = g_task_propagate_pointer (G_TASK (result), &error);

  /* Cancelled (the toast's Cancel, another file, the window closing): the
   * reading may go on in its thread, and what it gives is dropped. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->open_cancellable);
  if (document != NULL)
    {
      /* Showing a big document's results takes a while too: the toast
       * stays until they are there. */
      il_window_set_document (self, document);
      il_window_add_recent (file);
    }
  if (self->open_toast != NULL)
    adw_toast_dismiss (self->open_toast);
  g_clear_object (&self->open_toast);
  if (document == NULL)
    il_window_show_error (self, _("Could Not Open the Experiment"), error->message);
  else
    il_window_ask_recorded_quiz (self);
}

static void
open_cancel_cb (AdwToast *toast,
                IlWindow *self)
{
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->open_toast);
}

/* A big file: read in a thread while a toast says so, with Cancel. */
static gboolean
il_window_open_in_thread (IlWindow *self,
                          GFile    *file)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL || g_file_info_get_size (info) < OPEN_IN_THREAD_BYTES)
    return FALSE;

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  if (self->open_toast != NULL)
    adw_toast_dismiss (self->open_toast);
  g_clear_object (&self->open_toast);

  name = g_strdup (g_file_info_get_display_name (info));
  /* TRANSLATORS: %s is a file name; shown while a big file is read */
  title = g_strdup_printf (_("Opening “%s”…"), name);
  self->open_toast = adw_toast_new (title);
  adw_toast_set_timeout (self->open_toast, 0);
  adw_toast_set_priority (self->open_toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_button_label (self->open_toast, _("_Cancel"));
  g_signal_connect_object (self->open_toast, "button-clicked", G_CALLBACK (open_cancel_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->open_toast));

  self->open_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->open_cancellable, open_done_cb, g_object_ref (file));
  g_task_set_source_tag (task, il_window_open_in_thread);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, open_thread);
  return TRUE;
}

static void
il_window_open_file_now (IlWindow *self,
                         GFile    *file)
{
  g_autoptr(GError) error = NULL;

  if (il_window_open_in_thread (self, file))
    return;
  if (!il_window_load_file (self, file, &error))
    il_window_show_error (self, _("Could Not Open the Experiment"), error->message);
}

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  IlWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        il_window_open_file_now (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static GtkFileFilter *
experiment_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Interleave Experiments"));
  gtk_file_filter_add_pattern (filter, "*.interleave");
  gtk_file_filter_add_mime_type (filter, "application/x-interleave-experiment");
  return filter;
}

static void
il_window_open_dialog (IlWindow *self)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = experiment_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open Experiment"), GTK_WINDOW (self),
                                           GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

gboolean
il_window_save_to (IlWindow *self,
                   GFile    *file,
                   gboolean  with_results,
                   GError  **error)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (self->document != NULL, FALSE);

  if (!il_document_save (self->document, file, with_results ? self->results : NULL, error))
    return FALSE;
  if (with_results && self->results != NULL)
    self->results_unsaved = FALSE;
  il_window_add_recent (file);
  il_window_update_title (self);
  return TRUE;
}

/* Shows why the document cannot be saved, and forgets what was pending. */
static void
il_window_report_save_error (IlWindow *self,
                             GError   *error)
{
  if (g_error_matches (error, IL_ERROR, IL_ERROR_INVALID))
    {
      /* A field shows text the document does not hold, or a rule is broken:
       * saving would write something else than what the editor shows, or a
       * file the app could not open again. */
      g_autofree char *message =
        /* TRANSLATORS: %s says where and why ("job, block 4, URL: …") */
        g_strdup_printf (_("%s\n\nCorrect it where it is marked, or undo the change. "
                           "Nothing was written."),
                            error->message);

      il_window_show_error (self, _("The Experiment Cannot Be Saved Yet"), message);
    }
  else
    il_window_show_error (self, _("Could Not Save the Experiment"), error->message);
  self->pending = PENDING_NONE;
  g_clear_object (&self->pending_file);
  g_clear_pointer (&self->pending_example, g_free);
}

/* Saves; on failure shows why and forgets what was pending. */
static gboolean
il_window_save_and_report (IlWindow *self,
                           GFile    *file,
                           gboolean  with_results)
{
  g_autoptr(GError) error = NULL;

  if (il_window_save_to (self, file, with_results, &error))
    {
      if (with_results)
        il_window_toast (self, _("Saved with results"));
      return TRUE;
    }
  il_window_report_save_error (self, error);
  return FALSE;
}

static void
save_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  IlWindow        *self)
{
  gboolean with_results = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "with-results"));

  if (response == GTK_RESPONSE_ACCEPT && self->document != NULL)
    {
      g_autoptr(GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GFile) file = NULL;
      g_autofree char *basename = chosen ? g_file_get_basename (chosen) : NULL;

      /* The extension is what desktops and our own filter recognise. */
      if (basename != NULL && !g_str_has_suffix (basename, ".interleave"))
        {
          g_autoptr(GFile) parent = g_file_get_parent (chosen);
          g_autofree char *with_ext = g_strconcat (basename, ".interleave", NULL);

          file = g_file_get_child (parent, with_ext);
        }
      else
        file = g_steal_pointer (&chosen);

      if (file != NULL && il_window_save_and_report (self, file, with_results))
        il_window_do_pending (self);
    }
  else
    self->pending = PENDING_NONE;

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

void
il_window_save_as_dialog (IlWindow *self,
                          gboolean  with_results)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = experiment_filter_new ();
  GFile      *current;
  const char *title;
  g_autoptr(GError) refused = NULL;

  /* Refused before asking where, not after. */
  if (!il_document_check (self->document, &refused))
    {
      il_window_report_save_error (self, refused);
      return;
    }
  title = with_results ? _("Save Experiment with Results") : _("Save Experiment");
  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  current = il_document_get_file (self->document);
  if (current != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), current, NULL);
  else
    {
      const char      *name = il_document_get_experiment (self->document)->name;
      g_autofree char *suggested = g_strdup_printf ("%s.interleave", name && *name ? name : _("experiment"));

      g_strdelimit (suggested, "/\\:", '-');
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
    }
  g_object_set_data (G_OBJECT (dialog), "with-results", GINT_TO_POINTER (with_results));
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Saves in place when the document has a file, else asks where; then does
 * what was pending. */
void
il_window_save (IlWindow *self,
                gboolean  with_results)
{
  GFile *file = il_document_get_file (self->document);

  if (file == NULL)
    {
      il_window_save_as_dialog (self, with_results);
      return;
    }
  if (il_window_save_and_report (self, file, with_results))
    il_window_do_pending (self);
}

static void
il_window_do_pending (IlWindow *self)
{
  PendingKind pending = self->pending;
  g_autoptr(GFile) file = g_steal_pointer (&self->pending_file);
  g_autofree char *example = g_steal_pointer (&self->pending_example);

  self->pending = PENDING_NONE;
  switch (pending)
    {
      case PENDING_CLOSE:
        self->close_confirmed = TRUE;
        gtk_window_close (GTK_WINDOW (self));
        break;
      case PENDING_NEW:
        {
          g_autoptr(IlDocument) document = il_document_new (il_settings_new_experiment ());

          il_window_set_document (self, document);
        }
        break;
      case PENDING_OPEN_DIALOG:
        il_window_open_dialog (self);
        break;
      case PENDING_OPEN_FILE:
        if (file != NULL)
          il_window_open_file_now (self, file);
        break;
      case PENDING_OPEN_EXAMPLE:
        {
          g_autoptr(GError) error = NULL;

          if (example != NULL && !il_window_load_example (self, example, &error))
            il_window_show_error (self, _("Could Not Open the Example"), error->message);
        }
        break;
      case PENDING_NONE:
      default:
        break;
    }
}

gboolean
il_window_has_unsaved (IlWindow *self)
{
  if (self->document == NULL)
    return FALSE;
  return il_document_get_modified (self->document) || (self->results_unsaved && self->results != NULL);
}

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     IlWindow         *self)
{
  if (g_strcmp0 (response, "save") == 0 && self->document != NULL)
    il_window_save (self, FALSE);
  else if (g_strcmp0 (response, "save-results") == 0 && self->document != NULL)
    il_window_save (self, TRUE);
  else if (g_strcmp0 (response, "discard") == 0)
    il_window_do_pending (self);
  else
    {
      self->pending = PENDING_NONE;
      g_clear_object (&self->pending_file);
      g_clear_pointer (&self->pending_example, g_free);
    }
}

/* Runs @pending now, or after the user saved or discarded changes. */
void
il_window_after_confirm (IlWindow   *self,
                         PendingKind pending,
                         GFile      *file,
                         const char *example)
{
  GtkWidget       *dialog;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  gboolean         with_results;
  const char      *save_id;

  self->pending = pending;
  g_set_object (&self->pending_file, file);
  g_free (self->pending_example);
  self->pending_example = g_strdup (example);

  if (!il_window_has_unsaved (self))
    {
      il_window_do_pending (self);
      return;
    }

  title = il_document_dup_title (self->document);
  with_results = self->results_unsaved && self->results != NULL;
  if (with_results && il_document_get_modified (self->document))
    body = g_strdup_printf (_("“%s” has unsaved changes and results that were measured but not saved. "
                              "What is not saved will be lost."),
                               title);
  else if (with_results)
    body = g_strdup_printf (_("The results measured for “%s” are not saved. Results which are not saved "
                              "will be lost."),
                               title);
  else
    body = g_strdup_printf (_("“%s” has unsaved changes. Changes which are not saved will be lost."), title);
  save_id = with_results ? "save-results" : "save";
  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   with_results ? _("Save the Results?") : _("Save Changes?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "discard", _("_Discard"), NULL);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), save_id,
                                   with_results ? _("Save with _Results") : _("_Save"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), save_id, ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), save_id);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
il_window_open_file (IlWindow *self,
                     GFile    *file)
{
  g_return_if_fail (IL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  il_window_after_confirm (self, PENDING_OPEN_FILE, file, NULL);
}

gboolean
il_window_confirm_close (IlWindow *self)
{
  if (!self->close_confirmed && il_window_has_unsaved (self))
    {
      il_window_after_confirm (self, PENDING_CLOSE, NULL, NULL);
      return TRUE;
    }
  return FALSE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         IlWindow      *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      if (files != NULL)
        file = files->data;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;
  il_window_open_file (self, file);
  return TRUE;
}

void
il_window_init_drop_target (IlWindow *self)
{
  GtkDropTarget *target;
  GType          types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* ---------------------------------------------------------------- exports */

gboolean
il_window_export_to (IlWindow   *self,
                     GFile      *file,
                     const char *format,
                     GError    **error)
{
  const IlExperiment *experiment;
  const IlResults    *results;
  IlExportFormat      results_format;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  experiment = self->document ? il_document_get_experiment (self->document) : NULL;
  /* The latest run, or else the results the file carries. */
  results = self->results ? self->results : (experiment ? experiment->results : NULL);
  if (results == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There are no results to export yet"));
      return FALSE;
    }

  /* The core writes atomically, or directly to a FIFO or a device. */
  if (il_export_format_from_string (format, &results_format))
    return il_results_export_to_file (results, experiment, results_format, file, error);
  if (g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0)
    return il_results_view_export (self->results_view, file, format, error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("This build cannot export %s"), format);
  return FALSE;
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    IlWindow        *self)
{
  const char *format = g_object_get_data (G_OBJECT (dialog), "format");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (file != NULL && il_window_export_to (self, file, format, &error))
        il_window_toast (self, _("Exported"));
      else if (error != NULL)
        il_window_show_error (self, _("Could Not Export"), error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

void
il_window_export_dialog (IlWindow   *self,
                         const char *format)
{
  GtkFileChooserNative *dialog;
  const char           *extension;
  g_autofree char      *name = NULL;
  const char           *base;
  IlExportFormat        results_format;

  if (il_export_format_from_string (format, &results_format))
    extension = il_export_format_extension (results_format);
  else if (g_strcmp0 (format, "png") == 0)
    extension = ".png";
  else if (g_strcmp0 (format, "svg") == 0)
    extension = ".svg";
  else
    return;

  base = self->document ? il_document_get_experiment (self->document)->name : NULL;
  name = g_strconcat (base && *base ? base : _("results"), extension, NULL);
  g_strdelimit (name, "/\\:", '-');
  dialog = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                           _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data_full (G_OBJECT (dialog), "format", g_strdup (format), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
