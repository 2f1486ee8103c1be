/* il-cli.c — interleave-cli: headless runs, validation, calibration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command-line contract (docs/cli.md): exit 0 on success, 1 when the
 * experiment ran but a task failed or the run was cancelled, 2 for a bad
 * command line or an invalid file (then nothing ran).
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-atomic-file.h"
#include "il-examples.h"
#include "il-experiment.h"
#include "il-export.h"
#include "il-format.h"
#include "il-i18n.h"
#include "il-kernels.h"
#include "il-machine.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-cli-table.h"

enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
};

static const char *prgname = "interleave-cli";

static void
print_usage_error (const char *message)
{
  g_printerr ("%s: %s\n", prgname, message);
  g_printerr (_("Try “%s --help” for more information.\n"), prgname);
}

/* ---------------------------------------------------------------- run */

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  IlRunner     *runner;
  IlEventQueue *events;
  GArray       *batch;
  IlResults    *results;
  GError       *error;
  gboolean      progress;
  gboolean      interrupted;
  guint64       done;
  guint64       total;
  guint         current_run;
  guint         current_rep;
  gint64        started;
  gboolean      line_shown;
} RunState;

/* --json PATH: the results so far, rewritten (atomically) after each
 * repetition, so that a crash or a kill loses only the one in flight. */
typedef struct
{
  const char *path;
  gboolean    told;   /* where the partial file is: said once */
  gboolean    failed; /* a write failed: said once, no more tries */
} PartialOutput;

static void
on_partial (const IlResults *partial,
            gpointer         user_data)
{
  PartialOutput *out = user_data;
  g_autoptr(GError) error = NULL;

  if (out->failed)
    return;
  if (!il_results_export_to_path (partial, NULL, IL_EXPORT_JSON, out->path, &error))
    {
      g_printerr (_("%s: partial results not written: %s\n"), prgname, error->message);
      out->failed = TRUE;
      return;
    }
  if (!out->told)
    {
      g_autofree char *display = g_filename_display_name (out->path);

      g_printerr (_("%s: partial results are in “%s”, rewritten after each repetition\n"), prgname,
                     display);
      out->told = TRUE;
    }
}

/* Partial results go only where a rewrite is harmless: a regular file
 * or a path not there yet (never standard output, a FIFO or a device). */
static gboolean
partial_output_wanted (const char *path)
{
  GStatBuf st;

  if (path == NULL || strcmp (path, "-") == 0)
    return FALSE;
  if (g_stat (path, &st) == 0)
    return S_ISREG (st.st_mode);
  return errno == ENOENT;
}

