/* test-ideal.c — where the charts' "ideal" reference applies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "il-ideal.h"
#include "il-results.h"

#include "il-test-utils.h"

/* Results with a sequential run of @tasks tasks that each last 100 ms,
 * @blocked_ms of them blocked, on a machine of @cores cores. */
static IlResults *
synthetic (guint  cores,
           gint64 blocked_ms,
           guint  tasks)
{
  IlResults    *results = il_results_new ();
  IlRunResult  *run = il_run_result_new ();
  IlRepetition *rep = il_repetition_new ();

  results->machine.cores = cores;
  run->executor = IL_EXECUTOR_SEQUENTIAL;
  run->label = g_strdup ("sequential");
  for (guint i = 0; i < tasks; i++)
    {
      IlTaskRecord rec = { 0 };

      rec.start_us = i * 100000;
      rec.end_us = (i + 1) * 100000;
      {
        IlStateTimes st = il_task_record_state (&rec);

        st.valid = TRUE;
        st.blocked = blocked_ms * 1000;
        st.running = (100 - blocked_ms) * 1000;
        il_task_record_set_state (&rec, &st);
      }
      g_array_append_val (rep->tasks, rec);
    }
  rep->makespan_ms = 100.0 * tasks;
  g_ptr_array_add (run->repetitions, rep);
  run->summary.makespan_ms.median = 100.0 * tasks;
  g_ptr_array_add (results->runs, run);
  return results;
}

static void
test_cpu_bound (void)
{
  g_autoptr(IlResults) results = synthetic (2, 5, 4);
  IlIdeal ideal;

  il_ideal_compute (results, NULL, &ideal);
  g_assert_cmpint (ideal.kind, ==, IL_IDEAL_APPLIES);
  g_assert_cmpuint (ideal.cores, ==, 2);
  g_assert_cmpfloat_with_epsilon (ideal.cpu_share, 0.95, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_ideal_makespan_ms (&ideal), 200.0, 1e-9);
  /* Speedup S = n up to the cores, and no further. */
  g_assert_cmpfloat_with_epsilon (il_ideal_speedup (&ideal, 1), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_ideal_speedup (&ideal, 2), 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_ideal_speedup (&ideal, 8), 2.0, 1e-9);
  g_assert_null (il_ideal_explain (&ideal));
}

static void
test_affinity (void)
{
  g_autoptr(IlResults) results = synthetic (8, 0, 4);
  g_autoptr(GArray) one = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) three = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *why = NULL;
  IlIdeal          ideal;
  guint            core = 0;

  g_array_append_val (one, core);
  il_ideal_compute (results, one, &ideal);
  g_assert_cmpint (ideal.kind, ==, IL_IDEAL_ONE_CORE);
  g_assert_cmpuint (ideal.cores, ==, 1);
  g_assert_true (isnan (il_ideal_makespan_ms (&ideal)));
  g_assert_true (isnan (il_ideal_speedup (&ideal, 2)));
  why = il_ideal_explain (&ideal);
  g_assert_nonnull (strstr (why, "one core"));

  for (core = 0; core < 3; core++)
    g_array_append_val (three, core);
  il_ideal_compute (results, three, &ideal);
  g_assert_cmpint (ideal.kind, ==, IL_IDEAL_APPLIES);
  g_assert_cmpuint (ideal.cores, ==, 3);
  g_assert_cmpfloat_with_epsilon (il_ideal_speedup (&ideal, 8), 3.0, 1e-9);
}

static void
test_io_bound (void)
{
  g_autoptr(IlResults) results = synthetic (2, 90, 4);
  g_autofree char *why = NULL;
  IlIdeal          ideal;

  il_ideal_compute (results, NULL, &ideal);
  g_assert_cmpint (ideal.kind, ==, IL_IDEAL_NOT_CPU_BOUND);
  g_assert_true (isnan (il_ideal_makespan_ms (&ideal)));
  why = il_ideal_explain (&ideal);
  g_assert_nonnull (strstr (why, "90 %"));
}

static void
test_no_baseline (void)
{
  g_autoptr(IlResults) results = synthetic (2, 0, 4);
  g_autofree char *why = NULL;
  IlIdeal          ideal;

  ((IlRunResult *) g_ptr_array_index (results->runs, 0))->executor = IL_EXECUTOR_THREADS;
  il_ideal_compute (results, NULL, &ideal);
  g_assert_cmpint (ideal.kind, ==, IL_IDEAL_NO_BASELINE);
  why = il_ideal_explain (&ideal);
  g_assert_nonnull (why);
}

/* Real runs: the kernel's accounting tells a sleeping baseline from a
 * computing one. */
static void
test_measured (void)
{
  g_autoptr(IlExperiment) io = il_test_load ("{ \"interleave\": 1, \"name\": \"io\","
                                              "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 30 } ] } ],"
                                              "  \"runs\": [ { \"executor\": \"sequential\" } ],"
                                              "  \"settings\": { \"repetitions\": 1 } }");
  g_autoptr(IlExperiment) cpu = il_test_load ("{ \"interleave\": 1, \"name\": \"cpu\","
                                               "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 } ] } ],"
                                               "  \"runs\": [ { \"executor\": \"sequential\" } ],"
                                               "  \"settings\": { \"repetitions\": 1 } }");
  g_autoptr(IlResults) io_results = il_test_run (io, NULL, NULL);
  g_autoptr(IlResults) cpu_results = il_test_run (cpu, NULL, NULL);
  IlIdeal ideal;

  il_ideal_compute (io_results, NULL, &ideal);
  if (isnan (ideal.cpu_share))
    {
      g_test_skip ("no per-thread state accounting (schedstat) here");
      return;
    }
  g_test_message ("sleeping baseline: %.0f %% wanting the CPU", 100 * ideal.cpu_share);
  g_assert_cmpint (ideal.kind, ==, ideal.cores > 1 ? IL_IDEAL_NOT_CPU_BOUND : IL_IDEAL_ONE_CORE);
  il_ideal_compute (cpu_results, NULL, &ideal);
  g_test_message ("computing baseline: %.0f %% wanting the CPU", 100 * ideal.cpu_share);
  g_assert_cmpint (ideal.kind, ==, ideal.cores > 1 ? IL_IDEAL_APPLIES : IL_IDEAL_ONE_CORE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/il/ideal/cpu-bound", test_cpu_bound);
  g_test_add_func ("/il/ideal/affinity", test_affinity);
  g_test_add_func ("/il/ideal/io-bound", test_io_bound);
  g_test_add_func ("/il/ideal/no-baseline", test_no_baseline);
  g_test_add_func ("/il/ideal/measured", test_measured);
  return g_test_run ();
}
