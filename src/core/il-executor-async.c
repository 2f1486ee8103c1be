/* il-executor-async.c — one thread, one GMainContext, tasks as state machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cooperative multitasking as asyncio does it: every task is queued at t0
 * (unbounded concurrency, like asyncio.gather) and advances one step at a
 * time on a single loop thread. A sleep is a timer, http and file blocks are
 * GIO/libsoup async operations, and CPU blocks run inline on the loop
 * thread, blocking everything else on it — which is the lesson. With
 * cpu_slice_units k > 0 a CPU block runs k units, then yields to the loop.
 *
 * The scheduler is one GSource owning a FIFO ready queue and a timer heap
 * (asyncio's _ready deque and _scheduled heap) instead of one GSource per
 * step: a step then costs no allocation, no context lock and no wakeup
 * syscall, which keeps per-task dispatch within a small factor of a raw
 * g_idle_add (bench/bench-dispatch-async.c). Its timeouts reach the poll
 * through prepare(), with GLib's millisecond granularity, exactly like
 * g_timeout_source_new (N).
 *
 * A separate heartbeat GSource on the same context is the loop-latency
 * probe: it records how late each tick fires (IlRepetition.loop_lag).
 *
 * This file is the loop: the timer heap, the scheduler and heartbeat
 * sources, the loop thread. Each task's steps (its state machine and what
 * it records) are in il-executor-async-task.c.
 *
 * Where a task's time went (state_us), for this executor:
 *   running  its own steps on the loop thread: the thread CPU time of its
 *            CPU slices (CLOCK_THREAD_CPUTIME_ID) plus the wall time of its
 *            bookkeeping steps (sub-µs, never blocking: reading the thread
 *            CPU clock there would cost more than the step itself);
 *   ready    it could have run but the loop was busy: the lateness of its
 *            continuation versus the moment it became runnable (a timer's
 *            due time, a yield between slices), plus the kernel's run-queue
 *            wait (schedstat) during its own CPU slices. Timers reach the
 *            loop through poll's millisecond timeout, so up to ~1 ms of a
 *            timer's lateness is poll granularity, not a busy loop. An I/O
 *            completion's continuation runs from GIO's own callback, whose
 *            queueing delay is not observable here: it counts as blocked;
 *   blocked  the rest: waiting for its timer or I/O.
 * This is what the GUI's timeline shows for async runs. Before its first
 * step a task is only queued (queued_us = 0); its window starts there.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-executor-async-private.h"
#include "il-schedstat.h"

#include "il-io.h"

/* Heartbeat period of the loop-latency probe. */
#define HEARTBEAT_US 5000
/* A scheduler dispatch hands the loop back to the other sources (the
 * heartbeat, I/O completions) after this much work, so that a batch of
 * cheap steps cannot starve them; a CPU step longer than this ends the
 * batch on its own, which is the stall being demonstrated. */
#define DISPATCH_BUDGET_US 1000

typedef struct
{
  GSource   source;
  AsyncRun *run;
} SchedSource;

typedef struct
{
  GSource   source;
  AsyncRun *run;
} HeartbeatSource;

/* ---------------------------------------------------------------------- */
/* Timer heap                                                              */

static inline gboolean
timer_before (const AsyncTask *a,
              const AsyncTask *b)
{
  return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

void
il_async_timer_push (AsyncRun  *run,
                     AsyncTask *task,
                     gint64     due)
{
  GPtrArray *heap = run->timers;
  guint      i;

  task->due = due;
  task->seq = run->next_seq++;
  g_ptr_array_add (heap, task);
  i = heap->len - 1;
  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!timer_before (task, heap->pdata[parent]))
        break;
      heap->pdata[i] = heap->pdata[parent];
      i = parent;
    }
  heap->pdata[i] = task;
}

static AsyncTask *
timer_pop (AsyncRun *run)
{
  GPtrArray *heap = run->timers;
  AsyncTask *top = heap->pdata[0];
  AsyncTask *last = heap->pdata[heap->len - 1];
  guint      i = 0;
  guint      n;

  g_ptr_array_set_size (heap, heap->len - 1);
  n = heap->len;
  if (n == 0)
    return top;
  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && timer_before (heap->pdata[child + 1], heap->pdata[child]))
        child++;
      if (!timer_before (heap->pdata[child], last))
        break;
      heap->pdata[i] = heap->pdata[child];
      i = child;
    }
  heap->pdata[i] = last;
  return top;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  il_async_cancel_all (user_data);
  return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------------- */
/* The scheduler source                                                    */

