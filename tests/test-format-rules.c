/* test-format-rules.c — the rules the GUI and the CLI share from core: durations,
 * table cells, the median repetition, expanded runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>

#include "il-format.h"
#include "il-quiz.h"
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

/* A run of @label whose one repetition counted @final of @expected, with
 * @lock_wait_us spent waiting for the lock; @per_worker (nullable,
 * -1-terminated) as under processes. */
static IlRunResult *
counter_run (const char   *label,
             double        makespan_ms,
             const char   *checksum,
             gint64        expected,
             gint64        final,
             gint64        lock_wait_us,
             const gint64 *per_worker)
{
  IlRunResult  *run = il_run_result_new ();
  IlRepetition *rep = il_repetition_new ();
  IlTaskRecord  task = { 0 };

  run->label = g_strdup (label);
  run->summary.makespan_ms.median = makespan_ms;
  run->summary.speedup = NAN;
  run->summary.checksum = g_strdup (checksum);
  rep->makespan_ms = makespan_ms;
  rep->has_counter = expected > 0;
  rep->counter_expected = expected;
  rep->counter_final = final;
  {
    IlStateTimes st = il_task_record_state (&task);

    st.lock_wait = lock_wait_us;
    il_task_record_set_state (&task, &st);
  }
  g_array_append_val (rep->tasks, task);
  if (per_worker != NULL)
    {
      rep->counter_per_worker = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; per_worker[i] >= 0; i++)
        g_array_append_val (rep->counter_per_worker, per_worker[i]);
    }
  g_ptr_array_add (run->repetitions, rep);
  return run;
}

static void
test_counter (void)
{
  static const gint64 workers[] = { 4000000, 4000000, -1 };
  g_autoptr(IlRunResult) lost = counter_run ("threads ×2", 90, "a", 8000000, 5523330, 0, NULL);
  g_autoptr(IlRunResult) locked = counter_run ("threads ×2", 90, "a", 8000000, 8000000, 12345, NULL);
  g_autoptr(IlRunResult) procs = counter_run ("processes ×2", 90, "a", 8000000, 0, 0, workers);
  g_autoptr(IlRunResult) none = counter_run ("sequential", 90, "a", 0, 0, 0, NULL);
  g_autofree char *lost_text = il_format_counter (lost);
  g_autofree char *locked_text = il_format_counter (locked);
  g_autofree char *procs_text = il_format_counter (procs);
  g_autofree char *procs_workers = il_format_counter_workers (procs);
  g_autofree char *lost_workers = il_format_counter_workers (lost);
  g_autofree char *none_text = il_format_counter (none);

  g_assert_cmpstr (lost_text, ==, "2476670 of 8000000 lost (31.0 %), final count 5523330");
  g_assert_cmpstr (locked_text, ==, "0 of 8000000 lost (0.0 %), final count 8000000, lock wait 12.3 ms");
  g_assert_cmpstr (procs_text, ==, "8000000 of 8000000 lost (100.0 %), final count 0");
  g_assert_cmpstr (procs_workers, ==,
                   "the parent's counter did not move; each worker counted in its own memory: 4000000 4000000");
  g_assert_null (lost_workers);
  g_assert_null (none_text);
}

static void
test_machine (void)
{
  IlMachine        machine = { 0 };
  g_autofree char *dated = NULL;
  g_autofree char *undated = NULL;

  machine.cpu_model = g_strdup ("Example CPU @ 2.20GHz");
  machine.cores = 2;
  machine.date = g_strdup ("2026-12-02T17:40:00Z");
  dated = il_format_machine (&machine);
  g_assert_cmpstr (dated, ==, "Example CPU @ 2.20GHz (2 cores, 2026-12-02)");
  il_machine_clear (&machine);
  machine.cores = 1;
  undated = il_format_machine (&machine);
  g_assert_cmpstr (undated, ==, "an unknown CPU (1 core, undated)");
}

/* The editor's text for a block: the files' text in the C locale, and the
 * user's number format otherwise ("1,0 MiB" under German formats). */
static void
test_block_locale (void)
{
  IlBlockType      types[] = { IL_BLOCK_CPU, IL_BLOCK_SLEEP, IL_BLOCK_HTTP, IL_BLOCK_FILE_WRITE,
                               IL_BLOCK_FILE_READ, IL_BLOCK_COUNTER, IL_BLOCK_YIELD };
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));
  g_autoptr(IlBlock) write = il_block_new (IL_BLOCK_FILE_WRITE);
  g_autofree char *german = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(IlBlock) block = il_block_new (types[i]);
      g_autofree char *shown = NULL;
      g_autofree char *described = NULL;

      block->fsync = block->lock = (i % 2) == 1;
      shown = il_format_block (block);
      described = il_block_describe (block);
      g_assert_cmpstr (shown, ==, described);
    }

  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("the de_DE.UTF-8 locale is missing (build-aux/test generates it)");
      return;
    }
  write->fsync = TRUE;
  german = il_format_block (write);
  setlocale (LC_NUMERIC, saved);
  g_assert_cmpstr (german, ==, "write 1,0 MiB (fsync)");
}

/* The day follows the user's date format: German reads "02.12.2026"
 * (issue 12). */
