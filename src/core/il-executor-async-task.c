/* il-executor-async-task.c — the async executor's tasks as state
 * machines: each step runs on the loop thread, records where the task's
 * time went (il-executor-async.c explains the states) and leaves the task
 * on the ready queue, the timer heap or an I/O operation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sched.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-executor-async-private.h"
#include "il-io.h"
#include "il-kernels.h"
#include "il-schedstat.h"

/* ---------------------------------------------------------------------- */
/* Recording                                                               */

static inline void
emit (AsyncRun  *run,
      AsyncTask *task,
      IlEvent   *ev)
{
  IlRunContext *ctx = run->ctx;

  if (ctx->events == NULL)
    return;
  ev->run = ctx->run;
  ev->rep = ctx->rep;
  ev->worker = 0;
  ev->task = task->flat;
  il_event_queue_push (ctx->events, ev);
}

/* Closes the task's current stretch on the loop thread: its wall time,
 * less what CPU slices measured precisely, is running time. */
static inline void
segment_close (AsyncTask *task,
               gint64     now)
{
  gint64 wall = now - task->seg_start - task->seg_excluded;

  il_state_track_until (&task->track, now, IL_STATE_RUNNING);
  task->br.state.running += MAX (wall, 0);
  task->seg_start = now;
  task->seg_excluded = 0;
}

static void
block_begin (AsyncRun  *run,
             AsyncTask *task,
             gint64     now)
{
  const IlBlock *block = g_ptr_array_index (task->def->blocks, task->block);
  IlEvent        ev;

  memset (&task->br, 0, sizeof task->br);
  task->br.type = block->type;
  task->br.ttfb_us = -1;
  task->br.start_us = now - run->ctx->t0;
  task->br.state.valid = run->schedstat_valid;
  task->block_start = now;
  il_state_track_start (&task->track, now);
  task->seg_start = now;
  task->seg_excluded = 0;
  task->unit = 0;
  task->waiting = FALSE;
  if (block->type == IL_BLOCK_YIELD && run->yield_blocks_open++ == 0)
    {
      il_thread_usage_read (&run->yield_u0);
      run->yield_cpu0 = il_thread_cpu_ns ();
    }

  ev = il_event_block_start (task->br.start_us, task->block, block->type);
  emit (run, task, &ev);
}

static void
task_finish (AsyncRun  *run,
             AsyncTask *task,
             gint64     now)
{
  IlTaskRecord *rec = task->rec;
  IlEvent       ev;
  IlStateTimes  st;
  gint64        wall;

  rec->end_us = now - run->ctx->t0;
  rec->cpu_end = sched_getcpu ();
  rec->checksum = rec->failed ? 0 : task->checksum;
  wall = rec->end_us - rec->start_us;
  st.valid = run->schedstat_valid;
  st.running = CLAMP (task->running, 0, wall);
  st.ready = CLAMP (task->ready, 0, wall - st.running);
  st.lock_wait = CLAMP (task->lock_wait, 0, wall - st.running - st.ready);
  st.blocked = wall - st.running - st.ready - st.lock_wait;
  st.gil_wait = 0;
  il_task_record_set_state (rec, &st);
  task->done = TRUE;
  g_assert (run->remaining > 0);
  run->remaining--;

  ev = il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed, &st);
  emit (run, task, &ev);
  /* The scratch holds only the files of tasks in flight. */
  il_io_task_done (run->ctx->io, task->flat);
}

/* Ends the current block (successfully unless @error), closing the task's
 * stretch at @now. Returns FALSE when the task is over (failed). */
static gboolean
block_end (AsyncRun   *run,
           AsyncTask  *task,
           gint64      now,
           const char *error)
{
  IlBlockRecord *br = &task->br;
  IlEvent        ev;
  gint64         wall;

  segment_close (task, now);
  br->end_us = now - run->ctx->t0;
  wall = br->end_us - br->start_us;
  br->state.running = CLAMP (br->state.running, 0, wall);
  br->state.ready = CLAMP (br->state.ready, 0, wall - br->state.running);
  br->state.lock_wait = CLAMP (br->state.lock_wait, 0, wall - br->state.running - br->state.ready);
  br->state.blocked = wall - br->state.running - br->state.ready - br->state.lock_wait;
  task->running += br->state.running;
  task->ready += br->state.ready;
  task->lock_wait += br->state.lock_wait;
  br->segments = il_state_track_finish (&task->track, now, IL_STATE_RUNNING);
  il_task_record_add_block (task->rec, &*br);
  br->segments = NULL; /* the record owns them */
  if (br->type == IL_BLOCK_YIELD)
    {
      g_assert (run->yield_blocks_open > 0);
      if (--run->yield_blocks_open == 0)
        {
          IlUsage u1;

          il_thread_usage_read (&u1);
          run->yield_usage.nvcsw += MAX (u1.nvcsw - run->yield_u0.nvcsw, 0);
          run->yield_usage.nivcsw += MAX (u1.nivcsw - run->yield_u0.nivcsw, 0);
          run->yield_usage.cpu_us += MAX (il_thread_cpu_ns () - run->yield_cpu0, 0) / 1000;
        }
    }

  ev = il_event_block_end (br->start_us, br->end_us, task->block, br->type, error != NULL,
                           &br->state);
  emit (run, task, &ev);

  if (error != NULL)
    {
      task->rec->failed = TRUE;
      il_task_record_take_error (task->rec, g_strdup_printf (_("block %u (%s): %s"), task->block + 1,
                                                                il_block_type_to_string (br->type), error));
      return FALSE;
    }
  return TRUE;
}

