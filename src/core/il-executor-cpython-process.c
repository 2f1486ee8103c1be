/* il-executor-cpython-process.c — the cpython engine's interpreter process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finds the interpreter and the engine's files, starts the interpreter
 * with its pipes, waits for its READY, and ends it and its process group
 * (il-executor-cpython-private.h). Its pipes are an IlChildPipe
 * (il-child-pipe.h), like mpirun's.
 */
#include "config.h"

#include <errno.h>
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
#include "il-io.h"
#include "il-protocol.h"
#include "il-worker-pool.h"

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
  IlChildProcess child;

  /* A process group of its own (cancelling kills the whole group), and
   * its stderr kept to explain a failure. */
  if (!il_child_spawn_with_stderr (e->python, argv, &child, error))
    return FALSE;
  il_child_pipe_take (&e->child, &child);
  il_cpython_engine_hello (e);
  return TRUE;
}

void
il_cpython_engine_hello (Engine *e)
{
  IlProtoHello hello = { 0 };

  hello.pid = (guint32) getpid ();
  hello.worker = 0; /* the run's one worker process */
  hello.affinity = e->ctx->affinity;
  hello.heartbeat_ms = (guint32) CLAMP (e->child.silence_us / 1000 / 4, IL_PROTOCOL_MIN_HEARTBEAT_MS,
                                        IL_PROTOCOL_MAX_HEARTBEAT_MS);
  if (e->ctx->io != NULL)
    {
      hello.server_url = (char *) il_io_env_get_server_url (e->ctx->io);
      hello.scratch_dir = (char *) il_io_env_get_scratch_dir (e->ctx->io);
    }
  il_protocol_write_hello (e->child.out, IL_FRAME_HELLO, &hello);
}

/* Kills the interpreter's whole group (children of multiprocessing
 * included) while its zombie still holds the group id: the interpreter
 * first, if it still runs, then the rest. */
static void
kill_group (pid_t pid)
{
  siginfo_t info;

  kill (pid, SIGKILL);
  while (waitid (P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
    ;
  kill (-pid, SIGKILL);
}

/* Ends the interpreter: waits up to @grace_us for it to leave, then kills
 * its whole group and reaps it. Returns how it ended. */
char *
il_cpython_engine_reap (Engine *e,
                        gint64  grace_us)
{
  IlTaskEnv rest = { 0 };
  IlUsage   before = e->reported; /* its usage before this repetition, too */
  char     *how;

  before.user_us += e->base.user_us;
  before.sys_us += e->base.sys_us;
  before.nvcsw += e->base.nvcsw;
  before.nivcsw += e->base.nivcsw;
  how = il_child_pipe_reap (&e->child, grace_us, kill_group, &before, &rest.usage);
  il_run_context_account (e->ctx, &rest);
  return how;
}

char *
il_cpython_child_end (IlChildPipe *cp,
                      gint64       grace_us)
{
  IlUsage reported = { 0 };
  IlUsage rest;

  return il_child_pipe_reap (cp, grace_us, kill_group, &reported, &rest);
}

/* Waits for the interpreter's READY: its start-up is not part of the
 * measurement. FALSE with @error when it cannot start. */
gboolean
il_cpython_engine_wait_ready (Engine  *e,
                              GError **error)
{
  GCancellable *cancellable = e->ctx->cancellable;
  g_autoptr(GError) lost = NULL;

  if (il_child_pipe_wait_ready (&e->child, cancellable, 60 * G_USEC_PER_SEC, &il_cpython_engine_funcs, e, &lost))
    return TRUE;

  /* A cancelled start is no failure: run() sees the cancellation. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      kill (-e->child.pid, SIGKILL);
      g_free (il_cpython_engine_reap (e, 0));
      return TRUE;
    }
  {
    pid_t            pid = e->child.pid;
    g_autofree char *how = NULL;
    g_autofree char *said = NULL;

    kill (-pid, SIGKILL);
    how = il_cpython_engine_reap (e, GRACE_US);
    said = il_child_pipe_stderr_last_line (&e->child, 500);
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
