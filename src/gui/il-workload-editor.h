/* il-workload-editor.h — the experiment's task groups and blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-block-item.h"
#include "il-document.h"
#include "il-task-group-card.h"

G_BEGIN_DECLS

#define IL_TYPE_WORKLOAD_EDITOR (il_workload_editor_get_type ())
G_DECLARE_FINAL_TYPE (IlWorkloadEditor, il_workload_editor, IL, WORKLOAD_EDITOR, GtkWidget)

GtkWidget       *il_workload_editor_new (void);
void             il_workload_editor_set_document (IlWorkloadEditor *self,
                                                  IlDocument       *document);
IlTaskGroupCard *il_workload_editor_get_card (IlWorkloadEditor *self,
                                              guint             group);
IlBlockItem     *il_workload_editor_get_block_item (IlWorkloadEditor *self,
                                                    guint             group,
                                                    guint             block);

G_END_DECLS
