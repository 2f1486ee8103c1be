/* test-gui-charts.c — the live model and the chart widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Synthetic events and results with known shapes, rendered both through
 * GTK (snapshot → GSK cairo renderer) and through the export path, then
 * checked pixel by pixel where the picture must have something.
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>

#include "il-amdahl.h"
#include "il-chart.h"
#include "il-comparison-chart.h"
#include "il-completion-chart.h"
#include "il-live-model.h"
#include "il-live-view.h"
#include "il-lag-chart.h"
#include "il-load-chart.h"
#include "il-results-view.h"
#include "il-scaling-chart.h"
#include "il-timeline-chart.h"

#include "il-test-utils.h"

/* ---- helpers ---- */

static IlEvent
ev (IlEventKind kind)
{
  IlEvent e = { 0 };

  e.kind = kind;
  e.cpu = -1;
  return e;
}

static void
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
widget_ready (gpointer data)
{
  GtkWidget *w = data;

  return gtk_widget_get_mapped (w) && gtk_widget_get_width (w) > 0;
}

static GtkWidget *
window_with (GtkWidget *child,
             int        width,
             int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  iterate_until (widget_ready, child);
  return window;
}

/* Renders @widget as GTK does (snapshot, the window's GSK renderer). */
static GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GskRenderNode *node = NULL;
  GskRenderer   *renderer;
  GdkTexture    *texture;
  int            w, h;

  /* A style change leaves the widget unallocated until the next frame. */
  for (int i = 0; i < 200 && node == NULL; i++)
    {
      GtkSnapshot *snapshot;

      g_main_context_iteration (NULL, FALSE);
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        g_usleep (5000);
    }
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  return texture;
}

typedef struct
{
  int     width, height;
  guchar *pixels; /* BGRA premultiplied, as gdk_texture_download gives */
} Pixels;

static void
pixels_from_texture (Pixels     *px,
                     GdkTexture *texture)
{
  px->width = gdk_texture_get_width (texture);
  px->height = gdk_texture_get_height (texture);
  px->pixels = g_malloc (px->width * px->height * 4);
  gdk_texture_download (texture, px->pixels, px->width * 4);
}

static void
pixel_at (const Pixels *px,
          int           x,
          int           y,
          GdkRGBA      *out)
{
  const guchar *p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (x, <, px->width);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (y, <, px->height);
  p = px->pixels + (y * px->width + x) * 4;
  out->blue = p[0] / 255.0f;
  out->green = p[1] / 255.0f;
  out->red = p[2] / 255.0f;
  out->alpha = p[3] / 255.0f;
}

static double
distance (const GdkRGBA *a,
          const GdkRGBA *b)
{
  return fabs (a->red - b->red) + fabs (a->green - b->green) + fabs (a->blue - b->blue);
}

static void
assert_color (const Pixels  *px,
              int            x,
              int            y,
              const GdkRGBA *expected)
{
  GdkRGBA got;

  pixel_at (px, x, y, &got);
  if (distance (&got, expected) > 0.06)
    g_error ("pixel (%d, %d) is %.2f %.2f %.2f, expected %.2f %.2f %.2f", x, y,
             got.red, got.green, got.blue, expected->red, expected->green, expected->blue);
}

