/* test-stats.c — descriptive statistics and run summaries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "il-format.h"
#include "il-results.h"
#include "il-stats.h"

#define EPS 1e-9

static void
test_stats_empty (void)
{
  IlStats s;

  il_stats_compute (NULL, 0, &s);
  g_assert_true (isnan (s.median));
  g_assert_true (isnan (s.min));
  g_assert_true (isnan (s.max));
  g_assert_true (isnan (s.mean));
  g_assert_true (isnan (s.stddev));
  g_assert_true (isnan (il_stats_cv (&s)));
  g_assert_true (isnan (il_stats_median (NULL, 0)));
  g_assert_true (isnan (il_stats_percentile (NULL, 0, 50.0)));
}

static void
test_stats_one (void)
{
  const double v[] = { 4.5 };
  IlStats      s;

  il_stats_compute (v, 1, &s);
  g_assert_cmpfloat (s.median, ==, 4.5);
  g_assert_cmpfloat (s.min, ==, 4.5);
  g_assert_cmpfloat (s.max, ==, 4.5);
  g_assert_cmpfloat (s.mean, ==, 4.5);
  g_assert_cmpfloat (s.stddev, ==, 0.0);
  g_assert_cmpfloat (il_stats_cv (&s), ==, 0.0);
  g_assert_cmpfloat (il_stats_percentile (v, 1, 0.0), ==, 4.5);
  g_assert_cmpfloat (il_stats_percentile (v, 1, 95.0), ==, 4.5);
  g_assert_cmpfloat (il_stats_percentile (v, 1, 100.0), ==, 4.5);
}

static void
test_stats_two (void)
{
  const double v[] = { 3.0, 1.0 };
  IlStats      s;

  il_stats_compute (v, 2, &s);
  g_assert_cmpfloat_with_epsilon (s.median, 2.0, EPS);
  g_assert_cmpfloat (s.min, ==, 1.0);
  g_assert_cmpfloat (s.max, ==, 3.0);
  g_assert_cmpfloat_with_epsilon (s.mean, 2.0, EPS);
  /* sqrt (((1 − 2)² + (3 − 2)²) / 1) */
  g_assert_cmpfloat_with_epsilon (s.stddev, sqrt (2.0), EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_cv (&s), sqrt (2.0) / 2.0, EPS);
  /* h = (n − 1) p = 0.25 → 1 + 0.25 × 2 */
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 2, 25.0), 1.5, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 2, 95.0), 2.9, EPS);
  /* The caller's array is not reordered. */
  g_assert_cmpfloat (v[0], ==, 3.0);
}

static void
test_stats_many (void)
{
  /* Sorted: 1 2 3 4 5 6 7 8 9 10 */
  const double v[] = { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 };
  double       copy[G_N_ELEMENTS (v)];
  IlStats      s;

  memcpy (copy, v, sizeof v);
  il_stats_compute (v, G_N_ELEMENTS (v), &s);
  g_assert_cmpmem (copy, sizeof copy, v, sizeof v);

  g_assert_cmpfloat_with_epsilon (s.median, 5.5, EPS);
  g_assert_cmpfloat (s.min, ==, 1.0);
  g_assert_cmpfloat (s.max, ==, 10.0);
  g_assert_cmpfloat_with_epsilon (s.mean, 5.5, EPS);
  /* Σ (x − 5.5)² = 82.5; / 9 */
  g_assert_cmpfloat_with_epsilon (s.stddev, sqrt (82.5 / 9.0), EPS);

  /* R-7 (numpy's default): h = 9 p / 100 */
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 10, 0.0), 1.0, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 10, 100.0), 10.0, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 10, 50.0), 5.5, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 10, 95.0), 9.55, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 10, 90.0), 9.1, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_percentile (v, 10, 10.0), 1.9, EPS);
  g_assert_cmpfloat_with_epsilon (il_stats_median (v, 10), 5.5, EPS);

  /* Odd count: the middle value. */
  g_assert_cmpfloat_with_epsilon (il_stats_median (v, 9), 6.0, EPS); /* 1 2 3 5 6 7 8 9 10 */
}

