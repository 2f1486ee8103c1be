/* test-gui-charts-timeline.c — the timeline chart: pixels, rows, zoom and pan, dark mode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Synthetic events and recorded tasks with known shapes, rendered through
 * GTK (snapshot → GSK cairo renderer), then checked pixel by pixel where
 * the picture must have something.
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "il-chart.h"
#include "il-results.h"
#include "il-time-range.h"
#include "il-timeline-chart.h"

#include "il-chart-test-utils.h"
#include "il-test-utils.h"

/* ---- helpers ---- */

/* An event loop on worker 0, as the async executor reports it: task 0
 * computes 0 … 500 ms; task 1 starts at 100 ms while task 0 is in flight
 * and sleeps until 1 s; task 2 starts at 600 ms, after task 0 ended, and
 * waits for HTTP until 900 ms. Tasks 0 and 2 share the first sub-row, task
 * 1 has the second. */
static const struct
{
  gint64      start_us, end_us;
  IlBlockType type;
} loop_tasks[] = {
  { 0, 500000, IL_BLOCK_CPU },
  { 100000, 1000000, IL_BLOCK_SLEEP },
  { 600000, 900000, IL_BLOCK_HTTP },
};

static IlTimelineData *
loop_timeline (void)
{
  IlTimelineData *data = il_timeline_data_new ();
  /* (time, task, kind) in the loop's order: one thread, in time order */
  static const struct
  {
    gint64      t_us;
    guint       task;
    IlEventKind kind;
  } order[] = {
    { 0, 0, IL_EVENT_TASK_START },
    { 0, 0, IL_EVENT_BLOCK_START },
    { 100000, 1, IL_EVENT_TASK_START },
    { 100000, 1, IL_EVENT_BLOCK_START },
    { 500000, 0, IL_EVENT_BLOCK_END },
    { 500000, 0, IL_EVENT_TASK_END },
    { 600000, 2, IL_EVENT_TASK_START },
    { 600000, 2, IL_EVENT_BLOCK_START },
    { 900000, 2, IL_EVENT_BLOCK_END },
    { 900000, 2, IL_EVENT_TASK_END },
    { 1000000, 1, IL_EVENT_BLOCK_END },
    { 1000000, 1, IL_EVENT_TASK_END },
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      IlEvent      e = ev (order[i].kind);
      gint64       length = loop_tasks[order[i].task].end_us - loop_tasks[order[i].task].start_us;
      IlBlockType  type = loop_tasks[order[i].task].type;
      IlStateTimes state = { TRUE, 0, 0, 0, 0 };

      /* The CPU block was ready (waiting for the loop) a fifth of the
       * time; the others blocked. */
      state.running = type == IL_BLOCK_CPU ? length * 4 / 5 : 0;
      state.ready = type == IL_BLOCK_CPU ? length / 5 : 0;
      state.blocked = type == IL_BLOCK_CPU ? 0 : length;
      if (order[i].kind == IL_EVENT_BLOCK_START)
        e.block_start.type = type;
      else if (order[i].kind == IL_EVENT_BLOCK_END)
        e = il_event_block_end (0, 0, 0, type, FALSE, &state);
      else if (order[i].kind == IL_EVENT_TASK_END)
        e = il_event_task_end (0, 0, -1, FALSE, &state);
      e.t_us = order[i].t_us;
      e.task = order[i].task;
      e.worker = 0;
      il_timeline_data_apply (data, &e);
    }
  return data;
}

/* The same tasks as recorded results, out of start order. */
static IlRepetition *
loop_repetition (void)
{
  IlRepetition      *rep = il_repetition_new ();
  static const guint record_order[] = { 2, 0, 1 };

  rep->makespan_ms = 1000;
  for (guint i = 0; i < G_N_ELEMENTS (record_order); i++)
    {
      guint         k = record_order[i];
      IlTaskRecord  rec = { 0 };
      IlBlockRecord block = { 0 };

      rec.index = i;
      rec.worker = 0;
      rec.cpu_start = rec.cpu_end = -1;
      rec.start_us = loop_tasks[k].start_us;
      rec.end_us = loop_tasks[k].end_us;
      il_task_record_set_spawn_us (&rec, -1);
      block.type = loop_tasks[k].type;
      block.start_us = rec.start_us;
      block.end_us = rec.end_us;
      block.ttfb_us = -1;
      il_task_record_add_block (&rec, &block);
      g_array_append_val (rep->tasks, rec);
    }
  return rep;
}

