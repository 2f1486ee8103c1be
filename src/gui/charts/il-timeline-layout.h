/* il-timeline-layout.h — where the timeline puts lanes, rows and times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure geometry, no drawing: the chart lays out, draws and hit-tests with
 * the same numbers, and tests check them without a display.
 */
#pragma once

#include <glib.h>

#include "il-timeline-data.h"

G_BEGIN_DECLS

#define IL_TIMELINE_LABEL_W  64.0 /* lane labels left of the plot */
#define IL_TIMELINE_AXIS_H   22.0 /* time axis under the lanes */
#define IL_TIMELINE_ROW_H    20.0 /* title and legend row */
#define IL_TIMELINE_PAD_R    12.0
#define IL_TIMELINE_MIN_LANE 3.0
#define IL_TIMELINE_MAX_LANE 56.0
/* A lane of n > 1 sub-rows is n × ROW_WEIGHT lanes tall (at least one). */
#define IL_TIMELINE_ROW_WEIGHT 0.5

/* One lane's place; a lane of one row has y … y + h laid out as: bar,
 * state strip, GIL band. */
typedef struct
{
  double y, h;
  double row_h; /* one sub-row */
  double bar_h; /* in each sub-row */
  double strip_h;
  double band_h; /* GIL band at the lane's bottom, 0 none */
  guint  n_rows;
  guint  first_row; /* index of its first sub-row among all lanes' */
} IlTimelineLaneGeometry;

typedef struct
{
  double                        plot_x, plot_y, plot_w, plot_h;
  double                        lane_h;  /* a lane of one row */
  double                        lanes_h; /* all lanes */
  guint                         n_lanes;
  guint                         n_rows;           /* sub-rows over all lanes */
  const IlTimelineLaneGeometry *lanes;            /* n_lanes, in the caller's array */
  double                        start_us, end_us; /* the visible range */
  double                        top;              /* bottom of the title row */
} IlTimelineLayout;

/* Sub-rows of @lane (1 when @data is NULL or has no such lane). */
guint il_timeline_layout_lane_rows (const IlTimelineData *data,
                                    guint                 lane);
/* Height of a lane of @n_rows sub-rows, in one-row lanes. */
double il_timeline_layout_lane_weight (guint n_rows);
/* The first @n_lanes lanes' heights, in one-row lanes. */
double il_timeline_layout_total_weight (const IlTimelineData *data,
                                        guint                 n_lanes);

/* Lays @data (nullable) out in @width × @height, the time range
 * [@start_us, @end_us] across the plot, lanes at most @max_lane pixels
 * tall (one row); @header: a title or legend row on top. @lanes
 * (IlTimelineLaneGeometry) is grown as needed and kept by the caller, so
 * that a frame allocates nothing; layout->lanes points into it. */
void il_timeline_layout_compute (IlTimelineLayout     *layout,
                                 GArray               *lanes,
                                 const IlTimelineData *data,
                                 int                   width,
                                 int                   height,
                                 gboolean              header,
                                 double                max_lane,
                                 double                start_us,
                                 double                end_us);

/* Top of the bar of sub-row @row in @lane (clamped to its rows). */
double il_timeline_layout_row_y (const IlTimelineLaneGeometry *lane,
                                 guint                         row);
/* Time ↔ x in the plot. */
double il_timeline_layout_x_of (const IlTimelineLayout *layout,
                                double                  t_us);
double il_timeline_layout_time_at (const IlTimelineLayout *layout,
                                   double                  x);
/* Lane under @y, or -1. */
int il_timeline_layout_lane_at (const IlTimelineLayout *layout,
                                double                  y);
/* What is under (@x, @y): FALSE outside the lanes; otherwise the lane, the
 * sub-row (-1 for a lane of one row: any row), the time and how far from
 * it a bar may be and still be hit (three pixels). */
gboolean il_timeline_layout_hit (const IlTimelineLayout *layout,
                                 double                  x,
                                 double                  y,
                                 int                    *lane,
                                 int                    *row,
                                 double                 *t_us,
                                 double                 *slack_us);

G_END_DECLS
