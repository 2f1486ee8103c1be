/* il-task-group-card.c — a task group with its blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like IlBlockItem, a view of one place in the document: value edits go to
 * the document directly, structural ones through the workload editor's
 * "editor.*" actions.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-edit-rules.h"
#include "il-task-group-card.h"
#include "il-wrap-box.h"

struct _IlTaskGroupCard
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget     *box;
  GtkEntry      *name_entry;
  GtkSpinButton *repeat_spin;
  GtkSpinButton *payload_spin;
  GtkMenuButton *menu_button;
  GtkLabel      *problem_label;
  GtkBox        *blocks_box;
  GtkMenuButton *add_button;

  /* borrowed */
  IlDocument *document;

  guint    group;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (IlTaskGroupCard, il_task_group_card, GTK_TYPE_WIDGET)

static IlTaskGroup *
il_task_group_card_begin (IlTaskGroupCard *self,
                          const char      *field)
{
  g_autofree char *key = NULL;
  IlExperiment    *experiment;

  if (self->updating ||
      self->document == NULL ||
      self->group >= il_document_get_experiment (self->document)->tasks->len)
    return NULL;
  key = g_strdup_printf ("tasks[%u].%s", self->group, field);
  experiment = il_document_begin_edit (self->document, key);
  return g_ptr_array_index (experiment->tasks, self->group);
}

static void
name_changed_cb (IlTaskGroupCard *self)
{
  const char  *text = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  IlTaskGroup *group;

  if ((group = il_task_group_card_begin (self, "name")) == NULL)
    return;
  g_clear_pointer (&group->name, g_free);
  /* Empty means "task N", as in the file format. */
  if (text[0] != '\0')
    group->name = g_strdup (text);
  il_document_end_edit (self->document, FALSE);
}

static void
repeat_changed_cb (IlTaskGroupCard *self)
{
  IlTaskGroup *group;

  if ((group = il_task_group_card_begin (self, "repeat")) == NULL)
    return;
  group->repeat = (gint64) gtk_spin_button_get_value (self->repeat_spin);
  il_document_end_edit (self->document, FALSE);
}

static void
payload_changed_cb (IlTaskGroupCard *self)
{
  IlTaskGroup *group;

  if ((group = il_task_group_card_begin (self, "payload_bytes")) == NULL)
    return;
  group->payload_bytes = (gint64) gtk_spin_button_get_value (self->payload_spin);
  il_document_end_edit (self->document, FALSE);
}

static void
il_task_group_card_dispose (GObject *object)
{
  IlTaskGroupCard *self = IL_TASK_GROUP_CARD (object);

  g_clear_weak_pointer (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_TASK_GROUP_CARD);

  G_OBJECT_CLASS (il_task_group_card_parent_class)->dispose (object);
}

static void
il_task_group_card_class_init (IlTaskGroupCardClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* The template's IlWrapBox wraps the row when narrow (issue 12). */
  g_type_ensure (IL_TYPE_WRAP_BOX);

  object_class->dispose = il_task_group_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-task-group-card.ui");
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, box);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, name_entry);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, repeat_spin);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, payload_spin);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, menu_button);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, problem_label);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, blocks_box);
  gtk_widget_class_bind_template_child (widget_class, IlTaskGroupCard, add_button);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, repeat_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, payload_changed_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "taskgroup");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
il_task_group_card_init (IlTaskGroupCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
add_menu_item (GMenu      *menu,
               const char *label,
               const char *action,
               GVariant   *target)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, target);
  g_menu_append_item (menu, item);
}

static void
il_task_group_card_build_menus (IlTaskGroupCard *self)
{
  g_autoptr(GMenu) palette = g_menu_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  static const struct
  {
    IlBlockType type;
    const char *label;
  } blocks[] = {
    { IL_BLOCK_CPU, N_("_CPU Work") },
      { IL_BLOCK_SLEEP, N_("_Sleep") },
        { IL_BLOCK_HTTP, N_("_HTTP Request") },
          { IL_BLOCK_FILE_WRITE, N_("File _Write") },
            { IL_BLOCK_FILE_READ, N_("File _Read") },
              { IL_BLOCK_COUNTER, N_("Shared Cou_nter") },
                { IL_BLOCK_YIELD, N_("_Yield the CPU") },
              };
  guint g = self->group;

  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    add_menu_item (palette, _(blocks[i].label), "editor.block-add",
                               g_variant_new ("(uu)", g, (guint) blocks[i].type));
  gtk_menu_button_set_menu_model (self->add_button, G_MENU_MODEL (palette));

  add_menu_item (section, _("Move _Up"), "editor.group-move", g_variant_new ("(ui)", g, -1));
  add_menu_item (section, _("Move _Down"), "editor.group-move", g_variant_new ("(ui)", g, 1));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_clear_object (&section);
  section = g_menu_new ();
  add_menu_item (section, _("D_uplicate Task Group"), "editor.group-duplicate", g_variant_new_uint32 (g));
  add_menu_item (section, _("_Delete Task Group"), "editor.group-delete", g_variant_new_uint32 (g));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
}

