/* test-timeline-layout.c — the charts' pure geometry, without a display:
 * timeline lanes and sub-rows, time ↔ x, hit testing; axis ticks; the
 * loop-latency chart's percentile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "il-chart-axis.h"
#include "il-chart-data.h"
#include "il-stats.h"
#include "il-timeline-layout.h"

static void
start_task (IlTimelineData *data, guint task, gint32 worker, gint64 t_us)
{
  IlEvent e = il_event_task_start (t_us, -1, 0, 0, -1, -1);

  e.task = task;
  e.worker = worker;
  e.t_us = t_us;
  il_timeline_data_apply (data, &e);
}

/* Worker 0 runs one task; worker 1 is a loop with three tasks in flight. */
static IlTimelineData *
two_lanes (void)
{
  IlTimelineData *data = il_timeline_data_new ();

  start_task (data, 0, 0, 0);
  start_task (data, 1, 1, 0);
  start_task (data, 2, 1, 100000);
  start_task (data, 3, 1, 200000);
  return data;
}

static void
test_lanes (void)
{
  g_autoptr(IlTimelineData) data = two_lanes ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  IlTimelineLayout              layout;
  const IlTimelineLaneGeometry *loop;

  g_assert_cmpuint (il_timeline_layout_lane_rows (data, 0), ==, 1);
  g_assert_cmpuint (il_timeline_layout_lane_rows (data, 1), ==, 3);
  g_assert_cmpuint (il_timeline_layout_lane_rows (data, 7), ==, 1);
  g_assert_cmpuint (il_timeline_layout_lane_rows (NULL, 0), ==, 1);
  /* Half a lane per sub-row, never less than one lane. */
  g_assert_cmpfloat (il_timeline_layout_lane_weight (1), ==, 1.0);
  g_assert_cmpfloat (il_timeline_layout_lane_weight (2), ==, 1.0);
  g_assert_cmpfloat (il_timeline_layout_lane_weight (3), ==, 1.5);
  g_assert_cmpfloat (il_timeline_layout_total_weight (data, 2), ==, 2.5);

  il_timeline_layout_compute (&layout, lanes, data, 640, 300, TRUE, IL_TIMELINE_MAX_LANE, 0, 1000000);
  g_assert_cmpfloat (layout.top, ==, 4 + IL_TIMELINE_ROW_H);
  g_assert_cmpfloat (layout.plot_x, ==, IL_TIMELINE_LABEL_W);
  g_assert_cmpfloat (layout.plot_y, ==, layout.top + 2);
  g_assert_cmpfloat (layout.plot_w, ==, 640 - IL_TIMELINE_LABEL_W - IL_TIMELINE_PAD_R);
  g_assert_cmpfloat (layout.plot_h, ==, 300 - layout.plot_y - IL_TIMELINE_AXIS_H);
  g_assert_cmpuint (layout.n_lanes, ==, 2);
  g_assert_cmpuint (layout.n_rows, ==, 4);
  g_assert_true (layout.lanes == (gpointer) lanes->data);
  /* Room for 100 px lanes: capped at the tallest lane. */
  g_assert_cmpfloat (layout.lane_h, ==, IL_TIMELINE_MAX_LANE);
  g_assert_cmpfloat (layout.lanes[0].y, ==, layout.plot_y);
  g_assert_cmpfloat (layout.lanes[0].h, ==, 56);
  g_assert_cmpuint (layout.lanes[0].n_rows, ==, 1);
  g_assert_cmpfloat (layout.lanes[0].band_h, ==, 0);
  loop = &layout.lanes[1];
  g_assert_cmpfloat (loop->y, ==, layout.plot_y + 56);
  g_assert_cmpfloat (loop->h, ==, 84);
  g_assert_cmpuint (loop->first_row, ==, 1);
  /* (84 − 1) / 3 rows, in whole pixels. */
  g_assert_cmpfloat (loop->row_h, ==, 27);
  g_assert_cmpfloat (layout.lanes_h, ==, 140);
  g_assert_cmpfloat (il_timeline_layout_row_y (loop, 0), ==, loop->y + 1);
  g_assert_cmpfloat (il_timeline_layout_row_y (loop, 2), ==, loop->y + 2 * 27 + 1);
  g_assert_cmpfloat (il_timeline_layout_row_y (loop, 9), ==, loop->y + 2 * 27 + 1);

  /* Small: lanes share the height; no header row. */
  il_timeline_layout_compute (&layout, lanes, data, 640, 100, FALSE, IL_TIMELINE_MAX_LANE, 0, 1000000);
  g_assert_cmpfloat (layout.top, ==, 4);
  g_assert_cmpfloat (layout.lane_h, ==, (100 - 6 - IL_TIMELINE_AXIS_H) / 2.5);

  /* No data: one empty lane. */
  il_timeline_layout_compute (&layout, lanes, NULL, 640, 300, FALSE, 30, 0, 1000);
  g_assert_cmpuint (layout.n_lanes, ==, 1);
  g_assert_cmpfloat (layout.lane_h, ==, 30);
}

