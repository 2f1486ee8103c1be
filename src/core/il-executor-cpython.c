/* il-executor-cpython.c — the same executors on the real CPython interpreter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cpython engine starts one interpreter (il_cpython_find) running the
 * engine's Python package (data/python/interleave_engine), which runs the
 * run's executor with threading, multiprocessing or asyncio and calls
 * Interleave's own CPU kernels through ctypes.PyDLL (il-kernels-lib.c). It
 * speaks the worker wire protocol (il-protocol.h) on its stdin and stdout:
 * HELLO → READY, TASK frames in, EVENT and RESULT frames out, BYE.
 *
 * One dispatcher thread (pinned like the other executors' threads, so the
 * interpreter and its children inherit the run's cores) drives it through
 * non-blocking pipes and poll(), as the processes executor drives its
 * workers: it keeps a window of tasks queued in the interpreter, forwards
 * its events into the run's stream, and turns RESULT frames into task
 * records. Liveness is the processes executor's (il-worker-pool.h): the
 * engine sends a HEARTBEAT from a thread of its own four times per silence
 * timeout (IL_WORKER_TIMEOUT_MS), and an interpreter not heard from for
 * that long (stopped, or wedged in code that never lets the GIL go) is
 * killed and its unfinished tasks fail.
 *
 * The interpreter is the leader of a process group of its own; cancelling
 * kills the whole group (multiprocessing's children too), so no Python
 * process outlives a run. Its stderr is kept (the last few KiB) to explain
 * a failure: that pipe, and killing the group while the leader's zombie
 * still holds its id, are why it is not started and reaped with
 * il_child_spawn and il_child_reap, which leave a worker's stderr alone
 * and end one process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "il-cpython.h"
#include "il-protocol.h"
#include "il-run-private.h"
#include "il-worker-pool.h"

#include "il-io.h"

extern char **environ;

/* How long the interpreter may take to leave after BYE (a pool's shutdown
 * included) before it is killed. */
#define GRACE_US     (3 * G_USEC_PER_SEC)
#define READ_CHUNK   (256 * 1024)
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
static gboolean
find_engine_files (char   **package_dir,
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

  return il_cpython_find (NULL, version, error) && find_engine_files (&package_dir, &kernels, error);
}

/* ---- the dispatcher ---------------------------------------------------- */

typedef struct
{
  IlRunContext *ctx;
  char         *python;
  char         *package_dir;
  char         *kernels;
  gboolean      payloads; /* processes: payloads travel */
  pid_t         pid;
  int           wfd, rfd, efd;
  GByteArray   *in;
  GByteArray   *out;
  gsize         out_off;
  GString      *err; /* stderr's tail */
  guint         n_tasks;
  guint         next_task;
  guint         done;
  guint         window;
  guint         in_flight;
  gboolean      bye_sent;
  guint8       *sent;     /* per flat task: TASK written, RESULT not yet in */
  guint64      *sums;     /* per flat task: payload checksum */
  gint         *lanes;    /* per flat task: the worker its TASK_START named */
  IlUsage       reported; /* what RESULTs reported, to find the rest */
  GArray       *events;
  GError       *error;
  gboolean      ready;      /* READY received */
  gint64        silence_us; /* declared lost after this long unheard */
  gint64        last_heard; /* monotonic µs of the last bytes it sent */
  /* prepare() → run(): the dispatcher starts the interpreter and waits for
   * its READY before the repetition's clock starts, then for the go. */
  GThread      *thread;
  GMutex        lock;
  GCond         cond;
  guint         phase; /* 0 starting, 1 ready (or failed: error), 2 go */
  struct rusage r0;
} Engine;

static IlTaskRecord *
task_record (Engine *e,
             guint   flat)
{
  return &g_array_index (e->ctx->repetition->tasks, IlTaskRecord, flat);
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
emit_task_end (Engine       *e,
               guint         flat,
               IlTaskRecord *rec)
{
  IlEvent ev = il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed,
                                  &rec->state);

  ev.worker = rec->worker;
  ev.task = flat;
  il_run_context_emit (e->ctx, &ev);
}

