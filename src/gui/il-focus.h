/* il-focus.h — keeping keyboard focus in place while an editor rebuilds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Where the focus is inside @container, as the index of the focused
 * widget among @container's visible focusable descendants (depth first);
 * -1 when it is elsewhere. When it is inside, the window's focus is unset,
 * so that removing the focused widget does not send it to the first field
 * of @container with its text selected (what GTK does otherwise). */
int il_focus_save (GtkWidget *container);

/* Focuses the widget at @index (or the last one, when there are fewer now)
 * among @container's visible focusable descendants, without selecting a
 * text field's text. Does nothing for -1. */
void il_focus_restore (GtkWidget *container,
                       int        index);

/* Focuses @widget (or its first focusable descendant); a text field gets
 * the cursor without its text selected. */
gboolean il_focus_grab_without_selecting (GtkWidget *widget);

G_END_DECLS
