/* il-window.c — the main window: welcome page, editors, live view, results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This file builds the window and shows the document: its pages, title and
 * results. Files, runs and actions live in the other il-window-*.c files
 * (il-window-private.h says which).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-examples.h"
#include "il-format.h"
#include "il-settings.h"
#include "il-window-private.h"
#include "il-wrap-box.h"

G_DEFINE_FINAL_TYPE (IlWindow, il_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---------------------------------------------------------------- errors */

void
il_window_toast (IlWindow   *self,
                 const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Shows @message verbatim: file errors already say FILE:LINE:COLUMN. */
void
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

void
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
  /* A leading bullet marks unsaved changes, as GNOME's editors do;
   * results not saved yet count. */
  if (il_window_has_unsaved (self))
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

/* The Run button's tooltip and accessible description: what it does, or,
 * when it is insensitive because of the document, why. */
static void
il_window_update_run_button (IlWindow *self,
                             gboolean  running,
                             GError   *refused)
{
  GtkWidget       *button = GTK_WIDGET (self->run_button);
  g_autofree char *tooltip = NULL;

  if (running)
    tooltip = g_strdup (_("Stop the run (Shift+F5)"));
  else if (refused != NULL)
    /* TRANSLATORS: the Run button's tooltip while the document cannot run;
     * %s says where and why ("job, block 4: …") */
    tooltip = g_strdup_printf (_("Cannot run: %s"), refused->message);
  else
    tooltip = g_strdup (_("Run the enabled configurations (F5)"));
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
}

void
il_window_update_actions (IlWindow *self)
{
  gboolean have_doc = self->document != NULL;
  gboolean running = self->run_cancellable != NULL;
  gboolean have_results = self->results != NULL;
  gboolean have_recorded = have_doc && il_document_get_experiment (self->document)->results != NULL;
  g_autoptr(GError) refused = NULL;

  /* A refused field or a broken rule: Run is off, and says why. */
  if (have_doc && !running)
    il_document_check (self->document, &refused);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save", have_doc);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-as", have_doc);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-with-results", have_doc && have_results);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", have_results || have_recorded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 have_doc && !running && il_document_can_undo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.redo",
                                 have_doc && !running && il_document_can_redo (self->document));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run", have_doc && !running && refused == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-page", have_doc);

  gtk_widget_set_visible (GTK_WIDGET (self->run_button), have_doc);
  gtk_widget_set_visible (self->switcher_box, have_doc);
  gtk_widget_set_visible (self->save_button, have_doc);
  il_window_update_run_button (self, running, refused);
  il_window_update_narrow (self);
}

/* The squeezer in the switcher's row shows nothing once the wide switcher
 * does not fit: the window is narrow. Then the switcher bar at the bottom
 * takes over and the row goes flat (it stays, to notice when the window
 * widens again: its width does not change with the mode, so the two cannot
 * chase each other). Open and Save have their own squeezer. */
void
il_window_update_narrow (IlWindow *self)
{
  gboolean narrow = self->document != NULL &&
                    adw_squeezer_get_visible_child (self->switcher_squeezer) == self->switcher_none;

  if (narrow)
    gtk_widget_add_css_class (self->switcher_box, "narrow");
  else
    gtk_widget_remove_css_class (self->switcher_box, "narrow");
  adw_view_switcher_bar_set_reveal (ADW_VIEW_SWITCHER_BAR (self->switcher_bar), narrow);
}

static gboolean
update_narrow_idle (gpointer data)
{
  IlWindow *self = data;

  self->narrow_source = 0;
  il_window_update_narrow (self);
  return G_SOURCE_REMOVE;
}

/* The squeezer chooses while it is being allocated: showing or hiding
 * other widgets right then leaves them without an allocation (GTK 4.8
 * warns, and the window stayed 1×1 and blank), so the change waits until
 * this layout is done. */
static void
switcher_squeezed_cb (IlWindow *self)
{
  if (self->narrow_source == 0)
    self->narrow_source = g_idle_add (update_narrow_idle, self);
}

