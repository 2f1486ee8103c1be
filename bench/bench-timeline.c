/* bench-timeline.c — does the results timeline keep a frame at a million tasks?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds one repetition of N tasks with the core's compact task records (8
 * workers, one block each, a tenth of them sleep, one in a thousand
 * failed), or loads a results or experiment file (--file) with the core
 * loader, and shows it in the results timeline at 1200 × 600. Then drives
 * zoom and pan from a tick callback, one step per frame: zoom in to single
 * tasks, pan, zoom out to the whole run, pan, several times. From the
 * GdkFrameClock it records the work inside each frame (update to
 * after-paint) and the interval between frames; prints p50 / p95 / max of
 * both and the peak RSS (VmHWM), or JSON with --json. Memory: the RSS the
 * records add, and what the timeline adds on top of them (its data, index
 * and first frame), per task; and the bytes the timeline data holds of its
 * own (il_timeline_data_get_own_bytes).
 * Target (issue 13): p95 frame time ≤ 16.7 ms at 1,000,000 tasks under
 * Xvfb with GSK_RENDERER=cairo.
 *
 * Usage: bench-timeline [--json] [--file PATH] [--cycles N] [TASKS ...]
 */
#include <adwaita.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "il-chart-data.h"
#include "il-chart.h"
#include "il-frame-memory.h"
#include "il-results.h"
#include "il-stats.h"
#include "il-timeline-chart.h"

#define WORKERS    8
#define STEPS_ZOOM 45 /* × 1.3 each: 1.3^45 ≈ 136,000 × */
#define STEPS_PAN  30
#define TARGET_MS  16.7

typedef struct
{
  GMainLoop   *loop;
  IlTimeRange *range;
  GArray      *intervals_ms;
  GArray      *work_ms;
  GArray      *cpu_ms; /* the GUI thread's CPU time in the frame */
  gint64       last_frame;
  gint64       update_start;
  double       update_cpu;
  guint        step;
  guint        n_steps;
  gboolean     running;
  double       anchor_us;
} Bench;

/* This thread's CPU time: what a frame costs whatever else the machine
 * runs (the wall-clock frame time also holds the waits for a core). */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
update_cb (GdkFrameClock *clock,
           Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();

  if (bench->running && bench->last_frame != 0)
    {
      double ms = (now - bench->last_frame) / 1000.0;

      g_array_append_val (bench->intervals_ms, ms);
    }
  bench->last_frame = now;
  bench->update_start = now;
  bench->update_cpu = thread_cpu_ms ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  if (bench->running && bench->update_start != 0)
    {
      double ms = (g_get_monotonic_time () - bench->update_start) / 1000.0;

      g_array_append_val (bench->work_ms, ms);
      ms = thread_cpu_ms () - bench->update_cpu;
      g_array_append_val (bench->cpu_ms, ms);
    }
}

/* One step of the script: zoom in around a point, pan right, zoom out to
 * the whole run, pan left (a no-op when not zoomed). */
static void
script_step (Bench *bench)
{
  guint cycle = 2 * STEPS_ZOOM + 2 * STEPS_PAN;
  guint phase = bench->step % cycle;

  if (phase < STEPS_ZOOM)
    il_time_range_zoom (bench->range, 1.3, bench->anchor_us);
  else if (phase < STEPS_ZOOM + STEPS_PAN)
    il_time_range_pan (bench->range, 0.1);
  else if (phase < 2 * STEPS_ZOOM + STEPS_PAN)
    il_time_range_zoom (bench->range, 1 / 1.3, bench->anchor_us);
  else
    il_time_range_pan (bench->range, -0.1);
  if (phase == cycle - 1)
    {
      /* Somewhere else next time, and from the whole run. */
      il_time_range_reset (bench->range);
      bench->anchor_us = fmod (bench->anchor_us * 1.618 + 0.37 * il_time_range_get_extent (bench->range),
                               il_time_range_get_extent (bench->range));
    }
  bench->step++;
}

/* One step per frame. */
static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Bench *bench = user_data;

  if (bench->step >= bench->n_steps)
    {
      bench->running = FALSE;
      g_main_loop_quit (bench->loop);
      return G_SOURCE_REMOVE;
    }
  script_step (bench);
  return G_SOURCE_CONTINUE;
}

static double
percentile (GArray *values,
            double  p)
{
  return il_stats_percentile ((const double *) (gconstpointer) values->data, values->len, p);
}