static IlTimelineData *
two_worker_timeline (void)
{
  IlTimelineData *data = il_timeline_data_new ();
  IlEvent         e;

  /* worker 0: task 0, one CPU block 0 … 1 s; worker 1: task 1, sleep 0 … 0.5 s */
  for (guint t = 0; t < 2; t++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = t;
      e.worker = t;
      e.cpu = t;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_BLOCK_START);
      e.task = t;
      e.block_type = t == 0 ? IL_BLOCK_CPU : IL_BLOCK_SLEEP;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_BLOCK_END);
      e.task = t;
      e.t_us = t == 0 ? 1000000 : 500000;
      e.a = t == 0 ? 900000 : 0;
      e.b = t == 0 ? 100000 : 0;
      e.c = t == 0 ? 0 : 500000;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_TASK_END);
      e.task = t;
      e.worker = t;
      e.t_us = t == 0 ? 1000000 : 500000;
      il_timeline_data_apply (data, &e);
    }
  return data;
}

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
      IlEvent e = ev (order[i].kind);
      gint64  length = loop_tasks[order[i].task].end_us - loop_tasks[order[i].task].start_us;

      e.t_us = order[i].t_us;
      e.task = order[i].task;
      e.worker = 0;
      e.block_type = loop_tasks[order[i].task].type;
      if (order[i].kind == IL_EVENT_BLOCK_END || order[i].kind == IL_EVENT_TASK_END)
        {
          /* The CPU block was ready (waiting for the loop) a fifth of the
           * time; the others blocked. */
          e.a = e.block_type == IL_BLOCK_CPU ? length * 4 / 5 : 0;
          e.b = e.block_type == IL_BLOCK_CPU ? length / 5 : 0;
          e.c = e.block_type == IL_BLOCK_CPU ? 0 : length;
        }
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
      rec.spawn_us = -1;
      rec.blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
      block.type = loop_tasks[k].type;
      block.start_us = rec.start_us;
      block.end_us = rec.end_us;
      block.ttfb_us = -1;
      g_array_append_val (rec.blocks, block);
      g_array_append_val (rep->tasks, rec);
    }
  return rep;
}

/* ---- tests ---- */

static void
test_new_destroy (void)
{
  GtkWidget *(*ctors[]) (void) = {
    il_live_view_new,
    il_results_view_new,
    il_load_chart_new,
    il_timeline_chart_new,
    il_completion_chart_new,
    il_comparison_chart_new,
    il_scaling_chart_new,
    il_lag_chart_new,
  };
  IlLiveModel *model;

  for (guint i = 0; i < G_N_ELEMENTS (ctors); i++)
    {
      GtkWidget *widget = ctors[i]();

      g_object_ref_sink (widget);
      g_assert_true (GTK_IS_WIDGET (widget));
      g_assert_finalize_object (widget);
    }

  model = il_live_model_new ();
  {
    GtkWidget *view = g_object_ref_sink (il_live_view_new ());

    il_live_view_set_model (IL_LIVE_VIEW (view), model);
    g_assert_true (il_live_view_get_model (IL_LIVE_VIEW (view)) == model);
    g_assert_finalize_object (view);
  }
  g_assert_finalize_object (model);
}

