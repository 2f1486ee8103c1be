/* il-timeline-chart.h — a lane per worker, a bar per block, task states and
 * the GIL passing between threads; zoom and pan through an IlTimeRange
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-chart.h"
#include "il-chart-data.h"
#include "il-time-range.h"

G_BEGIN_DECLS

#define IL_TYPE_TIMELINE_CHART (il_timeline_chart_get_type ())
G_DECLARE_FINAL_TYPE (IlTimelineChart, il_timeline_chart, IL, TIMELINE_CHART, IlChart)

GtkWidget *il_timeline_chart_new (void);
/* Nullable. The chart keeps a reference and draws what is in it now:
 * call il_timeline_chart_data_changed() after appending. */
void            il_timeline_chart_set_data (IlTimelineChart *self,
                                            IlTimelineData  *data);
IlTimelineData *il_timeline_chart_get_data (IlTimelineChart *self);
/* Shares the zoom/pan with other charts; NULL gives the chart its own. */
void         il_timeline_chart_set_range (IlTimelineChart *self,
                                          IlTimeRange     *range);
IlTimeRange *il_timeline_chart_get_range (IlTimelineChart *self);
/* Extent for the shared axis; by default the data's end. Small multiples
 * set the longest makespan so that they align. */
void il_timeline_chart_set_max_lane_height (IlTimelineChart *self,
                                            double           height);
void il_timeline_chart_set_legend (IlTimelineChart *self,
                                   gboolean         legend);
void il_timeline_chart_data_changed (IlTimelineChart *self);
/* When the pointer rests on the chart, asks GTK for the tooltip again (the
 * data or the view moved under it); data_changed and a view change call it. */
void il_timeline_chart_refresh_tooltip (IlTimelineChart *self);
/* Where the pointer is, as the motion controller tracks it (-1, -1: not
 * over the chart); for tests, with the count of tooltip refreshes. */
void  il_timeline_chart_set_pointer (IlTimelineChart *self,
                                     double           x,
                                     double           y);
guint il_timeline_chart_get_tooltip_refreshes (IlTimelineChart *self);
/* Tooltip text for the point (x, y) in widget coordinates, or NULL. */
char *il_timeline_chart_query (IlTimelineChart *self,
                               double           x,
                               double           y);

G_END_DECLS
