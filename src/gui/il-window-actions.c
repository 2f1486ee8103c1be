/* il-window-actions.c — the main window's win.* actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Buttons, menus and shortcuts only name these actions; the work is in
 * il-window-files.c and il-window-run.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-about.h"
#include "il-help-window.h"
#include "il-preferences-window.h"
#include "il-window-private.h"

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  il_window_export_dialog (IL_WINDOW (widget), g_variant_get_string (param, NULL));
}

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
  il_window_answer_quiz (IL_WINDOW (widget), g_variant_get_int32 (param));
}

static void
next_lesson_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->next_lesson == NULL)
    return;
  /* Unsaved changes are asked about first, as for any example. */
  il_window_after_confirm (self, PENDING_OPEN_EXAMPLE, NULL, self->next_lesson->name);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  IlWindow *self = IL_WINDOW (widget);

  if (self->run_cancellable == NULL)
    return;
  /* First: the tasks Stop cuts off read "cancelled" on the Live page. */
  if (self->live_model != NULL)
    il_live_model_request_stop (self->live_model);
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

static void
preferences_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  gtk_window_present (GTK_WINDOW (il_preferences_window_new (GTK_WINDOW (widget))));
}

static void
help_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  il_help_show (GTK_WINDOW (widget));
}

static void
about_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  gtk_window_present (GTK_WINDOW (il_about_window_new (GTK_WINDOW (widget))));
}

void
il_window_class_init_actions (GtkWidgetClass *widget_class)
{
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
  gtk_widget_class_install_action (widget_class, "win.next-lesson", NULL, next_lesson_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, preferences_action);
  gtk_widget_class_install_action (widget_class, "win.help", NULL, help_action);
  gtk_widget_class_install_action (widget_class, "win.about", NULL, about_action);
}
