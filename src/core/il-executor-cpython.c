/* il-executor-cpython.c — the same executors on the real CPython interpreter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cpython engine starts one interpreter (il_cpython_find) running the
 * engine's Python package (data/python/interleave_engine), which runs the
 * run's executor with threading, multiprocessing or asyncio and calls
 * Interleave's own CPU kernels through ctypes.PyDLL (il-kernels-lib.c). It
 * speaks the worker wire protocol (il-protocol.h) on its stdin and stdout:
 * HELLO → READY, TASK frames in (TASKS for the async executor), EVENT and
 * RESULT frames out, END → DONE.
 *
 * One interpreter runs every repetition of a run, warm-ups included, as a
 * Python program timing a batch several times would: after a repetition's
 * END and DONE it waits (in ctx->kept, the runner's) for the next
 * repetition's HELLO, which it answers with READY before that repetition's
 * clock starts, as a fresh one does, having set the repetition up anew
 * (its counter at 0, its garbage collected, the executor's threads, pool
 * or loop made again: engine.py). An interpreter that failed (died, fell
 * silent, babbled) or was cancelled is ended with its repetition, and one
 * that does not answer the HELLO is ended then: the next repetition gets a
 * fresh one. The runner ends the last one (cpython_release). Outside a
 * runner (no ctx->kept) BYE ends the interpreter after its one repetition.
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
 * a failure (il_child_spawn_with_stderr). Killing the group while the
 * leader's zombie still holds its id is why it is not reaped with
 * il_child_reap, which ends one process.
 *
 * This file is the dispatcher; il-executor-cpython-process.c finds,
 * starts and ends the interpreter (il-executor-cpython-private.h). The
 * pipes, the poll loop (cancellation, silence, a lost interpreter) and
 * the dispatcher thread are il-child-pipe.h's, shared with the mpi
 * executor.
 */
#include "config.h"

#include <inttypes.h>

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-cpython.h"
#include "il-executor-cpython-private.h"
#include "il-protocol.h"
#include "il-worker-pool.h"

/* TASK frames written to the pipe before the rest of a long window. */
#define DISPATCH_FIRST 256

/* ---- the dispatcher ---------------------------------------------------- */

static IlTaskRecord *
task_record (Engine *e,
             guint   flat)
{
  return &g_array_index (e->ctx->repetition->tasks, IlTaskRecord, flat);
}

static void
emit_task_end (Engine       *e,
               guint         flat,
               IlTaskRecord *rec)
{
  IlStateTimes st = il_task_record_state (rec);
  IlEvent      ev = il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed, &st);

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
      rec->checksum = 0;
      rec->failed = TRUE;
      il_task_record_take_error (rec, g_strdup (message));
      ev = il_event_task_start (rec->start_us, -1, 0, 0, (gint) rec->group, (gint) rec->index);
      ev.worker = rec->worker;
      ev.task = flat;
      il_run_context_emit (e->ctx, &ev);
      emit_task_end (e, flat, rec);
    }
}

/* The async executor's tasks, all handed over at once: one TASKS frame
 * for each run of tasks of one group (every task of a group has the same
 * definition, and no payload moves), which the interpreter's loop decodes
 * once and starts in place. */
static void
engine_dispatch_batched (Engine *e)
{
  IlRunContext *ctx = e->ctx;

  while (e->next_task < e->n_tasks && !g_cancellable_is_cancelled (ctx->cancellable))
    {
      guint              first = e->next_task;
      IlTaskRecord      *rec = task_record (e, first);
      const IlTaskGroup *def = g_ptr_array_index (ctx->experiment->tasks, rec->group);
      IlTaskGroup        sent_def = *def;
      IlProtoTask        t = { 0 };
      guint              count = 1;
      gint64             queued;
      guint64            empty = il_protocol_checksum (NULL, 0); /* what each RESULT brings back */

      while (first + count < e->n_tasks && count < IL_MAX_REPEAT)
        {
          const IlTaskRecord *next = task_record (e, first + count);

          if (next->group != rec->group || next->index != rec->index + count)
            break;
          count++;
        }
      sent_def.payload_bytes = 0;
      t.group = rec->group;
      t.index = rec->index;
      t.flat = first;
      t.run = ctx->run;
      t.rep = ctx->rep;
      t.t0 = ctx->t0;
      t.def = &sent_def;
      il_protocol_write_tasks (e->child.out, &t, count);
      queued = il_now_us () - ctx->t0;
      for (guint flat = first; flat < first + count; flat++)
        {
          e->sums[flat] = empty;
          e->sent[flat] = TRUE;
          task_record (e, flat)->queued_us = queued;
        }
      e->in_flight += count;
      e->next_task += count;
    }
}

