/* bench-dispatch-processes.c — what the processes executor adds per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two comparisons against raw primitives, for tiny tasks (one `sleep 0 ms`
 * block, which does no work):
 *  - pool: a task's round trip to a running worker (TASK out, events and
 *    RESULT back, recording included) against a one-byte round trip through
 *    a pipe to a running child (`cat`);
 *  - per-task: a task's spawn (spawn call → the worker's READY) against a
 *    posix_spawn + waitpid of spawn-minimal, a binary that needs only libc
 *    (and /bin/true beside it); and, to separate the worker's own start-up
 *    (loading GLib, GIO, libsoup…) from ours, a bare spawn of
 *    interleave-worker up to its READY;
 *  - Python's ProcessPoolExecutor: round trip of one empty task, and
 *    throughput.
 * Best of several rounds, since a shared machine only ever adds time; the
 * last line is the figures as JSON.
 *
 * Usage: bench-dispatch-processes [TASKS [SPAWNS [ROUNDS]]]
 */
#include "config.h"

#include <locale.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "il-experiment.h"
#include "il-protocol.h"
#include "il-results.h"
#include "il-run-private.h"
#include "il-runner.h"

#include "bench-python.h"

extern char **environ;

char *il_processes_find_worker (GError **error);

static pid_t
spawn_piped (const char *path,
             int        *to_child,
             int        *from_child,
             gboolean    use_socket)
{
  posix_spawn_file_actions_t actions;
  char                      *argv[] = { (char *) path, NULL };
  int                        in[2], out[2];
  pid_t                      pid;

  posix_spawn_file_actions_init (&actions);
  if (use_socket)
    {
      /* One socketpair on both stdin and stdout, as the executor does. */
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0)
        g_error ("socketpair: %s", g_strerror (errno));
      posix_spawn_file_actions_adddup2 (&actions, in[1], 0);
      posix_spawn_file_actions_adddup2 (&actions, in[1], 1);
    }
  else
    {
      if (pipe2 (in, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0)
        g_error ("pipe: %s", g_strerror (errno));
      posix_spawn_file_actions_adddup2 (&actions, in[0], 0);
      posix_spawn_file_actions_adddup2 (&actions, out[1], 1);
    }
  if (posix_spawn (&pid, path, &actions, NULL, argv, environ) != 0)
    g_error ("cannot start %s", path);
  posix_spawn_file_actions_destroy (&actions);
  if (use_socket)
    {
      close (in[1]);
      *to_child = in[0];
      *from_child = dup (in[0]);
    }
  else
    {
      close (in[0]);
      close (out[1]);
      *to_child = in[1];
      *from_child = out[0];
    }
  return pid;
}

/* One byte there and back through pipes to a running `cat`, µs. */
static double
raw_round_trip_us (guint    n,
                   gboolean use_socket)
{
  int    to, from, status;
  pid_t  pid = spawn_piped ("/bin/cat", &to, &from, use_socket);
  char   c = 'x';
  gint64 t0;
  double us;

  /* Warm up: the child is running and has its buffers. */
  if (write (to, &c, 1) != 1 || read (from, &c, 1) != 1)
    g_error ("cat does not echo");
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    if (write (to, &c, 1) != 1 || read (from, &c, 1) != 1)
      g_error ("cat stopped echoing");
  us = (double) (g_get_monotonic_time () - t0) / n;
  close (to);
  close (from);
  waitpid (pid, &status, 0);
  return us;
}

/* posix_spawn + waitpid of @path, µs: spawn-minimal (a binary that needs
 * only libc and returns) is the cheapest process start; /bin/true beside
 * it. */
static double
raw_spawn_us (const char *path)
{
  char  *argv[] = { (char *) path, NULL };
  gint64 t0 = g_get_monotonic_time ();
  pid_t  pid;
  int    status;

  if (posix_spawn (&pid, path, NULL, NULL, argv, environ) != 0)
    g_error ("cannot start %s", path);
  waitpid (pid, &status, 0);
  return (double) (g_get_monotonic_time () - t0);
}

