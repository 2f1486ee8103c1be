/* il-timeline-chart-private.h — what the timeline chart's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-timeline-chart.c draws, il-timeline-chart-input.c turns pointer, touch
 * and keys into zoom and pan, il-timeline-chart-text.c puts the chart into
 * words, il-timeline-layout.c places things.
 */
#pragma once

#include "il-timeline-chart.h"
#include "il-timeline-layout.h"

G_BEGIN_DECLS

struct _IlTimelineChart
{
  IlChart parent_instance;

  /* owned */
  IlTimelineData *data;
  IlTimeRange    *range;
  IlTimelineBars  bars;  /* reused by every draw */
  GArray         *lanes; /* IlTimelineLaneGeometry, reused by every layout */

  double   max_lane; /* tallest lane, px */
  gboolean legend;
  gboolean own_range; /* follow the data's extent (live) */
  guint    last_workers;
  guint    last_rows;
  /* drag / pinch start */
  double drag_start_us;
  double drag_end_us;
  double pointer_x;
  double pointer_y;
  /* The pointer is over the chart: a data change under it re-asks the
   * tooltip (the pointer need not move). */
  gboolean hovered;
  guint    tooltip_refreshes;
};

/* Lays the chart out at its allocated size and current view. */
void il_timeline_chart_compute_layout (IlTimelineChart  *self,
                                       IlTimelineLayout *layout);
/* A block type as the legend and the tooltip name it ("file write"),
 * translated; "?" for an unknown type. */
const char *il_timeline_block_label (IlBlockType type);
/* The accessible description (IlChartClass.describe). */
char *il_timeline_chart_describe (IlChart *chart);
/* Adds the controllers for zoom (Ctrl+scroll, pinch, +/−), pan (drag,
 * sideways scroll, arrows) and reset (0, Home). */
void il_timeline_chart_init_input (IlTimelineChart *self);

G_END_DECLS