/* Fails every task handed to the interpreter and not finished. */
static void
fail_in_flight (Engine     *e,
                const char *message)
{
  for (guint flat = 0; flat < e->next_task; flat++)
    {
      IlTaskRecord *rec = task_record (e, flat);
      IlEvent       ev;

      if (!e->sent[flat])
        continue;
      e->sent[flat] = FALSE;
      e->in_flight--;
      e->done++;
      rec->start_us = rec->queued_us;
      rec->end_us = il_now_us () - e->ctx->t0;
      rec->worker = e->lanes[flat];
      if (rec->blocks == NULL)
        rec->blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
      rec->checksum = 0;
      rec->failed = TRUE;
      g_free (rec->error);
      rec->error = g_strdup (message);
      ev = il_event_task_start (rec->start_us, -1, 0, 0, (gint) rec->group, (gint) rec->index);
      ev.worker = rec->worker;
      ev.task = flat;
      il_run_context_emit (e->ctx, &ev);
      emit_task_end (e, flat, rec);
    }
}

static gboolean
engine_spawn (Engine  *e,
              GError **error)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t          attr;
  sigset_t                   mask, defaults;
  const IlRunConfig         *config = e->ctx->config;
  g_autofree char           *workers = g_strdup_printf ("%u", e->ctx->workers);
  g_autofree char           *switch_ms = g_strdup_printf ("%u", config->switch_interval_ms);
  g_autofree char           *slice = g_strdup_printf ("%u", config->cpu_slice_units);
  const char                *bootstrap =
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from interleave_engine.engine import main; sys.exit(main(sys.argv[2:]))";
  char *argv[] = {
    e->python, (char *) "-I", (char *) "-c", (char *) bootstrap, e->package_dir, e->kernels,
    (char *) il_executor_to_string (config->executor), workers, switch_ms,
    (char *) il_spawn_to_string (config->spawn), slice, NULL
  };
  IlProtoHello hello = { 0 };
  int          to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
  pid_t        pid;
  int          rc;

  if (pipe2 (to_child, O_CLOEXEC) != 0 || pipe2 (from_child, O_CLOEXEC) != 0 ||
      pipe2 (err_pipe, O_CLOEXEC) != 0)
    {
      int errsv = errno;

      for (guint i = 0; i < 2; i++)
        {
          close_fd (&to_child[i]);
          close_fd (&from_child[i]);
          close_fd (&err_pipe[i]);
        }
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("Could not create a channel to the Python interpreter: %s"), g_strerror (errsv));
      return FALSE;
    }
  fcntl (to_child[1], F_SETPIPE_SZ, 1024 * 1024);
  fcntl (from_child[0], F_SETPIPE_SZ, 1024 * 1024);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, err_pipe[1], STDERR_FILENO);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
  posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
#endif
  /* A clean signal state and a process group of its own (il-executor-
   * processes.c): Ctrl+C reaches the application, which kills the group. */
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

  rc = posix_spawn (&pid, e->python, &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  close (to_child[0]);
  close (from_child[1]);
  close (err_pipe[1]);
  if (rc != 0)
    {
      close (to_child[1]);
      close (from_child[0]);
      close (err_pipe[0]);
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("Could not start %s: %s"), e->python, g_strerror (rc));
      return FALSE;
    }

  g_unix_set_fd_nonblocking (to_child[1], TRUE, NULL);
  g_unix_set_fd_nonblocking (from_child[0], TRUE, NULL);
  g_unix_set_fd_nonblocking (err_pipe[0], TRUE, NULL);
  e->pid = pid;
  e->wfd = to_child[1];
  e->rfd = from_child[0];
  e->efd = err_pipe[0];

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
static gboolean
engine_flush (Engine *e)
{
  while (e->wfd >= 0 && e->out_off < e->out->len)
    {
      ssize_t n = write (e->wfd, e->out->data + e->out_off, e->out->len - e->out_off);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n < 0)
        {
          if (errno == EPIPE)
            il_child_consume_sigpipe ();
          close_fd (&e->wfd);
          return FALSE;
        }
      e->out_off += (gsize) n;
    }
  g_byte_array_set_size (e->out, 0);
  e->out_off = 0;
  return TRUE;
}