/* ---- tests ---- */

static void
test_timeline_pixels (void)
{
  g_autoptr(IlTimelineData) data = two_worker_timeline ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char     *path = NULL;
  g_autofree char     *dir = NULL;
  const IlChartColors *colors;
  GtkWidget           *chart, *window;
  Pixels               px = { 0 };

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 200);
  colors = il_chart_get_colors (IL_CHART (chart));

  /* Layout: plot from x = 64 to 588; lanes from y = 26, 56 px each (the
   * title row is 20 px): bars 42 px, then a 10 px state strip. The CPU bar
   * spans the whole second, the sleep bar the first half on lane 1. */
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  g_assert_cmpint (px.width, ==, 600);
  assert_color (&px, 400, 35, &colors->block[IL_BLOCK_CPU]);
  assert_color (&px, 150, 95, &colors->block[IL_BLOCK_SLEEP]);
  /* past the sleep block's end, lane 1 has no bar */
  {
    GdkRGBA got;

    pixel_at (&px, 500, 95, &got);
    g_assert_cmpfloat (distance (&got, &colors->block[IL_BLOCK_SLEEP]), >, 0.3);
  }
  /* The state strip below the CPU bar: ready (10 %) at its right end. */
  assert_color (&px, 580, 75, &colors->ready);
  g_free (px.pixels);

  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)), "2 tasks on 2 workers, 2 finished"));

  /* Export draws the same picture. */
  dir = g_dir_make_tmp ("il-charts-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "timeline.png", NULL);
  file = g_file_new_for_path (path);
  g_assert_true (il_chart_export (IL_CHART (chart), file, "png", &error));
  g_assert_no_error (error);
  g_clear_object (&texture);
  texture = gdk_texture_new_from_file (file, &error);
  g_assert_no_error (error);
  pixels_from_texture (&px, texture);
  assert_color (&px, 400, 35, &colors->block[IL_BLOCK_CPU]);
  assert_color (&px, 150, 95, &colors->block[IL_BLOCK_SLEEP]);
  g_free (px.pixels);

  /* Zoom into the second half: the sleep bar leaves the view. */
  il_time_range_set_view (il_timeline_chart_get_range (IL_TIMELINE_CHART (chart)), 600000, 1000000);
  g_clear_object (&texture);
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  assert_color (&px, 300, 35, &colors->block[IL_BLOCK_CPU]);
  {
    GdkRGBA got;

    pixel_at (&px, 150, 95, &got);
    g_assert_cmpfloat (distance (&got, &colors->block[IL_BLOCK_SLEEP]), >, 0.3);
  }
  g_free (px.pixels);

  /* Tooltip text for the CPU task */
  {
    g_autofree char *tip = il_timeline_chart_query (IL_TIMELINE_CHART (chart), 300, 35);

    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, "task 0"));
    g_assert_nonnull (strstr (tip, "worker 0"));
    g_assert_nonnull (strstr (tip, "1 block: CPU"));
  }

  g_unlink (path);
  g_rmdir (dir);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Tasks that overlap on one lane get sub-rows; lanes whose tasks follow
 * one another keep one row. Packing is the same live and from results. */
