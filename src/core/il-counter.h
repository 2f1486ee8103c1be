/* il-counter.h — the counter every task of a run shares (`counter` blocks)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"
#include "il-state-times.h"

G_BEGIN_DECLS

/* One counter per repetition, shared by every task that runs in this
 * process: the runner's, for the threads, sequential and async executors;
 * each processes worker has its own. */
typedef struct
{
  gint64  value;      /* the counter: read and written without atomics */
  GMutex  lock;       /* held around each increment of a "lock": true block */
  gint64  done;       /* increments made (every task's, summed by the runner) */
  GArray *per_worker; /* gint64 per worker (processes: what each counted); NULL */
} IlCounter;

void il_counter_init (IlCounter *counter);
void il_counter_clear (IlCounter *counter);

/* What a counter block's increments cost the caller, beyond running. */
typedef struct
{
  gint64 done;         /* increments made */
  gint64 lock_wait_ns; /* waiting for counter->lock */
  gint64 gil_wait_us;  /* waiting for the simulated GIL (hand-overs) */
  /* In, nullable: where the waits are placed in time (monotonic µs).
   * Lock waits are placed together every few thousand increments, GIL
   * waits at each hand-over. */
  IlStateTrack *track;
  gint64        lock_placed_us; /* of lock_wait_ns, what the track has */
} IlCounterStep;

/* A hand-over point between the read and the write of one increment (the
 * simulated GIL's unit boundary, where CPython's eval loop may drop the
 * GIL): returns the µs spent waiting to get the lock back. */
typedef gint64 (*IlCounterYield) (gpointer data);

/* Makes up to @n increments of @block in the calling thread: each one
 * reads the counter, then writes the value read plus one, like `x = x + 1`
 * (not atomic: another thread's increments between the two are lost).
 * With block->lock each increment holds counter->lock; the time spent
 * waiting for it is added to @step. @yield (nullable) runs between the read
 * and the write. Stops early (returns FALSE) once @cancellable is
 * cancelled. */
gboolean il_counter_run (IlCounter     *counter,
                         const IlBlock *block,
                         gint64         n,
                         IlCounterYield yield,
                         gpointer       yield_data,
                         GCancellable  *cancellable,
                         IlCounterStep *step);

G_END_DECLS
