/* test-thread-clock.c — the per-thread clock that the executors record
 * states with (il-schedstat.h), and tiny tasks' states adding up with it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run twice by the test suite: once as the machine allows (with the switch
 * detector where perf events are allowed) and once with
 * --no-switch-detector (IL_NO_SWITCH_DETECTOR=1), so that both ways of
 * reading stay exact.
 */
#include "config.h"

#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-schedstat.h"
#include "il-test-utils.h"

static void
spin_us (gint64 us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < end)
    ;
}

/* Readings go forward, a thread that sleeps is not running, and one that
 * spins is running (or waiting for a CPU) all the while. */
static void
test_thread_clock_readings (void)
{
  IlThreadTimes a, b, c;
  gint64        slept_wall, slept_cpu, spun_wall, spun_cpu, spun_wait;

  g_test_message ("switch detector: %s", il_thread_switch_detector_available () ? "yes" : "no");
  il_thread_times_now (&a);
  g_usleep (20000);
  il_thread_times_now (&b);
  spin_us (20000);
  il_thread_times_now (&c);
  if (!a.valid)
    {
      g_test_skip ("no per-thread schedstat on this kernel");
      return;
    }
  g_assert_cmpint (b.wall_ns, >, a.wall_ns);
  g_assert_cmpint (c.wall_ns, >, b.wall_ns);
  g_assert_cmpint (b.cpu_ns, >=, a.cpu_ns);
  g_assert_cmpint (c.cpu_ns, >=, b.cpu_ns);
  g_assert_cmpint (b.wait_ns, >=, a.wait_ns);
  g_assert_cmpint (c.wait_ns, >=, b.wait_ns);

  slept_wall = b.wall_ns - a.wall_ns;
  slept_cpu = b.cpu_ns - a.cpu_ns;
  spun_wall = c.wall_ns - b.wall_ns;
  spun_cpu = c.cpu_ns - b.cpu_ns;
  spun_wait = c.wait_ns - b.wait_ns;
  g_test_message ("sleep: wall %" G_GINT64_FORMAT " µs, cpu %" G_GINT64_FORMAT " µs; "
                  "spin: wall %" G_GINT64_FORMAT " µs, cpu %" G_GINT64_FORMAT " µs, wait %" G_GINT64_FORMAT " µs",
                  slept_wall / 1000, slept_cpu / 1000, spun_wall / 1000, spun_cpu / 1000, spun_wait / 1000);
  /* Asleep: hardly any CPU (a synthesised reading would say all of it). */
  g_assert_cmpint (slept_cpu, <, slept_wall / 2);
  /* Spinning: on a CPU or in its run queue, never more than the wall. A
   * kernel reading takes the CPU clock before its schedstat read and the
   * wall clock after it, so the CPU interval may start that system call
   * earlier (measured 4 µs here, more on a loaded machine): 1 % of the
   * spin allows for it. */
  g_assert_cmpint (spun_cpu, <=, spun_wall + spun_wall / 100);
  g_assert_cmpint (spun_cpu + spun_wait, >=, spun_wall / 2);
}

/* The recording's own cost is never negative, even when the clock was
 * synthesised and then read from the kernel. */
static void
test_thread_clock_cpu_since (void)
{
  for (guint i = 0; i < 2000; i++)
    {
      IlThreadTimes t;

      il_thread_times_now (&t);
      if (i % 100 == 0)
        g_usleep (100);
      g_assert_cmpint (il_thread_times_cpu_since (&t), >=, 0);
    }
}

static void
check_adds_up (const IlRepetition *rep,
               guint               tasks)
{
  g_assert_cmpuint (rep->tasks->len, ==, tasks);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);
      gint64              wall = t->end_us - t->start_us;

      g_assert_false (t->failed);
      g_assert_true (il_task_record_state (t).valid);
      g_assert_cmpint (il_task_record_state (t).running, >=, 0);
      g_assert_cmpint (il_task_record_state (t).ready, >=, 0);
      g_assert_cmpint (il_task_record_state (t).blocked, >=, 0);
      g_assert_cmpint (il_task_record_state (t).running + il_task_record_state (t).ready + il_task_record_state (t).blocked + il_task_record_state (t).gil_wait +
                         il_task_record_state (t).lock_wait,
                       ==, wall);
      for (guint b = 0; b < t->n_blocks; b++)
        {
          const IlBlockRecord br_copy = il_task_record_block (t, b), *br = &br_copy;

          g_assert_cmpint (br->state.running + br->state.ready + br->state.blocked + br->state.gil_wait +
                             br->state.lock_wait,
                           ==, br->end_us - br->start_us);
        }
    }
}

/* 5000 `sleep 0` tasks, then CPU-bound ones, on the sequential executor
 * and on threads: every task's and block's states add up to its time, and
 * the repetition's resource use (read once per worker, not per task) is
 * there. */
static void
test_thread_clock_tiny_tasks (void)
{
  const char *executors[] = { "\"sequential\"", "\"threads\", \"workers\": 2" };

  for (guint e = 0; e < G_N_ELEMENTS (executors); e++)
    {
      g_autoptr(IlExperiment) tiny = il_test_loadf (
        "{ \"interleave\": 1, \"name\": \"tiny\","
        "  \"tasks\": [ { \"repeat\": 5000, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
        "  \"runs\": [ { \"executor\": %s } ] }",
        executors[e]);
      g_autoptr(IlExperiment) cpu = il_test_loadf (
        "{ \"interleave\": 1, \"name\": \"cpu\","
        "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 },"
        "                                        { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
        "  \"runs\": [ { \"executor\": %s } ] }",
        executors[e]);
      g_autoptr(IlResults) tiny_results = il_test_run (tiny, NULL, NULL);
      g_autoptr(IlResults) cpu_results = il_test_run (cpu, NULL, NULL);
      const IlRepetition *rep = il_test_first_rep (tiny_results, 0);

      if (!il_task_record_state (&g_array_index (rep->tasks, IlTaskRecord, 0)).valid)
        {
          g_test_skip ("no per-thread schedstat on this kernel");
          return;
        }
      check_adds_up (rep, 5000);
      rep = il_test_first_rep (cpu_results, 0);
      check_adds_up (rep, 4);
      g_test_message ("%s: user %.1f ms, sys %.1f ms, switches %" G_GINT64_FORMAT " + %" G_GINT64_FORMAT,
                      executors[e], rep->cpu_user_ms, rep->cpu_sys_ms, rep->ctx_voluntary,
                      rep->ctx_involuntary);
      /* The workers' resource use is read once each, at their end: it
       * covers the CPU the tasks were recorded running. */
      {
        gint64 running = 0;

        for (guint i = 0; i < rep->tasks->len; i++)
          running += il_task_record_state (&g_array_index (rep->tasks, IlTaskRecord, i)).running;
        g_assert_cmpfloat (rep->cpu_user_ms + rep->cpu_sys_ms, >=, running / 1000.0 * 0.5);
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  /* --no-switch-detector: the other way of reading (before any reading:
   * the choice is made once per process). */
  if (argc > 1 && g_strcmp0 (argv[argc - 1], "--no-switch-detector") == 0)
    {
      g_setenv ("IL_NO_SWITCH_DETECTOR", "1", TRUE);
      argv[--argc] = NULL;
    }
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/thread-clock/readings", test_thread_clock_readings);
  g_test_add_func ("/il/thread-clock/cpu-since", test_thread_clock_cpu_since);
  g_test_add_func ("/il/thread-clock/tiny-tasks", test_thread_clock_tiny_tasks);

  return g_test_run ();
}
