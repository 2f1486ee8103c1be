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
} IlThreadTimes;

/* The calling thread's times. Keeps one open file per thread (closed when
 * the thread exits) so a read costs one pread. */
void il_thread_times_read (IlThreadTimes *out);

/* Thread CPU time in ns (CLOCK_THREAD_CPUTIME_ID). */
gint64 il_thread_cpu_ns (void);

G_END_DECLS