void
il_window_set_running_ui (IlWindow *self,
                          gboolean  running)
{
  GtkWidget *button = GTK_WIDGET (self->run_button);

  /* One button: its label is its accessible name, "Run" or "Stop". */
  gtk_button_set_label (self->run_button, running ? _("Stop") : _("Run"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), running ? "win.stop" : "win.run");
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

/* The quiz's card shows once a measurement answers the question: a run
 * here, or the author's recorded results once the question was asked. */
static void
il_window_update_quiz_card (IlWindow *self)
{
  const IlExperiment *experiment = self->document ? il_document_get_experiment (self->document) : NULL;
  const IlQuiz       *quiz = experiment ? experiment->quiz : NULL;
  const IlResults    *recorded = experiment ? experiment->results : NULL;

  if (quiz == NULL || quiz->choices == NULL || (self->results == NULL && (recorded == NULL || !self->quiz_asked)))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->quiz_card), FALSE);
      return;
    }
  il_quiz_card_set_answer (self->quiz_card, quiz, self->quiz_asked ? self->quiz_pick : -1,
                           self->results, recorded);
  gtk_widget_set_visible (GTK_WIDGET (self->quiz_card), TRUE);
}

/* The Results page of a lesson offers the next one (il-examples.h says
 * which document is a lesson). */
static void
il_window_update_lesson (IlWindow *self)
{
  g_autofree char *lesson = NULL;

  g_clear_pointer (&self->next_lesson, il_example_info_free);
  if (self->document != NULL)
    lesson = il_examples_find_lesson (il_document_get_experiment (self->document));
  if (lesson != NULL)
    self->next_lesson = il_examples_next_lesson (lesson);
  if (self->next_lesson != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Next lesson: %s"), self->next_lesson->title);

      gtk_label_set_label (self->next_lesson_label, text);
    }
  gtk_widget_set_visible (self->lesson_bar, self->next_lesson != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-lesson", self->next_lesson != NULL);
}

/* One "⚠" line per warning; the author's say whose they are. */
static void
append_warnings (GString           *text,
                 const char *const *warnings,
                 gboolean           authors)
{
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (authors)
        g_string_append_printf (text, _("⚠ The author’s measurement: %s"), warnings[i]);
      else
        g_string_append_printf (text, "⚠ %s", warnings[i]);
    }
}

void
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
      il_results_view_set_results (self->results_view, NULL, NULL, NULL);
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
      g_autofree char *machine = il_format_machine (&recorded->machine);

      recorded_title = g_strdup_printf (_("Recorded by the author on %s"), machine);
      il_results_table_set_results (self->recorded_table, recorded, recorded_title);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recorded_table), recorded != NULL);

  /* What makes figures less trustworthy, ours and the author's alike. */
  {
    g_autoptr(GString) text = g_string_new (NULL);

    append_warnings (text, self->results ? (const char *const *) self->results->warnings : NULL, FALSE);
    append_warnings (text, recorded ? (const char *const *) recorded->warnings : NULL, TRUE);
    gtk_label_set_label (self->warnings_label, text->str);
    gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), text->len > 0);
  }

  il_results_view_set_results (self->results_view, self->results, recorded, experiment);
}

static void
document_notify_cb (IlWindow *self)
{
  il_window_update_title (self);
  il_window_update_actions (self);
}

/* A stack moving the focus into its new page gives it to the first field
 * there, its text selected: the experiment's name, replaced by the next key
 * press. A newly shown document takes the focus on its page switcher
 * instead (or nowhere), as a document window does. */
static void
il_window_settle_focus (IlWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->main_stack)))
    return;
  gtk_root_set_focus (GTK_ROOT (self), NULL);
  if (gtk_widget_is_visible (self->switcher_box))
    gtk_widget_child_focus (self->switcher_box, GTK_DIR_TAB_FORWARD);
}

/* The Live page shows the run of the document that is open: another
 * document (opened or new) brings back the "Not Running" page. */
static void
il_window_clear_live (IlWindow *self)
{
  if (self->live_view == NULL)
    return;
  if (self->live_model != NULL)
    {
      il_live_model_stop (self->live_model);
      il_live_model_reset (self->live_model);
    }
  /* The placeholder is kept (a reference from init): put it back. */
  adw_bin_set_child (self->live_bin, self->live_placeholder);
  self->live_view = NULL;
}

