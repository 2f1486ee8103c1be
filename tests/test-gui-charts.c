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

#include "il-chart-test-utils.h"
#include "il-test-utils.h"

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
  e.run_start.tasks_per_rep = 4;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_REP_START);
  g_array_append_val (events, e);
  for (guint i = 0; i < 3; i++)
    for (gint core = 0; core < 2; core++)
      {
        e = ev (IL_EVENT_CORE_SAMPLE);
        e.core_sample.core = core;
        e.t_us = i * 50000;
        e.core_sample.busy_pct = 90 + core;
        g_array_append_val (events, e);
      }
  e = ev (IL_EVENT_OVERHEAD);
  e.overhead.cpu_pct = 3;
  g_array_append_val (events, e);
  for (guint t = 0; t < 4; t++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = t;
      e.worker = t % 2;
      e.t_us = t * 1000;
      g_array_append_val (events, e);
      e = ev (IL_EVENT_BLOCK_START);
      e.task = t;
      e.worker = t % 2;
      e.t_us = t * 1000;
      e.block_start.type = IL_BLOCK_CPU;
      g_array_append_val (events, e);
    }
  for (guint t = 0; t < 3; t++)
    {
      e = ev (IL_EVENT_BLOCK_END);
      e.task = t;
      e.t_us = 10000 + t;
      g_array_append_val (events, e);
      e = ev (IL_EVENT_TASK_END);
      e.task = t;
      e.t_us = 10000 + t;
      e.worker = t % 2;
      g_array_append_val (events, e);
    }
  e = ev (IL_EVENT_GIL_HOLD);
  e.worker = 2;
  e.t_us = 0;
  e.gil.end_us = 5000;
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
  e.core_sample.core = 0;
  e.t_us = 100;
  e.core_sample.busy_pct = 50;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_TASK_START);
  e.task = 0;
  g_array_append_val (events, e);
  e = ev (IL_EVENT_TASK_END);
  e.task = 0;
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
  e.run_start.tasks_per_rep = 100;
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
      e = ev (IL_EVENT_TASK_END);
      e.task = t;
      e.worker = t % 4;
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

  /* After the run: "finished" (it was not stopped). */
  g_assert_nonnull (strstr (il_live_view_get_status (IL_LIVE_VIEW (view)), "finished"));
  g_assert_null (strstr (il_live_view_get_status (IL_LIVE_VIEW (view)), "stopped"));

  /* The export says what it is and where it was measured. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("il-live-XXXXXX", &error);
    g_autofree char *path = g_build_filename (dir, "live.svg", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *svg = NULL;

    g_assert_true (il_live_view_export (IL_LIVE_VIEW (view), file, "svg", &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &svg, NULL, NULL));
    g_assert_nonnull (strstr (svg, "<title>Interleave live run</title>"));
    g_assert_nonnull (strstr (svg, "<desc>Measured on "));
    g_unlink (path);
    g_rmdir (dir);
  }

  il_live_model_stop (model);
  gtk_window_destroy (GTK_WINDOW (window));
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

/* Near (300, @y) the line has @colour. */
static gboolean
line_near (Pixels        *px,
           int            y,
           const GdkRGBA *colour,
           const GdkRGBA *bg)
{
  for (int dy = -2; dy <= 2; dy++)
    {
      GdkRGBA got;

      pixel_at (px, 300, y + dy, &got);
      if (distance (&got, colour) < distance (&got, bg) && distance (&got, colour) < 0.5)
        return TRUE;
    }
  return FALSE;
}

/* An mpi repetition's host_load: each host's cores, grouped (one colour
 * per host), described host by host. */
