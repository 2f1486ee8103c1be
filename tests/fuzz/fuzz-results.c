/* fuzz-results.c — the results document reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A results document reaches Interleave as the `results` member of an
 * experiment file, so the input goes there, after a small valid
 * experiment on the same first line, and is read as a shared file would
 * be. It either reads, or fails with FILE:LINE:COLUMN and a valid UTF-8,
 * bounded message. What reads is written out, reads back equal, and is
 * written again byte for byte.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "il-error.h"
#include "il-experiment.h"
#include "il-results.h"

#define NAME        "fuzz-results.interleave"
#define MAX_MESSAGE 2048
#define PREFIX                                                                                    \
  "{ \"interleave\": 1, \"name\": \"fuzz\", \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", " \
  "\"ms\": 1 } ] } ], \"runs\": [ { \"executor\": \"sequential\" } ], \"results\": "

/* The experiment above with @len bytes of @results as its results. */
static IlExperiment *
load_with (const char *results,
           gsize       len,
           GError    **error)
{
  g_autoptr(GString) text = g_string_sized_new (sizeof PREFIX + len + 3);

  g_string_append (text, PREFIX);
  g_string_append_len (text, results, (gssize) len);
  g_string_append (text, "\n}\n");
  return il_experiment_load_data (text->str, (gssize) text->len, NAME, error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;
  g_autoptr(IlExperiment) again = NULL;
  g_autofree char *written = NULL;
  g_autofree char *written_again = NULL;
  gsize            written_len = 0, written_again_len = 0;

  experiment = load_with ((const char *) data, size, &error);
  if (experiment == NULL)
    {
      if (error == NULL)
        g_error ("reading failed without an error");
      il_fuzz_check_message (error->message, MAX_MESSAGE);
      il_fuzz_check_position (error->message, NAME);
      return 0;
    }
  if (experiment->results == NULL)
    return 0; /* "results": null */

  written = il_results_to_data (experiment->results, &written_len);
  g_assert_nonnull (written);
  again = load_with (written, written_len, &error);
  if (again == NULL)
    g_error ("what was written does not read back: %s\n%s", error->message, written);
  if (again->results == NULL || !il_results_equal (experiment->results, again->results))
    g_error ("written and read back, not equal:\n%s", written);
  written_again = il_results_to_data (again->results, &written_again_len);
  if (written_len != written_again_len || memcmp (written, written_again, written_len) != 0)
    g_error ("the second write differs from the first:\n%s\n----\n%s", written, written_again);
  return 0;
}