static void
engine_dispatch (Engine *e)
{
  IlRunContext *ctx = e->ctx;

  while (e->next_task < e->n_tasks && e->in_flight < e->window &&
         !g_cancellable_is_cancelled (ctx->cancellable))
    {
      guint              flat = e->next_task++;
      IlTaskRecord      *rec = task_record (e, flat);
      const IlTaskGroup *def = g_ptr_array_index (ctx->experiment->tasks, rec->group);
      IlTaskGroup        sent_def = *def;
      IlProtoTask        t = { 0 };

      /* Only processes move the payload, as under the native engine. */
      if (!e->payloads)
        sent_def.payload_bytes = 0;
      t.group = rec->group;
      t.index = rec->index;
      t.flat = flat;
      t.worker = 0;
      t.run = ctx->run;
      t.rep = ctx->rep;
      t.t0 = ctx->t0;
      t.def = &sent_def;
      il_protocol_write_task (e->out, &t);
      e->sums[flat] = t.payload_checksum;
      e->sent[flat] = TRUE;
      e->in_flight++;
      rec->queued_us = il_now_us () - ctx->t0;
    }
  if (e->next_task == e->n_tasks && !e->bye_sent)
    {
      il_protocol_write_bye (e->out);
      e->bye_sent = TRUE;
    }
}

static void
handle_events (Engine       *e,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  g_array_set_size (e->events, 0);
  if (!il_protocol_read_events (body, len, e->events, error))
    return;
  for (guint i = 0; i < e->events->len; i++)
    {
      IlEvent *ev = &g_array_index (e->events, IlEvent, i);

      if (ev->task >= e->n_tasks || !e->sent[ev->task])
        continue;
      if (ev->kind != IL_EVENT_TASK_START && ev->kind != IL_EVENT_BLOCK_START &&
          ev->kind != IL_EVENT_BLOCK_END)
        continue; /* the task's end follows its RESULT */
      if (ev->worker < 0 || ev->worker >= (gint32) MAX (e->ctx->workers, 1))
        {
          g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                       _("protocol error: an event from worker %d of %u"), ev->worker, e->ctx->workers);
          return;
        }
      if (ev->kind == IL_EVENT_TASK_START)
        e->lanes[ev->task] = ev->worker;
      il_run_context_emit (e->ctx, ev);
    }
}

/* The increments @rec's counter blocks made: every one of those it
 * finished (the interpreter runs a counter block to its end, or is killed). */
static gint64
counter_increments (const IlExperiment *experiment,
                    const IlTaskRecord *rec)
{
  const IlTaskGroup *group;
  gint64             n = 0;

  if (rec->group >= experiment->tasks->len || rec->blocks == NULL)
    return 0;
  group = g_ptr_array_index (experiment->tasks, rec->group);
  for (guint i = 0; i < rec->blocks->len && i < group->blocks->len; i++)
    {
      const IlBlock *block = g_ptr_array_index (group->blocks, i);

      if (block->type == IL_BLOCK_COUNTER && !(rec->failed && i + 1 == rec->blocks->len))
        n += block->increments;
    }
  return n;
}

