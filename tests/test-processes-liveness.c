/* test-processes-liveness.c — the processes executor's workers dying,
 * stopping and being killed: a lost worker costs only its own task, and no
 * worker is ever left behind (the executor itself is in
 * test-processes.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-kernels.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

static gint64 spin_units_100ms;

/* ---- helpers ---------------------------------------------------------- */

static gboolean
process_exists (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char      *close_paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* A zombie is gone for our purposes only once reaped; count it. */
  close_paren = strrchr (contents, ')');
  return close_paren != NULL;
}

typedef struct
{
  IlEventQueue *events;
  pid_t         killed;
  gboolean      stop;
  int           signo; /* 0: SIGKILL */
} Killer;

/* Waits until both workers run a task, then SIGKILLs one of them from
 * outside, as a user (or the OOM killer) would. */
static gpointer
killer_thread (gpointer data)
{
  Killer *k = data;
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  gboolean seen[2] = { FALSE, FALSE };
  gint64   deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!g_atomic_int_get (&k->stop) && g_get_monotonic_time () < deadline)
    {
      g_array_set_size (batch, 0);
      il_event_queue_drain (k->events, batch, 0);
      for (guint i = 0; i < batch->len; i++)
        {
          IlEvent *ev = &g_array_index (batch, IlEvent, i);

          if (ev->kind == IL_EVENT_TASK_START && ev->worker >= 0 && ev->worker < 2)
            seen[ev->worker] = TRUE;
        }
      if (seen[0] && seen[1])
        {
          g_autoptr(GArray) children = il_test_list_children (getpid ());

          g_assert_cmpuint (children->len, ==, 2);
          k->killed = g_array_index (children, pid_t, 0);
          kill (k->killed, k->signo != 0 ? k->signo : SIGKILL);
          return NULL;
        }
      g_usleep (2000);
    }
  return NULL;
}

static void
test_kill_worker (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"kill\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 10 },"
    "                                           { \"type\": \"sleep\", \"ms\": 150 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }");
  g_autoptr(IlEventQueue) events = il_event_queue_new (10000);
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GArray) children = NULL;
  g_autofree char *expect = NULL;
  Killer           k = { events, 0, FALSE };
  GThread         *thread;
  IlRepetition    *rep;
  guint            failed = 0;

  thread = g_thread_new ("killer", killer_thread, &k);
  results = il_test_run (exp, events, NULL);
  g_atomic_int_set (&k.stop, TRUE);
  g_thread_join (thread);
  g_assert_cmpint (k.killed, >, 0);

  rep = il_test_first_rep (results, 0);
  g_assert_false (rep->cancelled);
  g_assert_cmpuint (rep->tasks->len, ==, 6);
  expect = g_strdup_printf ("(pid %d) died: killed by signal 9", (int) k.killed);
  for (guint t = 0; t < rep->tasks->len; t++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

      if (rec->failed)
        {
          failed++;
          g_test_message ("failed task: %s", il_task_record_error (rec));
          g_assert_nonnull (il_task_record_error (rec));
          g_assert_nonnull (strstr (il_task_record_error (rec), expect));
        }
      else
        g_assert_cmpint (rec->pid, !=, k.killed);
    }
  /* Its task failed; the others finished on the survivor and a
   * replacement. */
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpuint (rep->failed_tasks, ==, 1);

  children = il_test_list_children (getpid ());
  g_assert_cmpuint (children->len, ==, 0);
  g_assert_false (process_exists (k.killed));
}

/* A SIGSTOPped worker sends nothing, not even a heartbeat: it is declared
 * lost after the silence timeout, killed and reaped, and only its task
 * fails; the run ends. */
static void
test_stopped_worker (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"stop\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 10 },"
    "                                           { \"type\": \"sleep\", \"ms\": 300 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }");
  g_autoptr(IlEventQueue) events = il_event_queue_new (10000);
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GArray) children = NULL;
  g_autofree char *expect = NULL;
  Killer           k = { events, 0, FALSE, SIGSTOP };
  GThread         *thread;
  IlRepetition    *rep;
  guint            failed = 0;

  g_setenv ("IL_WORKER_TIMEOUT_MS", "1000", TRUE);
  thread = g_thread_new ("stopper", killer_thread, &k);
  results = il_test_run (exp, events, NULL);
  g_atomic_int_set (&k.stop, TRUE);
  g_thread_join (thread);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");
  g_assert_cmpint (k.killed, >, 0);

  rep = il_test_first_rep (results, 0);
  g_assert_false (rep->cancelled);
  g_assert_cmpuint (rep->tasks->len, ==, 6);
  expect = g_strdup_printf ("(pid %d) stopped responding for 1 s", (int) k.killed);
  for (guint t = 0; t < rep->tasks->len; t++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

      if (rec->failed)
        {
          failed++;
          g_test_message ("failed task: %s", il_task_record_error (rec));
          if (strstr (il_task_record_error (rec), expect) == NULL)
            g_error ("“%s” does not say “%s”", il_task_record_error (rec), expect);
        }
      else
        g_assert_cmpint (rec->pid, !=, k.killed);
    }
  g_assert_cmpuint (failed, ==, 1);

  /* Killed and reaped: no process, not even a zombie, is left. */
  children = il_test_list_children (getpid ());
  g_assert_cmpuint (children->len, ==, 0);
  g_assert_false (process_exists (k.killed));
}

