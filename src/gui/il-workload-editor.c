/* il-workload-editor.c — the experiment's task groups and blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Structural edits live here as widget actions ("editor.*") so that cards and
 * items only name them. After such an edit every card is rebuilt from the
 * document: simple, always consistent, and cheap at the sizes people edit by
 * hand. Focus follows the moved item so keyboard reordering can go on.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "il-calibration.h"
#include "il-edit-rules.h"
#include "il-focus.h"
#include "il-workload-editor.h"

struct _IlWorkloadEditor
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget   *scroller;
  GtkEntry    *name_entry;
  GtkLabel    *name_error_label;
  GtkTextView *description_view;
  GtkLabel    *description_error_label;
  GtkLabel    *summary_label;
  GtkBox      *groups_box;

  /* owned */
  IlDocument   *document;
  GSignalGroup *document_signals;

  gboolean updating;
};

G_DEFINE_FINAL_TYPE (IlWorkloadEditor, il_workload_editor, GTK_TYPE_WIDGET)

static void
il_workload_editor_update_summary (IlWorkloadEditor *self)
{
  const IlExperiment *experiment;
  g_autofree char    *text = NULL;
  guint64             tasks;

  if (self->document == NULL)
    return;
  experiment = il_document_get_experiment (self->document);
  tasks = il_experiment_count_tasks (experiment);
  {
    g_autofree char *groups = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task group", "%u task groups",
                                                            experiment->tasks->len),
                                               experiment->tasks->len);
    g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " task per run",
                                                           "%" PRIu64 " tasks per run", tasks),
                                              tasks);

    /* TRANSLATORS: "3 task groups · 24 tasks per run" */
    text = g_strdup_printf (_("%s · %s"), groups, count);
  }
  gtk_label_set_label (self->summary_label, text);
  if (tasks > IL_MAX_TOTAL_TASKS)
    gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "error");
}

/* Rules that span blocks (a read before any write), on their blocks, as
 * the user edits: one pass of the core's rules over the document. */
static void
il_workload_editor_update_marks (IlWorkloadEditor *self)
{
  g_autoptr(GPtrArray) problems = NULL;

  if (self->document == NULL)
    return;
  problems = il_experiment_find_problems (il_document_get_experiment (self->document));
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    il_task_group_card_set_problems (IL_TASK_GROUP_CARD (child), problems);
}

static void
calibration_ready_cb (GObject *object)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (object);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    il_task_group_card_update_estimates (IL_TASK_GROUP_CARD (child));
}

/* Marks a text field whose text is refused (@reason NULL: clears it): the
 * reason shows under it, and the document holds it for Run and Save. */
static void
il_workload_editor_mark (IlWorkloadEditor *self,
                         GtkWidget        *field,
                         GtkLabel         *label,
                         const char       *what,
                         const char       *reason)
{
  if (reason != NULL)
    {
      /* TRANSLATORS: a refused field and why: "Name: an experiment needs a name" */
      g_autofree char *message = g_strdup_printf (_("%s: %s"), what, reason);

      gtk_widget_add_css_class (field, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason, -1);
      gtk_label_set_label (label, reason);
      if (self->document != NULL)
        il_document_set_input_error (self->document, field, message);
    }
  else
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      if (self->document != NULL)
        il_document_set_input_error (self->document, field, NULL);
    }
  gtk_label_set_label (label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (label), reason != NULL);
}

static void
il_workload_editor_rebuild (IlWorkloadEditor *self)
{
  const IlExperiment *experiment;
  GtkTextBuffer      *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkWidget          *child;
  int                 focus;

  /* Undo, redo and structural edits rebuild the cards: the focus stays at
   * its place, never in a field with its text selected. */
  focus = il_focus_save (GTK_WIDGET (self->groups_box));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box))) != NULL)
    gtk_box_remove (self->groups_box, child);

  self->updating = TRUE;
  if (self->document == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_entry), "");
      gtk_text_buffer_set_text (buffer, "", -1);
      self->updating = FALSE;
      return;
    }

  experiment = il_document_get_experiment (self->document);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->name_entry)), experiment->name) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->name_entry), experiment->name ? experiment->name : "");
  {
    g_autofree char *current = NULL;
    GtkTextIter      start, end;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    current = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    if (g_strcmp0 (current, experiment->description) != 0)
      gtk_text_buffer_set_text (buffer, experiment->description ? experiment->description : "", -1);
  }
  for (guint i = 0; i < experiment->tasks->len; i++)
    gtk_box_append (self->groups_box, il_task_group_card_new (self->document, i));
  self->updating = FALSE;

  il_workload_editor_update_summary (self);
  il_workload_editor_update_marks (self);
  il_focus_restore (GTK_WIDGET (self->groups_box), focus);
}

