/* il-runs-editor.h — executor configurations and global settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-document.h"

G_BEGIN_DECLS

#define IL_TYPE_RUNS_EDITOR (il_runs_editor_get_type ())
G_DECLARE_FINAL_TYPE (IlRunsEditor, il_runs_editor, IL, RUNS_EDITOR, GtkWidget)

GtkWidget *il_runs_editor_new (void);
void       il_runs_editor_set_document (IlRunsEditor *self,
                                        IlDocument   *document);

G_END_DECLS
