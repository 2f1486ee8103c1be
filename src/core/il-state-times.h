/* il-state-times.h — where a task's (or block's) time went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Its own small header so that the event stream (il-events.h) can carry it
 * without pulling in the results document.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a task's (or block's) time went, from /proc/thread-self/schedstat.
 * All in µs. valid is FALSE where the kernel offered no accounting. */
typedef struct
{
  gboolean valid;
  gint64   running;
  gint64   ready;
  gint64   blocked;
  gint64   gil_wait;  /* threads executor with the GIL: waiting for the lock */
  gint64   lock_wait; /* counter blocks with "lock": waiting for the run's mutex */
} IlStateTimes;

/* The five states in their usual order, for code that walks them (a chart's
 * strip, a legend). */
typedef enum
{
  IL_STATE_RUNNING,
  IL_STATE_READY,
  IL_STATE_BLOCKED,
  IL_STATE_GIL_WAIT,
  IL_STATE_LOCK_WAIT,
  IL_N_STATES,
} IlState;

static inline gint64
il_state_times_get (const IlStateTimes *times,
                    IlState             state)
{
  switch (state)
    {
      case IL_STATE_RUNNING:
        return times->running;
      case IL_STATE_READY:
        return times->ready;
      case IL_STATE_BLOCKED:
        return times->blocked;
      case IL_STATE_GIL_WAIT:
        return times->gil_wait;
      case IL_STATE_LOCK_WAIT:
        return times->lock_wait;
      case IL_N_STATES:
      default:
        return 0;
    }
}

G_END_DECLS
