/* il-test-utils.c — helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "il-test-utils.h"

#include <dirent.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "il-cpython.h"
#include "il-error.h"
#include "il-runner.h"

#ifdef IL_TEST_GTK
#  include <adwaita.h>
#endif

gboolean
il_test_need_cpython (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  if (!il_cpython_available (&version, &error))
    {
      g_autofree char *why = g_strdup_printf ("the cpython engine cannot run here: %s", error->message);

      g_test_skip (why);
      return FALSE;
    }
  g_test_message ("Python %s", version);
  return TRUE;
}

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
/* What AdwApplication does for IlApplication (resource base path
 * /io/github/interleave/Interleave): style.css always, the dark and
 * high-contrast sheets while the style manager says so. Test programs are
 * not IlApplication, and the palette lives in those sheets. One step below
 * the application's priority, so an IlApplication a test starts wins. */
static GtkCssProvider *test_sheets[4];

static void
test_sheets_update (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GdkDisplay      *display = gdk_display_get_default ();
  gboolean         dark = adw_style_manager_get_dark (manager);
  gboolean         hc = adw_style_manager_get_high_contrast (manager);
  gboolean         enabled[4] = { TRUE, dark, hc, dark && hc };

  for (guint i = 1; i < G_N_ELEMENTS (test_sheets); i++)
    {
      gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (test_sheets[i]));
      if (enabled[i])
        gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (test_sheets[i]),
                                                    GTK_STYLE_PROVIDER_PRIORITY_APPLICATION - 1);
    }
}

static void
test_sheets_load (void)
{
  static const char *names[] = { "style.css", "style-dark.css", "style-hc.css", "style-hc-dark.css" };
  AdwStyleManager   *manager = adw_style_manager_get_default ();

  for (guint i = 0; i < G_N_ELEMENTS (test_sheets); i++)
    {
      g_autofree char *path = g_strconcat ("/io/github/interleave/Interleave/", names[i], NULL);

      test_sheets[i] = gtk_css_provider_new ();
      gtk_css_provider_load_from_resource (test_sheets[i], path);
    }
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (test_sheets[0]),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION - 1);
  g_signal_connect (manager, "notify::dark", G_CALLBACK (test_sheets_update), NULL);
  g_signal_connect (manager, "notify::high-contrast", G_CALLBACK (test_sheets_update), NULL);
  test_sheets_update ();
}

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
  test_sheets_load ();
  return TRUE;
}
#endif

static gboolean leak_check_off;

/* LeakSanitizer asks this (a weak hook of its runtime) before its check at
 * exit; without a sanitizer nothing calls it. */
int __lsan_is_turned_off (void);

int
__lsan_is_turned_off (void)
{
  return leak_check_off;
}

static guint
count_threads (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nThreads:");
  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("\nThreads:"), NULL, 10);
}

gboolean
il_test_limit_threads (guint more)
{
  struct rlimit lim;

  if (geteuid () != 0)
    {
      /* A user's limit counts all their processes, here the rest of the
       * session too: only a fresh user id gives an exact count. */
      g_test_skip ("needs root (to run under an unused user id with a low process limit)");
      return FALSE;
    }
  {
    uid_t id = (uid_t) (200000 + getpid () % 100000);

    if (setgroups (0, NULL) != 0 || setgid (id) != 0 || setuid (id) != 0)
      {
        g_test_skip ("cannot switch to an unused user id to apply a process limit");
        return FALSE;
      }
  }
  lim.rlim_cur = lim.rlim_max = count_threads () + more;
  if (setrlimit (RLIMIT_NPROC, &lim) != 0)
    {
      g_test_skip ("cannot set RLIMIT_NPROC");
      return FALSE;
    }
  leak_check_off = TRUE;
  return TRUE;
}

/* The share of the tasks' on-CPU-or-waiting-for-it time spent waiting for
 * a CPU: near 0 when the cores were ours. */
double
il_test_ready_share (const IlRepetition *rep)
{
  gint64 running = 0, ready = 0;

  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (!il_task_record_state (t).valid)
        return 0.0;
      running += il_task_record_state (t).running;
      ready += il_task_record_state (t).ready;
    }
  return running + ready > 0 ? (double) ready / (double) (running + ready) : 0.0;
}

/* Whether to measure again after a miss: once in any case, and up to
 * IL_TEST_ATTEMPTS_BUSY times while the machine is shown to be busy. */
gboolean
il_test_measure_again (guint  attempt,
                       double busy_share)
{
  if (attempt < IL_TEST_ATTEMPTS)
    return TRUE;
  if (attempt < IL_TEST_ATTEMPTS_BUSY && busy_share > 0.10)
    {
      g_test_message ("machine busy: %.0f %% of the CPU-bound time was spent waiting for a core; measuring again",
                      100.0 * busy_share);
      g_usleep (G_USEC_PER_SEC);
      return TRUE;
    }
  return FALSE;
}

/* Children of this process (any thread), from /proc. */
GArray *
il_test_list_children (pid_t pid)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/task", (int) pid);
  GArray          *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  DIR             *dir = opendir (dir_path);
  struct dirent   *de;

  if (dir == NULL)
    return pids;
  while ((de = readdir (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) parts = NULL;

      if (de->d_name[0] == '.')
        continue;
      path = g_strdup_printf ("%s/%s/children", dir_path, de->d_name);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      parts = g_strsplit (g_strstrip (contents), " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          {
            pid_t child = (pid_t) atoi (parts[i]);

            g_array_append_val (pids, child);
          }
    }
  closedir (dir);
  return pids;
}
