/* il-counter.c — the counter every task of a run shares (`counter` blocks)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An increment is the naive `x = x + 1`: a load, an add and a store, through
 * a volatile pointer so that the compiler really emits one load and one
 * store per increment (it may neither keep the counter in a register nor
 * fuse the loop into one addition). It is deliberately not atomic: between
 * the load and the store another thread can run (on another core, or after
 * a preemption on this one) and its increments are overwritten. That is the
 * lost update the `counter` block is there to show.
 *
 * Under the simulated GIL the hand-over point (@yield) sits between the
 * read and the write, where CPython's eval loop can drop the GIL between
 * the LOAD and the STORE of `x = x + 1`: a hand-over there loses every
 * increment the other threads make before the write.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "il-counter.h"

/* How many increments run between two looks at the cancellable. */
#define CANCEL_CHECK_EVERY 4096

void
il_counter_init (IlCounter *counter)
{
  memset (counter, 0, sizeof *counter);
  g_mutex_init (&counter->lock);
}

void
il_counter_clear (IlCounter *counter)
{
  g_mutex_clear (&counter->lock);
  g_clear_pointer (&counter->per_worker, g_array_unref);
}

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Places what the block did since the track's mark: running, then the
 * lock waits not placed yet, then a GIL wait of @gil_us that ends now.
 * Lock waits are placed by their cumulated total, so that what the track
 * holds adds up to lock_wait_ns / 1000 exactly. */
static void
place (IlCounterStep *step,
       gint64         gil_us)
{
  IlStateTrack *track = step->track;
  gint64        now, lock_us;

  if (track == NULL)
    return;
  now = g_get_monotonic_time ();
  lock_us = step->lock_wait_ns / 1000 - step->lock_placed_us;
  il_state_track_until (track, now - gil_us - lock_us, IL_STATE_RUNNING);
  il_state_track_add (track, IL_STATE_LOCK_WAIT, lock_us);
  il_state_track_add (track, IL_STATE_GIL_WAIT, gil_us);
  step->lock_placed_us += lock_us;
}

static inline void
yielded (IlCounterStep *step,
         gint64         gil_us)
{
  step->gil_wait_us += gil_us;
  if (gil_us > 0)
    place (step, gil_us);
}

gboolean
il_counter_run (IlCounter     *counter,
                const IlBlock *block,
                gint64         n,
                IlCounterYield yield,
                gpointer       yield_data,
                GCancellable  *cancellable,
                IlCounterStep *step)
{
  volatile gint64 *shared = &counter->value;
  gboolean         lock = block->lock;

  for (gint64 i = 0; i < n; i++)
    {
      gint64 value;

      if (i % CANCEL_CHECK_EVERY == 0)
        {
          if (lock && i > 0 && step->lock_wait_ns / 1000 > step->lock_placed_us)
            place (step, 0);
          if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
            {
              place (step, 0);
              return FALSE;
            }
        }

      if (lock && !g_mutex_trylock (&counter->lock))
        {
          /* Only a contended lock is timed: the clock reads would cost
           * more than the uncontended lock itself. */
          gint64 t = now_ns ();

          g_mutex_lock (&counter->lock);
          step->lock_wait_ns += now_ns () - t;
        }

      value = *shared; /* read */
      if (yield != NULL && !lock)
        yielded (step, yield (yield_data));
      *shared = value + 1; /* write what was read, plus one */

      if (lock)
        {
          g_mutex_unlock (&counter->lock);
          /* Never hand the GIL over while holding the lock: the next
           * holder would block on it with the GIL held (CPython's
           * Lock.acquire lets the GIL go while it waits; here the hand-over
           * simply comes after the release). */
          if (yield != NULL)
            yielded (step, yield (yield_data));
        }
      step->done++;
    }
  if (step->lock_wait_ns / 1000 > step->lock_placed_us)
    place (step, 0);
  return TRUE;
}
