/* test-mpi.c — the mpi executor on Open MPI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Four ranks on this machine give the sequential run's checksum, and each
 * task's record names its rank and host, with its time in messages and the
 * job's start-up; a rank killed with SIGKILL ends the run with its task
 * failed (saying so) and leaves no process behind; a stopped mpirun is
 * declared lost after the silence timeout; Ctrl+C stops an mpi
 * run of the CLI with no mpirun, orted or rank left; without Open MPI an
 * mpi run is refused before anything runs (exit status 2). The tests that
 * need Open MPI skip, saying so, where mpirun or interleave-mpi-worker is
 * missing.
 *
 * "No process left" is checked as a child subreaper: the test process
 * inherits whatever the run orphans (ranks run in process groups of their
 * own), so any survivor shows up as its child.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "il-mpi.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-test-utils.h"

static gboolean
need_mpi (void)
{
  g_autoptr(GError) error = NULL;

  if (!il_mpi_available (&error))
    {
      g_autofree char *why = g_strdup_printf ("the mpi executor cannot run here: %s", error->message);

      g_test_skip (why);
      return FALSE;
    }
  return TRUE;
}

/* Reaps what the run orphaned to us (we are a subreaper), then lists what
 * is still alive: nothing, when the run cleaned up. */
static GArray *
survivors (void)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  for (;;)
    {
      GArray *left;
      pid_t   pid;

      while ((pid = waitpid (-1, NULL, WNOHANG)) > 0)
        ;
      left = il_test_list_children (getpid ());
      if (left->len == 0 || g_get_monotonic_time () > deadline)
        return left;
      g_array_unref (left);
      g_usleep (20 * 1000);
    }
}

static void
assert_no_survivors (void)
{
  g_autoptr(GArray) left = survivors ();

  for (guint i = 0; i < left->len; i++)
    {
      pid_t            pid = g_array_index (left, pid_t, i);
      g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) pid);
      g_autofree char *comm = NULL;

      g_file_get_contents (path, &comm, NULL, NULL);
      g_test_message ("left behind: pid %d (%s)", (int) pid, comm != NULL ? g_strstrip (comm) : "?");
    }
  g_assert_cmpuint (left->len, ==, 0);
}

/* ---- four ranks, the sequential checksum -------------------------------- */

static void
test_checksum (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *seq, *mpi;
  g_autoptr(GHashTable) ranks = g_hash_table_new (NULL, NULL);
  gboolean startup = FALSE;

  if (!need_mpi ())
    return;
  exp = il_test_load ("{ \"interleave\": 1, \"name\": \"mpi\","
                      "  \"tasks\": [ { \"repeat\": 12, \"payload_bytes\": 65536,"
                      "                 \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 20 },"
                      "                              { \"type\": \"sleep\", \"ms\": 20 } ] },"
                      "               { \"repeat\": 4, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 5 } ] } ],"
                      "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"mpi\", \"workers\": 4 } ] }");
  results = il_test_run (exp, NULL, NULL);
  seq = il_test_first_rep (results, 0);
  mpi = il_test_first_rep (results, 1);

  g_assert_cmpstr (il_test_run_at (results, 1)->label, ==, "mpi ×4");
  g_assert_cmpuint (mpi->failed_tasks, ==, 0);
  g_assert_cmpuint (mpi->tasks->len, ==, 16);
  g_assert_cmpstr (mpi->checksum, ==, seq->checksum);
  g_assert_cmpstr (mpi->checksum, !=, "0000000000000000");
  for (guint i = 0; i < mpi->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (mpi->tasks, IlTaskRecord, i);

      g_assert_nonnull (il_task_record_host (t));
      g_assert_cmpint (il_task_record_rank (t), >=, 1);
      g_assert_cmpint (il_task_record_rank (t), <=, 4);
      g_assert_cmpint (t->worker, ==, il_task_record_rank (t) - 1);
      g_assert_cmpint (t->pid, >, 0);
      g_assert_cmpint (il_task_record_marshal_us (t), >=, 0);
      g_assert_cmpint (il_task_record_marshal_us (t), <=, t->end_us - t->start_us);
      g_assert_cmpint (t->end_us, >=, t->start_us);
      startup |= il_task_record_spawn_us (t) > 0;
      g_hash_table_add (ranks, GINT_TO_POINTER (il_task_record_rank (t)));
    }
  /* The job's start-up is recorded, on each rank's first task. */
  g_assert_true (startup);
  /* Dynamic dispatch: more than one rank worked. */
  g_assert_cmpuint (g_hash_table_size (ranks), >=, 2);
  /* The host's per-core load, sampled there by one of its ranks. */
  g_assert_cmpuint (mpi->host_load->len, ==, 1);
  {
    const IlHostLoad *load = g_ptr_array_index (mpi->host_load, 0);

    g_assert_cmpstr (load->host, ==, il_task_record_host (&g_array_index (mpi->tasks, IlTaskRecord, 0)));
    g_assert_cmpuint (load->hz, ==, 20);
    g_assert_cmpuint (load->cores->len, >, 0);
    g_assert_cmpuint (((GArray *) g_ptr_array_index (load->cores, 0))->len, >, 0);
  }

  /* And the records survive the results document. */
  {
    g_autofree char *data = il_results_to_data (results, NULL);

    g_assert_nonnull (strstr (data, "\"rank\""));
    g_assert_nonnull (strstr (data, "\"marshal_us\""));
    g_assert_nonnull (strstr (data, "\"host\""));
  }
  /* And read back: an mpi run, its tasks' hosts and ranks (the reader
   * once refused the executor's name). */
  {
    g_autoptr(JsonNode) node = il_results_to_json (results);
    g_autoptr(GError) error = NULL;
    g_autoptr(IlResults) back = il_results_from_json (node, "$", &error);

    g_assert_no_error (error);
    g_assert_true (il_results_equal (back, results));
    g_assert_cmpint (il_test_run_at (back, 1)->executor, ==, IL_EXECUTOR_MPI);
  }
}