static void
test_timeline_rows (void)
{
  g_autoptr(IlTimelineData) loop = loop_timeline ();
  g_autoptr(IlTimelineData) recorded = il_timeline_data_new ();
  g_autoptr(IlTimelineData) threads = two_worker_timeline ();
  g_autoptr(IlTimelineData) many = il_timeline_data_new ();
  g_autoptr(IlRepetition) rep = loop_repetition ();
  const IlTimelineLane *lane;
  IlEvent               e;

  g_assert_cmpuint (loop->n_workers, ==, 1);
  g_assert_cmpuint (loop->n_rows, ==, 2);
  lane = il_timeline_data_get_lane (loop, 0);
  g_assert_nonnull (lane);
  g_assert_cmpuint (lane->n_rows, ==, 2);
  g_assert_cmpuint (lane->max_open, ==, 2);
  g_assert_cmpuint (lane->n_open, ==, 0);
  g_assert_cmpuint (lane->n_folded, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (loop_tasks); i++)
    g_assert_cmpuint (g_array_index (loop->tasks, IlTimelineTask, i).row, ==, i == 1 ? 1 : 0);
  /* Each row finds only its own task. */
  g_assert_cmpuint (il_timeline_data_find (loop, 0, 0, 300000, 0)->task, ==, 0);
  g_assert_cmpuint (il_timeline_data_find (loop, 0, 1, 300000, 0)->task, ==, 1);
  g_assert_cmpuint (il_timeline_data_find (loop, 0, 0, 800000, 0)->task, ==, 2);

  /* Recorded, out of start order: the same rows. */
  il_timeline_data_set_repetition (recorded, rep, NULL);
  g_assert_cmpuint (recorded->n_rows, ==, 2);
  lane = il_timeline_data_get_lane (recorded, 0);
  g_assert_cmpuint (lane->max_open, ==, 2);
  g_assert_cmpuint (recorded->n_tasks, ==, rep->tasks->len);
  for (guint i = 0; i < recorded->n_tasks; i++)
    {
      IlTimelineTask        buf;
      const IlTimelineTask *t = il_timeline_data_task (recorded, i, &buf);

      g_assert_cmpuint (t->row, ==, t->start_us == 100000 ? 1 : 0);
    }

  /* Threads: one row per lane, as before. */
  g_assert_cmpuint (threads->n_workers, ==, 2);
  g_assert_cmpuint (threads->n_rows, ==, 2);
  g_assert_cmpuint (il_timeline_data_get_lane (threads, 1)->max_open, ==, 1);

  /* More tasks in flight than rows: the rest share the last row. */
  for (guint i = 0; i < IL_TIMELINE_MAX_ROWS + 8; i++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = i;
      e.t_us = i;
      il_timeline_data_apply (many, &e);
    }
  lane = il_timeline_data_get_lane (many, 0);
  g_assert_cmpuint (lane->n_rows, ==, IL_TIMELINE_MAX_ROWS);
  g_assert_cmpuint (lane->max_open, ==, IL_TIMELINE_MAX_ROWS + 8);
  g_assert_cmpuint (lane->n_folded, ==, 8);
  g_assert_cmpuint (g_array_index (many->tasks, IlTimelineTask, IL_TIMELINE_MAX_ROWS + 7).row,
                    ==, IL_TIMELINE_MAX_ROWS - 1);
  /* Once the first task ends, the next one takes its row. */
  e = ev (IL_EVENT_TASK_END);
  e.task = 0;
  e.t_us = 100;
  il_timeline_data_apply (many, &e);
  e = ev (IL_EVENT_TASK_START);
  e.task = IL_TIMELINE_MAX_ROWS + 8;
  e.t_us = 200;
  il_timeline_data_apply (many, &e);
  g_assert_cmpuint (g_array_index (many->tasks, IlTimelineTask, IL_TIMELINE_MAX_ROWS + 8).row, ==, 0);
  g_assert_cmpuint (lane->n_open, ==, IL_TIMELINE_MAX_ROWS + 8);

  il_timeline_data_reset (many);
  g_assert_cmpuint (many->n_rows, ==, 0);
  g_assert_cmpuint (many->lanes->len, ==, 0);
}

/* Two tasks in flight on the loop: their bars are in two sub-rows. */
/* A counter block that waited for its lock half the time: the wait is a
 * strip of its own colour (issue 11), at the strip's end (states are drawn
 * running, ready, blocked, GIL wait, lock wait). */
