/* il-executor-cpython-process.c — the cpython engine's interpreter process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finds the interpreter and the engine's files, starts the interpreter
 * with its pipes, sends it what is queued, keeps its stderr's tail, waits
 * for its READY, and ends it (il-executor-cpython-private.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "il-cpython.h"
#include "il-executor-cpython-private.h"
#include "il-fd-io.h"
#include "il-io.h"
#include "il-protocol.h"
#include "il-worker-pool.h"

#define STDERR_KEEP  4096
#define MIN_PYTHON   "3.8"
#define MODULE_NAME  "interleave_engine"
#define KERNELS_NAME "libinterleave-kernels.so"

/* ---- finding the interpreter ------------------------------------------ */

static GMutex find_lock;
static char  *found_path;    /* the last answer's path */
static char  *found_version; /* NULL: found_error */
static char  *found_error;

static const char *const probe =
  "import sys, ctypes, threading, multiprocessing, asyncio\n"
  "print('%d.%d.%d' % sys.version_info[:3])\n";

static char *
resolve_python (GError **error)
{
  const char *env = g_getenv ("INTERLEAVE_PYTHON");
  char       *path;

  if (env != NULL && env[0] != '\0')
    {
      path = g_find_program_in_path (env);
      if (path == NULL)
        g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                     _("The cpython engine needs Python 3: INTERLEAVE_PYTHON names %s, "
                       "which is not an executable program"),
                        env);
      return path;
    }
  path = g_find_program_in_path ("python3");
  if (path == NULL)
    g_set_error_literal (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                         _("The cpython engine needs Python 3, and there is no python3 here "
                           "(install it, or set INTERLEAVE_PYTHON to an interpreter)"));
  return path;
}

static char *
probe_python (const char *path,
              char      **why)
{
  const char      *argv[] = { path, "-I", "-c", probe, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int   status = 0;
  guint major = 0, minor = 0, micro = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error))
    {
      *why = g_strdup_printf (_("The cpython engine could not start %s: %s"), path, error->message);
      return NULL;
    }
  if (!g_spawn_check_wait_status (status, NULL) ||
      sscanf (out, "%u.%u.%u", &major, &minor, &micro) != 3)
    {
      g_autofree char *tail = g_utf8_make_valid (g_strstrip (err), MIN (strlen (err), 500));

      *why = g_strdup_printf (_("The cpython engine cannot use %s: it lacks what the engine "
                                "needs (ctypes, threading, multiprocessing, asyncio)%s%s"),
                                 path, tail[0] != '\0' ? ": " : "", tail);
      return NULL;
    }
  if (major != 3 || minor < 8)
    {
      *why = g_strdup_printf (_("The cpython engine needs Python %s or newer; %s is %u.%u.%u"),
                                 MIN_PYTHON, path, major, minor, micro);
      return NULL;
    }
  return g_strdup_printf ("%u.%u.%u", major, minor, micro);
}

gboolean
il_cpython_find (char   **path,
                 char   **version,
                 GError **error)
{
  g_autofree char *resolved = resolve_python (error);
  gboolean         ok;

  if (resolved == NULL)
    return FALSE;

  g_mutex_lock (&find_lock);
  if (g_strcmp0 (found_path, resolved) != 0)
    {
      g_clear_pointer (&found_version, g_free);
      g_clear_pointer (&found_error, g_free);
      g_free (found_path);
      found_path = g_strdup (resolved);
      found_version = probe_python (resolved, &found_error);
    }
  ok = found_version != NULL;
  if (ok && version != NULL)
    *version = g_strdup (found_version);
  if (!ok)
    g_set_error_literal (error, IL_ERROR, IL_ERROR_UNSUPPORTED, found_error);
  g_mutex_unlock (&find_lock);

  if (ok && path != NULL)
    *path = g_steal_pointer (&resolved);
  return ok;
}

/* Where the engine's package and the kernels library are: IL_ENGINE_PYTHON_DIR
 * and IL_ENGINE_KERNELS (the tests point them at this build), else the
 * installed ones, else the source and build trees' (running uninstalled). */