static void
test_live_model_events (void)
{
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  GArray         *events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  IlTimelineData *tl;
  IlLoadData     *load;
  IlEvent         e;
  guint           changed = 0;

  g_signal_connect_swapped (model, "changed", G_CALLBACK (g_atomic_int_inc), &changed);

  e = ev (IL_EVENT_RUN_START);
  e.value = 4;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_REP_START);
  g_array_append_val (events, e);
  for (guint i = 0; i < 3; i++)
    for (gint core = 0; core < 2; core++)
      {
        e = ev (IL_EVENT_CORE_SAMPLE);
        e.cpu = core;
        e.t_us = i * 50000;
        e.value = 90 + core;
        g_array_append_val (events, e);
      }
  e = ev (IL_EVENT_OVERHEAD);
  e.value = 3;
  g_array_append_val (events, e);
  for (guint t = 0; t < 4; t++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = t;
      e.worker = t % 2;
      e.t_us = t * 1000;
      g_array_append_val (events, e);
      e.kind = IL_EVENT_BLOCK_START;
      e.block_type = IL_BLOCK_CPU;
      g_array_append_val (events, e);
    }
  for (guint t = 0; t < 3; t++)
    {
      e = ev (IL_EVENT_BLOCK_END);
      e.task = t;
      e.t_us = 10000 + t;
      g_array_append_val (events, e);
      e.kind = IL_EVENT_TASK_END;
      e.worker = t % 2;
      g_array_append_val (events, e);
    }
  e = ev (IL_EVENT_GIL_HOLD);
  e.worker = 2;
  e.t_us = 0;
  e.t2_us = 5000;
  g_array_append_val (events, e);

  il_live_model_apply (model, (IlEvent *) (gpointer) events->data, events->len);
  g_assert_cmpuint (changed, ==, 1);

  g_assert_cmpuint (il_live_model_get_tasks_done (model), ==, 3);
  g_assert_cmpuint (il_live_model_get_tasks_total (model), ==, 4);
  tl = il_live_model_get_timeline (model);
  g_assert_cmpuint (tl->tasks->len, ==, 4);
  g_assert_cmpuint (tl->blocks->len, ==, 4);
  g_assert_cmpuint (tl->n_finished, ==, 3);
  g_assert_cmpuint (tl->n_workers, ==, 3); /* the GIL span names worker 2 */
  g_assert_true (tl->has_gil);
  g_assert_cmpint (g_array_index (tl->blocks, IlTimelineBlock, 2).end_us, ==, 10002);
  g_assert_cmpint (g_array_index (tl->blocks, IlTimelineBlock, 3).end_us, ==, -1);
  load = il_live_model_get_load (model);
  g_assert_cmpuint (il_load_data_get_n_cores (load), ==, 2);
  g_assert_cmpuint (((IlLoadRing *) g_ptr_array_index (load->cores, 1))->len, ==, 3);
  g_assert_cmpfloat (il_load_ring_last (g_ptr_array_index (load->cores, 1)), ==, 91);
  g_assert_cmpuint (load->overhead.len, ==, 1);
  g_assert_cmpuint (il_live_model_get_completion (model)->end_us->len, ==, 3);

  /* A new repetition: the timeline starts over, progress and load go on. */
  g_array_set_size (events, 0);
  e = ev (IL_EVENT_REP_END);
  e.t_us = 20000;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_REP_START);
  e.rep = 1;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_CORE_SAMPLE);
  e.cpu = 0;
  e.t_us = 100;
  e.value = 50;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_TASK_START);
  e.task = 0;
  g_array_append_val (events, e);
  e.kind = IL_EVENT_TASK_END;
  e.t_us = 7;
  g_array_append_val (events, e);
  il_live_model_apply (model, (IlEvent *) (gpointer) events->data, events->len);

  g_assert_cmpuint (il_live_model_get_current_rep (model), ==, 1);
  g_assert_cmpuint (il_live_model_get_tasks_done (model), ==, 4);
  g_assert_cmpuint (tl->tasks->len, ==, 1);
  g_assert_cmpuint (il_live_model_get_completion (model)->end_us->len, ==, 1);
  /* Continuous load time: the second repetition starts after the first
   * one's latest event (its last core sample, at 100 ms). */
  g_assert_cmpint (load->last_t_us, ==, 100000 + 100);

  g_array_unref (events);
}

static gboolean
model_stopped (gpointer data)
{
  return !il_live_model_get_running (data);
}

