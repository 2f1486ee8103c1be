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
/* A worker's task of one block, live: start, block start and end, end. */
static void
run_task (IlTimelineData *data, guint task, gint32 worker, gint64 start_us, gint64 end_us, guint type, gboolean failed)
{
  IlStateTimes state = { TRUE, end_us - start_us, 0, 0, 0, 0 };
  IlEvent      e;

  start_task (data, task, worker, start_us);
  e = il_event_block_start (start_us, 0, type);
  e.task = task;
  e.worker = worker;
  il_timeline_data_apply (data, &e);
  e = il_event_block_end (start_us, end_us, 0, type, failed, &state);
  e.task = task;
  e.worker = worker;
  il_timeline_data_apply (data, &e);
  e = il_event_task_end (start_us, end_us, -1, failed, &state);
  e.task = task;
  e.worker = worker;
  e.t_us = end_us;
  il_timeline_data_apply (data, &e);
}

#define BIG_WORKERS 8
#define BIG_PERIOD  10 /* µs between a worker's task starts; each runs 8 */

/* The flat index of worker w's k-th task. */
#define BIG_TASK(k, w) ((guint) (k) *BIG_WORKERS + (guint) (w))

/* Bar rects (not strip cells) in @lane's rows. */
static guint
lane_bars (const IlTimelineBars *bars, const IlTimelineLayout *layout, guint lane)
{
  const IlTimelineLaneGeometry *l = &layout->lanes[lane];
  guint                         n = 0;

  for (guint i = 0; i < bars->rects->len; i++)
    {
      const IlTimelineRect *r = &g_array_index (bars->rects, IlTimelineRect, i);

      if (r->kind <= IL_N_BLOCK_TYPES && r->y >= l->y && r->y < l->y + l->h)
        n++;
    }
  return n;
}

/* Issue 13: a million tasks. Zoomed out, what is drawn (and looked at) is
 * bounded by sub-rows × width, not by tasks; zoomed in until a task is
 * pixels wide, the exact tasks come back and the hit test reaches one. */