static void
handle_result (Engine       *e,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  IlProtoResult res;
  IlTaskRecord *rec = NULL;
  IlTaskEnv     acc = { 0 };
  guint         flat = G_MAXUINT;
  gsize         expected;
  gboolean      processes;

  if (!il_protocol_read_result (body, len, &res, error))
    return;
  /* A RESULT names its task by (group, index): find the one in flight. */
  for (guint i = 0; i < e->next_task; i++)
    {
      IlTaskRecord *r = task_record (e, i);

      if (e->sent[i] && r->group == res.rec.group && r->index == res.rec.index)
        {
          flat = i;
          rec = r;
          break;
        }
    }
  if (rec == NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: a RESULT for task %u.%u, which is not running"),
                      res.rec.group, res.rec.index);
      il_proto_result_clear (&res);
      return;
    }

  rec->pid = res.rec.pid;
  rec->tid = res.rec.tid;
  rec->cpu_start = res.rec.cpu_start;
  rec->cpu_end = res.rec.cpu_end;
  rec->start_us = res.rec.start_us;
  rec->end_us = res.rec.end_us;
  rec->checksum = res.rec.checksum;
  rec->state = res.rec.state;
  rec->failed = res.rec.failed;
  g_clear_pointer (&rec->blocks, g_array_unref);
  rec->blocks = g_steal_pointer (&res.rec.blocks);
  g_free (rec->error);
  rec->error = g_steal_pointer (&res.rec.error);
  rec->worker = e->lanes[flat];

  expected = e->payloads ? (gsize) MAX (0, ((const IlTaskGroup *) g_ptr_array_index (e->ctx->experiment->tasks, rec->group))->payload_bytes) : 0;
  if (res.payload_len != expected || il_protocol_checksum (res.payload, res.payload_len) != e->sums[flat])
    {
      rec->failed = TRUE;
      rec->checksum = 0;
      g_free (rec->error);
      rec->error = g_strdup_printf (_("the Python interpreter sent the payload back corrupted "
                                      "(%" G_GSIZE_FORMAT " bytes of %" G_GSIZE_FORMAT ")"),
                                       res.payload_len, expected);
    }

  acc.usage = res.usage;
  acc.overhead_ns = res.overhead_ns;
  processes = e->ctx->config->executor == IL_EXECUTOR_PROCESSES;
  acc.counter_done = processes ? res.counted : counter_increments (e->ctx->experiment, rec);
  il_run_context_account (e->ctx, &acc);
  if (processes)
    {
      /* multiprocessing: the child counted in its own memory, as an
       * interleave-worker does; the interpreter's counter, like ours,
       * never moves. */
      if (rec->worker >= 0 && (guint) rec->worker < MAX (e->ctx->workers, 1))
        il_run_context_count_worker (e->ctx, rec->worker, res.counted);
    }
  else
    {
      /* One interpreter's memory: its counter's value, read as this
       * RESULT was queued; the last one is the final value. */
      g_mutex_lock (&e->ctx->lock);
      e->ctx->counter.value = res.counted;
      g_mutex_unlock (&e->ctx->lock);
    }
  e->reported.user_us += res.usage.user_us;
  e->reported.sys_us += res.usage.sys_us;
  e->reported.nvcsw += res.usage.nvcsw;
  e->reported.nivcsw += res.usage.nivcsw;
  il_proto_result_clear (&res);

  e->sent[flat] = FALSE;
  e->in_flight--;
  e->done++;
  emit_task_end (e, flat, rec);
}

/* Keeps the tail of the interpreter's stderr. FALSE at its end. */
static gboolean
engine_read_stderr (Engine *e)
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
          close_fd (&e->efd);
          return FALSE;
        }
      g_string_append_len (e->err, buf, n);
      if (e->err->len > STDERR_KEEP)
        g_string_erase (e->err, 0, (gssize) (e->err->len - STDERR_KEEP));
    }
}

/* Reads what the interpreter sent and handles every whole frame. FALSE:
 * its stdout ended or it sent garbage (@error set for garbage). */
static gboolean
engine_read (Engine  *e,
             GError **error)
{
  gboolean eof = FALSE;
  gsize    pos = 0;

  for (;;)
    {
      guint   old = e->in->len;
      ssize_t n;

      g_byte_array_set_size (e->in, old + READ_CHUNK);
      n = read (e->rfd, e->in->data + old, READ_CHUNK);
      g_byte_array_set_size (e->in, old + (guint) MAX (n, 0));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n <= 0)
        {
          eof = TRUE;
          break;
        }
      e->last_heard = il_now_us ();
      if (n < READ_CHUNK)
        break;
    }

  while (e->in->len - pos >= IL_PROTOCOL_HEADER_SIZE)
    {
      IlFrameType   type;
      guint64       len;
      const guint8 *body;

      if (!il_protocol_parse_header (e->in->data + pos, &type, &len, error))
        return FALSE;
      if (e->in->len - pos - IL_PROTOCOL_HEADER_SIZE < len)
        break;
      body = e->in->data + pos + IL_PROTOCOL_HEADER_SIZE;
      switch (type)
        {
          case IL_FRAME_READY:
            {
              IlProtoHello ready;

              if (il_protocol_read_hello (body, len, &ready, error))
                {
                  il_proto_hello_clear (&ready);
                  e->ready = TRUE;
                }
            }
            break;
          case IL_FRAME_EVENT:
            handle_events (e, body, len, error);
            break;
          case IL_FRAME_RESULT:
            handle_result (e, body, len, error);
            break;
          case IL_FRAME_HEARTBEAT:
            break; /* being heard from is all it says */
          case IL_FRAME_HELLO:
          case IL_FRAME_TASK:
          case IL_FRAME_BYE:
          default:
            g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                         _("protocol error: unexpected %s frame"), il_frame_type_to_string (type));
            break;
        }
      if (error != NULL && *error != NULL)
        return FALSE;
      pos += IL_PROTOCOL_HEADER_SIZE + len;
    }
  if (pos > 0)
    g_byte_array_remove_range (e->in, 0, (guint) pos);
  if (eof)
    close_fd (&e->rfd);
  return !eof;
}

