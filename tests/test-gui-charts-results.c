/* test-gui-charts-results.c — the results view: its charts, Amdahl fits, exports, loop latency
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Synthetic results with known shapes (a serial fraction, async runs with
 * late heartbeats): the results view must show the right charts, describe
 * them, and export them as PNG and SVG.
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>

#include "il-amdahl.h"
#include "il-chart.h"
#include "il-comparison-chart.h"
#include "il-format.h"
#include "il-lag-chart.h"
#include "il-load-chart.h"
#include "il-live-model.h"
#include "il-results-view.h"
#include "il-scaling-chart.h"
#include "il-timeline-chart.h"

#include "il-chart-test-utils.h"
#include "il-test-utils.h"

/* ---- helpers ---- */

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
      il_task_record_set_spawn_us (&rec, -1);
      block.type = IL_BLOCK_CPU;
      block.start_us = rec.start_us;
      block.end_us = rec.end_us;
      block.ttfb_us = -1;
      il_task_record_add_block (&rec, &block);
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

/* ---- tests ---- */

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
  /* Their metrics explained where the pointer rests, in the table's words. */
  {
    g_autofree char *tip_c = g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (comparison)));
    g_autofree char *tip_s = g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (scaling)));

    /* Wrapped into short lines (GTK 4.8 does not wrap tooltips). */
    g_auto (GStrv) lines = g_strsplit (tip_c, "\n", -1);

    for (guint l = 0; lines[l] != NULL; l++)
      g_assert_cmpint (g_utf8_strlen (lines[l], -1), <=, 70);
    g_strdelimit (tip_c, "\n", ' ');
    g_strdelimit (tip_s, "\n", ' ');
    g_assert_nonnull (strstr (tip_c, il_results_column_description (IL_RESULTS_COLUMN_MAKESPAN)));
    g_assert_nonnull (strstr (tip_s, il_results_column_description (IL_RESULTS_COLUMN_SPEEDUP)));
  }
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

  /* The exports carry a title and the machines: drawn in a band above the
   * charts, and as text (SVG <title>/<desc>, PNG iTXt). */
  {
    g_autofree char *title = il_format_export_title (mine);
    g_autofree char *caption = il_format_export_caption (mine, recorded);
    g_autofree char *machine = il_format_machine (&mine->machine);
    g_autofree char *svg_text = NULL;
    g_autofree char *png_bytes = NULL;
    g_autofree char *plain = g_build_filename (dir, "plain.png", NULL);
    g_autoptr(GFile) plain_file = g_file_new_for_path (plain);
    g_autoptr(GdkTexture) plain_texture = NULL;
    g_autoptr(GPtrArray) charts = g_ptr_array_new ();
    gsize png_length = 0;

    g_clear_error (&error);
    g_test_message ("title \"%s\", caption \"%s\"", title, caption);
    g_assert_nonnull (strstr (caption, machine));
    g_assert_nonnull (strstr (caption, "Author CPU"));
    g_assert_true (g_file_get_contents (svg, &svg_text, NULL, NULL));
    g_assert_nonnull (strstr (svg_text, title));
    g_assert_nonnull (strstr (svg_text, machine));
    g_assert_true (g_file_get_contents (png, &png_bytes, &png_length, NULL));
    g_assert_nonnull (memmem (png_bytes, png_length, "iTXtTitle", 9));
    g_assert_nonnull (memmem (png_bytes, png_length, title, strlen (title)));
    g_assert_nonnull (memmem (png_bytes, png_length, machine, strlen (machine)));

    /* Taller than the same charts without the caption, by the band. */
    for (child = gtk_widget_get_first_child (view); child != NULL; child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_BOX (child))
        for (GtkWidget *t = gtk_widget_get_first_child (child); t != NULL; t = gtk_widget_get_next_sibling (t))
          if (IL_IS_CHART (t))
            g_ptr_array_add (charts, t);
    g_ptr_array_add (charts, comparison);
    g_ptr_array_add (charts, scaling);
    g_assert_true (il_chart_export_stack (charts, gtk_widget_get_width (view), il_chart_get_colors (IL_CHART (comparison)),
                                          plain_file, "png", &error));
    g_assert_no_error (error);
    plain_texture = gdk_texture_new_from_file (plain_file, NULL);
    g_assert_cmpint (gdk_texture_get_height (texture), ==,
                     gdk_texture_get_height (plain_texture) + il_chart_export_caption_height ());
    g_unlink (plain);
  }

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

/* A run stopped in its first repetition has no makespan: the comparison
 * says "cancelled" (it read "nan ms" and drew an axis of 0 µs … 1 µs). */