static void
test_million (void)
{
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  const guint           n = 1000000, per_worker = n / BIG_WORKERS;
  IlTimelineBars        bars;
  IlTimelineLayout      layout;
  double                covered = 0, cpu_covered = 0, x, t_us, slack;
  guint                 cpu_bars = 0, width, k0;
  int                   lane, row;
  const IlTimelineTask *t;

  for (guint k = 0; k < per_worker; k++)
    for (guint w = 0; w < BIG_WORKERS; w++)
      run_task (data, BIG_TASK (k, w), (gint32) w, (gint64) k * BIG_PERIOD, (gint64) k * BIG_PERIOD + 8,
                k % 4 == 3 ? IL_BLOCK_SLEEP : IL_BLOCK_CPU, w == 5 && k == per_worker / 2);
  g_assert_cmpuint (data->tasks->len, ==, n);
  g_assert_cmpuint (data->dropped, ==, 0);
  g_assert_cmpuint (data->n_rows, ==, BIG_WORKERS);

  il_timeline_bars_init (&bars);
  il_timeline_layout_compute (&layout, lanes, data, 1200, 600, TRUE, IL_TIMELINE_MAX_LANE, 0,
                              (double) per_worker * BIG_PERIOD);
  il_timeline_bars_compute (&bars, &layout, data);
  width = (guint) ceil (layout.plot_w) + 2;
  /* The old drawing walked all 1,000,000 blocks and tasks every frame. */
  g_assert_cmpuint (bars.looked_at, <=, 32 * layout.n_rows * width);
  g_assert_cmpuint (bars.rects->len, <=, 2 * layout.n_rows * width);
  g_assert_cmpuint (bars.marks->len, <=, 4 * layout.n_rows * width);
  /* Yet every lane is drawn across, in the type that covers most of it,
   * and the one failed task is marked. */
  for (guint i = 0; i < bars.rects->len; i++)
    {
      const IlTimelineRect *r = &g_array_index (bars.rects, IlTimelineRect, i);

      if (r->kind > IL_N_BLOCK_TYPES)
        continue;
      covered += r->w;
      if (r->kind == IL_BLOCK_CPU)
        {
          cpu_bars++;
          cpu_covered += r->w;
        }
    }
  g_assert_cmpfloat (covered, >=, BIG_WORKERS * (layout.plot_w - 2));
  g_assert_cmpuint (cpu_bars, >=, BIG_WORKERS);
  /* Three tasks in four are CPU: every column is. */
  g_assert_cmpfloat (cpu_covered, ==, covered);
  {
    guint failed = 0;

    for (guint i = 0; i < bars.marks->len; i++)
      failed += g_array_index (bars.marks, IlTimelineRect, i).kind == IL_TIMELINE_KIND_FAILED;
    g_assert_cmpuint (failed, ==, 1);
  }
  /* Zoomed out, the pointer still finds a task of the right lane. */
  g_assert_true (il_timeline_layout_hit (&layout, layout.plot_x + layout.plot_w / 3, layout.lanes[2].y + 5,
                                         &lane, &row, &t_us, &slack));
  t = il_timeline_data_find (data, lane, row, (gint64) t_us, (gint64) slack);
  g_assert_nonnull (t);
  g_assert_cmpint (t->worker, ==, 2);

  /* Deep zoom: 6 periods across the plot, tasks ~150 px wide. */
  k0 = 77777;
  il_timeline_layout_compute (&layout, lanes, data, 1200, 600, TRUE, IL_TIMELINE_MAX_LANE,
                              (double) k0 * BIG_PERIOD - 1, (double) (k0 + 6) * BIG_PERIOD - 1);
  il_timeline_bars_compute (&bars, &layout, data);
  g_assert_cmpuint (bars.looked_at, <, 200);
  /* One bar per task in view: k0 … k0 + 5, and the tail of k0 - 1 (ends
   * at k0 × 10 - 2, before the view: not drawn). */
  for (guint w = 0; w < BIG_WORKERS; w++)
    g_assert_cmpuint (lane_bars (&bars, &layout, w), ==, 6);
  /* The pointer over the middle of task k0 + 2 of worker 4 hits that very task. */
  x = il_timeline_layout_x_of (&layout, (k0 + 2) * BIG_PERIOD + 4);
  g_assert_true (il_timeline_layout_hit (&layout, x, layout.lanes[4].y + 5, &lane, &row, &t_us, &slack));
  t = il_timeline_data_find (data, lane, row, (gint64) t_us, (gint64) slack);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->task, ==, BIG_TASK (k0 + 2, 4));
  /* In the gap between two tasks, within three pixels of the earlier's end. */
  x = il_timeline_layout_x_of (&layout, (k0 + 3) * BIG_PERIOD + 8.5);
  g_assert_true (il_timeline_layout_hit (&layout, x, layout.lanes[4].y + 5, &lane, &row, &t_us, &slack));
  t = il_timeline_data_find (data, lane, row, (gint64) t_us, (gint64) slack);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->task, ==, BIG_TASK (k0 + 3, 4));

  il_timeline_bars_clear (&bars);
}

/* A results repetition lists tasks in flat order, not start order (here
 * in reverse): the index sorts them once; a task still running (end -1,
 * live) that started long before the view is drawn across it. */