/* Ends the interpreter: waits up to @grace_us for it to leave, then kills
 * its whole group (children of multiprocessing included) while its zombie
 * still holds the group id, and reaps it. Returns how it ended. */
static char *
engine_reap (Engine *e,
             gint64  grace_us)
{
  gint64        deadline = il_now_us () + grace_us;
  struct rusage ru = { 0 };
  IlTaskEnv     rest = { 0 };
  siginfo_t     info;
  int           status = 0;
  pid_t         r;

  close_fd (&e->wfd);
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
  close_fd (&e->rfd);
  if (e->efd >= 0)
    engine_read_stderr (e);
  close_fd (&e->efd);
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
static char *
stderr_last_line (Engine *e)
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

static void
engine_loop (Engine *e)
{
  GCancellable *cancellable = e->ctx->cancellable;
  GPollFD       cancel_fd = { -1, 0, 0 };
  gboolean      have_cancel_fd = FALSE;
  gboolean      silent = FALSE;
  g_autoptr(GError) lost = NULL;

  if (cancellable != NULL)
    have_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);

  /* Heard from when the run starts: it was READY, and heartbeats it sent
   * while the clock was not running yet are still in the pipe. */
  e->last_heard = il_now_us ();
  while (e->done < e->n_tasks && !g_cancellable_is_cancelled (cancellable))
    {
      struct pollfd fds[4];
      nfds_t        n = 0;
      gint          at_r = -1, at_w = -1, at_e = -1;
      gint64        left;
      gint          timeout;

      engine_dispatch (e);
      if (e->out->len > e->out_off)
        engine_flush (e);
      if (e->rfd < 0)
        break;

      fds[n] = (struct pollfd){ e->rfd, POLLIN, 0 };
      at_r = (gint) n++;
      if (e->efd >= 0)
        {
          fds[n] = (struct pollfd){ e->efd, POLLIN, 0 };
          at_e = (gint) n++;
        }
      if (e->wfd >= 0 && e->out->len > e->out_off)
        {
          fds[n] = (struct pollfd){ e->wfd, POLLOUT, 0 };
          at_w = (gint) n++;
        }
      if (have_cancel_fd)
        fds[n++] = (struct pollfd){ cancel_fd.fd, POLLIN, 0 };

      /* Wake when it would have been silent too long. */
      left = e->last_heard + e->silence_us - il_now_us ();
      timeout = left <= 0 ? 0 : (gint) MIN ((left + 999) / 1000, G_MAXINT);
      if (poll (fds, n, timeout) < 0 && errno != EINTR)
        {
          g_set_error (&lost, IL_ERROR, IL_ERROR_SYSTEM, "poll: %s", g_strerror (errno));
          break;
        }
      if (at_e >= 0 && fds[at_e].revents != 0)
        engine_read_stderr (e);
      if (at_w >= 0 && fds[at_w].revents != 0)
        engine_flush (e);
      if (fds[at_r].revents != 0 && !engine_read (e, &lost))
        break;
      if (il_now_us () - e->last_heard >= e->silence_us)
        {
          /* A last look: what it sent while this thread was not looking
           * (this process stopped, say) counts. */
          if (!engine_read (e, &lost))
            break;
          if (il_now_us () - e->last_heard >= e->silence_us)
            {
              silent = TRUE;
              break;
            }
        }
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);

  if (g_cancellable_is_cancelled (cancellable))
    {
      kill (-e->pid, SIGKILL);
      g_free (engine_reap (e, 0));
      fail_in_flight (e, _("cancelled"));
      return;
    }
  if (e->done < e->n_tasks || lost != NULL)
    {
      /* It died, babbled or fell silent: kill it, and say what it said. */
      pid_t            pid = e->pid;
      g_autofree char *how = NULL;
      g_autofree char *said = NULL;
      g_autofree char *message = NULL;

      if (lost != NULL || silent)
        kill (-pid, SIGKILL);
      how = engine_reap (e, lost != NULL || silent ? 0 : GRACE_US);
      said = stderr_last_line (e);
      if (silent)
        message = g_strdup_printf (_("the Python interpreter (pid %d) stopped responding for %g s "
                                     "and was killed"),
                                      (int) pid, (double) e->silence_us / G_USEC_PER_SEC);
      else if (lost != NULL)
        message = g_strdup_printf (_("the Python interpreter (pid %d) sent garbage (%s) and was killed"),
                                      (int) pid, lost->message);
      else
        message = g_strdup_printf (_("the Python interpreter (pid %d) %s%s%s"), (int) pid, how,
                                      said != NULL ? ": " : "", said != NULL ? said : "");
      fail_in_flight (e, message);
      /* What was never handed over fails with the same reason. */
      while (e->next_task < e->n_tasks)
        {
          e->sent[e->next_task] = TRUE;
          e->in_flight++;
          task_record (e, e->next_task)->queued_us = il_now_us () - e->ctx->t0;
          e->next_task++;
        }
      fail_in_flight (e, message);
      return;
    }
  /* Every result is in: BYE went with the last task; let it leave. */
  engine_flush (e);
  g_free (engine_reap (e, GRACE_US));
}