static void
test_machine_date_locale (void)
{
  IlMachine        machine = { 0 };
  g_autofree char *saved = g_strdup (setlocale (LC_TIME, NULL));
  g_autofree char *dated = NULL;

  if (setlocale (LC_TIME, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("the de_DE.UTF-8 locale is missing (build-aux/test generates it)");
      return;
    }
  machine.cpu_model = g_strdup ("Example CPU");
  machine.cores = 2;
  /* Midday: the same day in every time zone the tests may run in. */
  machine.date = g_strdup ("2026-12-02T12:00:00Z");
  dated = il_format_machine (&machine);
  setlocale (LC_TIME, saved);
  il_machine_clear (&machine);
  g_assert_cmpstr (dated, ==, "Example CPU (2 cores, 02.12.2026)");
}

/* Dates follow the locale: German writes the day first. */
static void
test_date_locale (void)
{
  g_autofree char *c_date = il_format_date ("2026-12-02T12:00:00Z", FALSE);
  g_autofree char *saved = g_strdup (setlocale (LC_TIME, NULL));
  g_autofree char *de_date = NULL;
  g_autofree char *de_time = NULL;

  /* The C locale: ISO 8601, not its ambiguous 12/02/26. */
  g_assert_cmpstr (c_date, ==, "2026-12-02");
  g_assert_null (il_format_date (NULL, FALSE));
  g_assert_null (il_format_date ("yesterday", FALSE));
  if (setlocale (LC_TIME, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("no de_DE.UTF-8 locale (build-aux generates it)");
      return;
    }
  de_date = il_format_date ("2026-12-02T12:00:00Z", FALSE);
  de_time = il_format_date ("2026-12-02T12:00:00Z", TRUE);
  setlocale (LC_TIME, saved);
  g_assert_cmpstr (de_date, ==, "02.12.2026");
  g_assert_true (g_str_has_prefix (de_time, "02.12.2026 "));
}

/* What an exported chart says above its charts. */
static void
test_export_caption (void)
{
  g_autoptr(IlResults) mine = il_results_new ();
  g_autoptr(IlResults) recorded = il_results_new ();
  g_autofree char *title = NULL;
  g_autofree char *untitled = NULL;
  g_autofree char *both = NULL;
  g_autofree char *only_mine = NULL;
  g_autofree char *only_recorded = NULL;
  g_autofree char *none = NULL;

  mine->experiment = g_strdup ("Primes");
  mine->machine.cpu_model = g_strdup ("Mine CPU");
  mine->machine.cores = 2;
  mine->machine.date = g_strdup ("2026-12-02T12:00:00Z");
  recorded->machine.cpu_model = g_strdup ("Author CPU");
  recorded->machine.cores = 8;

  title = il_format_export_title (mine);
  g_assert_cmpstr (title, ==, "Primes — Interleave results");
  untitled = il_format_export_title (NULL);
  g_assert_cmpstr (untitled, ==, "Interleave results");
  both = il_format_export_caption (mine, recorded);
  g_assert_cmpstr (both, ==, "Measured on Mine CPU (2 cores, 2026-12-02); recorded by the author on Author CPU (8 cores, undated)");
  only_mine = il_format_export_caption (mine, NULL);
  g_assert_cmpstr (only_mine, ==, "Measured on Mine CPU (2 cores, 2026-12-02)");
  only_recorded = il_format_export_caption (NULL, recorded);
  g_assert_cmpstr (only_recorded, ==, "Recorded by the author on Author CPU (8 cores, undated)");
  none = il_format_export_caption (NULL, NULL);
  g_assert_null (none);
}

/* What answers a quiz: per run the makespan, the speedup, what the counter
 * lost; then whether the checksums agree (the structure lesson's answer). */
static void
test_quiz_figures (void)
{
  g_autoptr(IlResults) results = il_results_new ();
  g_autofree char *same = NULL;
  g_autofree char *differ = NULL;
  IlRunResult     *threads;

  g_ptr_array_add (results->runs, counter_run ("sequential", 120.4, "9f3c000000000000", 8000000, 8000000, 0, NULL));
  threads = counter_run ("threads ×2", 80.2, "9f3c000000000000", 8000000, 5523330, 0, NULL);
  threads->summary.speedup = 1.5;
  g_ptr_array_add (results->runs, threads);
  same = il_quiz_figures (results);
  g_assert_cmpstr (same, ==,
                   "• sequential: 120 ms; counter: 0 of 8000000 lost (0.0 %), final count 8000000\n"
                   "• threads ×2: 80.2 ms, speedup 1.50×; counter: 2476670 of 8000000 lost (31.0 %), final count 5523330\n"
                   "The result checksum is the same in every run: 9f3c000000000000.");

  g_free (threads->summary.checksum);
  threads->summary.checksum = g_strdup ("0000000000000001");
  differ = il_quiz_figures (results);
  g_assert_true (g_str_has_suffix (differ, "\nThe result checksums differ between runs."));
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
  g_test_add_func ("/il/format/counter", test_counter);
  g_test_add_func ("/il/format/date-locale", test_date_locale);
  g_test_add_func ("/il/format/export-caption", test_export_caption);
  g_test_add_func ("/il/format/machine", test_machine);
  g_test_add_func ("/il/format/machine-date-locale", test_machine_date_locale);
  g_test_add_func ("/il/format/block-locale", test_block_locale);
  g_test_add_func ("/il/quiz/figures", test_quiz_figures);
  g_test_add_func ("/il/results/median-repetition", test_median_repetition);
  g_test_add_func ("/il/runner/expansion", test_run_expansion);

  return g_test_run ();
}
