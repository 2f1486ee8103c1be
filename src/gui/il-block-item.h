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

G_END_DECLS