static void
test_bars_order (void)
{
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  IlRepetition         *rep = il_repetition_new ();
  const guint           n = 20000;
  IlTimelineBars        bars;
  IlTimelineLayout      layout;
  double                t_us, slack;
  int                   lane, row;
  const IlTimelineTask *t;

  for (guint i = 0; i < n; i++)
    {
      IlTaskRecord rec = { 0 };

      rec.worker = (gint) (i % 2);
      rec.start_us = (gint64) (n - 1 - i) * 100;
      rec.end_us = rec.start_us + 90;
      rec.cpu_start = rec.cpu_end = -1;
      il_task_record_add_block (&rec, &(IlBlockRecord){ .start_us = rec.start_us, .end_us = rec.end_us, .ttfb_us = -1, .type = i == 4321 ? IL_BLOCK_HTTP : IL_BLOCK_CPU });
      g_array_append_val (rep->tasks, rec);
    }
  rep->makespan_ms = n / 10.0;
  /* The timeline reads the records: @rep lives as long as it is shown. */
  il_timeline_data_set_repetition (data, rep, NULL);

  il_timeline_bars_init (&bars);
  /* Around task 4321 (worker 1), a few tasks wide. */
  il_timeline_layout_compute (&layout, lanes, data, 800, 300, FALSE, IL_TIMELINE_MAX_LANE,
                              (double) (n - 1 - 4321) * 100 - 500, (double) (n - 1 - 4321) * 100 + 590);
  il_timeline_bars_compute (&bars, &layout, data);
  g_assert_cmpuint (lane_bars (&bars, &layout, 1), ==, 5);
  {
    guint http = 0;

    for (guint i = 0; i < bars.rects->len; i++)
      http += g_array_index (bars.rects, IlTimelineRect, i).kind == IL_BLOCK_HTTP;
    g_assert_cmpuint (http, ==, 1);
  }
  g_assert_true (il_timeline_layout_hit (&layout,
                                         il_timeline_layout_x_of (&layout, (double) (n - 1 - 4321) * 100 + 45),
                                         layout.lanes[1].y + 3, &lane, &row, &t_us, &slack));
  t = il_timeline_data_find (data, lane, row, (gint64) t_us, (gint64) slack);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->task, ==, 4321);

  /* Live: a long task still running on worker 0 under short ones elsewhere. */
  il_timeline_data_reset (data);
  start_task (data, 0, 0, 0);
  {
    IlEvent e = il_event_block_start (0, 0, IL_BLOCK_SLEEP);

    e.task = 0;
    e.worker = 0;
    il_timeline_data_apply (data, &e);
  }
  for (guint k = 0; k < 5000; k++)
    run_task (data, k + 1, 1, (gint64) k * 10, (gint64) k * 10 + 8, IL_BLOCK_CPU, FALSE);
  il_timeline_layout_compute (&layout, lanes, data, 800, 300, FALSE, IL_TIMELINE_MAX_LANE, 30000, 30095);
  il_timeline_bars_compute (&bars, &layout, data);
  g_assert_cmpuint (lane_bars (&bars, &layout, 0), ==, 1);
  g_assert_cmpuint (lane_bars (&bars, &layout, 1), ==, 10);
  g_assert_true (il_timeline_layout_hit (&layout, layout.plot_x + 10, layout.lanes[0].y + 3, &lane, &row, &t_us, &slack));
  t = il_timeline_data_find (data, lane, row, (gint64) t_us, (gint64) slack);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->task, ==, 0);

  il_timeline_bars_clear (&bars);
  il_repetition_free (rep);
}

/* The records of N tasks on BIG_WORKERS workers as run_task() would show
 * them live: task k of worker w at k × BIG_PERIOD, one block, some failed,
 * every 97th of two blocks. */
static IlRepetition *
big_repetition (guint    n,
                gboolean some_two_blocks)
{
  IlRepetition *rep = il_repetition_new ();

  for (guint i = 0; i < n; i++)
    {
      IlTaskRecord  rec = { 0 };
      IlBlockRecord block = { 0 };
      guint         k = i / BIG_WORKERS;

      rec.worker = (gint) (i % BIG_WORKERS);
      rec.start_us = (gint64) k * BIG_PERIOD;
      rec.end_us = rec.start_us + 8;
      rec.cpu_start = rec.cpu_end = -1;
      rec.failed = i % 1001 == 5;
      il_task_record_set_state (&rec, &(IlStateTimes){ TRUE, 8, 0, 0, 0, 0 });
      block.start_us = rec.start_us;
      block.end_us = some_two_blocks && i % 97 == 3 ? rec.start_us + 5 : rec.end_us;
      block.ttfb_us = -1;
      block.type = k % 4 == 3 ? IL_BLOCK_SLEEP : IL_BLOCK_CPU;
      block.state = (IlStateTimes){ TRUE, block.end_us - block.start_us, 0, 0, 0, 0 };
      il_task_record_add_block (&rec, &block);
      if (some_two_blocks && i % 97 == 3)
        {
          block.start_us = rec.start_us + 5;
          block.end_us = rec.end_us;
          block.type = IL_BLOCK_SLEEP;
          block.state = (IlStateTimes){ TRUE, 0, 0, 3, 0, 0 };
          il_task_record_add_block (&rec, &block);
        }
      g_array_append_val (rep->tasks, rec);
    }
  rep->makespan_ms = (double) ((n / BIG_WORKERS - 1) * BIG_PERIOD + 8) / 1000.0;
  return rep;
}

