/* il-wrap-box.h — a row of widgets that wraps onto more lines when narrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lays its children out like a horizontal GtkBox as long as their minimum
 * widths fit on one line; when they do not, the next child starts a new
 * line. A dim label (a caption) stays on the line of the field it names:
 * before it ("Repeat" [12]), or after it as its unit ([10] "units"). Its
 * own minimum width is that of its widest child (or caption and field), so
 * an editor row built from it never forces the window wider than that
 * (issue 12: the window works from 360 px wide). Within a line, extra room goes first
 * towards the children's natural widths, then to those that expand
 * horizontally. GTK 4.8 has no such container (GtkFlowBox wraps each child
 * in a focusable GtkFlowBoxChild, which changes keyboard navigation).
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define IL_TYPE_WRAP_BOX (il_wrap_box_get_type ())
G_DECLARE_FINAL_TYPE (IlWrapBox, il_wrap_box, IL, WRAP_BOX, GtkWidget)

GtkWidget *il_wrap_box_new (int spacing,
                            int row_spacing);

void il_wrap_box_append (IlWrapBox *self,
                         GtkWidget *child);

/* Homogeneous: every child as wide as the widest asks for, and the
 * children of a line share it equally. */
void il_wrap_box_set_homogeneous (IlWrapBox *self,
                                  gboolean   homogeneous);

/* The number of lines of the latest allocation (0 before the first). */
guint il_wrap_box_get_n_lines (IlWrapBox *self);

G_END_DECLS