gboolean
il_cpython_find_engine_files (char   **package_dir,
                              char   **kernels,
                              GError **error)
{
  g_autofree char *inst_pkg = g_build_filename (PKGDATADIR, "python", NULL);
  g_autofree char *inst_lib = g_build_filename (PKGLIBDIR, KERNELS_NAME, NULL);
  g_autofree char *inst_mod = g_build_filename (inst_pkg, MODULE_NAME, "engine.py", NULL);
  g_autofree char *src_mod = g_build_filename (SOURCE_PYTHON_DIR, MODULE_NAME, "engine.py", NULL);
  g_autofree char *built_lib = g_build_filename (BUILD_KERNELS_DIR, KERNELS_NAME, NULL);

  const char *env_pkg = g_getenv ("IL_ENGINE_PYTHON_DIR");
  const char *env_lib = g_getenv ("IL_ENGINE_KERNELS");

  if (env_pkg != NULL && env_pkg[0] != '\0' && env_lib != NULL && env_lib[0] != '\0')
    {
      g_autofree char *env_mod = g_build_filename (env_pkg, MODULE_NAME, "engine.py", NULL);

      if (!g_file_test (env_mod, G_FILE_TEST_IS_REGULAR) || !g_file_test (env_lib, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                       _("The cpython engine's files are not where IL_ENGINE_PYTHON_DIR and "
                         "IL_ENGINE_KERNELS say (%s and %s)"),
                          env_mod, env_lib);
          return FALSE;
        }
      *package_dir = g_strdup (env_pkg);
      *kernels = g_strdup (env_lib);
      return TRUE;
    }
  if (g_file_test (inst_mod, G_FILE_TEST_IS_REGULAR) && g_file_test (inst_lib, G_FILE_TEST_IS_REGULAR))
    {
      *package_dir = g_steal_pointer (&inst_pkg);
      *kernels = g_steal_pointer (&inst_lib);
      return TRUE;
    }
  if (g_file_test (src_mod, G_FILE_TEST_IS_REGULAR) && g_file_test (built_lib, G_FILE_TEST_IS_REGULAR))
    {
      *package_dir = g_strdup (SOURCE_PYTHON_DIR);
      *kernels = g_steal_pointer (&built_lib);
      return TRUE;
    }
  g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
               _("The cpython engine's files are missing (looked for %s and %s, and for %s and %s)"),
                  inst_mod, inst_lib, src_mod, built_lib);
  return FALSE;
}

gboolean
il_cpython_available (char   **version,
                      GError **error)
{
  g_autofree char *package_dir = NULL;
  g_autofree char *kernels = NULL;

  return il_cpython_find (NULL, version, error) && il_cpython_find_engine_files (&package_dir, &kernels, error);
}

/* ---- the interpreter process ------------------------------------------ */

gboolean
il_cpython_engine_spawn (Engine  *e,
                         GError **error)
{
  const IlRunConfig *config = e->ctx->config;
  g_autofree char   *workers = g_strdup_printf ("%u", e->ctx->workers);
  g_autofree char   *switch_ms = g_strdup_printf ("%u", config->switch_interval_ms);
  g_autofree char   *slice = g_strdup_printf ("%u", config->cpu_slice_units);
  const char        *bootstrap =
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from interleave_engine.engine import main; sys.exit(main(sys.argv[2:]))";
  char *argv[] = {
    e->python, (char *) "-I", (char *) "-c", (char *) bootstrap, e->package_dir, e->kernels,
    (char *) il_executor_to_string (config->executor), workers, switch_ms,
    (char *) il_spawn_to_string (config->spawn), slice, NULL
  };
  IlProtoHello   hello = { 0 };
  IlChildProcess child;

  /* A process group of its own (cancelling kills the whole group), and
   * its stderr kept to explain a failure. */
  if (!il_child_spawn_with_stderr (e->python, argv, &child, error))
    return FALSE;
  e->pid = child.pid;
  e->wfd = child.to_child;
  e->rfd = child.from_child;
  e->efd = child.from_stderr;

  hello.pid = (guint32) getpid ();
  hello.worker = 0; /* the run's one worker process */
  hello.affinity = e->ctx->affinity;
  hello.heartbeat_ms = (guint32) CLAMP (e->silence_us / 1000 / 4, IL_PROTOCOL_MIN_HEARTBEAT_MS,
                                        IL_PROTOCOL_MAX_HEARTBEAT_MS);
  if (e->ctx->io != NULL)
    {
      hello.server_url = (char *) il_io_env_get_server_url (e->ctx->io);
      hello.scratch_dir = (char *) il_io_env_get_scratch_dir (e->ctx->io);
    }
  il_protocol_write_hello (e->out, IL_FRAME_HELLO, &hello);
  return TRUE;
}

/* Sends what is queued, as far as the pipe takes it. FALSE: the
 * interpreter's stdin is gone. */
gboolean
il_cpython_engine_flush (Engine *e)
{
  if (e->wfd >= 0 && e->out_off < e->out->len)
    {
      gssize n = il_fd_write_available (e->wfd, e->out->data + e->out_off, e->out->len - e->out_off);

      if (n < 0)
        {
          if (errno == EPIPE)
            il_child_consume_sigpipe ();
          il_cpython_close_fd (&e->wfd);
          return FALSE;
        }
      e->out_off += (gsize) n;
      if (e->out_off < e->out->len)
        return TRUE; /* the pipe is full: the rest at the next POLLOUT */
    }
  g_byte_array_set_size (e->out, 0);
  e->out_off = 0;
  return TRUE;
}

/* Keeps the tail of the interpreter's stderr. FALSE at its end. */
gboolean
il_cpython_engine_read_stderr (Engine *e)
{
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (e->efd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        {
          il_cpython_close_fd (&e->efd);
          return FALSE;
        }
      g_string_append_len (e->err, buf, n);
      if (e->err->len > STDERR_KEEP)
        g_string_erase (e->err, 0, (gssize) (e->err->len - STDERR_KEEP));
    }
}