/* Issue 13: a 1,000,000-task results file within 256 B a task, of which the
 * records take most. The results timeline reads the records where they are
 * and adds only its index (4-byte item ids, per-16 sums) and a byte of
 * sub-row per task. */
#define TIMELINE_MAX_OWN_BYTES_PER_TASK 24

static void
test_bytes_per_task (void)
{
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  g_autoptr(IlTimelineData) live = il_timeline_data_new ();
  const guint   n = 200000, n_live = 20000;
  IlRepetition *rep = big_repetition (n, TRUE);
  double        per_task;

  il_timeline_data_set_repetition (data, rep, NULL);
  g_assert_cmpuint (data->n_tasks, ==, n);
  per_task = (double) il_timeline_data_get_own_bytes (data) / n;
  g_test_message ("results timeline: %.1f bytes per task of its own", per_task);
  g_assert_cmpfloat (per_task, <=, TIMELINE_MAX_OWN_BYTES_PER_TASK);
  /* Not a count that cannot grow: a timeline that copies its tasks (as a
   * live one does, from events) is counted with its copies. */
  for (guint i = 0; i < n_live; i++)
    run_task (live, i, (gint32) (i % BIG_WORKERS), (gint64) (i / BIG_WORKERS) * BIG_PERIOD,
              (gint64) (i / BIG_WORKERS) * BIG_PERIOD + 8, IL_BLOCK_CPU, FALSE);
  il_timeline_data_prepare_index (live);
  g_assert_cmpuint (il_timeline_data_get_own_bytes (live), >=,
                    (gsize) n_live * (sizeof (IlTimelineTask) + sizeof (IlTimelineBlock)));
  /* Tasks of one block: their block lists share the task lists' ids. */
  il_repetition_free (rep);
  rep = big_repetition (n, FALSE);
  il_timeline_data_set_repetition (data, rep, NULL);
  per_task = (double) il_timeline_data_get_own_bytes (data) / n;
  g_test_message ("one block a task: %.1f bytes per task of its own", per_task);
  g_assert_cmpfloat (per_task, <=, TIMELINE_MAX_OWN_BYTES_PER_TASK - 4);
  il_timeline_data_reset (data);
  g_assert_cmpuint (il_timeline_data_get_own_bytes (data), <, 4096);
  il_repetition_free (rep);
}

/* Field by field: the structs have padding. */
static gboolean
rects_equal (GArray *a,
             GArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const IlTimelineRect *x = &g_array_index (a, IlTimelineRect, i), *y = &g_array_index (b, IlTimelineRect, i);

      if (x->x != y->x || x->y != y->y || x->w != y->w || x->h != y->h || x->kind != y->kind || x->faded != y->faded)
        return FALSE;
    }
  return TRUE;
}

/* The same tasks, from records (read in place) and from events (copied):
 * the same bars, marks and hits at every zoom. */