static void
test_live_model_tick (void)
{
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  g_autoptr(IlEventQueue) queue = il_event_queue_new (1024);
  GtkWidget *view, *window;
  guint64    done_notifies = 0;
  IlEvent    e;

  view = il_live_view_new ();
  il_live_view_set_model (IL_LIVE_VIEW (view), model);
  window = window_with (view, 900, 600);
  g_signal_connect_swapped (model, "notify::tasks-done", G_CALLBACK (g_atomic_int_inc), &done_notifies);

  il_live_model_start (model, NULL, queue, view);
  g_assert_true (il_live_model_get_running (model));

  e = ev (IL_EVENT_RUN_START);
  e.value = 100;
  il_event_queue_push (queue, &e);
  e = ev (IL_EVENT_REP_START);
  il_event_queue_push (queue, &e);
  for (guint t = 0; t < 100; t++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = t;
      e.worker = t % 4;
      e.t_us = t * 100;
      il_event_queue_push (queue, &e);
      e.kind = IL_EVENT_TASK_END;
      e.t_us = t * 100 + 90;
      il_event_queue_push (queue, &e);
    }
  e = ev (IL_EVENT_FINISHED);
  il_event_queue_push (queue, &e);

  iterate_until (model_stopped, model);
  g_assert_cmpuint (il_live_model_get_tasks_done (model), ==, 100);
  g_assert_cmpuint (il_live_model_get_timeline (model)->n_workers, ==, 4);
  /* Batched: far fewer notifications than events. */
  g_assert_cmpuint (done_notifies, >=, 1);
  g_assert_cmpuint (done_notifies, <, 10);

  il_live_model_stop (model);
  gtk_window_destroy (GTK_WINDOW (window));
}

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
    g_assert_nonnull (strstr (tip, "cpu"));
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
  for (guint i = 0; i < recorded->tasks->len; i++)
    {
      const IlTimelineTask *t = &g_array_index (recorded->tasks, IlTimelineTask, i);

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
test_load_pixels (void)
{
  g_autoptr(IlLoadData) data = il_load_data_new ();
  g_autoptr(GdkTexture) texture = NULL;
  const IlChartColors *colors;
  GtkWidget           *chart, *window;
  Pixels               px = { 0 };
  gboolean             found = FALSE;

  for (gint64 t = 0; t <= 2000000; t += 50000)
    {
      il_load_data_add (data, 0, t, 50);
      il_load_data_add (data, 1, t, 100);
      il_load_data_add (data, -1, t, 4);
    }
  chart = il_load_chart_new ();
  il_load_chart_set_data (IL_LOAD_CHART (chart), data);
  window = window_with (chart, 600, 200);
  colors = il_chart_get_colors (IL_CHART (chart));

  /* Plot: y from 26 to 178 (152 px); 50 % is y = 102. */
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  for (int y = 100; y <= 104; y++)
    {
      GdkRGBA got, bg = colors->bg;

      pixel_at (&px, 300, y, &got);
      if (distance (&got, &colors->series[0]) < distance (&got, &bg) &&
          distance (&got, &colors->series[0]) < 0.5)
        found = TRUE;
    }
  g_assert_true (found);
  g_free (px.pixels);

  g_assert_cmpstr (il_chart_get_description (IL_CHART (chart)), ==,
                   "Per-core load: core 0 50 %, core 1 100 %; Interleave itself 4 % of one core");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_completion (void)
{
  g_autoptr(IlCompletionData) data = il_completion_data_new ();
  GtkWidget *chart, *window;
  g_autoptr(GdkTexture) texture = NULL;

  data->total = 10;
  il_completion_data_add (data, 3000, FALSE);
  il_completion_data_add (data, 1000, FALSE);
  il_completion_data_add (data, 2000, TRUE);
  il_completion_data_sort (data);
  g_assert_cmpint (g_array_index (data->end_us, gint64, 0), ==, 1000);
  g_assert_cmpint (g_array_index (data->end_us, gint64, 2), ==, 3000);

  chart = il_completion_chart_new ();
  il_completion_chart_set_data (IL_COMPLETION_CHART (chart), data);
  window = window_with (chart, 500, 200);
  texture = render_widget (chart);
  g_assert_nonnull (texture);
  g_assert_cmpstr (il_chart_get_description (IL_CHART (chart)), ==,
                   "Completion times: 3 of 10 tasks finished; first at 1.0 ms, median 2.0 ms, last 3.0 ms");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_amdahl (void)
{
  const double ns[] = { 1, 2, 4, 8, 16 };
  const double noise[] = { 1.01, 0.98, 1.02, 0.99, 1.01 };
  double       S[5];
  double       s_true[] = { 0.0, 0.05, 0.1, 0.3, 0.7 };

  for (guint k = 0; k < G_N_ELEMENTS (s_true); k++)
    {
      double fit, rms;

      for (guint i = 0; i < 5; i++)
        S[i] = il_amdahl_speedup (s_true[k], ns[i]) * noise[i];
      fit = il_amdahl_fit (ns, S, 5, &rms);
      g_assert_cmpfloat_with_epsilon (fit, s_true[k], 0.02);
      g_assert_cmpfloat (rms, <, 0.5);
    }
  g_assert_true (isnan (il_amdahl_fit (ns, S, 1, NULL)));
  g_assert_cmpfloat_with_epsilon (il_amdahl_speedup (0.5, 2), 4.0 / 3.0, 1e-9);
}

static IlRunResult *
synthetic_run (const char    *label,
               IlExecutorKind executor,
               guint          workers,
               double         ms)
{
  IlRunResult  *run = il_run_result_new ();
  IlRepetition *rep = il_repetition_new ();
  guint         n_tasks = 8;

  run->label = g_strdup (label);
  run->executor = executor;
  run->workers = workers;
  run->summary.makespan_ms.median = ms;
  run->summary.makespan_ms.min = ms * 0.95;
  run->summary.makespan_ms.max = ms * 1.1;
  run->summary.speedup = NAN;

  rep->makespan_ms = ms;
  for (guint i = 0; i < n_tasks; i++)
    {
      IlTaskRecord  rec = { 0 };
      IlBlockRecord block = { 0 };
      gint64        span = (gint64) (ms * 1000 * workers / n_tasks);

      rec.group = 0;
      rec.index = i;
      rec.worker = i % workers;
      rec.pid = 100;
      rec.tid = 200 + rec.worker;
      rec.cpu_start = rec.cpu_end = rec.worker;
      rec.start_us = (i / workers) * span;
      rec.end_us = rec.start_us + span;
      rec.spawn_us = -1;
      rec.blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
      block.type = IL_BLOCK_CPU;
      block.start_us = rec.start_us;
      block.end_us = rec.end_us;
      block.ttfb_us = -1;
      g_array_append_val (rec.blocks, block);
      g_array_append_val (rep->tasks, rec);
    }
  g_ptr_array_add (run->repetitions, rep);
  return run;
}

static IlResults *
synthetic_results (double serial, const char *cpu)
{
  IlResults *results = il_results_new ();

  results->machine.cpu_model = g_strdup (cpu);
  results->machine.cores = 4;
  g_ptr_array_add (results->runs, synthetic_run ("sequential", IL_EXECUTOR_SEQUENTIAL, 1, 1000));
  for (guint n = 1; n <= 4; n *= 2)
    {
      g_autofree char *label = g_strdup_printf ("threads ×%u", n);

      g_ptr_array_add (results->runs,
                       synthetic_run (label, IL_EXECUTOR_THREADS, n,
                                      1000 / il_amdahl_speedup (serial, n)));
    }
  return results;
}

static gboolean
parse_svg (const char *path)
{
  static const GMarkupParser parser = { 0 };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autofree char *contents = NULL;
  gsize            length;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  if (strstr (contents, "<svg") == NULL)
    return FALSE;
  context = g_markup_parse_context_new (&parser, 0, NULL, NULL);
  return g_markup_parse_context_parse (context, contents, length, NULL) &&
         g_markup_parse_context_end_parse (context, NULL);
}

static void
test_results_view (void)
{
  g_autoptr(IlResults) mine = synthetic_results (0.1, "Test CPU");
  g_autoptr(IlResults) recorded = synthetic_results (0.3, "Author CPU");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *png = NULL;
  g_autofree char *svg = NULL;
  g_autoptr(GFile) png_file = NULL;
  g_autoptr(GFile) svg_file = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget         *view, *scroller, *window, *child;
  IlScalingChart    *scaling = NULL;
  IlComparisonChart *comparison = NULL;
  guint              n_timelines = 0;

  view = il_results_view_new ();
  il_results_view_set_results (IL_RESULTS_VIEW (view), mine, recorded, NULL);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  window = window_with (scroller, 900, 700);

  /* Find the charts: the timelines box, the comparison, the scaling chart. */
  for (child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (IL_IS_SCALING_CHART (child))
        scaling = IL_SCALING_CHART (child);
      else if (IL_IS_COMPARISON_CHART (child))
        comparison = IL_COMPARISON_CHART (child);
      else if (GTK_IS_BOX (child))
        for (GtkWidget *t = gtk_widget_get_first_child (child); t != NULL; t = gtk_widget_get_next_sibling (t))
          if (IL_IS_TIMELINE_CHART (t))
            {
              n_timelines++;
              g_test_message ("timeline: %s", il_chart_get_title (IL_CHART (t)));
            }
    }
  g_assert_cmpuint (n_timelines, ==, 8); /* 4 runs, mine and recorded */
  g_assert_nonnull (comparison);
  g_assert_cmpuint (il_comparison_chart_get_n_rows (comparison), ==, 4);
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (comparison)), "threads ×4"));
  g_assert_nonnull (scaling);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (scaling)));
  g_assert_cmpuint (il_scaling_chart_get_n_series (scaling), ==, 2);
  g_assert_cmpfloat_with_epsilon (il_scaling_chart_get_serial_fraction (scaling, 0), 0.1, 0.02);
  g_assert_cmpfloat_with_epsilon (il_scaling_chart_get_serial_fraction (scaling, 1), 0.3, 0.02);
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (scaling)), "Amdahl serial fraction 0.10"));

  dir = g_dir_make_tmp ("il-results-XXXXXX", &error);
  g_assert_no_error (error);
  png = g_build_filename (dir, "results.png", NULL);
  svg = g_build_filename (dir, "results.svg", NULL);
  png_file = g_file_new_for_path (png);
  svg_file = g_file_new_for_path (svg);
  g_assert_true (il_results_view_export (IL_RESULTS_VIEW (view), png_file, "png", &error));
  g_assert_no_error (error);
  g_assert_true (il_results_view_export (IL_RESULTS_VIEW (view), svg_file, "svg", &error));
  g_assert_no_error (error);
  g_assert_false (il_results_view_export (IL_RESULTS_VIEW (view), svg_file, "bmp", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);

  texture = gdk_texture_new_from_file (png_file, NULL);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gtk_widget_get_width (view));
  g_assert_cmpint (gdk_texture_get_height (texture), >, 600);
  g_assert_true (parse_svg (svg));

  if (g_getenv ("IL_KEEP_EXPORTS") == NULL)
    {
      g_unlink (png);
      g_unlink (svg);
      g_rmdir (dir);
    }
  else
    g_printerr ("exports kept in %s\n", dir);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Loop latency: the live model follows LOOP_LAG events, the chart describes
 * max and p95, the results view adds one chart per async run. */
