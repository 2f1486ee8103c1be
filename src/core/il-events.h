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

G_BEGIN_DECLS

typedef enum
{
  IL_EVENT_RUN_START,   /* run; value = total tasks per repetition */
  IL_EVENT_REP_START,   /* run, rep; flags & WARMUP */
  IL_EVENT_TASK_START,  /* run, rep, worker, task, t_us, cpu; a pid, b tid, c group, d index */
  IL_EVENT_TASK_END,    /* … t_us, cpu, flags & FAILED; state in a,b,c,d */
  IL_EVENT_BLOCK_START, /* … task, block, block_type, t_us */
  IL_EVENT_BLOCK_END,   /* … t_us; state in a (running) b (ready) c (blocked) d (gil) */
  IL_EVENT_GIL_WAIT,    /* worker, task, t_us … t2_us */
  IL_EVENT_GIL_HOLD,    /* worker, t_us … t2_us */
  IL_EVENT_CORE_SAMPLE, /* cpu = core, t_us, value = busy % */
  IL_EVENT_OVERHEAD,    /* t_us, value = Interleave's own CPU share (% of one core) */
  IL_EVENT_LOOP_LAG,    /* t_us, a = lag µs */
  IL_EVENT_REP_END,     /* run, rep, t_us = makespan µs, flags & CANCELLED */
  IL_EVENT_RUN_END,     /* run */
  IL_EVENT_FINISHED,    /* the whole experiment is done (or cancelled) */
} IlEventKind;

typedef enum
{
  IL_EVENT_FLAG_FAILED = 1 << 0,
  IL_EVENT_FLAG_WARMUP = 1 << 1,
  IL_EVENT_FLAG_CANCELLED = 1 << 2,
} IlEventFlags;

typedef struct
{
  guint8  kind;       /* IlEventKind */
  guint8  flags;      /* IlEventFlags */
  guint8  block_type; /* IlBlockType */
  guint8  block;      /* block index within the task */
  guint16 run;        /* index into the runner's expanded runs */
  guint16 rep;        /* repetition, warm-ups included, 0-based */
  gint32  worker;
  gint32  cpu;
  guint32 task; /* flat task index within the repetition */
  gint64  t_us; /* µs since the repetition started */
  gint64  t2_us;
  gint64  a, b, c, d;
  double  value;
} IlEvent;

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
