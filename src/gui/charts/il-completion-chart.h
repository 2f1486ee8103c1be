/* il-completion-chart.h — tasks finished over time (cumulative curve)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-chart.h"
#include "il-chart-data.h"

G_BEGIN_DECLS

#define IL_TYPE_COMPLETION_CHART (il_completion_chart_get_type ())
G_DECLARE_FINAL_TYPE (IlCompletionChart, il_completion_chart, IL, COMPLETION_CHART, IlChart)

GtkWidget        *il_completion_chart_new (void);
void              il_completion_chart_set_data (IlCompletionChart *self,
                                                IlCompletionData  *data);
IlCompletionData *il_completion_chart_get_data (IlCompletionChart *self);
void              il_completion_chart_data_changed (IlCompletionChart *self);

G_END_DECLS
