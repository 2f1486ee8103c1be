/* il-i18n.c — where every Interleave program finds its translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "il-i18n.h"

#include <glib/gi18n.h>

const char *
il_i18n_localedir (void)
{
  const char *env = g_getenv ("IL_LOCALEDIR");

  if (env != NULL && env[0] != '\0')
    return env;
  return LOCALEDIR;
}

void
il_i18n_init (void)
{
  bindtextdomain (GETTEXT_PACKAGE, il_i18n_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