static double
maximum (GArray *values)
{
  double max = 0;

  for (guint i = 0; i < values->len; i++)
    max = MAX (max, g_array_index (values, double, i));
  return max;
}

static long
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

/* N tasks on WORKERS workers, back to back with 2 µs between them, 5–30 µs
 * each: a run of tiny tasks, the case that makes a million of them. */
static IlRepetition *
make_repetition (guint n)
{
  IlRepetition *rep = il_repetition_new ();
  gint64        clock[WORKERS] = { 0 };
  guint32       seed = 12345;

  g_array_set_size (rep->tasks, 0);
  for (guint i = 0; i < n; i++)
    {
      IlTaskRecord  rec = { 0 };
      IlBlockRecord block;
      guint         w = i % WORKERS;
      gint64        us;

      seed = seed * 1664525u + 1013904223u;
      us = 5 + (seed >> 8) % 26;
      rec.group = 0;
      rec.index = i;
      rec.worker = (gint) w;
      rec.pid = 1000;
      rec.tid = 1000 + (gint) w;
      rec.cpu_start = rec.cpu_end = (gint16) (w % 2);
      rec.queued_us = clock[w];
      rec.start_us = clock[w] + 2;
      rec.end_us = rec.start_us + us;
      rec.failed = i % 1000 == 999;
      block.state = (IlStateTimes){ TRUE, us * 3 / 4, us / 4, 0, 0, 0 };
      il_task_record_set_state (&rec, &block.state);
      block.start_us = rec.start_us;
      block.end_us = rec.end_us;
      block.ttfb_us = -1;
      block.type = i % 10 == 7 ? IL_BLOCK_SLEEP : IL_BLOCK_CPU;
      block.segments = NULL;
      il_task_record_add_block (&rec, &block);
      clock[w] = rec.end_us;
      g_array_append_val (rep->tasks, rec);
    }
  for (guint w = 0; w < WORKERS; w++)
    rep->makespan_ms = MAX (rep->makespan_ms, clock[w] / 1000.0);
  return rep;
}

typedef struct
{
  guint  tasks;
  double setup_ms;
  double work_p50, work_p95, work_max;
  double cpu_p50, cpu_p95, cpu_max;
  double draw_p50, draw_p95, draw_max;
  double interval_p50, interval_p95, interval_max;
  guint  frames;
  long   rss_kib;
  long   records_rss_kib;  /* RSS with the records, before the timeline */
  long   timeline_rss_kib; /* RSS with the timeline built and drawn once */
  gsize  own_bytes;        /* il_timeline_data_get_own_bytes() */
} Result;

