/* il-window.c — the main window: welcome page, editors, live view, results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window owns the open document, the run in progress (runner, event
 * queue, cancellable) and the latest results. Replacing or closing a modified
 * document goes through one confirmation ("pending" below remembers what to
 * do once the user chose Save or Discard), so every path asks the same way.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "il-application.h"
#include "il-block-item.h"
#include "il-document.h"
#include "il-examples.h"
#include "il-network.h"
#include "il-export.h"
#include "il-results-table.h"
#include "il-runner.h"
#include "il-runs-editor.h"
#include "il-welcome-page.h"
#include "il-window.h"
#include "il-workload-editor.h"

#if __has_include("il-live-view.h") && __has_include("il-live-model.h")
#  include "il-live-model.h"
#  include "il-live-view.h"
#  define HAVE_LIVE_VIEW 1
#else
#  define HAVE_LIVE_VIEW 0
#endif
#if __has_include("il-results-view.h")
#  include "il-results-view.h"
#  define HAVE_RESULTS_VIEW 1
#else
#  define HAVE_RESULTS_VIEW 0
#endif

/* Bounds the memory a hidden window (which stops ticking) can make the queue
 * use; the core counts what it drops. */
#define EVENT_QUEUE_CAPACITY (1 << 18)

typedef enum
{
  PENDING_NONE,
  PENDING_CLOSE,
  PENDING_NEW,
  PENDING_OPEN_DIALOG,
  PENDING_OPEN_FILE,
  PENDING_OPEN_EXAMPLE,
} PendingKind;

struct _IlWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay  *toast_overlay;
  AdwHeaderBar     *header_bar;
  AdwWindowTitle   *window_title;
  GtkWidget        *switcher_box;
  GtkWidget        *open_button;
  GtkWidget        *save_button;
  GtkMenuButton    *menu_button;
  GtkButton        *run_button;
  GtkStack         *main_stack;
  IlAutosave       *autosave; /* il-autosave.h: this window's unsaved edits */
  IlWelcomePage    *welcome_page;
  AdwViewStack     *view_stack;
  IlWorkloadEditor *workload_editor;
  IlRunsEditor     *runs_editor;
  GtkWidget        *live_box;
  GtkProgressBar   *progress_bar;
  GtkLabel         *progress_label;
  AdwBin           *live_bin;
  GtkWidget        *live_placeholder;
  GtkStack         *results_stack;
  GtkWidget        *results_box;
  GtkLabel         *warnings_label;
  GtkWidget        *quiz_card;
  GtkLabel         *quiz_heading;
  GtkLabel         *quiz_question;
  GtkLabel         *quiz_verdict;
  GtkLabel         *quiz_explanation;
  GtkLabel         *quiz_figures;
  AdwBin           *results_view_bin;
  IlResultsTable   *results_table;
  IlResultsTable   *recorded_table;
  GMenu            *examples_menu;

  /* borrowed: the quiz dialog while it is open (weak pointer) */
  AdwMessageDialog *quiz_dialog;

  /* owned */
  IlDocument   *document;
  GSignalGroup *document_signals;
  GCancellable *run_cancellable;
  IlRunner     *runner;
  IlEventQueue *queue;
  IlResults    *results;
  GObject      *live_model;   /* IlLiveModel when available */
  GtkWidget    *live_view;    /* IlLiveView when available */
  GtkWidget    *results_view; /* IlResultsView when available */
  GFile        *pending_file;
  char         *pending_example;

  PendingKind pending;
  gint64      run_started_us;
  guint       progress_source;
  gboolean    close_confirmed;
  /* The document was replaced during the run: its results are dropped. */
  gboolean run_stale;
  /* The quiz is asked once per document, before its first run. */
  gboolean quiz_asked;
  int      quiz_pick; /* choice index, -1: skipped */
};

G_DEFINE_FINAL_TYPE (IlWindow, il_window, ADW_TYPE_APPLICATION_WINDOW)

static void il_window_do_pending (IlWindow *self);
static void il_window_start_run (IlWindow *self, gboolean allow_network);
static void il_window_save_as_dialog (IlWindow *self, gboolean with_results);

