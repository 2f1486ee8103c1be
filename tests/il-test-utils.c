/* il-test-utils.c — helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "il-test-utils.h"

#include "il-error.h"
#include "il-runner.h"

#ifdef IL_TEST_GTK
#  include <adwaita.h>
#endif

IlExperiment *
il_test_load (const char *json)
{
  g_autoptr(GError) error = NULL;
  IlExperiment *exp = il_experiment_load_data (json, -1, "test.interleave", &error);

  g_assert_no_error (error);
  g_assert_nonnull (exp);
  return exp;
}

IlExperiment *
il_test_loadf (const char *format,
               ...)
{
  g_autofree char *json = NULL;
  va_list          args;

  va_start (args, format);
  json = g_strdup_vprintf (format, args);
  va_end (args);
  return il_test_load (json);
}

IlResults *
il_test_run_options (IlExperiment       *experiment,
                     const IlRunOptions *options,
                     GCancellable       *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunner) runner = il_runner_new (experiment, options);
  IlResults *results = il_runner_run (runner, cancellable, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

IlResults *
il_test_run (IlExperiment *experiment,
             IlEventQueue *events,
             GCancellable *cancellable)
{
  IlRunOptions options = { 0 };

  options.events = events;
  return il_test_run_options (experiment, &options, cancellable);
}

IlResults *
il_test_run_or_skip (IlExperiment *experiment)
{
  g_autoptr(GError) error = NULL;
  IlRunOptions options = { .allow_network = TRUE };
  g_autoptr(IlRunner) runner = il_runner_new (experiment, &options);
  IlResults *results;

  if (!il_runner_check (runner, &error) && g_error_matches (error, IL_ERROR, IL_ERROR_UNSUPPORTED))
    {
      g_test_skip (error->message);
      return NULL;
    }
  g_assert_no_error (error);
  results = il_runner_run (runner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

IlRunResult *
il_test_run_at (const IlResults *results,
                guint            run)
{
  g_assert_cmpuint (results->runs->len, >, run);
  return g_ptr_array_index (results->runs, run);
}

IlRepetition *
il_test_first_rep (const IlResults *results,
                   guint            run)
{
  IlRunResult *rr = il_test_run_at (results, run);

  g_assert_cmpuint (rr->repetitions->len, >, 0);
  return g_ptr_array_index (rr->repetitions, 0);
}

void
il_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

#ifdef IL_TEST_GTK
gboolean
il_test_init_gtk (int    *argc,
                  char ***argv)
{
  /* Whether GTK can open a display decides what g_test_init() is told, so
   * GTK comes first. */
  gboolean have_display = gtk_init_check ();

  if (!have_display)
    {
      /* GLib reports a case whose path starts with a --skip-prefix as
       * skipped without running it: "/" is every case, however and
       * wherever it was registered, so no GUI code can run (and crash)
       * without a display. */
      static char *skip_args[] = { "--skip-prefix", "/" };
      int          n = *argc;
      char       **args = g_new0 (char *, n + G_N_ELEMENTS (skip_args) + 1);

      for (int i = 0; i < n; i++)
        args[i] = (*argv)[i];
      for (guint i = 0; i < G_N_ELEMENTS (skip_args); i++)
        args[n++] = skip_args[i];
      *argc = n;
      *argv = args; /* lives as long as the program */
    }
  g_test_init (argc, argv, NULL);
  if (!have_display)
    {
      g_test_message ("no display: every case is skipped");
      return FALSE;
    }
  adw_init ();
  return TRUE;
}
#endif