static void
test_comparison_cancelled (void)
{
  g_autoptr(IlResults) results = il_results_new ();
  IlRunResult  *run = il_run_result_new ();
  IlRepetition *rep = il_repetition_new ();
  GtkWidget    *chart, *window;

  run->label = g_strdup ("threads ×2");
  run->executor = IL_EXECUTOR_THREADS;
  run->workers = 2;
  rep->makespan_ms = 40.0;
  rep->cancelled = TRUE;
  g_ptr_array_add (run->repetitions, rep);
  il_run_result_summarize (run, NAN, 2);
  g_ptr_array_add (results->runs, run);

  chart = il_comparison_chart_new ();
  il_comparison_chart_set_results (IL_COMPARISON_CHART (chart), results, NULL, NULL);
  window = window_with (chart, 600, 200);
  g_test_message ("%s", il_chart_get_description (IL_CHART (chart)));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (chart)), "threads ×2 cancelled"));
  g_assert_null (strstr (il_chart_get_description (IL_CHART (chart)), "nan"));
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

  /* 20 heartbeats: 1 … 19 ms late, and one 52 ms spike; p95 = 20.65 ms,
   * R-7 as in core's il_stats_percentile (19 + 0.05 × (52 − 19)). */
  e[n++] = ev (IL_EVENT_REP_START);
  for (guint i = 0; i < 20; i++)
    {
      e[n] = ev (IL_EVENT_LOOP_LAG);
      e[n].t_us = (i + 1) * 10000;
      e[n].loop_lag.lag_us = i == 10 ? 52000 : (i < 10 ? i + 1 : i) * 1000;
      n++;
    }
  g_assert_false (il_live_model_get_current_async (model));
  il_live_model_apply (model, e, n);
  g_assert_true (il_live_model_get_current_async (model));
  g_assert_cmpuint (il_live_model_get_lag (model)->samples->len, ==, 20);
  g_assert_cmpint (il_live_model_get_lag (model)->max_lag_us, ==, 52000);
  g_assert_cmpint (il_lag_data_percentile (il_live_model_get_lag (model), 95), ==, 20650);
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

/* An mpi run's median repetition shows each host's per-core load, the
 * cores grouped by host; runs without host_load show none. */
