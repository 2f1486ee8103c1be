/* il-format.h — how figures read in the GUI and the CLI: one rule each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The results table in the window and the CLI's terminal table show the same
 * cells; charts label durations with the same rule, in fewer digits. Front
 * ends lay the strings out; they never format a figure themselves.
 */
#pragma once

#include <glib.h>

#include "il-results.h"

G_BEGIN_DECLS

/* What a missing figure (NAN) reads as. */
#define IL_FORMAT_NONE "—"

/* A duration in milliseconds with three significant digits: "1.23 ms",
 * "12.3 ms", "123 ms", "1234 ms", then seconds from 10 s: "12.35 s".
 * NAN gives IL_FORMAT_NONE. */
char *il_format_duration_ms (double ms);
/* The same rule with two significant digits, for chart labels: "1.2 ms",
 * "12 ms", "123 ms", "12.3 s". */
char *il_format_duration_ms_short (double ms);
/* A plain number with three significant digits ("1.23", "12.3", "123"). */
char *il_format_number (double value);
/* "1 task failed", "3 tasks failed". */
char *il_format_failed_tasks (guint n_failed);

/* The columns of the summary table, in order. */
typedef enum
{
  IL_RESULTS_COLUMN_LABEL,
  IL_RESULTS_COLUMN_MAKESPAN,
  IL_RESULTS_COLUMN_SPEEDUP,
  IL_RESULTS_COLUMN_LATENCY,
  IL_RESULTS_COLUMN_CPU,
  IL_RESULTS_COLUMN_CONTEXT_SWITCHES,
  IL_RESULTS_COLUMN_CHECKSUM,
  IL_N_RESULTS_COLUMNS
} IlResultsColumn;

/* The text of one cell of @run's row: the makespan median with its
 * min–max when there are several repetitions, the speedup as "1.95×",
 * latency "mean / p95", CPU user + sys, context switches "vol / invol",
 * the checksum. Failures are not part of any cell
 * (il_format_failed_tasks()). */
char *il_results_format_cell (const IlRunResult *run,
                              IlResultsColumn    column);

/* @text with its spaces turned into line breaks so that no line is longer
 * than @width characters (a longer word keeps its own line): tooltips and
 * terminal help. */
char *il_format_wrap (const char *text,
                      guint       width);
/* What a column shows, for its header's tooltip in the window and the
 * CLI's help: "Context switches: voluntary / involuntary …". */
const char *il_results_column_description (IlResultsColumn column);
/* "2 repetitions cancelled, not counted" when Stop cut off some of @run's
 * repetitions and others count; NULL otherwise (with none that counts, the
 * checksum cell reads "cancelled"). */
char *il_format_cancelled_repetitions (const IlRunResult *run);

/* What goes under the summary table, from each run's median repetition:
 * for counter blocks, the lost updates (and what each worker counted under
 * processes); for yield blocks, the yields, the kernel's switches and the
 * cost per switch. Each section starts with an empty line and a heading
 * ("#### " and list items with @markdown). Appends nothing when the
 * experiment has neither block. The CLI's table and --markdown and the
 * app's results table show the same text. */
void il_results_append_notes (GString         *out,
                              const IlResults *results,
                              gboolean         markdown);
/* What @run's shared counter shows (counter blocks), from its median
 * repetition: "2476670 of 8000000 lost (31.0 %), final count 5523330", plus
 * ", lock wait 12.3 ms" when its tasks waited for the lock. NULL when the
 * run has no counter block. */
char *il_format_counter (const IlRunResult *run);
/* Under processes: "the parent's counter did not move; each worker counted
 * in its own memory: 4000000 4000000". NULL when the run's counter has no
 * per-worker counts. */
char *il_format_counter_workers (const IlRunResult *run);

/* What @run's yield blocks show, from its median repetition: "80000
 * yields, 0 voluntary + 80017 involuntary switches, 166.7 ms on a CPU, 2.08
 * µs per switch". NULL when the run has no yield block. */
char *il_format_yield (const IlRunResult *run);

/* An ISO 8601 date (a machine's "date") in the user's locale and time
 * zone: "%x", or "%x %X" @with_time; ISO ("2026-12-02", "2026-12-02 13:40")
 * in the C locale. NULL when @iso8601 is NULL or does not parse. */
char *il_format_date (const char *iso8601,
                      gboolean    with_time);
/* A block in the user's language and number format, as the editor shows
 * it: "spin × 40", "50 ms schlafen", "GET 20 ms, 1,0 KiB". The files keep
 * il_block_describe()'s English, C-locale text. */
char *il_format_block (const IlBlock *block);

/* Who measured: "Intel(R) Xeon(R) CPU @ 2.20GHz (2 cores, 2026-12-02)"; the
 * day in the user's date format (LC_TIME), ISO in the C locale. */
char *il_format_machine (const IlMachine *machine);
/* An exported chart's title: "NAME — Interleave results". */
char *il_format_export_title (const IlResults *results);
/* Under it, who measured and when: "Measured on CPU (2 cores, DATE)", the
 * author's machine too when @recorded is given; NULL when both are NULL. */
char *il_format_export_caption (const IlResults *mine,
                                const IlResults *recorded);

G_END_DECLS