/* ---- a rank killed ---------------------------------------------------------- */

typedef struct
{
  IlExperiment *exp;
  IlEventQueue *events;
  IlResults    *results;
  GThread      *thread;
} KillRun;

static gpointer
kill_run_thread (gpointer data)
{
  KillRun *k = data;

  k->results = il_test_run (k->exp, k->events, NULL);
  return NULL;
}

/* Runs @k's experiment in a thread of its own (k->thread), this process
 * its processes' subreaper, and waits until a rank runs one of its tasks:
 * returns that rank's pid. */
static pid_t
kill_run_start (KillRun *k)
{
  g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  pid_t pid = 0;

  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1), ==, 0);
  k->thread = g_thread_new ("run", kill_run_thread, k);
  for (gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC; pid == 0;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      il_event_queue_drain (k->events, got, 0);
      for (guint i = 0; i < got->len && pid == 0; i++)
        {
          const IlEvent *ev = &g_array_index (got, IlEvent, i);

          if (ev->kind == IL_EVENT_TASK_START && ev->task_start.pid > 0)
            pid = (pid_t) ev->task_start.pid;
        }
      g_usleep (10 * 1000);
    }
  return pid;
}

static void
test_kill_rank (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlEventQueue) events = il_event_queue_new (4096);
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *rep;
  KillRun             k = { 0 };
  pid_t               victim;
  gboolean            found = FALSE;

  if (!need_mpi ())
    return;
  exp = il_test_load ("{ \"interleave\": 1, \"name\": \"kill\","
                      "  \"tasks\": [ { \"repeat\": 16, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 600 } ] } ],"
                      "  \"runs\": [ { \"executor\": \"mpi\", \"workers\": 4 } ] }");
  k.exp = exp;
  k.events = events;

  /* Kill a rank while it runs a task. */
  victim = kill_run_start (&k);
  g_usleep (100 * 1000);
  g_assert_cmpint (kill (victim, SIGKILL), ==, 0);
  g_thread_join (k.thread);
  results = k.results;

  rep = il_test_first_rep (results, 0);
  g_assert_cmpuint (rep->failed_tasks, >=, 1);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (t->pid != (gint) victim || !t->failed)
        continue;
      /* Its task failed with what mpirun said about the rank. */
      g_test_message ("the killed rank's task: %s", il_task_record_error (t));
      g_assert_nonnull (strstr (il_task_record_error (t), "rank"));
      g_assert_nonnull (strstr (il_task_record_error (t), "signal 9"));
      found = TRUE;
    }
  g_assert_true (found);
  /* The run ended there: not every task ran. */
  g_assert_cmpuint (rep->failed_tasks, <, 16 + 1);

  assert_no_survivors ();
  g_assert_cmpint (kill (victim, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

/* ---- mpirun stopped ------------------------------------------------------- */

/* mpirun, a child of this process. */
static pid_t
find_mpirun (void)
{
  g_autoptr(GArray) children = il_test_list_children (getpid ());

  for (guint i = 0; i < children->len; i++)
    {
      pid_t            pid = g_array_index (children, pid_t, i);
      g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) pid);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) &&
          (g_str_has_prefix (comm, "mpirun") || g_str_has_prefix (comm, "orterun") ||
           g_str_has_prefix (comm, "prterun") || g_str_has_prefix (comm, "mpiexec")))
        return pid;
    }
  return 0;
}