static void
test_mpi_host_load (void)
{
  g_autoptr(IlResults) results = synthetic_results (0.1, "Test CPU");
  IlRunResult  *mpi = synthetic_run ("mpi ×4", IL_EXECUTOR_MPI, 4, 400);
  IlRepetition *rep = g_ptr_array_index (mpi->repetitions, 0);
  GtkWidget    *view, *window, *scroller;
  guint         n_load_charts = 0;

  for (guint h = 0; h < 2; h++)
    {
      IlHostLoad *load = il_host_load_new (h == 0 ? "node-a" : "node-b", 10);

      for (guint c = 0; c < 2; c++)
        {
          GArray *samples = g_array_new (FALSE, FALSE, sizeof (float));

          for (guint i = 0; i < 5; i++)
            {
              float busy = h == 0 ? 20.0f + c : 80.0f + c;

              g_array_append_val (samples, busy);
            }
          g_ptr_array_add (load->cores, samples);
        }
      g_ptr_array_add (rep->host_load, load);
    }
  g_ptr_array_add (results->runs, mpi);

  view = il_results_view_new ();
  il_results_view_set_results (IL_RESULTS_VIEW (view), results, NULL, NULL);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  window = window_with (scroller, 900, 700);
  for (GtkWidget *child = gtk_widget_get_first_child (view); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    for (GtkWidget *c = gtk_widget_get_first_child (child); c != NULL; c = gtk_widget_get_next_sibling (c))
      if (IL_IS_LOAD_CHART (c))
        {
          n_load_charts++;
          g_assert_cmpstr (il_chart_get_description (IL_CHART (c)), ==,
                           "Per-core load by host: node-a: core 0 20 %, core 1 21 %; node-b: core 0 80 %, core 1 81 %");
          g_assert_cmpuint (il_load_chart_get_data (IL_LOAD_CHART (c))->hosts->len, ==, 2);
          g_assert_true (gtk_widget_get_visible (c));
          /* The whole 0.4 s repetition is in view (not the end of a live
           * chart's window): node-b's lines cross the plot's first third. */
          {
            g_autoptr(GdkTexture) texture = render_widget (c);
            const IlChartColors *colors = il_chart_get_colors (IL_CHART (c));
            Pixels               px = { 0 };
            gboolean             found = FALSE;

            pixels_from_texture (&px, texture);
            for (int y = 30; y < px.height - 30 && !found; y++)
              {
                GdkRGBA got;

                pixel_at (&px, px.width / 4, y, &got);
                found = distance (&got, &colors->series[1]) < 0.3;
              }
            g_free (px.pixels);
            g_assert_true (found);
          }
        }
  g_assert_cmpuint (n_load_charts, ==, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Makes the sequential baseline's tasks spend @blocked of their time
 * blocked, as the kernel's accounting would say. */
static void
set_blocked_share (IlResults *results,
                   double     blocked)
{
  IlRunResult  *base = g_ptr_array_index (results->runs, 0);
  IlRepetition *rep = g_ptr_array_index (base->repetitions, 0);

  g_assert_cmpint (base->executor, ==, IL_EXECUTOR_SEQUENTIAL);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, i);
      gint64        span = rec->end_us - rec->start_us;

      {
        IlStateTimes st = il_task_record_state (rec);

        st.valid = TRUE;
        st.blocked = (gint64) (span * blocked);
        st.running = span - st.blocked;
        il_task_record_set_state (rec, &st);
      }
    }
}

/* The ideal line is drawn only where it applies: a CPU-bound baseline on
 * more than one core. Otherwise the charts say why it is absent. The
 * Amdahl curve passes through a sweep's measured 1-worker point. */
static void
test_ideal_reference (void)
{
  g_autoptr(IlResults) cpu = synthetic_results (0.1, "Test CPU");
  g_autoptr(IlResults) io = synthetic_results (0.1, "Test CPU");
  g_autoptr(GArray) core0 = g_array_new (FALSE, FALSE, sizeof (guint));
  GtkWidget         *comparison_widget = il_comparison_chart_new ();
  GtkWidget         *scaling_widget = il_scaling_chart_new ();
  IlComparisonChart *comparison = IL_COMPARISON_CHART (comparison_widget);
  IlScalingChart    *scaling = IL_SCALING_CHART (scaling_widget);
  guint              zero = 0;
  GtkWidget         *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget         *window;

  gtk_box_append (GTK_BOX (box), comparison_widget);
  gtk_box_append (GTK_BOX (box), scaling_widget);
  window = window_with (box, 800, 700);

  /* CPU-bound, 4 cores: baseline ÷ 4, and no note. */
  set_blocked_share (cpu, 0.02);
  il_comparison_chart_set_results (comparison, cpu, NULL, NULL);
  il_scaling_chart_set_results (scaling, cpu, NULL, NULL);
  g_assert_cmpfloat_with_epsilon (il_comparison_chart_get_ideal_ms (comparison), 250.0, 1e-6);
  g_assert_null (il_comparison_chart_get_ideal_note (comparison));
  g_assert_null (il_scaling_chart_get_ideal_note (scaling));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (comparison)), "ideal for 4 cores"));

  /* Under affinity [0]: one core, no ideal above it. */
  g_array_append_val (core0, zero);
  il_comparison_chart_set_results (comparison, cpu, NULL, core0);
  il_scaling_chart_set_results (scaling, cpu, NULL, core0);
  g_assert_true (isnan (il_comparison_chart_get_ideal_ms (comparison)));
  g_assert_nonnull (strstr (il_comparison_chart_get_ideal_note (comparison), "one core"));
  g_assert_nonnull (strstr (il_scaling_chart_get_ideal_note (scaling), "one core"));
  g_assert_null (strstr (il_chart_get_description (IL_CHART (comparison)), "ideal for"));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (comparison)), "one core"));

  /* I/O-bound: the waits limit the run, not the cores. */
  set_blocked_share (io, 0.9);
  il_comparison_chart_set_results (comparison, io, NULL, NULL);
  il_scaling_chart_set_results (scaling, io, NULL, NULL);
  g_assert_true (isnan (il_comparison_chart_get_ideal_ms (comparison)));
  g_assert_nonnull (strstr (il_comparison_chart_get_ideal_note (comparison), "90 %"));
  g_assert_nonnull (strstr (il_chart_get_description (IL_CHART (scaling)), "90 %"));

  /* A 1-worker run 10 % slower than the baseline: the fitted curve goes
   * through it, not through ×1. */
  {
    IlRunResult *one = g_ptr_array_index (cpu->runs, 1);

    g_assert_cmpuint (one->workers, ==, 1);
    one->summary.makespan_ms.median = 1100;
    il_scaling_chart_set_results (scaling, cpu, NULL, NULL);
    g_assert_cmpfloat_with_epsilon (il_scaling_chart_get_fit (scaling, 0, 1), 1000.0 / 1100.0, 1e-6);
  }

  /* Drawn without trouble in each state. */
  il_test_drain ();
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

  g_test_add_func ("/il/charts/amdahl", test_amdahl);
  g_test_add_func ("/il/charts/results-view", test_results_view);
  g_test_add_func ("/il/charts/comparison-cancelled", test_comparison_cancelled);
  g_test_add_func ("/il/charts/loop-lag", test_loop_lag);
  g_test_add_func ("/il/charts/mpi-host-load", test_mpi_host_load);
  g_test_add_func ("/il/charts/ideal-reference", test_ideal_reference);

  return g_test_run ();
}