static void
test_loop_lag (void)
{
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  g_autoptr(IlLagData) data = il_lag_data_new ();
  g_autoptr(IlResults) results = NULL;
  GtkWidget   *chart, *view, *scroller, *window;
  IlRunResult *async_whole, *async_sliced;
  guint        n_lag_charts = 0;
  IlEvent      e[22];
  guint        n = 0;

  /* 20 heartbeats: 1 … 19 ms late, and one 52 ms spike; p95 = 19 ms. */
  e[n++] = ev (IL_EVENT_REP_START);
  for (guint i = 0; i < 20; i++)
    {
      e[n] = ev (IL_EVENT_LOOP_LAG);
      e[n].t_us = (i + 1) * 10000;
      e[n].a = i == 10 ? 52000 : (i < 10 ? i + 1 : i) * 1000;
      n++;
    }
  g_assert_false (il_live_model_get_current_async (model));
  il_live_model_apply (model, e, n);
  g_assert_true (il_live_model_get_current_async (model));
  g_assert_cmpuint (il_live_model_get_lag (model)->samples->len, ==, 20);
  g_assert_cmpint (il_live_model_get_lag (model)->max_lag_us, ==, 52000);
  g_assert_cmpint (il_lag_data_percentile (il_live_model_get_lag (model), 95), ==, 19000);
  /* A new repetition of a run without a loop hides it again. */
  e[0] = ev (IL_EVENT_REP_START);
  il_live_model_apply (model, e, 1);
  g_assert_false (il_live_model_get_current_async (model));
  g_assert_cmpuint (il_live_model_get_lag (model)->samples->len, ==, 0);

  for (guint i = 0; i < 20; i++)
    il_lag_data_add (data, (i + 1) * 10000, i == 19 ? 52000 : 48000 - (18 - i) * 1000);
  chart = g_object_ref_sink (il_lag_chart_new ());
  il_lag_chart_set_data (IL_LAG_CHART (chart), data);
  il_chart_invalidate (IL_CHART (chart), TRUE);
  g_test_message ("%s", il_chart_get_description (IL_CHART (chart)));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)), "Loop latency"));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)), "max 52 ms, p95 48 ms"));
  g_assert_finalize_object (chart);

  results = synthetic_results (0.1, "Test CPU");
  async_whole = synthetic_run ("async, whole", IL_EXECUTOR_ASYNC, 1, 300);
  async_sliced = synthetic_run ("async, sliced", IL_EXECUTOR_ASYNC, 1, 320);
  for (guint i = 0; i < 30; i++)
    {
      IlLagSample   whole = { i * 10000, i % 3 == 0 ? 30000 : 500 };
      IlLagSample   sliced = { i * 10000, 1200 };
      IlRepetition *rw = g_ptr_array_index (async_whole->repetitions, 0);
      IlRepetition *rs = g_ptr_array_index (async_sliced->repetitions, 0);

      g_array_append_val (rw->loop_lag, whole);
      g_array_append_val (rs->loop_lag, sliced);
    }
  g_ptr_array_add (results->runs, async_whole);
  g_ptr_array_add (results->runs, async_sliced);

  view = il_results_view_new ();
  il_results_view_set_results (IL_RESULTS_VIEW (view), results, NULL, NULL);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  window = window_with (scroller, 900, 700);
  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    for (GtkWidget *c = gtk_widget_get_first_child (child); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (IL_IS_LAG_CHART (c))
        {
          const char *description = il_chart_get_description (IL_CHART (c));

          g_test_message ("%s", description);
          n_lag_charts++;
          g_assert_nonnull (strstr (description, n_lag_charts == 1 ? "max 30 ms" : "max 1.2 ms"));
          g_assert_true (gtk_widget_get_visible (c));
        }
  g_assert_cmpuint (n_lag_charts, ==, 2);
  gtk_window_destroy (GTK_WINDOW (window));
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

static void
test_palette (void)
{
  /* Block types must stay apart from each other and from the background
   * in all four styles. */
  for (guint style = 0; style < 4; style++)
    {
      IlChartColors colors;

      il_chart_colors_init (&colors, style & 1, style & 2);
      for (guint i = 0; i < IL_N_BLOCK_TYPES; i++)
        {
          g_assert_cmpfloat (distance (&colors.block[i], &colors.bg), >, 0.5);
          for (guint j = i + 1; j < IL_N_BLOCK_TYPES; j++)
            g_assert_cmpfloat (distance (&colors.block[i], &colors.block[j]), >, 0.3);
        }
      g_assert_cmpfloat (distance (&colors.ready, &colors.bg), >, 0.5);
      g_assert_cmpfloat (distance (&colors.gil_wait, &colors.bg), >, 0.5);
    }
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

  g_test_add_func ("/il/charts/new-destroy", test_new_destroy);
  g_test_add_func ("/il/charts/live-model/events", test_live_model_events);
  g_test_add_func ("/il/charts/live-model/tick", test_live_model_tick);
  g_test_add_func ("/il/charts/time-range", test_time_range);
  g_test_add_func ("/il/charts/timeline/pixels", test_timeline_pixels);
  g_test_add_func ("/il/charts/timeline/rows", test_timeline_rows);
  g_test_add_func ("/il/charts/timeline/loop-pixels", test_timeline_loop_pixels);
  g_test_add_func ("/il/charts/load/pixels", test_load_pixels);
  g_test_add_func ("/il/charts/completion", test_completion);
  g_test_add_func ("/il/charts/amdahl", test_amdahl);
  g_test_add_func ("/il/charts/palette", test_palette);
  g_test_add_func ("/il/charts/results-view", test_results_view);
  g_test_add_func ("/il/charts/dark-mode", test_dark_mode);
  g_test_add_func ("/il/charts/loop-lag", test_loop_lag);

  return g_test_run ();
}
