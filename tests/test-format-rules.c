/* test-format-rules.c — the rules the GUI and the CLI share from core: durations,
 * table cells, the median repetition, expanded runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "il-format.h"
#include "il-runner.h"

static void
check_duration (char *(*format) (double), double ms, const char *expected)
{
  g_autofree char *text = format (ms);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_duration (void)
{
  check_duration (il_format_duration_ms, NAN, "—");
  check_duration (il_format_duration_ms, 0, "0.00 ms");
  check_duration (il_format_duration_ms, 1.234, "1.23 ms");
  check_duration (il_format_duration_ms, 9.994, "9.99 ms");
  check_duration (il_format_duration_ms, 12.34, "12.3 ms");
  check_duration (il_format_duration_ms, 99.94, "99.9 ms");
  check_duration (il_format_duration_ms, 123.4, "123 ms");
  check_duration (il_format_duration_ms, 9999, "9999 ms");
  check_duration (il_format_duration_ms, 10000, "10.00 s");
  check_duration (il_format_duration_ms, 12345, "12.35 s");

  check_duration (il_format_duration_ms_short, NAN, "—");
  check_duration (il_format_duration_ms_short, 1.2, "1.2 ms");
  check_duration (il_format_duration_ms_short, 48.2, "48 ms");
  check_duration (il_format_duration_ms_short, 52, "52 ms");
  check_duration (il_format_duration_ms_short, 123.4, "123 ms");
  check_duration (il_format_duration_ms_short, 12345, "12.3 s");
}

static void
test_number (void)
{
  check_duration (il_format_number, NAN, "—");
  check_duration (il_format_number, 1.954, "1.95");
  check_duration (il_format_number, 12.34, "12.3");
  check_duration (il_format_number, 123.4, "123");
  check_duration (il_format_number, -1.5, "-1.50");
}

static void
test_failed_tasks (void)
{
  g_autofree char *one = il_format_failed_tasks (1);
  g_autofree char *three = il_format_failed_tasks (3);

  g_assert_cmpstr (one, ==, "1 task failed");
  g_assert_cmpstr (three, ==, "3 tasks failed");
}

static IlRunResult *
run_with (guint n_reps)
{
  IlRunResult *run = il_run_result_new ();

  run->label = g_strdup ("threads ×4");
  for (guint i = 0; i < n_reps; i++)
    g_ptr_array_add (run->repetitions, il_repetition_new ());
  run->summary.makespan_ms = (IlStats){ .median = 123.4, .min = 120.04, .max = 12345, .mean = 130, .stddev = 1 };
  run->summary.speedup = 1.954;
  run->summary.latency_mean_ms = 1.234;
  run->summary.latency_p95_ms = 12.34;
  run->summary.cpu_user_ms = 400;
  run->summary.cpu_sys_ms = 2.5;
  run->summary.ctx_voluntary = 12;
  run->summary.ctx_involuntary = 3;
  run->summary.checksum = g_strdup ("0123abcd");
  return run;
}

static void
check_cell (const IlRunResult *run, IlResultsColumn column, const char *expected)
{
  g_autofree char *text = il_results_format_cell (run, column);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_cells (void)
{
  g_autoptr(IlRunResult) several = run_with (3);
  g_autoptr(IlRunResult) one = run_with (1);
  g_autoptr(IlRunResult) empty = il_run_result_new ();

  check_cell (several, IL_RESULTS_COLUMN_LABEL, "threads ×4");
  check_cell (several, IL_RESULTS_COLUMN_MAKESPAN, "123 ms (120 ms–12.35 s)");
  check_cell (several, IL_RESULTS_COLUMN_SPEEDUP, "1.95×");
  check_cell (several, IL_RESULTS_COLUMN_LATENCY, "1.23 ms / 12.3 ms");
  check_cell (several, IL_RESULTS_COLUMN_CPU, "402 ms");
  check_cell (several, IL_RESULTS_COLUMN_CONTEXT_SWITCHES, "12 / 3");
  check_cell (several, IL_RESULTS_COLUMN_CHECKSUM, "0123abcd");
  /* One repetition has no spread to show. */
  check_cell (one, IL_RESULTS_COLUMN_MAKESPAN, "123 ms");

  /* A run with nothing measured: dashes, not "nan". */
  check_cell (empty, IL_RESULTS_COLUMN_LABEL, "");
  check_cell (empty, IL_RESULTS_COLUMN_MAKESPAN, "—");
  check_cell (empty, IL_RESULTS_COLUMN_SPEEDUP, "—");
  check_cell (empty, IL_RESULTS_COLUMN_LATENCY, "— / —");
  check_cell (empty, IL_RESULTS_COLUMN_CHECKSUM, "—");
}

