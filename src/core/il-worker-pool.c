/* il-worker-pool.c — the processes executor's workers: starting them,
 * the READY handshake, liveness, and ending them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Liveness: every worker sends a HEARTBEAT from a thread of its own (so a
 * long CPU block never silences it). A worker the dispatcher has heard
 * nothing from for the silence timeout (IL_WORKER_TIMEOUT_MS, 3 s by
 * default) is stopped or wedged: it is killed (SIGKILL, reaped) and its
 * task fails with "worker N (pid P) stopped responding for 3 s". The run
 * goes on: a pool replaces the lost worker for the next task, as it does a
 * worker that died.
 *
 * A worker that cannot be started (posix_spawn fails, or it ends before
 * READY) fails the whole repetition: a pool with fewer workers, or tasks
 * failed one by one for want of a process, would measure something else
 * than what was asked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "il-executor-processes-private.h"
#include "il-fd-io.h"

#include "il-io.h"

extern char **environ;

/* ---- child processes -------------------------------------------------- */

char *
il_processes_find_worker (GError **error)
{
  const char      *env = g_getenv ("IL_WORKER_PATH");
  g_autofree char *installed = g_build_filename (LIBEXECDIR, "interleave-worker", NULL);
  g_autofree char *built = g_build_filename (BUILD_WORKER_DIR, "interleave-worker", NULL);

  if (env != NULL && env[0] != '\0')
    {
      if (g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (env, G_FILE_TEST_IS_DIR))
        return g_strdup (env);
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("IL_WORKER_PATH names %s, which is not an executable file"), env);
      return NULL;
    }
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&built);
  g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
               _("interleave-worker was not found (looked for %s and %s); "
                 "set IL_WORKER_PATH to its location"),
                  installed, built);
  return NULL;
}

char *
il_child_describe_status (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf (_("killed by signal %d (%s)"), WTERMSIG (status),
                               g_strsignal (WTERMSIG (status)));
  if (WIFEXITED (status))
    return g_strdup_printf (_("exited with status %d"), WEXITSTATUS (status));
  return g_strdup_printf (_("ended with wait status 0x%x"), status);
}

/* The one way Interleave starts a child that speaks the pipe protocol:
 * stdin and stdout (and stderr when @stderr_pipe) on new pipes, a clean
 * signal state, a process group of its own. */
static gboolean
spawn_child (const char     *path,
             char *const    *argv,
             gboolean        stderr_pipe,
             IlChildProcess *child,
             GError        **error)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t          attr;
  sigset_t                   mask, defaults;
  int                        to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
  pid_t                      pid;
  int                        rc;

  if (pipe2 (to_child, O_CLOEXEC) != 0 || pipe2 (from_child, O_CLOEXEC) != 0 ||
      (stderr_pipe && pipe2 (err_pipe, O_CLOEXEC) != 0))
    {
      int errsv = errno;

      for (guint i = 0; i < 2; i++)
        {
          il_fd_close (&to_child[i]);
          il_fd_close (&from_child[i]);
          il_fd_close (&err_pipe[i]);
        }
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("Could not create a channel to %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  /* Larger pipes move a big payload in fewer wake-ups; the default is
   * fine where the system refuses. */
  fcntl (to_child[1], F_SETPIPE_SZ, 1024 * 1024);
  fcntl (from_child[0], F_SETPIPE_SZ, 1024 * 1024);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, from_child[1], STDOUT_FILENO);
  if (stderr_pipe)
    posix_spawn_file_actions_adddup2 (&actions, err_pipe[1], STDERR_FILENO);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
  /* Nothing else of the parent's leaks into the child, even a descriptor
   * some library opened without close-on-exec. */
  posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
#endif

  /* A clean signal state, and a process group of its own: Ctrl+C in a
   * terminal reaches the CLI, which cancels and kills the children itself
   * (tasks then fail as "cancelled", not as "killed by signal 2"). */
  posix_spawnattr_init (&attr);
  sigemptyset (&mask);
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  sigaddset (&defaults, SIGINT);
  sigaddset (&defaults, SIGTERM);
  sigaddset (&defaults, SIGHUP);
  sigaddset (&defaults, SIGQUIT);
  sigaddset (&defaults, SIGCHLD);
  posix_spawnattr_setsigmask (&attr, &mask);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  child->spawned_at = il_now_us ();
  rc = posix_spawn (&pid, path, &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  il_fd_close (&to_child[0]);
  il_fd_close (&from_child[1]);
  il_fd_close (&err_pipe[1]);

  if (rc != 0)
    {
      il_fd_close (&to_child[1]);
      il_fd_close (&from_child[0]);
      il_fd_close (&err_pipe[0]);
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("Could not start %s: %s"), path, g_strerror (rc));
      return FALSE;
    }

  g_unix_set_fd_nonblocking (to_child[1], TRUE, NULL);
  g_unix_set_fd_nonblocking (from_child[0], TRUE, NULL);
  if (err_pipe[0] >= 0)
    g_unix_set_fd_nonblocking (err_pipe[0], TRUE, NULL);
  child->pid = pid;
  child->to_child = to_child[1];
  child->from_child = from_child[0];
  child->from_stderr = err_pipe[0];
  return TRUE;
}

