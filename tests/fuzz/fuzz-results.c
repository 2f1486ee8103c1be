/* fuzz-results.c — the results document reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any JSON input either reads as results, or fails with a valid UTF-8,
 * bounded message. What reads writes out, reads back equal, and writes
 * again byte for byte.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fuzz.h"
#include "il-error.h"
#include "il-results.h"

#define MAX_MESSAGE 2048

static IlResults *
read_results (const char *text,
              gsize       len,
              GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, (gssize) len, error))
    return NULL;
  return il_results_from_json (json_parser_get_root (parser), "$", error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autoptr(IlResults) again = NULL;
  g_autofree char *written = NULL;
  g_autofree char *written_again = NULL;
  gsize            written_len = 0, written_again_len = 0;

  /* json-glib's own parser is not what is being tested: text it refuses
   * (not UTF-8, not JSON) is skipped. */
  if (!g_utf8_validate ((const char *) data, (gssize) size, NULL))
    return 0;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL) || json_parser_get_root (parser) == NULL)
    return 0;

  results = il_results_from_json (json_parser_get_root (parser), "$", &error);
  if (results == NULL)
    {
      if (error == NULL)
        g_error ("reading failed without an error");
      il_fuzz_check_message (error->message, MAX_MESSAGE);
      return 0;
    }

  written = il_results_to_data (results, &written_len);
  g_assert_nonnull (written);
  again = read_results (written, written_len, &error);
  if (again == NULL)
    g_error ("what was written does not read back: %s\n%s", error->message, written);
  if (!il_results_equal (results, again))
    g_error ("written and read back, not equal:\n%s", written);
  written_again = il_results_to_data (again, &written_again_len);
  if (written_len != written_again_len || memcmp (written, written_again, written_len) != 0)
    g_error ("the second write differs from the first:\n%s\n----\n%s", written, written_again);
  return 0;
}
