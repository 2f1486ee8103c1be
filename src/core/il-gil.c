/* il-gil.c — a simulated global interpreter lock, handed over like CPython's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The protocol is CPython 3.11's (Python/ceval_gil.h), step for step, on
 * the same primitives (a pthread mutex and condition variables on the
 * monotonic clock), so that the order in which waiters wake is the one the
 * interpreter gets from the C library:
 *
 * - take: a free lock is taken at once, even past threads already waiting
 *   (a thread back from I/O can barge in). Otherwise the thread waits on
 *   the condition variable for one switch interval at a time. An interval
 *   that times out with the lock still held and no switch of holder since
 *   it began sets the drop request; an interval in which the holder changed
 *   (even if this thread did not get the lock) starts a new interval. A
 *   wake-up that finds the lock taken again also starts a new interval.
 * - the holder checks the drop request between two units (CPython: between
 *   bytecodes; the cpython engine calls the kernels one unit at a time).
 * - drop: the lock is freed and ONE waiter is signalled (not broadcast);
 *   whoever takes the lock first has it. If a drop request is pending, the
 *   dropping thread then waits until another thread has taken the lock
 *   (FORCE_SWITCHING) before it may try again, at the back like anyone.
 *
 * Who holds it, and when (the threads executor, il-executor-threads.c):
 * a worker holds the lock for its whole task, as a Python thread holds it
 * while it runs Python code, and sets it down only around blocking I/O
 * (sleep, HTTP, files); it takes it back before the block ends, so a
 * sleep's time beyond what it asked for is its wait for the lock. Between
 * two tasks it keeps the lock (il_gil_end_task sets it down without waking
 * anyone, and resumes the same hold). Workers start one at a time, each
 * start needing the lock twice (the starting thread's, then the new
 * thread's bootstrap), as threading.Thread.start does.
 *
 * Why (bench-gil-validation, "CPU and I/O threads together"): the model
 * this replaces served waiters from a FIFO ticket queue and held the lock
 * only around CPU blocks; I/O-bound threads beside two CPU-bound ones
 * waited about half as long as under CPython (latency ratio 0.47). What it
 * missed, measured on the interpreter: most of the I/O threads' latency is
 * their start, one after another, each start waiting behind the CPU-bound
 * threads for the lock; and after each sleep a thread waits for the lock
 * the way take_gil() makes it wait, not in a fair queue.
 *
 * What stays simplified: Python's own bookkeeping between blocks takes no
 * time here (C), so a thread is seldom asked to drop the lock there.
 *
 * The holder checks the request with one atomic read per unit, so a GIL
 * that nobody waits for costs nearly nothing between units.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "il-gil.h"

/* Waits shorter than this are not worth an event (they are accounted in
 * gil_wait all the same). */
#define WAIT_EVENT_MIN_US 50

struct _IlGil
{
  pthread_mutex_t mutex;
  pthread_cond_t  cond;          /* signalled once per drop */
  pthread_mutex_t switch_mutex;  /* FORCE_SWITCHING */
  pthread_cond_t  switch_cond;   /* signalled at every take */
  gboolean        locked;        /* under mutex */
  gint            last_holder;   /* under mutex and switch_mutex; -1: none */
  guint64         switch_number; /* under mutex: holder changes */
  gint            drop_request;  /* atomic: a waiter asks the holder to drop */
  gint64          hold_start;    /* monotonic µs */
  guint           hold_task;     /* the task that took the lock */
  /* Set down between two tasks (il_gil_end_task): free, but the hold is
   * not over unless someone else takes the lock. -1: none. */
  gint    resting;    /* under mutex: the worker that set it down */
  gint64  resting_at; /* monotonic µs */
  GArray *holds;      /* IlSpan, under mutex */

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
  IlGil             *gil = g_new0 (IlGil, 1);
  pthread_condattr_t attr;

