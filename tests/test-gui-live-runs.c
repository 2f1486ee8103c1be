/* test-gui-live-runs.c — the live model knows each run as the runner
 * expanded it (the runner's expansion, not a copy of it)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "il-live-model.h"
#include "il-runner.h"

#include "il-test-utils.h"

static const char *experiment_json =
  "{ \"interleave\": 1, \"name\": \"live runs\","
  "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
  "  \"runs\": ["
  "    { \"executor\": \"threads\", \"workers\": 2 },"
  "    { \"executor\": \"threads\", \"workers\": [1, 2] },"
  "    { \"executor\": \"async\" }"
  "  ] }";

/* Which runs are async, as the model sees them at each run's start. */
static void
check_async_runs (IlExperiment   *experiment,
                  GArray         *only_runs,
                  const gboolean *expected,
                  guint           n_expected)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (64);
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  g_autoptr(IlRunner) runner = NULL;
  GtkWidget   *widget = g_object_ref_sink (gtk_label_new (NULL));
  IlRunOptions options = { 0 };

  options.only_runs = only_runs;
  runner = il_runner_new (experiment, &options);
  g_assert_cmpuint (il_runner_get_n_runs (runner), ==, n_expected);
  il_live_model_start (model, runner, queue, widget);
  for (guint run = 0; run < n_expected; run++)
    {
      IlEvent e = il_event_rep_start (FALSE, 0);

      e.run = run;
      il_live_model_apply (model, &e, 1);
      g_assert_cmpint (il_live_model_get_current_async (model), ==, expected[run]);
    }
  il_live_model_stop (model);
  g_object_unref (widget);
}

static void
test_async_runs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;
  g_autoptr(GArray) only = g_array_new (FALSE, FALSE, sizeof (guint));
  static const gboolean all[] = { FALSE, FALSE, FALSE, TRUE };
  static const gboolean picked[] = { TRUE };

  experiment = il_experiment_load_data (experiment_json, -1, "live runs", &error);
  g_assert_no_error (error);
  /* Every enabled run: the sweep is two runs, the async one is the last. */
  check_async_runs (experiment, NULL, all, G_N_ELEMENTS (all));
  /* Only the async run, picked although disabled (as `--run 2` does): the
   * model's own expansion counted the enabled threads run instead and
   * called run 0 not async. */
  ((IlRunConfig *) g_ptr_array_index (experiment->runs, 1))->enabled = FALSE;
  ((IlRunConfig *) g_ptr_array_index (experiment->runs, 2))->enabled = FALSE;
  g_array_append_val (only, (guint){ 2 });
  check_async_runs (experiment, only, picked, G_N_ELEMENTS (picked));
}

/* A long block sends no event: the tick moves the timeline's end (where
 * the in-flight bars end, and the axis) on to now; once every task that
 * started has ended, it stops. */
static void
test_block_in_flight (void)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (64);
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  GtkWidget      *widget = g_object_ref_sink (gtk_label_new (NULL));
  IlTimelineData *timeline = il_live_model_get_timeline (model);
  IlStateTimes    state = { 0 };
  IlEvent         ev[3];
  gint64          now, applied;

  il_live_model_start (model, NULL, queue, widget);
  ev[0] = il_event_rep_start (FALSE, 1);
  ev[1] = il_event_task_start (1000, 0, 0, 0, 0, 0);
  ev[2] = il_event_block_start (1000, 0, IL_BLOCK_SLEEP);
  /* Sent at 1 ms of the repetition, applied between now and applied. */
  now = g_get_monotonic_time ();
  il_live_model_apply (model, ev, 3);
  applied = g_get_monotonic_time ();
  g_assert_cmpint (timeline->end_us, ==, 1000);

  /* Half a second after: the repetition's clock reads 501 ms, less the
   * time the events took to be applied. */
  g_assert_true (il_live_model_advance (model, now + 500 * 1000));
  g_assert_cmpint (timeline->end_us, <=, 501 * 1000);
  g_assert_cmpint (timeline->end_us, >=, 501 * 1000 - (applied - now));
  /* Time does not run backwards. */
  g_assert_false (il_live_model_advance (model, now + 100 * 1000));

  ev[0] = il_event_block_end (1000, 2000 * 1000, 0, IL_BLOCK_SLEEP, FALSE, &state);
  ev[1] = il_event_task_end (1000, 2000 * 1000, 0, FALSE, &state);
  il_live_model_apply (model, ev, 2);
  g_assert_cmpint (timeline->end_us, ==, 2000 * 1000);
  /* Nothing in flight: nothing grows. */
  g_assert_false (il_live_model_advance (model, now + 5000 * 1000));

  il_live_model_stop (model);
  g_assert_false (il_live_model_advance (model, now + 6000 * 1000));
  g_object_unref (widget);
}