static void
test_records_as_events (gconstpointer some_two_blocks)
{
  g_autoptr(IlTimelineData) recorded = il_timeline_data_new ();
  g_autoptr(IlTimelineData) live = il_timeline_data_new ();
  g_autoptr(GArray) lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  const guint    n = 40000;
  IlRepetition  *rep = big_repetition (n, GPOINTER_TO_INT (some_two_blocks));
  const double   views[][2] = { { 0, n / BIG_WORKERS * BIG_PERIOD }, { 1000, 30000 }, { 20000, 20400 }, { 33, 95 } };
  IlTimelineBars a, b;

  il_timeline_data_set_repetition (recorded, rep, NULL);
  /* Live, in start order per worker, as events come. */
  for (guint i = 0; i < n; i++)
    {
      const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, i);
      IlStateTimes        st;
      IlEvent             e;

      start_task (live, i, rec->worker, rec->start_us);
      for (guint j = 0; j < rec->n_blocks; j++)
        {
          const IlBlockRecord  block = il_task_record_block (rec, j);
          const IlBlockRecord *br = &block;

          e = il_event_block_start (br->start_us, j, br->type);
          e.task = i;
          e.worker = rec->worker;
          il_timeline_data_apply (live, &e);
          st = br->state;
          e = il_event_block_end (br->start_us, br->end_us, j, br->type, FALSE, &st);
          e.task = i;
          e.worker = rec->worker;
          il_timeline_data_apply (live, &e);
        }
      st = il_task_record_state (rec);
      e = il_event_task_end (rec->start_us, rec->end_us, -1, rec->failed, &st);
      e.task = i;
      e.worker = rec->worker;
      e.t_us = rec->end_us;
      il_timeline_data_apply (live, &e);
    }
  g_assert_cmpuint (live->n_tasks, ==, recorded->n_tasks);
  g_assert_cmpuint (live->n_failed, ==, recorded->n_failed);
  g_assert_cmpuint (live->n_rows, ==, recorded->n_rows);
  g_assert_cmpint (live->end_us, ==, recorded->end_us);

  il_timeline_bars_init (&a);
  il_timeline_bars_init (&b);
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      IlTimelineLayout la, lb;

      il_timeline_layout_compute (&la, lanes, recorded, 1000, 500, TRUE, IL_TIMELINE_MAX_LANE, views[v][0], views[v][1]);
      il_timeline_bars_compute (&a, &la, recorded);
      il_timeline_layout_compute (&lb, lanes, live, 1000, 500, TRUE, IL_TIMELINE_MAX_LANE, views[v][0], views[v][1]);
      il_timeline_bars_compute (&b, &lb, live);
      g_assert_cmpuint (a.rects->len, >, 0);
      g_assert_true (rects_equal (a.rects, b.rects));
      g_assert_true (rects_equal (a.marks, b.marks));
      g_assert_cmpuint (a.strips->len, ==, b.strips->len);
      for (guint w = 0; w < BIG_WORKERS; w++)
        {
          gint64                t_us = (gint64) ((views[v][0] + views[v][1]) / 2) + w;
          const IlTimelineTask *x = il_timeline_data_find (recorded, (gint) w, 0, t_us, 3);
          guint32               xt = x != NULL ? x->task : G_MAXUINT32;
          const IlTimelineTask *y = il_timeline_data_find (live, (gint) w, 0, t_us, 3);

          g_assert_cmpuint (xt, ==, y != NULL ? y->task : G_MAXUINT32);
        }
    }
  il_timeline_bars_clear (&a);
  il_timeline_bars_clear (&b);
  il_repetition_free (rep);
}

/* The results view's timeline holds the results it reads: they outlive
 * the document's own reference (a new run replaces them). */
static void
test_holds_results (void)
{
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  IlResults            *results = il_results_new ();
  IlRunResult          *run = il_run_result_new ();
  IlRepetition         *rep = big_repetition (4000, TRUE);
  IlTimelineTask        buf;
  const IlTimelineTask *t;

  g_ptr_array_add (run->repetitions, rep);
  g_ptr_array_add (results->runs, run);
  il_timeline_data_set_results_repetition (data, results, rep, NULL);
  il_results_free (results);
  t = il_timeline_data_task (data, 3999, &buf);
  g_assert_cmpint (t->start_us, ==, (gint64) (3999 / BIG_WORKERS) * BIG_PERIOD);
  t = il_timeline_data_find (data, 3, 0, 100 * BIG_PERIOD + 4, 0);
  g_assert_nonnull (t);
  g_assert_cmpuint (t->task, ==, 100 * BIG_WORKERS + 3);
  /* Showing something else lets them go. */
  il_timeline_data_reset (data);
  g_assert_null (data->results);
  g_assert_null (data->rep);
}

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
  g_test_add_func ("/il/timeline-bars/million", test_million);
  g_test_add_func ("/il/timeline-bars/order", test_bars_order);
  g_test_add_data_func ("/il/timeline-bars/records-as-events", GINT_TO_POINTER (TRUE), test_records_as_events);
  g_test_add_data_func ("/il/timeline-bars/records-as-events-one-block", GINT_TO_POINTER (FALSE),
                        test_records_as_events);
  g_test_add_func ("/il/timeline-data/bytes-per-task", test_bytes_per_task);
  g_test_add_func ("/il/timeline-data/holds-results", test_holds_results);
  g_test_add_func ("/il/chart-axis/ticks", test_axis);
  g_test_add_func ("/il/lag-data/percentile", test_lag_percentile);

  return g_test_run ();
}