/* interleave-worker from spawn to READY, µs: its own start-up. */
static double
worker_ready_us (const char *worker)
{
  g_autoptr(GByteArray) hello = g_byte_array_new ();
  IlProtoHello h = { 0 };
  guint8       header[IL_PROTOCOL_HEADER_SIZE];
  int          to, from, status;
  gint64       t0 = g_get_monotonic_time ();
  pid_t        pid = spawn_piped (worker, &to, &from, FALSE);
  double       us;
  gsize        got = 0;

  h.pid = (guint32) getpid ();
  h.heartbeat_ms = 1000;
  il_protocol_write_hello (hello, IL_FRAME_HELLO, &h);
  if (write (to, hello->data, hello->len) != (ssize_t) hello->len)
    g_error ("cannot greet the worker");
  while (got < sizeof header)
    {
      ssize_t n = read (from, header + got, sizeof header - got);

      if (n <= 0)
        g_error ("the worker did not answer");
      got += (gsize) n;
    }
  us = (double) (g_get_monotonic_time () - t0);
  close (to);
  close (from);
  waitpid (pid, &status, 0);
  return us;
}

/* The same task's body run in-process (il_task_execute: the block plus
 * its recording), µs: what a worker does per task besides talking. */
static double
task_body_us (guint n)
{
  g_autoptr(IlTaskGroup) def = il_task_group_new ();
  IlBlock *block = il_block_new (IL_BLOCK_SLEEP);
  gint64   t0;

  block->ms = 0;
  g_ptr_array_set_size (def->blocks, 0);
  g_ptr_array_add (def->blocks, block);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      IlTaskEnv    env = { 0 };
      IlTaskRecord rec = { 0 };

      env.def = def;
      env.flat = i;
      env.t0 = t0;
      il_task_execute (&env, &rec);
      il_task_record_clear (&rec);
    }
  return (double) (g_get_monotonic_time () - t0) / n;
}

static gint
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return values->len == 0 ? NAN : g_array_index (values, double, values->len / 2);
}

static IlRepetition *
run_tiny (guint       tasks,
          const char *spawn,
          IlResults **keep)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
    "{ \"interleave\": 1, \"name\": \"bench\","
    "  \"tasks\": [ { \"repeat\": %u, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 1, \"spawn\": \"%s\" } ] }",
    tasks, spawn);
  g_autoptr(IlExperiment) exp = il_experiment_load_data (json, -1, "bench", &error);
  g_autoptr(IlRunner) runner = NULL;
  IlRunResult *rr;

  g_assert_no_error (error);
  runner = il_runner_new (exp, NULL);
  *keep = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  rr = g_ptr_array_index ((*keep)->runs, 0);
  return g_ptr_array_index (rr->repetitions, 0);
}