static void
test_timeline_lock_wait (void)
{
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  const IlChartColors *colors;
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget   *chart, *window;
  Pixels       px = { 0 };
  IlStateTimes state = { TRUE, 500000, 0, 0, 0, 500000 };
  IlEvent      e;

  for (guint t = 0; t < 2; t++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = t;
      e.worker = t;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_BLOCK_START);
      e.task = t;
      e.worker = t;
      e.block_start.type = IL_BLOCK_COUNTER;
      il_timeline_data_apply (data, &e);
      e = il_event_block_end (0, 1000000, 0, IL_BLOCK_COUNTER, FALSE, &state);
      e.task = t;
      e.worker = t;
      il_timeline_data_apply (data, &e);
      e = il_event_task_end (0, 1000000, -1, FALSE, &state);
      e.task = t;
      e.worker = t;
      il_timeline_data_apply (data, &e);
    }
  g_assert_true (data->has_lock_wait);

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 200);
  colors = il_chart_get_colors (IL_CHART (chart));
  g_assert_cmpfloat (distance (&colors->lock_wait, &colors->gil_wait), >, 0.3);
  g_assert_cmpfloat (distance (&colors->lock_wait, &colors->ready), >, 0.3);
  g_assert_cmpfloat (distance (&colors->lock_wait, &colors->block[IL_BLOCK_COUNTER]), >, 0.3);

  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  assert_color (&px, 400, 35, &colors->block[IL_BLOCK_COUNTER]);
  /* The strip under the bar: its right half is the lock wait. */
  assert_color (&px, 500, 75, &colors->lock_wait);
  {
    GdkRGBA got;

    /* … and its left half is running: no strip colour. */
    pixel_at (&px, 150, 75, &got);
    g_assert_cmpfloat (distance (&got, &colors->lock_wait), >, 0.3);
  }
  g_free (px.pixels);

  {
    g_autofree char *tip = il_timeline_chart_query (IL_TIMELINE_CHART (chart), 300, 35);

    g_assert_nonnull (tip);
    g_assert_nonnull (strstr (tip, "lock wait"));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A recorded block with segments draws its strip in time order: first
 * the GIL wait, then running, then the lock wait, then running. The same
 * block without segments (a file recorded before them) falls back to the
 * proportional strip: running, then GIL wait, then lock wait. */
static void
test_timeline_chronological_strip (void)
{
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  g_autoptr(GdkTexture) texture = NULL;
  const IlChartColors *colors;
  GtkWidget           *chart, *window;
  Pixels               px = { 0 };
  /* Plot from x = 64 to 588, as in the pixels test: x of a fraction. */
  const double   f[] = { 0.1, 0.4, 0.65, 0.9 };
  const GdkRGBA *timed[G_N_ELEMENTS (f)], *proportional[G_N_ELEMENTS (f)];

  rep->makespan_ms = 1000;
  for (guint t = 0; t < 2; t++)
    {
      IlTaskRecord  rec = { 0 };
      IlBlockRecord block = { 0 };

      rec.index = t;
      rec.worker = (gint) t;
      rec.cpu_start = rec.cpu_end = -1;
      rec.start_us = 0;
      rec.end_us = 1000000;
      il_task_record_set_spawn_us (&rec, -1);
      il_task_record_reserve_blocks (&rec, 1);
      block.type = IL_BLOCK_CPU;
      block.start_us = 0;
      block.end_us = 1000000;
      block.ttfb_us = -1;
      block.state = (IlStateTimes){ TRUE, 500000, 0, 0, 300000, 200000 };
      if (t == 0)
        {
          block.segments = g_malloc0 (sizeof (IlStateSegments) + 4 * sizeof (IlStateSegment));
          block.segments->n = 4;
          block.segments->seg[0] = (IlStateSegment){ 300000, IL_STATE_GIL_WAIT };
          block.segments->seg[1] = (IlStateSegment){ 250000, IL_STATE_RUNNING };
          block.segments->seg[2] = (IlStateSegment){ 200000, IL_STATE_LOCK_WAIT };
          block.segments->seg[3] = (IlStateSegment){ 250000, IL_STATE_RUNNING };
        }
      il_task_record_add_block (&rec, &block);
      il_task_record_set_state (&rec, &block.state);
      g_array_append_val (rep->tasks, rec);
    }
  il_timeline_data_set_repetition (data, rep, NULL);

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 200);
  colors = il_chart_get_colors (IL_CHART (chart));
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);

  timed[0] = &colors->gil_wait;
  timed[1] = NULL; /* running: no strip colour */
  timed[2] = &colors->lock_wait;
  timed[3] = NULL;
  proportional[0] = NULL;
  proportional[1] = NULL;
  proportional[2] = &colors->gil_wait;
  proportional[3] = &colors->lock_wait;
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    {
      int x = (int) (64 + 524 * f[i]);

      for (guint lane = 0; lane < 2; lane++)
        {
          const GdkRGBA *want = lane == 0 ? timed[i] : proportional[i];
          int            y = 75 + 56 * (int) lane;
          GdkRGBA        got;

          g_test_message ("lane %u at %.0f %%: %s", lane, f[i] * 100,
                          want == &colors->gil_wait ? "GIL wait" : want == &colors->lock_wait ? "lock wait"
                                                                                              : "running");
          if (want != NULL)
            {
              assert_color (&px, x, y, want);
              continue;
            }
          pixel_at (&px, x, y, &got);
          g_assert_cmpfloat (distance (&got, &colors->gil_wait), >, 0.3);
          g_assert_cmpfloat (distance (&got, &colors->lock_wait), >, 0.3);
        }
    }
  g_free (px.pixels);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_timeline_loop_pixels (void)
{
  g_autoptr(IlTimelineData) data = loop_timeline ();
  g_autoptr(IlTimelineData) many = il_timeline_data_new ();
  g_autoptr(GdkTexture) texture = NULL;
  const IlChartColors *colors;
  GtkWidget           *chart, *window;
  Pixels               px = { 0 };
  GdkRGBA              got;

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 200);
  colors = il_chart_get_colors (IL_CHART (chart));

  /* Layout: plot from x = 64 to 588 for 0 … 1 s; the loop's lane from
   * y = 26, 56 px tall as one lane would be, in two rows of 27 px: row 0's
   * bar at y = 27 … 47 and its state strip at 48 … 53, row 1's bar at
   * y = 54 … 74. */
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  /* At 300 ms both tasks are in flight: task 0 computes in row 0, task 1
   * sleeps in row 1. */
  assert_color (&px, 221, 37, &colors->block[IL_BLOCK_CPU]);
  assert_color (&px, 221, 64, &colors->block[IL_BLOCK_SLEEP]);
  /* At 800 ms task 2 has taken row 0 again; task 1 still sleeps below. */
  assert_color (&px, 483, 37, &colors->block[IL_BLOCK_HTTP]);
  assert_color (&px, 483, 64, &colors->block[IL_BLOCK_SLEEP]);
  /* Between task 0's end and task 2's start, row 0 is empty. */
  pixel_at (&px, 352, 37, &got);
  g_assert_cmpfloat (distance (&got, &colors->block[IL_BLOCK_CPU]), >, 0.3);
  g_assert_cmpfloat (distance (&got, &colors->block[IL_BLOCK_HTTP]), >, 0.3);
  /* Each row has its state strip: task 0 ready for the last fifth of its
   * CPU block (400 … 500 ms), task 1 blocked all along. */
  assert_color (&px, 300, 50, &colors->ready);
  {
    /* Blocked is translucent: over the lane's background. */
    const GdkRGBA *b = &colors->blocked, *bg = &colors->bg;
    GdkRGBA        blocked = { b->red * b->alpha + bg->red * (1 - b->alpha),
                               b->green * b->alpha + bg->green * (1 - b->alpha),
                               b->blue * b->alpha + bg->blue * (1 - b->alpha), 1 };

    assert_color (&px, 170, 77, &blocked);
  }
  g_free (px.pixels);

  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)),
                            "worker 0 is a loop with up to 2 tasks in flight"));
  {
    g_autofree char *top = il_timeline_chart_query (IL_TIMELINE_CHART (chart), 221, 37);
    g_autofree char *below = il_timeline_chart_query (IL_TIMELINE_CHART (chart), 221, 64);

    g_assert_nonnull (top);
    g_assert_nonnull (strstr (top, "task 0"));
    g_assert_nonnull (strstr (top, "row 1"));
    g_assert_nonnull (below);
    g_assert_nonnull (strstr (below, "task 1"));
    g_assert_nonnull (strstr (below, "row 2"));
  }

  /* Folded rows are said in the description. */
  for (guint i = 0; i < IL_TIMELINE_MAX_ROWS + 3; i++)
    {
      IlEvent e = ev (IL_EVENT_TASK_START);

      e.task = i;
      e.t_us = i * 1000;
      il_timeline_data_apply (many, &e);
    }
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), many);
  /* The description follows at most twice a second unless asked now. */
  il_chart_invalidate (IL_CHART (chart), TRUE);
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)),
                            "up to 35 tasks in flight"));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)),
                            "3 tasks are folded into the last"));
  g_clear_object (&texture);
  texture = render_widget (chart);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_time_range (void)
{
  g_autoptr(IlTimeRange) range = il_time_range_new ();
  double a, b;

  il_time_range_set_extent (range, 1000000);
  il_time_range_get_view (range, &a, &b);
  g_assert_cmpfloat (a, ==, 0);
  g_assert_cmpfloat (b, ==, 1000000);
  il_time_range_zoom (range, 2, 500000);
  il_time_range_get_view (range, &a, &b);
  g_assert_cmpfloat_with_epsilon (a, 250000, 1);
  g_assert_cmpfloat_with_epsilon (b, 750000, 1);
  il_time_range_pan (range, 1.0);
  il_time_range_get_view (range, &a, &b);
  g_assert_cmpfloat_with_epsilon (b, 1000000, 1); /* clamped at the end */
  g_assert_cmpfloat_with_epsilon (a, 500000, 1);
  il_time_range_reset (range);
  g_assert_false (il_time_range_get_zoomed (range));
}

