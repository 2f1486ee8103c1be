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

/* Level of detail (il-timeline-bars.c). What to draw for the blocks in
 * view, computed from the index without walking every task: where blocks
 * are narrower than a pixel, each sub-row's pixel column gets one bar in
 * the colour of the type that covers most of it (and one strip cell in the
 * state it spent most time in); where tasks are a pixel or wider, each
 * block is its own bar. The work and the output are bounded by sub-rows ×
 * plot width, whatever the number of tasks. */

/* Rect kinds past the block types (0 … IL_N_BLOCK_TYPES - 1;
 * IL_N_BLOCK_TYPES: a block of an unknown type). */
#define IL_TIMELINE_STRIP_KIND(state) (32 + (state)) /* state strip cell */
#define IL_TIMELINE_KIND_NO_BLOCKS    40             /* a task without blocks: accent */
#define IL_TIMELINE_KIND_FAILED       41             /* a failed task's outline (stroked) */
#define IL_TIMELINE_KIND_SEPARATOR    42             /* a line where a wide task starts (w = 0) */
#define IL_TIMELINE_KIND_GIL_HOLD     43
#define IL_TIMELINE_KIND_GIL_WAIT     44

typedef struct
{
  float  x, y, w, h;
  guint8 kind;
  guint8 faded; /* a running block */
} IlTimelineRect;

/* A block wide enough (≥ 3 px) for its state strip to be drawn piece by piece. */
typedef struct
{
  guint32 block;
  float   x0, x1, y, h;
} IlTimelineStrip;

typedef struct
{
  GArray *rects;     /* IlTimelineRect: bars and strip cells, pixel-aligned */
  GArray *strips;    /* IlTimelineStrip */
  GArray *marks;     /* IlTimelineRect: task marks and GIL band, in drawing order */
  GArray *pending;   /* scratch */
  guint   looked_at; /* blocks, tasks and spans looked at by the last compute */
} IlTimelineBars;

void il_timeline_bars_init (IlTimelineBars *bars);
void il_timeline_bars_clear (IlTimelineBars *bars);
/* Fills @bars for @data (prepares its index) as laid out in @layout. */
void il_timeline_bars_compute (IlTimelineBars         *bars,
                               const IlTimelineLayout *layout,
                               IlTimelineData         *data);

G_END_DECLS