void
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
  self->results_unsaved = FALSE;
  self->quiz_asked = FALSE;
  self->quiz_pick = -1;
  if (self->quiz_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->quiz_dialog));

  il_window_clear_live (self);
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
  il_window_update_lesson (self);
  il_window_show_results (self);
  il_window_update_title (self);
  il_window_update_actions (self);
  if (document != NULL)
    il_window_settle_focus (self);
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

/* The size the window had unmaximized (GTK keeps it as the default size)
 * and whether it is maximized, for the next window (issue 12). */
static void
il_window_save_state (IlWindow *self)
{
  GSettings *settings = il_settings_get ();
  int        width = 0;
  int        height = 0;

  if (settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (settings, IL_SETTINGS_WINDOW_WIDTH, width);
      g_settings_set_int (settings, IL_SETTINGS_WINDOW_HEIGHT, height);
    }
  g_settings_set_boolean (settings, IL_SETTINGS_WINDOW_MAXIMIZED, gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
il_window_restore_state (IlWindow *self)
{
  GSettings *settings = il_settings_get ();

  if (settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, IL_SETTINGS_WINDOW_WIDTH),
                               g_settings_get_int (settings, IL_SETTINGS_WINDOW_HEIGHT));
  if (g_settings_get_boolean (settings, IL_SETTINGS_WINDOW_MAXIMIZED))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
il_window_close_request (GtkWindow *window)
{
  IlWindow *self = IL_WINDOW (window);

  if (il_window_confirm_close (self))
    return TRUE;
  il_window_save_state (self);
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  /* Saved, discarded or unmodified: nothing to restore later. */
  il_autosave_set_document (self->autosave, NULL);
  return GTK_WINDOW_CLASS (il_window_parent_class)->close_request (window);
}

/* After construction: GtkWindow's own construct properties would undo a
 * maximize done in init. */
static void
il_window_constructed (GObject *object)
{
  G_OBJECT_CLASS (il_window_parent_class)->constructed (object);
  il_window_restore_state (IL_WINDOW (object));
}

static void
il_window_dispose (GObject *object)
{
  IlWindow *self = IL_WINDOW (object);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->open_toast);
  if (self->live_model != NULL)
    il_live_model_stop (self->live_model);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_handle_id (&self->narrow_source, g_source_remove);
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
  g_clear_pointer (&self->next_lesson, il_example_info_free);
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

  object_class->constructed = il_window_constructed;
  object_class->dispose = il_window_dispose;
  window_class->close_request = il_window_close_request;

  g_type_ensure (IL_TYPE_WELCOME_PAGE);
  g_type_ensure (IL_TYPE_WORKLOAD_EDITOR);
  g_type_ensure (IL_TYPE_RUNS_EDITOR);
  g_type_ensure (IL_TYPE_RESULTS_TABLE);
  g_type_ensure (IL_TYPE_QUIZ_CARD);
  g_type_ensure (IL_TYPE_WRAP_BOX);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, switcher_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, switcher_squeezer);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, switcher_none);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, switcher_bar);
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
  gtk_widget_class_bind_template_child (widget_class, IlWindow, results_view_bin);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, results_table);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, recorded_table);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, examples_menu);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_bar);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, next_lesson_label);

  gtk_widget_class_bind_template_callback (widget_class, switcher_squeezed_cb);

  il_window_class_init_actions (widget_class);
}

static void
il_window_init (IlWindow *self)
{
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
  g_signal_group_connect_object (self->document_signals, "notify::input-error",
                                 G_CALLBACK (document_notify_cb), self, G_CONNECT_SWAPPED);

  il_window_init_drop_target (self);

  self->results_view = IL_RESULTS_VIEW (il_results_view_new ());
  adw_bin_set_child (self->results_view_bin, GTK_WIDGET (self->results_view));

  il_window_fill_examples_menu (self);
  il_window_update_lesson (self);
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

IlAutosave *
il_window_get_autosave (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->autosave;
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