static void
document_changed_cb (IlWorkloadEditor *self,
                     gboolean          structural,
                     IlDocument       *document)
{
  if (structural)
    il_workload_editor_rebuild (self);
  else
    {
      il_workload_editor_update_summary (self);
      il_workload_editor_update_marks (self);
    }
}

static void
name_changed_cb (IlWorkloadEditor *self)
{
  const char   *text = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  IlExperiment *experiment;

  /* The name is required (1–200 characters): an empty entry is marked and
   * not stored. */
  if (text[0] == '\0')
    {
      il_workload_editor_mark (self, GTK_WIDGET (self->name_entry), self->name_error_label, _("Experiment name"), _("An experiment needs a name"));
      return;
    }
  il_workload_editor_mark (self, GTK_WIDGET (self->name_entry), self->name_error_label, _("Experiment name"), NULL);
  if (self->updating || self->document == NULL)
    return;
  experiment = il_document_begin_edit (self->document, "name");
  g_free (experiment->name);
  experiment->name = g_strdup (text);
  il_document_end_edit (self->document, FALSE);
}

static void
description_changed_cb (IlWorkloadEditor *self,
                        GtkTextBuffer    *buffer)
{
  IlExperiment    *experiment;
  GtkTextIter      start, end;
  g_autofree char *text = NULL;
  glong            chars = gtk_text_buffer_get_char_count (buffer);

  /* Too long for the format: marked and not stored, rather than cut. */
  if (chars > IL_MAX_DESCRIPTION_CHARS)
    {
      g_autofree char *reason = g_strdup_printf (_("%ld characters, more than the %d an experiment’s "
                                                   "description can have"),
                                                    chars, IL_MAX_DESCRIPTION_CHARS);

      il_workload_editor_mark (self, GTK_WIDGET (self->description_view), self->description_error_label,
                               _("Description"), reason);
      return;
    }
  il_workload_editor_mark (self, GTK_WIDGET (self->description_view), self->description_error_label,
                           _("Description"), NULL);
  if (self->updating || self->document == NULL)
    return;
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (g_strcmp0 (text, il_document_get_experiment (self->document)->description) == 0)
    return;
  experiment = il_document_begin_edit (self->document, "description");
  g_free (experiment->description);
  experiment->description = g_steal_pointer (&text);
  il_document_end_edit (self->document, FALSE);
}

/* Moves keyboard focus into the item (or card) now at the given place. */
static void
il_workload_editor_focus (IlWorkloadEditor *self,
                          guint             group,
                          gint              block)
{
  GtkWidget *target = NULL;

  if (block >= 0)
    target = (GtkWidget *) il_workload_editor_get_block_item (self, group, block);
  if (target == NULL)
    target = (GtkWidget *) il_workload_editor_get_card (self, group);
  if (target != NULL)
    gtk_widget_child_focus (target, GTK_DIR_TAB_FORWARD);
}

/* Callers have checked that there is a document and the edit applies. */
static IlExperiment *
il_workload_editor_begin (IlWorkloadEditor *self)
{
  IlExperiment *experiment = il_document_begin_edit (self->document, NULL);

  g_assert (experiment != NULL);
  return experiment;
}

static void
il_workload_editor_end (IlWorkloadEditor *self)
{
  il_document_end_edit (self->document, TRUE);
}

static gboolean
valid_block (const IlExperiment *experiment,
             guint               group,
             guint               block)
{
  IlTaskGroup *g;

  if (group >= experiment->tasks->len)
    return FALSE;
  g = g_ptr_array_index (experiment->tasks, group);
  return block < g->blocks->len;
}

static void
group_add_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  guint             n;

  if (self->document == NULL || il_document_get_experiment (self->document)->tasks->len >= IL_MAX_TASK_GROUPS)
    return;
  experiment = il_workload_editor_begin (self);
  g_ptr_array_add (experiment->tasks, il_task_group_new ());
  n = experiment->tasks->len;
  il_workload_editor_end (self);
  il_workload_editor_focus (self, n - 1, -1);
}

static void
group_move_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  guint             group;
  gint              delta;
  gint              to;

  g_variant_get (param, "(ui)", &group, &delta);
  if (self->document == NULL)
    return;
  to = (gint) group + delta;
  if (group >= il_document_get_experiment (self->document)->tasks->len ||
      to < 0 ||
      to >= (gint) il_document_get_experiment (self->document)->tasks->len)
    return;
  experiment = il_workload_editor_begin (self);
  {
    gpointer moved = g_ptr_array_steal_index (experiment->tasks, group);

    g_ptr_array_insert (experiment->tasks, to, moved);
  }
  il_workload_editor_end (self);
  il_workload_editor_focus (self, to, -1);
}

