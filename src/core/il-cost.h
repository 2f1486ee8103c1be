/* il-cost.h — what a run will cost in memory, checked before it starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-experiment.h"

G_BEGIN_DECLS

/* What the caller will write from the results once the run is over. */
typedef enum
{
  IL_RUN_OUTPUT_NONE = 0,
  IL_RUN_OUTPUT_DOCUMENT = 1 << 0, /* the results document (CLI --json) */
  IL_RUN_OUTPUT_TRACE = 1 << 1,    /* a Chrome trace (CLI --trace) */
} IlRunOutputs;

typedef struct
{
  guint64 tasks_per_repetition;
  guint64 repetitions;    /* counted repetitions per run */
  guint64 runs;           /* expanded runs (a sweep is one run per count) */
  guint64 task_records;   /* records held at the peak */
  guint64 bytes_per_task; /* one task record, its blocks included (mean) */
  guint64 records_bytes;  /* all of them */
  guint64 outputs_bytes;  /* the results document and trace, built in memory */
  guint64 buffers_bytes;  /* processes runs: payload frames, this process */
  guint64 workers_bytes;  /* processes runs: the same in the workers */
  guint64 total_bytes;    /* what this process holds at the peak */
} IlRunCost;

/* Estimates the memory a run holds at its peak, from sizes measured on the
 * current code (il-cost.c says how). */
/* @process_workers: the most workers of any processes run (0: none). */
void il_run_cost_estimate (const IlExperiment *experiment,
                           guint               runs,
                           guint               repetitions,
                           guint               process_workers,
                           IlRunOutputs        outputs,
                           IlRunCost          *cost);

/* How much more memory this process can get: the least of MemAvailable
 * (/proc/meminfo) and what RLIMIT_AS and RLIMIT_DATA leave. @what names the
 * tightest ("MemAvailable", "RLIMIT_AS", "RLIMIT_DATA"). G_MAXUINT64 if
 * nothing is known. */
guint64 il_run_cost_available (const char **what);

/* Fails with IL_ERROR_SYSTEM and a message that says what the run needs,
 * why, and what this machine has, when @cost exceeds what is available:
 * total_bytes against every limit, plus workers_bytes against MemAvailable. */
gboolean il_run_cost_check (const IlRunCost *cost,
                            GError         **error);

G_END_DECLS