/* ---------------------------------------------------------------- errors */

static void
il_window_toast (IlWindow   *self,
                 const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Shows @message verbatim: file errors already say FILE:LINE:COLUMN. */
static void
il_window_show_error (IlWindow   *self,
                      const char *heading,
                      const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---------------------------------------------------------------- state */

static void
il_window_update_title (IlWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *full = NULL;
  const char      *subtitle = NULL;

  if (self->document == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Interleave"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Interleave"));
      return;
    }

  title = il_document_dup_title (self->document);
  /* A leading bullet marks unsaved changes, as GNOME's editors do. */
  if (il_document_get_modified (self->document))
    full = g_strdup_printf ("• %s", title);
  else
    full = g_strdup (title);
  if (il_document_get_file (self->document) != NULL)
    subtitle = il_document_get_experiment (self->document)->name;
  adw_window_title_set_title (self->window_title, full);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  {
    g_autofree char *window_title = g_strdup_printf ("%s — %s", full, _("Interleave"));

    gtk_window_set_title (GTK_WINDOW (self), window_title);
  }
}

static void
il_window_update_actions (IlWindow *self)
{
  gboolean have_doc = self->document != NULL;
  gboolean running = self->run_cancellable != NULL;
  gboolean have_results = self->results != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", have_doc);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", have_doc);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-with-results", have_doc && have_results);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", have_results || (have_doc && il_document_get_experiment (self->document)->results != NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 have_doc && !running && il_document_can_undo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 have_doc && !running && il_document_can_redo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", have_doc && !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-page", have_doc);

  gtk_widget_set_visible (GTK_WIDGET (self->run_button), have_doc);
  gtk_widget_set_visible (self->switcher_box, have_doc);
  gtk_widget_set_visible (self->save_button, have_doc);
}

