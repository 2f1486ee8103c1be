/* test-cpython-reuse.c — one interpreter for every repetition of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cpython engine keeps its interpreter from one repetition of a run to
 * the next (warm-ups included), as a Python program timing a batch several
 * times does, and each repetition starts as in a fresh one: the same
 * process answers every repetition, and every repetition's counter,
 * checksum and tasks are what the first one's are. The runner ends it when
 * it is done. An interpreter that falls silent fails its repetition's
 * tasks, and the next repetition gets a fresh one; so does a repetition
 * whose kept interpreter died while it waited.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>

#include "il-cpython.h"
#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-test-utils.h"

static const IlRepetition *
rep_of (const IlResults *results,
        guint            run,
        guint            rep)
{
  const IlRunResult *rr;

  g_assert_cmpuint (results->runs->len, >, run);
  rr = g_ptr_array_index (results->runs, run);
  g_assert_cmpuint (rr->repetitions->len, >, rep);
  return g_ptr_array_index (rr->repetitions, rep);
}

/* The pids that started tasks of run @run in repetition @rep (warm-ups
 * included), from the run's events. */
static GHashTable *
task_pids (GArray *events,
           guint   run,
           guint   rep)
{
  GHashTable *pids = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < events->len; i++)
    {
      const IlEvent *ev = &g_array_index (events, IlEvent, i);

      if (ev->kind == IL_EVENT_TASK_START && ev->run == run && ev->rep == rep)
        g_hash_table_add (pids, GINT_TO_POINTER ((gint) ev->task_start.pid));
    }
  return pids;
}

static gint
only_pid (GHashTable *pids)
{
  GHashTableIter iter;
  gpointer       pid = NULL;

  g_assert_cmpuint (g_hash_table_size (pids), ==, 1);
  g_hash_table_iter_init (&iter, pids);
  g_assert_true (g_hash_table_iter_next (&iter, &pid, NULL));
  return GPOINTER_TO_INT (pid);
}