static void
task_begin (AsyncRun  *run,
            AsyncTask *task,
            gint64     now)
{
  IlTaskRecord *rec = task->rec;
  IlEvent       ev;

  task->started = TRUE;
  rec->pid = run->pid;
  rec->tid = run->tid;
  rec->worker = 0;
  rec->queued_us = 0;
  rec->cpu_start = sched_getcpu ();
  il_task_record_reserve_blocks (rec, task->def->blocks->len);
  rec->start_us = now - run->ctx->t0;

  ev = il_event_task_start (rec->start_us, rec->cpu_start, rec->pid, rec->tid,
                            (gint) rec->group, (gint) rec->index);
  emit (run, task, &ev);

  task->block = 0;
  block_begin (run, task, now);
}

/* ---------------------------------------------------------------------- */
/* The state machine                                                       */

/* Runs up to one slice of the current CPU block inline. Returns TRUE when
 * the block is complete, FALSE when it yielded or was cancelled
 * (*cancelled). */
static gboolean
run_cpu_slice (AsyncRun      *run,
               AsyncTask     *task,
               const IlBlock *block,
               gboolean      *cancelled)
{
  GCancellable *cancellable = run->ctx->cancellable;
  IlThreadTimes a, b;
  gint64        w0, w1;
  gint64        limit;

  limit = run->cpu_slice > 0 ? MIN (block->units, task->unit + (gint64) run->cpu_slice) : block->units;

  il_thread_times_read (&a);
  w0 = il_now_us ();
  for (; task->unit < limit; task->unit++)
    {
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        {
          *cancelled = TRUE;
          break;
        }
      task->checksum = il_checksum_fold (task->checksum,
                                         il_kernel_run_unit (block->kernel,
                                                             il_kernel_seed (task->rec->group, task->rec->index,
                                                                             task->block, (guint64) task->unit)));
    }
  w1 = il_now_us ();
  il_thread_times_read (&b);

  /* The slice's wall time is replaced by what the kernel says it was:
   * on a CPU (running) or runnable but preempted (ready). */
  task->seg_excluded += w1 - w0;
  run->work_us += w1 - w0;
  task->br.state.running += MAX ((b.cpu_ns - a.cpu_ns) / 1000, 0);
  if (a.valid && b.valid)
    task->br.state.ready += MAX ((b.wait_ns - a.wait_ns) / 1000, 0);

  return !*cancelled && task->unit >= block->units;
}

/* Runs a whole counter block inline, on the loop thread: every task's
 * increments happen on this one thread, one task at a time, so none is
 * lost (nothing can run between an increment's read and its write).
 * Returns FALSE when cancelled. */
static gboolean
run_counter (AsyncRun      *run,
             AsyncTask     *task,
             const IlBlock *block)
{
  IlRunContext *ctx = run->ctx;
  IlCounterStep step = { 0 };
  IlThreadTimes a, b;
  gint64        w0, w1;
  gboolean      ok;

  il_thread_times_read (&a);
  w0 = il_now_us ();
  ok = il_counter_run (&ctx->counter, block, block->increments, NULL, NULL, ctx->cancellable, &step);
  w1 = il_now_us ();
  il_thread_times_read (&b);

  task->seg_excluded += w1 - w0;
  run->work_us += w1 - w0;
  task->br.state.running += MAX ((b.cpu_ns - a.cpu_ns) / 1000, 0);
  if (a.valid && b.valid)
    task->br.state.ready += MAX ((b.wait_ns - a.wait_ns) / 1000, 0);
  task->br.state.lock_wait += step.lock_wait_ns / 1000;
  task->counted += step.done;
  return ok;
}

