/* il-executor-processes.c — tasks in interleave-worker child processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One dispatcher thread (pinned like the other executors' threads, so the
 * children inherit the run's CPU affinity) drives every worker through
 * non-blocking pipes and poll(): it writes TASK frames, forwards the
 * workers' EVENT frames into the run's event stream, and turns RESULT
 * frames into task records. Nothing ever blocks on one worker, so a worker
 * that hangs, dies or babbles costs only its own task.
 *
 * Workers are started with posix_spawn, not GSubprocess: GLib 2.74 forks,
 * and a fork's cost grows with the parent's memory (the GUI is a large
 * parent), while glibc's posix_spawn uses CLONE_VM|CLONE_VFORK and costs
 * the same from any parent. The channel is a pair of pipes on the child's
 * stdin and stdout (a socketpair was measured 7× slower per round trip
 * here: its wake-ups are not the synchronous, same-core kind a pipe's
 * are). SIGPIPE is blocked in the dispatcher thread, so a dead worker shows
 * up as EPIPE, never as a signal to the whole application.
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
 *
 * A task's time runs from the moment it got a worker (pool: the TASK frame
 * is sent; per-task: its process is spawned) until its RESULT arrived and
 * its payload echo was verified: marshalling and start-up are part of what
 * a user of a process pool waits for, so they are part of the task.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "il-fd-io.h"
#include "il-protocol.h"
#include "il-run-private.h"

#include "il-io.h"

extern char **environ;

/* How long a worker may take to leave after BYE or EOF before it is
 * killed. */
#define GRACE_US   (200 * 1000)
#define READ_CHUNK (256 * 1024)

/* How long a worker may stay silent before it is declared lost, ms
 * (IL_WORKER_TIMEOUT_MS overrides it). It sends a HEARTBEAT four times per
 * timeout. */
#define SILENCE_DEFAULT_MS 3000
#define SILENCE_MIN_MS     100
#define SILENCE_MAX_MS     600000

typedef struct
{
  guint       index;
  pid_t       pid;            /* 0: no process in this slot */
  int         wfd;            /* its stdin, -1: none (closed: EOF for it) */
  int         rfd;            /* its stdout, -1: none */
  gboolean    ready;          /* READY received */
  gboolean    bye;            /* BYE queued: it takes no more tasks */
  gint64      bye_at;         /* monotonic µs */
  gint64      spawn_start;    /* monotonic µs at the spawn call */
  gint64      spawn_us;       /* spawn call → READY; -1 until then */
  gboolean    spawn_recorded; /* given to a task already */
  GByteArray *in;
  GByteArray *out;
  gsize       out_off;
  gint        task; /* flat index of its task, -1: idle */
  gboolean    start_emitted;
  guint64     payload_checksum;
  gsize       payload_len;
  IlUsage     reported;   /* task usage it reported, to find the rest at exit */
  gint64      last_heard; /* monotonic µs of its last byte (or its spawn) */
} Slot;

typedef struct
{
  IlRunContext *ctx;
  char         *path;
  gboolean      per_task;
  Slot         *slots;
  guint         n_slots;
  guint         n_tasks;
  guint         next_task;
  guint         done;
  GArray       *events; /* scratch for decoding */
  GError       *error;  /* the run could not start */
  GError       *fatal;  /* a worker could not be started: the loop ends */
  gint64        silence_us;
  guint         heartbeat_ms;
} Dispatcher;

char *il_processes_find_worker (GError **error);

/* Where interleave-worker is: IL_WORKER_PATH, then the installed one, then
 * the build tree's (running uninstalled). */
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

static IlTaskRecord *
task_record (Dispatcher *d,
             guint       flat)
{
  return &g_array_index (d->ctx->repetition->tasks, IlTaskRecord, flat);
}

static void
emit_task_event (Dispatcher   *d,
                 Slot         *s,
                 IlEventKind   kind,
                 IlTaskRecord *rec)
{
  IlEvent ev;

  if (kind == IL_EVENT_TASK_START)
    /* The task's identity (il-events.h); the pid is the worker's, known
     * once it has started. */
    ev = il_event_task_start (rec->start_us, rec->cpu_start, s->pid, s->pid,
                              (gint) rec->group, (gint) rec->index);
  else
    ev = il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed, &rec->state);
  ev.worker = (gint32) s->index;
  ev.task = (guint32) s->task;
  il_run_context_emit (d->ctx, &ev);
}

