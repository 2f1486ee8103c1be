/* il-block-item.c — one block of a task group, edited in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The item is a view of document->tasks[group]->blocks[block]. Value edits go
 * straight into the document (one undo step per field while the user keeps
 * changing it); structural edits (move, duplicate, delete, drop) are actions
 * of the workload editor ("editor.*"), which rebuilds its items afterwards.
 * Spin buttons carry the format's ranges (docs/experiment-format.md), so an
 * out-of-range value cannot be entered at all.
 */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "il-block-item.h"
#include "il-format.h"
#include "il-network.h"

struct _IlBlockItem
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget      *box;
  GtkWidget      *handle;
  GtkLabel       *type_label;
  GtkDropDown    *kernel_dropdown;
  GtkSpinButton  *units_spin;
  GtkWidget      *units_suffix;
  GtkSpinButton  *ms_spin;
  GtkWidget      *ms_suffix;
  GtkEntry       *url_entry;
  GtkSpinButton  *bytes_spin;
  GtkWidget      *bytes_suffix;
  GtkCheckButton *fsync_check;
  GtkSpinButton  *count_spin; /* counter increments, yield times */
  GtkLabel       *count_suffix;
  GtkCheckButton *lock_check;
  GtkLabel       *description_label;
  GtkMenuButton  *menu_button;

  /* borrowed */
  IlDocument *document; /* weak: the editor owns both */

  guint    group;
  guint    block;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (IlBlockItem, il_block_item, GTK_TYPE_WIDGET)

/* The class that gives the block its type's colour: ui/style.css maps each
 * to the palette's @il_block_* colour, which the timelines draw it in too. */
static const char *
block_css_class (IlBlockType type)
{
  switch (type)
    {
      case IL_BLOCK_CPU:
        return "block-cpu";
      case IL_BLOCK_SLEEP:
        return "block-sleep";
      case IL_BLOCK_HTTP:
        return "block-http";
      case IL_BLOCK_FILE_WRITE:
        return "block-file-write";
      case IL_BLOCK_FILE_READ:
        return "block-file-read";
      case IL_BLOCK_COUNTER:
        return "block-counter";
      case IL_BLOCK_YIELD:
        return "block-yield";
      case IL_N_BLOCK_TYPES:
      default:
        return "block-cpu";
    }
}

static const char *
block_type_title (IlBlockType type)
{
  switch (type)
    {
      case IL_BLOCK_CPU:
        return _("CPU");
      case IL_BLOCK_SLEEP:
        return _("Sleep");
      case IL_BLOCK_HTTP:
        return _("HTTP");
      case IL_BLOCK_FILE_WRITE:
        return _("Write");
      case IL_BLOCK_FILE_READ:
        return _("Read");
      case IL_BLOCK_COUNTER:
        return _("Counter");
      case IL_BLOCK_YIELD:
        return _("Yield");
      case IL_N_BLOCK_TYPES:
      default:
        return "";
    }
}

static IlBlock *
il_block_item_peek_block (IlBlockItem *self)
{
  const IlExperiment *experiment;
  IlTaskGroup        *group;

  if (self->document == NULL)
    return NULL;
  experiment = il_document_get_experiment (self->document);
  if (self->group >= experiment->tasks->len)
    return NULL;
  group = g_ptr_array_index (experiment->tasks, self->group);
  if (self->block >= group->blocks->len)
    return NULL;
  return g_ptr_array_index (group->blocks, self->block);
}

static void
il_block_item_update_description (IlBlockItem *self)
{
  IlBlock         *block = il_block_item_peek_block (self);
  g_autofree char *text = NULL;
  g_autofree char *a11y = NULL;

  if (block == NULL)
    return;
  text = il_format_block (block);
  gtk_label_set_label (self->description_label, text);
  /* Screen readers get the whole block in one phrase. */
  a11y = g_strdup_printf (_("Block %u: %s"), self->block + 1, text ? text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                  -1);
}

