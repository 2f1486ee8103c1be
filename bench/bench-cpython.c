/* bench-cpython.c — what the cpython engine adds per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same empty tasks (one `sleep 0 ms` block: time.sleep(0) on a thread,
 * await asyncio.sleep(0) on the loop), measured in one run:
 *  - bare: the same interpreter running them on a plain
 *    concurrent.futures.ThreadPoolExecutor of the same size, and as
 *    asyncio tasks gathered on one loop, timed inside the interpreter
 *    (start-up excluded, like the engine's, which starts before the
 *    repetition's clock);
 *  - engine: the cpython engine's threads and async runs of the same tasks,
 *    recording and reporting included (makespan of one repetition, after
 *    one warm-up repetition in the same interpreter: the engine keeps one
 *    interpreter for every repetition of a run, as the bare script runs
 *    its asyncio tasks in the process its ThreadPoolExecutor warmed).
 *  - fresh: the asyncio tasks alone in an interpreter of their own, beside
 *    the engine's first repetition without a warm-up (a fresh interpreter
 *    too): memory not yet faulted in costs both (on this VM a page fault
 *    costs ~16 µs, a large share of an empty task).
 * The ratio is the engine's cost per task over the bare one's (the target
 * is ≤ 1.5×: recording must not dominate). Best of several rounds, since a
 * shared machine only ever adds time.
 *
 * Usage: bench-cpython [TASKS [WORKERS [ROUNDS]]]
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "il-cpython.h"
#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"

static const char *const bare_script =
  "import asyncio, sys, time\n"
  "from concurrent.futures import ThreadPoolExecutor\n"
  "n, workers = int(sys.argv[1]), int(sys.argv[2])\n"
  "def task(i):\n"
  "    time.sleep(0)\n"
  "    return i\n"
  "t0 = time.perf_counter()\n"
  "with ThreadPoolExecutor(workers) as pool:\n"
  "    for _ in pool.map(task, range(n)):\n"
  "        pass\n"
  "threads_us = (time.perf_counter() - t0) * 1e6 / n\n"
  "async def atask(i):\n"
  "    await asyncio.sleep(0)\n"
  "    return i\n"
  "async def main():\n"
  "    t0 = time.perf_counter()\n"
  "    await asyncio.gather(*(atask(i) for i in range(n)))\n"
  "    return (time.perf_counter() - t0) * 1e6 / n\n"
  "async_us = asyncio.run(main())\n"
  "print(threads_us, async_us)\n";

static const char *const fresh_script =
  "import asyncio, sys, time\n"
  "n = int(sys.argv[1])\n"
  "async def atask(i):\n"
  "    await asyncio.sleep(0)\n"
  "    return i\n"
  "async def main():\n"
  "    t0 = time.perf_counter()\n"
  "    await asyncio.gather(*(atask(i) for i in range(n)))\n"
  "    return (time.perf_counter() - t0) * 1e6 / n\n"
  "print(asyncio.run(main()))\n";

/* Runs a bare script (@argv) and returns what it printed; NULL, said on
 * standard error, when it failed. */
static char *
run_script (const char *const *argv,
            const char        *what)
{
  char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("%s run failed: %s\n", what, error->message);
      g_free (out);
      return NULL;
    }
  return out;
}

static gboolean
fresh_us (const char *python,
          guint       tasks,
          double     *async_us)
{
  g_autofree char *n = g_strdup_printf ("%u", tasks);
  const char      *argv[] = { python, "-I", "-c", fresh_script, n, NULL };
  g_autofree char *out = run_script (argv, "fresh");

  return out != NULL && sscanf (out, "%lf", async_us) == 1;
}

static gboolean
bare_us (const char *python,
         guint       tasks,
         guint       workers,
         double     *threads_us,
         double     *async_us)
{
  g_autofree char *n = g_strdup_printf ("%u", tasks);
  g_autofree char *w = g_strdup_printf ("%u", workers);
  const char      *argv[] = { python, "-I", "-c", bare_script, n, w, NULL };
  g_autofree char *out = run_script (argv, "bare");

  return out != NULL && sscanf (out, "%lf %lf", threads_us, async_us) == 2;
}

static double
engine_us (guint       tasks,
           guint       warmup,
           const char *run_json)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"bench\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ %s ], \"settings\": { \"warmup\": %u, \"repetitions\": 1 } }",
    tasks, run_json, warmup);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_experiment_load_data (json, -1, "bench.interleave", &error);
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  const IlRunResult *run;

  g_assert_no_error (error);
  runner = il_runner_new (exp, NULL);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  run = g_ptr_array_index (results->runs, 0);
  g_assert_cmpuint (run->summary.failed_tasks, ==, 0);
  return run->summary.makespan_ms.median * 1000.0 / tasks;
}

int
main (int   argc,
      char *argv[])
{
  guint            tasks = argc > 1 ? (guint) atoi (argv[1]) : 5000;
  guint            workers = argc > 2 ? (guint) atoi (argv[2]) : 2;
  guint            rounds = argc > 3 ? (guint) atoi (argv[3]) : 3;
  g_autofree char *python = NULL;
  g_autofree char *version = NULL;
  g_autofree char *threads_run = NULL;
  g_autoptr(GError) error = NULL;
  double      best_bare_t = G_MAXDOUBLE, best_bare_a = G_MAXDOUBLE;
  double      best_eng_t = G_MAXDOUBLE, best_eng_a = G_MAXDOUBLE;
  double      best_fresh_a = G_MAXDOUBLE, best_cold_a = G_MAXDOUBLE;
  const char *async_run = "{ \"executor\": \"async\", \"engine\": \"cpython\" }";

  setlocale (LC_ALL, "");
  if (!il_cpython_find (&python, &version, &error))
    {
      g_print ("skipped: %s\n", error->message);
      return 77;
    }
  threads_run = g_strdup_printf ("{ \"executor\": \"threads\", \"workers\": %u, \"engine\": \"cpython\" }", workers);
  for (guint r = 0; r < rounds; r++)
    {
      double bt, ba, fa;

      if (!bare_us (python, tasks, workers, &bt, &ba) || !fresh_us (python, tasks, &fa))
        return 1;
      best_fresh_a = MIN (best_fresh_a, fa);
      best_bare_t = MIN (best_bare_t, bt);
      best_bare_a = MIN (best_bare_a, ba);
      best_eng_t = MIN (best_eng_t, engine_us (tasks, 1, threads_run));
      best_eng_a = MIN (best_eng_a, engine_us (tasks, 1, async_run));
      best_cold_a = MIN (best_cold_a, engine_us (tasks, 0, async_run));
    }

  g_print ("Python %s (%s), %u empty tasks, best of %u rounds (the engine after one warm-up "
           "repetition)\n",
           version, python, tasks, rounds);
  g_print ("threads ×%u: ThreadPoolExecutor %.1f µs/task, cpython engine %.1f µs/task: %.2f×\n",
           workers, best_bare_t, best_eng_t, best_eng_t / best_bare_t);
  g_print ("async:      asyncio.gather   %.1f µs/task, cpython engine %.1f µs/task: %.2f×\n",
           best_bare_a, best_eng_a, best_eng_a / best_bare_a);
  g_print ("async, fresh interpreters: asyncio.gather %.1f µs/task, cpython engine's first repetition "
           "%.1f µs/task: %.2f×\n",
           best_fresh_a, best_cold_a, best_cold_a / best_fresh_a);
  return 0;
}
