/* bench-dispatch-async.c — what the async executor adds per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures for tiny tasks (one `sleep 0 ms` block, which does no work):
 *  - raw: g_idle_add-style dispatch of an empty callback on a GMainContext
 *    of a fresh thread (thread and context start included, like the
 *    executor's): the primitive;
 *  - raw timeout: the same with g_timeout_source_new (0), what a GSource
 *    per sleep would cost;
 *  - async: the async executor running the same number of tasks, recording
 *    included (makespan of one repetition, loop thread start included),
 *    without and with an event consumer;
 *  - its recording and scheduling cost per task (overhead_cpu_ms, the
 *    sampler's included).
 *  - Python's asyncio: the same number of coroutines awaiting sleep(0),
 *    gathered.
 * Best of several rounds, since a shared machine only ever adds time; the
 * last line is the figures as JSON.
 *
 * Usage: bench-dispatch-async [TASKS [ROUNDS]]
 */
#include "config.h"

#include <locale.h>

#include <stdlib.h>

#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"

#include "bench-python.h"

typedef struct
{
  guint    tasks;
  gboolean timeout;
  guint    done;
} RawData;

static gboolean
empty_cb (gpointer user_data)
{
  /* The cheapest body that cannot be optimised away. */
  ((RawData *) user_data)->done++;
  return G_SOURCE_REMOVE;
}

static gpointer
raw_thread (gpointer user_data)
{
  RawData      *data = user_data;
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < data->tasks; i++)
    {
      GSource *source = data->timeout ? g_timeout_source_new (0) : g_idle_source_new ();

      g_source_set_callback (source, empty_cb, data, NULL);
      g_source_attach (source, context);
      g_source_unref (source);
    }
  while (data->done < data->tasks)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static double
raw_us (guint    tasks,
        gboolean timeout)
{
  RawData data = { tasks, timeout, 0 };
  gint64  t0 = g_get_monotonic_time ();

  g_thread_join (g_thread_new ("raw", raw_thread, &data));
  g_assert_cmpuint (data.done, ==, tasks);
  return (double) (g_get_monotonic_time () - t0) / tasks;
}

static IlExperiment *
tiny_experiment (guint tasks)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"dispatch\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ],"
    "  \"settings\": { \"sample_hz\": 1 } }",
    tasks);
  IlExperiment *exp = il_experiment_load_data (json, -1, "bench", &error);

  if (exp == NULL)
    g_error ("%s", error->message);
  return exp;
}

static double
executor_us (IlExperiment *exp,
             guint         tasks,
             gboolean      with_events,
             double       *overhead_us,
             double       *call_us)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(IlEventQueue) events = with_events ? il_event_queue_new (0) : NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *rep;
  gint64              t0;

  options.events = events;
  runner = il_runner_new (exp, &options);
  /* A cancellable as the GUI and the CLI pass one: it is part of the cost. */
  t0 = g_get_monotonic_time ();
  results = il_runner_run (runner, cancellable, &error);
  *call_us = (double) (g_get_monotonic_time () - t0) / tasks;
  if (results == NULL)
    g_error ("%s", error->message);
  rep = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (results->runs, 0))->repetitions, 0);
  g_assert_cmpuint (rep->tasks->len, ==, tasks);
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
  *overhead_us = rep->overhead_cpu_ms * 1000.0 / tasks;
  return rep->makespan_ms * 1000.0 / tasks;
}

int
main (int   argc,
      char *argv[])
{
  guint tasks = argc > 1 ? (guint) atoi (argv[1]) : 20000;
  guint rounds = argc > 2 ? (guint) atoi (argv[2]) : 5;
  g_autoptr(IlExperiment) exp = NULL;
  double           raw = G_MAXDOUBLE, raw_timeout = G_MAXDOUBLE, as = G_MAXDOUBLE, as_ev = G_MAXDOUBLE;
  double           ovh = G_MAXDOUBLE, ovh_ev = G_MAXDOUBLE, call = G_MAXDOUBLE, call_ev = G_MAXDOUBLE;
  g_autofree char *py = NULL;

  /* µ and × in the figures need the user's (UTF-8) locale. */
  setlocale (LC_ALL, "");

  tasks = CLAMP (tasks, 100, 1000000);
  rounds = CLAMP (rounds, 1, 100);
  exp = tiny_experiment (tasks);

  for (guint r = 0; r < rounds; r++)
    {
      double o, c;

      raw = MIN (raw, raw_us (tasks, FALSE));
      raw_timeout = MIN (raw_timeout, raw_us (tasks, TRUE));
      as = MIN (as, executor_us (exp, tasks, FALSE, &o, &c));
      ovh = MIN (ovh, o);
      call = MIN (call, c);
      as_ev = MIN (as_ev, executor_us (exp, tasks, TRUE, &o, &c));
      ovh_ev = MIN (ovh_ev, o);
      call_ev = MIN (call_ev, c);
    }

  py = bench_python_peers ("asyncio", tasks, 1, MIN (rounds, 3), NULL);

  /* ASCII only: g_print converts to the locale's charset, and a C locale
   * would turn µ and × into question marks. */
  g_print ("async executor dispatch, %u tiny tasks (sleep 0 ms), best of %u\n", tasks, rounds);
  g_print ("  raw idle source dispatch (empty callback)   %8.3f us/task\n", raw);
  g_print ("  raw g_timeout_source_new (0) dispatch       %8.3f us/task  (%.2fx raw)\n",
           raw_timeout, raw_timeout / raw);
  g_print ("  async executor, no event consumer           %8.3f us/task  (%.2fx raw)\n", as, as / raw);
  g_print ("  async executor, with event queue            %8.3f us/task  (%.2fx raw)\n", as_ev, as_ev / raw);
  g_print ("  il_runner_run call, whole (no events)       %8.3f us/task  (%.3f with events)\n", call, call_ev);
  g_print ("  overhead_cpu_ms per task (sampler incl.)    %8.3f us (%.3f with events)\n", ovh, ovh_ev);
  g_print ("  Python peers: %s\n", py);
  g_print ("ratio %.2f (target <= 3)\n", as / raw);
  g_print ("{\"bench\": \"dispatch-async\", \"tasks\": %u, \"rounds\": %u, \"raw_idle_us\": %.4f, "
           "\"raw_timeout_us\": %.4f, \"async_us\": %.4f, \"async_ratio\": %.3f, \"async_events_us\": %.4f, "
           "\"async_events_ratio\": %.3f, \"overhead_cpu_us\": %.4f, \"target\": 3, \"python\": %s}\n",
           tasks, rounds, raw, raw_timeout, as, as / raw, as_ev, as_ev / raw, ovh, py);
  return 0;
}