/* Waits for the interpreter's READY: its start-up is not part of the
 * measurement. FALSE with @error when it cannot start. */
static gboolean
engine_wait_ready (Engine  *e,
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
        engine_flush (e);
      fds[n++] = (struct pollfd){ e->rfd, POLLIN, 0 };
      fds[n++] = (struct pollfd){ e->efd, e->efd >= 0 ? POLLIN : 0, 0 };
      fds[n++] = (struct pollfd){ e->wfd, e->wfd >= 0 && e->out->len > e->out_off ? POLLOUT : 0, 0 };
      if (have_cancel_fd)
        fds[n++] = (struct pollfd){ cancel_fd.fd, POLLIN, 0 };
      if (poll (fds, n, 100) < 0 && errno != EINTR)
        break;
      if (fds[1].revents != 0 && e->efd >= 0)
        engine_read_stderr (e);
      if (fds[2].revents != 0)
        engine_flush (e);
      if (fds[0].revents != 0)
        engine_read (e, &lost);
    }
  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  if (e->ready)
    return TRUE;

  /* A cancelled start is no failure: run() sees the cancellation. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      kill (-e->pid, SIGKILL);
      g_free (engine_reap (e, 0));
      return TRUE;
    }
  {
    pid_t            pid = e->pid;
    g_autofree char *how = NULL;
    g_autofree char *said = NULL;

    kill (-pid, SIGKILL);
    how = engine_reap (e, GRACE_US);
    said = stderr_last_line (e);
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

static void
set_phase (Engine *e,
           guint   phase)
{
  g_mutex_lock (&e->lock);
  e->phase = phase;
  g_cond_broadcast (&e->cond);
  g_mutex_unlock (&e->lock);
}

static void
wait_phase (Engine *e,
            guint   phase)
{
  g_mutex_lock (&e->lock);
  while (e->phase < phase)
    g_cond_wait (&e->cond, &e->lock);
  g_mutex_unlock (&e->lock);
}

static gpointer
cpython_dispatcher (gpointer user_data)
{
  Engine       *e = user_data;
  IlRunContext *ctx = e->ctx;
  struct rusage r1;
  IlTaskEnv     self_use = { 0 };
  sigset_t      sigpipe;
  gboolean      started = FALSE;

  /* Writing to a dead interpreter must not signal the application. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);
  /* Pinned before spawning: the interpreter inherits the run's cores. */
  if (il_run_context_pin_thread (ctx, &e->error) && engine_spawn (e, &e->error))
    started = engine_wait_ready (e, &e->error);
  set_phase (e, 1);
  if (!started)
    return NULL;

  wait_phase (e, 2);
  getrusage (RUSAGE_THREAD, &e->r0);
  if (e->pid > 0)
    engine_loop (e);
  getrusage (RUSAGE_THREAD, &r1);
  self_use.usage.user_us = ((gint64) r1.ru_utime.tv_sec - e->r0.ru_utime.tv_sec) * G_USEC_PER_SEC +
                           (r1.ru_utime.tv_usec - e->r0.ru_utime.tv_usec);
  self_use.usage.sys_us = ((gint64) r1.ru_stime.tv_sec - e->r0.ru_stime.tv_sec) * G_USEC_PER_SEC +
                          (r1.ru_stime.tv_usec - e->r0.ru_stime.tv_usec);
  self_use.usage.nvcsw = r1.ru_nvcsw - e->r0.ru_nvcsw;
  self_use.usage.nivcsw = r1.ru_nivcsw - e->r0.ru_nivcsw;
  il_run_context_account (ctx, &self_use);
  return NULL;
}