/* Ends the slot's task as failed with @message (taken). */
static void
slot_fail_task (Dispatcher *d,
                Slot       *s,
                char       *message)
{
  IlTaskRecord *rec;

  if (s->task < 0)
    {
      g_free (message);
      return;
    }
  rec = task_record (d, (guint) s->task);
  if (rec->start_us < 0)
    rec->start_us = il_now_us () - d->ctx->t0;
  rec->end_us = il_now_us () - d->ctx->t0;
  rec->worker = (gint) s->index;
  if (rec->pid == 0)
    rec->pid = s->pid;
  if (rec->blocks == NULL)
    rec->blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
  rec->checksum = 0;
  rec->failed = TRUE;
  g_free (rec->error);
  rec->error = message;
  if (!s->start_emitted)
    emit_task_event (d, s, IL_EVENT_TASK_START, rec);
  emit_task_event (d, s, IL_EVENT_TASK_END, rec);
  s->task = -1;
  d->done++;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static char *
describe_status (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf (_("killed by signal %d (%s)"), WTERMSIG (status),
                               g_strsignal (WTERMSIG (status)));
  if (WIFEXITED (status))
    return g_strdup_printf (_("exited with status %d"), WEXITSTATUS (status));
  return g_strdup_printf (_("ended with wait status 0x%x"), status);
}

/* Waits for the slot's process to end, killing it after @grace_us, and
 * empties the slot. Returns how it ended. Its CPU time outside tasks
 * (start-up, marshalling) is added to the run's usage. */
static char *
slot_reap (Dispatcher *d,
           Slot       *s,
           gint64      grace_us)
{
  gint64        deadline = il_now_us () + grace_us;
  struct rusage ru = { 0 };
  char         *how = NULL;
  int           status = 0;
  pid_t         r;

  close_fd (&s->wfd);
  close_fd (&s->rfd);
  if (s->pid <= 0)
    return g_strdup (_("not running"));

  for (;;)
    {
      r = wait4 (s->pid, &status, WNOHANG, &ru);
      if (r == s->pid)
        break;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          how = g_strdup_printf (_("could not be waited for: %s"), g_strerror (errno));
          break;
        }
      if (il_now_us () >= deadline)
        {
          kill (s->pid, SIGKILL);
          while ((r = wait4 (s->pid, &status, 0, &ru)) < 0 && errno == EINTR)
            ;
          break;
        }
      g_usleep (100);
    }

  if (how == NULL)
    {
      IlTaskEnv rest = { 0 };

      how = describe_status (status);
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

/* The worker is gone or must go: reap it, fail its task with @what. */
static void
slot_lost (Dispatcher *d,
           Slot       *s,
           const char *what,
           gboolean    kill_now)
{
  pid_t            pid = s->pid;
  g_autofree char *how = NULL;

  gboolean started = s->ready;

  if (kill_now && pid > 0)
    kill (pid, SIGKILL);
  how = slot_reap (d, s, GRACE_US);
  /* Ended on its own before READY: it could not start (its own threads,
   * its loader, memory). */
  if (what == NULL && !started && d->fatal == NULL)
    g_set_error (&d->fatal, IL_ERROR, IL_ERROR_WORKER,
                 _("Could not start worker %u (pid %d): it ended before it was ready (%s)"),
                    s->index, (int) pid, how);
  if (s->task >= 0)
    {
      if (what != NULL)
        slot_fail_task (d, s, g_strdup_printf (_("worker %u (pid %d) %s"), s->index, (int) pid, what));
      else
        slot_fail_task (d, s, g_strdup_printf (_("worker %u (pid %d) died: %s"), s->index, (int) pid, how));
    }
}

static gboolean
slot_spawn (Dispatcher *d,
            Slot       *s,
            GError    **error)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t          attr;
  sigset_t                   mask, defaults;
  char                      *argv[] = { d->path, NULL };
  IlProtoHello               hello = { 0 };
  int                        to_child[2], from_child[2];
  pid_t                      pid;
  int                        rc;

  if (pipe2 (to_child, O_CLOEXEC) != 0)
    to_child[0] = to_child[1] = -1;
  if (to_child[0] < 0 || pipe2 (from_child, O_CLOEXEC) != 0)
    {
      int errsv = errno;

      close_fd (&to_child[0]);
      close_fd (&to_child[1]);
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("Could not create a channel to a worker: %s"), g_strerror (errsv));
      return FALSE;
    }
  /* Larger pipes move a big payload in fewer wake-ups; the default is
   * fine where the system refuses. */
  fcntl (to_child[1], F_SETPIPE_SZ, 1024 * 1024);
  fcntl (from_child[0], F_SETPIPE_SZ, 1024 * 1024);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, from_child[1], STDOUT_FILENO);
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 34)
  /* Nothing else of the parent's leaks into the worker, even a descriptor
   * some library opened without close-on-exec. */
  posix_spawn_file_actions_addclosefrom_np (&actions, STDERR_FILENO + 1);