/* Starts an edit of this item's block; NULL when the item is stale. */
static IlBlock *
il_block_item_begin (IlBlockItem *self,
                     const char  *field)
{
  g_autofree char *key = NULL;
  IlExperiment    *experiment;
  IlTaskGroup     *group;

  if (self->updating || il_block_item_peek_block (self) == NULL)
    return NULL;
  key = g_strdup_printf ("tasks[%u].blocks[%u].%s", self->group, self->block, field);
  experiment = il_document_begin_edit (self->document, key);
  group = g_ptr_array_index (experiment->tasks, self->group);
  return g_ptr_array_index (group->blocks, self->block);
}

static void
il_block_item_end (IlBlockItem *self)
{
  il_document_end_edit (self->document, FALSE);
  il_block_item_update_description (self);
}

static void
kernel_changed_cb (IlBlockItem *self)
{
  guint    selected = gtk_drop_down_get_selected (self->kernel_dropdown);
  IlBlock *block;

  if (selected >= IL_N_KERNELS)
    return;
  if ((block = il_block_item_begin (self, "kernel")) == NULL)
    return;
  block->kernel = selected;
  il_block_item_end (self);
}

static void
spin_changed_cb (IlBlockItem   *self,
                 GtkSpinButton *spin)
{
  gint64   value = (gint64) gtk_spin_button_get_value (spin);
  IlBlock *block;

  if (spin == self->units_spin)
    {
      if ((block = il_block_item_begin (self, "units")) == NULL)
        return;
      block->units = value;
    }
  else if (spin == self->ms_spin)
    {
      IlBlock *peek = il_block_item_peek_block (self);

      if (peek == NULL)
        return;
      if (peek->type == IL_BLOCK_HTTP)
        {
          if ((block = il_block_item_begin (self, "delay_ms")) == NULL)
            return;
          block->delay_ms = value;
        }
      else
        {
          if ((block = il_block_item_begin (self, "ms")) == NULL)
            return;
          block->ms = value;
        }
    }
  else if (spin == self->count_spin)
    {
      IlBlock *peek = il_block_item_peek_block (self);

      if (peek == NULL)
        return;
      if (peek->type == IL_BLOCK_YIELD)
        {
          if ((block = il_block_item_begin (self, "times")) == NULL)
            return;
          block->times = value;
        }
      else
        {
          if ((block = il_block_item_begin (self, "increments")) == NULL)
            return;
          block->increments = value;
        }
    }
  else
    {
      if ((block = il_block_item_begin (self, "bytes")) == NULL)
        return;
      block->bytes = value;
    }
  il_block_item_end (self);
}

/* Empty (the embedded server) or a URL the core accepts: the same rule
 * as the file's validation and the network consent (il-network.h). */
static gboolean
url_is_valid (const char *text)
{
  g_autofree char *host = NULL;

  if (text[0] == '\0')
    return TRUE;
  host = il_network_url_host (text, NULL);
  return host != NULL;
}

static void
il_block_item_sync_visibility (IlBlockItem *self,
                               IlBlock     *block)
{
  gboolean embedded = block->url == NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->kernel_dropdown), block->type == IL_BLOCK_CPU);
  gtk_widget_set_visible (GTK_WIDGET (self->units_spin), block->type == IL_BLOCK_CPU);
  gtk_widget_set_visible (GTK_WIDGET (self->ms_spin),
                          block->type == IL_BLOCK_SLEEP || (block->type == IL_BLOCK_HTTP && embedded));
  gtk_widget_set_visible (GTK_WIDGET (self->url_entry), block->type == IL_BLOCK_HTTP);
  gtk_widget_set_visible (GTK_WIDGET (self->bytes_spin),
                          block->type == IL_BLOCK_FILE_WRITE || block->type == IL_BLOCK_FILE_READ ||
                            (block->type == IL_BLOCK_HTTP && embedded));
  gtk_widget_set_visible (GTK_WIDGET (self->fsync_check), block->type == IL_BLOCK_FILE_WRITE);
  gtk_widget_set_visible (GTK_WIDGET (self->count_spin),
                          block->type == IL_BLOCK_COUNTER || block->type == IL_BLOCK_YIELD);
  gtk_widget_set_visible (GTK_WIDGET (self->count_suffix),
                          gtk_widget_get_visible (GTK_WIDGET (self->count_spin)));
  gtk_widget_set_visible (GTK_WIDGET (self->lock_check), block->type == IL_BLOCK_COUNTER);
  gtk_widget_set_visible (self->units_suffix, gtk_widget_get_visible (GTK_WIDGET (self->units_spin)));
  gtk_widget_set_visible (self->ms_suffix, gtk_widget_get_visible (GTK_WIDGET (self->ms_spin)));
  gtk_widget_set_visible (self->bytes_suffix, gtk_widget_get_visible (GTK_WIDGET (self->bytes_spin)));
}

