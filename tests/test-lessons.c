/* test-lessons.c — the lessons' examples (issue 11) make their claims on
 * this machine, and each quiz's answer is what the measurement says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the context-switch case is timed (a cost per switch in µs, within
 * generous bounds): it is a timing case. Lost updates need the two threads to overlap (or
 * one to be preempted between a read and its write); on a shared machine a
 * repetition can run its threads one after the other, so such a claim is
 * measured again, up to ATTEMPTS times, before the test fails.
 */
#include "config.h"

#include <math.h>

#include "il-examples.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

#define ATTEMPTS 3

static IlExperiment *
example (const char *name)
{
  g_autoptr(GError) error = NULL;
  IlExperiment *exp = il_example_load (name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (exp);
  g_assert_nonnull (exp->quiz);
  return exp;
}

/* Runs @exp; no task may fail. */
static IlResults *
run (IlExperiment *exp)
{
  IlResults *results = il_test_run (exp, NULL, NULL);

  for (guint r = 0; r < results->runs->len; r++)
    g_assert_cmpuint (il_test_run_at (results, r)->summary.failed_tasks, ==, 0);
  return results;
}

static const IlRunResult *
run_of (const IlResults *results,
        IlExecutorKind   executor)
{
  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *rr = g_ptr_array_index (results->runs, r);

      if (rr->executor == executor)
        return rr;
    }
  g_assert_not_reached ();
}

/* The largest loss over the run's repetitions; checks the records. */
static gint64
max_lost (const IlRunResult *rr,
          gint64             expected)
{
  gint64 lost = 0;

  g_assert_cmpuint (rr->repetitions->len, >, 0);
  for (guint i = 0; i < rr->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);

      g_assert_true (rep->has_counter);
      g_assert_cmpint (rep->counter_expected, ==, expected);
      g_assert_cmpint (rep->counter_final, <=, expected);
      lost = MAX (lost, rep->counter_expected - rep->counter_final);
    }
  return lost;
}

/* Concurrency is structure: every executor, shuffled order, one checksum. */
static void
test_structure (void)
{
  g_autoptr(IlExperiment) exp = example ("structure");
  g_autoptr(IlResults) results = run (exp);
  const char *checksum = NULL;
  gboolean    same = TRUE;
  gboolean    executors[IL_N_EXECUTORS] = { FALSE };

  g_assert_cmpint (exp->settings.order, ==, IL_ORDER_SHUFFLED);
  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *rr = g_ptr_array_index (results->runs, r);

      executors[rr->executor] = TRUE;
      for (guint i = 0; i < rr->repetitions->len; i++)
        {
          const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);

          g_assert_nonnull (rep->checksum);
          if (checksum == NULL)
            checksum = rep->checksum;
          else if (!g_str_equal (checksum, rep->checksum))
            same = FALSE;
        }
    }
  /* Every executor that runs on any machine: the mpi executor needs Open
   * MPI, so the built-in lesson leaves it out (test-mpi holds it to the
   * same checksum). */
  for (guint e = 0; e < IL_N_EXECUTORS; e++)
    g_assert_true (executors[e] || e == IL_EXECUTOR_MPI);
  g_assert_true (same);
  /* "are all the same" */
  g_assert_cmpuint (exp->quiz->answer, ==, same ? 0 : 1);
}

/* Shared state under threads: sequential loses nothing, threads lose. */
static void
test_shared_state (void)
{
  g_autoptr(IlExperiment) exp = example ("shared-state");
  gint64 expected = il_experiment_count_increments (exp);
  gint64 lost = 0;

  g_assert_cmpint (expected, ==, 8000000);
  for (guint attempt = 0; attempt < ATTEMPTS && lost == 0; attempt++)
    {
      g_autoptr(IlResults) results = run (exp);

      g_assert_cmpint (max_lost (run_of (results, IL_EXECUTOR_SEQUENTIAL), expected), ==, 0);
      lost = max_lost (run_of (results, IL_EXECUTOR_THREADS), expected);
      g_test_message ("attempt %u: threads lost up to %" G_GINT64_FORMAT, attempt + 1, lost);
    }
  g_assert_cmpint (lost, >, 0);
  /* "less than 8,000,000" */
  g_assert_cmpuint (exp->quiz->answer, ==, 1);
}

/* With the lock: nothing lost, and the threads wait for it. */
static void
test_shared_state_lock (void)
{
  g_autoptr(IlExperiment) exp = example ("shared-state-lock");
  gint64 expected = il_experiment_count_increments (exp);
  gint64 lock_wait = 0;

  for (guint attempt = 0; attempt < ATTEMPTS && lock_wait == 0; attempt++)
    {
      g_autoptr(IlResults) results = run (exp);
      const IlRunResult *threads = run_of (results, IL_EXECUTOR_THREADS);

      g_assert_cmpint (max_lost (run_of (results, IL_EXECUTOR_SEQUENTIAL), expected), ==, 0);
      g_assert_cmpint (max_lost (threads, expected), ==, 0);
      for (guint i = 0; i < threads->repetitions->len; i++)
        {
          const IlRepetition *rep = g_ptr_array_index (threads->repetitions, i);

          for (guint t = 0; t < rep->tasks->len; t++)
            lock_wait += il_task_record_state (&g_array_index (rep->tasks, IlTaskRecord, t)).lock_wait;
        }
      g_test_message ("attempt %u: lock wait %" G_GINT64_FORMAT " µs", attempt + 1, lock_wait);
    }
  g_assert_cmpint (lock_wait, >, 0);
  /* "none; they wait for the lock" */
  g_assert_cmpuint (exp->quiz->answer, ==, 0);
}

