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

void
il_fuzz_check_position (const char *message,
                        const char *name)
{
  const char *p = message;

  if (!g_str_has_prefix (p, name) || p[strlen (name)] != ':')
    goto bad;
  p += strlen (name) + 1;
  for (guint numbers = 0; numbers < 2; numbers++)
    {
      if (!g_ascii_isdigit (*p))
        goto bad;
      while (g_ascii_isdigit (*p))
        p++;
      if (*p++ != ':')
        goto bad;
    }
  if (*p == ' ')
    return;
bad:
  g_error ("an error without %s:LINE:COLUMN: %.300s", name, message);
}