static gboolean
sched_prepare (GSource *source,
               gint    *timeout)
{
  AsyncRun        *run = ((SchedSource *) source)->run;
  const AsyncTask *top;
  gint64           now, left;

  if (run->ring_len > 0)
    {
      *timeout = 0;
      return TRUE;
    }
  if (run->timers->len == 0)
    {
      *timeout = -1;
      return FALSE;
    }
  top = run->timers->pdata[0];
  now = g_source_get_time (source);
  left = top->due - now;
  if (left <= 0)
    {
      *timeout = 0;
      return TRUE;
    }
  /* Round up, as GLib does for its own timers: never wake early. */
  *timeout = (gint) MIN ((left + 999) / 1000, G_MAXINT);
  return FALSE;
}

static gboolean
sched_check (GSource *source)
{
  AsyncRun *run = ((SchedSource *) source)->run;

  if (run->ring_len > 0)
    return TRUE;
  return run->timers->len > 0 &&
         ((const AsyncTask *) run->timers->pdata[0])->due <= g_source_get_time (source);
}

static gboolean
sched_dispatch (GSource    *source,
                GSourceFunc callback,
                gpointer    user_data)
{
  AsyncRun     *run = ((SchedSource *) source)->run;
  GCancellable *cancellable = run->ctx->cancellable;
  gint64        now = il_now_us ();
  gint64        deadline = now + DISPATCH_BUDGET_US;
  guint         todo;

  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      il_async_cancel_all (run);
      return G_SOURCE_CONTINUE;
    }

  /* Timers that are due join the ready queue, in due order, runnable since
   * their due time: the rest of their wait is lateness. */
  while (run->timers->len > 0 &&
         ((const AsyncTask *) run->timers->pdata[0])->due <= now)
    {
      AsyncTask *task = timer_pop (run);

      ready_push (run, task, task->due);
    }

  /* Only what is ready now runs in this dispatch (a task that yields goes
   * to the next one), and only for DISPATCH_BUDGET_US or until a CPU slice
   * yields: then the loop's other sources get their turn, so that with
   * cpu_slice_units k the heartbeat waits about k units, not k units times
   * the number of runnable tasks. */
  todo = run->ring_len;
  while (todo-- > 0 && run->ring_len > 0)
    {
      AsyncTask *task = ready_pop (run);
      gint64     end;

      run->work_us = 0;
      run->yielded = FALSE;
      il_async_task_step (run, task, now);
      end = il_now_us ();
      run->overhead_us += MAX (end - now - run->work_us, 0);
      now = end;
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
        {
          il_async_cancel_all (run);
          break;
        }
      if (now >= deadline || run->yielded)
        break;
    }

  if (run->remaining == 0 && run->inflight == 0)
    run->finished = TRUE;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs sched_funcs = {
  sched_prepare,
  sched_check,
  sched_dispatch,
  NULL,
  NULL,
  NULL,
};

/* ---------------------------------------------------------------------- */
/* The loop-latency probe                                                  */

static void
lag_record (AsyncRun *run,
            gint64    scheduled,
            gint64    now)
{
  IlLagSample sample;
  IlEvent     ev;

  sample.t_us = now - run->ctx->t0;
  sample.lag_us = MAX (now - scheduled, 0);
  g_array_append_val (run->lag, sample);

  ev = il_event_loop_lag (sample.t_us, sample.lag_us);
  if (run->ctx->events != NULL)
    il_run_context_emit (run->ctx, &ev);
}