static void
il_window_set_running_ui (IlWindow *self,
                          gboolean  running)
{
  GtkWidget *button = GTK_WIDGET (self->run_button);

  /* One button: its label is its accessible name, "Run" or "Stop". */
  gtk_button_set_label (self->run_button, running ? _("Stop") : _("Run"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), running ? "win.stop" : "win.run");
  gtk_widget_set_tooltip_text (button, running ? _("Stop the run (Shift+F5)")
                                               : _("Run the enabled configurations (F5)"));
  if (running)
    {
      gtk_widget_remove_css_class (button, "suggested-action");
      gtk_widget_add_css_class (button, "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (button, "destructive-action");
      gtk_widget_add_css_class (button, "suggested-action");
    }
  /* The editors stay readable but not editable while a run uses a copy. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->workload_editor), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->runs_editor), !running);
  il_window_update_actions (self);
}

/* The measured figures that answer the quiz: each run's median makespan
 * and, when there is a sequential baseline, its speedup. */
static char *
quiz_figures_text (const IlResults *results)
{
  GString *s = g_string_new (_("Measured here:"));

  for (guint i = 0; results->runs != NULL && i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      g_string_append_printf (s, "\n• %s: %.1f ms", run->label ? run->label : _("run"), run->summary.makespan_ms.median);
      if (!isnan (run->summary.speedup))
        g_string_append_printf (s, _(", speedup %.2f×"), run->summary.speedup);
    }
  return g_string_free (s, FALSE);
}

static void
il_window_update_quiz_card (IlWindow *self)
{
  const IlExperiment *experiment = self->document ? il_document_get_experiment (self->document) : NULL;
  const IlQuiz       *quiz = experiment ? experiment->quiz : NULL;
  guint               n_choices;
  g_autofree char    *verdict = NULL;
  g_autofree char    *figures = NULL;
  GtkWidget          *verdict_widget = GTK_WIDGET (self->quiz_verdict);

  /* The measurement answers the question: show it once there is one. */
  if (quiz == NULL || self->results == NULL || quiz->choices == NULL)
    {
      gtk_widget_set_visible (self->quiz_card, FALSE);
      return;
    }

  n_choices = g_strv_length (quiz->choices);
  gtk_widget_remove_css_class (verdict_widget, "success");
  gtk_widget_remove_css_class (verdict_widget, "error");
  if (quiz->answer >= n_choices)
    verdict = g_strdup ("");
  else if (!self->quiz_asked || self->quiz_pick < 0 || (guint) self->quiz_pick >= n_choices)
    verdict = g_strdup_printf (_("You skipped the question. The answer: %s"),
                                  quiz->choices[quiz->answer]);
  else if ((guint) self->quiz_pick == quiz->answer)
    {
      verdict = g_strdup_printf (_("✓ Right: you picked “%s”."), quiz->choices[quiz->answer]);
      gtk_widget_add_css_class (verdict_widget, "success");
    }
  else
    {
      verdict = g_strdup_printf (_("✗ Not quite: you picked “%s”; the answer is “%s”."),
                                    quiz->choices[self->quiz_pick], quiz->choices[quiz->answer]);
      gtk_widget_add_css_class (verdict_widget, "error");
    }

  gtk_label_set_label (self->quiz_heading, _("Quiz: what the measurement says"));
  gtk_label_set_label (self->quiz_question, quiz->question ? quiz->question : "");
  gtk_label_set_label (self->quiz_verdict, verdict);
  gtk_label_set_label (self->quiz_explanation, quiz->explanation ? quiz->explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->quiz_explanation),
                          quiz->explanation != NULL && quiz->explanation[0] != '\0');
  figures = quiz_figures_text (self->results);
  gtk_label_set_label (self->quiz_figures, figures);
  gtk_widget_set_visible (self->quiz_card, TRUE);
}

static void
il_window_show_results (IlWindow *self)
{
  const IlExperiment *experiment = self->document ? il_document_get_experiment (self->document) : NULL;
  const IlResults    *recorded = experiment ? experiment->results : NULL;
  g_autofree char    *recorded_title = NULL;

  if (self->results == NULL && recorded == NULL)
    {
      gtk_stack_set_visible_child_name (self->results_stack, "empty");
      il_results_table_set_results (self->results_table, NULL, NULL);
      il_results_table_set_results (self->recorded_table, NULL, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->recorded_table), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), FALSE);
#if HAVE_RESULTS_VIEW
      if (self->results_view != NULL)
        il_results_view_set_results (IL_RESULTS_VIEW (self->results_view), NULL, NULL, NULL);
#endif
      return;
    }

  gtk_stack_set_visible_child_name (self->results_stack, "results");
  il_window_update_quiz_card (self);

  if (self->results != NULL)
    {
      g_autofree char *title = NULL;

      if (self->results->cancelled)
        title = g_strdup (_("This machine (stopped before the end)"));
      else if (self->results->machine.cpu_model != NULL)
        title = g_strdup_printf (_("This machine: %s"), self->results->machine.cpu_model);
      else
        title = g_strdup (_("This machine"));
      il_results_table_set_results (self->results_table, self->results, title);
      gtk_widget_set_visible (GTK_WIDGET (self->results_table), TRUE);
    }
  else
    {
      il_results_table_set_results (self->results_table, NULL, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->results_table), FALSE);
    }

  if (recorded != NULL)
    {
      recorded_title = g_strdup_printf (_("Recorded by the author on %s (%u cores, %s)"),
                                           recorded->machine.cpu_model ? recorded->machine.cpu_model : _("an unknown CPU"), recorded->machine.cores, recorded->machine.date ? recorded->machine.date : _("undated"));
      il_results_table_set_results (self->recorded_table, recorded, recorded_title);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recorded_table), recorded != NULL);

  if (self->results != NULL && self->results->warnings != NULL && self->results->warnings[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv ("\n", self->results->warnings);
      g_autofree char *text = g_strdup_printf ("⚠ %s", joined);

      gtk_label_set_label (self->warnings_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), FALSE);

#if HAVE_RESULTS_VIEW
  if (self->results_view != NULL)
    il_results_view_set_results (IL_RESULTS_VIEW (self->results_view), self->results, recorded, experiment);
#endif
}

static void
document_notify_cb (IlWindow *self)
{
  il_window_update_title (self);
  il_window_update_actions (self);
}