static void
add_rep (IlRunResult *run, double makespan_ms)
{
  IlRepetition *rep = il_repetition_new ();

  rep->makespan_ms = makespan_ms;
  g_ptr_array_add (run->repetitions, rep);
}

static void
test_median_repetition (void)
{
  g_autoptr(IlRunResult) run = il_run_result_new ();

  g_assert_null (il_run_result_median_repetition (run));
  add_rep (run, 30);
  g_assert_true (il_run_result_median_repetition (run) == g_ptr_array_index (run->repetitions, 0));
  add_rep (run, 10);
  add_rep (run, 20);
  /* 10, 20, 30: the middle one. */
  g_assert_true (il_run_result_median_repetition (run) == g_ptr_array_index (run->repetitions, 2));
  /* 10, 20, 30, 40: the lower middle one of an even count. */
  add_rep (run, 40);
  g_assert_true (il_run_result_median_repetition (run) == g_ptr_array_index (run->repetitions, 2));
  /* Ties keep the recorded order: 10, 20, 20', 30, 40 → 20'. */
  add_rep (run, 20);
  g_assert_true (il_run_result_median_repetition (run) == g_ptr_array_index (run->repetitions, 4));
}

static const char *expansion_json =
  "{ \"interleave\": 1, \"name\": \"expansion\","
  "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
  "  \"runs\": ["
  "    { \"executor\": \"sequential\" },"
  "    { \"executor\": \"threads\", \"workers\": [1, 2, 4] },"
  "    { \"executor\": \"async\", \"label\": \"loop\" },"
  "    { \"executor\": \"threads\", \"workers\": [3], \"label\": \"three\" },"
  "    { \"executor\": \"processes\", \"workers\": [2, 3], \"label\": \"procs\" }"
  "  ],"
  "  \"settings\": { \"cpu_affinity\": [0, 1] } }";

static void
test_run_expansion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = il_experiment_load_data (expansion_json, -1, "expansion", &error);
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlRunner) only = NULL;
  g_autoptr(GArray) picked = g_array_new (FALSE, FALSE, sizeof (guint));
  IlRunOptions options = { 0 };
  static const struct
  {
    guint       config;
    guint       workers;
    const char *label;
  } expected[] = {
    { 0, 1, NULL },
    { 1, 1, NULL },
    { 1, 2, NULL },
    { 1, 4, NULL },
    { 2, 1, "loop" },
    { 3, 3, "three" },
    { 4, 2, "procs ×2" },
    { 4, 3, "procs ×3" },
  };

  g_assert_no_error (error);
  runner = il_runner_new (experiment, NULL);
  g_assert_cmpuint (il_runner_get_n_runs (runner), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const IlRunConfig *config = il_runner_get_run_config (runner, i);

      g_assert_true (config == g_ptr_array_index (il_runner_get_experiment (runner)->runs, expected[i].config));
      g_assert_cmpuint (il_runner_get_run_workers (runner, i), ==, expected[i].workers);
      if (expected[i].label != NULL)
        g_assert_cmpstr (il_runner_get_run_label (runner, i), ==, expected[i].label);
    }

  /* Picked runs, in the order given, and a disabled run among them. */
  ((IlRunConfig *) g_ptr_array_index (experiment->runs, 2))->enabled = FALSE;
  g_array_append_val (picked, (guint){ 2 });
  g_array_append_val (picked, (guint){ 0 });
  options.only_runs = picked;
  only = il_runner_new (experiment, &options);
  g_assert_cmpuint (il_runner_get_n_runs (only), ==, 2);
  g_assert_cmpint (il_runner_get_run_config (only, 0)->executor, ==, IL_EXECUTOR_ASYNC);
  g_assert_cmpint (il_runner_get_run_config (only, 1)->executor, ==, IL_EXECUTOR_SEQUENTIAL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/format/duration", test_duration);
  g_test_add_func ("/il/format/number", test_number);
  g_test_add_func ("/il/format/failed-tasks", test_failed_tasks);
  g_test_add_func ("/il/format/cells", test_cells);
  g_test_add_func ("/il/results/median-repetition", test_median_repetition);
  g_test_add_func ("/il/runner/expansion", test_run_expansion);

  return g_test_run ();
}