#endif

  /* A clean signal state, and a process group of its own: Ctrl+C in a
   * terminal reaches the CLI, which cancels and kills the workers itself
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

  s->spawn_start = il_now_us ();
  s->last_heard = s->spawn_start;
  rc = posix_spawn (&pid, d->path, &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  close (to_child[0]);
  close (from_child[1]);

  if (rc != 0)
    {
      close (to_child[1]);
      close (from_child[0]);
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("Could not start %s: %s"), d->path, g_strerror (rc));
      return FALSE;
    }

  g_unix_set_fd_nonblocking (to_child[1], TRUE, NULL);
  g_unix_set_fd_nonblocking (from_child[0], TRUE, NULL);
  s->pid = pid;
  s->wfd = to_child[1];
  s->rfd = from_child[0];
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

/* A write to a dead worker's pipe raised SIGPIPE at this thread, where it
 * is blocked: take it, so that it is never delivered. */
static void
consume_sigpipe (void)
{
  struct timespec zero = { 0, 0 };
  sigset_t        set;

  sigemptyset (&set);
  sigaddset (&set, SIGPIPE);
  while (sigtimedwait (&set, NULL, &zero) < 0 && errno == EINTR)
    ;
}

/* Sends what is queued, as far as the pipe takes it. FALSE: the worker
 * is gone (the slot has been reaped). */
static gboolean
slot_flush (Dispatcher *d,
            Slot       *s)
{
  gssize n = il_fd_write_available (s->wfd, s->out->data + s->out_off, s->out->len - s->out_off);

  if (n < 0)
    {
      if (errno == EPIPE)
        consume_sigpipe ();
      slot_lost (d, s, NULL, FALSE);
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

static void
slot_dispatch (Dispatcher *d,
               Slot       *s,
               guint       flat,
               gint64      start_abs)
{
  IlRunContext *ctx = d->ctx;
  IlTaskRecord *rec = task_record (d, flat);
  IlProtoTask   t = { 0 };

  t.group = rec->group;
  t.index = rec->index;
  t.flat = flat;
  t.worker = (gint) s->index;
  t.run = ctx->run;
  t.rep = ctx->rep;
  t.t0 = ctx->t0;
  t.def = g_ptr_array_index (ctx->experiment->tasks, rec->group);
  il_protocol_write_task (s->out, &t);
  t.def = NULL;

  s->task = (gint) flat;
  s->start_emitted = FALSE;
  s->payload_checksum = t.payload_checksum;
  s->payload_len = (gsize) MAX (0, ((const IlTaskGroup *) g_ptr_array_index (ctx->experiment->tasks, rec->group))->payload_bytes);
  rec->start_us = start_abs - ctx->t0;
  rec->worker = (gint) s->index;
  if (s->ready && !s->spawn_recorded)
    {
      /* A pool worker's start-up is charged to its first task. */
      rec->spawn_us = s->spawn_us;
      s->spawn_recorded = TRUE;
    }
}

static void
handle_ready (Dispatcher   *d,
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
      task_record (d, (guint) s->task)->spawn_us = s->spawn_us;
      s->spawn_recorded = TRUE;
    }
}

static void
handle_events (Dispatcher   *d,
               Slot         *s,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  g_array_set_size (d->events, 0);
  if (!il_protocol_read_events (body, len, d->events, error))
    return;
  for (guint i = 0; i < d->events->len; i++)
    {
      IlEvent *ev = &g_array_index (d->events, IlEvent, i);

      /* What il_task_execute emits, nothing else: a worker must not end
       * the run or fake another executor's events in the live view. */
      if (ev->kind != IL_EVENT_TASK_START && ev->kind != IL_EVENT_TASK_END &&
          ev->kind != IL_EVENT_BLOCK_START && ev->kind != IL_EVENT_BLOCK_END)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                       _("protocol error: a worker does not send events of kind %u"),
                          ev->kind);
          return;
        }
      if (s->task < 0 || ev->task != (guint32) s->task)
        continue;
      if (ev->kind == IL_EVENT_TASK_END)
        continue; /* ours follows the verified RESULT */
      if (ev->kind == IL_EVENT_TASK_START)
        {
          if (s->start_emitted)
            continue;
          ev->t_us = task_record (d, (guint) s->task)->start_us;
          s->start_emitted = TRUE;
        }
      ev->worker = (gint32) s->index;
      il_run_context_emit (d->ctx, ev);
    }
}