static void
il_window_set_document (IlWindow   *self,
                        IlDocument *document)
{
  if (self->document == document)
    return;

  /* A run measures the document it started from: replacing that stops it. */
  if (self->run_cancellable != NULL)
    {
      g_cancellable_cancel (self->run_cancellable);
      self->run_stale = TRUE;
    }
  g_set_object (&self->document, document);
  g_signal_group_set_target (self->document_signals, document);
  g_clear_pointer (&self->results, il_results_free);
  self->quiz_asked = FALSE;
  self->quiz_pick = -1;
  if (self->quiz_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->quiz_dialog));

  il_workload_editor_set_document (self->workload_editor, document);
  il_runs_editor_set_document (self->runs_editor, document);
  /* Only after Save or Discard: the old document's autosave goes. */
  il_autosave_set_document (self->autosave, document);

  if (document != NULL)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "experiment");
      adw_view_stack_set_visible_child_name (self->view_stack, "workload");
    }
  else
    {
      il_welcome_page_refresh_recent (self->welcome_page);
      gtk_stack_set_visible_child_name (self->main_stack, "welcome");
    }
  il_window_show_results (self);
  il_window_update_title (self);
  il_window_update_actions (self);
}

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

/* ---------------------------------------------------------------- files */

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

IlAutosave *
il_window_get_autosave (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->autosave;
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
  return TRUE;
}

