/* il-block-item.h — one block of a task group, edited in place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-document.h"

G_BEGIN_DECLS

#define IL_TYPE_BLOCK_ITEM (il_block_item_get_type ())
G_DECLARE_FINAL_TYPE (IlBlockItem, il_block_item, IL, BLOCK_ITEM, GtkWidget)

/* @document may be NULL (an empty item, for template tests). */
GtkWidget     *il_block_item_new (IlDocument *document,
                                  guint       group,
                                  guint       block);
guint          il_block_item_get_group (IlBlockItem *self);
guint          il_block_item_get_block (IlBlockItem *self);
GtkSpinButton *il_block_item_get_units_spin (IlBlockItem *self);
GtkSpinButton *il_block_item_get_ms_spin (IlBlockItem *self);
/* A counter's increments or a yield's times; a counter's lock. */
GtkSpinButton  *il_block_item_get_count_spin (IlBlockItem *self);
GtkCheckButton *il_block_item_get_lock_check (IlBlockItem *self);
GtkEditable    *il_block_item_get_url_entry (IlBlockItem *self);
GtkLabel       *il_block_item_get_estimate_label (IlBlockItem *self);

/* A rule the block breaks (il_experiment_find_problems()), shown under it;
 * NULL: none. */
void il_block_item_set_problem (IlBlockItem *self,
                                const char  *problem);
/* What shows under the block (a refused URL, a rule), or NULL. */
const char *il_block_item_get_message (IlBlockItem *self);
/* Shows the block's estimated duration again (after a calibration). */
void il_block_item_update_estimate (IlBlockItem *self);

G_END_DECLS