static void
handle_result (Dispatcher   *d,
               Slot         *s,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  IlProtoResult res;
  IlTaskRecord *rec;
  IlTaskEnv     acc = { 0 };

  if (s->task < 0)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_WORKER,
                           _("protocol error: a RESULT without a task"));
      return;
    }
  if (!il_protocol_read_result (body, len, &res, error))
    return;
  rec = task_record (d, (guint) s->task);
  if (res.rec.group != rec->group || res.rec.index != rec->index)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: a RESULT for task %u.%u while running %u.%u"),
                      res.rec.group, res.rec.index, rec->group, rec->index);
      il_proto_result_clear (&res);
      return;
    }

  rec->pid = res.rec.pid;
  rec->tid = res.rec.tid;
  rec->cpu_start = res.rec.cpu_start;
  rec->cpu_end = res.rec.cpu_end;
  rec->checksum = res.rec.checksum;
  rec->state = res.rec.state;
  rec->failed = res.rec.failed;
  g_clear_pointer (&rec->blocks, g_array_unref);
  rec->blocks = g_steal_pointer (&res.rec.blocks);
  g_free (rec->error);
  rec->error = g_steal_pointer (&res.rec.error);

  if (res.payload_len != s->payload_len ||
      il_protocol_checksum (res.payload, res.payload_len) != s->payload_checksum)
    {
      rec->failed = TRUE;
      rec->checksum = 0;
      g_free (rec->error);
      rec->error = g_strdup_printf (_("worker %u (pid %d) sent the payload back corrupted "
                                      "(%" G_GSIZE_FORMAT " bytes of %" G_GSIZE_FORMAT ")"),
                                       s->index, (int) s->pid, res.payload_len, s->payload_len);
    }
  rec->end_us = il_now_us () - d->ctx->t0;

  acc.usage = res.usage;
  acc.overhead_ns = res.overhead_ns;
  il_run_context_account (d->ctx, &acc);
  s->reported.user_us += res.usage.user_us;
  s->reported.sys_us += res.usage.sys_us;
  s->reported.nvcsw += res.usage.nvcsw;
  s->reported.nivcsw += res.usage.nivcsw;
  il_proto_result_clear (&res);

  if (!s->start_emitted)
    emit_task_event (d, s, IL_EVENT_TASK_START, rec);
  emit_task_event (d, s, IL_EVENT_TASK_END, rec);
  s->task = -1;
  d->done++;
}

/* Reads what the worker sent and handles every whole frame. FALSE: the
 * slot has been reaped. */