static void
il_window_open_file_now (IlWindow *self,
                         GFile    *file)
{
  g_autoptr(GError) error = NULL;

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
  il_window_add_recent (file);
  il_window_update_title (self);
  return TRUE;
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
  il_window_show_error (self, _("Could Not Save the Experiment"), error->message);
  self->pending = PENDING_NONE;
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

static void
il_window_save_as_dialog (IlWindow *self,
                          gboolean  with_results)
{
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = experiment_filter_new ();
  GFile *current;

  dialog = gtk_file_chooser_native_new (with_results ? _("Save Experiment with Results") : _("Save Experiment"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
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
static void
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
          g_autoptr(IlDocument) document = il_document_new (NULL);

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

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     IlWindow         *self)
{
  if (g_strcmp0 (response, "save") == 0 && self->document != NULL)
    il_window_save (self, FALSE);
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
static void
il_window_after_confirm (IlWindow   *self,
                         PendingKind pending,
                         GFile      *file,
                         const char *example)
{
  GtkWidget       *dialog;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  self->pending = pending;
  g_set_object (&self->pending_file, file);
  g_free (self->pending_example);
  self->pending_example = g_strdup (example);

  if (self->document == NULL || !il_document_get_modified (self->document))
    {
      il_window_do_pending (self);
      return;
    }

  title = il_document_dup_title (self->document);
  body = g_strdup_printf (_("“%s” has unsaved changes. Changes which are not saved will be lost."), title);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save Changes?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "discard", _("_Discard"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
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

static gboolean
il_window_close_request (GtkWindow *window)
{
  IlWindow *self = IL_WINDOW (window);

  if (!self->close_confirmed && self->document != NULL && il_document_get_modified (self->document))
    {
      il_window_after_confirm (self, PENDING_CLOSE, NULL, NULL);
      return TRUE;
    }
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  /* Saved, discarded or unmodified: nothing to restore later. */
  il_autosave_set_document (self->autosave, NULL);
  return GTK_WINDOW_CLASS (il_window_parent_class)->close_request (window);
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
#if HAVE_RESULTS_VIEW
  if ((g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0) && self->results_view != NULL)
    return il_results_view_export (IL_RESULTS_VIEW (self->results_view), file, format, error);
#endif
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

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  IlWindow             *self = IL_WINDOW (widget);
  const char           *format = g_variant_get_string (param, NULL);
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

/* ---------------------------------------------------------------- running */

static void
il_window_update_progress (IlWindow *self)
{
  guint64          done = 0, total = 0;
  gint64           elapsed_us;
  g_autofree char *text = NULL;

#if HAVE_LIVE_VIEW
  if (self->live_model != NULL)
    {
      done = il_live_model_get_tasks_done (IL_LIVE_MODEL (self->live_model));
      total = il_live_model_get_tasks_total (IL_LIVE_MODEL (self->live_model));
    }
#endif
  if (total == 0 && self->runner != NULL)
    total = il_runner_get_total_tasks (self->runner);
  /* Wall time since Run was pressed: the model's elapsed time restarts with
   * every repetition. */
  elapsed_us = self->run_started_us > 0 ? g_get_monotonic_time () - self->run_started_us : 0;

  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / (double) total : 0.0);
  text = g_strdup_printf (_("%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT " tasks · %.1f s"),
                             done, total, elapsed_us / 1e6);
  gtk_label_set_label (self->progress_label, text);
}

static gboolean
progress_tick_cb (gpointer data)
{
  IlWindow *self = data;

  il_window_update_progress (self);
  return G_SOURCE_CONTINUE;
}

static void
run_finished_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(IlWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) results = NULL;
  gboolean was_cancelled;
  gboolean stale = self->run_stale;

  results = il_runner_run_finish (IL_RUNNER (source), result, &error);
  was_cancelled = self->run_cancellable != NULL && g_cancellable_is_cancelled (self->run_cancellable);
  self->run_stale = FALSE;

#if HAVE_LIVE_VIEW
  if (self->live_model != NULL)
    il_live_model_stop (IL_LIVE_MODEL (self->live_model));
#endif
  il_window_update_progress (self);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->runner);
  g_clear_pointer (&self->queue, il_event_queue_unref);
  self->run_started_us = 0;
  il_window_set_running_ui (self, FALSE);

  /* The run belonged to a document that is no longer open. */
  if (stale)
    return;

  if (results == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        il_window_show_error (self, _("The Run Failed"), error ? error->message : _("Unknown error"));
      return;
    }

  g_clear_pointer (&self->results, il_results_free);
  self->results = g_steal_pointer (&results);
  il_window_show_results (self);
  il_window_update_actions (self);
  if (self->results->cancelled || was_cancelled)
    il_window_toast (self, _("Run stopped: partial results"));
  adw_view_stack_set_visible_child_name (self->view_stack, "results");
}

static void
il_window_start_run (IlWindow *self,
                     gboolean  allow_network);

static void
consent_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     IlWindow         *self)
{
  if (g_strcmp0 (response, "allow") == 0)
    il_window_start_run (self, TRUE);
}

/* The hosts the experiment's urls contact, for the consent dialog; NULL
 * when it needs no consent (il_experiment_network_hosts decides). */
static char *
il_window_collect_hosts (IlWindow *self)
{
  g_auto(GStrv) hosts = il_experiment_network_hosts (il_document_get_experiment (self->document));

  if (hosts[0] == NULL)
    return NULL;
  return il_network_describe_hosts ((const char *const *) hosts);
}

static void
il_window_ask_consent (IlWindow   *self,
                       const char *hosts)
{
  GtkWidget       *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("This experiment sends HTTP requests to %s. A shared file could use "
                            "them to reach services on this computer or your network. "
                            "Nothing is sent unless you allow it."),
                             hosts);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Send Requests to Other Hosts?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "allow", _("_Allow and Run"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "allow", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (consent_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Whether any http block targets the embedded latency server. */
static gboolean
experiment_uses_server (const IlExperiment *experiment)
{
  for (guint i = 0; i < experiment->tasks->len; i++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, i);

      for (guint j = 0; j < group->blocks->len; j++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, j);

          if (block->type == IL_BLOCK_HTTP && block->url == NULL)
            return TRUE;
        }
    }
  return FALSE;
}

/* The application's lifetime server when the window belongs to an
 * IlApplication; NULL lets the runner start one for this run (tests with
 * a bare window, or a server that could not start: the runner reports). */
static const char *
il_window_server_url (IlWindow           *self,
                      const IlExperiment *experiment)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GError) error = NULL;
  IlServer *server;

  if (!IL_IS_APPLICATION (app) || !experiment_uses_server (experiment))
    return NULL;
  server = il_application_ensure_server (IL_APPLICATION (app), &error);
  if (server == NULL)
    {
      g_warning ("Could not start the embedded latency server: %s", error->message);
      return NULL;
    }
  return il_server_get_url (server);
}

static void
quiz_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  IlWindow         *self)
{
  gboolean allow_network = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "allow-network"));

  self->quiz_asked = TRUE;
  self->quiz_pick = -1;
  if (g_str_has_prefix (response, "choice-"))
    self->quiz_pick = (int) g_ascii_strtoll (response + strlen ("choice-"), NULL, 10);
  /* The answer is kept, whatever happens to the run. */
  il_window_start_run (self, allow_network);
}

