/* main.c — starts the Interleave desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "il-application.h"
#include "il-frame-memory.h"
#include "il-i18n.h"

/* After GtkApplication's startup (a RUN_FIRST signal: the class handler,
 * which opens the display, runs before this one) and before any window. */
static void
startup_cb (GApplication *app)
{
  il_frame_memory_keep_shm (gdk_display_get_default ());
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(IlApplication) app = NULL;

  /* Before anything allocates: each frame's window-sized buffer then
   * reuses the heap instead of a fresh mmap (see il-frame-memory.c). */
  il_frame_memory_tune_malloc ();
  setlocale (LC_ALL, "");
  il_i18n_init ();

  g_set_application_name (_("Interleave"));
  app = il_application_new ();
  g_signal_connect (app, "startup", G_CALLBACK (startup_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