static void
url_changed_cb (IlBlockItem *self)
{
  const char      *text = gtk_editable_get_text (GTK_EDITABLE (self->url_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  IlBlock         *block;

  /* An invalid URL is marked and not stored: the model only ever holds
   * values the file format accepts. */
  if (!url_is_valid (stripped))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->url_entry), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->url_entry), "error");

  if ((block = il_block_item_begin (self, "url")) == NULL)
    return;
  g_clear_pointer (&block->url, g_free);
  if (stripped[0] != '\0')
    {
      block->url = g_steal_pointer (&stripped);
      block->delay_ms = 0;
      block->bytes = 0;
      /* The hidden fields show the cleared values if the URL goes again. */
      self->updating = TRUE;
      gtk_spin_button_set_value (self->ms_spin, 0);
      gtk_spin_button_set_value (self->bytes_spin, 0);
      self->updating = FALSE;
    }
  il_block_item_sync_visibility (self, block);
  il_block_item_end (self);
}

static void
fsync_toggled_cb (IlBlockItem *self)
{
  IlBlock *block;

  if ((block = il_block_item_begin (self, "fsync")) == NULL)
    return;
  block->fsync = gtk_check_button_get_active (self->fsync_check);
  il_block_item_end (self);
}

static void
lock_toggled_cb (IlBlockItem *self)
{
  IlBlock *block;

  if ((block = il_block_item_begin (self, "lock")) == NULL)
    return;
  block->lock = gtk_check_button_get_active (self->lock_check);
  il_block_item_end (self);
}

static void
il_block_item_move (IlBlockItem *self,
                    int          delta)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.block-move", "(uui)",
                              self->group, self->block, delta);
}

static gboolean
move_up_cb (GtkWidget *widget,
            GVariant  *args,
            gpointer   user_data)
{
  il_block_item_move (IL_BLOCK_ITEM (widget), -1);
  return TRUE;
}

static gboolean
move_down_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  il_block_item_move (IL_BLOCK_ITEM (widget), 1);
  return TRUE;
}

static gboolean
duplicate_cb (GtkWidget *widget,
              GVariant  *args,
              gpointer   user_data)
{
  IlBlockItem *self = IL_BLOCK_ITEM (widget);

  gtk_widget_activate_action (widget, "editor.block-duplicate", "(uu)", self->group, self->block);
  return TRUE;
}

static gboolean
delete_cb (GtkWidget *widget,
           GVariant  *args,
           gpointer   user_data)
{
  IlBlockItem *self = IL_BLOCK_ITEM (widget);

  gtk_widget_activate_action (widget, "editor.block-delete", "(uu)", self->group, self->block);
  return TRUE;
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 IlBlockItem   *self)
{
  g_autofree char *where = g_strdup_printf ("interleave-block:%u:%u", self->group, self->block);

  return gdk_content_provider_new_typed (G_TYPE_STRING, where);
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               IlBlockItem   *self)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (self));

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         IlBlockItem   *self)
{
  const char *text = g_value_get_string (value);
  guint       from_group, from_block;
  guint       to_block = self->block;

  if (text == NULL || sscanf (text, "interleave-block:%u:%u", &from_group, &from_block) != 2)
    return FALSE;
  /* Dropping on the lower half of an item puts the block after it. */
  if (y > gtk_widget_get_height (GTK_WIDGET (self)) / 2.0)
    to_block++;
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.block-drop", "(uuuu)",
                              from_group, from_block, self->group, to_block);
  return TRUE;
}