static void
test_time_and_hits (void)
{
  g_autoptr(IlTimelineData) data = two_lanes ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  IlTimelineLayout layout;
  int              lane = -2, row = -2;
  double           t_us = -1, slack = -1;

  il_timeline_layout_compute (&layout, lanes, data, 640, 300, TRUE, IL_TIMELINE_MAX_LANE, 200000, 1200000);
  /* The visible range spans the plot. */
  g_assert_cmpfloat (il_timeline_layout_x_of (&layout, 200000), ==, layout.plot_x);
  g_assert_cmpfloat (il_timeline_layout_x_of (&layout, 1200000), ==, layout.plot_x + layout.plot_w);
  g_assert_cmpfloat_with_epsilon (il_timeline_layout_x_of (&layout, 700000), layout.plot_x + layout.plot_w / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_timeline_layout_time_at (&layout, layout.plot_x + layout.plot_w / 4), 450000, 1e-6);
  for (double t = 0; t < 2e6; t += 123456)
    g_assert_cmpfloat_with_epsilon (il_timeline_layout_time_at (&layout, il_timeline_layout_x_of (&layout, t)), t, 1e-6);

  g_assert_cmpint (il_timeline_layout_lane_at (&layout, layout.plot_y), ==, 0);
  g_assert_cmpint (il_timeline_layout_lane_at (&layout, layout.plot_y + 55.9), ==, 0);
  g_assert_cmpint (il_timeline_layout_lane_at (&layout, layout.plot_y + 56), ==, 1);
  g_assert_cmpint (il_timeline_layout_lane_at (&layout, layout.plot_y + 140), ==, -1);
  g_assert_cmpint (il_timeline_layout_lane_at (&layout, 0), ==, -1);

  /* A one-row lane matches any row. */
  g_assert_true (il_timeline_layout_hit (&layout, layout.plot_x + layout.plot_w / 2, layout.plot_y + 10,
                                         &lane, &row, &t_us, &slack));
  g_assert_cmpint (lane, ==, 0);
  g_assert_cmpint (row, ==, -1);
  g_assert_cmpfloat_with_epsilon (t_us, 700000, 1e-6);
  /* Three pixels' worth of time either side. */
  g_assert_cmpfloat_with_epsilon (slack, 3 * 1000000 / layout.plot_w, 1e-9);
  /* The loop's second sub-row. */
  g_assert_true (il_timeline_layout_hit (&layout, layout.plot_x, layout.lanes[1].y + 27 + 5,
                                         &lane, &row, &t_us, &slack));
  g_assert_cmpint (lane, ==, 1);
  g_assert_cmpint (row, ==, 1);
  g_assert_cmpfloat (t_us, ==, 200000);
  /* Leftover pixels below the last row belong to it. */
  g_assert_true (il_timeline_layout_hit (&layout, layout.plot_x, layout.lanes[1].y + layout.lanes[1].h - 0.5,
                                         &lane, &row, &t_us, &slack));
  g_assert_cmpint (row, ==, 2);
  /* Outside: the labels, right of the plot, above it, below the lanes. */
  g_assert_false (il_timeline_layout_hit (&layout, layout.plot_x - 1, layout.plot_y + 10, &lane, &row, &t_us, &slack));
  g_assert_false (il_timeline_layout_hit (&layout, layout.plot_x + layout.plot_w + 1, layout.plot_y + 10, &lane, &row, &t_us, &slack));
  g_assert_false (il_timeline_layout_hit (&layout, layout.plot_x + 10, layout.plot_y - 1, &lane, &row, &t_us, &slack));
  g_assert_false (il_timeline_layout_hit (&layout, layout.plot_x + 10, layout.plot_y + 141, &lane, &row, &t_us, &slack));
}

