/* save-loop-helper.c — saves two experiments over one file, alternately,
 * until killed (test-atomic-file's SIGKILL loop)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * save-loop-helper TARGET A.interleave B.interleave
 */
#include "config.h"

#include <stdio.h>

#include <gio/gio.h>

#include "il-experiment.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GFile) target = NULL;
  IlExperiment *docs[2] = { NULL, NULL }; /* kept until killed */
  g_autoptr(GError) error = NULL;

  if (argc != 4)
    {
      g_printerr ("usage: %s TARGET A B\n", argv[0]);
      return 2;
    }
  target = g_file_new_for_path (argv[1]);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (argv[2 + i]);

      docs[i] = il_experiment_load_file (file, &error);
      if (docs[i] == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
    }
  /* The test kills at random points from here on. */
  g_print ("ready\n");
  fflush (stdout);
  /* B first: any completed save changes the file. Each completed save
   * is reported with how long it took, so that the test can also kill
   * in the middle of a later save however slow this disk is. */
  for (guint64 n = 0;; n++)
    {
      gint64 start = g_get_monotonic_time ();

      if (!il_experiment_save_file (docs[(n + 1) % 2], target, &error))
        {
          g_printerr ("save %" G_GUINT64_FORMAT ": %s\n", n, error->message);
          return 3;
        }
      g_print ("saved %" G_GINT64_FORMAT "\n", g_get_monotonic_time () - start);
      fflush (stdout);
    }
}