/* "_Skip" → "Skip", "a__b" → "a_b". */
static char *
strip_mnemonic (const char *label)
{
  GString *s = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == '_' && p[1] == '_')
        p++;
      else if (*p == '_')
        continue;
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

/* GTK 4.8 names a mnemonic button by its raw label and by the label it is
 * "labelled by" ("_Skip Skip"): give every response button its plain label
 * alone. */
static void
name_buttons (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    {
      g_autofree char *name = strip_mnemonic (gtk_button_get_label (GTK_BUTTON (widget)));

      gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_buttons (child);
}

/* Asks the experiment's question before its first run: one response per
 * choice, plus Skip. The run starts whatever the answer. */
static void
il_window_ask_quiz (IlWindow     *self,
                    const IlQuiz *quiz,
                    gboolean      allow_network)
{
  GtkWidget *dialog;

  if (self->quiz_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->quiz_dialog));
      return;
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Before You Run: a Question"), quiz->question);
  /* Choices are long, so libadwaita stacks the responses, last added on
   * top: add Skip first and the choices from last to first, so that they
   * read in the file's order with Skip at the bottom. */
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "skip", _("_Skip"));
  for (guint i = quiz->choices != NULL ? g_strv_length (quiz->choices) : 0; i-- > 0;)
    {
      g_autofree char *id = g_strdup_printf ("choice-%u", i);
      g_auto(GStrv) parts = g_strsplit (quiz->choices[i], "_", -1);
      /* Response labels use mnemonics: keep underscores literal. */
      g_autofree char *label = g_strjoinv ("__", parts);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), id, label);
    }
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "skip");
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Quiz"), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, quiz->question, -1);
  g_object_set_data (G_OBJECT (dialog), "allow-network", GINT_TO_POINTER (allow_network));
  g_signal_connect_object (dialog, "response", G_CALLBACK (quiz_response_cb), self, 0);
  g_set_weak_pointer (&self->quiz_dialog, ADW_MESSAGE_DIALOG (dialog));
  name_buttons (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
il_window_start_run (IlWindow *self,
                     gboolean  allow_network)
{
  const IlExperiment *experiment;
  g_autoptr(GArray) only_runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autofree char *hosts = NULL;
  IlRunOptions     options = { 0 };

  if (self->document == NULL || self->run_cancellable != NULL)
    return;
  experiment = il_document_get_experiment (self->document);

  if (!il_experiment_validate (experiment, &error))
    {
      il_window_show_error (self, _("The Experiment Is Not Valid"), error->message);
      return;
    }

  only_runs = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < experiment->runs->len; i++)
    {
      const IlRunConfig *run = g_ptr_array_index (experiment->runs, i);

      if (run->enabled)
        g_array_append_val (only_runs, i);
    }
  if (only_runs->len == 0)
    {
      il_window_toast (self, _("Enable at least one run configuration"));
      adw_view_stack_set_visible_child_name (self->view_stack, "runs");
      return;
    }

  if (experiment->quiz != NULL && !self->quiz_asked)
    {
      il_window_ask_quiz (self, experiment->quiz, allow_network);
      return;
    }

  if (!allow_network && (hosts = il_window_collect_hosts (self)) != NULL)
    {
      il_window_ask_consent (self, hosts);
      return;
    }

  self->queue = il_event_queue_new (EVENT_QUEUE_CAPACITY);
  options.only_runs = only_runs;
  options.allow_network = allow_network;
  options.events = self->queue;
  options.server_url = il_window_server_url (self, experiment);
  runner = il_runner_new (experiment, &options);

  if (!il_runner_check (runner, &error))
    {
      g_clear_pointer (&self->queue, il_event_queue_unref);
      if (g_error_matches (error, IL_ERROR, IL_ERROR_CONSENT) && !allow_network &&
          (hosts = il_window_collect_hosts (self)) != NULL)
        il_window_ask_consent (self, hosts);
      else
        il_window_show_error (self, _("Cannot Run This Experiment"), error->message);
      return;
    }

  self->runner = g_steal_pointer (&runner);
  self->run_cancellable = g_cancellable_new ();
  self->run_started_us = g_get_monotonic_time ();

#if HAVE_LIVE_VIEW
  if (self->live_model == NULL)
    self->live_model = G_OBJECT (il_live_model_new ());
  il_live_model_reset (IL_LIVE_MODEL (self->live_model));
  if (self->live_view == NULL)
    {
      self->live_view = il_live_view_new ();
      gtk_widget_set_vexpand (self->live_view, TRUE);
      il_live_view_set_model (IL_LIVE_VIEW (self->live_view), IL_LIVE_MODEL (self->live_model));
      adw_bin_set_child (self->live_bin, self->live_view);
      /* The live view writes its own progress line (run, repetition, tasks,
       * time): the bar stays as the at-a-glance gauge. */
      gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
    }
  il_live_model_start (IL_LIVE_MODEL (self->live_model), self->runner, self->queue, self->live_view);
#endif

  il_window_set_running_ui (self, TRUE);
  il_window_update_progress (self);
  /* The label and bar need no more than a few updates a second. */
  self->progress_source = g_timeout_add (200, progress_tick_cb, self);
  adw_view_stack_set_visible_child_name (self->view_stack, "live");

  il_runner_run_async (self->runner, self->run_cancellable, run_finished_cb, g_object_ref (self));
}