static void
test_stats_precision (void)
{
  /* A small spread on a large mean: the naive one-pass formula loses it. */
  const double v[] = { 1e9 + 1, 1e9 + 2, 1e9 + 3 };
  IlStats      s;

  il_stats_compute (v, 3, &s);
  g_assert_cmpfloat_with_epsilon (s.stddev, 1.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (s.mean, 1e9 + 2, 1e-6);
}

static void
test_stats_cv_zero_mean (void)
{
  IlStats s = { 0.0, -1.0, 1.0, 0.0, 1.0 };

  g_assert_true (isnan (il_stats_cv (&s)));
}

/* Synthetic run: 2 workers on 2 cores, three repetitions of 4 tasks. */

static IlRepetition *
make_repetition (double       makespan_ms,
                 const char  *checksum,
                 double       user_ms,
                 gint64       ctx_vol,
                 const gint64 latencies_us[4],
                 gboolean     fail_last)
{
  IlRepetition *rep = g_new0 (IlRepetition, 1);

  rep->makespan_ms = makespan_ms;
  rep->checksum = g_strdup (checksum);
  rep->cpu_user_ms = user_ms;
  rep->cpu_sys_ms = user_ms / 10.0;
  rep->ctx_voluntary = ctx_vol;
  rep->ctx_involuntary = ctx_vol * 2;
  rep->overhead_cpu_ms = 1.0;
  rep->tasks = g_array_new (FALSE, TRUE, sizeof (IlTaskRecord));

  for (guint i = 0; i < 4; i++)
    {
      IlTaskRecord rec = { 0 };

      rec.index = i;
      rec.queued_us = 1000 * i;
      rec.start_us = rec.queued_us + 10;
      rec.end_us = rec.queued_us + latencies_us[i];
      rec.failed = fail_last && i == 3;
      g_array_append_val (rep->tasks, rec);
    }
  rep->failed_tasks = fail_last ? 1 : 0;

  return rep;
}

static void
free_repetition (gpointer data)
{
  IlRepetition *rep = data;

  g_free (rep->checksum);
  g_array_unref (rep->tasks);
  g_free (rep);
}

static IlRunResult *
make_run (void)
{
  IlRunResult *run = g_new0 (IlRunResult, 1);
  const gint64 lat_a[4] = { 1000, 2000, 3000, 4000 };
  const gint64 lat_b[4] = { 5000, 6000, 7000, 8000 };
  const gint64 lat_c[4] = { 9000, 10000, 11000, 99000 };

  run->workers = 2;
  run->repetitions = g_ptr_array_new_with_free_func (free_repetition);
  g_ptr_array_add (run->repetitions, make_repetition (100.0, "00000000000000aa", 150.0, 10, lat_a, FALSE));
  g_ptr_array_add (run->repetitions, make_repetition (80.0, "00000000000000aa", 170.0, 30, lat_b, FALSE));
  /* The last task failed: its 99 ms latency must not count. */
  g_ptr_array_add (run->repetitions, make_repetition (90.0, "00000000000000aa", 160.0, 21, lat_c, TRUE));

  return run;
}

static void
free_run (IlRunResult *run)
{
  g_free (run->summary.checksum);
  g_ptr_array_unref (run->repetitions);
  g_free (run);
}

static void
test_summary_speedup (void)
{
  IlRunResult *run = make_run ();
  IlSummary   *s = &run->summary;

  il_run_result_summarize (run, 180.0, 2);

  g_assert_cmpfloat_with_epsilon (s->makespan_ms.median, 90.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.min, 80.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.max, 100.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.mean, 90.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.stddev, 10.0, EPS);

  g_assert_cmpfloat_with_epsilon (s->speedup, 2.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->efficiency, 1.0, EPS);
  /* 4 tasks in 0.09 s */
  g_assert_cmpfloat_with_epsilon (s->throughput_per_s, 4.0 / 0.090, 1e-6);

  /* Latencies 1 … 11 ms (the failed task excluded): mean 6, p50 6,
   * p95: h = 10 × 0.95 = 9.5 → 10.5 */
  g_assert_cmpfloat_with_epsilon (s->latency_mean_ms, 6.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->latency_p50_ms, 6.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->latency_p95_ms, 10.5, EPS);

  g_assert_cmpfloat_with_epsilon (s->cpu_user_ms, 160.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->cpu_sys_ms, 16.0, EPS);
  g_assert_cmpint (s->ctx_voluntary, ==, 21);
  g_assert_cmpint (s->ctx_involuntary, ==, 42);
  g_assert_cmpfloat_with_epsilon (s->overhead_cpu_ms, 1.0, EPS);
  g_assert_cmpstr (s->checksum, ==, "00000000000000aa");
  g_assert_cmpuint (s->failed_tasks, ==, 1);

  /* More workers than cores: efficiency is against the cores. */
  run->workers = 8;
  il_run_result_summarize (run, 180.0, 2);
  g_assert_cmpfloat_with_epsilon (s->efficiency, 1.0, EPS);
  il_run_result_summarize (run, 180.0, 4);
  g_assert_cmpfloat_with_epsilon (s->efficiency, 0.5, EPS);

  free_run (run);
}

static void
test_summary_no_baseline (void)
{
  IlRunResult *run = make_run ();

  il_run_result_summarize (run, NAN, 2);
  g_assert_true (isnan (run->summary.speedup));
  g_assert_true (isnan (run->summary.efficiency));
  g_assert_cmpfloat_with_epsilon (run->summary.makespan_ms.median, 90.0, EPS);

  free_run (run);
}

static void
test_summary_mismatch (void)
{
  IlRunResult  *run = make_run ();
  IlRepetition *rep = g_ptr_array_index (run->repetitions, 1);

  /* Summarizing twice replaces the previous checksum string. */
  il_run_result_summarize (run, 180.0, 2);
  g_assert_cmpstr (run->summary.checksum, ==, "00000000000000aa");

  g_free (rep->checksum);
  rep->checksum = g_strdup ("00000000000000bb");
  il_run_result_summarize (run, 180.0, 2);
  g_assert_cmpstr (run->summary.checksum, ==, "mismatch");

  free_run (run);
}

static void
test_summary_empty (void)
{
  IlRunResult *run = g_new0 (IlRunResult, 1);

  run->workers = 1;
  run->repetitions = g_ptr_array_new_with_free_func (free_repetition);
  il_run_result_summarize (run, 100.0, 2);

  g_assert_true (isnan (run->summary.makespan_ms.median));
  g_assert_true (isnan (run->summary.speedup));
  g_assert_true (isnan (run->summary.latency_mean_ms));
  g_assert_null (run->summary.checksum);
  g_assert_cmpuint (run->summary.failed_tasks, ==, 0);

  free_run (run);
}

/* A repetition cut off by Stop: a short makespan (when it stopped), a
 * different checksum (fewer tasks) and its cut-off task "failed". It counts
 * in none of the figures. */
static void
test_summary_cancelled (void)
{
  IlRunResult     *run = make_run ();
  const gint64     lat[4] = { 500, 600, 700, 800 };
  IlRepetition    *cut = make_repetition (5.0, "00000000000000cc", 10.0, 1, lat, TRUE);
  IlSummary       *s = &run->summary;
  g_autofree char *checksum = NULL;
  g_autofree char *makespan = NULL;
  g_autofree char *note = NULL;
  guint            cancelled = 0;

  cut->cancelled = TRUE;
  g_ptr_array_add (run->repetitions, cut);

  il_run_result_summarize (run, 180.0, 2);
  /* As without it: median 90, min 80 (not 5), max 100; no mismatch. */
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.median, 90.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.min, 80.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->makespan_ms.max, 100.0, EPS);
  g_assert_cmpfloat_with_epsilon (s->cpu_user_ms, 160.0, EPS);
  g_assert_cmpstr (s->checksum, ==, "00000000000000aa");
  /* Only the counted repetition's failure, not the cut-off task. */
  g_assert_cmpuint (s->failed_tasks, ==, 1);
  g_assert_cmpuint (il_run_result_count_repetitions (run, &cancelled), ==, 3);
  g_assert_cmpuint (cancelled, ==, 1);
  g_assert_cmpfloat_with_epsilon (il_run_result_median_makespan (run), 90.0, EPS);
  g_assert_true (il_run_result_median_repetition (run) != cut);
  g_assert_true (il_task_record_is_cancelled (cut, &g_array_index (cut->tasks, IlTaskRecord, 3)));
  g_assert_false (il_task_record_is_cancelled (cut, &g_array_index (cut->tasks, IlTaskRecord, 0)));
  g_assert_false (il_task_record_is_cancelled (g_ptr_array_index (run->repetitions, 2),
                                               &g_array_index (((IlRepetition *) g_ptr_array_index (run->repetitions, 2))->tasks,
                                                               IlTaskRecord, 3)));

  checksum = il_results_format_cell (run, IL_RESULTS_COLUMN_CHECKSUM);
  g_assert_cmpstr (checksum, ==, "00000000000000aa");
  makespan = il_results_format_cell (run, IL_RESULTS_COLUMN_MAKESPAN);
  g_assert_nonnull (strstr (makespan, "80.0 ms–100 ms"));
  note = il_format_cancelled_repetitions (run);
  g_assert_cmpstr (note, ==, "1 repetition cancelled, not counted");

  free_run (run);
}

