/* il-experiment-private.h — what the experiment file's reader and validation share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment file is checked twice over: the reader (il-experiment-read.c)
 * checks types, presence and applicability while it builds the model, then
 * the model's validation (il-experiment-validate.c, the same function the
 * GUI's editor calls) checks ranges and cross-field rules.  Both must say the
 * same thing about the same value, so the format's ranges
 * (docs/experiment-format.md) and the checks that word their messages are
 * here, once.  Loading (il-experiment-load.c) turns text into a document for
 * the reader and a failure's JSON path into FILE:LINE:COLUMN.
 */
#pragma once

#include "il-experiment.h"
#include "il-json-private.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 min;
  gint64 max;
} Range;

/* The format's ranges (docs/experiment-format.md), once, for both the
 * reader and the validation. */
static const Range range_repeat = { 1, IL_MAX_REPEAT };
static const Range range_payload = { 0, IL_MAX_PAYLOAD_BYTES };
static const Range range_units = { 1, IL_MAX_UNITS };
static const Range range_increments = { 1, IL_MAX_INCREMENTS };
static const Range range_yields = { 1, IL_MAX_YIELDS };
static const Range range_ms = { 0, IL_MAX_MS };
static const Range range_http_bytes = { 0, IL_MAX_HTTP_BYTES };
static const Range range_file_bytes = { 0, IL_MAX_FILE_BYTES };
static const Range range_workers = { 1, IL_MAX_WORKERS };
static const Range range_switch = { 1, IL_MAX_SWITCH_INTERVAL_MS };
static const Range range_slice = { 0, IL_MAX_CPU_SLICE_UNITS };
static const Range range_repetitions = { 1, IL_MAX_REPETITIONS };
static const Range range_warmup = { 0, IL_MAX_WARMUP };
static const Range range_sample_hz = { 1, IL_MAX_SAMPLE_HZ };
static const Range range_core = { 0, IL_MAX_CPU_INDEX };

static const Range chars_name = { 1, IL_MAX_NAME_CHARS };
static const Range chars_description = { 0, IL_MAX_DESCRIPTION_CHARS };
static const Range chars_task_name = { 0, IL_MAX_NAME_CHARS };
static const Range chars_label = { 0, IL_MAX_LABEL_CHARS };
static const Range chars_url = { 1, IL_MAX_URL_CHARS };
/* The quiz's limits (docs/experiment-format.md, "Quiz") keep it a quiz. */
static const Range chars_question = { 1, IL_MAX_DESCRIPTION_CHARS };
static const Range chars_choice = { 1, IL_MAX_NAME_CHARS };
static const Range chars_explanation = { 0, IL_MAX_DESCRIPTION_CHARS };

static const Range count_tasks = { 1, IL_MAX_TASK_GROUPS };
static const Range count_blocks = { 1, IL_MAX_BLOCKS };
static const Range count_runs = { 1, IL_MAX_RUNS };
static const Range count_choices = { IL_MIN_QUIZ_CHOICES, IL_MAX_QUIZ_CHOICES };
/* A sweep longer than every distinct worker count makes no sense. */
static const Range count_sweep = { 1, IL_MAX_WORKERS };

static inline gboolean
check_range (IlJsonReader     *r,
             const IlJsonPath *path,
             gint64            value,
             const Range      *range)
{
  return il_json_check_range (r, path, value, range->min, range->max);
}

static inline gboolean
check_chars (IlJsonReader     *r,
             const IlJsonPath *path,
             const char       *value,
             const Range      *range)
{
  return il_json_check_chars (r, path, value, range->min, range->max);
}

static inline gboolean
check_count (IlJsonReader     *r,
             const IlJsonPath *path,
             guint             n,
             const Range      *range,
             const char       *things)
{
  if ((gint64) n >= range->min && (gint64) n <= range->max)
    return TRUE;

  return il_json_fail (r, path, IL_JSON_AT_VALUE,
                       "expected %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " %s, got %u",
                       range->min, range->max, things, n);
}

/* The model's validation with a reader, so that loading can place a
 * failure in the file (il-experiment-validate.c). */
gboolean il_experiment_validate_with (IlJsonReader       *reader,
                                      const IlExperiment *experiment);
/* One block's ranges (il-experiment-validate.c), for the editor's marks
 * (il-edit-rules.c). */
gboolean il_experiment_validate_block (IlJsonReader     *reader,
                                       const IlBlock    *block,
                                       const IlJsonPath *path);
/* Rules that span blocks, applied by the validation and by the editor's
 * marks alike. The index of @group's first file-write (its block count
 * when there is none): a file-read before it has nothing to read. */
guint il_task_group_first_write (const IlTaskGroup *group);
/* Sums the task groups' repeats; FALSE, with the first @group where the sum
 * passes IL_MAX_TOTAL_TASKS and the sum there, when it does. */
gboolean il_experiment_count_tasks_upto (const IlExperiment *experiment,
                                         guint              *group,
                                         guint64            *total);
/* "expected the index of one of the N choices": the reader and the
 * validation say the same about a quiz's answer. */
gboolean il_experiment_fail_answer (IlJsonReader     *reader,
                                    const IlJsonPath *path,
                                    gint64            answer,
                                    guint             n_choices);

/* Builds the model from a parsed experiment document, validated; NULL and
 * @reader's failure otherwise (il-experiment-read.c). */
IlExperiment *il_experiment_read (IlJsonReader *reader,
                                  JsonNode     *root);

/* An experiment with no task group and no run, and the format's default
 * settings: what the reader fills in (il-experiment.c). */
IlExperiment *il_experiment_new_empty (void);

/* Frees a quiz (il-experiment.c). */
void il_quiz_free (IlQuiz *quiz);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlQuiz, il_quiz_free)

G_END_DECLS