static gboolean
heartbeat_dispatch (GSource    *source,
                    GSourceFunc callback,
                    gpointer    user_data)
{
  AsyncRun *run = ((HeartbeatSource *) source)->run;
  gint64    now = il_now_us ();

  lag_record (run, g_source_get_ready_time (source), now);

  /* The next tick is a period after this one fired, not after it was due:
   * a stalled loop shows one late tick, not a burst of catch-up ticks. */
  g_source_set_ready_time (source, now + HEARTBEAT_US);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs heartbeat_funcs = {
  NULL,
  NULL,
  heartbeat_dispatch,
  NULL,
  NULL,
  NULL,
};

/* ---------------------------------------------------------------------- */
/* The loop thread                                                         */

static void
async_loop (AsyncRun *run)
{
  IlRunContext *ctx = run->ctx;
  IlThreadTimes probe;
  gint64        now;

  il_thread_times_read (&probe);
  run->schedstat_valid = probe.valid;
  run->pid = getpid ();
  run->tid = (gint) syscall (SYS_gettid);

  run->n_tasks = ctx->repetition->tasks->len;
  run->remaining = run->n_tasks;
  if (run->n_tasks == 0)
    return;
  run->tasks = g_new0 (AsyncTask, run->n_tasks);
  run->ring = g_new (AsyncTask *, run->n_tasks);
  run->timers = g_ptr_array_sized_new (MIN (run->n_tasks, 4096));
  run->cpu_slice = ctx->config->cpu_slice_units;

  /* Everything is queued at t0, in flat order. */
  now = il_now_us ();
  for (guint i = 0; i < run->n_tasks; i++)
    {
      AsyncTask *task = &run->tasks[i];

      task->run = run;
      task->rec = &g_array_index (ctx->repetition->tasks, IlTaskRecord, i);
      task->def = g_ptr_array_index (ctx->experiment->tasks, task->rec->group);
      task->flat = i;
      ready_push (run, task, now);
    }

  /* Attached in this order so that, when both are due in one iteration,
   * the heartbeat is dispatched first. */
  run->heartbeat = g_source_new (&heartbeat_funcs, sizeof (HeartbeatSource));
  ((HeartbeatSource *) run->heartbeat)->run = run;
  g_source_set_name (run->heartbeat, "il-async-heartbeat");
  g_source_set_ready_time (run->heartbeat, now + HEARTBEAT_US);
  g_source_attach (run->heartbeat, run->context);

  if (ctx->cancellable != NULL)
    {
      run->cancel_source = g_cancellable_source_new (ctx->cancellable);
      g_source_set_priority (run->cancel_source, G_PRIORITY_HIGH);
      g_source_set_callback (run->cancel_source, G_SOURCE_FUNC (cancelled_cb), run, NULL);
      g_source_attach (run->cancel_source, run->context);
    }

  run->sched = g_source_new (&sched_funcs, sizeof (SchedSource));
  ((SchedSource *) run->sched)->run = run;
  g_source_set_name (run->sched, "il-async-scheduler");
  g_source_attach (run->sched, run->context);

  while (!run->finished)
    g_main_context_iteration (run->context, TRUE);

  /* A stall that lasts until the run ends (a last inline CPU block, or a
   * cancelled one) never lets the tick fire: record the overdue tick, or
   * the probe would miss the very stall it exists to show. */
  now = il_now_us ();
  if (g_source_get_ready_time (run->heartbeat) < now)
    lag_record (run, g_source_get_ready_time (run->heartbeat), now);

  g_source_destroy (run->sched);
  g_clear_pointer (&run->sched, g_source_unref);
  g_source_destroy (run->heartbeat);
  g_clear_pointer (&run->heartbeat, g_source_unref);
  if (run->cancel_source != NULL)
    {
      g_source_destroy (run->cancel_source);
      g_clear_pointer (&run->cancel_source, g_source_unref);
    }
}

static gpointer
async_worker (gpointer user_data)
{
  AsyncRun     *run = user_data;
  IlRunContext *ctx = run->ctx;
  IlUsage       u0, u1;
  IlTaskEnv     env;

  if (!il_run_context_pin_thread (ctx, &run->error))
    return NULL;

  il_thread_usage_read (&u0);
  run->context = g_main_context_new ();
  g_main_context_push_thread_default (run->context);

  async_loop (run);
  /* Streams the I/O blocks are still closing call back on this loop: a
   * callback left pending would keep the context (its wakeup descriptor),
   * the stream and its connection alive after the repetition. */
  while (il_io_async_closes_pending () > 0)
    g_main_context_iteration (run->context, TRUE);
  il_async_io_clear (run);

  g_main_context_pop_thread_default (run->context);
  g_clear_pointer (&run->context, g_main_context_unref);
  il_thread_usage_read (&u1);

  /* Tasks interleave on this one thread, so per-task rusage means nothing:
   * the whole repetition's is accounted once. */
  memset (&env, 0, sizeof env);
  env.usage.user_us = u1.user_us - u0.user_us;
  env.usage.sys_us = u1.sys_us - u0.sys_us;
  env.usage.nvcsw = u1.nvcsw - u0.nvcsw;
  env.usage.nivcsw = u1.nivcsw - u0.nivcsw;
  env.overhead_ns = run->overhead_us * 1000;
  for (guint i = 0; i < run->n_tasks; i++)
    env.counter_done += run->tasks[i].counted;
  env.yielded = run->yield_usage;
  il_run_context_account (ctx, &env);

  g_mutex_lock (&ctx->lock);
  g_array_append_vals (ctx->repetition->loop_lag, run->lag->data, run->lag->len);
  g_mutex_unlock (&ctx->lock);

  return NULL;
}

static gboolean
async_run (IlRunContext *ctx,
           GError      **error)
{
  AsyncRun run = { 0 };
  GThread *thread;

  run.ctx = ctx;
  run.lag = g_array_new (FALSE, FALSE, sizeof (IlLagSample));

  thread = g_thread_try_new ("il-async", async_worker, &run, error);
  if (thread != NULL)
    g_thread_join (thread);
  else
    g_prefix_error (error, _("Could not start the async executor's thread: "));

  for (guint i = 0; i < run.n_tasks; i++)
    {
      g_free (run.tasks[i].io_error);
      il_state_track_clear (&run.tasks[i].track);
    }
  g_free (run.tasks);
  g_free (run.ring);
  g_clear_pointer (&run.timers, g_ptr_array_unref);
  g_clear_pointer (&run.lag, g_array_unref);

  if (thread == NULL)
    return FALSE;
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

const IlExecutorClass il_executor_async = {
  .kind = IL_EXECUTOR_ASYNC,
  .run = async_run,
};