static void
assert_gone (pid_t pid)
{
  g_assert_cmpint (kill (pid, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

static void
assert_no_children (void)
{
  g_autofree char *children = NULL;

  if (g_file_get_contents ("/proc/thread-self/children", &children, NULL, NULL))
    g_assert_cmpstr (g_strstrip (children), ==, "");
}

/* ---- one interpreter, every repetition alike ----------------------------- */

/* Every repetition (the warm-up and two counted ones) is run by the same
 * interpreter process (its pid in every TASK_START: under processes the
 * interpreter's, which hands the tasks to its children), and each counts
 * from 0 to the same final value, with the native checksum (CPU, sleep,
 * HTTP, file blocks and, under processes, payloads) and every task there
 * and finished. Afterwards the interpreter is gone. */
static void
test_same_interpreter (gconstpointer data)
{
  const char      *executor = data;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"reuse\","
    "  \"tasks\": [ { \"repeat\": 12, \"payload_bytes\": 4096,"
    "                \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 },"
    "                            { \"type\": \"counter\", \"increments\": 500, \"lock\": true },"
    "                            { \"type\": \"sleep\", \"ms\": 1 },"
    "                            { \"type\": \"http\", \"delay_ms\": 2, \"bytes\": 1024 },"
    "                            { \"type\": \"file-write\", \"bytes\": 8192 },"
    "                            { \"type\": \"file-read\", \"bytes\": 8192 } ] } ],"
    "  \"runs\": [ { \"executor\": \"%s\", %s \"engine\": \"cpython\" }, { \"executor\": \"sequential\" } ],"
    "  \"settings\": { \"repetitions\": 2, \"warmup\": 1 } }",
    executor, g_str_equal (executor, "threads") || g_str_equal (executor, "processes") ? "\"workers\": 2," : "");
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlEventQueue) queue = il_event_queue_new (1 << 16);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(IlResults) results = NULL;
  gint pid = 0;

  if (!il_test_need_cpython ())
    return;
  exp = il_test_load (json);
  results = il_test_run (exp, queue, NULL);
  il_event_queue_drain (queue, events, 0);
  g_assert_cmpuint (il_event_queue_get_dropped (queue), ==, 0);

  for (guint rep = 0; rep < 3; rep++)
    {
      g_autoptr(GHashTable) pids = task_pids (events, 0, rep);
      gint here = only_pid (pids);

      g_test_message ("%s: repetition %u ran in pid %d", executor, rep, here);
      if (rep == 0)
        pid = here;
      g_assert_cmpint (here, ==, pid);
    }
  for (guint rep = 0; rep < 2; rep++)
    {
      const IlRepetition *r = rep_of (results, 0, rep);
      const IlRepetition *native = rep_of (results, 1, 0);

      g_assert_false (r->cancelled);
      g_assert_cmpuint (r->failed_tasks, ==, 0);
      g_assert_cmpuint (r->tasks->len, ==, 12);
      g_assert_cmpuint (native->failed_tasks, ==, 0);
      g_assert_cmpstr (r->checksum, ==, native->checksum);
      g_assert_true (r->has_counter);
      g_assert_cmpint (r->counter_expected, ==, 12 * 500);
      if (!g_str_equal (executor, "processes"))
        g_assert_cmpint (r->counter_final, ==, 12 * 500);
      else
        {
          gint64 sum = 0;

          g_assert_nonnull (r->counter_per_worker);
          for (guint w = 0; w < r->counter_per_worker->len; w++)
            sum += g_array_index (r->counter_per_worker, gint64, w);
          g_assert_cmpint (sum, ==, 12 * 500);
        }
      /* Its own usage over the repetition (DONE), not its whole life's. */
      g_assert_cmpfloat (r->cpu_user_ms + r->cpu_sys_ms, >, 0.0);
      for (guint i = 0; i < r->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (r->tasks, IlTaskRecord, i);

          g_assert_false (t->failed);
          g_assert_cmpint (t->start_us, >=, 0);
          g_assert_cmpint (t->end_us, >=, t->start_us);
          g_assert_cmpuint (t->n_blocks, ==, 6);
        }
    }
  /* The runner ended it. */
  assert_gone (pid);
  assert_no_children ();
}

/* ---- failures: the next repetition gets a fresh interpreter ------------- */

typedef struct
{
  IlExperiment *exp;
  IlEventQueue *events;
  IlResults    *results;
  gint          done;
} Run;

static gpointer
run_thread (gpointer data)
{
  Run *r = data;

  r->results = il_test_run (r->exp, r->events, NULL);
  g_atomic_int_set (&r->done, 1);
  return NULL;
}

/* Waits (up to 60 s) for an event of @kind in run @run, repetition @rep;
 * keeps every event drained in @got. */
static const IlEvent *
wait_event (IlEventQueue *queue,
            GArray       *got,
            IlEventKind   kind,
            guint         run,
            guint         rep)
{
  for (gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;;)
    {
      guint from = got->len;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      il_event_queue_drain (queue, got, 0);
      for (guint i = from; i < got->len; i++)
        {
          const IlEvent *ev = &g_array_index (got, IlEvent, i);

          if (ev->kind == kind && ev->run == run && ev->rep == rep)
            return ev;
        }
      g_usleep (5000);
    }
}

/* An interpreter stopped in the first repetition is declared lost after
 * the silence timeout (1 s: the second repetition's must not fall silent
 * on a busy machine): that repetition's tasks fail saying so, and the
 * second repetition runs, every task of it, in a fresh interpreter. */
static void
test_fresh_after_silence (void)
{
  static const char json[] =
    "{ \"interleave\": 1, \"name\": \"stops\","
    "  \"tasks\": [ { \"repeat\": 2, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1000 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" } ],"
    "  \"settings\": { \"repetitions\": 2, \"warmup\": 0 } }";
  g_autoptr(IlEventQueue) queue = il_event_queue_new (4096);
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(GHashTable) second = NULL;
  const IlRepetition *rep;
  Run                 r = { 0 };
  GThread            *thread;
  pid_t               pid;

  if (!il_test_need_cpython ())
    return;
  g_setenv ("IL_WORKER_TIMEOUT_MS", "1000", TRUE);
  r.exp = il_test_load (json);
  r.events = queue;
  thread = g_thread_new ("run", run_thread, &r);
  pid = wait_event (queue, got, IL_EVENT_TASK_START, 0, 0)->task_start.pid;
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  g_thread_join (thread);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");
  il_event_queue_drain (queue, got, 0);

  rep = rep_of (r.results, 0, 0);
  g_assert_cmpuint (rep->failed_tasks, ==, 2);
  for (guint i = 0; i < rep->tasks->len; i++)
    g_assert_nonnull (strstr (il_task_record_error (&g_array_index (rep->tasks, IlTaskRecord, i)), "stopped responding for 1 s"));
  rep = rep_of (r.results, 0, 1);
  g_assert_false (rep->cancelled);
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
  g_assert_cmpuint (rep->tasks->len, ==, 2);
  second = task_pids (got, 0, 1);
  g_assert_cmpint (only_pid (second), !=, pid);
  assert_gone (pid);
  assert_gone (only_pid (second));
  assert_no_children ();
  il_results_free (r.results);
  il_experiment_free (r.exp);
}

