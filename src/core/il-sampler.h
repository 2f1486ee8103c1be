/* il-sampler.h — per-core load sampled from /proc/stat during a repetition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-run-private.h"

G_BEGIN_DECLS

typedef struct _IlSampler IlSampler;

/* Starts a sampling thread at ctx->experiment->settings.sample_hz. It emits
 * IL_EVENT_CORE_SAMPLE per core and IL_EVENT_OVERHEAD per tick. NULL with
 * @error when the thread cannot be created (a process limit, memory). */
IlSampler *il_sampler_start (IlRunContext *ctx,
                             GError      **error);

/* Stops the thread, stores the series in ctx->repetition (load_hz,
 * core_load) and returns the sampler's own CPU time in ns. */
gint64 il_sampler_stop (IlSampler *sampler);

/* One reading of /proc/stat: per core busy and total jiffies. Returns the
 * number of cores read (0 on failure). */
guint il_proc_stat_read (guint64 *busy,
                         guint64 *total,
                         guint    max_cores);

G_END_DECLS