/* ---------------------------------------------------------------- actions */

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  il_window_after_confirm (IL_WINDOW (widget), PENDING_NEW, NULL, NULL);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  il_window_after_confirm (IL_WINDOW (widget), PENDING_OPEN_DIALOG, NULL, NULL);
}

static void
open_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));

  il_window_open_file (IL_WINDOW (widget), file);
}

static void
open_example_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  il_window_after_confirm (IL_WINDOW (widget), PENDING_OPEN_EXAMPLE, NULL,
                           g_variant_get_string (param, NULL));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->document != NULL)
    il_window_save (self, FALSE);
}

static void
save_as_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->document != NULL)
    il_window_save_as_dialog (self, FALSE);
}

static void
save_with_results_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->document == NULL)
    return;
  if (self->results == NULL)
    {
      il_window_toast (self, _("Run the experiment first"));
      return;
    }
  il_window_save_as_dialog (self, TRUE);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->document != NULL && self->run_cancellable == NULL)
    il_document_undo (self->document);
}

static void
redo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->document != NULL && self->run_cancellable == NULL)
    il_document_redo (self->document);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  il_window_start_run (IL_WINDOW (widget), FALSE);
}

/* Answers the open quiz dialog (-1: skip): build-aux/screenshots reaches
 * the answered Results page through it. */
static void
answer_quiz_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  IlWindow        *self = IL_WINDOW (widget);
  int              choice = g_variant_get_int32 (param);
  g_autofree char *id = choice >= 0 ? g_strdup_printf ("choice-%d", choice) : g_strdup ("skip");

  if (self->quiz_dialog == NULL)
    return;
  if (!adw_message_dialog_has_response (self->quiz_dialog, id))
    return;
  adw_message_dialog_response (self->quiz_dialog, id);
  if (self->quiz_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->quiz_dialog));
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->document != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (param, NULL));
}

/* ---------------------------------------------------------------- object */