/* A job whose mpirun stops (SIGSTOP: rank 0's frames no longer reach the
 * runner) is declared lost after the silence timeout, as a stopped
 * interpreter or worker is: every task fails saying so, the run ends by
 * itself, and nothing of the job is left. */
static void
test_stopped (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlEventQueue) events = il_event_queue_new (4096);
  g_autoptr(IlResults) results = NULL;
  const IlRepetition *rep;
  KillRun             k = { 0 };
  pid_t               mpirun;

  if (!need_mpi ())
    return;
  g_setenv ("IL_WORKER_TIMEOUT_MS", "500", TRUE);
  exp = il_test_load ("{ \"interleave\": 1, \"name\": \"stops\","
                      "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 20000 } ] } ],"
                      "  \"runs\": [ { \"executor\": \"mpi\", \"workers\": 2 } ],"
                      "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }");
  k.exp = exp;
  k.events = events;

  /* Stop mpirun once the job runs tasks. */
  kill_run_start (&k);
  mpirun = find_mpirun ();
  g_assert_cmpint (mpirun, >, 0);
  g_assert_cmpint (kill (mpirun, SIGSTOP), ==, 0);
  g_thread_join (k.thread);
  g_unsetenv ("IL_WORKER_TIMEOUT_MS");
  results = k.results;

  rep = il_test_first_rep (results, 0);
  g_assert_false (rep->cancelled);
  g_assert_cmpuint (rep->failed_tasks, ==, 4);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      g_assert_true (t->failed);
      g_assert_nonnull (strstr (il_task_record_error (t), "stopped responding for 0.5 s"));
    }
  assert_no_survivors ();
  g_assert_cmpint (kill (mpirun, 0), ==, -1);
  g_assert_cmpint (errno, ==, ESRCH);
}

/* ---- Ctrl+C ---------------------------------------------------------------- */

static guint
count_ranks_below (pid_t root)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint       n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *comm = NULL;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/comm", name);
      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_has_prefix (comm, "interleave-mpi"))
        {
          /* Ours when an ancestor is @root. */
          pid_t pid = (pid_t) atoi (name);

          for (guint depth = 0; pid > 1 && depth < 16; depth++)
            {
              g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
              g_autofree char *stat = NULL;
              const char      *paren;
              int              ppid = 0;
              char             state;

              if (!g_file_get_contents (stat_path, &stat, NULL, NULL) ||
                  (paren = strrchr (stat, ')')) == NULL ||
                  sscanf (paren + 1, " %c %d", &state, &ppid) != 2)
                break;
              if (ppid == root)
                {
                  n++;
                  break;
                }
              pid = ppid;
            }
        }
    }
  return n;
}

