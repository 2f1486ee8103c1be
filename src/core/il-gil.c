/* il-gil.c — a simulated global interpreter lock, handed over like CPython's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPython's GIL (Python/ceval_gil.c): a thread that has waited longer than
 * the switch interval sets a drop request; the holder sees it at its next
 * check (here: the next unit boundary), releases, and must not take the
 * lock back before the waiter has had it (FORCE_SWITCHING). We get the same
 * hand-off, and fairness among several waiters, with a ticket queue: every
 * acquisition draws a ticket and the lock goes to tickets in order, so a
 * holder that drops and re-acquires queues behind everyone already waiting.
 *
 * The holder checks the request with one atomic read per unit, so a GIL
 * that nobody waits for costs nearly nothing between units.
 */
#include "config.h"

#include "il-gil.h"

/* Waits shorter than this are not worth an event (they are accounted in
 * gil_wait all the same). */
#define WAIT_EVENT_MIN_US 50

struct _IlGil
{
  GMutex   mutex;
  GCond    cond;
  guint64  next_ticket; /* the ticket the next acquirer draws */
  guint64  serving;     /* the ticket whose turn it is */
  gboolean held;
  guint64  hold_id;      /* bumped at every new hold */
  gint     drop_request; /* atomic: a waiter asks the holder to hand over */
  gint     holder;       /* worker of the current hold */
  gint64   hold_start;   /* monotonic µs */
  GArray  *holds;        /* IlSpan */

  gint64        interval_us;
  gint64        t0;
  IlEventQueue *events;
  guint16       run;
  guint16       rep;
};

IlGil *
il_gil_new (gint64        switch_interval_us,
            gint64        t0,
            IlEventQueue *events,
            guint16       run,
            guint16       rep)
{
  IlGil *gil = g_new0 (IlGil, 1);

  g_mutex_init (&gil->mutex);
  g_cond_init (&gil->cond);
  gil->holder = -1;
  gil->holds = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  gil->interval_us = MAX (switch_interval_us, 1);
  gil->t0 = t0;
  gil->events = events != NULL ? il_event_queue_ref (events) : NULL;
  gil->run = run;
  gil->rep = rep;
  return gil;
}

void
il_gil_free (IlGil *gil)
{
  if (gil == NULL)
    return;
  g_assert (!gil->held);
  g_mutex_clear (&gil->mutex);
  g_cond_clear (&gil->cond);
  g_array_unref (gil->holds);
  g_clear_pointer (&gil->events, il_event_queue_unref);
  g_free (gil);
}

static void
gil_emit (IlGil      *gil,
          IlEventKind kind,
          gint        worker,
          guint       task,
          gint64      start,
          gint64      end)
{
  IlEvent ev;

  if (gil->events == NULL)
    return;
  ev = il_event_gil (kind, worker, task, start - gil->t0, end - gil->t0);
  ev.run = gil->run;
  ev.rep = gil->rep;
  il_event_queue_push (gil->events, &ev);
}

gint64
il_gil_acquire (IlGilClient *client)
{
  IlGil   *gil = client->gil;
  gint64   wait_start = il_now_us ();
  gint64   now;
  guint64  ticket;
  gboolean waited = FALSE;

  g_mutex_lock (&gil->mutex);
  ticket = gil->next_ticket++;
  while (gil->serving != ticket)
    {
      guint64 hold = gil->hold_id;
      gint64  deadline;

      waited = TRUE;
      /* Between a release and the next ticket's take, or once the holder
       * has been asked to drop: nothing to time, the next take or release
       * wakes us. */
      if (!gil->held || g_atomic_int_get (&gil->drop_request))
        {
          g_cond_wait (&gil->cond, &gil->mutex);
          continue;
        }
      /* Time the current hold, not our whole wait: as in CPython, a hold
       * that began while we waited gets a full interval of its own. */
      deadline = MAX (gil->hold_start, wait_start) + gil->interval_us;
      if (!g_cond_wait_until (&gil->cond, &gil->mutex, deadline) &&
          gil->serving != ticket && gil->held && gil->hold_id == hold)
        g_atomic_int_set (&gil->drop_request, 1);
    }

  now = il_now_us ();
  gil->held = TRUE;
  gil->holder = client->worker;
  gil->hold_id++;
  gil->hold_start = now;
  /* A request aimed at the previous hold must not cut this one short. */
  g_atomic_int_set (&gil->drop_request, 0);
  /* Those still queued start timing this hold now. */
  if (gil->next_ticket - gil->serving > 1)
    g_cond_broadcast (&gil->cond);
  g_mutex_unlock (&gil->mutex);

  if (!waited)
    return 0;
  if (now - wait_start >= WAIT_EVENT_MIN_US)
    gil_emit (gil, IL_EVENT_GIL_WAIT, client->worker, client->task, wait_start, now);
  return now - wait_start;
}

void
il_gil_release (IlGilClient *client)
{
  IlGil *gil = client->gil;
  IlSpan span;
  gint64 now = il_now_us ();

  g_mutex_lock (&gil->mutex);
  g_assert (gil->held && gil->holder == client->worker);
  span.worker = gil->holder;
  span.start_us = gil->hold_start - gil->t0;
  span.end_us = now - gil->t0;
  g_array_append_val (gil->holds, span);
  gil->held = FALSE;
  gil->holder = -1;
  gil->serving++;
  /* Several may wait; only the next ticket proceeds, the others go back to
   * timing the new hold. */
  if (gil->next_ticket != gil->serving)
    g_cond_broadcast (&gil->cond);
  g_mutex_unlock (&gil->mutex);

  gil_emit (gil, IL_EVENT_GIL_HOLD, span.worker, client->task,
            span.start_us + gil->t0, now);
}

gint64
il_gil_unit_boundary (IlGilClient *client)
{
  IlGil *gil = client->gil;

  if (G_LIKELY (!g_atomic_int_get (&gil->drop_request)))
    return 0;
  il_gil_release (client);
  /* Our new ticket is behind the waiter that asked: it runs first. */
  return il_gil_acquire (client);
}

static gint64
hook_acquire (gpointer data)
{
  return il_gil_acquire (data);
}

static gint64
hook_unit_boundary (gpointer data)
{
  return il_gil_unit_boundary (data);
}

static void
hook_release (gpointer data)
{
  il_gil_release (data);
}

void
il_gil_client_init (IlGilClient *client,
                    IlGil       *gil,
                    gint         worker)
{
  client->gil = gil;
  client->worker = worker;
  client->task = 0;
  client->hooks.acquire = hook_acquire;
  client->hooks.unit_boundary = hook_unit_boundary;
  client->hooks.release = hook_release;
  client->hooks.data = client;
}

void
il_gil_take_holds (IlGil  *gil,
                   GArray *out)
{
  g_mutex_lock (&gil->mutex);
  g_array_append_vals (out, gil->holds->data, gil->holds->len);
  g_array_set_size (gil->holds, 0);
  g_mutex_unlock (&gil->mutex);
}
