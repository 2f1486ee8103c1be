/* bench-frames.c — does the window keep drawing during a 10,000-task run?
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opens a window with the live view, runs a real experiment through
 * IlRunner (10,000 tasks of sleep 1 ms + spin × 1, threads × 4, falling back
 * to sequential where threads cannot run), and records from the GdkFrameClock
 * the interval between frames and the work inside each frame (update to
 * after-paint). Prints p50 / p95 / max of both and the peak RSS (VmHWM).
 * Target: p95 frame interval < 20 ms under Xvfb.
 *
 * Usage: bench-frames [TASKS] [WORKERS]
 * IL_BENCH_SNAPSHOT_DIR=DIR also writes the live charts half-way through
 * the run (live-mid.png) and at the end (live-end.png, live-end.svg);
 * IL_BENCH_DARK=1 draws in dark mode.
 */
#include <adwaita.h>
#include <gtk/gtk.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "il-frame-memory.h"
#include "il-live-model.h"
#include "il-live-view.h"
#include "il-stats.h"

typedef struct
{
  GMainLoop   *loop;
  IlLiveModel *model;
  GArray      *intervals_ms;
  GArray      *work_ms;
  gint64       last_frame;
  gint64       update_start;
  gboolean     running;
  gboolean     snapped;
  GtkWidget   *view;
  IlResults   *results;
  GError      *error;
} Bench;

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
}