gboolean
il_child_spawn (const char     *path,
                char *const    *argv,
                IlChildProcess *child,
                GError        **error)
{
  return spawn_child (path, argv, FALSE, child, error);
}

gboolean
il_child_spawn_with_stderr (const char     *path,
                            char *const    *argv,
                            IlChildProcess *child,
                            GError        **error)
{
  return spawn_child (path, argv, TRUE, child, error);
}

gboolean
il_child_reap (pid_t          pid,
               gint64         grace_us,
               int           *status,
               struct rusage *usage,
               GError       **error)
{
  gint64 deadline = il_now_us () + grace_us;
  pid_t  r;

  *status = 0;
  memset (usage, 0, sizeof *usage);
  for (;;)
    {
      r = wait4 (pid, status, WNOHANG, usage);
      if (r == pid)
        return TRUE;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int errsv = errno;

          g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                       _("could not be waited for: %s"), g_strerror (errsv));
          return FALSE;
        }
      if (il_now_us () >= deadline)
        {
          kill (pid, SIGKILL);
          while ((r = wait4 (pid, status, 0, usage)) < 0 && errno == EINTR)
            ;
          return TRUE;
        }
      g_usleep (100);
    }
}

void
il_child_consume_sigpipe (void)
{
  struct timespec zero = { 0, 0 };
  sigset_t        set;

  sigemptyset (&set);
  sigaddset (&set, SIGPIPE);
  while (sigtimedwait (&set, NULL, &zero) < 0 && errno == EINTR)
    ;
}

/* ---- worker slots ----------------------------------------------------- */

