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

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/live-model/async-runs", test_async_runs);

  return g_test_run ();
}