/* The heartbeat has a thread of its own: a CPU block several times longer
 * than the silence timeout never trips it. */
static void
test_long_cpu_block (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"long\","
    "  \"tasks\": [ { \"repeat\": 3, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 },"
    "             { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\" } ] }",
    spin_units_100ms * 12);
  g_autoptr(IlResults) results = NULL;

  /* 1.2 s of CPU per task against a 300 ms timeout. */
  g_setenv ("IL_WORKER_TIMEOUT_MS", "300", TRUE);
  results = il_test_run (exp, NULL, NULL);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");
  for (guint r = 0; r < 2; r++)
    {
      IlRepetition *rep = il_test_first_rep (results, r);

      g_assert_cmpuint (rep->tasks->len, ==, 3);
      for (guint t = 0; t < rep->tasks->len; t++)
        {
          IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

          if (rec->failed)
            g_error ("run %u task %u failed: %s", r, t, il_task_record_error (rec));
        }
    }
}

/* A timeout that is not a number of milliseconds is refused, by name. */
static void
test_bad_timeout (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"bad timeout\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\" } ] }");
  g_autoptr(IlRunner) runner = il_runner_new (exp, &(IlRunOptions){ 0 });
  g_autoptr(GError) error = NULL;
  IlResults *results;

  g_setenv ("IL_WORKER_TIMEOUT_MS", "3s", TRUE);
  results = il_runner_run (runner, NULL, &error);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");
  g_assert_null (results);
  g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  g_assert_nonnull (strstr (error->message, "IL_WORKER_TIMEOUT_MS"));
}

/* interleave-cli with a worker killed from outside: exit status 1 and no
 * worker left. */
static void
test_cli_kill_worker (void)
{
  const char *cli = g_getenv ("IL_CLI");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  const char *contents =
    "{ \"interleave\": 1, \"name\": \"cli kill\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 200 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }";
  pid_t          cli_pid, victim = 0;
  gint64         deadline;
  GHashTableIter iter;
  gpointer       key;

  if (cli == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }

  dir = g_dir_make_tmp ("il-processes-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "kill.interleave", NULL);
  json_path = g_build_filename (dir, "out.json", NULL);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           cli, "run", path, "--quiet", "--json", json_path, NULL);
  g_assert_no_error (error);
  cli_pid = (pid_t) atoi (g_subprocess_get_identifier (proc));

  /* Kill a worker once two are up and running tasks; keep noting the
   * CLI's children (the replacement too) until it exits. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (process_exists (cli_pid) && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) children = il_test_list_children (cli_pid);

      for (guint i = 0; i < children->len; i++)
        g_hash_table_add (seen, GINT_TO_POINTER (g_array_index (children, pid_t, i)));
      if (children->len == 2 && victim == 0)
        {
          g_usleep (80 * 1000);
          victim = g_array_index (children, pid_t, 0);
          kill (victim, SIGKILL);
        }
      g_usleep (2000);
    }
  g_assert_cmpint (victim, >, 0);

  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);

  /* Every worker the CLI ever had is gone. */
  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_false (process_exists (GPOINTER_TO_INT (key)));

  /* The results name the dead worker. */
  g_assert_true (g_file_get_contents (json_path, &json, NULL, &error));
  {
    g_autofree char *expect = g_strdup_printf ("(pid %d) died: killed by signal 9", (int) victim);

    if (strstr (json, expect) == NULL)
      g_error ("the results do not say “%s”", expect);
  }

  g_unlink (json_path);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  double ms_per_unit;

  g_test_init (&argc, &argv, NULL);

  ms_per_unit = il_kernel_calibrate (IL_KERNEL_SPIN, 100);
  spin_units_100ms = (gint64) CLAMP (round (100.0 / MAX (ms_per_unit, 1e-3)), 10, 2000);

  g_test_add_func ("/il/processes/kill-worker", test_kill_worker);
  g_test_add_func ("/il/processes/stopped-worker", test_stopped_worker);
  g_test_add_func ("/il/processes/long-cpu-block", test_long_cpu_block);
  g_test_add_func ("/il/processes/bad-timeout", test_bad_timeout);
  g_test_add_func ("/il/processes/cli-kill-worker", test_cli_kill_worker);

  return g_test_run ();
}