/* A kept interpreter killed while another run measures (the runs
 * interleaved) does not answer its next HELLO: that repetition starts a
 * fresh one, and none of its tasks fails. */
static void
test_fresh_after_death (void)
{
  static const char json[] =
    "{ \"interleave\": 1, \"name\": \"dies\","
    "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 300 } ] } ],"
    "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 4, \"engine\": \"cpython\" },"
    "              { \"executor\": \"threads\", \"workers\": 2 } ],"
    "  \"settings\": { \"repetitions\": 2, \"warmup\": 0, \"order\": \"interleaved\" } }";
  g_autoptr(IlEventQueue) queue = il_event_queue_new (4096);
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  Run      r = { 0 };
  GThread *thread;
  pid_t    pid;

  if (!il_test_need_cpython ())
    return;
  r.exp = il_test_load (json);
  r.events = queue;
  thread = g_thread_new ("run", run_thread, &r);
  /* The native run's first repetition (~600 ms) runs while the
   * interpreter waits for its second. */
  wait_event (queue, got, IL_EVENT_REP_START, 1, 0);
  first = task_pids (got, 0, 0);
  pid = only_pid (first);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_thread_join (thread);
  il_event_queue_drain (queue, got, 0);

  for (guint rep = 0; rep < 2; rep++)
    {
      g_assert_cmpuint (rep_of (r.results, 0, rep)->failed_tasks, ==, 0);
      g_assert_cmpuint (rep_of (r.results, 0, rep)->tasks->len, ==, 4);
    }
  second = task_pids (got, 0, 1);
  g_assert_cmpint (only_pid (second), !=, pid);
  assert_gone (pid);
  assert_no_children ();
  il_results_free (r.results);
  il_experiment_free (r.exp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Debian's interpreter is the reference, as in test-cpython. */
  if (g_getenv ("INTERLEAVE_PYTHON") == NULL && g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    g_setenv ("INTERLEAVE_PYTHON", "/usr/bin/python3", TRUE);

  g_test_add_data_func ("/il/cpython-reuse/same-interpreter/sequential", "sequential", test_same_interpreter);
  g_test_add_data_func ("/il/cpython-reuse/same-interpreter/threads", "threads", test_same_interpreter);
  g_test_add_data_func ("/il/cpython-reuse/same-interpreter/processes", "processes", test_same_interpreter);
  g_test_add_data_func ("/il/cpython-reuse/same-interpreter/async", "async", test_same_interpreter);
  g_test_add_func ("/il/cpython-reuse/fresh-after-silence", test_fresh_after_silence);
  g_test_add_func ("/il/cpython-reuse/fresh-after-death", test_fresh_after_death);
  return g_test_run ();
}