/* One I/O operation in flight: its completion's user data. An abandoned
 * one (task NULL) belongs to nobody but its completion, which frees it. */
typedef struct
{
  AsyncTask *task;
} AsyncIoWait;

static void task_io_done_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);

/* Advances @task as far as it can without waiting: called when it is
 * dispatched from the ready queue, or from its I/O completion. */
void
il_async_task_step (AsyncRun  *run,
                    AsyncTask *task,
                    gint64     now)
{
  if (!task->started)
    task_begin (run, task, now);
  else
    {
      task->seg_start = now;
      task->seg_excluded = 0;
      /* Waiting for its timer or I/O, then (runnable since ready_since)
       * for the loop to get round to it. */
      if (task->ready_since >= 0)
        il_state_track_until (&task->track, task->ready_since, IL_STATE_BLOCKED);
      il_state_track_until (&task->track, now, task->ready_since >= 0 ? IL_STATE_READY : IL_STATE_BLOCKED);
      if (task->ready_since >= 0 && now > task->ready_since)
        task->br.state.ready += now - task->ready_since;
    }
  task->ready_since = -1;

  for (;;)
    {
      const IlBlock *block = g_ptr_array_index (task->def->blocks, task->block);
      const char    *error = NULL;
      gboolean       cancelled = FALSE;

      switch (block->type)
        {
          case IL_BLOCK_CPU:
            if (!run_cpu_slice (run, task, block, &cancelled))
              {
                now = il_now_us ();
                if (cancelled)
                  {
                    error = _("cancelled");
                    break;
                  }
                /* Yield: back of the ready queue, runnable from now on, and
                 * the loop gets its turn before the next slice. */
                segment_close (task, now);
                ready_push (run, task, now);
                run->yielded = TRUE;
                return;
              }
            now = il_now_us ();
            break;

          case IL_BLOCK_SLEEP:
            if (!task->waiting)
              {
                task->waiting = TRUE;
                segment_close (task, now);
                if (block->ms <= 0)
                  ready_push (run, task, now); /* asyncio.sleep (0): just yield */
                else
                  il_async_timer_push (run, task, task->block_start + block->ms * 1000);
                return;
              }
            break;

          case IL_BLOCK_HTTP:
          case IL_BLOCK_FILE_WRITE:
          case IL_BLOCK_FILE_READ:
            if (!task->waiting)
              {
                AsyncIoWait *wait = g_new0 (AsyncIoWait, 1);

                wait->task = task;
                if (run->io_waits == NULL)
                  run->io_waits = g_ptr_array_new ();
                g_ptr_array_add (run->io_waits, wait);
                task->waiting = TRUE;
                run->inflight++;
                /* Starting the operation is the workload's, not Interleave's
                 * overhead; its CPU time comes back with the result
                 * (il_io_async_result_get_state), so the stretch ends here. */
                segment_close (task, now);
                il_io_run_block_async (run->ctx->io, block, task->flat, run->ctx->cancellable,
                                       task_io_done_cb, wait);
                run->work_us += il_now_us () - now;
                return;
              }
            if (!task->io_ok)
              error = task->io_error != NULL ? task->io_error : _("failed");
            break;

          case IL_BLOCK_COUNTER:
            if (!run_counter (run, task, block))
              error = _("cancelled");
            now = il_now_us ();
            break;

          case IL_BLOCK_YIELD:
            /* A cooperative yield: back of the ready queue, so every other
             * ready task (and the loop) gets a turn before the next one. */
            if (task->unit < block->times)
              {
                if (run->ctx->cancellable != NULL &&
                    g_cancellable_is_cancelled (run->ctx->cancellable))
                  {
                    error = _("cancelled");
                    break;
                  }
                task->unit++;
                run->yield_usage.yields++;
                segment_close (task, now);
                ready_push (run, task, now);
                run->yielded = TRUE;
                return;
              }
            break;

          case IL_N_BLOCK_TYPES:
          default:
            g_assert_not_reached ();
        }

      if (!block_end (run, task, now, error) ||
          task->block + 1 >= task->def->blocks->len)
        {
          g_clear_pointer (&task->io_error, g_free);
          task_finish (run, task, now);
          return;
        }
      g_clear_pointer (&task->io_error, g_free);
      task->block++;
      block_begin (run, task, now);
    }
}

