/* il-focus.c — keeping keyboard focus in place while an editor rebuilds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The editors rebuild their rows from the document after undo, redo and
 * structural edits. When the focused widget goes, GTK hands the focus to
 * the parent, which gives it to its first focusable child: the first name
 * entry, all its text selected, where the next key press replaces it.
 * Instead the focus goes back to the same place in the rebuilt rows, and a
 * text field gets a cursor, never a selection.
 */
#include "config.h"

#include "il-focus.h"

static gboolean
focus_candidate (GtkWidget *widget)
{
  return gtk_widget_get_focusable (widget) && gtk_widget_get_can_focus (widget) &&
         gtk_widget_is_visible (widget) && gtk_widget_is_sensitive (widget);
}

/* Depth first: counts candidates until @target (returns TRUE), or collects
 * the @index-th one in @found. */
static gboolean
walk (GtkWidget  *widget,
      GtkWidget  *target,
      int         index,
      int        *count,
      GtkWidget **found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (focus_candidate (child))
        {
          if (child == target)
            return TRUE;
          if (found != NULL)
            *found = child;
          if (*count == index)
            return TRUE;
          (*count)++;
        }
      if (walk (child, target, index, count, found))
        return TRUE;
    }
  return FALSE;
}

int
il_focus_save (GtkWidget *container)
{
  GtkRoot   *root = gtk_widget_get_root (container);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  int        count = 0;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, container))
    return -1;
  if (!walk (container, focus, -1, &count, NULL))
    count = 0;
  gtk_root_set_focus (root, NULL);
  return count;
}

gboolean
il_focus_grab_without_selecting (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return gtk_text_grab_focus_without_selecting (GTK_TEXT (widget));
  if (GTK_IS_ENTRY (widget))
    return gtk_entry_grab_focus_without_selecting (GTK_ENTRY (widget));
  if (focus_candidate (widget))
    return gtk_widget_grab_focus (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_is_visible (child) && il_focus_grab_without_selecting (child))
      return TRUE;
  return FALSE;
}

void
il_focus_restore (GtkWidget *container,
                  int        index)
{
  GtkWidget *found = NULL;
  int        count = 0;

  if (index < 0)
    return;
  walk (container, NULL, index, &count, &found);
  if (found != NULL)
    il_focus_grab_without_selecting (found);
}