  pthread_mutex_init (&gil->mutex, NULL);
  pthread_mutex_init (&gil->switch_mutex, NULL);
  /* The monotonic clock, as CPython's condition variables where it can
   * (g_get_monotonic_time is that clock too). */
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (&gil->cond, &attr);
  pthread_condattr_destroy (&attr);
  pthread_cond_init (&gil->switch_cond, NULL);
  gil->last_holder = -1;
  gil->resting = -1;
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
  g_assert (!gil->locked);
  pthread_mutex_destroy (&gil->mutex);
  pthread_cond_destroy (&gil->cond);
  pthread_mutex_destroy (&gil->switch_mutex);
  pthread_cond_destroy (&gil->switch_cond);
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

/* One switch interval on gil->cond from now; TRUE if it timed out. */
static gboolean
wait_interval (IlGil *gil)
{
  struct timespec deadline;

  clock_gettime (CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += gil->interval_us / G_USEC_PER_SEC;
  deadline.tv_nsec += (gil->interval_us % G_USEC_PER_SEC) * 1000;
  if (deadline.tv_nsec >= 1000000000)
    {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000;
    }
  return pthread_cond_timedwait (&gil->cond, &gil->mutex, &deadline) == ETIMEDOUT;
}

/* Records a hold of @worker from gil->hold_start to @end (under mutex). */
static void
hold_done (IlGil *gil,
           gint   worker,
           gint64 end)
{
  IlSpan span;

  if (worker == IL_GIL_MAIN)
    return; /* not a worker's: not recorded */
  span.worker = worker;
  span.start_us = gil->hold_start - gil->t0;
  span.end_us = end - gil->t0;
  g_array_append_val (gil->holds, span);
  gil_emit (gil, IL_EVENT_GIL_HOLD, worker, gil->hold_task, gil->hold_start, end);
}

/* CPython's take_gil(). Returns the monotonic µs at which the lock was
 * taken. */
static gint64
take (IlGil *gil,
      gint   worker,
      guint  task)
{
  gint64 now;

  pthread_mutex_lock (&gil->mutex);
  while (gil->locked)
    {
      guint64 saved_switch = gil->switch_number;

      if (wait_interval (gil) && gil->locked && gil->switch_number == saved_switch)
        g_atomic_int_set (&gil->drop_request, 1);
    }

  pthread_mutex_lock (&gil->switch_mutex);
  now = il_now_us ();
  gil->locked = TRUE;
  if (gil->resting == worker)
    {
      /* Our own hold goes on: nobody took the lock meanwhile. */
      gil->resting = -1;
      pthread_mutex_unlock (&gil->switch_mutex);
      pthread_mutex_unlock (&gil->mutex);
      return now;
    }
  if (gil->resting >= 0)
    {
      hold_done (gil, gil->resting, gil->resting_at);
      gil->resting = -1;
    }
  gil->hold_start = now;
  gil->hold_task = task;
  if (gil->last_holder != worker)
    {
      gil->last_holder = worker;
      gil->switch_number++;
    }
  /* The thread that dropped the lock on request may try again now. */
  pthread_cond_signal (&gil->switch_cond);
  pthread_mutex_unlock (&gil->switch_mutex);
  /* A request aimed at the previous hold must not cut this one short. */
  g_atomic_int_set (&gil->drop_request, 0);
  pthread_mutex_unlock (&gil->mutex);
  return now;
}

/* CPython's drop_gil(). Returns the monotonic µs at which the lock was
 * freed. */
static gint64
drop (IlGil *gil,
      gint   worker)
{
  gint64 now;

  pthread_mutex_lock (&gil->mutex);
  g_assert (gil->locked && gil->last_holder == worker);
  now = il_now_us ();
  hold_done (gil, worker, now);
  gil->locked = FALSE;
  pthread_cond_signal (&gil->cond);
  pthread_mutex_unlock (&gil->mutex);

  /* FORCE_SWITCHING: asked to drop, we must not take the lock back before
   * someone else has had it. */
  if (g_atomic_int_get (&gil->drop_request))
    {
      pthread_mutex_lock (&gil->switch_mutex);
      if (gil->last_holder == worker)
        {
          g_atomic_int_set (&gil->drop_request, 0);
          pthread_cond_wait (&gil->switch_cond, &gil->switch_mutex);
        }
      pthread_mutex_unlock (&gil->switch_mutex);
    }
  return now;
}

static gint64
acquire_since (IlGilClient *client,
               gint64       wait_start)
{
  gint64 now = take (client->gil, client->worker, client->task);

  if (now - wait_start >= WAIT_EVENT_MIN_US && client->worker != IL_GIL_MAIN)
    gil_emit (client->gil, IL_EVENT_GIL_WAIT, client->worker, client->task, wait_start, now);
  return now - wait_start;
}

gint64
il_gil_acquire (IlGilClient *client)
{
  return acquire_since (client, il_now_us ());
}

void
il_gil_release (IlGilClient *client)
{
  drop (client->gil, client->worker);
}

void
il_gil_end_task (IlGilClient *client,
                 gboolean     more_work)
{
  IlGil *gil = client->gil;

  if (!more_work || g_atomic_int_get (&gil->drop_request))
    {
      drop (gil, client->worker);
      return;
    }
  /* Python code would go on to its next task holding the lock: set it
   * down without waking anyone, so that no waiter's interval restarts.
   * Should no task come after all, a waiter still finds the lock free at
   * the end of its interval. */
  pthread_mutex_lock (&gil->mutex);
  g_assert (gil->locked && gil->last_holder == client->worker);
  gil->locked = FALSE;
  gil->resting = client->worker;
  gil->resting_at = il_now_us ();
  pthread_mutex_unlock (&gil->mutex);
}

gint64
il_gil_unit_boundary (IlGilClient *client)
{
  IlGil *gil = client->gil;
  gint64 end;

  if (G_LIKELY (!g_atomic_int_get (&gil->drop_request)))
    return 0;
  end = drop (gil, client->worker);
  /* From the drop on, this thread waits for the lock: first for the switch,
   * then like any other waiter. */
  return acquire_since (client, end);
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
  pthread_mutex_lock (&gil->mutex);
  if (gil->resting >= 0)
    {
      hold_done (gil, gil->resting, gil->resting_at);
      gil->resting = -1;
    }
  g_array_append_vals (out, gil->holds->data, gil->holds->len);
  g_array_set_size (gil->holds, 0);
  pthread_mutex_unlock (&gil->mutex);
}