static gboolean
sigint_once (double *stop_s)
{
  g_autofree char *dir = g_dir_make_tmp ("il-mpi-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "long.interleave", NULL);
  const char      *argv[] = { g_getenv ("IL_CLI"), "run", path, "--quiet", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0;
  pid_t  pid;

  g_assert_true (g_file_set_contents (path,
                                      "{ \"interleave\": 1, \"name\": \"long\",\n"
                                      "  \"tasks\": [ { \"repeat\": 100, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 300 } ] } ],\n"
                                      "  \"runs\": [ { \"executor\": \"mpi\", \"workers\": 4 } ] }\n",
                                      -1, NULL));
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  pid = (pid_t) atoi (g_subprocess_get_identifier (proc));

  /* Wait for the ranks, then for tasks to be running on them. */
  for (gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC; count_ranks_below (pid) < 5;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
  g_usleep (1500 * 1000);
  g_assert_cmpuint (count_ranks_below (pid), ==, 5);

  t0 = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  *stop_s = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  g_test_message ("interleave-cli stopped %.2f s after SIGINT", *stop_s);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);

  /* No mpirun, orted or rank is left: they would be our children now. */
  assert_no_survivors ();
  g_unlink (path);
  g_rmdir (dir);
  return *stop_s < 1.0;
}

static void
test_sigint (void)
{
  double s = 0;

  if (!need_mpi ())
    return;
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1), ==, 0);
  /* One retry: a loaded machine can delay a process by a few hundred ms. */
  if (!sigint_once (&s) && !sigint_once (&s))
    g_error ("interleave-cli took %.2f s to stop an mpi run after SIGINT", s);
}

/* ---- two hosts made of network namespaces -------------------------------- */

/* Two "hosts", network namespaces PREFIXa and PREFIXb (10.231.N.1 and .2),
 * each with a veth pair onto a bridge in this namespace (10.231.N.254, for
 * mpirun's own connections to its daemons). */
static const char setup_script[] =
  "set -e\n"
  "p=$1; n=$2\n"
  "ip link add ${p}br type bridge\n"
  "ip addr add 10.231.$n.254/24 dev ${p}br\n"
  "ip link set ${p}br up\n"
  "i=1\n"
  "for h in a b; do\n"
  "  ip netns add ${p}$h\n"
  "  ip link add ${p}${h}0 type veth peer name ${p}${h}1\n"
  "  ip link set ${p}${h}1 master ${p}br\n"
  "  ip link set ${p}${h}1 up\n"
  "  ip link set ${p}${h}0 netns ${p}$h\n"
  "  ip -n ${p}$h addr add 10.231.$n.$i/24 dev ${p}${h}0\n"
  "  ip -n ${p}$h link set ${p}${h}0 up\n"
  "  ip -n ${p}$h link set lo up\n"
  "  i=$((i+1))\n"
  "done\n";

static const char teardown_script[] =
  "p=$1\n"
  "for h in a b; do ip netns del ${p}$h 2>/dev/null; done\n"
  "ip link del ${p}br 2>/dev/null\n"
  "true\n";

/* Open MPI's plm_rsh_agent, called as ssh would be ("AGENT HOST COMMAND…"):
 * runs COMMAND in the host's network namespace, in a UTS namespace of its
 * own named after the host, so that Open MPI takes each for a node of its
 * own. */
static const char agent_script[] =
  "#!/bin/sh\n"
  "host=$1\n"
  "shift\n"
  "exec ip netns exec \"$host\" unshare --uts sh -c 'hostname \"$1\"; shift; eval \"$*\"' sh \"$host\" \"$@\"\n";

