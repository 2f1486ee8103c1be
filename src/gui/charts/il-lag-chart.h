/* il-lag-chart.h — event-loop latency over time (async executor)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-chart.h"
#include "il-chart-data.h"

G_BEGIN_DECLS

#define IL_TYPE_LAG_CHART (il_lag_chart_get_type ())
G_DECLARE_FINAL_TYPE (IlLagChart, il_lag_chart, IL, LAG_CHART, IlChart)

GtkWidget *il_lag_chart_new (void);
void       il_lag_chart_set_data (IlLagChart *self,
                                  IlLagData  *data);
IlLagData *il_lag_chart_get_data (IlLagChart *self);
void       il_lag_chart_data_changed (IlLagChart *self);
/* A shared scale: the y axis reaches at least @lag_us (0: the data's own
 * maximum), so that several charts compare at a glance. */
void il_lag_chart_set_min_y_max (IlLagChart *self,
                                 gint64      lag_us);

G_END_DECLS
