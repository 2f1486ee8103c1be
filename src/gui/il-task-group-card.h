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

/* Shows the problems (il_experiment_find_problems()) of this card's group
 * and its blocks, each on its block. */
void il_task_group_card_set_problems (IlTaskGroupCard *self,
                                      GPtrArray       *problems);
/* The group's own problem as shown, or NULL. */
const char *il_task_group_card_get_problem (IlTaskGroupCard *self);
void        il_task_group_card_update_estimates (IlTaskGroupCard *self);

G_END_DECLS