static void
il_window_fill_examples_menu (IlWindow *self)
{
  g_autoptr(GPtrArray) examples = il_examples_list ();

  for (guint i = 0; examples != NULL && i < examples->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (examples, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (info->title ? info->title : info->name, NULL);

      g_menu_item_set_action_and_target (item, "win.open-example", "s", info->name);
      g_menu_append_item (self->examples_menu, item);
    }
}

static void
il_window_dispose (GObject *object)
{
  IlWindow *self = IL_WINDOW (object);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
#if HAVE_LIVE_VIEW
  if (self->live_model != NULL)
    il_live_model_stop (IL_LIVE_MODEL (self->live_model));
#endif
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (self->document_signals != NULL)
    g_signal_group_set_target (self->document_signals, NULL);
  g_clear_object (&self->document_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_WINDOW);
  /* Not closed through close-request (the session ends): the autosave
   * stays, to be offered at the next start. */
  g_clear_object (&self->autosave);
  g_clear_object (&self->document);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->runner);
  g_clear_pointer (&self->queue, il_event_queue_unref);
  g_clear_pointer (&self->results, il_results_free);
  g_clear_object (&self->live_model);
  g_clear_object (&self->pending_file);
  g_clear_pointer (&self->pending_example, g_free);
  if (self->quiz_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->quiz_dialog));
  g_clear_weak_pointer (&self->quiz_dialog);
  self->live_view = NULL;
  self->results_view = NULL;

  G_OBJECT_CLASS (il_window_parent_class)->dispose (object);
}

static void
il_window_class_init (IlWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = il_window_dispose;
  window_class->close_request = il_window_close_request;

  g_type_ensure (IL_TYPE_WELCOME_PAGE);
  g_type_ensure (IL_TYPE_WORKLOAD_EDITOR);
  g_type_ensure (IL_TYPE_RUNS_EDITOR);
  g_type_ensure (IL_TYPE_RESULTS_TABLE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, switcher_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, workload_editor);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, runs_editor);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, live_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, live_bin);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, live_placeholder);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, results_stack);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, results_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, warnings_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, quiz_card);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, quiz_heading);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, quiz_question);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, quiz_verdict);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, quiz_explanation);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, quiz_figures);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, results_view_bin);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, results_table);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, recorded_table);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, examples_menu);

  gtk_widget_class_install_action (widget_class, "win.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-uri", "s", open_uri_action);
  gtk_widget_class_install_action (widget_class, "win.open-example", "s", open_example_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.save-as", NULL, save_as_action);
  gtk_widget_class_install_action (widget_class, "win.save-with-results", NULL, save_with_results_action);
  gtk_widget_class_install_action (widget_class, "win.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, redo_action);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.answer-quiz", "i", answer_quiz_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
}

static void
il_window_init (IlWindow *self)
{
  GtkDropTarget *target;
  GType          types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->quiz_pick = -1;
  self->autosave = il_autosave_new ();

  self->document_signals = g_signal_group_new (IL_TYPE_DOCUMENT);
  g_signal_group_connect_object (self->document_signals, "notify::modified",
                                 G_CALLBACK (document_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->document_signals, "notify::file",
                                 G_CALLBACK (document_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->document_signals, "notify::can-undo",
                                 G_CALLBACK (document_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->document_signals, "notify::can-redo",
                                 G_CALLBACK (document_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->document_signals, "changed",
                                 G_CALLBACK (document_notify_cb), self, G_CONNECT_SWAPPED);

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

#if HAVE_RESULTS_VIEW
  self->results_view = il_results_view_new ();
  adw_bin_set_child (self->results_view_bin, self->results_view);
#endif

  il_window_fill_examples_menu (self);
  il_window_update_actions (self);
  il_window_update_title (self);
}

IlWindow *
il_window_new (GtkApplication *application)
{
  return g_object_new (IL_TYPE_WINDOW, "application", application, NULL);
}

IlDocument *
il_window_get_document (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->document;
}

gboolean
il_window_get_running (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  return self->run_cancellable != NULL;
}

const IlResults *
il_window_get_results (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->results;
}

IlResultsTable *
il_window_get_results_table (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->results_table;
}

IlWorkloadEditor *
il_window_get_workload_editor (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->workload_editor;
}

const char *
il_window_get_visible_page (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);

  if (self->document == NULL)
    return "welcome";
  return adw_view_stack_get_visible_child_name (self->view_stack);
}