GtkWidget *
il_task_group_card_new (IlDocument *document,
                        guint       group)
{
  IlTaskGroupCard    *self = g_object_new (IL_TYPE_TASK_GROUP_CARD, NULL);
  const IlExperiment *experiment;
  const IlTaskGroup  *peek;
  g_autofree char    *placeholder = NULL;

  g_return_val_if_fail (document == NULL || IL_IS_DOCUMENT (document), NULL);

  self->group = group;
  g_set_weak_pointer (&self->document, document);
  il_task_group_card_build_menus (self);

  if (document == NULL)
    return GTK_WIDGET (self);
  experiment = il_document_get_experiment (document);
  if (group >= experiment->tasks->len)
    return GTK_WIDGET (self);
  peek = g_ptr_array_index (experiment->tasks, group);

  self->updating = TRUE;
  placeholder = g_strdup_printf (_("task %u"), group + 1);
  gtk_entry_set_placeholder_text (self->name_entry, placeholder);
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), peek->name ? peek->name : "");
  gtk_spin_button_set_value (self->repeat_spin, peek->repeat);
  gtk_spin_button_set_value (self->payload_spin, peek->payload_bytes);
  for (guint i = 0; i < peek->blocks->len; i++)
    gtk_box_append (self->blocks_box, il_block_item_new (document, group, i));
  /* The format allows at most IL_MAX_BLOCKS blocks per group. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), peek->blocks->len < IL_MAX_BLOCKS);
  self->updating = FALSE;

  return GTK_WIDGET (self);
}

/**
 * il_task_group_card_get_block_item:
 * Returns: (transfer none) (nullable): the item of block @block
 */
IlBlockItem *
il_task_group_card_get_block_item (IlTaskGroupCard *self,
                                   guint            block)
{
  guint i = 0;

  g_return_val_if_fail (IL_IS_TASK_GROUP_CARD (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    if (i == block)
      return IL_BLOCK_ITEM (child);
  return NULL;
}

GtkSpinButton *
il_task_group_card_get_repeat_spin (IlTaskGroupCard *self)
{
  g_return_val_if_fail (IL_IS_TASK_GROUP_CARD (self), NULL);
  return self->repeat_spin;
}

void
il_task_group_card_set_problems (IlTaskGroupCard *self,
                                 GPtrArray       *problems)
{
  g_autofree char *own = NULL;
  guint            i = 0;

  g_return_if_fail (IL_IS_TASK_GROUP_CARD (self));
  g_return_if_fail (problems != NULL);

  if (self->document == NULL)
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    {
      g_autofree char *text = il_problems_text_for (il_document_get_experiment (self->document), problems, self->group, i);

      il_block_item_set_problem (IL_BLOCK_ITEM (child), text);
    }

  own = il_problems_text_for (il_document_get_experiment (self->document), problems, self->group, IL_PROBLEM_WHOLE_GROUP);
  gtk_label_set_label (self->problem_label, own != NULL ? own : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), own != NULL);
  if (own != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, own, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

const char *
il_task_group_card_get_problem (IlTaskGroupCard *self)
{
  g_return_val_if_fail (IL_IS_TASK_GROUP_CARD (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->problem_label)))
    return NULL;
  return gtk_label_get_label (self->problem_label);
}

/* Shows every block's estimated duration again. */
void
il_task_group_card_update_estimates (IlTaskGroupCard *self)
{
  g_return_if_fail (IL_IS_TASK_GROUP_CARD (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->blocks_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    il_block_item_update_estimate (IL_BLOCK_ITEM (child));
}