static void
engine_free (Engine *e)
{
  g_assert (e->pid == 0);
  g_byte_array_unref (e->in);
  g_byte_array_unref (e->out);
  g_string_free (e->err, TRUE);
  g_free (e->sent);
  g_free (e->sums);
  g_free (e->lanes);
  g_array_unref (e->events);
  g_free (e->python);
  g_free (e->package_dir);
  g_free (e->kernels);
  g_clear_error (&e->error);
  g_mutex_clear (&e->lock);
  g_cond_clear (&e->cond);
  g_free (e);
}

/* Starts the interpreter and waits until it is ready, before the
 * repetition's clock starts: its start-up is not what the run measures. */
static gboolean
cpython_prepare (IlRunContext *ctx,
                 GError      **error)
{
  Engine *e = g_new0 (Engine, 1);

  g_mutex_init (&e->lock);
  g_cond_init (&e->cond);
  e->wfd = e->rfd = e->efd = -1;
  e->in = g_byte_array_new ();
  e->out = g_byte_array_new ();
  e->err = g_string_new (NULL);
  e->events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  e->ctx = ctx;
  e->payloads = ctx->config->executor == IL_EXECUTOR_PROCESSES;
  e->n_tasks = ctx->repetition->tasks->len;
  /* Enough queued in the interpreter that no worker waits for the pipe
   * (it writes its results in batches); processes only a few, as each
   * queued task holds its payload; asyncio takes every task at once, like
   * the native async executor. */
  e->window = ctx->config->executor == IL_EXECUTOR_ASYNC ? G_MAXUINT : ctx->config->executor == IL_EXECUTOR_PROCESSES ? 2 * MAX (ctx->workers, 1) + 2
                                                                                                                      : 1024;
  e->sent = g_new0 (guint8, MAX (e->n_tasks, 1));
  e->sums = g_new0 (guint64, MAX (e->n_tasks, 1));
  e->lanes = g_new0 (gint, MAX (e->n_tasks, 1));

  if (!il_pool_silence_timeout (&e->silence_us, error) ||
      !il_cpython_find (&e->python, NULL, error) ||
      !find_engine_files (&e->package_dir, &e->kernels, error))
    {
      engine_free (e);
      return FALSE;
    }
  e->thread = g_thread_try_new ("il-cpython", cpython_dispatcher, e, error);
  if (e->thread == NULL)
    {
      engine_free (e);
      return FALSE;
    }
  wait_phase (e, 1);
  if (e->error != NULL)
    {
      g_thread_join (e->thread);
      g_propagate_error (error, g_steal_pointer (&e->error));
      engine_free (e);
      return FALSE;
    }
  ctx->prepared = e;
  return TRUE;
}

static gboolean
cpython_run (IlRunContext *ctx,
             GError      **error)
{
  Engine  *e = g_steal_pointer (&ctx->prepared);
  gboolean ok = TRUE;

  g_return_val_if_fail (e != NULL, FALSE);
  set_phase (e, 2);
  g_thread_join (e->thread);
  if (e->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&e->error));
      ok = FALSE;
    }
  engine_free (e);
  return ok;
}

const IlExecutorClass il_executor_cpython = {
  .kind = IL_EXECUTOR_SEQUENTIAL, /* any: chosen by the run's engine */
  .run = cpython_run,
  .prepare = cpython_prepare,
};
