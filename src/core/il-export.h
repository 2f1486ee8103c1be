/* il-export.h — results as CSV (one row per task) and as a Chrome trace
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* One row per task of every counted repetition of every run, with a header:
 * run, label, repetition, group, group_name, index, worker, pid, tid,
 * cpu_start, cpu_end, queued_us, start_us, end_us, running_us, ready_us,
 * blocked_us, gil_wait_us, lock_wait_us, failed, error. RFC 4180: CRLF line ends, fields
 * quoted where they hold a comma, a quote or a line break. State columns
 * are empty where the kernel gave no accounting. @experiment (nullable)
 * names the task groups. Does not close @out. */
gboolean il_export_csv (const IlResults    *results,
                        const IlExperiment *experiment,
                        GOutputStream      *out,
                        GError            **error);

/* Chrome trace-event JSON ({"traceEvents": […], "displayTimeUnit": "ms"})
 * for Perfetto and chrome://tracing. Each run is a process lane (pid = run
 * index + 1, named by its label) showing its median repetition (by
 * makespan; the lower median for an even count): a thread lane per worker,
 * a complete event per task with its blocks nested inside, the simulated
 * GIL's holds on a lane of their own, the core load and the async loop's
 * lag as counters. The async executor's tasks overlap on one thread, so
 * they (and their blocks) are async events ("b"/"e") with one id per task.
 * Times are µs from the repetition's start. Does not close @out. */
gboolean il_export_trace (const IlResults    *results,
                          const IlExperiment *experiment,
                          GOutputStream      *out,
                          GError            **error);

/* The formats that results export to, for the GUI and the CLI alike. */
typedef enum
{
  IL_EXPORT_JSON,  /* the results document (il_results_to_data()) */
  IL_EXPORT_CSV,   /* il_export_csv() */
  IL_EXPORT_TRACE, /* il_export_trace() */
} IlExportFormat;

/* "json", "csv" or "trace". */
gboolean il_export_format_from_string (const char     *name,
                                       IlExportFormat *format);
/* The file name extension the format's files take (".trace.json"…). */
const char *il_export_format_extension (IlExportFormat format);

/* Writes @results in @format to @path with il_atomic_file_write_path()'s
 * rules: "-" is standard output, a regular file (or a symlink's target) is
 * replaced atomically, a FIFO or a device is written directly. Errors name
 * @path. @experiment (nullable) names the task groups. */
gboolean il_results_export_to_path (const IlResults    *results,
                                    const IlExperiment *experiment,
                                    IlExportFormat      format,
                                    const char         *path,
                                    GError            **error);

/* The same for a GFile (the GUI's file chooser): never standard output. */
gboolean il_results_export_to_file (const IlResults    *results,
                                    const IlExperiment *experiment,
                                    IlExportFormat      format,
                                    GFile              *file,
                                    GError            **error);

G_END_DECLS
