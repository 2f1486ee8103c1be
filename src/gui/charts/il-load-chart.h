/* il-load-chart.h — per-core load, 0–100 %, scrolling, with Interleave's own
 * CPU share drawn in the same chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-chart.h"
#include "il-chart-data.h"

G_BEGIN_DECLS

#define IL_TYPE_LOAD_CHART (il_load_chart_get_type ())
G_DECLARE_FINAL_TYPE (IlLoadChart, il_load_chart, IL, LOAD_CHART, IlChart)

GtkWidget  *il_load_chart_new (void);
void        il_load_chart_set_data (IlLoadChart *self,
                                    IlLoadData  *data);
IlLoadData *il_load_chart_get_data (IlLoadChart *self);
/* Width of the scrolling window (default 30 s). */
void il_load_chart_set_window (IlLoadChart *self,
                               gint64       window_us);
void il_load_chart_data_changed (IlLoadChart *self);

G_END_DECLS
