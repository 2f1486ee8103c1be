/* il-timeline-layout.c — where the timeline puts lanes, rows and times
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-timeline-layout.h"

#include <math.h>

guint
il_timeline_layout_lane_rows (const IlTimelineData *data,
                              guint                 lane)
{
  if (data == NULL || lane >= data->lanes->len)
    return 1;
  return CLAMP (g_array_index (data->lanes, IlTimelineLane, lane).n_rows, 1, IL_TIMELINE_MAX_ROWS);
}

double
il_timeline_layout_lane_weight (guint n_rows)
{
  return n_rows <= 1 ? 1.0 : MAX (1.0, n_rows * IL_TIMELINE_ROW_WEIGHT);
}

double
il_timeline_layout_total_weight (const IlTimelineData *data,
                                 guint                 n_lanes)
{
  double units = 0;

  for (guint lane = 0; lane < n_lanes; lane++)
    units += il_timeline_layout_lane_weight (il_timeline_layout_lane_rows (data, lane));
  return units;
}

void
il_timeline_layout_compute (IlTimelineLayout     *g,
                            GArray               *lanes_array,
                            const IlTimelineData *data,
                            int                   width,
                            int                   height,
                            gboolean              header,
                            double                max_lane,
                            double                start_us,
                            double                end_us)
{
  gboolean                gil = data != NULL && data->has_gil;
  IlTimelineLaneGeometry *lanes;
  double                  y;

  g_return_if_fail (g != NULL);
  g_return_if_fail (lanes_array != NULL);

  g->top = 4;
  if (header)
    g->top += IL_TIMELINE_ROW_H;
  g->n_lanes = data != NULL ? MAX (data->n_workers, 1) : 1;
  g->plot_x = IL_TIMELINE_LABEL_W;
  g->plot_y = g->top + 2;
  g->plot_w = MAX (width - IL_TIMELINE_LABEL_W - IL_TIMELINE_PAD_R, 1);
  g->plot_h = MAX (height - g->plot_y - IL_TIMELINE_AXIS_H, 1);
  g->lane_h = MIN (g->plot_h / il_timeline_layout_total_weight (data, g->n_lanes), max_lane);
  g->start_us = start_us;
  g->end_us = end_us;

  if (lanes_array->len < g->n_lanes)
    g_array_set_size (lanes_array, g->n_lanes);
  lanes = (IlTimelineLaneGeometry *) (gpointer) lanes_array->data;
  g->lanes = lanes;
  g->n_rows = 0;
  y = g->plot_y;
  for (guint i = 0; i < g->n_lanes; i++)
    {
      IlTimelineLaneGeometry *l = &lanes[i];

      l->n_rows = il_timeline_layout_lane_rows (data, i);
      l->first_row = g->n_rows;
      l->y = y;
      l->h = g->lane_h * il_timeline_layout_lane_weight (l->n_rows);
      l->band_h = gil ? MAX (floor (g->lane_h * 0.16), 1) : 0;
      if (l->n_rows == 1)
        {
          l->row_h = l->h;
          l->strip_h = l->h >= 10 ? MAX (floor (l->h * 0.18), 2) : 0;
          l->bar_h = MAX (l->h - 2 - l->strip_h - l->band_h - (l->h >= 10 ? 2 : 0), 1);
        }
      else
        {
          /* Whole pixels per row where there is room, so that rows look
           * alike; what is left over stays below the last. */
          l->row_h = (l->h - l->band_h - 1) / l->n_rows;
          if (l->row_h >= 4)
            l->row_h = floor (l->row_h);
          l->row_h = MAX (l->row_h, 0.25);
          l->strip_h = l->row_h >= 7 ? MAX (floor (l->row_h * 0.2), 2) : 0;
          l->bar_h = MAX (l->row_h - 1 - l->strip_h - (l->strip_h > 0 ? 1 : 0), 1);
        }
      g->n_rows += l->n_rows;
      y += l->h;
    }
  g->lanes_h = y - g->plot_y;
}

double
il_timeline_layout_row_y (const IlTimelineLaneGeometry *l,
                          guint                         row)
{
  return l->y + MIN (row, l->n_rows - 1) * l->row_h + 1;
}

double
il_timeline_layout_x_of (const IlTimelineLayout *g,
                         double                  t_us)
{
  return g->plot_x + (t_us - g->start_us) / (g->end_us - g->start_us) * g->plot_w;
}

double
il_timeline_layout_time_at (const IlTimelineLayout *g,
                            double                  x)
{
  return g->start_us + (x - g->plot_x) / g->plot_w * (g->end_us - g->start_us);
}

int
il_timeline_layout_lane_at (const IlTimelineLayout *g,
                            double                  y)
{
  for (guint i = 0; i < g->n_lanes; i++)
    if (y >= g->lanes[i].y && y < g->lanes[i].y + g->lanes[i].h)
      return (int) i;
  return -1;
}

gboolean
il_timeline_layout_hit (const IlTimelineLayout *g,
                        double                  x,
                        double                  y,
                        int                    *lane_out,
                        int                    *row_out,
                        double                 *t_us,
                        double                 *slack_us)
{
  const IlTimelineLaneGeometry *l;
  int                           lane, row = -1;

  if (x < g->plot_x || x > g->plot_x + g->plot_w || y < g->plot_y)
    return FALSE;
  lane = il_timeline_layout_lane_at (g, y);
  if (lane < 0)
    return FALSE;
  l = &g->lanes[lane];
  if (l->n_rows > 1)
    row = (int) MIN (floor ((y - l->y) / l->row_h), l->n_rows - 1);
  *lane_out = lane;
  *row_out = row;
  *t_us = il_timeline_layout_time_at (g, x);
  *slack_us = 3 * (g->end_us - g->start_us) / g->plot_w;
  return TRUE;
}
