/* il-executor-async-private.h — what the async executor's loop
 * (il-executor-async.c) shares with its tasks' state machine
 * (il-executor-async-task.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-run-private.h"

G_BEGIN_DECLS

typedef struct _AsyncRun AsyncRun;

typedef struct
{
  AsyncRun          *run;
  IlTaskRecord      *rec;
  const IlTaskGroup *def;
  guint              flat;
  guint              block; /* current block */
  gint64             unit;  /* next unit of the current CPU block */
  guint64            checksum;
  IlBlockRecord      br;           /* the current block, appended at its end */
  IlStateTrack       track;        /* the current block's states in time order */
  gint64             block_start;  /* absolute µs */
  gint64             seg_start;    /* absolute µs: this task's current stretch on the loop */
  gint64             seg_excluded; /* µs of that stretch measured otherwise (CPU slices) */
  gint64             ready_since;  /* absolute µs it became runnable; -1: not waiting to run */
  gint64             due;          /* timer heap key, absolute µs */
  guint64            seq;          /* FIFO order among equal due times */
  gint64             running;      /* task totals, µs */
  gint64             ready;
  gint64             lock_wait;
  gint64             counted; /* counter increments made */
  gboolean           started;
  gboolean           waiting; /* the current block's wait has been started */
  gboolean           done;
  gboolean           io_ok;
  char              *io_error;
} AsyncTask;

struct _AsyncRun
{
  IlRunContext *ctx;
  GError       *error;
  GMainContext *context;
  GSource      *sched;
  GSource      *heartbeat;
  GSource      *cancel_source;
  AsyncTask    *tasks;
  guint         n_tasks;
  /* Ready queue: a ring of capacity n_tasks (a task is in it at most once). */
  AsyncTask **ring;
  guint       ring_head;
  guint       ring_len;
  /* Timer heap, ordered by (due, seq). */
  GPtrArray *timers;
  guint64    next_seq;
  guint      remaining; /* tasks not done */
  guint      inflight;  /* I/O operations not yet called back */
  GPtrArray *io_waits;  /* AsyncIoWait of each of them (no free func) */
  GSource   *grace;     /* after a cancel: how long in-flight I/O is waited for */
  guint      cpu_slice; /* 0: CPU blocks run to completion */
  gboolean   cancelled;
  gboolean   finished;
  gboolean   schedstat_valid;
  gint       pid;
  gint       tid;
  gint64     overhead_us; /* bookkeeping on the loop thread */
  gint64     work_us;     /* the workload's own time within steps */
  gboolean   yielded;     /* a CPU slice yielded in this step */
  /* yield blocks: what they did, and the loop thread's rusage and CPU
   * clock when the first of those in progress began. The kernel's switches
   * and the loop thread's CPU time are counted while any task is in one: a
   * hand-over is the loop's work, not one task's. */
  IlYieldUsage yield_usage;
  guint        yield_blocks_open;
  IlUsage      yield_u0;
  gint64       yield_cpu0;
  GArray      *lag; /* IlLagSample */
};

/* ---------------------------------------------------------------------- */
/* Ready queue                                                             */

static inline void
ready_push (AsyncRun  *run,
            AsyncTask *task,
            gint64     since)
{
  g_assert (run->ring_len < run->n_tasks);
  task->ready_since = since;
  run->ring[(run->ring_head + run->ring_len) % run->n_tasks] = task;
  run->ring_len++;
}

static inline AsyncTask *
ready_pop (AsyncRun *run)
{
  AsyncTask *task;

  g_assert (run->ring_len > 0);
  task = run->ring[run->ring_head];
  run->ring_head = (run->ring_head + 1) % run->n_tasks;
  run->ring_len--;
  return task;
}

/* Puts @task on the timer heap, runnable at @due (absolute µs). */
void il_async_timer_push (AsyncRun  *run,
                          AsyncTask *task,
                          gint64     due);

/* Advances @task as far as it can without waiting: called when it is
 * popped from the ready queue at @now. */
void il_async_task_step (AsyncRun  *run,
                         AsyncTask *task,
                         gint64     now);

/* Ends every started task as cancelled and drops what is queued. I/O in
 * flight is cancelled through the run's cancellable: its completions are
 * waited for IL_ASYNC_CANCEL_GRACE_MS at most, then abandoned (an operation
 * GIO cannot cancel, such as an open() blocked in one of its threads, or a
 * completion that never comes, must not keep a cancelled run from ending). */
#define IL_ASYNC_CANCEL_GRACE_MS 2000
void il_async_cancel_all (AsyncRun *run);

/* After the run: ends the grace period, and keeps the loop's context of
 * abandoned operations alive for their late completions. */
void il_async_io_clear (AsyncRun *run);

G_END_DECLS
