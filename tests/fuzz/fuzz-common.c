/* fuzz-common.c — checks shared by the fuzz targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"

void
il_fuzz_check_message (const char *message,
                       gsize       max)
{
  gsize len;

  if (message == NULL)
    g_error ("an error without a message");
  len = strlen (message);
  if (!g_utf8_validate (message, len, NULL))
    g_error ("an error message is not valid UTF-8");
  if (len > max)
    g_error ("an error message of %" G_GSIZE_FORMAT " bytes (at most %" G_GSIZE_FORMAT "): %.200s…",
             len, max, message);
}