static void
test_dark_mode (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autoptr(IlTimelineData) data = two_worker_timeline ();
  g_autoptr(GdkTexture) texture = NULL;
  const IlChartColors *colors;
  GtkWidget           *chart, *window;
  Pixels               px = { 0 };
  GdkRGBA              got;

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 200);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  colors = il_chart_get_colors (IL_CHART (chart));
  g_assert_true (colors->dark);
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  /* The background is dark and the CPU bar uses the dark palette. */
  pixel_at (&px, 590, 5, &got);
  g_assert_cmpfloat (got.red + got.green + got.blue, <, 0.9);
  assert_color (&px, 400, 35, &colors->block[IL_BLOCK_CPU]);
  g_free (px.pixels);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (il_chart_get_colors (IL_CHART (chart))->dark);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* mpi ranks' lanes know their hosts (labelled "host · rank N", a line
 * where the host changes); other runs' lanes know none. */
static void
test_timeline_mpi_hosts (void)
{
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  IlTimelineData *data = il_timeline_data_new ();
  const char     *hosts[] = { "a", "a", "b" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      IlTaskRecord rec = { 0 };

      rec.index = i;
      rec.worker = (gint) i;
      il_task_record_set_rank (&rec, (gint) i + 1);
      il_task_record_take_host (&rec, g_strdup (hosts[i]));
      rec.start_us = 1000 * i;
      rec.end_us = 1000 * i + 500;
      rec.cpu_start = rec.cpu_end = -1;
      g_array_append_val (rep->tasks, rec);
    }
  il_timeline_data_set_repetition (data, rep, NULL);
  g_assert_cmpuint (data->lane_hosts->len, ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    g_assert_cmpstr (g_ptr_array_index (data->lane_hosts, i), ==, hosts[i]);
  for (guint i = 0; i < rep->tasks->len; i++)
    il_task_record_take_host (&g_array_index (rep->tasks, IlTaskRecord, i), NULL);
  il_timeline_data_set_repetition (data, rep, NULL);
  g_assert_cmpuint (data->lane_hosts->len, ==, 0);
  il_timeline_data_unref (data);
}

/* A repetition cut off by Stop: its cut-off task reads "cancelled", not
 * "failed", in the data, the description and the tooltip; and the tooltip
 * is asked again when the data changes under a resting pointer. */
static void
test_timeline_cancelled (void)
{
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  g_autofree char *tip = NULL;
  GtkWidget       *chart, *window;
  guint            refreshes;

  for (guint i = 0; i < 2; i++)
    {
      IlTaskRecord rec = { 0 };

      rec.index = i;
      rec.worker = 0;
      rec.start_us = 500000 * i;
      rec.end_us = 500000 * (i + 1);
      rec.cpu_start = rec.cpu_end = -1;
      rec.failed = i == 1;
      il_task_record_take_error (&rec, i == 1 ? g_strdup ("cancelled") : NULL);
      g_array_append_val (rep->tasks, rec);
    }
  rep->cancelled = TRUE;
  il_timeline_data_set_repetition (data, rep, NULL);
  g_assert_cmpuint (data->n_failed, ==, 0);
  g_assert_cmpuint (data->n_cancelled, ==, 1);

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 120);
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)), "1 cancelled by Stop"));
  g_assert_null (strstr (il_chart_get_description (IL_CHART (chart)), "failed"));
  /* Three quarters along the plot (x 64 … 588): the second task. */
  tip = il_timeline_chart_query (IL_TIMELINE_CHART (chart), 64 + 0.75 * 524, 45);
  g_assert_nonnull (tip);
  g_test_message ("%s", tip);
  g_assert_nonnull (strstr (tip, "cancelled"));
  g_assert_null (strstr (tip, "— failed"));

  /* Not over the chart: nothing to refresh. */
  refreshes = il_timeline_chart_get_tooltip_refreshes (IL_TIMELINE_CHART (chart));
  il_timeline_chart_data_changed (IL_TIMELINE_CHART (chart));
  g_assert_cmpuint (il_timeline_chart_get_tooltip_refreshes (IL_TIMELINE_CHART (chart)), ==, refreshes);
  il_timeline_chart_set_pointer (IL_TIMELINE_CHART (chart), 300, 45);
  il_timeline_chart_data_changed (IL_TIMELINE_CHART (chart));
  g_assert_cmpuint (il_timeline_chart_get_tooltip_refreshes (IL_TIMELINE_CHART (chart)), >, refreshes);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The tooltip names a task's blocks as the legend does ("file write"),
 * not by the file format's names ("file-write"). */
