/* test-executors.c — every executor computes the same result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md's first lesson: concurrent fragments give the same result in any
 * order. The same workload under sequential, threads, threads with the GIL,
 * processes (pool and per task) and async must print the same checksum.
 */
#include "config.h"

#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"

static void
check_same_checksum (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_experiment_load_data (json, -1, "same.interleave", &error);
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  const char *first = NULL;

  g_assert_no_error (error);
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  g_assert_cmpuint (results->runs->len, ==, exp->runs->len);

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      g_test_message ("%-28s %s", run->label, run->summary.checksum);
      g_assert_cmpuint (run->summary.failed_tasks, ==, 0);
      g_assert_nonnull (run->summary.checksum);
      g_assert_cmpstr (run->summary.checksum, !=, "mismatch");
      if (first == NULL)
        first = run->summary.checksum;
      else if (!g_str_equal (first, run->summary.checksum))
        g_error ("%s computed %s, the sequential run %s", run->label, run->summary.checksum, first);
    }
}

static void
test_cpu_mixed (void)
{
  check_same_checksum (
    "{ \"interleave\": 1, \"name\": \"same\","
    "  \"tasks\": [ { \"name\": \"a\", \"repeat\": 6, \"blocks\": ["
    "                 { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3 },"
    "                 { \"type\": \"sleep\", \"ms\": 3 },"
    "                 { \"type\": \"cpu\", \"kernel\": \"primes\", \"units\": 2 } ] },"
    "               { \"name\": \"b\", \"repeat\": 5, \"payload_bytes\": 65536, \"blocks\": ["
    "                 { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 2 },"
    "                 { \"type\": \"cpu\", \"kernel\": \"matmul\", \"units\": 2 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" },"
    "              { \"executor\": \"threads\", \"workers\": 3 },"
    "              { \"executor\": \"threads\", \"workers\": 2, \"gil\": true, \"switch_interval_ms\": 1 },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"pool\" },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\" },"
    "              { \"executor\": \"async\" },"
    "              { \"executor\": \"async\", \"cpu_slice_units\": 1 } ],"
    "  \"settings\": { \"repetitions\": 2, \"order\": \"shuffled\" } }");
}

static void
test_with_io (void)
{
  check_same_checksum (
    "{ \"interleave\": 1, \"name\": \"same with I/O\","
    "  \"tasks\": [ { \"repeat\": 4, \"blocks\": ["
    "                 { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 },"
    "                 { \"type\": \"http\", \"delay_ms\": 2, \"bytes\": 100 },"
    "                 { \"type\": \"file-write\", \"bytes\": 65536 },"
    "                 { \"type\": \"file-read\", \"bytes\": 65536 },"
    "                 { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" },"
    "              { \"executor\": \"threads\", \"workers\": 2 },"
    "              { \"executor\": \"threads\", \"workers\": 2, \"gil\": true },"
    "              { \"executor\": \"processes\", \"workers\": 2 },"
    "              { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\" },"
    "              { \"executor\": \"async\" } ] }");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/executors/same-checksum", test_cpu_mixed);
  g_test_add_func ("/il/executors/same-checksum-io", test_with_io);

  return g_test_run ();
}
