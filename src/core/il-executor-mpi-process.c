/* il-executor-mpi-process.c — the mpi executor's mpirun process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finds Open MPI's mpirun and interleave-mpi-worker, starts
 * `mpirun -np WORKERS+1 … interleave-mpi-worker` with pipes on its stdin,
 * stdout (which mpirun forwards to and from rank 0) and stderr (kept, to
 * say why a job ended), and ends it.
 *
 * Ending it leaves nothing behind: the ranks run in process groups of their
 * own, so killing mpirun's group is not enough. Every process descended
 * from mpirun on this machine (ranks, orted, launcher agents) is found in
 * /proc and killed with it; the ranks also die with their parent
 * (PR_SET_PDEATHSIG in the helper), and orted on another host ends its
 * ranks when it loses mpirun.
 */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "il-executor-mpi-private.h"
#include "il-io.h"
#include "il-protocol.h"
#include "il-worker-pool.h"

/* ---- finding the programs --------------------------------------------- */

char *
il_mpi_find_mpirun (GError **error)
{
  const char *env = g_getenv ("IL_MPIRUN");
  char       *path;

  if (env != NULL && env[0] != '\0')
    {
      path = g_find_program_in_path (env);
      if (path == NULL)
        g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                     _("The mpi executor needs Open MPI: IL_MPIRUN names %s, "
                       "which is not an executable program"),
                        env);
      return path;
    }
  path = g_find_program_in_path ("mpirun");
  if (path == NULL)
    g_set_error_literal (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                         _("The mpi executor needs Open MPI, and there is no mpirun here "
                           "(install Open MPI, e.g. Debian's openmpi-bin, or set IL_MPIRUN)"));
  return path;
}

char *
il_mpi_find_worker (GError **error)
{
  const char      *env = g_getenv ("IL_MPI_WORKER_PATH");
  g_autofree char *installed = g_build_filename (LIBEXECDIR, "interleave-mpi-worker", NULL);
  g_autofree char *built = g_build_filename (BUILD_MPI_WORKER_DIR, "interleave-mpi-worker", NULL);

  if (env != NULL && env[0] != '\0')
    {
      if (g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (env, G_FILE_TEST_IS_DIR))
        return g_strdup (env);
      g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                   _("IL_MPI_WORKER_PATH names %s, which is not an executable file"), env);
      return NULL;
    }
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&built);
  g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
               _("The mpi executor needs interleave-mpi-worker, which this build of Interleave "
                 "does not have (it is built only where Open MPI's development files are "
                 "installed; looked for %s and %s)"),
                  installed, built);
  return NULL;
}

gboolean
il_mpi_available (GError **error)
{
  g_autofree char *mpirun = il_mpi_find_mpirun (error);
  g_autofree char *worker = NULL;

  if (mpirun == NULL)
    return FALSE;
  worker = il_mpi_find_worker (error);
  return worker != NULL;
}

static gboolean
host_name_ok (const char *name)
{
  if (name[0] == '\0' || name[0] == '-' || strlen (name) > 253)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

gboolean
il_mpi_check_hosts (const char *hosts,
                    GError    **error)
{
  g_auto (GStrv) entries = NULL;

  if (hosts == NULL || hosts[0] == '\0')
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("the host list is empty (expected e.g. \"a:2,b:2\")"));
      return FALSE;
    }
  entries = g_strsplit (hosts, ",", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_auto (GStrv) parts = g_strsplit (entries[i], ":", 2);
      guint64 slots = 1;

      /* g_strsplit makes no part of an empty entry. */
      if (parts[0] == NULL || !host_name_ok (parts[0]) ||
          (parts[1] != NULL && !g_ascii_string_to_unsigned (parts[1], 10, 1, IL_MAX_WORKERS, &slots, NULL)))
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("host list entry %u, \"%s\": expected HOST or HOST:SLOTS "
                         "(a host name, and 1 to %d slots)"),
                          i + 1, entries[i], IL_MAX_WORKERS);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
il_mpi_check_placement (const IlMpiHosts *placement,
                        GError          **error)
{
  if (placement == NULL)
    return TRUE;
  if (placement->hosts != NULL && placement->hostfile != NULL)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("give either a host list or a hostfile, not both"));
      return FALSE;
    }
  if (placement->hosts != NULL && !il_mpi_check_hosts (placement->hosts, error))
    return FALSE;
  if (placement->hostfile != NULL &&
      (!g_file_test (placement->hostfile, G_FILE_TEST_IS_REGULAR) ||
       access (placement->hostfile, R_OK) != 0))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("the hostfile %s is not a readable file"), placement->hostfile);
      return FALSE;
    }
  return TRUE;
}