static gboolean
shell (const char *script,
       const char *arg1,
       const char *arg2,
       char      **err)
{
  const char *argv[] = { "/bin/sh", "-c", script, "sh", arg1, arg2, NULL };
  int         status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, err,
                     &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

static gint64
counter_of (const char *ns,
            const char *dev,
            const char *which)
{
  g_autofree char *path = g_strdup_printf ("/sys/class/net/%s/statistics/%s", dev, which);
  const char      *argv[] = { "ip", "netns", "exec", ns, "cat", path, NULL };
  g_autofree char *out = NULL;
  int              status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_ascii_strtoll (out, NULL, 10);
}

static void
test_namespace_hosts (void)
{
  g_autofree char *prefix = g_strdup_printf ("il%u", (guint) getpid () % 100000);
  g_autofree char *net = g_strdup_printf ("%u", 1 + (guint) getpid () % 250);
  g_autofree char *dir = NULL;
  g_autofree char *agent = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *hosts = NULL;
  g_autofree char *ns_a = NULL, *ns_b = NULL, *dev_b = NULL;
  g_autofree char *err = NULL;
  g_autofree char *subnet = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autofree char    *data = NULL;
  const IlRepetition *rep;
  const gint64        payload = 1024 * 1024;

  gint64           rx0, tx0, rx1, tx1;
  guint            on_a = 0, on_b = 0;
  g_autofree char *ip = NULL;
  g_autofree char *unshare = NULL;

  if (!need_mpi ())
    return;
  if (geteuid () != 0)
    {
      g_test_skip ("namespace hosts need root (network namespaces, veth pairs)");
      return;
    }
  ip = g_find_program_in_path ("ip");
  unshare = g_find_program_in_path ("unshare");
  if (ip == NULL || unshare == NULL)
    {
      g_test_skip ("namespace hosts need ip (iproute2) and unshare (util-linux)");
      return;
    }
  shell (teardown_script, prefix, NULL, NULL);
  if (!shell (setup_script, prefix, net, &err))
    {
      g_autofree char *why = g_strdup_printf ("network namespaces cannot be made here: %s", err);

      shell (teardown_script, prefix, NULL, NULL);
      g_test_skip (why);
      return;
    }

  ns_a = g_strconcat (prefix, "a", NULL);
  ns_b = g_strconcat (prefix, "b", NULL);
  dev_b = g_strconcat (prefix, "b0", NULL);
  hosts = g_strdup_printf ("%s:2,%s:2", ns_a, ns_b);
  subnet = g_strdup_printf ("10.231.%s.0/24", net);
  dir = g_dir_make_tmp ("il-mpi-ns-XXXXXX", NULL);
  agent = g_build_filename (dir, "agent", NULL);
  path = g_build_filename (dir, "hosts.interleave", NULL);
  json_path = g_build_filename (dir, "results.json", NULL);
  g_assert_true (g_file_set_contents (agent, agent_script, -1, NULL));
  g_assert_cmpint (g_chmod (agent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path,
                                      "{ \"interleave\": 1, \"name\": \"two hosts\",\n"
                                      "  \"tasks\": [ { \"repeat\": 16, \"payload_bytes\": 1048576,\n"
                                      "                 \"blocks\": [ { \"type\": \"sleep\", \"ms\": 50 } ] } ],\n"
                                      "  \"runs\": [ { \"executor\": \"mpi\", \"workers\": 4 } ] }\n",
                                      -1, NULL));

  rx0 = counter_of (ns_b, dev_b, "rx_bytes");
  tx0 = counter_of (ns_b, dev_b, "tx_bytes");
  {
    const char *argv[] = { g_getenv ("IL_CLI"), "run", path, "--quiet", "--hosts", hosts,
                           "--json", json_path, NULL };

    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    /* Open MPI reaches the hosts through the agent, and its daemons and
     * ranks talk only over the hosts' network. */
    g_subprocess_launcher_setenv (launcher, "OMPI_MCA_plm_rsh_agent", agent, TRUE);
    g_subprocess_launcher_setenv (launcher, "OMPI_MCA_btl", "self,vader,tcp", TRUE);
    g_subprocess_launcher_setenv (launcher, "OMPI_MCA_btl_tcp_if_include", subnet, TRUE);
    g_subprocess_launcher_setenv (launcher, "OMPI_MCA_oob_tcp_if_include", subnet, TRUE);
    proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    g_clear_pointer (&err, g_free);
    g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
    g_assert_no_error (error);
  }
  rx1 = counter_of (ns_b, dev_b, "rx_bytes");
  tx1 = counter_of (ns_b, dev_b, "tx_bytes");
  shell (teardown_script, prefix, NULL, NULL);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("interleave-cli failed (%d): %s", g_subprocess_get_exit_status (proc), err);

  g_assert_true (g_file_get_contents (json_path, &data, NULL, NULL));
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, data, -1, &error));
    results = il_results_from_json (json_parser_get_root (parser), "$", &error);
    g_assert_no_error (error);
  }
  rep = il_test_first_rep (results, 0);
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      on_a += g_strcmp0 (il_task_record_host (t), ns_a) == 0;
      on_b += g_strcmp0 (il_task_record_host (t), ns_b) == 0;
      g_assert_cmpint (il_task_record_marshal_us (t), >=, 0);
    }
  g_test_message ("tasks on %s: %u, on %s: %u; %s received %" G_GINT64_FORMAT " bytes, sent %" G_GINT64_FORMAT,
                  ns_a, on_a, ns_b, on_b, dev_b, rx1 - rx0, tx1 - tx0);
  /* Tasks ran on both hosts... */
  g_assert_cmpuint (on_a, >, 0);
  g_assert_cmpuint (on_b, >, 0);
  g_assert_cmpuint (on_a + on_b, ==, rep->tasks->len);
  /* ...and the payloads of those on the second really crossed its link:
   * in with the task (rank 0 is on the first host), out with the result. */
  g_assert_cmpint (rx1 - rx0, >=, (gint64) on_b * payload);
  g_assert_cmpint (tx1 - tx0, >=, (gint64) on_b * payload);
  /* Each host's per-core load was sampled there and sent back. */
  g_assert_cmpuint (rep->host_load->len, ==, 2);
  for (guint i = 0; i < rep->host_load->len; i++)
    {
      const IlHostLoad *load = g_ptr_array_index (rep->host_load, i);

      g_assert_true (g_str_equal (load->host, ns_a) || g_str_equal (load->host, ns_b));
      g_assert_cmpuint (load->cores->len, >, 0);
      g_assert_cmpuint (((GArray *) g_ptr_array_index (load->cores, 0))->len, >, 0);
    }

  g_unlink (agent);
  g_unlink (path);
  g_unlink (json_path);
  g_rmdir (dir);
}

