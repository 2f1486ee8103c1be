/* il-events.c — the one-way, thread-safe event stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A mutex-protected array: pushers append, the consumer swaps the whole
 * array out, so the lock is held for a memcpy at most. A consumer that stops
 * draining (a hidden window) cannot make the run use unbounded memory: past
 * @capacity events are counted and dropped, never blocked on.
 */
#include "config.h"

#include "il-events.h"

#include <string.h>

struct _IlEventQueue
{
  gatomicrefcount ref_count;
  GMutex          mutex;
  GArray         *pending; /* IlEvent */
  gsize           capacity;
  guint64         dropped;
};

IlEventQueue *
il_event_queue_new (gsize capacity)
{
  IlEventQueue *self = g_new0 (IlEventQueue, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->capacity = capacity > 0 ? capacity : 1 << 20;
  self->pending = g_array_sized_new (FALSE, FALSE, sizeof (IlEvent), 4096);
  return self;
}

IlEventQueue *
il_event_queue_ref (IlEventQueue *queue)
{
  g_return_val_if_fail (queue != NULL, NULL);
  g_atomic_ref_count_inc (&queue->ref_count);
  return queue;
}

void
il_event_queue_unref (IlEventQueue *queue)
{
  g_return_if_fail (queue != NULL);

  if (!g_atomic_ref_count_dec (&queue->ref_count))
    return;
  g_mutex_clear (&queue->mutex);
  g_array_unref (queue->pending);
  g_free (queue);
}

void
il_event_queue_push (IlEventQueue  *queue,
                     const IlEvent *event)
{
  g_mutex_lock (&queue->mutex);
  if (queue->pending->len < queue->capacity)
    g_array_append_vals (queue->pending, event, 1);
  else
    queue->dropped++;
  g_mutex_unlock (&queue->mutex);
}

void
il_event_queue_push_many (IlEventQueue  *queue,
                          const IlEvent *events,
                          guint          n)
{
  gsize room;

  g_mutex_lock (&queue->mutex);
  room = queue->capacity > queue->pending->len ? queue->capacity - queue->pending->len : 0;
  if (room >= n)
    g_array_append_vals (queue->pending, events, n);
  else
    {
      g_array_append_vals (queue->pending, events, (guint) room);
      queue->dropped += n - room;
    }
  g_mutex_unlock (&queue->mutex);
}

guint
il_event_queue_drain (IlEventQueue *queue,
                      GArray       *out,
                      guint         max)
{
  guint n;

  g_return_val_if_fail (queue != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  g_mutex_lock (&queue->mutex);
  n = queue->pending->len;
  if (max > 0 && n > max)
    n = max;
  if (n > 0)
    {
      g_array_append_vals (out, queue->pending->data, n);
      g_array_remove_range (queue->pending, 0, n);
    }
  g_mutex_unlock (&queue->mutex);

  return n;
}

guint64
il_event_queue_get_dropped (IlEventQueue *queue)
{
  guint64 dropped;

  g_mutex_lock (&queue->mutex);
  dropped = queue->dropped;
  g_mutex_unlock (&queue->mutex);
  return dropped;
}

/* ---- One packing function per kind ------------------------------------ */

/* Queued by the thousands: the typed fields must not make it grow. */
G_STATIC_ASSERT (sizeof (IlEvent) <= 88);

/* Field by field, so that the event's padding stays zeroed (events are
 * compared and sent as bytes). */
static inline void
copy_state (IlStateTimes       *to,
            const IlStateTimes *from)
{
  to->valid = from->valid;
  to->running = from->running;
  to->ready = from->ready;
  to->blocked = from->blocked;
  to->gil_wait = from->gil_wait;
  to->lock_wait = from->lock_wait;
}

static inline IlEvent
event_of_kind (IlEventKind kind,
               guint8      flags)
{
  IlEvent ev;

  memset (&ev, 0, sizeof ev);
  ev.kind = (guint8) kind;
  ev.flags = flags;
  return ev;
}

IlEvent
il_event_run_start (guint64 tasks_per_rep)
{
  IlEvent ev = event_of_kind (IL_EVENT_RUN_START, 0);

  ev.run_start.tasks_per_rep = tasks_per_rep;
  return ev;
}

IlEvent
il_event_rep_start (gboolean warmup,
                    guint32  n_tasks)
{
  IlEvent ev = event_of_kind (IL_EVENT_REP_START, warmup ? IL_EVENT_FLAG_WARMUP : 0);

  ev.rep_start.n_tasks = n_tasks;
  return ev;
}

IlEvent
il_event_task_start (gint64 t_us,
                     gint   cpu,
                     gint   pid,
                     gint   tid,
                     gint   group,
                     gint   index)
{
  IlEvent ev = event_of_kind (IL_EVENT_TASK_START, 0);

  ev.t_us = t_us;
  ev.task_start.cpu = cpu;
  ev.task_start.pid = pid;
  ev.task_start.tid = tid;
  ev.task_start.group = group;
  ev.task_start.index = index;
  return ev;
}

IlEvent
il_event_task_end (gint64              start_us,
                   gint64              end_us,
                   gint                cpu,
                   gboolean            failed,
                   const IlStateTimes *state)
{
  IlEvent ev = event_of_kind (IL_EVENT_TASK_END, failed ? IL_EVENT_FLAG_FAILED : 0);

  ev.t_us = end_us;
  ev.task_end.start_us = start_us;
  ev.task_end.cpu = cpu;
  copy_state (&ev.task_end.state, state);
  return ev;
}

IlEvent
il_event_block_start (gint64 t_us,
                      guint  block,
                      guint  type)
{
  IlEvent ev = event_of_kind (IL_EVENT_BLOCK_START, 0);

  ev.t_us = t_us;
  ev.block_start.block = (guint8) block;
  ev.block_start.type = (guint8) type;
  return ev;
}

IlEvent
il_event_block_end (gint64              start_us,
                    gint64              end_us,
                    guint               block,
                    guint               type,
                    gboolean            failed,
                    const IlStateTimes *state)
{
  IlEvent ev = event_of_kind (IL_EVENT_BLOCK_END, failed ? IL_EVENT_FLAG_FAILED : 0);

  ev.t_us = end_us;
  ev.block_end.start_us = start_us;
  ev.block_end.block = (guint8) block;
  ev.block_end.type = (guint8) type;
  copy_state (&ev.block_end.state, state);
  return ev;
}

IlEvent
il_event_gil (IlEventKind kind,
              gint        worker,
              guint32     task,
              gint64      start_us,
              gint64      end_us)
{
  IlEvent ev;

  g_return_val_if_fail (kind == IL_EVENT_GIL_WAIT || kind == IL_EVENT_GIL_HOLD,
                        event_of_kind (IL_EVENT_GIL_HOLD, 0));

  ev = event_of_kind (kind, 0);
  ev.worker = worker;
  ev.task = task;
  ev.t_us = start_us;
  ev.gil.end_us = end_us;
  return ev;
}

IlEvent
il_event_core_sample (gint64 t_us,
                      gint   core,
                      double busy_pct)
{
  IlEvent ev = event_of_kind (IL_EVENT_CORE_SAMPLE, 0);

  ev.t_us = t_us;
  ev.core_sample.core = core;
  ev.core_sample.busy_pct = busy_pct;
  return ev;
}

IlEvent
il_event_overhead (gint64 t_us,
                   double cpu_pct)
{
  IlEvent ev = event_of_kind (IL_EVENT_OVERHEAD, 0);

  ev.t_us = t_us;
  ev.overhead.cpu_pct = cpu_pct;
  return ev;
}

IlEvent
il_event_loop_lag (gint64 t_us,
                   gint64 lag_us)
{
  IlEvent ev = event_of_kind (IL_EVENT_LOOP_LAG, 0);

  ev.t_us = t_us;
  ev.loop_lag.lag_us = lag_us;
  return ev;
}

IlEvent
il_event_rep_end (gint64   makespan_us,
                  gboolean cancelled)
{
  IlEvent ev = event_of_kind (IL_EVENT_REP_END, cancelled ? IL_EVENT_FLAG_CANCELLED : 0);

  ev.t_us = makespan_us;
  return ev;
}

IlEvent
il_event_run_end (void)
{
  return event_of_kind (IL_EVENT_RUN_END, 0);
}

IlEvent
il_event_finished (gboolean cancelled)
{
  return event_of_kind (IL_EVENT_FINISHED, cancelled ? IL_EVENT_FLAG_CANCELLED : 0);
}

gint64
il_event_get_latest_us (const IlEvent *event)
{
  switch ((IlEventKind) event->kind)
    {
      case IL_EVENT_GIL_WAIT:
      case IL_EVENT_GIL_HOLD:
        return MAX (event->t_us, event->gil.end_us);
      case IL_EVENT_TASK_END:
        return MAX (event->t_us, event->task_end.start_us);
      case IL_EVENT_BLOCK_END:
        return MAX (event->t_us, event->block_end.start_us);
      default:
        return event->t_us;
    }
}