static void
snapshot (Bench      *bench,
          const char *name,
          const char *format)
{
  const char      *dir = g_getenv ("IL_BENCH_SNAPSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  file = g_file_new_for_path (path);
  if (!il_live_view_export (IL_LIVE_VIEW (bench->view), file, format, &error))
    g_printerr ("bench-frames: %s\n", error->message);
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *bench)
{
  if (!bench->snapped && bench->running &&
      il_live_model_get_tasks_done (bench->model) * 2 >= il_live_model_get_tasks_total (bench->model) &&
      il_live_model_get_tasks_total (bench->model) > 0)
    {
      bench->snapped = TRUE;
      snapshot (bench, "live-mid.png", "png");
    }

  if (bench->running && bench->update_start != 0)
    {
      double ms = (g_get_monotonic_time () - bench->update_start) / 1000.0;

      g_array_append_val (bench->work_ms, ms);
    }
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Bench *bench = user_data;

  bench->results = il_runner_run_finish (IL_RUNNER (source), result, &bench->error);
  bench->running = FALSE;
  il_live_model_stop (bench->model);
  g_main_loop_quit (bench->loop);
}

static void
report (const char *what,
        GArray     *values)
{
  const double *v = (const double *) (gconstpointer) values->data;
  double        max = 0;

  for (guint i = 0; i < values->len; i++)
    max = MAX (max, v[i]);
  g_print ("%-16s n=%-6u p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms\n", what, values->len,
           il_stats_percentile (v, values->len, 50), il_stats_percentile (v, values->len, 95), max);
}

static double
thread_cpu_ms (void)
{
  struct rusage ru;

  getrusage (RUSAGE_THREAD, &ru);
  return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
         ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
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

static IlExperiment *
make_experiment (gint64         tasks,
                 IlExecutorKind executor,
                 guint          workers)
{
  IlExperiment *experiment = il_experiment_new ();
  IlTaskGroup  *group = g_ptr_array_index (experiment->tasks, 0);
  IlRunConfig  *run;
  IlBlock      *block;

  g_free (experiment->name);
  experiment->name = g_strdup ("bench-frames");
  group->repeat = tasks;
  g_ptr_array_set_size (group->blocks, 0);
  block = il_block_new (IL_BLOCK_SLEEP);
  block->ms = 1;
  g_ptr_array_add (group->blocks, block);
  block = il_block_new (IL_BLOCK_CPU);
  block->kernel = IL_KERNEL_SPIN;
  block->units = 1;
  g_ptr_array_add (group->blocks, block);

  g_ptr_array_set_size (experiment->runs, 0);
  run = il_run_config_new (executor);
  g_array_set_size (run->workers, 0);
  if (executor != IL_EXECUTOR_SEQUENTIAL)
    g_array_append_val (run->workers, workers);
  g_ptr_array_add (experiment->runs, run);
  experiment->settings.repetitions = 1;
  experiment->settings.warmup = 0;
  return experiment;
}

int
main (int   argc,
      char *argv[])
{
  gint64 tasks = argc > 1 ? g_ascii_strtoll (argv[1], NULL, 10) : 10000;
  guint  workers = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 4;
  g_autoptr(IlExperiment) experiment = NULL;
  g_autoptr(IlEventQueue) queue = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  IlRunOptions   options = { 0 };
  GdkFrameClock *clock;
  GtkWidget     *window, *view;
  Bench          bench = { 0 };
  gint64         t0;
  double         cpu0;

  /* What the app's main () does, so the frames measured are the app's. */
  il_frame_memory_tune_malloc ();
  /* µ and × in the figures need the user's (UTF-8) locale. */
  setlocale (LC_ALL, "");

  if (!gtk_init_check ())
    {
      g_printerr ("bench-frames: no display (run under xvfb-run)\n");
      return 77;
    }
  adw_init ();
  il_frame_memory_keep_shm (gdk_display_get_default ());
  if (g_getenv ("IL_BENCH_DARK") != NULL)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

  queue = il_event_queue_new (1 << 17);
  options.events = queue;
  experiment = make_experiment (tasks, IL_EXECUTOR_THREADS, workers);
  runner = il_runner_new (experiment, &options);
  if (!il_runner_check (runner, &error))
    {
      g_print ("threads executor unavailable (%s): using sequential\n", error->message);
      g_clear_error (&error);
      g_clear_pointer (&experiment, il_experiment_free);
      g_clear_object (&runner);
      experiment = make_experiment (tasks, IL_EXECUTOR_SEQUENTIAL, 1);
      runner = il_runner_new (experiment, &options);
    }

  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.model = il_live_model_new ();
  bench.intervals_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.work_ms = g_array_new (FALSE, FALSE, sizeof (double));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  view = il_live_view_new ();
  il_live_view_set_model (IL_LIVE_VIEW (view), bench.model);
  bench.view = view;
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (view))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (view);
  g_signal_connect (clock, "update", G_CALLBACK (update_cb), &bench);
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &bench);

  g_print ("bench-frames: %" G_GINT64_FORMAT " tasks, %s\n", tasks, il_runner_get_run_label (runner, 0));
  bench.running = TRUE;
  t0 = g_get_monotonic_time ();
  cpu0 = thread_cpu_ms ();
  il_live_model_start (bench.model, runner, queue, view);
  il_runner_run_async (runner, NULL, run_done_cb, &bench);
  g_main_loop_run (bench.loop);

  if (bench.error != NULL)
    {
      g_printerr ("bench-frames: %s\n", bench.error->message);
      return 1;
    }
  g_print ("run: %.2f s, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " tasks seen live, "
           "%" G_GUINT64_FORMAT " events dropped\n",
           (g_get_monotonic_time () - t0) / 1e6,
           il_live_model_get_tasks_done (bench.model), il_live_model_get_tasks_total (bench.model),
           il_live_model_get_dropped (bench.model));
  /* The GUI thread's own CPU time: what the charts cost, whatever the
   * competition from the run's threads on this machine. */
  g_print ("GUI thread CPU: %.0f ms in all, %.2f ms per frame\n", thread_cpu_ms () - cpu0,
           (thread_cpu_ms () - cpu0) / MAX (bench.intervals_ms->len, 1));
  report ("frame interval", bench.intervals_ms);
  report ("frame work", bench.work_ms);
  g_print ("peak RSS (VmHWM): %ld KiB\n", peak_rss_kib ());
  {
    double p95 = il_stats_percentile ((const double *) (gconstpointer) bench.intervals_ms->data,
                                      bench.intervals_ms->len, 95);

    g_print ("%s: p95 frame interval %.2f ms (target < 20 ms)\n", p95 < 20 ? "PASS" : "FAIL", p95);
  }

  snapshot (&bench, "live-end.png", "png");
  snapshot (&bench, "live-end.svg", "svg");
  g_clear_pointer (&bench.results, il_results_free);
  g_array_unref (bench.intervals_ms);
  g_array_unref (bench.work_ms);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (bench.model);
  g_main_loop_unref (bench.loop);
  return 0;
}