static void
group_duplicate_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  guint             group = g_variant_get_uint32 (param);

  if (self->document == NULL ||
      group >= il_document_get_experiment (self->document)->tasks->len ||
      il_document_get_experiment (self->document)->tasks->len >= IL_MAX_TASK_GROUPS)
    return;
  experiment = il_workload_editor_begin (self);
  g_ptr_array_insert (experiment->tasks, group + 1,
                      il_task_group_copy (g_ptr_array_index (experiment->tasks, group)));
  il_workload_editor_end (self);
  il_workload_editor_focus (self, group + 1, -1);
}

static void
group_delete_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  guint             group = g_variant_get_uint32 (param);
  guint             n;

  /* An experiment needs at least one task group. */
  if (self->document == NULL ||
      group >= il_document_get_experiment (self->document)->tasks->len ||
      il_document_get_experiment (self->document)->tasks->len <= 1)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_workload_editor_begin (self);
  g_ptr_array_remove_index (experiment->tasks, group);
  n = experiment->tasks->len;
  il_workload_editor_end (self);
  il_workload_editor_focus (self, MIN (group, n - 1), -1);
}

static void
block_add_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  IlTaskGroup      *g;
  guint             group, type, n;

  g_variant_get (param, "(uu)", &group, &type);
  if (self->document == NULL ||
      type >= IL_N_BLOCK_TYPES ||
      group >= il_document_get_experiment (self->document)->tasks->len)
    return;
  g = g_ptr_array_index (il_document_get_experiment (self->document)->tasks, group);
  if (g->blocks->len >= IL_MAX_BLOCKS)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_workload_editor_begin (self);
  g = g_ptr_array_index (experiment->tasks, group);
  g_ptr_array_add (g->blocks, il_block_new (type));
  n = g->blocks->len;
  il_workload_editor_end (self);
  il_workload_editor_focus (self, group, n - 1);
}

static void
block_move_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  IlTaskGroup      *g;
  guint             group, block;
  gint              delta, to;

  g_variant_get (param, "(uui)", &group, &block, &delta);
  if (self->document == NULL || !valid_block (il_document_get_experiment (self->document), group, block))
    return;
  g = g_ptr_array_index (il_document_get_experiment (self->document)->tasks, group);
  to = (gint) block + delta;
  if (to < 0 || to >= (gint) g->blocks->len)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_workload_editor_begin (self);
  g = g_ptr_array_index (experiment->tasks, group);
  g_ptr_array_insert (g->blocks, to, g_ptr_array_steal_index (g->blocks, block));
  il_workload_editor_end (self);
  il_workload_editor_focus (self, group, to);
}

static void
block_duplicate_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  IlTaskGroup      *g;
  guint             group, block;

  g_variant_get (param, "(uu)", &group, &block);
  if (self->document == NULL || !valid_block (il_document_get_experiment (self->document), group, block))
    return;
  g = g_ptr_array_index (il_document_get_experiment (self->document)->tasks, group);
  if (g->blocks->len >= IL_MAX_BLOCKS)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_workload_editor_begin (self);
  g = g_ptr_array_index (experiment->tasks, group);
  g_ptr_array_insert (g->blocks, block + 1, il_block_copy (g_ptr_array_index (g->blocks, block)));
  il_workload_editor_end (self);
  il_workload_editor_focus (self, group, block + 1);
}

static void
block_delete_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (widget);
  IlExperiment     *experiment;
  IlTaskGroup      *g;
  guint             group, block, n;

  g_variant_get (param, "(uu)", &group, &block);
  if (self->document == NULL || !valid_block (il_document_get_experiment (self->document), group, block))
    return;
  g = g_ptr_array_index (il_document_get_experiment (self->document)->tasks, group);
  /* A task group needs at least one block. */
  if (g->blocks->len <= 1)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_workload_editor_begin (self);
  g = g_ptr_array_index (experiment->tasks, group);
  g_ptr_array_remove_index (g->blocks, block);
  n = g->blocks->len;
  il_workload_editor_end (self);
  il_workload_editor_focus (self, group, MIN (block, n - 1));
}

