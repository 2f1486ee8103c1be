/* il-schedstat.h — where a thread's time went, from the kernel's accounting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64 cpu_ns;    /* on a CPU: CLOCK_THREAD_CPUTIME_ID (exact, unlike the
                     * schedstat field, which lags for a running thread) */
  gint64   wait_ns; /* runnable but waiting for a CPU: schedstat's run_delay */
  gboolean valid;   /* FALSE: the kernel offers no schedstat */
  /* Set by il_thread_times_now only: */
  gint64  wall_ns; /* monotonic ns at the reading */
  guint32 seq;     /* the switch detector's count at the reading */
} IlThreadTimes;

/* The calling thread's times, read from the kernel (two system calls).
 * Keeps one open file per thread (closed when the thread exits) so a read
 * costs one pread. */
void il_thread_times_read (IlThreadTimes *out);

/* The same times, as exact, read from the kernel only where they may have
 * moved otherwise than the wall clock: while a thread stays on its CPU,
 * its CPU time advances with the wall clock and its run-queue wait does
 * not move at all. Where the kernel lets a thread see its own context
 * switches without a system call (a perf event's user page, whose count
 * moves at each switch), a reading with no switch since the last kernel
 * reading costs no system call. Elsewhere it costs one (the CPU clock),
 * and schedstat is read only when the thread was off its CPU for more
 * than half a µs since it was last read (the run-queue wait cannot have
 * grown by more than that: below the µs the states are recorded in). */
void il_thread_times_now (IlThreadTimes *out);

/* The CPU ns the calling thread spent since @since (from
 * il_thread_times_now), for Interleave's own cost: exact with the switch
 * detector; without it, the wall time since (an upper bound that costs no
 * system call). */
gint64 il_thread_times_cpu_since (const IlThreadTimes *since);

/* Whether il_thread_times_now can see this thread's switches without a
 * system call (a perf event; not with IL_NO_SWITCH_DETECTOR=1 in the
 * environment, which the tests use to cover the other path). */
gboolean il_thread_switch_detector_available (void);

/* Thread CPU time in ns (CLOCK_THREAD_CPUTIME_ID). */
gint64 il_thread_cpu_ns (void);

G_END_DECLS