/* Cooperative is safer: the event loop loses nothing, in every repetition. */
static void
test_cooperative_counter (void)
{
  g_autoptr(IlExperiment) exp = example ("cooperative-counter");
  g_autoptr(IlResults) results = run (exp);
  gint64 expected = il_experiment_count_increments (exp);

  g_assert_cmpint (max_lost (run_of (results, IL_EXECUTOR_ASYNC), expected), ==, 0);
  /* "none" */
  g_assert_cmpuint (exp->quiz->answer, ==, 0);
}

/* Processes don't share memory: the parent's counter reads 0, the workers'
 * own counts add up to every increment. */
static void
test_processes_memory (void)
{
  g_autoptr(IlExperiment) exp = example ("processes-memory");
  g_autoptr(IlResults) results = run (exp);
  const IlRunResult *processes = run_of (results, IL_EXECUTOR_PROCESSES);
  gint64             expected = il_experiment_count_increments (exp);

  for (guint i = 0; i < processes->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (processes->repetitions, i);
      gint64              sum = 0;

      g_assert_cmpint (rep->counter_expected, ==, expected);
      g_assert_cmpint (rep->counter_final, ==, 0);
      g_assert_nonnull (rep->counter_per_worker);
      g_assert_cmpuint (rep->counter_per_worker->len, ==, processes->workers);
      for (guint w = 0; w < rep->counter_per_worker->len; w++)
        sum += g_array_index (rep->counter_per_worker, gint64, w);
      g_assert_cmpint (sum, ==, expected);
    }
  /* "0" */
  g_assert_cmpuint (exp->quiz->answer, ==, 0);
}

/* The cost of a context switch: on one core, four yielding threads switch
 * at (nearly) every yield, as the kernel counts it, and one switch costs
 * between 0.1 and 100 µs; run one after another, the same yields find
 * nothing to switch to, so the kernel's counts grow with the threads that
 * take turns, not with the calls alone. */
static void
test_context_switch (void)
{
  g_autoptr(IlExperiment) exp = example ("context-switch");
  gint64   yields = il_experiment_count_yields (exp);
  gboolean claim = FALSE;

  g_assert_cmpint (yields, ==, 80000);
  g_assert_nonnull (exp->settings.cpu_affinity);
  g_assert_cmpuint (exp->settings.cpu_affinity->len, ==, 1);
  for (guint attempt = 0; attempt < ATTEMPTS && !claim; attempt++)
    {
      g_autoptr(IlResults) results = run (exp);
      const IlRunResult *threads = run_of (results, IL_EXECUTOR_THREADS);
      const IlRunResult *sequential = run_of (results, IL_EXECUTOR_SEQUENTIAL);

      claim = TRUE;
      for (guint i = 0; i < threads->repetitions->len; i++)
        {
          const IlRepetition *rep = g_ptr_array_index (threads->repetitions, i);
          const IlRepetition *seq = g_ptr_array_index (sequential->repetitions,
                                                       MIN (i, sequential->repetitions->len - 1));
          gint64              switches = rep->yield.voluntary + rep->yield.involuntary;
          gint64              seq_switches = seq->yield.voluntary + seq->yield.involuntary;
          double              us = il_yield_record_us_per_switch (&rep->yield);

          g_assert_true (rep->has_yield);
          g_assert_true (seq->has_yield);
          g_assert_cmpint (rep->yield.yields, ==, yields);
          g_assert_cmpint (seq->yield.yields, ==, yields);
          /* The yield blocks' switches are part of the repetition's. */
          g_assert_cmpint (switches, <=, rep->ctx_voluntary + rep->ctx_involuntary);
          g_test_message ("attempt %u: threads %" G_GINT64_FORMAT " switches for %" G_GINT64_FORMAT
                          " yields, %.3f µs each; sequential %" G_GINT64_FORMAT " switches",
                          attempt + 1, switches, yields, us, seq_switches);
          if (switches < yields / 2 || seq_switches * 4 > switches || isnan (us) || us < 0.1 ||
              us > 100.0)
            claim = FALSE;
        }
    }
  g_assert_true (claim);
  /* "around a microsecond, or a few" */
  g_assert_cmpuint (exp->quiz->answer, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/lessons/structure", test_structure);
  g_test_add_func ("/il/lessons/shared-state", test_shared_state);
  g_test_add_func ("/il/lessons/shared-state-lock", test_shared_state_lock);
  g_test_add_func ("/il/lessons/cooperative-counter", test_cooperative_counter);
  g_test_add_func ("/il/lessons/processes-memory", test_processes_memory);
  g_test_add_func ("/il/lessons/context-switch", test_context_switch);

  return g_test_run ();
}