static gboolean
on_sigint (gpointer user_data)
{
  RunState *state = user_data;

  if (!state->interrupted)
    {
      state->interrupted = TRUE;
      g_cancellable_cancel (state->cancellable);
      if (state->line_shown)
        g_printerr ("\r\033[K");
      g_printerr (_("Cancelling…\n"));
      state->line_shown = FALSE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_progress_tick (gpointer user_data)
{
  RunState *state = user_data;
  guint     n;

  g_array_set_size (state->batch, 0);
  n = il_event_queue_drain (state->events, state->batch, 0);
  for (guint i = 0; i < n; i++)
    {
      const IlEvent *ev = &g_array_index (state->batch, IlEvent, i);

      switch (ev->kind)
        {
          case IL_EVENT_TASK_END:
            state->done++;
            break;
          case IL_EVENT_REP_START:
            state->current_run = ev->run;
            state->current_rep = ev->rep;
            break;
          default:
            break;
        }
    }

  if (state->progress && !state->interrupted)
    {
      double elapsed = (double) (g_get_monotonic_time () - state->started) / G_USEC_PER_SEC;

      g_printerr ("\r\033[K%s — %s %u — %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " %s — %.1f s",
                  il_runner_get_run_label (state->runner, state->current_run),
                  _("repetition"), state->current_rep + 1,
                     state->done, state->total, _("tasks"), elapsed);
      state->line_shown = TRUE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunState *state = user_data;

  state->results = il_runner_run_finish (IL_RUNNER (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

static gboolean
parse_run_index (const char *str,
                 guint      *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (str, 10, 0, G_MAXUINT16, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static int
cmd_run (int    argc,
         char **argv)
{
  g_auto(GStrv) run_indices = NULL;
  gint               repetitions = 0;
  g_autofree char   *json_path = NULL;
  g_autofree char   *csv_path = NULL;
  g_autofree char   *markdown_path = NULL;
  g_autofree char   *trace_path = NULL;
  gboolean           quiet = FALSE;
  gboolean           allow_network = FALSE;
  g_autofree char   *executor = NULL;
  gint               workers = 0;
  gboolean           gil = FALSE;
  gint               switch_interval = 0;
  g_autofree char   *spawn = NULL;
  gint               slice = -1;
  g_autofree char   *hosts = NULL;
  g_autofree char   *hostfile = NULL;
  IlMpiHosts         placement = { 0 };
  const GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_STRING_ARRAY, &run_indices, N_("Run only entry N of “runs” (0-based; repeatable)"), "N" },
      { "repetitions", 0, 0, G_OPTION_ARG_INT, &repetitions, N_("Repeat each run N times (overrides the file)"), "N" },
        { "json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, N_("Write the results document to PATH (- for standard output)"), "PATH" },
          { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, N_("Write one row per task to PATH (- for standard output)"), "PATH" },
            { "markdown", 0, 0, G_OPTION_ARG_FILENAME, &markdown_path, N_("Write the summary table as Markdown to PATH (- for standard output)"), "PATH" },
              { "trace", 0, 0, G_OPTION_ARG_FILENAME, &trace_path, N_("Write a Chrome trace (Perfetto, chrome://tracing) to PATH (- for standard output)"), "PATH" },
                { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print no table and no progress"), NULL },
                  { "allow-network", 0, 0, G_OPTION_ARG_NONE, &allow_network, N_("Allow http blocks with a url to contact their hosts (this machine included)"), NULL },
                    { "executor", 0, 0, G_OPTION_ARG_STRING, &executor, N_("Run one ad-hoc configuration: sequential, threads, processes, async or mpi"), "E" },
                      { "workers", 0, 0, G_OPTION_ARG_INT, &workers, N_("Workers of the ad-hoc configuration"), "N" },
                        { "gil", 0, 0, G_OPTION_ARG_NONE, &gil, N_("Simulate a global interpreter lock (threads)"), NULL },
                          { "switch-interval", 0, 0, G_OPTION_ARG_INT, &switch_interval, N_("GIL switch interval in ms (threads, with --gil)"), "MS" },
                            { "spawn", 0, 0, G_OPTION_ARG_STRING, &spawn, N_("pool or per-task (processes)"), "MODE" },
                              { "slice", 0, 0, G_OPTION_ARG_INT, &slice, N_("Yield to the loop every K CPU units (async)"), "K" },
                                { "hosts", 0, 0, G_OPTION_ARG_STRING, &hosts, N_("Where mpi runs' ranks run: HOST:SLOTS,… (default: this machine)"), "LIST" },
                                  { "hostfile", 0, 0, G_OPTION_ARG_FILENAME, &hostfile, N_("Where mpi runs' ranks run: an Open MPI hostfile"), "FILE" },
                                    { NULL } };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlEventQueue) events = NULL;
  g_autoptr(GArray) only_runs = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(IlResults) results = NULL;
  IlRunOptions  options = { 0 };
  PartialOutput partial = { 0 };
  RunState      state = { 0 };
  guint         sigint_id, sigterm_id, tick_id;
  gboolean      table_to_stderr;
  int           status = EXIT_OK;
  guint         failed = 0;

  context = g_option_context_new (_("FILE — run an experiment and print its table"));
  g_option_context_set_summary (context,
                                _("FILE is an .interleave file, or example:NAME for a built-in example "
                                  "(see “interleave-cli examples”)."));
  /* What the table's columns mean: the texts of the window's header
   * tooltips. */
  {
    g_autoptr(GString) columns = g_string_new (_("The table's columns:"));

    for (guint c = 0; c < IL_N_RESULTS_COLUMNS; c++)
      {
        g_autofree char *wrapped = il_format_wrap (il_results_column_description (c), 74);
        g_auto (GStrv) lines = g_strsplit (wrapped, "\n", -1);

        for (guint l = 0; lines[l] != NULL; l++)
          g_string_append_printf (columns, "\n%s%s", l == 0 ? "  " : "    ", lines[l]);
      }
    g_option_context_set_description (context, columns->str);
  }
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_usage_error (error->message);
      return EXIT_USAGE;
    }
  if (argc != 2)
    {
      print_usage_error (argc < 2 ? _("run needs one experiment file") : _("run takes one experiment file"));
      return EXIT_USAGE;
    }

  experiment = il_experiment_load_path_or_example (argv[1], &error);
  if (experiment == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_USAGE;
    }

  if (repetitions < 0 || repetitions > IL_MAX_REPETITIONS)
    {
      g_autofree char *msg = g_strdup_printf (_("--repetitions must be from 1 to %d"), IL_MAX_REPETITIONS);
      print_usage_error (msg);
      return EXIT_USAGE;
    }

  if (executor != NULL)
    {
      IlExecutorKind kind;
      IlRunConfig   *config;

      if (run_indices != NULL)
        {
          print_usage_error (_("--run and --executor cannot be combined"));
          return EXIT_USAGE;
        }
      if (!il_executor_from_string (executor, &kind))
        {
          g_autofree char *msg = g_strdup_printf (_("unknown executor “%s” (expected sequential, threads, processes or async)"), executor);
          print_usage_error (msg);
          return EXIT_USAGE;
        }
      config = il_run_config_new (kind);
      if (workers != 0)
        {
          guint w = (guint) workers;

          if (workers < 1 || workers > IL_MAX_WORKERS || kind == IL_EXECUTOR_SEQUENTIAL || kind == IL_EXECUTOR_ASYNC)
            {
              il_run_config_free (config);
              print_usage_error (kind == IL_EXECUTOR_SEQUENTIAL || kind == IL_EXECUTOR_ASYNC
                                 ? _("--workers applies to the threads and processes executors")
                                 : _("--workers must be from 1 to 256"));
              return EXIT_USAGE;
            }
          g_array_append_val (config->workers, w);
        }
      if (gil || switch_interval != 0)
        {
          if (kind != IL_EXECUTOR_THREADS || switch_interval < 0 || switch_interval > IL_MAX_SWITCH_INTERVAL_MS)
            {
              il_run_config_free (config);
              print_usage_error (_("--gil and --switch-interval (1–1000 ms) apply to the threads executor"));
              return EXIT_USAGE;
            }
          config->gil = TRUE;
          if (switch_interval > 0)
            config->switch_interval_ms = (guint) switch_interval;
        }
      if (spawn != NULL)
        {
          if (kind != IL_EXECUTOR_PROCESSES || !il_spawn_from_string (spawn, &config->spawn))
            {
              il_run_config_free (config);
              print_usage_error (_("--spawn is pool or per-task, for the processes executor"));
              return EXIT_USAGE;
            }
        }
      if (slice >= 0)
        {
          if (kind != IL_EXECUTOR_ASYNC)
            {
              il_run_config_free (config);
              print_usage_error (_("--slice applies to the async executor"));
              return EXIT_USAGE;
            }
          config->cpu_slice_units = (guint) slice;
        }
      g_ptr_array_set_size (experiment->runs, 0);
      g_ptr_array_add (experiment->runs, config);
    }
  else if (workers != 0 || gil || switch_interval != 0 || spawn != NULL || slice >= 0)
    {
      print_usage_error (_("--workers, --gil, --switch-interval, --spawn and --slice go with --executor"));
      return EXIT_USAGE;
    }

  if (run_indices != NULL)
    {
      only_runs = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; run_indices[i] != NULL; i++)
        {
          guint idx;

          if (!parse_run_index (run_indices[i], &idx))
            {
              g_autofree char *msg = g_strdup_printf (_("--run expects a run number, got “%s”"), run_indices[i]);
              print_usage_error (msg);
              return EXIT_USAGE;
            }
          g_array_append_val (only_runs, idx);
        }
    }

  placement.hosts = hosts;
  placement.hostfile = hostfile;
  if (!il_mpi_check_placement (&placement, &error))
    {
      g_autofree char *msg = g_strdup_printf ("--hosts/--hostfile: %s", error->message);

      print_usage_error (msg);
      return EXIT_USAGE;
    }

  events = il_event_queue_new (1 << 16);
  options.mpi_hosts = &placement;
  options.only_runs = only_runs;
  options.repetitions = (guint) repetitions;
  options.allow_network = allow_network;
  options.events = events;
  options.outputs = (json_path != NULL ? IL_RUN_OUTPUT_DOCUMENT : 0) |
                    (trace_path != NULL ? IL_RUN_OUTPUT_TRACE : 0);
  partial.path = json_path;
  if (partial_output_wanted (json_path))
    {
      options.on_partial = on_partial;
      options.partial_data = &partial;
    }
  runner = il_runner_new (experiment, &options);
  if (!il_runner_check (runner, &error))
    {
      g_printerr ("%s: %s\n", argv[1], error->message);
      return EXIT_USAGE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  state.loop = loop;
  state.cancellable = cancellable;
  state.runner = runner;
  state.events = events;
  state.batch = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  state.progress = !quiet && isatty (STDERR_FILENO);
  state.total = il_runner_get_total_tasks (runner);
  state.started = g_get_monotonic_time ();

  sigint_id = g_unix_signal_add (SIGINT, on_sigint, &state);
  sigterm_id = g_unix_signal_add (SIGTERM, on_sigint, &state);
  /* The queue must be drained even without a progress line, or it fills
   * and drops (harmless, but then warns). */
  tick_id = g_timeout_add (100, on_progress_tick, &state);
  il_runner_run_async (runner, cancellable, on_run_done, &state);
  g_main_loop_run (loop);
  g_source_remove (tick_id);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_array_unref (state.batch);
  if (state.line_shown)
    g_printerr ("\r\033[K");

  if (state.results == NULL)
    {
      g_printerr ("%s: %s\n", argv[1], state.error->message);
      g_clear_error (&state.error);
      return EXIT_FAILED;
    }
  results = state.results;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      failed += run->summary.failed_tasks;
    }

  /* Standard output carries the data alone when an output goes there. */
  table_to_stderr = g_strcmp0 (json_path, "-") == 0 || g_strcmp0 (csv_path, "-") == 0 ||
                    g_strcmp0 (markdown_path, "-") == 0 || g_strcmp0 (trace_path, "-") == 0;
  if (!quiet)
    {
      g_autofree char *table = il_cli_format_table (results, experiment);

      if (table_to_stderr)
        g_printerr ("%s", table);
      else
        g_print ("%s", table);
    }

  {
    /* Each output is written whole or not at all (il-atomic-file.h); a
     * failed one fails the command, which has run: exit 1. */
    const struct
    {
      const char    *path;
      IlExportFormat format;
    } exports[] = {
      { json_path, IL_EXPORT_JSON },
      { csv_path, IL_EXPORT_CSV },
      { trace_path, IL_EXPORT_TRACE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
      {
        if (exports[i].path == NULL)
          continue;
        if (!il_results_export_to_path (results, experiment, exports[i].format, exports[i].path, &error))
          {
            g_printerr ("%s: %s\n", prgname, error->message);
            g_clear_error (&error);
            status = EXIT_FAILED;
          }
      }
    if (markdown_path != NULL)
      {
        g_autofree char *md = il_cli_format_markdown (results, experiment);

        if (!il_atomic_file_write_path (markdown_path, md, strlen (md), &error))
          {
            g_printerr ("%s: %s\n", prgname, error->message);
            g_clear_error (&error);
            status = EXIT_FAILED;
          }
      }
  }

  if (results->incomplete)
    {
      g_printerr (_("The experiment stopped early: the results are partial.\n"));
      status = EXIT_FAILED;
    }
  if (results->cancelled)
    {
      g_printerr (_("The run was cancelled: the results are partial.\n"));
      status = EXIT_FAILED;
    }
  if (failed > 0)
    {
      g_printerr (ngettext ("%u task failed.\n", "%u tasks failed.\n", failed), failed);
      for (guint i = 0; i < results->runs->len; i++)
        {
          const IlRunResult *run = g_ptr_array_index (results->runs, i);
          guint              shown = 0;

          for (guint r = 0; r < run->repetitions->len && shown < 3; r++)
            {
              const IlRepetition *rep = g_ptr_array_index (run->repetitions, r);

              /* Tasks cut off by Stop did not fail: they are not counted. */
              if (!il_repetition_counts (rep))
                continue;
              for (guint t = 0; t < rep->tasks->len && shown < 3; t++)
                {
                  const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

                  if (rec->failed)
                    {
                      g_printerr ("  %s: task %u.%u: %s\n", run->label, rec->group, rec->index,
                                  il_task_record_error (rec) != NULL ? il_task_record_error (rec) : _("failed"));
                      shown++;
                    }
                }
            }
        }
      status = EXIT_FAILED;
    }

  state.results = NULL;
  return status;
}

/* ----------------------------------------------------------- validate */

static int
cmd_validate (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean           quiet = FALSE;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print only errors"), NULL },
      { NULL }
  };
  int status = EXIT_OK;

  context = g_option_context_new (_("FILE… — check experiment files"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_usage_error (error->message);
      return EXIT_USAGE;
    }
  if (argc < 2)
    {
      print_usage_error (_("validate needs at least one file"));
      return EXIT_USAGE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) load_error = NULL;
      g_autoptr(IlExperiment) experiment = il_experiment_load_path_or_example (argv[i], &load_error);

      if (experiment == NULL)
        {
          g_printerr ("%s\n", load_error->message);
          status = EXIT_USAGE;
        }
      else if (!quiet)
        g_print (_("%s: valid (%" PRIu64 " tasks, %u runs)\n"), argv[i],
                    il_experiment_count_tasks (experiment), experiment->runs->len);
    }
  return status;
}

/* ---------------------------------------------------------- calibrate */

static int
cmd_calibrate (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gint               budget = 300;
  const GOptionEntry entries[] = {
    { "budget", 0, 0, G_OPTION_ARG_INT, &budget, N_("Milliseconds to spend on each kernel (default 300)"), "MS" },
      { NULL }
  };
  IlMachine machine = { 0 };

  context = g_option_context_new (_("— time one unit of each CPU kernel on this machine"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      print_usage_error (error->message);
      return EXIT_USAGE;
    }
  if (argc != 1 || budget < 10 || budget > 60000)
    {
      print_usage_error (argc != 1 ? _("calibrate takes no file") : _("--budget must be from 10 to 60000 ms"));
      return EXIT_USAGE;
    }

  il_machine_describe (&machine);
  g_print (_("CPU: %s (%u cores)\n"), machine.cpu_model != NULL ? machine.cpu_model : _("unknown"), machine.cores);
  g_print ("%-8s  %12s  %14s\n", _("kernel"), _("ms per unit"), _("units per second"));
  for (guint k = 0; k < IL_N_KERNELS; k++)
    {
      double ms = il_kernel_calibrate ((IlKernel) k, (guint) budget);

      g_print ("%-8s  %12.3f  %14.0f\n", il_kernel_to_string ((IlKernel) k), ms, ms > 0 ? 1000.0 / ms : 0.0);
    }
  g_print (_("One unit is a fixed amount of work, sized to take about 1 ms on one core of a current desktop CPU.\n"));
  il_machine_clear (&machine);
  return EXIT_OK;
}

/* ----------------------------------------------------------- examples */

static int
cmd_examples (int    argc,
              char **argv)
{
  g_autoptr(GPtrArray) list = NULL;
  guint width = 0;

  if (argc != 1)
    {
      print_usage_error (_("examples takes no argument"));
      return EXIT_USAGE;
    }
  list = il_examples_list ();
  for (guint i = 0; i < list->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (list, i);
      width = MAX (width, (guint) strlen (info->name));
    }
  for (guint i = 0; i < list->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (list, i);

      g_print ("example:%-*s  %s\n", (int) width, info->name, info->title);
      if (info->summary != NULL && *info->summary != '\0')
        g_print ("%*s  %s\n", (int) width + 8, "", info->summary);
    }
  return EXIT_OK;
}

/* --------------------------------------------------------------- main */

static void
print_help (void)
{
  g_print (_("Usage: %s COMMAND [OPTION…]\n\n"
             "Interleave runs concurrency experiments and measures them on this machine.\n\n"
             "Commands:\n"
             "  run FILE          run an experiment and print its table (--help for options)\n"
             "  validate FILE…    check experiment files\n"
             "  calibrate         time one unit of each CPU kernel here\n"
             "  examples          list the built-in experiments (run example:NAME)\n"
             "  --version         print the version\n\n"
             "Exit status: 0 success, 1 a task failed or the run was cancelled,\n"
             "2 a bad command line or an invalid file (nothing ran).\n"),
              prgname);
}

int
main (int    argc,
      char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");
  il_i18n_init ();
  g_set_prgname (prgname);

  if (argc < 2)
    {
      print_help ();
      return EXIT_USAGE;
    }
  command = argv[1];
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h") || g_str_equal (command, "help"))
    {
      print_help ();
      return EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("interleave-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  /* Sub-commands parse their own options: shift the command away. */
  argv[1] = argv[0];
  if (g_str_equal (command, "run"))
    return cmd_run (argc - 1, argv + 1);
  if (g_str_equal (command, "validate"))
    return cmd_validate (argc - 1, argv + 1);
  if (g_str_equal (command, "calibrate"))
    return cmd_calibrate (argc - 1, argv + 1);
  if (g_str_equal (command, "examples"))
    return cmd_examples (argc - 1, argv + 1);

  {
    g_autofree char *msg = g_strdup_printf (_("unknown command “%s”"), command);
    print_usage_error (msg);
  }
  return EXIT_USAGE;
}
