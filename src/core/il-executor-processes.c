/* il-executor-processes.c — tasks in interleave-worker child processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One dispatcher thread (pinned like the other executors' threads, so the
 * children inherit the run's CPU affinity) drives every worker through
 * non-blocking pipes and poll(): it writes TASK frames, forwards the
 * workers' EVENT frames into the run's event stream, and turns RESULT
 * frames into task records. Nothing ever blocks on one worker, so a worker
 * that hangs, dies or babbles costs only its own task. SIGPIPE is blocked
 * in the dispatcher thread, so a dead worker shows up as EPIPE, never as a
 * signal to the whole application.
 *
 * The workers themselves (posix_spawn, the READY handshake, heartbeats and
 * the silence timeout, killing and reaping) are il-worker-pool.c's.
 *
 * A task's time runs from the moment it got a worker (pool: the TASK frame
 * is sent; per-task: its process is spawned) until its RESULT arrived and
 * its payload echo was verified: marshalling and start-up are part of what
 * a user of a process pool waits for, so they are part of the task.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <glib/gi18n.h>

#include "il-executor-processes-private.h"
#include "il-fd-io.h"

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
    {
      IlStateTimes st = il_task_record_state (rec);

      ev = il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed, &st);
    }
  ev.worker = (gint32) s->index;
  ev.task = (guint32) s->task;
  il_run_context_emit (d->ctx, &ev);
}

void
il_processes_slot_fail_task (Dispatcher *d,
                             Slot       *s,
                             char       *message)
{
  IlTaskRecord *rec;

  if (s->task < 0)
    {
      g_free (message);
      return;
    }
  rec = il_processes_task_record (d, (guint) s->task);
  if (rec->start_us < 0)
    rec->start_us = il_now_us () - d->ctx->t0;
  rec->end_us = il_now_us () - d->ctx->t0;
  rec->worker = (gint) s->index;
  if (rec->pid == 0)
    rec->pid = s->pid;
  rec->checksum = 0;
  rec->failed = TRUE;
  il_task_record_take_error (rec, message);
  if (!s->start_emitted)
    emit_task_event (d, s, IL_EVENT_TASK_START, rec);
  emit_task_event (d, s, IL_EVENT_TASK_END, rec);
  s->task = -1;
  d->done++;
}

static void
slot_dispatch (Dispatcher *d,
               Slot       *s,
               guint       flat,
               gint64      start_abs)
{
  IlRunContext *ctx = d->ctx;
  IlTaskRecord *rec = il_processes_task_record (d, flat);
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
      il_task_record_set_spawn_us (rec, s->spawn_us);
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
          ev->t_us = il_processes_task_record (d, (guint) s->task)->start_us;
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
  rec = il_processes_task_record (d, (guint) s->task);
  if (res.rec.group != rec->group || res.rec.index != rec->index)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: a RESULT for task %u.%u while running %u.%u"),
                      res.rec.group, res.rec.index, rec->group, rec->index);
      il_proto_result_clear (&res);
      return;
    }

  il_task_record_take_measured (rec, &res.rec);

  if (res.payload_len != s->payload_len ||
      il_protocol_checksum (res.payload, res.payload_len) != s->payload_checksum)
    {
      rec->failed = TRUE;
      rec->checksum = 0;
      il_task_record_take_error (rec, g_strdup_printf (_("worker %u (pid %d) sent the payload back corrupted "
                                      "(%zu bytes of %zu)"),
                                                          s->index, (int) s->pid, res.payload_len, s->payload_len));
    }
  rec->end_us = il_now_us () - d->ctx->t0;

  acc.usage = res.usage;
  acc.overhead_ns = res.overhead_ns;
  acc.counter_done = res.counted;
  acc.yielded = res.yielded;
  il_run_context_account (d->ctx, &acc);
  il_run_context_count_worker (d->ctx, (gint) s->index, res.counted);
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

gboolean
il_processes_slot_read (Dispatcher *d,
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
            il_pool_handle_ready (d, s, body, len, &error);
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

      il_pool_slot_lost (d, s, what, TRUE);
      return FALSE;
    }
  if (eof)
    {
      /* A worker told BYE leaves; any other is lost. */
      il_pool_slot_lost (d, s, NULL, FALSE);
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
          if (!il_pool_slot_spawn (d, s, &d->fatal))
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
        il_pool_slot_flush (d, s);
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
                  g_free (il_pool_slot_reap (d, s, 0));
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
                  IlTaskRecord *rec = il_processes_task_record (d, t);

                  if (rec->start_us >= 0 && rec->end_us < 0)
                    {
                      rec->end_us = il_now_us () - d->ctx->t0;
                      rec->failed = TRUE;
                      il_task_record_take_error (rec, g_strdup (_("lost by the processes executor")));
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
            il_pool_slot_flush (d, s);
          else if (fds[k].fd == s->rfd)
            il_processes_slot_read (d, s);
        }
      il_pool_check_silence (d);
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
   * enough (il_child_consume_sigpipe takes the pending signal). The workers get a
   * clean mask from posix_spawn. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);

  getrusage (RUSAGE_THREAD, &r0);
  dispatcher_loop (d, &d->error);
  il_pool_shutdown (d);
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

/* Whether any task has an HTTP block: its workers need the HTTP stack. */
static gboolean
has_http_block (const IlExperiment *experiment)
{
  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);

      for (guint b = 0; b < group->blocks->len; b++)
        if (((const IlBlock *) g_ptr_array_index (group->blocks, b))->type == IL_BLOCK_HTTP)
          return TRUE;
    }
  return FALSE;
}

static gboolean
processes_run (IlRunContext *ctx,
               GError      **error)
{
  Dispatcher d = { 0 };
  GThread   *thread;
  gboolean   ok = TRUE;

  d.ctx = ctx;
  if (!il_pool_silence_timeout (&d.silence_us, error))
    return FALSE;
  d.heartbeat_ms = (guint) CLAMP (d.silence_us / 1000 / 4, IL_PROTOCOL_MIN_HEARTBEAT_MS,
                                  IL_PROTOCOL_MAX_HEARTBEAT_MS);
  d.path = il_processes_find_worker (error);
  if (d.path == NULL)
    return FALSE;
  if (has_http_block (ctx->experiment))
    {
      /* The worker with the HTTP stack, beside the other: a worker named
       * by IL_WORKER_PATH without one is taken as it is. */
      g_autofree char *http = g_strconcat (d.path, "-http", NULL);

      if (g_file_test (http, G_FILE_TEST_IS_EXECUTABLE))
        {
          g_free (d.path);
          d.path = g_steal_pointer (&http);
        }
    }
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