static gboolean
slot_read (Dispatcher *d,
           Slot       *s)
{
  g_autoptr(GError) error = NULL;
  gboolean eof = FALSE;
  gsize    pos = 0;

  if (il_fd_read_available (s->rfd, s->in, READ_CHUNK, &eof) > 0)
    s->last_heard = il_now_us ();

  while (error == NULL && s->in->len - pos >= IL_PROTOCOL_HEADER_SIZE)
    {
      IlFrameType   type;
      guint64       len;
      const guint8 *body;

      if (!il_protocol_parse_header (s->in->data + pos, &type, &len, &error))
        break;
      if (s->in->len - pos - IL_PROTOCOL_HEADER_SIZE < len)
        break;
      body = s->in->data + pos + IL_PROTOCOL_HEADER_SIZE;
      switch (type)
        {
          case IL_FRAME_READY:
            handle_ready (d, s, body, len, &error);
            break;
          case IL_FRAME_EVENT:
            handle_events (d, s, body, len, &error);
            break;
          case IL_FRAME_RESULT:
            handle_result (d, s, body, len, &error);
            break;
          case IL_FRAME_HEARTBEAT:
            break; /* being heard from is all it says */
          case IL_FRAME_HELLO:
          case IL_FRAME_TASK:
          case IL_FRAME_BYE:
          default:
            g_set_error (&error, IL_ERROR, IL_ERROR_WORKER,
                         _("protocol error: unexpected %s frame"), il_frame_type_to_string (type));
            break;
        }
      pos += IL_PROTOCOL_HEADER_SIZE + len;
    }
  if (pos > 0)
    g_byte_array_remove_range (s->in, 0, (guint) pos);

  if (error != NULL)
    {
      g_autofree char *what = g_strdup_printf (_("sent garbage (%s) and was killed"), error->message);

      slot_lost (d, s, what, TRUE);
      return FALSE;
    }
  if (eof)
    {
      /* A worker told BYE leaves; any other is lost. */
      slot_lost (d, s, NULL, FALSE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
tasks_left (Dispatcher *d)
{
  return d->next_task < d->n_tasks && !g_cancellable_is_cancelled (d->ctx->cancellable);
}

/* Gives work to slots: spawns where needed, sends tasks to idle workers.
 * A worker that cannot be started sets d->fatal. */
static void
fill_slots (Dispatcher *d)
{
  for (guint i = 0; i < d->n_slots && d->fatal == NULL; i++)
    {
      Slot *s = &d->slots[i];

      if (s->pid == 0 && tasks_left (d))
        {
          if (!slot_spawn (d, s, &d->fatal))
            return;
          if (d->per_task)
            {
              /* Sent right behind HELLO: the task's start-up is its
               * process's start-up. */
              slot_dispatch (d, s, d->next_task++, s->spawn_start);
              il_protocol_write_bye (s->out);
              s->bye = TRUE;
              s->bye_at = G_MAXINT64;
            }
        }
      if (s->pid != 0 && !d->per_task && s->ready && !s->bye && s->task < 0 && tasks_left (d))
        slot_dispatch (d, s, d->next_task++, il_now_us ());
      if (s->pid != 0 && s->out->len > s->out_off)
        slot_flush (d, s);
    }
}

/* Declares lost every worker not heard from for the silence timeout. */
static void
check_silence (Dispatcher *d)
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
      if (!slot_read (d, s))
        continue;
      if (il_now_us () - s->last_heard < d->silence_us)
        continue;
      what = g_strdup_printf (_("stopped responding for %g s"), (double) d->silence_us / G_USEC_PER_SEC);
      slot_lost (d, s, what, TRUE);
    }
}

static gboolean
dispatcher_loop (Dispatcher *d,
                 GError    **error)
{
  GCancellable             *cancellable = d->ctx->cancellable;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, 2 * d->n_slots + 1);
  g_autofree Slot         **owner = g_new0 (Slot *, 2 * d->n_slots + 1);
  GPollFD                   cancel_fd = { -1, 0, 0 };
  gboolean                  have_cancel_fd = FALSE;
  gboolean                  ok = TRUE;

  if (cancellable != NULL)
    have_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);

  for (;;)
    {
      gint   nfds = 0;
      gint   timeout = -1;
      gint64 now;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (d->fatal == NULL)
        fill_slots (d);
      if (d->fatal != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&d->fatal));
          ok = FALSE;
          break;
        }
      if (d->done == d->n_tasks)
        break;

      now = il_now_us ();
      for (guint i = 0; i < d->n_slots; i++)
        {
          Slot *s = &d->slots[i];

          if (s->pid == 0)
            continue;
          /* Per-task workers are told BYE with their task: the grace
           * starts when the result is in. */
          if (s->bye && s->task < 0 && s->bye_at == G_MAXINT64)
            s->bye_at = now;
          if (s->bye && s->task < 0)
            {
              if (now - s->bye_at > GRACE_US)
                {
                  g_free (slot_reap (d, s, 0));
                  continue;
                }
              timeout = timeout < 0 ? 20 : MIN (timeout, 20);
            }
          else
            {
              /* Wake when it would have been silent too long. */
              gint64 left = s->last_heard + d->silence_us - now;
              gint   ms = left <= 0 ? 0 : (gint) MIN ((left + 999) / 1000, G_MAXINT);

              timeout = timeout < 0 ? ms : MIN (timeout, ms);
            }
          fds[nfds].fd = s->rfd;
          fds[nfds].events = POLLIN;
          fds[nfds].revents = 0;
          owner[nfds] = s;
          nfds++;
          if (s->out->len > s->out_off && s->wfd >= 0)
            {
              fds[nfds].fd = s->wfd;
              fds[nfds].events = POLLOUT;
              fds[nfds].revents = 0;
              owner[nfds] = s;
              nfds++;
            }
        }
      if (have_cancel_fd)
        {
          fds[nfds].fd = cancel_fd.fd;
          fds[nfds].events = POLLIN;
          fds[nfds].revents = 0;
          owner[nfds] = NULL;
          nfds++;
        }
      if (nfds == 0 || (nfds == 1 && have_cancel_fd && !tasks_left (d) && timeout < 0))
        {
          guint live = 0;

          for (guint i = 0; i < d->n_slots; i++)
            live += d->slots[i].pid != 0;
          if (live == 0 && !tasks_left (d))
            {
              /* Cannot happen: every dispatched task ends in a RESULT or
               * a failure. Say so rather than wait forever. */
              g_warning ("processes executor: %u of %u tasks unaccounted for (next %u)",
                         d->n_tasks - d->done, d->n_tasks, d->next_task);
              for (guint t = 0; t < d->next_task; t++)
                {
                  IlTaskRecord *rec = task_record (d, t);

                  if (rec->start_us >= 0 && rec->end_us < 0)
                    {
                      rec->end_us = il_now_us () - d->ctx->t0;
                      rec->failed = TRUE;
                      g_free (rec->error);
                      rec->error = g_strdup (_("lost by the processes executor"));
                      if (rec->blocks == NULL)
                        rec->blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
                    }
                }
              break;
            }
        }
      if (nfds == 0)
        {
          /* Every slot is empty yet tasks are left: fill_slots failed them
           * one by one; loop until they are all accounted for. */
          continue;
        }

      if (poll (fds, (nfds_t) nfds, timeout) < 0 && errno != EINTR)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM, "poll: %s", g_strerror (errno));
          ok = FALSE;
          break;
        }

      for (gint k = 0; k < nfds; k++)
        {
          Slot *s = owner[k];

          if (s == NULL || fds[k].revents == 0 || s->pid == 0)
            continue;
          if (fds[k].fd == s->wfd)
            slot_flush (d, s);
          else if (fds[k].fd == s->rfd)
            slot_read (d, s);
        }
      check_silence (d);
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  if (ok && d->fatal != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&d->fatal));
      ok = FALSE;
    }
  return ok;
}