/* Stopped in its first repetition: nothing counts, nothing failed, and
 * the checksum cell says so. */
static void
test_summary_only_cancelled (void)
{
  IlRunResult     *run = g_new0 (IlRunResult, 1);
  const gint64     lat[4] = { 500, 600, 700, 800 };
  IlRepetition    *cut = make_repetition (5.0, "00000000000000cc", 10.0, 1, lat, TRUE);
  g_autofree char *checksum = NULL;
  g_autofree char *makespan = NULL;
  g_autofree char *note = NULL;
  g_autofree char *switches = NULL;

  run->workers = 1;
  run->repetitions = g_ptr_array_new_with_free_func (free_repetition);
  cut->cancelled = TRUE;
  g_ptr_array_add (run->repetitions, cut);

  il_run_result_summarize (run, NAN, 2);
  g_assert_true (isnan (run->summary.makespan_ms.median));
  g_assert_null (run->summary.checksum);
  g_assert_cmpuint (run->summary.failed_tasks, ==, 0);
  g_assert_true (isnan (il_run_result_median_makespan (run)));
  /* Still shown by what it did before Stop. */
  g_assert_true (il_run_result_median_repetition (run) == cut);

  checksum = il_results_format_cell (run, IL_RESULTS_COLUMN_CHECKSUM);
  g_assert_cmpstr (checksum, ==, "cancelled");
  makespan = il_results_format_cell (run, IL_RESULTS_COLUMN_MAKESPAN);
  g_assert_cmpstr (makespan, ==, IL_FORMAT_NONE);
  switches = il_results_format_cell (run, IL_RESULTS_COLUMN_CONTEXT_SWITCHES);
  g_assert_cmpstr (switches, ==, IL_FORMAT_NONE);
  note = il_format_cancelled_repetitions (run);
  g_assert_null (note);

  free_run (run);
}