/* Ends the interpreter: waits up to @grace_us for it to leave, then kills
 * its whole group (children of multiprocessing included) while its zombie
 * still holds the group id, and reaps it. Returns how it ended. */
char *
il_cpython_engine_reap (Engine *e,
                        gint64  grace_us)
{
  gint64        deadline = il_now_us () + grace_us;
  struct rusage ru = { 0 };
  IlTaskEnv     rest = { 0 };
  siginfo_t     info;
  int           status = 0;
  pid_t         r;

  il_cpython_close_fd (&e->wfd);
  if (e->pid <= 0)
    return g_strdup (_("not running"));
  for (;;)
    {
      memset (&info, 0, sizeof info);
      if (waitid (P_PID, e->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == e->pid)
        break;
      if (il_now_us () >= deadline)
        {
          kill (e->pid, SIGKILL);
          while (waitid (P_PID, e->pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
            ;
          break;
        }
      g_usleep (1000);
    }
  kill (-e->pid, SIGKILL);
  while ((r = wait4 (e->pid, &status, 0, &ru)) < 0 && errno == EINTR)
    ;
  il_cpython_close_fd (&e->rfd);
  if (e->efd >= 0)
    il_cpython_engine_read_stderr (e);
  il_cpython_close_fd (&e->efd);
  e->pid = 0;
  if (r < 0)
    return g_strdup_printf (_("could not be waited for: %s"), g_strerror (errno));

  rest.usage.user_us = MAX (0, (gint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec - e->reported.user_us);
  rest.usage.sys_us = MAX (0, (gint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec - e->reported.sys_us);
  rest.usage.nvcsw = MAX (0, ru.ru_nvcsw - e->reported.nvcsw);
  rest.usage.nivcsw = MAX (0, ru.ru_nivcsw - e->reported.nivcsw);
  il_run_context_account (e->ctx, &rest);
  return il_child_describe_status (status);
}

/* The last line of what the interpreter wrote to stderr, or NULL. */
char *
il_cpython_engine_stderr_last_line (Engine *e)
{
  g_auto (GStrv) lines = NULL;
  guint n;

  lines = g_strsplit (e->err->str, "\n", -1);
  for (n = g_strv_length (lines); n > 0; n--)
    {
      char *line = g_strstrip (lines[n - 1]);

      if (line[0] != '\0')
        return g_utf8_make_valid (line, MIN (strlen (line), 500));
    }
  return NULL;
}

/* Waits for the interpreter's READY: its start-up is not part of the
 * measurement. FALSE with @error when it cannot start. */
gboolean
il_cpython_engine_wait_ready (Engine  *e,
                              GError **error)
{
  GCancellable *cancellable = e->ctx->cancellable;
  GPollFD       cancel_fd = { -1, 0, 0 };
  gboolean      have_cancel_fd = FALSE;
  gint64        deadline = il_now_us () + 60 * G_USEC_PER_SEC;
  g_autoptr(GError) lost = NULL;

  if (cancellable != NULL)
    have_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);
  while (!e->ready && lost == NULL && e->rfd >= 0 && il_now_us () < deadline &&
         !g_cancellable_is_cancelled (cancellable))
    {
      struct pollfd fds[4];
      nfds_t        n = 0;

      if (e->out->len > e->out_off)
        il_cpython_engine_flush (e);
      fds[n++] = (struct pollfd){ e->rfd, POLLIN, 0 };
      fds[n++] = (struct pollfd){ e->efd, e->efd >= 0 ? POLLIN : 0, 0 };
      fds[n++] = (struct pollfd){ e->wfd, e->wfd >= 0 && e->out->len > e->out_off ? POLLOUT : 0, 0 };
      if (have_cancel_fd)
        fds[n++] = (struct pollfd){ cancel_fd.fd, POLLIN, 0 };
      if (poll (fds, n, 100) < 0 && errno != EINTR)
        break;
      if (fds[1].revents != 0 && e->efd >= 0)
        il_cpython_engine_read_stderr (e);
      if (fds[2].revents != 0)
        il_cpython_engine_flush (e);
      if (fds[0].revents != 0)
        il_cpython_engine_read (e, &lost);
    }
  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  if (e->ready)
    return TRUE;

  /* A cancelled start is no failure: run() sees the cancellation. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      kill (-e->pid, SIGKILL);
      g_free (il_cpython_engine_reap (e, 0));
      return TRUE;
    }
  {
    pid_t            pid = e->pid;
    g_autofree char *how = NULL;
    g_autofree char *said = NULL;

    kill (-pid, SIGKILL);
    how = il_cpython_engine_reap (e, GRACE_US);
    said = il_cpython_engine_stderr_last_line (e);
    if (lost != NULL)
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("The Python interpreter (pid %d) sent garbage (%s) and was killed"),
                      (int) pid, lost->message);
    else
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("The Python interpreter %s (pid %d) did not start the engine: %s%s%s"),
                      e->python, (int) pid, how, said != NULL ? ": " : "", said != NULL ? said : "");
  }
  return FALSE;
}