static gboolean
run_one (const IlRepetition *rep,
         const IlExperiment *experiment,
         guint               cycles,
         Result             *result)
{
  g_autoptr(IlTimelineData) data = NULL;
  GdkFrameClock *clock;
  GtkWidget     *window, *chart;
  Bench          bench = { 0 };
  gint64         t0 = g_get_monotonic_time ();

  data = il_timeline_data_new ();
  il_timeline_data_set_repetition (data, rep, experiment);
  il_timeline_data_set_title (data, "bench-timeline");
  result->tasks = data->n_tasks;
  result->own_bytes = il_timeline_data_get_own_bytes (data);

  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.intervals_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.work_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.n_steps = cycles * (2 * STEPS_ZOOM + 2 * STEPS_PAN);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 600);
  chart = il_timeline_chart_new ();
  il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
  bench.range = il_timeline_chart_get_range (IL_TIMELINE_CHART (chart));
  bench.anchor_us = il_time_range_get_extent (bench.range) * 0.37;
  gtk_window_set_child (GTK_WINDOW (window), chart);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (chart))
    g_main_context_iteration (NULL, TRUE);
  /* The first frame (the index is sorted once per data change) is setup. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  result->setup_ms = (g_get_monotonic_time () - t0) / 1000.0;
  result->timeline_rss_kib = rss_kib ();

  clock = gtk_widget_get_frame_clock (chart);
  g_signal_connect (clock, "update", G_CALLBACK (update_cb), &bench);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &bench);
  bench.running = TRUE;
  gtk_widget_add_tick_callback (chart, tick_cb, &bench, NULL);
  g_main_loop_run (bench.loop);
  g_signal_handlers_disconnect_by_data (clock, &bench);

  result->frames = bench.work_ms->len;
  result->work_p50 = percentile (bench.work_ms, 50);
  result->work_p95 = percentile (bench.work_ms, 95);
  result->work_max = maximum (bench.work_ms);
  result->cpu_p50 = percentile (bench.cpu_ms, 50);
  result->cpu_p95 = percentile (bench.cpu_ms, 95);
  result->cpu_max = maximum (bench.cpu_ms);
  /* The timeline's own share: the same views drawn by the chart alone into
   * one reused surface (no GTK frame, no window), in CPU time. */
  {
    g_autoptr(GArray) draw_ms = g_array_new (FALSE, FALSE, sizeof (double));
    int              w = gtk_widget_get_width (chart), h = gtk_widget_get_height (chart);
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
    IlChartColors    colors;

    il_chart_colors_fill (&colors, chart);
    il_time_range_reset (bench.range);
    bench.anchor_us = il_time_range_get_extent (bench.range) * 0.37;
    for (bench.step = 0; bench.step < bench.n_steps;)
      {
        cairo_t *cr = cairo_create (surface);
        double   t = thread_cpu_ms ();
        double   ms;

        script_step (&bench);
        il_chart_draw (IL_CHART (chart), cr, w, h, &colors);
        cairo_destroy (cr);
        cairo_surface_flush (surface);
        ms = thread_cpu_ms () - t;
        if (g_getenv ("IL_BENCH_VERBOSE") != NULL)
          {
            double v0, v1;

            il_time_range_get_view (bench.range, &v0, &v1);
            g_print ("step %u view %.0f … %.0f µs: %.2f ms\n", bench.step, v0, v1, ms);
          }
        g_array_append_val (draw_ms, ms);
      }
    cairo_surface_destroy (surface);
    result->draw_p50 = percentile (draw_ms, 50);
    result->draw_p95 = percentile (draw_ms, 95);
    result->draw_max = maximum (draw_ms);
  }
  result->interval_p50 = percentile (bench.intervals_ms, 50);
  result->interval_p95 = percentile (bench.intervals_ms, 95);
  result->interval_max = maximum (bench.intervals_ms);
  result->rss_kib = rss_kib ();

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_array_unref (bench.intervals_ms);
  g_array_unref (bench.work_ms);
  g_array_unref (bench.cpu_ms);
  g_main_loop_unref (bench.loop);
  return result->frames > 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) json = g_string_new ("{\"benchmark\": \"timeline\", \"renderer\": ");
  g_autofree char *file = NULL;
  gboolean         as_json = FALSE, all_pass = TRUE;
  gint             cycles = 3;
  GOptionEntry     entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL },
        { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "A results or experiment file to show", "PATH" },
        { "cycles", 0, 0, G_OPTION_ARG_INT, &cycles, "Zoom-and-pan cycles (150 frames each)", "N" },
        { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[TASKS …]");
  g_autoptr(GError) error = NULL;
  const char *renderer = g_getenv ("GSK_RENDERER");

  /* What the app's main () does, so the frames measured are the app's. */
  il_frame_memory_tune_malloc ();
  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-timeline: %s\n", error->message);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      guint n = (guint) g_ascii_strtoull (argv[i], NULL, 10);

      if (n == 0 || n > IL_CHART_MAX_TASKS)
        {
          g_printerr ("bench-timeline: TASKS must be 1 … %u\n", IL_CHART_MAX_TASKS);
          return 2;
        }
      g_array_append_val (sizes, n);
    }
  if (sizes->len == 0 && file == NULL)
    {
      guint n = 100000;

      g_array_append_val (sizes, n);
    }

  if (!gtk_init_check ())
    {
      g_printerr ("bench-timeline: no display (run under xvfb-run)\n");
      return 77;
    }
  adw_init ();
  il_frame_memory_keep_shm (gdk_display_get_default ());
  g_string_append_printf (json, "\"%s\", \"window\": [1200, 600], \"baseline_rss_kib\": %ld, \"runs\": [",
                          renderer != NULL ? renderer : "default", rss_kib ());
  if (!as_json)
    g_print ("bench-timeline: GSK_RENDERER=%s, 1200 × 600, %d cycles of zoom and pan, baseline RSS %ld KiB\n",
             renderer != NULL ? renderer : "default", cycles, rss_kib ());

  for (guint k = 0; k < sizes->len + (file != NULL ? 1 : 0); k++)
    {
      g_autoptr(IlExperiment) experiment = NULL;
      IlRepetition       *made = NULL;
      const IlRepetition *rep;
      Result              r = { 0 };
      gint64              t0 = g_get_monotonic_time ();
      long                rss0 = rss_kib ();
      double              build_ms, records_b, timeline_b;

      if (k < sizes->len)
        rep = made = make_repetition (g_array_index (sizes, guint, k));
      else
        {
          g_autoptr(GFile) gfile = g_file_new_for_commandline_arg (file);
          const IlRunResult *run;

          experiment = il_experiment_load_file (gfile, &error);
          if (experiment == NULL)
            {
              g_printerr ("bench-timeline: %s\n", error->message);
              return 1;
            }
          if (experiment->results == NULL || experiment->results->runs->len == 0)
            {
              g_printerr ("bench-timeline: %s holds no results\n", file);
              return 1;
            }
          run = g_ptr_array_index (experiment->results->runs, 0);
          rep = il_run_result_median_repetition (run);
          if (rep == NULL)
            {
              g_printerr ("bench-timeline: %s: no repetition\n", file);
              return 1;
            }
        }
      build_ms = (g_get_monotonic_time () - t0) / 1000.0;
      r.records_rss_kib = rss_kib ();
      if (!run_one (rep, experiment, (guint) MAX (cycles, 1), &r))
        {
          g_printerr ("bench-timeline: no frames drawn\n");
          return 1;
        }
      if (made != NULL)
        il_repetition_free (made);
      all_pass = all_pass && r.work_p95 <= TARGET_MS;
      /* Per task: what the records added to the RSS, and what the
       * timeline added on top (the first run includes GTK's first window). */
      records_b = (double) (r.records_rss_kib - rss0) * 1024.0 / r.tasks;
      timeline_b = (double) (r.timeline_rss_kib - r.records_rss_kib) * 1024.0 / r.tasks;

      if (as_json)
        g_string_append_printf (json,
                                "%s{\"tasks\": %u, \"source\": \"%s\", \"records_ms\": %.1f, \"setup_ms\": %.1f, "
                                "\"frames\": %u, \"frame_work_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, "
                                "\"chart_draw_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, "
                                "\"frame_cpu_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, "
                                "\"frame_interval_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"max\": %.3f}, "
                                "\"rss_kib\": %ld, \"records_rss_bytes_per_task\": %.1f, "
                                "\"timeline_rss_bytes_per_task\": %.1f, \"timeline_own_bytes_per_task\": %.1f, "
                                "\"pass\": %s}",
                                k > 0 ? ", " : "", r.tasks, k < sizes->len ? "synthetic" : "file", build_ms,
                                r.setup_ms, r.frames, r.work_p50, r.work_p95, r.work_max, r.draw_p50, r.draw_p95, r.draw_max, r.cpu_p50, r.cpu_p95, r.cpu_max, r.interval_p50,
                                r.interval_p95, r.interval_max, r.rss_kib, records_b, timeline_b,
                                (double) r.own_bytes / r.tasks, r.work_p95 <= TARGET_MS ? "true" : "false");
      else
        {
          g_print ("%u tasks (%s): records %.0f ms, timeline data + first frame %.0f ms, RSS %ld KiB\n", r.tasks,
                   k < sizes->len ? "synthetic" : file, build_ms, r.setup_ms, r.rss_kib);
          g_print ("  memory per task: records %.0f B (RSS), timeline on top %.0f B (RSS), "
                   "timeline's own data %.1f B\n",
                   records_b, timeline_b, (double) r.own_bytes / r.tasks);
          g_print ("  frame work      n=%-5u p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms\n", r.frames, r.work_p50,
                   r.work_p95, r.work_max);
          g_print ("  chart draw      n=%-5u p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms\n", r.frames, r.draw_p50,
                   r.draw_p95, r.draw_max);
          g_print ("  frame CPU       n=%-5u p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms\n", r.frames, r.cpu_p50,
                   r.cpu_p95, r.cpu_max);
          g_print ("  frame interval  n=%-5u p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms\n", r.frames, r.interval_p50,
                   r.interval_p95, r.interval_max);
          g_print ("  %s: p95 frame work %.2f ms, GUI thread CPU %.2f ms (target ≤ %.1f ms)\n",
                   r.work_p95 <= TARGET_MS ? "PASS" : "FAIL", r.work_p95, r.cpu_p95, TARGET_MS);
        }
    }
  if (as_json)
    {
      g_string_append_printf (json, "], \"peak_rss_kib\": %ld}\n", peak_rss_kib ());
      g_print ("%s", json->str);
    }
  else
    g_print ("peak RSS (VmHWM): %ld KiB\n", peak_rss_kib ());
  return all_pass ? 0 : 1;
}