static void
block_drop_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  IlWorkloadEditor   *self = IL_WORKLOAD_EDITOR (widget);
  const IlExperiment *peek;
  IlExperiment       *experiment;
  IlTaskGroup        *from, *to;
  guint               from_group, from_block, to_group, to_block;
  gpointer            moved;

  g_variant_get (param, "(uuuu)", &from_group, &from_block, &to_group, &to_block);
  if (self->document == NULL)
    return;
  peek = il_document_get_experiment (self->document);
  if (!valid_block (peek, from_group, from_block) || to_group >= peek->tasks->len)
    return;
  from = g_ptr_array_index (peek->tasks, from_group);
  to = g_ptr_array_index (peek->tasks, to_group);
  if (from != to && (from->blocks->len <= 1 || to->blocks->len >= IL_MAX_BLOCKS))
    {
      gtk_widget_error_bell (widget);
      return;
    }
  /* Removing the block first shifts the places after it by one. */
  if (from == to && to_block > from_block)
    to_block--;
  if (from == to && to_block == from_block)
    return;

  experiment = il_workload_editor_begin (self);
  from = g_ptr_array_index (experiment->tasks, from_group);
  to = g_ptr_array_index (experiment->tasks, to_group);
  moved = g_ptr_array_steal_index (from->blocks, from_block);
  to_block = MIN (to_block, to->blocks->len);
  g_ptr_array_insert (to->blocks, to_block, moved);
  il_workload_editor_end (self);
  il_workload_editor_focus (self, to_group, to_block);
}

static void
il_workload_editor_dispose (GObject *object)
{
  IlWorkloadEditor *self = IL_WORKLOAD_EDITOR (object);

  if (self->document_signals != NULL)
    g_signal_group_set_target (self->document_signals, NULL);
  g_clear_object (&self->document_signals);
  g_clear_object (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_WORKLOAD_EDITOR);

  G_OBJECT_CLASS (il_workload_editor_parent_class)->dispose (object);
}

static void
il_workload_editor_class_init (IlWorkloadEditorClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_workload_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-workload-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, scroller);
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, name_entry);
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, name_error_label);
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, description_view);
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, description_error_label);
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, summary_label);
  gtk_widget_class_bind_template_child (widget_class, IlWorkloadEditor, groups_box);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.group-add", NULL, group_add_action);
  gtk_widget_class_install_action (widget_class, "editor.group-move", "(ui)", group_move_action);
  gtk_widget_class_install_action (widget_class, "editor.group-duplicate", "u", group_duplicate_action);
  gtk_widget_class_install_action (widget_class, "editor.group-delete", "u", group_delete_action);
  gtk_widget_class_install_action (widget_class, "editor.block-add", "(uu)", block_add_action);
  gtk_widget_class_install_action (widget_class, "editor.block-move", "(uui)", block_move_action);
  gtk_widget_class_install_action (widget_class, "editor.block-duplicate", "(uu)", block_duplicate_action);
  gtk_widget_class_install_action (widget_class, "editor.block-delete", "(uu)", block_delete_action);
  gtk_widget_class_install_action (widget_class, "editor.block-drop", "(uuuu)", block_drop_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
il_workload_editor_init (IlWorkloadEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Ctrl+Z belongs to the document's undo, which covers text edits too. */
  gtk_text_buffer_set_enable_undo (gtk_text_view_get_buffer (self->description_view), FALSE);
  g_signal_connect_object (gtk_text_view_get_buffer (self->description_view), "changed",
                           G_CALLBACK (description_changed_cb), self, G_CONNECT_SWAPPED);

  self->document_signals = g_signal_group_new (IL_TYPE_DOCUMENT);
  g_signal_group_connect_object (self->document_signals, "changed",
                                 G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
il_workload_editor_new (void)
{
  return g_object_new (IL_TYPE_WORKLOAD_EDITOR, NULL);
}

void
il_workload_editor_set_document (IlWorkloadEditor *self,
                                 IlDocument       *document)
{
  g_return_if_fail (IL_IS_WORKLOAD_EDITOR (self));
  g_return_if_fail (document == NULL || IL_IS_DOCUMENT (document));

  if (self->document == document)
    return;
  /* A refused name or description belongs to the document it was typed in. */
  if (self->document != NULL)
    {
      il_document_set_input_error (self->document, self->name_entry, NULL);
      il_document_set_input_error (self->document, self->description_view, NULL);
    }
  g_set_object (&self->document, document);
  g_signal_group_set_target (self->document_signals, document);
  il_workload_editor_rebuild (self);
  if (document != NULL)
    il_calibration_ensure (G_OBJECT (self), calibration_ready_cb);
}

/**
 * il_workload_editor_get_card:
 * Returns: (transfer none) (nullable): the card of task group @group
 */
IlTaskGroupCard *
il_workload_editor_get_card (IlWorkloadEditor *self,
                             guint             group)
{
  guint i = 0;

  g_return_val_if_fail (IL_IS_WORKLOAD_EDITOR (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->groups_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    if (i == group)
      return IL_TASK_GROUP_CARD (child);
  return NULL;
}

/**
 * il_workload_editor_get_block_item:
 * Returns: (transfer none) (nullable): the item of a block
 */
IlBlockItem *
il_workload_editor_get_block_item (IlWorkloadEditor *self,
                                   guint             group,
                                   guint             block)
{
  IlTaskGroupCard *card = il_workload_editor_get_card (self, group);

  return card ? il_task_group_card_get_block_item (card, block) : NULL;
}