int
main (int    argc,
      char **argv)
{
  guint tasks = argc > 1 ? (guint) atoi (argv[1]) : 5000;
  guint spawns = argc > 2 ? (guint) atoi (argv[2]) : 100;
  guint rounds = argc > 3 ? (guint) atoi (argv[3]) : 5;
  g_autoptr(GError) error = NULL;
  g_autofree char *worker = il_processes_find_worker (&error);
  double           body = G_MAXDOUBLE, raw_sock = G_MAXDOUBLE, raw_rt = G_MAXDOUBLE, pool_rt = G_MAXDOUBLE, pool_task = G_MAXDOUBLE;
  double           raw_true = G_MAXDOUBLE;
  g_autofree char *py = NULL;
  double           raw_sp = G_MAXDOUBLE, worker_sp = G_MAXDOUBLE, task_sp = G_MAXDOUBLE, task_total = G_MAXDOUBLE;

  /* µ and × in the figures need the user's (UTF-8) locale. */
  setlocale (LC_ALL, "");

  g_assert_no_error (error);
  tasks = MAX (tasks, 2);
  spawns = MAX (spawns, 1);
  rounds = MAX (rounds, 1);

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(IlResults) pool_results = NULL;
      g_autoptr(IlResults) per_task_results = NULL;
      g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) spawn_times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) per_task_durations = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) raw_t = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (double));
      IlRepetition       *rep;
      const IlTaskRecord *first, *last;

      raw_rt = MIN (raw_rt, raw_round_trip_us (tasks, FALSE));
      raw_sock = MIN (raw_sock, raw_round_trip_us (tasks, TRUE));
      body = MIN (body, task_body_us (tasks));

      /* Pool: the steady state, from the first task's start to the last
       * one's end, so that the pool's start-up is not in it. */
      rep = run_tiny (tasks, "pool", &pool_results);
      first = &g_array_index (rep->tasks, IlTaskRecord, 0);
      last = &g_array_index (rep->tasks, IlTaskRecord, rep->tasks->len - 1);
      pool_rt = MIN (pool_rt, (double) (last->end_us - first->start_us) / rep->tasks->len);
      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, i);
          double              d = (double) (rec->end_us - rec->start_us);

          g_array_append_val (durations, d);
        }
      pool_task = MIN (pool_task, median (durations));

      for (guint i = 0; i < spawns; i++)
        {
          double a = raw_spawn_us (SPAWN_MINIMAL);
          double b = worker_ready_us (worker);
          double c = raw_spawn_us ("/bin/true");

          g_array_append_val (raw, a);
          g_array_append_val (ready, b);
          g_array_append_val (raw_t, c);
        }
      raw_sp = MIN (raw_sp, median (raw));
      raw_true = MIN (raw_true, median (raw_t));
      worker_sp = MIN (worker_sp, median (ready));

      rep = run_tiny (spawns, "per-task", &per_task_results);
      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, i);
          double              s = (double) il_task_record_spawn_us (rec);
          double              d = (double) (rec->end_us - rec->start_us);

          g_array_append_val (spawn_times, s);
          g_array_append_val (per_task_durations, d);
        }
      task_sp = MIN (task_sp, median (spawn_times));
      task_total = MIN (task_total, median (per_task_durations));
    }

  py = bench_python_peers ("processes", tasks, 1, MIN (rounds, 3), NULL);

  g_print ("processes executor, tiny tasks (sleep 0 ms), best of %u rounds\n", rounds);
  g_print ("round trip to a running process (%u tasks):\n", tasks);
  g_print ("  raw pipe round trip to cat        %8.1f µs\n", raw_rt);
  g_print ("  raw socketpair round trip to cat   %8.1f µs  ×%.1f\n", raw_sock, raw_sock / raw_rt);
  g_print ("  pool, per task (steady state)     %8.1f µs  ×%.1f\n", pool_rt, pool_rt / raw_rt);
  g_print ("  pool, one task's start → end      %8.1f µs  ×%.1f\n", pool_task, pool_task / raw_rt);
  g_print ("  the task's body in-process        %8.1f µs  (il_task_execute: block + recording)\n", body);
  g_print ("  pool against raw round trip + body          ×%.1f\n", pool_rt / (raw_rt + body));
  g_print ("process start (%u spawns, medians):\n", spawns);
  g_print ("  raw posix_spawn of spawn-minimal  %8.1f µs  (libc only; /bin/true %.1f µs)\n", raw_sp, raw_true);
  g_print ("  interleave-worker spawn → READY   %8.1f µs  ×%.1f\n", worker_sp, worker_sp / raw_sp);
  g_print ("  per-task spawn_us (→ READY)       %8.1f µs  ×%.1f (×%.2f of the bare worker)\n",
           task_sp, task_sp / raw_sp, task_sp / worker_sp);
  g_print ("  per-task task start → end         %8.1f µs\n", task_total);
  g_print ("Python peers: %s\n", py);
  g_print ("{\"bench\": \"dispatch-processes\", \"tasks\": %u, \"spawns\": %u, \"rounds\": %u, "
           "\"raw_pipe_round_trip_us\": %.2f, \"raw_socketpair_round_trip_us\": %.2f, "
           "\"pool_per_task_us\": %.2f, \"pool_ratio\": %.3f, \"pool_task_start_end_us\": %.2f, "
           "\"task_body_us\": %.2f, \"pool_target\": 3, "
           "\"raw_spawn_minimal_us\": %.1f, \"raw_spawn_bin_true_us\": %.1f, \"worker_ready_us\": %.1f, "
           "\"per_task_spawn_us\": %.1f, \"spawn_ratio\": %.3f, \"spawn_target\": 1.5, \"python\": %s}\n",
           tasks, spawns, rounds, raw_rt, raw_sock, pool_rt, pool_rt / raw_rt, pool_task, body, raw_sp, raw_true,
           worker_sp, task_sp, task_sp / raw_sp, py);
  return 0;
}
