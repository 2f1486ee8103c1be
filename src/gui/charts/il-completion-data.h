/* il-completion-data.h — completion times for the completion chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Completion times of one repetition. */

typedef struct _IlCompletionData IlCompletionData;
struct _IlCompletionData
{
  GArray  *end_us; /* gint64, in arrival order (nearly sorted) */
  guint    n_failed;
  guint64  total; /* tasks expected in the repetition, 0 unknown */
  gboolean sorted;
};

IlCompletionData *il_completion_data_new (void);
IlCompletionData *il_completion_data_ref (IlCompletionData *data);
void              il_completion_data_unref (IlCompletionData *data);
void              il_completion_data_reset (IlCompletionData *data);
void              il_completion_data_add (IlCompletionData *data,
                                          gint64            end_us,
                                          gboolean          failed);
/* Sorts if needed (cheap when nearly sorted). */
void il_completion_data_sort (IlCompletionData *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlCompletionData, il_completion_data_unref)

G_END_DECLS