static void
test_gil_band (void)
{
  g_autoptr(IlTimelineData) data = two_lanes ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  IlTimelineLayout layout;

  data->has_gil = TRUE;
  il_timeline_layout_compute (&layout, lanes, data, 640, 300, TRUE, IL_TIMELINE_MAX_LANE, 0, 1000);
  /* 16 % of a lane, and the rows share what is left. */
  g_assert_cmpfloat (layout.lanes[0].band_h, ==, floor (56 * 0.16));
  g_assert_cmpfloat (layout.lanes[1].row_h, ==, floor ((84 - floor (56 * 0.16) - 1) / 3));
  /* A one-row lane: bar, 2 px, strip, 2 px, band. */
  g_assert_cmpfloat (layout.lanes[0].strip_h, ==, floor (56 * 0.18));
  g_assert_cmpfloat (layout.lanes[0].bar_h, ==, 56 - 2 - floor (56 * 0.18) - floor (56 * 0.16) - 2);
}

static void
check_tick_label (const IlChartAxis *axis, double value, const char *expected)
{
  g_autofree char *label = il_chart_axis_format (axis, value);

  g_assert_cmpstr (label, ==, expected);
}

static void
test_axis (void)
{
  IlChartAxis      axis;
  g_autofree char *label = NULL;

  g_assert_cmpfloat (il_chart_nice_step (1000, 5), ==, 200);
  g_assert_cmpfloat (il_chart_nice_step (1000, 10), ==, 100);
  g_assert_cmpfloat (il_chart_nice_step (1000, 3), ==, 200);
  g_assert_cmpfloat (il_chart_nice_step (1000, 2), ==, 500);
  g_assert_cmpfloat (il_chart_nice_step (0, 3), ==, 1);

  /* 500 px at a tick per 90 px: five ticks wanted, 200 µs apart. */
  il_chart_axis_init (&axis, 0, 1000, 500, 90);
  g_assert_cmpfloat (axis.step, ==, 200);
  g_assert_cmpuint (il_chart_axis_get_n_ticks (&axis), ==, 6);
  g_assert_cmpfloat (il_chart_axis_get_tick (&axis, 5), ==, 1000);
  check_tick_label (&axis, 400, "400 µs");
  g_assert_cmpfloat (il_chart_axis_position (&axis, IL_CHART_AXIS_HORIZONTAL, 250, 10, 100), ==, 35);
  /* Vertical axes grow upwards. */
  g_assert_cmpfloat (il_chart_axis_position (&axis, IL_CHART_AXIS_VERTICAL, 250, 10, 100), ==, 85);

  /* A view that starts mid-way: the first tick is the next multiple. */
  il_chart_axis_init (&axis, 150, 1150, 500, 90);
  g_assert_cmpfloat (il_chart_axis_get_tick (&axis, 0), ==, 200);
  g_assert_cmpuint (il_chart_axis_get_n_ticks (&axis), ==, 5);
  /* At least two ticks however short. */
  il_chart_axis_init (&axis, 0, 1000, 10, 90);
  g_assert_cmpfloat (axis.step, ==, 500);

  /* Times in ms, numbers with a unit. */
  il_chart_axis_init (&axis, 0, 2000, 500, 90);
  axis.us_per_unit = 1000;
  check_tick_label (&axis, 1500, "1.5 s");
  il_chart_axis_set_number_format (&axis, "%g ms", 1000);
  check_tick_label (&axis, 3000, "3 ms");
  label = il_chart_format_time (250000, 50000);
  g_assert_cmpstr (label, ==, "250 ms");
}

/* The loop-latency chart's p95 is core's: R-7, not the nearest rank. */
static void
test_lag_percentile (void)
{
  g_autoptr(IlLagData) data = il_lag_data_new ();
  double lags[20];

  g_assert_cmpint (il_lag_data_percentile (data, 95), ==, 0);
  for (guint i = 0; i < 20; i++)
    {
      lags[i] = i == 10 ? 52000 : (i < 10 ? i + 1 : i) * 1000;
      il_lag_data_add (data, (i + 1) * 10000, (gint64) lags[i]);
    }
  g_assert_cmpint (il_lag_data_percentile (data, 95), ==, (gint64) llround (il_stats_percentile (lags, 20, 95)));
  /* 19 ms + 5 % of the way to the 52 ms spike (the nearest rank gave 19). */
  g_assert_cmpint (il_lag_data_percentile (data, 95), ==, 20650);
  g_assert_cmpint (il_lag_data_percentile (data, 50), ==, 10500);
  g_assert_cmpint (il_lag_data_percentile (data, 100), ==, 52000);
  g_assert_cmpint (il_lag_data_percentile (data, 0), ==, 1000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/timeline-layout/lanes", test_lanes);
  g_test_add_func ("/il/timeline-layout/time-and-hits", test_time_and_hits);
  g_test_add_func ("/il/timeline-layout/gil-band", test_gil_band);
  g_test_add_func ("/il/chart-axis/ticks", test_axis);
  g_test_add_func ("/il/lag-data/percentile", test_lag_percentile);

  return g_test_run ();
}