static void
il_block_item_dispose (GObject *object)
{
  IlBlockItem *self = IL_BLOCK_ITEM (object);

  g_clear_weak_pointer (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_BLOCK_ITEM);

  G_OBJECT_CLASS (il_block_item_parent_class)->dispose (object);
}

static void
il_block_item_class_init (IlBlockItemClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_block_item_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-block-item.ui");
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, box);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, handle);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, type_label);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, kernel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, units_spin);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, units_suffix);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, ms_suffix);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, bytes_suffix);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, ms_spin);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, url_entry);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, bytes_spin);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, fsync_check);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, count_spin);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, count_suffix);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, lock_check);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, description_label);
  gtk_widget_class_bind_template_child (widget_class, IlBlockItem, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, kernel_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, spin_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fsync_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, lock_toggled_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, GDK_ALT_MASK, move_up_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Up, GDK_ALT_MASK, move_up_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, GDK_ALT_MASK, move_down_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Down, GDK_ALT_MASK, move_down_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK, duplicate_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_SHIFT_MASK, delete_cb, NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "blockitem");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
il_block_item_init (IlBlockItem *self)
{
  GtkDragSource *source;
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Dragging starts from the handle and the type name only: elsewhere a
   * press belongs to the spin buttons and entries. */
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *grip = i == 0 ? self->handle : GTK_WIDGET (self->type_label);

      source = gtk_drag_source_new ();
      gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
      g_signal_connect_object (source, "prepare", G_CALLBACK (drag_prepare_cb), self, 0);
      g_signal_connect_object (source, "drag-begin", G_CALLBACK (drag_begin_cb), self, 0);
      gtk_widget_add_controller (grip, GTK_EVENT_CONTROLLER (source));
    }

  target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  g_signal_connect_object (target, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

/* The count spin button is a counter's increments or a yield's times:
 * its range, suffix, tooltip and accessible name follow the type. */
static void
il_block_item_setup_count (IlBlockItem   *self,
                           const IlBlock *block)
{
  const char *name;

  if (block->type == IL_BLOCK_YIELD)
    {
      gtk_spin_button_set_range (self->count_spin, 1, IL_MAX_YIELDS);
      gtk_spin_button_set_value (self->count_spin, (double) block->times);
      gtk_label_set_label (self->count_suffix, C_("after a yield block's count", "times"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->count_spin),
                                   _("How many times the task gives up the CPU"));
      name = _("Times");
    }
  else
    {
      gtk_spin_button_set_range (self->count_spin, 1, IL_MAX_INCREMENTS);
      gtk_spin_button_set_value (self->count_spin, (double) block->increments);
      gtk_label_set_label (self->count_suffix, C_("after a counter block's count", "increments"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->count_spin),
                                   _("Read–modify–writes of the counter every task shares"));
      name = _("Increments");
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->count_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_check_button_set_active (self->lock_check, block->lock);
}

static GMenuModel *
il_block_item_build_menu (IlBlockItem *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;

  item = g_menu_item_new (_("Move _Up"), NULL);
  g_menu_item_set_action_and_target (item, "editor.block-move", "(uui)", self->group, self->block, -1);
  g_menu_append_item (section, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("Move _Down"), NULL);
  g_menu_item_set_action_and_target (item, "editor.block-move", "(uui)", self->group, self->block, 1);
  g_menu_append_item (section, item);
  g_clear_object (&item);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));

  g_clear_object (&section);
  section = g_menu_new ();
  item = g_menu_item_new (_("D_uplicate"), NULL);
  g_menu_item_set_action_and_target (item, "editor.block-duplicate", "(uu)", self->group, self->block);
  g_menu_append_item (section, item);
  g_clear_object (&item);
  item = g_menu_item_new (_("_Delete"), NULL);
  g_menu_item_set_action_and_target (item, "editor.block-delete", "(uu)", self->group, self->block);
  g_menu_append_item (section, item);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));

  return G_MENU_MODEL (menu);
}