/* ---- without Open MPI ----------------------------------------------------- */

static void
test_unavailable (void)
{
  g_autoptr(IlExperiment) exp = il_test_load ("{ \"interleave\": 1, \"name\": \"no mpi\","
                                               "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
                                               "  \"runs\": [ { \"executor\": \"mpi\", \"workers\": 2 } ] }");
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-mpi-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "mpi.interleave", NULL);
  g_autofree char *err = NULL;
  const char      *argv[] = { g_getenv ("IL_CLI"), "run", path, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;

  g_setenv ("IL_MPIRUN", "/nonexistent/mpirun", TRUE);
  runner = il_runner_new (exp, NULL);
  g_assert_false (il_runner_check (runner, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "Open MPI"));

  /* The CLI refuses it with exit status 2, before anything runs. */
  g_assert_true (g_file_set_contents (path,
                                      "{ \"interleave\": 1, \"name\": \"no mpi\",\n"
                                      "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
                                      "  \"runs\": [ { \"executor\": \"mpi\", \"workers\": 2 } ] }\n",
                                      -1, NULL));
  g_subprocess_launcher_setenv (launcher, "IL_MPIRUN", "/nonexistent/mpirun", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_clear_error (&error);
  g_assert_nonnull (proc);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
  g_assert_nonnull (strstr (err, "needs Open MPI"));
  g_unsetenv ("IL_MPIRUN");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_hosts_syntax (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (il_mpi_check_hosts ("localhost", NULL));
  g_assert_true (il_mpi_check_hosts ("a:2,b.example.org:3", NULL));
  g_assert_false (il_mpi_check_hosts ("a:2,,b", &error));
  g_assert_nonnull (strstr (error->message, "entry 2"));
  g_clear_error (&error);
  g_assert_false (il_mpi_check_hosts ("a:0", &error));
  g_clear_error (&error);
  g_assert_false (il_mpi_check_hosts ("-oProxyCommand=x", &error));
  g_clear_error (&error);
  g_assert_false (il_mpi_check_hosts ("a b:2", &error));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/mpi/hosts-syntax", test_hosts_syntax);
  g_test_add_func ("/il/mpi/unavailable", test_unavailable);
  g_test_add_func ("/il/mpi/checksum", test_checksum);
  g_test_add_func ("/il/mpi/kill-rank", test_kill_rank);
  g_test_add_func ("/il/mpi/stopped", test_stopped);
  g_test_add_func ("/il/mpi/sigint", test_sigint);
  g_test_add_func ("/il/mpi/namespace-hosts", test_namespace_hosts);
  return g_test_run ();
}
