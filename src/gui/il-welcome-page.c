/* il-welcome-page.c — shown while no experiment is open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rows only name window actions (win.new, win.open, win.open-uri,
 * win.open-example): the page knows nothing about documents. Examples come
 * from the core's list, in course order, so new ones appear here as lessons
 * without GUI changes.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "il-examples.h"
#include "il-welcome-page.h"

#define MAX_RECENT 5

struct _IlWelcomePage
{
  GtkWidget parent_instance;

  /* template children */
  AdwStatusPage *status_page;
  GtkWidget     *recent_group;
  GtkListBox    *recent_list;
  GtkListBox    *examples_list;
};

G_DEFINE_FINAL_TYPE (IlWelcomePage, il_welcome_page, GTK_TYPE_WIDGET)

static GtkWidget *
action_row_new (const char *title,
                const char *subtitle,
                const char *action,
                GVariant   *target)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), action);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), target);
  return row;
}

/* The examples are the course's lessons, numbered in its order. */
static void
il_welcome_page_fill_examples (IlWelcomePage *self)
{
  g_autoptr(GPtrArray) examples = il_examples_list ();

  for (guint i = 0; examples != NULL && i < examples->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (examples, i);
      g_autofree char     *number = g_strdup_printf ("%u", i + 1);
      GtkWidget           *row;
      GtkWidget           *label = gtk_label_new (number);

      row = action_row_new (info->title ? info->title : info->name,
                            info->summary,
                            "win.open-example",
                            g_variant_new_string (info->name));
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "numeric");
      gtk_label_set_width_chars (GTK_LABEL (label), 2);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), label);
      gtk_list_box_append (self->examples_list, row);
    }
}

static gint
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GtkRecentInfo *ia = *(GtkRecentInfo **) a;
  GtkRecentInfo *ib = *(GtkRecentInfo **) b;
  /* (transfer none): GTK 4 keeps the dates; unreffing them here freed them
   * under the recent manager, which crashed the next time they were read. */
  GDateTime *da = gtk_recent_info_get_modified (ia);
  GDateTime *db = gtk_recent_info_get_modified (ib);

  if (da == NULL || db == NULL)
    return (da == NULL) - (db == NULL);
  return g_date_time_compare (db, da);
}

void
il_welcome_page_refresh_recent (IlWelcomePage *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) gtk_recent_info_unref);
  GList     *items = gtk_recent_manager_get_items (manager);
  GtkWidget *child;
  guint      shown = 0;

  g_return_if_fail (IL_IS_WELCOME_PAGE (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  for (GList *l = items; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;

      if (g_str_has_suffix (gtk_recent_info_get_uri (info), ".interleave") && gtk_recent_info_exists (info))
        g_ptr_array_add (infos, gtk_recent_info_ref (info));
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  g_ptr_array_sort (infos, compare_recent);

  for (guint i = 0; i < infos->len && shown < MAX_RECENT; i++, shown++)
    {
      GtkRecentInfo *info = g_ptr_array_index (infos, i);
      g_autoptr(GFile) file = g_file_new_for_uri (gtk_recent_info_get_uri (info));
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *where = parent ? g_file_get_parse_name (parent) : NULL;

      gtk_list_box_append (self->recent_list,
                           action_row_new (gtk_recent_info_get_display_name (info), where,
                                           "win.open-uri",
                                           g_variant_new_string (gtk_recent_info_get_uri (info))));
    }
  gtk_widget_set_visible (self->recent_group, shown > 0);
}

static void
il_welcome_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), IL_TYPE_WELCOME_PAGE);
  G_OBJECT_CLASS (il_welcome_page_parent_class)->dispose (object);
}

static void
il_welcome_page_class_init (IlWelcomePageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_welcome_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, IlWelcomePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, IlWelcomePage, recent_group);
  gtk_widget_class_bind_template_child (widget_class, IlWelcomePage, recent_list);
  gtk_widget_class_bind_template_child (widget_class, IlWelcomePage, examples_list);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
il_welcome_page_init (IlWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  il_welcome_page_fill_examples (self);
  il_welcome_page_refresh_recent (self);
}

GtkWidget *
il_welcome_page_new (void)
{
  return g_object_new (IL_TYPE_WELCOME_PAGE, NULL);
}