static void
test_load_hosts (void)
{
  g_autoptr(IlLoadData) data = il_load_data_new ();
  g_autoptr(GPtrArray) host_load = g_ptr_array_new_with_free_func ((GDestroyNotify) il_host_load_free);
  g_autoptr(GdkTexture) texture = NULL;
  const IlChartColors *colors;
  GtkWidget           *chart, *window;
  Pixels               px = { 0 };
  const struct
  {
    const char *host;
    float       busy[2];
    guint       n_cores;
  } hosts[] = { { "node-a", { 30, 90 }, 2 }, { "node-b", { 60, 0 }, 1 } };

  for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
    {
      IlHostLoad *load = il_host_load_new (hosts[h].host, 20);

      for (guint c = 0; c < hosts[h].n_cores; c++)
        {
          GArray *samples = g_array_new (FALSE, FALSE, sizeof (float));

          for (guint i = 0; i <= 40; i++)
            g_array_append_val (samples, hosts[h].busy[c]);
          g_ptr_array_add (load->cores, samples);
        }
      g_ptr_array_add (host_load, load);
    }
  il_load_data_set_host_load (data, host_load);
  g_assert_cmpuint (il_load_data_get_n_cores (data), ==, 3);
  g_assert_cmpuint (data->hosts->len, ==, 2);
  g_assert_cmpuint (((IlLoadHost *) g_ptr_array_index (data->hosts, 1))->first_core, ==, 2);
  /* 40 samples at 20 Hz: two seconds on each host. */
  g_assert_cmpint (data->last_t_us, ==, 2 * G_USEC_PER_SEC);

  chart = il_load_chart_new ();
  il_load_chart_set_data (IL_LOAD_CHART (chart), data);
  window = window_with (chart, 600, 200);
  colors = il_chart_get_colors (IL_CHART (chart));
  g_assert_cmpstr (il_chart_get_description (IL_CHART (chart)), ==,
                   "Per-core load by host: node-a: core 0 30 %, core 1 90 %; node-b: core 0 60 %");

  /* Plot: y from 26 to 178 (152 px). node-a's second core (90 %, y = 41)
   * has node-a's colour, node-b's only core (60 %, y = 87) node-b's. */
  texture = render_widget (chart);
  pixels_from_texture (&px, texture);
  g_assert_true (line_near (&px, 41, &colors->series[0], &colors->bg));
  g_assert_false (line_near (&px, 41, &colors->series[1], &colors->bg));
  g_assert_true (line_near (&px, 87, &colors->series[1], &colors->bg));
  g_assert_false (line_near (&px, 87, &colors->series[2], &colors->bg));
  g_free (px.pixels);

  /* Back to one machine: no hosts left. */
  il_load_data_reset (data);
  g_assert_cmpuint (data->hosts->len, ==, 0);
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
test_palette (void)
{
  /* The charts read the palette from the stylesheets (tests/check-palette.py
   * checks the values): every name resolves, in light and dark, and dark
   * mode gives other colours, not the light ones on a dark background. */
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget       *chart = g_object_ref_sink (il_timeline_chart_new ());
  IlChartColors    light, dark;

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_null (il_chart_colors_missing (chart));
  il_chart_colors_fill (&light, chart);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_null (il_chart_colors_missing (chart));
  il_chart_colors_fill (&dark, chart);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);

  g_assert_false (light.dark);
  g_assert_true (dark.dark);
  for (guint i = 0; i < IL_N_BLOCK_TYPES; i++)
    {
      g_assert_false (gdk_rgba_equal (&light.block[i], &dark.block[i]));
      g_assert_cmpfloat (distance (&light.block[i], &light.bg), >, 0.3);
      g_assert_cmpfloat (distance (&dark.block[i], &dark.bg), >, 0.3);
      for (guint j = i + 1; j < IL_N_BLOCK_TYPES; j++)
        g_assert_cmpfloat (distance (&light.block[i], &light.block[j]), >, 0.1);
      g_assert_false (gdk_rgba_equal (&light.block[i], &light.ready));
      g_assert_false (gdk_rgba_equal (&light.block[i], &light.gil_wait));
      g_assert_false (gdk_rgba_equal (&light.block[i], &light.lock_wait));
      g_assert_false (gdk_rgba_equal (&light.block[i], &light.recorded));
      for (guint k = 0; k < IL_CHART_N_SERIES; k++)
        g_assert_false (gdk_rgba_equal (&light.block[i], &light.series[k]));
    }
  g_assert_finalize_object (chart);
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
  g_test_add_func ("/il/charts/load/pixels", test_load_pixels);
  g_test_add_func ("/il/charts/load/hosts", test_load_hosts);
  g_test_add_func ("/il/charts/completion", test_completion);
  g_test_add_func ("/il/charts/palette", test_palette);

  return g_test_run ();
}
