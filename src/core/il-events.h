/* il-events.h — the one-way, thread-safe stream of what a run is doing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Executor threads push; one consumer drains in batches (the GUI once per
 * frame, the CLI for its progress line). Pushing never blocks on the
 * consumer: the queue is bounded and counts what it had to drop.
 */
#pragma once

#include <glib.h>

#include "il-state-times.h"

G_BEGIN_DECLS

typedef enum
{
  IL_EVENT_RUN_START,   /* run_start */
  IL_EVENT_REP_START,   /* rep_start; flags & WARMUP */
  IL_EVENT_TASK_START,  /* task_start */
  IL_EVENT_TASK_END,    /* task_end; flags & FAILED */
  IL_EVENT_BLOCK_START, /* block_start */
  IL_EVENT_BLOCK_END,   /* block_end; flags & FAILED */
  IL_EVENT_GIL_WAIT,    /* gil: a worker waited for the GIL from t_us to end_us */
  IL_EVENT_GIL_HOLD,    /* gil: a worker held it from t_us to end_us */
  IL_EVENT_CORE_SAMPLE, /* core_sample */
  IL_EVENT_OVERHEAD,    /* overhead */
  IL_EVENT_LOOP_LAG,    /* loop_lag */
  IL_EVENT_REP_END,     /* t_us = makespan µs; flags & CANCELLED */
  IL_EVENT_RUN_END,     /* nothing but run */
  IL_EVENT_FINISHED,    /* the whole experiment is done; flags & CANCELLED */
} IlEventKind;

typedef enum
{
  IL_EVENT_FLAG_FAILED = 1 << 0,
  IL_EVENT_FLAG_WARMUP = 1 << 1,
  IL_EVENT_FLAG_CANCELLED = 1 << 2,
} IlEventFlags;

/* What each kind carries besides the common fields. Read the member named
 * after the event's kind (gil for both GIL kinds); the others are not
 * meaningful. Every producer fills them with the il_event_*() function of
 * its kind below, so that no field changes meaning by position. */
typedef struct
{
  guint64 tasks_per_rep; /* tasks in each repetition of this run */
} IlEventRunStart;

typedef struct
{
  guint32 n_tasks; /* tasks in this repetition */
} IlEventRepStart;

typedef struct
{
  /* The task's identity travels in its start event. */
  gint32 pid;   /* 0 unknown */
  gint32 tid;   /* 0 unknown */
  gint32 group; /* index into experiment->tasks, -1 unknown */
  gint32 index; /* 0 … repeat-1 within the group, -1 unknown */
  gint32 cpu;   /* core it started on, -1 unknown */
} IlEventTaskStart;

typedef struct
{
  IlStateTimes state;
  gint64       start_us; /* t_us is the end */
  gint32       cpu;      /* core it ended on, -1 unknown */
} IlEventTaskEnd;

typedef struct
{
  guint8 block; /* index within the task */
  guint8 type;  /* IlBlockType */
} IlEventBlockStart;

typedef struct
{
  IlStateTimes state;
  gint64       start_us; /* t_us is the end */
  guint8       block;
  guint8       type; /* IlBlockType */
} IlEventBlockEnd;

typedef struct
{
  gint64 end_us; /* t_us is the start */
} IlEventGil;

typedef struct
{
  gint32 core;
  double busy_pct; /* 0 … 100 */
} IlEventCoreSample;

typedef struct
{
  double cpu_pct; /* Interleave's own CPU share, % of one core */
} IlEventOverhead;

typedef struct
{
  gint64 lag_us; /* how late the event loop ran a timer */
} IlEventLoopLag;

/* Queued by the thousands: keep it small (88 bytes on 64-bit: the state
 * times, lock_wait included, are the largest member). */
typedef struct
{
  guint8  kind;  /* IlEventKind */
  guint8  flags; /* IlEventFlags */
  guint16 run;   /* index into the runner's expanded runs */
  guint16 rep;   /* repetition, warm-ups included, 0-based */
  gint32  worker;
  guint32 task; /* flat task index within the repetition */
  gint64  t_us; /* µs since the repetition started */
  union
  {
    IlEventRunStart   run_start;
    IlEventRepStart   rep_start;
    IlEventTaskStart  task_start;
    IlEventTaskEnd    task_end;
    IlEventBlockStart block_start;
    IlEventBlockEnd   block_end;
    IlEventGil        gil;
    IlEventCoreSample core_sample;
    IlEventOverhead   overhead;
    IlEventLoopLag    loop_lag;
  };
} IlEvent;

/* One packing function per kind: each returns a zeroed event of that kind
 * with its fields set. The emitter then stamps run and rep (and worker and
 * task where it knows them). */
IlEvent il_event_run_start (guint64 tasks_per_rep);
IlEvent il_event_rep_start (gboolean warmup,
                            guint32  n_tasks);
IlEvent il_event_task_start (gint64 t_us,
                             gint   cpu,
                             gint   pid,
                             gint   tid,
                             gint   group,
                             gint   index);
IlEvent il_event_task_end (gint64              start_us,
                           gint64              end_us,
                           gint                cpu,
                           gboolean            failed,
                           const IlStateTimes *state);
IlEvent il_event_block_start (gint64 t_us,
                              guint  block,
                              guint  type);
IlEvent il_event_block_end (gint64              start_us,
                            gint64              end_us,
                            guint               block,
                            guint               type,
                            gboolean            failed,
                            const IlStateTimes *state);
/* @kind: IL_EVENT_GIL_WAIT or IL_EVENT_GIL_HOLD. */
IlEvent il_event_gil (IlEventKind kind,
                      gint        worker,
                      guint32     task,
                      gint64      start_us,
                      gint64      end_us);
IlEvent il_event_core_sample (gint64 t_us,
                              gint   core,
                              double busy_pct);
IlEvent il_event_overhead (gint64 t_us,
                           double cpu_pct);
IlEvent il_event_loop_lag (gint64 t_us,
                           gint64 lag_us);
IlEvent il_event_rep_end (gint64   makespan_us,
                          gboolean cancelled);
IlEvent il_event_run_end (void);
IlEvent il_event_finished (gboolean cancelled);

/* The latest of the times @event carries (µs since its repetition started):
 * a GIL span's end, otherwise t_us. */
gint64 il_event_get_latest_us (const IlEvent *event);

typedef struct _IlEventQueue IlEventQueue;

IlEventQueue *il_event_queue_new (gsize capacity);
IlEventQueue *il_event_queue_ref (IlEventQueue *queue);
void          il_event_queue_unref (IlEventQueue *queue);
/* Thread-safe; never blocks for long. Drops (and counts) when full. */
void il_event_queue_push (IlEventQueue  *queue,
                          const IlEvent *event);
/* Pushes @n events under one lock (cheaper than @n pushes when several
 * threads push at once). */
void il_event_queue_push_many (IlEventQueue  *queue,
                               const IlEvent *events,
                               guint          n);
/* Moves at most @max events (0: all) into @out (GArray of IlEvent),
 * appending; returns how many. */
guint   il_event_queue_drain (IlEventQueue *queue,
                              GArray       *out,
                              guint         max);
guint64 il_event_queue_get_dropped (IlEventQueue *queue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlEventQueue, il_event_queue_unref)

G_END_DECLS