static void
task_io_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncIoWait *wait = user_data;
  AsyncTask   *task = wait->task;
  AsyncRun    *run;
  gint64       ttfb = -1;
  char        *error = NULL;
  IlStateTimes io_state = { 0 };
  gint64       now;

  if (task == NULL)
    {
      /* Abandoned after a cancel: its run is over, maybe gone. */
      il_io_run_block_finish (NULL, result, NULL, NULL);
      g_free (wait);
      return;
    }
  run = task->run;
  g_ptr_array_remove_fast (run->io_waits, wait);
  g_free (wait);
  task->io_ok = il_io_run_block_finish (run->ctx->io, result, &ttfb, &error);
  g_assert (run->inflight > 0);
  run->inflight--;
  if (task->done)
    {
      /* Cancelled: the task was closed already. */
      g_free (error);
      if (run->remaining == 0 && run->inflight == 0)
        run->finished = TRUE;
      return;
    }
  task->io_error = error;
  task->br.ttfb_us = ttfb >= 0 ? ttfb - run->ctx->t0 : -1;
  /* The operation's own callbacks ran on this loop thread: that CPU time is
   * this task's running time within the block. */
  il_io_async_result_get_state (result, &io_state);
  if (io_state.valid)
    task->br.state.running += io_state.running;
  now = il_now_us ();
  run->work_us = 0;
  il_async_task_step (run, task, now);
  run->overhead_us += MAX (il_now_us () - now - run->work_us, 0);
  if (run->remaining == 0 && run->inflight == 0)
    run->finished = TRUE;
}

/* ---------------------------------------------------------------------- */
/* Cancellation                                                            */

/* The grace after a cancel is over: the operations still in flight are
 * abandoned, their completions (if they ever come) find no task. */
static gboolean
grace_over_cb (gpointer user_data)
{
  AsyncRun *run = user_data;

  g_clear_pointer (&run->grace, g_source_unref);
  if (run->inflight == 0)
    return G_SOURCE_REMOVE;
  g_debug ("cancelled: %u I/O operation(s) did not complete within %d ms; "
           "the run ends without them",
           run->inflight, IL_ASYNC_CANCEL_GRACE_MS);
  for (guint i = 0; i < run->io_waits->len; i++)
    ((AsyncIoWait *) g_ptr_array_index (run->io_waits, i))->task = NULL;
  run->inflight = 0;
  run->finished = TRUE;
  return G_SOURCE_REMOVE;
}

void
il_async_cancel_all (AsyncRun *run)
{
  gint64 now = il_now_us ();

  if (run->cancelled)
    return;
  run->cancelled = TRUE;

  /* Pending timers and yields are dropped; started tasks end failed now;
   * I/O is cancelled through the cancellable and its callbacks, when they
   * come, find their task done. Tasks never started stay unstarted (the
   * runner drops them from the partial results). */
  g_ptr_array_set_size (run->timers, 0);
  run->ring_len = 0;
  for (guint i = 0; i < run->n_tasks; i++)
    {
      AsyncTask *task = &run->tasks[i];

      if (!task->started || task->done)
        continue;
      if (task->ready_since >= 0)
        il_state_track_until (&task->track, task->ready_since, IL_STATE_BLOCKED);
      il_state_track_until (&task->track, now, task->ready_since >= 0 ? IL_STATE_READY : IL_STATE_BLOCKED);
      task->seg_start = now;
      task->seg_excluded = 0;
      block_end (run, task, now, _("cancelled"));
      task_finish (run, task, now);
    }
  run->remaining = 0;
  if (run->inflight == 0)
    run->finished = TRUE;
  else
    {
      run->grace = g_timeout_source_new (IL_ASYNC_CANCEL_GRACE_MS);
      g_source_set_name (run->grace, "il-async-cancel-grace");
      g_source_set_callback (run->grace, grace_over_cb, run, NULL);
      g_source_attach (run->grace, run->context);
    }
}

/* Contexts of runs that abandoned I/O: a late completion is dispatched
 * there if anything ever iterates it, and must find it (and what it
 * references) alive. Only runs whose I/O ignored a cancel add to it. */
static GMutex     abandoned_lock;
static GPtrArray *abandoned_contexts;

void
il_async_io_clear (AsyncRun *run)
{
  if (run->grace != NULL)
    {
      g_source_destroy (run->grace);
      g_clear_pointer (&run->grace, g_source_unref);
    }
  if (run->io_waits != NULL && run->io_waits->len > 0)
    {
      g_mutex_lock (&abandoned_lock);
      if (abandoned_contexts == NULL)
        abandoned_contexts = g_ptr_array_new ();
      g_ptr_array_add (abandoned_contexts, g_main_context_ref (run->context));
      g_mutex_unlock (&abandoned_lock);
    }
  g_clear_pointer (&run->io_waits, g_ptr_array_unref);
}
