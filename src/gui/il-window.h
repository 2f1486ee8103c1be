/* il-window.h — the main window: welcome page, editors, live view, results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "il-autosave.h"
#include "il-document.h"
#include "il-results.h"
#include "il-results-table.h"
#include "il-workload-editor.h"

G_BEGIN_DECLS

#define IL_TYPE_WINDOW (il_window_get_type ())
G_DECLARE_FINAL_TYPE (IlWindow, il_window, IL, WINDOW, AdwApplicationWindow)

IlWindow *il_window_new (GtkApplication *application);

/* Opens @file after asking about unsaved changes. Errors are shown in the
 * window. */
void il_window_open_file (IlWindow *self,
                          GFile    *file);
/* Replaces the document without asking (tests, the command line). */
gboolean il_window_load_file (IlWindow *self,
                              GFile    *file,
                              GError  **error);
/* Shows @document (restored autosaved edits) without asking. */
void     il_window_restore_document (IlWindow   *self,
                                     IlDocument *document);
gboolean il_window_load_example (IlWindow   *self,
                                 const char *name,
                                 GError    **error);
/* Saves without a dialog; with @with_results the latest results go along. */
gboolean il_window_save_to (IlWindow *self,
                            GFile    *file,
                            gboolean  with_results,
                            GError  **error);

/* Exports the latest results (or the file's recorded ones): @format is
 * "json", "csv", "trace", "png" or "svg". */
gboolean il_window_export_to (IlWindow   *self,
                              GFile      *file,
                              const char *format,
                              GError    **error);

IlDocument       *il_window_get_document (IlWindow *self);
IlAutosave       *il_window_get_autosave (IlWindow *self);
gboolean          il_window_get_running (IlWindow *self);
const IlResults  *il_window_get_results (IlWindow *self);
IlResultsTable   *il_window_get_results_table (IlWindow *self);
IlWorkloadEditor *il_window_get_workload_editor (IlWindow *self);
/* "welcome", "workload", "runs", "live" or "results". */
const char *il_window_get_visible_page (IlWindow *self);

G_END_DECLS
