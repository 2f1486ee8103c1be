/* main.c — starts the Interleave desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "il-application.h"
#include "il-i18n.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IlApplication) app = NULL;

  setlocale (LC_ALL, "");
  il_i18n_init ();

  g_set_application_name (_("Interleave"));
  app = il_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