static void
engine_dispatch (Engine *e)
{
  IlRunContext *ctx = e->ctx;

  if (ctx->config->executor == IL_EXECUTOR_ASYNC)
    engine_dispatch_batched (e);
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
      il_protocol_write_task (e->child.out, &t);
      e->sums[flat] = t.payload_checksum;
      e->sent[flat] = TRUE;
      e->in_flight++;
      rec->queued_us = il_now_us () - ctx->t0;
      /* A long window's first tasks go out at once: the interpreter starts
       * on them while the rest are being encoded. The rest go together
       * (one more hand-over, not one per chunk: on a busy machine each
       * one the interpreter waits for costs it a scheduling delay). */
      if (e->next_task == DISPATCH_FIRST)
        il_child_pipe_flush (&e->child);
    }
  if (e->next_task == e->n_tasks && !e->bye_sent)
    {
      /* Within a runner the interpreter stays for the run's next
       * repetition: END, which it answers with DONE once every task has
       * finished. */
      if (ctx->kept != NULL)
        {
          il_protocol_write_end (e->child.out);
          e->end_sent = TRUE;
        }
      else
        il_protocol_write_bye (e->child.out);
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

  if (rec->group >= experiment->tasks->len || rec->n_blocks == 0)
    return 0;
  group = g_ptr_array_index (experiment->tasks, rec->group);
  for (guint i = 0; i < rec->n_blocks && i < group->blocks->len; i++)
    {
      const IlBlock *block = g_ptr_array_index (group->blocks, i);

      if (block->type == IL_BLOCK_COUNTER && !(rec->failed && i + 1 == rec->n_blocks))
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
  /* A RESULT names its task by (group, index): find the one in flight,
   * where the repetition lays the groups out one after the other, or else
   * anywhere (a look at every task for every RESULT would cost the
   * dispatcher quadratic time for an async run's thousands in flight). */
  if (res.rec.group < e->n_groups && (guint64) e->group_first[res.rec.group] + res.rec.index < e->next_task)
    {
      guint         i = e->group_first[res.rec.group] + res.rec.index;
      IlTaskRecord *r = task_record (e, i);

      if (e->sent[i] && r->group == res.rec.group && r->index == res.rec.index)
        {
          flat = i;
          rec = r;
        }
    }
  for (guint i = 0; rec == NULL && i < e->next_task; i++)
    {
      IlTaskRecord *r = task_record (e, i);

      if (e->sent[i] && r->group == res.rec.group && r->index == res.rec.index)
        {
          flat = i;
          rec = r;
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

  /* The interpreter reports the task's start and end itself. */
  rec->start_us = res.rec.start_us;
  rec->end_us = res.rec.end_us;
  il_task_record_take_measured (rec, &res.rec);
  rec->worker = e->lanes[flat];

  expected = e->payloads ? (gsize) MAX (0, ((const IlTaskGroup *) g_ptr_array_index (e->ctx->experiment->tasks, rec->group))->payload_bytes) : 0;
  if (res.payload_len != expected || il_protocol_checksum (res.payload, res.payload_len) != e->sums[flat])
    {
      rec->failed = TRUE;
      rec->checksum = 0;
      il_task_record_take_error (rec, g_strdup_printf (_("the Python interpreter sent the payload back corrupted "
                                      "(%zu bytes of %zu)"),
                                                          res.payload_len, expected));
    }

  acc.usage = res.usage;
  acc.overhead_ns = res.overhead_ns;
  processes = e->ctx->config->executor == IL_EXECUTOR_PROCESSES;
  acc.counter_done = processes ? res.counted : counter_increments (e->ctx->experiment, rec);
  acc.yielded = res.yielded;
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

/* DONE: every task has finished, and the interpreter waits for the next
 * repetition. What it used beyond what its RESULTs reported (its own
 * threads, setting the repetition up) goes to this repetition. */
static void
handle_done (Engine       *e,
             const guint8 *body,
             gsize         len,
             GError      **error)
{
  IlUsage   used;
  IlTaskEnv rest = { 0 };

  if (!il_protocol_read_done (body, len, &used, error))
    return;
  if (!e->end_sent || e->got_done || e->done < e->n_tasks)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_WORKER,
                           _("protocol error: a DONE before every task had finished"));
      return;
    }
  e->got_done = TRUE;
  rest.usage.user_us = MAX (0, used.user_us - e->base.user_us - e->reported.user_us);
  rest.usage.sys_us = MAX (0, used.sys_us - e->base.sys_us - e->reported.sys_us);
  rest.usage.nvcsw = MAX (0, used.nvcsw - e->base.nvcsw - e->reported.nvcsw);
  rest.usage.nivcsw = MAX (0, used.nivcsw - e->base.nivcsw - e->reported.nivcsw);
  il_run_context_account (e->ctx, &rest);
  /* All of it is accounted now. */
  e->base = used;
  memset (&e->reported, 0, sizeof e->reported);
}

/* One frame from the interpreter, other than READY and HEARTBEAT. */
static gboolean
engine_frame (gpointer      user_data,
              IlFrameType   type,
              const guint8 *body,
              gsize         len,
              GError      **error)
{
  Engine *e = user_data;

  switch (type)
    {
      case IL_FRAME_EVENT:
        handle_events (e, body, len, error);
        return TRUE;
      case IL_FRAME_RESULT:
        handle_result (e, body, len, error);
        return TRUE;
      case IL_FRAME_DONE:
        handle_done (e, body, len, error);
        return TRUE;
      default:
        return FALSE;
    }
}

static void
engine_dispatch_cb (gpointer user_data)
{
  engine_dispatch (user_data);
}

static gboolean
engine_done (gpointer user_data)
{
  Engine *e = user_data;

  return e->done >= e->n_tasks && (!e->end_sent || e->got_done);
}

static void
engine_loop (gpointer user_data)
{
  Engine       *e = user_data;
  GCancellable *cancellable = e->ctx->cancellable;
  gboolean      silent = FALSE;
  g_autoptr(GError) lost = NULL;

  il_child_pipe_run (&e->child, cancellable, &il_cpython_engine_funcs, e, &silent, &lost);

  if (g_cancellable_is_cancelled (cancellable))
    {
      kill (-e->child.pid, SIGKILL);
      g_free (il_cpython_engine_reap (e, 0));
      fail_in_flight (e, _("cancelled"));
      return;
    }
  if (e->done < e->n_tasks || lost != NULL || (e->end_sent && !e->got_done))
    {
      /* It died, babbled or fell silent: kill it, and say what it said. */
      pid_t            pid = e->child.pid;
      g_autofree char *how = NULL;
      g_autofree char *said = NULL;
      g_autofree char *message = NULL;

      if (lost != NULL || silent)
        kill (-pid, SIGKILL);
      how = il_cpython_engine_reap (e, lost != NULL || silent ? 0 : GRACE_US);
      said = il_child_pipe_stderr_last_line (&e->child, 500);
      if (silent)
        message = g_strdup_printf (_("the Python interpreter (pid %d) stopped responding for %g s "
                                     "and was killed"),
                                      (int) pid, (double) e->child.silence_us / G_USEC_PER_SEC);
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
  if (e->got_done)
    {
      /* Every result is in and it waits: kept for the next repetition. */
      IlCpythonKept *k = g_new0 (IlCpythonKept, 1);

      k->child = e->child;
      k->used = e->base;
      il_child_pipe_init (&e->child, STDERR_KEEP);
      *e->ctx->kept = k;
      return;
    }
  /* Every result is in: BYE went with the last task; let it leave. */
  il_child_pipe_flush (&e->child);
  g_free (il_cpython_engine_reap (e, GRACE_US));
}

/* The run's interpreter from its repetition before, if there is one and it
 * answers this repetition's HELLO: TRUE when it does (or the wait was
 * cancelled: then there is no child, and run() sees the cancellation).
 * FALSE when there is none, or it has gone or does not answer (it is
 * ended: the repetition gets a fresh one). */
static gboolean
engine_resume (Engine *e)
{
  IlCpythonKept *k = e->ctx->kept != NULL ? g_steal_pointer (e->ctx->kept) : NULL;
  gint64         silence_us = e->child.silence_us;
  g_autoptr(GError) lost = NULL;

  if (k == NULL)
    return FALSE;
  il_child_pipe_clear (&e->child);
  e->child = k->child;
  e->child.silence_us = silence_us;
  e->base = k->used;
  g_free (k);
  /* What it said before is no reason for what may go wrong now. */
  g_string_truncate (e->child.err, 0);
  e->child.ready = FALSE;
  il_cpython_engine_hello (e);
  if (il_child_pipe_wait_ready (&e->child, e->ctx->cancellable, 60 * G_USEC_PER_SEC, &il_cpython_engine_funcs, e,
                                &lost))
    return TRUE;
  g_free (il_cpython_child_end (&e->child, 0));
  il_child_pipe_clear (&e->child);
  il_child_pipe_init (&e->child, STDERR_KEEP);
  e->child.silence_us = silence_us;
  memset (&e->base, 0, sizeof e->base);
  return g_cancellable_is_cancelled (e->ctx->cancellable);
}

static gboolean
engine_start (gpointer user_data,
              GError **error)
{
  Engine *e = user_data;

  /* Pinned before spawning: the interpreter inherits the run's cores. */
  if (!il_run_context_pin_thread (e->ctx, error))
    return FALSE;
  if (engine_resume (e))
    return TRUE;
  return il_cpython_engine_spawn (e, error) && il_cpython_engine_wait_ready (e, error);
}

const IlChildPipeFuncs il_cpython_engine_funcs = {
  .start = engine_start,
  .drive = engine_loop,
  .dispatch = engine_dispatch_cb,
  .frame = engine_frame,
  .done = engine_done,
};

static void
engine_free (Engine *e)
{
  il_child_pipe_clear (&e->child);
  g_free (e->sent);
  g_free (e->sums);
  g_free (e->lanes);
  g_free (e->group_first);
  g_array_unref (e->events);
  g_free (e->python);
  g_free (e->package_dir);
  g_free (e->kernels);
  il_child_pipe_thread_clear (&e->dispatcher);
  g_free (e);
}

/* Starts the interpreter and waits until it is ready, before the
 * repetition's clock starts: its start-up is not what the run measures. */
static gboolean
cpython_prepare (IlRunContext *ctx,
                 GError      **error)
{
  Engine *e = g_new0 (Engine, 1);

  il_child_pipe_thread_init (&e->dispatcher);
  il_child_pipe_init (&e->child, STDERR_KEEP);
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
  /* Where each group's tasks start in the repetition (prepare_repetition
   * lays them out group by group; handle_result checks it). */
  e->n_groups = ctx->experiment->tasks->len;
  e->group_first = g_new0 (guint, MAX (e->n_groups, 1));
  for (guint flat = ctx->repetition->tasks->len; flat-- > 0;)
    {
      const IlTaskRecord *r = task_record (e, flat);

      if (r->group < e->n_groups && r->index == 0)
        e->group_first[r->group] = flat;
    }

  if (!il_pool_silence_timeout (&e->child.silence_us, error) ||
      !il_cpython_find (&e->python, NULL, error) ||
      !il_cpython_find_engine_files (&e->package_dir, &e->kernels, error))
    {
      engine_free (e);
      return FALSE;
    }
  if (!il_child_pipe_thread_start (&e->dispatcher, "il-cpython", ctx, &e->child, &il_cpython_engine_funcs, e, error))
    {
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
  gboolean ok;

  g_return_val_if_fail (e != NULL, FALSE);
  ok = il_child_pipe_thread_finish (&e->dispatcher, error);
  engine_free (e);
  return ok;
}

/* The runner is done with the run: its interpreter leaves (the end of its
 * input, as it waits for a HELLO, is its cue). */
static void
cpython_release (gpointer kept)
{
  IlCpythonKept *k = kept;

  g_free (il_cpython_child_end (&k->child, GRACE_US));
  il_child_pipe_clear (&k->child);
  g_free (k);
}

const IlExecutorClass il_executor_cpython = {
  .kind = IL_EXECUTOR_SEQUENTIAL, /* any: chosen by the run's engine */
  .run = cpython_run,
  .prepare = cpython_prepare,
  .release = cpython_release,
};
