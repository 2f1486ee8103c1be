/* il-run-row.h — one executor configuration in the runs editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-document.h"

G_BEGIN_DECLS

#define IL_TYPE_RUN_ROW (il_run_row_get_type ())
G_DECLARE_FINAL_TYPE (IlRunRow, il_run_row, IL, RUN_ROW, GtkListBoxRow)

/* @document may be NULL (an empty row, for template tests). */
GtkWidget *il_run_row_new (IlDocument *document,
                           guint       run);

/* Parses "4" or "1, 2, 4, 8" (each 1 … IL_MAX_WORKERS) into @workers;
 * "" gives an empty array (the default: one per core). */
gboolean il_run_row_parse_workers (const char *text,
                                   GArray     *workers);

G_END_DECLS