/* After Stop, tasks that end failed were cut off: cancelled, not failed;
 * the model says "stopped". */
static void
test_stop_cancels (void)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (64);
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  GtkWidget      *widget = g_object_ref_sink (gtk_label_new (NULL));
  IlTimelineData *timeline = il_live_model_get_timeline (model);
  IlStateTimes    state = { 0 };
  IlEvent         ev[5];

  il_live_model_start (model, NULL, queue, widget);
  ev[0] = il_event_rep_start (FALSE, 2);
  ev[1] = il_event_task_start (0, 0, 0, 0, 0, 0);
  ev[1].task = 0;
  ev[2] = il_event_task_start (0, 0, 0, 0, 0, 1);
  ev[2].task = 1;
  ev[2].worker = 1;
  /* Failed on its own, before Stop. */
  ev[3] = il_event_task_end (0, 1000, 0, TRUE, &state);
  ev[3].task = 0;
  il_live_model_apply (model, ev, 4);
  g_assert_cmpuint (timeline->n_failed, ==, 1);
  g_assert_false (il_live_model_get_stopped (model));

  il_live_model_request_stop (model);
  g_assert_true (il_live_model_get_stopped (model));
  ev[0] = il_event_task_end (0, 2000, 0, TRUE, &state);
  ev[0].task = 1;
  ev[0].worker = 1;
  ev[1] = il_event_finished (TRUE);
  il_live_model_apply (model, ev, 2);
  g_assert_cmpuint (timeline->n_failed, ==, 1);
  g_assert_cmpuint (timeline->n_cancelled, ==, 1);
  /* Only the task that ended (failed) before Stop completed. */
  g_assert_cmpuint (il_live_model_get_completion (model)->end_us->len, ==, 1);
  g_assert_true (g_array_index (timeline->tasks, IlTimelineTask, 1).cancelled);
  g_assert_false (g_array_index (timeline->tasks, IlTimelineTask, 1).failed);
  g_assert_false (il_live_model_get_running (model));
  g_assert_true (il_live_model_get_stopped (model));

  /* A new run starts clean. */
  il_live_model_reset (model);
  g_assert_false (il_live_model_get_stopped (model));
  il_live_model_stop (model);
  g_object_unref (widget);
}

/* The core's FINISHED flagged cancelled (the run was stopped) is "stopped"
 * too; a run that ends by itself is not. */
static void
test_finished_flags (void)
{
  g_autoptr(IlEventQueue) queue = il_event_queue_new (64);
  g_autoptr(IlLiveModel) model = il_live_model_new ();
  GtkWidget *widget = g_object_ref_sink (gtk_label_new (NULL));
  IlEvent    ev;

  il_live_model_start (model, NULL, queue, widget);
  ev = il_event_finished (FALSE);
  il_live_model_apply (model, &ev, 1);
  g_assert_false (il_live_model_get_stopped (model));
  il_live_model_start (model, NULL, queue, widget);
  ev = il_event_finished (TRUE);
  il_live_model_apply (model, &ev, 1);
  g_assert_true (il_live_model_get_stopped (model));
  il_live_model_stop (model);
  g_object_unref (widget);
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/live-model/async-runs", test_async_runs);
  g_test_add_func ("/il/live-model/block-in-flight", test_block_in_flight);
  g_test_add_func ("/il/live-model/stop-cancels", test_stop_cancels);
  g_test_add_func ("/il/live-model/finished-flags", test_finished_flags);

  return g_test_run ();
}
