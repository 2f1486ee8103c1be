/* fuzz-experiment.c — the experiment reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any input either loads, or fails with a message that starts with
 * FILE:LINE:COLUMN, is valid UTF-8 and is bounded. What loads passes
 * validation, saves, loads back equal, and saves again byte for byte.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "il-error.h"
#include "il-experiment.h"

#define NAME "fuzz.interleave"
/* The offending text is quoted to about 80 characters; the rest of a
 * message is a position, a JSON path and a sentence. */
#define MAX_MESSAGE 2048

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;
  g_autoptr(IlExperiment) again = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *saved_again = NULL;
  gsize            saved_len = 0, saved_again_len = 0;

  experiment = il_experiment_load_data ((const char *) data, (gssize) size, NAME, &error);
  if (experiment == NULL)
    {
      if (error == NULL)
        g_error ("loading failed without an error");
      il_fuzz_check_message (error->message, MAX_MESSAGE);
      il_fuzz_check_position (error->message, NAME);
      return 0;
    }
  g_assert_no_error (error);

  if (!il_experiment_validate (experiment, &error))
    g_error ("loaded, then refused by validation: %s", error->message);

  saved = il_experiment_to_data (experiment, &saved_len);
  g_assert_nonnull (saved);
  again = il_experiment_load_data (saved, (gssize) saved_len, NAME, &error);
  if (again == NULL)
    g_error ("what was saved does not load: %s\n%s", error->message, saved);
  if (!il_experiment_equal (experiment, again))
    g_error ("saved and loaded back, not equal:\n%s", saved);
  saved_again = il_experiment_to_data (again, &saved_again_len);
  if (saved_len != saved_again_len || memcmp (saved, saved_again, saved_len) != 0)
    g_error ("the second save differs from the first:\n%s\n----\n%s", saved, saved_again);
  return 0;
}