/* "a:2,b:2" with one slot more on the first host: rank 0, the dispatcher,
 * takes it and mostly sleeps. */
static char *
hosts_with_dispatcher (const char *hosts)
{
  g_auto (GStrv) entries = g_strsplit (hosts, ",", -1);
  g_auto (GStrv) first = g_strsplit (entries[0], ":", 2);
  guint64 slots = 1;

  if (first[1] != NULL)
    g_ascii_string_to_unsigned (first[1], 10, 1, IL_MAX_WORKERS, &slots, NULL);
  g_free (entries[0]);
  entries[0] = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, first[0], slots + 1);
  return g_strjoinv (",", entries);
}

/* ---- the mpirun process ------------------------------------------------ */

static GPtrArray *
mpirun_argv (MpiJob *job)
{
  const IlMpiHosts *placement = job->ctx->mpi_hosts;
  GPtrArray        *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (job->mpirun));
  if (geteuid () == 0)
    g_ptr_array_add (argv, g_strdup ("--allow-run-as-root"));
  /* More ranks than cores is what a lesson on two cores asks for; binding
   * is Interleave's business (and meaningless across hosts). */
  g_ptr_array_add (argv, g_strdup ("--oversubscribe"));
  g_ptr_array_add (argv, g_strdup ("--bind-to"));
  g_ptr_array_add (argv, g_strdup ("none"));
  g_ptr_array_add (argv, g_strdup ("-np"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", MAX (job->ctx->workers, 1) + 1));
  if (placement != NULL && placement->hosts != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--host"));
      g_ptr_array_add (argv, hosts_with_dispatcher (placement->hosts));
    }
  else if (placement != NULL && placement->hostfile != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--hostfile"));
      g_ptr_array_add (argv, g_strdup (placement->hostfile));
    }
  g_ptr_array_add (argv, g_strdup (job->worker));
  /* Each host's load is sampled there, at the experiment's rate. */
  g_ptr_array_add (argv, g_strdup ("--sample-hz"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", CLAMP (job->ctx->experiment->settings.sample_hz, 1, 100)));
  g_ptr_array_add (argv, NULL);
  return argv;
}

gboolean
il_mpi_job_spawn (MpiJob  *job,
                  GError **error)
{
  g_autoptr(GPtrArray) argv = mpirun_argv (job);
  IlProtoHello   hello = { 0 };
  IlChildProcess child;

  /* A clean signal state and a process group of its own, like every
   * worker (il-worker-pool.h): Ctrl+C reaches the application only, which
   * ends the job itself. mpirun's stderr says why a job ended. */
  if (!il_child_spawn_with_stderr (job->mpirun, (char *const *) argv->pdata, &child, error))
    return FALSE;
  job->spawned_at = child.spawned_at;
  il_child_pipe_take (&job->child, &child);

  hello.pid = (guint32) getpid ();
  hello.worker = 0;
  /* Core indices are per host: the ranks are not confined. */
  hello.affinity = NULL;
  hello.heartbeat_ms = (guint32) CLAMP (job->child.silence_us / 1000 / 4, IL_PROTOCOL_MIN_HEARTBEAT_MS,
                                        IL_PROTOCOL_MAX_HEARTBEAT_MS);
  if (job->ctx->io != NULL)
    {
      hello.server_url = (char *) il_io_env_get_server_url (job->ctx->io);
      hello.scratch_dir = (char *) il_io_env_get_scratch_dir (job->ctx->io);
    }
  il_protocol_write_hello (job->child.out, IL_FRAME_HELLO, &hello);
  return TRUE;
}

/* Every process descended from @root, from /proc (children before their
 * parents are looked at does not matter: the walk repeats until stable). */
static GArray *
descendants (pid_t root)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr(GHashTable) parent = g_hash_table_new (NULL, NULL);
  DIR           *dir = opendir ("/proc");
  struct dirent *de;
  gboolean       grew = TRUE;

  if (dir == NULL)
    return found;
  while ((de = readdir (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char      *close_paren;
      int              ppid = 0;
      char             state;

      if (!g_ascii_isdigit (de->d_name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", de->d_name);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      close_paren = strrchr (stat, ')');
      if (close_paren == NULL || sscanf (close_paren + 1, " %c %d", &state, &ppid) != 2)
        continue;
      g_hash_table_insert (parent, GINT_TO_POINTER (atoi (de->d_name)), GINT_TO_POINTER (ppid));
    }
  closedir (dir);

  while (grew)
    {
      GHashTableIter iter;
      gpointer       key, value;

      grew = FALSE;
      g_hash_table_iter_init (&iter, parent);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          pid_t    pid = GPOINTER_TO_INT (key);
          pid_t    ppid = GPOINTER_TO_INT (value);
          gboolean ours = ppid == root;

          for (guint i = 0; !ours && i < found->len; i++)
            ours = g_array_index (found, pid_t, i) == ppid;
          if (ours)
            {
              g_array_append_val (found, pid);
              g_hash_table_iter_remove (&iter);
              grew = TRUE;
            }
        }
    }
  return found;
}

static gboolean
process_gone (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char      *close_paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  close_paren = strrchr (stat, ')');
  return close_paren != NULL && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

/* Kills mpirun and everything it started here, and waits (a little) until
 * they are gone: a cancelled run leaves no process behind. */
static void
kill_job (pid_t pid)
{
  g_autoptr(GArray) all = descendants (pid);
  gint64 deadline = il_now_us () + G_USEC_PER_SEC;

  kill (-pid, SIGKILL);
  kill (pid, SIGKILL);
  for (guint i = 0; i < all->len; i++)
    kill (g_array_index (all, pid_t, i), SIGKILL);
  for (guint i = 0; i < all->len; i++)
    while (!process_gone (g_array_index (all, pid_t, i)) && il_now_us () < deadline)
      g_usleep (1000);
}

char *
il_mpi_job_reap (MpiJob *job,
                 gint64  grace_us)
{
  IlTaskEnv rest = { 0 };
  char     *how;

  /* Whatever mpirun left (or, killed, could not end) goes with it; its own
   * CPU time, and that of the ranks it reaped here, is the rest. */
  how = il_child_pipe_reap (&job->child, grace_us, kill_job, &job->reported, &rest.usage);
  il_run_context_account (job->ctx, &rest);
  return how;
}

char *
il_mpi_job_explain (MpiJob *job,
                    gint   *rank)
{
  g_auto (GStrv) lines = g_strsplit (job->child.err->str, "\n", -1);
  g_autoptr(GString) joined = g_string_new (NULL);
  const char *at;
  guint       n;

  *rank = -1;
  /* mpirun's report of a dead rank spans lines ("mpirun noticed that
   * process rank 2 with PID 123 on node x exited on signal 9 (Killed)."):
   * join them first. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "----"))
        continue;
      if (joined->len > 0)
        g_string_append_c (joined, ' ');
      g_string_append (joined, lines[i]);
    }
  at = strstr (joined->str, "noticed that process rank ");
  if (at != NULL)
    {
      const char *end = strchr (at, '.');
      gsize       len = end != NULL ? (gsize) (end - at) : strlen (at);

      *rank = atoi (at + strlen ("noticed that process rank "));
      return g_utf8_make_valid (at + strlen ("noticed that "), MIN (len - strlen ("noticed that "), 400));
    }
  for (n = g_strv_length (lines); n > 0; n--)
    if (lines[n - 1][0] != '\0' && !g_str_has_prefix (lines[n - 1], "----"))
      return g_utf8_make_valid (lines[n - 1], MIN (strlen (lines[n - 1]), 400));
  return NULL;
}

gboolean
il_mpi_job_wait_ready (MpiJob  *job,
                       GError **error)
{
  GCancellable *cancellable = job->ctx->cancellable;
  g_autoptr(GError) lost = NULL;

  if (il_child_pipe_wait_ready (&job->child, cancellable, IL_MPI_START_US, &il_mpi_job_funcs, job, &lost))
    {
      job->startup_us = il_now_us () - job->spawned_at;
      return TRUE;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_free (il_mpi_job_reap (job, 0));
      return TRUE;
    }
  {
    pid_t            pid = job->child.pid;
    g_autofree char *how = NULL;
    g_autofree char *said = NULL;
    gint             rank;

    how = il_mpi_job_reap (job, lost != NULL ? 0 : G_USEC_PER_SEC);
    said = il_mpi_job_explain (job, &rank);
    if (lost != NULL)
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("mpirun (pid %d) sent garbage (%s) and was killed"), (int) pid, lost->message);
    else
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("The MPI job did not start: mpirun (pid %d) %s%s%s"),
                      (int) pid, how, said != NULL ? ": " : "", said != NULL ? said : "");
  }
  return FALSE;
}
