/* il-task-group-card.h — a task group with its blocks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-block-item.h"
#include "il-document.h"

G_BEGIN_DECLS

#define IL_TYPE_TASK_GROUP_CARD (il_task_group_card_get_type ())
G_DECLARE_FINAL_TYPE (IlTaskGroupCard, il_task_group_card, IL, TASK_GROUP_CARD, GtkWidget)

/* @document may be NULL (an empty card, for template tests). */
GtkWidget     *il_task_group_card_new (IlDocument *document,
                                       guint       group);
IlBlockItem   *il_task_group_card_get_block_item (IlTaskGroupCard *self,
                                                  guint            block);
GtkSpinButton *il_task_group_card_get_repeat_spin (IlTaskGroupCard *self);

G_END_DECLS