static void
test_timeline_block_names (void)
{
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  g_autoptr(IlTimelineData) data = il_timeline_data_new ();
  g_autofree char *tip = NULL;
  IlTaskRecord     rec = { 0 };
  IlBlockType      types[] = { IL_BLOCK_SLEEP, IL_BLOCK_FILE_WRITE, IL_BLOCK_FILE_READ };
  GtkWidget       *chart, *window;

  rec.worker = 0;
  rec.start_us = 0;
  rec.end_us = 900000;
  rec.cpu_start = rec.cpu_end = -1;
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      IlBlockRecord block = { 0 };

      block.type = types[i];
      block.start_us = 300000 * i;
      block.end_us = 300000 * (i + 1);
      block.ttfb_us = -1;
      il_task_record_add_block (&rec, &block);
    }
  g_array_append_val (rep->tasks, rec);
  il_timeline_data_set_repetition (data, rep, NULL);

  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  window = window_with (chart, 600, 120);
  tip = il_timeline_chart_query (IL_TIMELINE_CHART (chart), 300, 45);
  g_assert_nonnull (tip);
  g_test_message ("%s", tip);
  g_assert_nonnull (strstr (tip, "3 blocks: sleep 300.00 ms, file write 300.00 ms, file read 300.00 ms"));
  g_assert_null (strstr (tip, "file-"));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  if (il_test_init_gtk (&argc, &argv))
    {
      /* Tests compare against the light palette unless they switch. */
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_FORCE_LIGHT);
    }

  g_test_add_func ("/il/charts/time-range", test_time_range);
  g_test_add_func ("/il/charts/timeline/pixels", test_timeline_pixels);
  g_test_add_func ("/il/charts/timeline/rows", test_timeline_rows);
  g_test_add_func ("/il/charts/timeline/lock-wait", test_timeline_lock_wait);
  g_test_add_func ("/il/charts/timeline/chronological-strip", test_timeline_chronological_strip);
  g_test_add_func ("/il/charts/timeline/loop-pixels", test_timeline_loop_pixels);
  g_test_add_func ("/il/charts/timeline/mpi-hosts", test_timeline_mpi_hosts);
  g_test_add_func ("/il/charts/timeline/cancelled", test_timeline_cancelled);
  g_test_add_func ("/il/charts/timeline/block-names", test_timeline_block_names);
  g_test_add_func ("/il/charts/dark-mode", test_dark_mode);

  return g_test_run ();
}