char *
il_pool_slot_reap (Dispatcher *d,
                   Slot       *s,
                   gint64      grace_us)
{
  g_autoptr(GError) error = NULL;
  struct rusage ru;
  char         *how;
  int           status;

  il_fd_close (&s->wfd);
  il_fd_close (&s->rfd);
  if (s->pid <= 0)
    return g_strdup (_("not running"));

  if (!il_child_reap (s->pid, grace_us, &status, &ru, &error))
    how = g_strdup (error->message);
  else
    {
      IlTaskEnv rest = { 0 };

      /* Its CPU time outside tasks (start-up, marshalling) is the run's. */
      how = il_child_describe_status (status);
      rest.usage.user_us = MAX (0, (gint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec - s->reported.user_us);
      rest.usage.sys_us = MAX (0, (gint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec - s->reported.sys_us);
      rest.usage.nvcsw = MAX (0, ru.ru_nvcsw - s->reported.nvcsw);
      rest.usage.nivcsw = MAX (0, ru.ru_nivcsw - s->reported.nivcsw);
      il_run_context_account (d->ctx, &rest);
    }

  s->pid = 0;
  s->ready = FALSE;
  s->bye = FALSE;
  s->spawn_us = -1;
  s->spawn_recorded = FALSE;
  g_byte_array_set_size (s->in, 0);
  g_byte_array_set_size (s->out, 0);
  s->out_off = 0;
  memset (&s->reported, 0, sizeof s->reported);
  return how;
}

void
il_pool_slot_lost (Dispatcher *d,
                   Slot       *s,
                   const char *what,
                   gboolean    kill_now)
{
  pid_t            pid = s->pid;
  g_autofree char *how = NULL;

  gboolean started = s->ready;

  if (kill_now && pid > 0)
    kill (pid, SIGKILL);
  how = il_pool_slot_reap (d, s, GRACE_US);
  /* Ended on its own before READY: it could not start (its own threads,
   * its loader, memory). */
  if (what == NULL && !started && d->fatal == NULL)
    g_set_error (&d->fatal, IL_ERROR, IL_ERROR_WORKER,
                 _("Could not start worker %u (pid %d): it ended before it was ready (%s)"),
                    s->index, (int) pid, how);
  if (s->task >= 0)
    {
      if (what != NULL)
        il_processes_slot_fail_task (d, s, g_strdup_printf (_("worker %u (pid %d) %s"), s->index, (int) pid, what));
      else
        il_processes_slot_fail_task (d, s, g_strdup_printf (_("worker %u (pid %d) died: %s"), s->index, (int) pid, how));
    }
}

gboolean
il_pool_slot_spawn (Dispatcher *d,
                    Slot       *s,
                    GError    **error)
{
  char          *argv[] = { d->path, NULL };
  IlProtoHello   hello = { 0 };
  IlChildProcess child;

  if (!il_child_spawn (d->path, argv, &child, error))
    return FALSE;

  s->spawn_start = child.spawned_at;
  s->last_heard = s->spawn_start;
  s->pid = child.pid;
  s->wfd = child.to_child;
  s->rfd = child.from_child;
  s->ready = FALSE;
  s->bye = FALSE;
  s->spawn_us = -1;
  s->spawn_recorded = FALSE;
  s->task = -1;
  g_byte_array_set_size (s->in, 0);
  g_byte_array_set_size (s->out, 0);
  s->out_off = 0;
  memset (&s->reported, 0, sizeof s->reported);

  hello.pid = (guint32) getpid ();
  hello.worker = (gint32) s->index;
  hello.affinity = d->ctx->affinity;
  hello.heartbeat_ms = d->heartbeat_ms;
  if (d->ctx->io != NULL)
    {
      hello.server_url = (char *) il_io_env_get_server_url (d->ctx->io);
      hello.scratch_dir = (char *) il_io_env_get_scratch_dir (d->ctx->io);
    }
  il_protocol_write_hello (s->out, IL_FRAME_HELLO, &hello);
  return TRUE;
}

gboolean
il_pool_slot_flush (Dispatcher *d,
                    Slot       *s)
{
  gssize n = il_fd_write_available (s->wfd, s->out->data + s->out_off, s->out->len - s->out_off);

  if (n < 0)
    {
      if (errno == EPIPE)
        il_child_consume_sigpipe ();
      il_pool_slot_lost (d, s, NULL, FALSE);
      return FALSE;
    }
  s->out_off += (gsize) n;
  if (s->out_off == s->out->len)
    {
      g_byte_array_set_size (s->out, 0);
      s->out_off = 0;
    }
  return TRUE;
}

void
il_pool_handle_ready (Dispatcher   *d,
                      Slot         *s,
                      const guint8 *body,
                      gsize         len,
                      GError      **error)
{
  IlProtoHello ready;

  if (!il_protocol_read_hello (body, len, &ready, error))
    return;
  il_proto_hello_clear (&ready);
  s->ready = TRUE;
  s->spawn_us = il_now_us () - s->spawn_start;
  if (s->task >= 0 && !s->spawn_recorded)
    {
      il_task_record_set_spawn_us (il_processes_task_record (d, (guint) s->task), (gint32) s->spawn_us);
      s->spawn_recorded = TRUE;
    }
}

void
il_pool_check_silence (Dispatcher *d)
{
  for (guint i = 0; i < d->n_slots; i++)
    {
      Slot            *s = &d->slots[i];
      g_autofree char *what = NULL;

      /* One told to leave has its grace instead. */
      if (s->pid == 0 || (s->bye && s->task < 0))
        continue;
      if (il_now_us () - s->last_heard < d->silence_us)
        continue;
      /* A last look: what it sent while this thread was not looking (this
       * process stopped, say) counts. */
      if (!il_processes_slot_read (d, s))
        continue;
      if (il_now_us () - s->last_heard < d->silence_us)
        continue;
      what = g_strdup_printf (_("stopped responding for %g s"), (double) d->silence_us / G_USEC_PER_SEC);
      il_pool_slot_lost (d, s, what, TRUE);
    }
}

void
il_pool_shutdown (Dispatcher *d)
{
  for (guint i = 0; i < d->n_slots; i++)
    {
      Slot *s = &d->slots[i];

      if (s->pid == 0)
        continue;
      if (s->task >= 0)
        {
          kill (s->pid, SIGKILL);
          g_free (il_pool_slot_reap (d, s, GRACE_US));
          il_processes_slot_fail_task (d, s, g_strdup (_("cancelled")));
          continue;
        }
      if (!s->bye)
        {
          il_protocol_write_bye (s->out);
          s->bye = TRUE;
        }
      if (s->wfd >= 0)
        il_pool_slot_flush (d, s);
    }
  /* All told to leave before waiting for any: they leave in parallel. */
  for (guint i = 0; i < d->n_slots; i++)
    {
      Slot *s = &d->slots[i];

      if (s->pid != 0)
        {
          /* EOF on its stdin, should BYE not have fitted in the pipe. */
          il_fd_close (&s->wfd);
          g_free (il_pool_slot_reap (d, s, GRACE_US));
        }
    }
}

gboolean
il_pool_silence_timeout (gint64  *us,
                         GError **error)
{
  const char *env = g_getenv ("IL_WORKER_TIMEOUT_MS");
  guint64     ms = SILENCE_DEFAULT_MS;

  if (env != NULL && env[0] != '\0' &&
      !g_ascii_string_to_unsigned (env, 10, SILENCE_MIN_MS, SILENCE_MAX_MS, &ms, NULL))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("IL_WORKER_TIMEOUT_MS must be a whole number of milliseconds from %d to %d"),
                      SILENCE_MIN_MS, SILENCE_MAX_MS);
      return FALSE;
    }
  *us = (gint64) ms * 1000;
  return TRUE;
}
