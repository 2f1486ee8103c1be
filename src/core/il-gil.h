/* il-gil.h — a simulated global interpreter lock, handed over like CPython's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-run-private.h"

G_BEGIN_DECLS

typedef struct _IlGil IlGil;

/* One thread's view of the lock: the hooks il_task_execute calls around CPU
 * work. Each worker thread owns one; set @task before each task so that wait
 * events name it. */
typedef struct
{
  IlGil     *gil;
  gint       worker;
  guint      task;
  IlCpuHooks hooks;
} IlGilClient;

/* A lock that hands over every @switch_interval_us when contended. Holds are
 * timed relative to @t0 (monotonic µs); @events (nullable) receives
 * IL_EVENT_GIL_HOLD and IL_EVENT_GIL_WAIT stamped with @run and @rep. */
IlGil *il_gil_new (gint64        switch_interval_us,
                   gint64        t0,
                   IlEventQueue *events,
                   guint16       run,
                   guint16       rep);
void   il_gil_free (IlGil *gil);

/* The worker number of the client standing for the thread that starts the
 * workers (Python's main thread): its holds and waits are not recorded. */
#define IL_GIL_MAIN (-2)

/* Fills @client's hooks for @worker (or IL_GIL_MAIN). */
void il_gil_client_init (IlGilClient *client,
                         IlGil       *gil,
                         gint         worker);

/* A worker holds the lock whenever it runs a task, as a Python thread
 * holds it whenever it runs Python code: it takes it before each task
 * (il_gil_acquire), sets it down around blocking I/O (il_gil_release, then
 * il_gil_acquire), checks for a drop request between units and blocks
 * (il_gil_unit_boundary), and after the task sets it down for good or
 * goes on to the next one (il_gil_end_task). il-gil.c says how the lock
 * changes hands (CPython 3.11's protocol). */

/* Each returns the µs the caller spent waiting for the lock. */
gint64 il_gil_acquire (IlGilClient *client);
/* Between two units: hands the lock over if a waiter asked for it, then
 * takes it back (after the waiter has had its turn). */
gint64 il_gil_unit_boundary (IlGilClient *client);
void   il_gil_release (IlGilClient *client);
/* After a task. @more_work: another task is queued, which this thread will
 * most likely run next without letting go of the lock (unless a drop was
 * requested); otherwise the lock is released as before a blocking wait. */
void il_gil_end_task (IlGilClient *client,
                      gboolean     more_work);

/* Moves the recorded holds (IlSpan, in time order) to the end of @out. Call
 * after every client has released the lock. */
void il_gil_take_holds (IlGil  *gil,
                        GArray *out);

G_END_DECLS