/* Every column explains itself, in the words the header tooltip and the
 * CLI's help use. */
static void
test_column_descriptions (void)
{
  for (guint c = 0; c < IL_N_RESULTS_COLUMNS; c++)
    {
      const char *text = il_results_column_description (c);

      g_assert_nonnull (text);
      g_assert_cmpuint (strlen (text), >, 20);
      g_assert_nonnull (strchr (text, ':'));
    }
  g_assert_true (g_str_has_prefix (il_results_column_description (IL_RESULTS_COLUMN_CONTEXT_SWITCHES),
                                   "Context switches: voluntary / involuntary"));
}

static void
test_wrap (void)
{
  g_autofree char *a = il_format_wrap ("one two three four", 9);
  g_autofree char *b = il_format_wrap ("short\nlines stay", 40);
  g_autofree char *c = il_format_wrap ("a verylongwordindeed b", 5);
  g_autofree char *d = il_format_wrap ("ä ö ü ß", 3);

  g_assert_cmpstr (a, ==, "one two\nthree\nfour");
  g_assert_cmpstr (b, ==, "short\nlines stay");
  g_assert_cmpstr (c, ==, "a\nverylongwordindeed\nb");
  /* Characters, not bytes. */
  g_assert_cmpstr (d, ==, "ä ö\nü ß");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/stats/empty", test_stats_empty);
  g_test_add_func ("/il/stats/one", test_stats_one);
  g_test_add_func ("/il/stats/two", test_stats_two);
  g_test_add_func ("/il/stats/many", test_stats_many);
  g_test_add_func ("/il/stats/precision", test_stats_precision);
  g_test_add_func ("/il/stats/cv-zero-mean", test_stats_cv_zero_mean);
  g_test_add_func ("/il/summary/speedup", test_summary_speedup);
  g_test_add_func ("/il/summary/no-baseline", test_summary_no_baseline);
  g_test_add_func ("/il/summary/mismatch", test_summary_mismatch);
  g_test_add_func ("/il/summary/empty", test_summary_empty);
  g_test_add_func ("/il/summary/cancelled", test_summary_cancelled);
  g_test_add_func ("/il/summary/only-cancelled", test_summary_only_cancelled);
  g_test_add_func ("/il/format/column-descriptions", test_column_descriptions);
  g_test_add_func ("/il/format/wrap", test_wrap);

  return g_test_run ();
}
