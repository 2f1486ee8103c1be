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
