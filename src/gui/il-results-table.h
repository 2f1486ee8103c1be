/* il-results-table.h — one row per run: the figures the CLI's table prints (docs/cli.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-format.h"
#include "il-results.h"

G_BEGIN_DECLS

#define IL_TYPE_RESULTS_TABLE (il_results_table_get_type ())
G_DECLARE_FINAL_TYPE (IlResultsTable, il_results_table, IL, RESULTS_TABLE, GtkWidget)

GtkWidget *il_results_table_new (void);
/* @results may be NULL (an empty table). */
void  il_results_table_set_results (IlResultsTable  *self,
                                    const IlResults *results,
                                    const char      *title);
guint il_results_table_get_n_rows (IlResultsTable *self);
/* The lost updates and context switches shown under the rows ("": none). */
const char *il_results_table_get_notes (IlResultsTable *self);
/* The text shown in a cell. */
const char *il_results_table_get_text (IlResultsTable *self,
                                       guint           row,
                                       IlResultsColumn column);
/* The tooltip of a column's header (il_results_column_description). */
const char *il_results_table_get_header_tooltip (IlResultsTable *self,
                                                 IlResultsColumn column);

G_END_DECLS