/* Ends every worker: running ones (cancellation) are killed at once and
 * their tasks fail as cancelled; idle ones get BYE and a short grace. */
static void
dispatcher_shutdown (Dispatcher *d)
{
  for (guint i = 0; i < d->n_slots; i++)
    {
      Slot *s = &d->slots[i];

      if (s->pid == 0)
        continue;
      if (s->task >= 0)
        {
          kill (s->pid, SIGKILL);
          g_free (slot_reap (d, s, GRACE_US));
          slot_fail_task (d, s, g_strdup (_("cancelled")));
          continue;
        }
      if (!s->bye)
        {
          il_protocol_write_bye (s->out);
          s->bye = TRUE;
        }
      if (s->wfd >= 0)
        slot_flush (d, s);
    }
  /* All told to leave before waiting for any: they leave in parallel. */
  for (guint i = 0; i < d->n_slots; i++)
    {
      Slot *s = &d->slots[i];

      if (s->pid != 0)
        {
          /* EOF on its stdin, should BYE not have fitted in the pipe. */
          close_fd (&s->wfd);
          g_free (slot_reap (d, s, GRACE_US));
        }
    }
}

static gpointer
processes_dispatcher (gpointer user_data)
{
  Dispatcher   *d = user_data;
  IlRunContext *ctx = d->ctx;
  struct rusage r0, r1;
  IlTaskEnv     self_use = { 0 };

  sigset_t sigpipe;

  /* Pinned before spawning: the workers inherit the run's cores. */
  if (!il_run_context_pin_thread (ctx, &d->error))
    return NULL;

  /* Writing to a dead worker must not signal the application: EPIPE is
   * enough (consume_sigpipe takes the pending signal). The workers get a
   * clean mask from posix_spawn. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);

  getrusage (RUSAGE_THREAD, &r0);
  dispatcher_loop (d, &d->error);
  dispatcher_shutdown (d);
  getrusage (RUSAGE_THREAD, &r1);

  /* The parent's side of marshalling (generating and verifying payloads,
   * framing) is CPU time the run used. */
  self_use.usage.user_us = ((gint64) r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * G_USEC_PER_SEC +
                           (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec);
  self_use.usage.sys_us = ((gint64) r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * G_USEC_PER_SEC +
                          (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
  self_use.usage.nvcsw = r1.ru_nvcsw - r0.ru_nvcsw;
  self_use.usage.nivcsw = r1.ru_nivcsw - r0.ru_nivcsw;
  il_run_context_account (ctx, &self_use);
  return NULL;
}

/* IL_WORKER_TIMEOUT_MS, or the default. */
static gboolean
silence_timeout (gint64  *us,
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

static gboolean
processes_run (IlRunContext *ctx,
               GError      **error)
{
  Dispatcher d = { 0 };
  GThread   *thread;
  gboolean   ok = TRUE;

  d.ctx = ctx;
  if (!silence_timeout (&d.silence_us, error))
    return FALSE;
  d.heartbeat_ms = (guint) CLAMP (d.silence_us / 1000 / 4, IL_PROTOCOL_MIN_HEARTBEAT_MS,
                                  IL_PROTOCOL_MAX_HEARTBEAT_MS);
  d.path = il_processes_find_worker (error);
  if (d.path == NULL)
    return FALSE;
  d.per_task = ctx->config->spawn == IL_SPAWN_PER_TASK;
  d.n_tasks = ctx->repetition->tasks->len;
  d.n_slots = MAX (1, MIN (ctx->workers, d.n_tasks));
  d.slots = g_new0 (Slot, d.n_slots);
  d.events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  for (guint i = 0; i < d.n_slots; i++)
    {
      d.slots[i].index = i;
      d.slots[i].wfd = -1;
      d.slots[i].rfd = -1;
      d.slots[i].task = -1;
      d.slots[i].spawn_us = -1;
      d.slots[i].in = g_byte_array_new ();
      d.slots[i].out = g_byte_array_new ();
    }

  thread = g_thread_try_new ("il-processes", processes_dispatcher, &d, error);
  if (thread == NULL)
    {
      g_prefix_error (error, _("Could not start the processes executor's thread: "));
      ok = FALSE;
    }
  else
    g_thread_join (thread);

  if (ok && d.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&d.error));
      ok = FALSE;
    }
  g_clear_error (&d.error);

  for (guint i = 0; i < d.n_slots; i++)
    {
      g_assert (d.slots[i].pid == 0);
      g_byte_array_unref (d.slots[i].in);
      g_byte_array_unref (d.slots[i].out);
    }
  g_free (d.slots);
  g_array_unref (d.events);
  g_free (d.path);
  return ok;
}

const IlExecutorClass il_executor_processes = {
  .kind = IL_EXECUTOR_PROCESSES,
  .run = processes_run,
};