GtkWidget *
il_block_item_new (IlDocument *document,
                   guint       group,
                   guint       block)
{
  IlBlockItem *self = g_object_new (IL_TYPE_BLOCK_ITEM, NULL);
  g_autoptr(GMenuModel) menu = NULL;
  IlBlock *peek;

  g_return_val_if_fail (document == NULL || IL_IS_DOCUMENT (document), NULL);

  self->group = group;
  self->block = block;
  g_set_weak_pointer (&self->document, document);

  menu = il_block_item_build_menu (self);
  gtk_menu_button_set_menu_model (self->menu_button, menu);

  if ((peek = il_block_item_peek_block (self)) == NULL)
    return GTK_WIDGET (self);

  self->updating = TRUE;
  gtk_widget_add_css_class (GTK_WIDGET (self), block_css_class (peek->type));
  gtk_label_set_label (self->type_label, block_type_title (peek->type));
  gtk_drop_down_set_selected (self->kernel_dropdown, peek->kernel);
  gtk_spin_button_set_value (self->units_spin, peek->units);
  if (peek->type == IL_BLOCK_HTTP)
    {
      gtk_spin_button_set_range (self->ms_spin, 0, IL_MAX_MS);
      gtk_spin_button_set_value (self->ms_spin, peek->delay_ms);
      gtk_spin_button_set_range (self->bytes_spin, 0, IL_MAX_HTTP_BYTES);
      gtk_editable_set_text (GTK_EDITABLE (self->url_entry), peek->url ? peek->url : "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->ms_spin), _("Server delay in milliseconds"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->bytes_spin), _("Response body in bytes"));
    }
  else
    {
      gtk_spin_button_set_value (self->ms_spin, peek->ms);
      gtk_spin_button_set_range (self->bytes_spin, 0, IL_MAX_FILE_BYTES);
    }
  gtk_spin_button_set_value (self->bytes_spin, peek->bytes);
  gtk_check_button_set_active (self->fsync_check, peek->fsync);
  il_block_item_setup_count (self, peek);
  il_block_item_sync_visibility (self, peek);
  il_block_item_update_description (self);
  self->updating = FALSE;

  return GTK_WIDGET (self);
}

guint
il_block_item_get_group (IlBlockItem *self)
{
  g_return_val_if_fail (IL_IS_BLOCK_ITEM (self), 0);
  return self->group;
}

guint
il_block_item_get_block (IlBlockItem *self)
{
  g_return_val_if_fail (IL_IS_BLOCK_ITEM (self), 0);
  return self->block;
}

GtkSpinButton *
il_block_item_get_units_spin (IlBlockItem *self)
{
  g_return_val_if_fail (IL_IS_BLOCK_ITEM (self), NULL);
  return self->units_spin;
}

GtkSpinButton *
il_block_item_get_count_spin (IlBlockItem *self)
{
  g_return_val_if_fail (IL_IS_BLOCK_ITEM (self), NULL);
  return self->count_spin;
}

GtkCheckButton *
il_block_item_get_lock_check (IlBlockItem *self)
{
  g_return_val_if_fail (IL_IS_BLOCK_ITEM (self), NULL);
  return self->lock_check;
}

GtkSpinButton *
il_block_item_get_ms_spin (IlBlockItem *self)
{
  g_return_val_if_fail (IL_IS_BLOCK_ITEM (self), NULL);
  return self->ms_spin;
}
