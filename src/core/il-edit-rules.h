/* il-edit-rules.h — what the editor shows about an experiment as it is edited
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GUI's editors mark a field or a block the moment it breaks a rule,
 * rather than at Run. The rules are the file format's
 * (il-experiment-validate.c); this module says them in the editor's words:
 * places are named as the user sees them ("job, block 4"), never as a JSON
 * path, and the text fields' parsers say why a text is refused.
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"

G_BEGIN_DECLS

/* IlProblem.block of a problem of the task group as a whole. */
#define IL_PROBLEM_WHOLE_GROUP G_MAXUINT

typedef enum
{
  /* A file-read with no file-write before it in its task group. */
  IL_PROBLEM_READ_BEFORE_WRITE,
  /* The task groups up to this one hold more than IL_MAX_TOTAL_TASKS. */
  IL_PROBLEM_TOO_MANY_TASKS,
  /* A value of a block outside the format's range (the editor's fields keep
   * to it; a model built otherwise may not). */
  IL_PROBLEM_VALUE,
} IlProblemKind;

typedef struct
{
  IlProblemKind kind;
  guint         group;   /* index in experiment->tasks */
  guint         block;   /* index in the group's blocks, or IL_PROBLEM_WHOLE_GROUP */
  char         *message; /* what is wrong and what to do, without the place */
} IlProblem;

void il_problem_free (IlProblem *problem);

/* Every problem of @experiment's task groups that the editor shows on a
 * block or a task group, in document order (a group's block problems before
 * its own). Rules that span blocks are found here, once: the validation
 * uses the same rule. Returns an empty array when there is none. */
GPtrArray *il_experiment_find_problems (const IlExperiment *experiment);

/* The problems of one block (@block IL_PROBLEM_WHOLE_GROUP: of the group
 * itself) in @problems, each with its place ("job, block 4: …", so the
 * mark on the block reads as the Run button's tooltip does), joined by
 * newlines; NULL when it has none. */
char *il_problems_text_for (const IlExperiment *experiment,
                            GPtrArray          *problems,
                            guint               group,
                            guint               block);

/* The place as the editor shows it: "job, block 4" (1-based), or "job" for
 * IL_PROBLEM_WHOLE_GROUP. An unnamed group is "task N", as its card says. */
char *il_experiment_describe_place (const IlExperiment *experiment,
                                    guint               group,
                                    guint               block);

/* A run configuration as the runs page shows it: "run 2 (threads ×4)". */
char *il_experiment_describe_run (const IlExperiment *experiment,
                                  guint               run);

/* "job, block 4: message". */
char *il_problem_to_string (const IlExperiment *experiment,
                            const IlProblem    *problem);

/* The format's validation (il_experiment_validate()) in the editor's words:
 * the first problem of il_experiment_find_problems(), else the validation's
 * message with its place named as the user sees it ("job, block 2, units:",
 * "run 3 (threads ×4), workers:", "Settings, repetitions:"). */
gboolean il_experiment_check (const IlExperiment *experiment,
                              GError            **error);

/* Text fields. Each fails with IL_ERROR_INVALID and a translated reason
 * that names no field (the editor shows it beside the field). */

/* A run's workers: "4", or "1, 2, 4, 8" (commas and/or spaces) for a sweep,
 * each 1 … IL_MAX_WORKERS; "" gives an empty array (one per core). */
gboolean il_workers_parse (const char *text,
                           GArray     *workers,
                           GError    **error);
/* "1, 2, 4": what il_workers_parse() reads back. */
char *il_workers_format (const GArray *workers);

/* An http block's URL as the file's validation accepts it: an http:// or
 * https:// URL with a host, at most IL_MAX_URL_CHARS characters. Leading
 * and trailing white space is ignored; "" gives NULL (the embedded server).
 * @url (nullable) receives the stripped URL. */
gboolean il_http_url_parse (const char *text,
                            char      **url,
                            GError    **error);

/* Durations. A block's expected duration in one task, in ms, from
 * @ms_per_unit (one figure per IlKernel, as il_kernel_calibrate() gives;
 * NULL: cpu blocks are unknown): cpu units × ms per unit, a sleep's ms, an
 * embedded-server request's delay. Negative when unknown (files, counters,
 * yields, a request to a real server). */
double il_block_estimate_ms (const IlBlock *block,
                             const double  *ms_per_unit);

/* Blocks shorter than this show no estimate. */
#define IL_ESTIMATE_SHOWN_MS 1000.0

/* "≈ 4.2 s", "≈ 2 min 05 s", "≈ 1.5 h" (the locale's decimal mark). */
char *il_format_estimate (double ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlProblem, il_problem_free)

G_END_DECLS
