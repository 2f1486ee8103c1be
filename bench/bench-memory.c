/* bench-memory.c — memory per recorded task of interleave-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs interleave-cli on N tiny tasks (sleep 0, sequential: the cheapest
 * per task) with --json, --csv and --trace written, and reports the peak
 * RSS of the child (wait4's ru_maxrss) above that of the same run with one
 * task, divided by the tasks: the bytes each recorded task costs, output
 * included. One JSON object per size on standard output.
 *
 * --read: the other way. Writes the results of N tasks once (interleave-cli
 * --json), puts them into an experiment file ("results", as the app saves
 * them), then loads that file with the core loader (il_experiment_load_file,
 * what the app's Open calls) in a fresh process, and reports that process's
 * peak RSS above the same for a 1-task file, per task, and the load time.
 *
 * --blocks N: each task has N blocks (sleep 0 each) instead of one; the
 * target holds for tasks of one or two blocks.
 *
 *   bench-memory [--blocks N] [--read] CLI [TASKS…]   (default: 100000 1000000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "il-experiment.h"
#include "il-results.h"

/* Blocks per task (--blocks). */
static guint n_blocks = 1;

typedef struct
{
  gint64 maxrss_kib;
  double seconds;
  gint64 json_bytes, csv_bytes, trace_bytes;
} Measure;

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static gboolean
run_cli (const char *cli,
         const char *dir,
         guint64     tasks,
         gboolean    keep_json,
         Measure    *m)
{
  g_autofree char *exp = g_build_filename (dir, "many.interleave", NULL);
  g_autofree char *json = g_build_filename (dir, "out.json", NULL);
  g_autofree char *csv = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *trace = g_build_filename (dir, "out.trace.json", NULL);
  g_autoptr(GString) text = g_string_new ("{ \"interleave\": 1, \"name\": \"many\",\n  \"tasks\": [");
  struct rusage ru;
  gint64        t0;
  pid_t         pid;
  int           status;

  g_autoptr(GString) blocks = g_string_new (NULL);

  for (guint b = 0; b < n_blocks; b++)
    g_string_append_printf (blocks, "%s{ \"type\": \"sleep\", \"ms\": 0 }", b > 0 ? ", " : "");
  /* A group repeats at most 100,000 times (the format's limit). */
  for (guint64 left = tasks, g = 0; left > 0; g++)
    {
      guint64 n = MIN (left, 100000);

      g_string_append_printf (text,
                              "%s\n    { \"name\": \"tiny%" G_GUINT64_FORMAT "\", \"repeat\": %" G_GUINT64_FORMAT
                              ", \"blocks\": [ %s ] }",
                              g > 0 ? "," : "", g, n, blocks->str);
      left -= n;
    }
  g_string_append (text, " ],\n  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
                         "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }\n");
  if (!g_file_set_contents (exp, text->str, -1, NULL))
    return FALSE;
  t0 = g_get_monotonic_time ();
  pid = fork ();
  if (pid < 0)
    return FALSE;
  if (pid == 0)
    {
      /* keep_json (--read): only the document is needed. */
      if (keep_json)
        execl (cli, cli, "run", exp, "--quiet", "--json", json, (char *) NULL);
      else
        execl (cli, cli, "run", exp, "--quiet", "--json", json, "--csv", csv, "--trace", trace,
               (char *) NULL);
      _exit (127);
    }
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      return FALSE;
  m->seconds = (double) (g_get_monotonic_time () - t0) / 1e6;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("interleave-cli failed (status %d) for %" G_GUINT64_FORMAT " tasks\n", status, tasks);
      return FALSE;
    }
  m->maxrss_kib = ru.ru_maxrss;
  m->json_bytes = file_size (json);
  m->csv_bytes = file_size (csv);
  m->trace_bytes = file_size (trace);
  if (!keep_json)
    g_unlink (json);
  g_unlink (csv);
  g_unlink (trace);
  if (!keep_json)
    g_unlink (exp);
  return TRUE;
}

/* The experiment of run_cli with its results in it: the experiment's text
 * without its closing brace, then "results": and the results document, copied
 * in pieces (the document can be most of a GiB). */
static gboolean
make_saved (const char *dir,
            const char *saved)
{
  g_autofree char *exp = g_build_filename (dir, "many.interleave", NULL);
  g_autofree char *json = g_build_filename (dir, "out.json", NULL);
  g_autofree char *text = NULL;
  gsize            len;
  FILE            *in, *out;
  char             buf[1 << 16];
  size_t           n;
  gboolean         ok;

  if (!g_file_get_contents (exp, &text, &len, NULL))
    return FALSE;
  while (len > 0 && text[len - 1] != '}')
    len--;
  if (len == 0)
    return FALSE;
  in = fopen (json, "rb");
  out = fopen (saved, "wb");
  if (in == NULL || out == NULL)
    return FALSE;
  fwrite (text, 1, len - 1, out);
  fputs (",\n  \"results\": ", out);
  while ((n = fread (buf, 1, sizeof buf, in)) > 0)
    fwrite (buf, 1, n, out);
  fputs ("}\n", out);
  fclose (in);
  ok = fclose (out) == 0;
  g_unlink (json);
  g_unlink (exp);
  return ok;
}

/* The child: loads @path and checks that it holds @tasks recorded tasks;
 * writes the load time in seconds to standard output. */
static int
load_child (const char *path,
            guint64     tasks)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) experiment = NULL;
  gint64              t0 = g_get_monotonic_time ();
  const IlResults    *results;
  const IlRunResult  *run;
  const IlRepetition *rep;

  experiment = il_experiment_load_file (file, &error);
  if (experiment == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  results = experiment->results;
  if (results == NULL || results->runs->len != 1 ||
      (run = g_ptr_array_index (results->runs, 0))->repetitions->len != 1 ||
      (rep = g_ptr_array_index (run->repetitions, 0))->tasks->len != tasks)
    {
      g_printerr ("the file did not read back as %" G_GUINT64_FORMAT " recorded tasks\n", tasks);
      return 1;
    }
  g_print ("%.3f\n", (double) (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

/* Loads @saved in a fresh process (this program, --load). */
static gboolean
measure_load (const char *self,
              const char *saved,
              guint64     tasks,
              Measure    *m)
{
  g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, tasks);
  struct rusage    ru;
  pid_t            pid;
  int              status;
  int              fds[2];
  char             out[64] = { 0 };
  gssize           got = 0;

  if (pipe (fds) != 0)
    return FALSE;
  pid = fork ();
  if (pid < 0)
    return FALSE;
  if (pid == 0)
    {
      dup2 (fds[1], STDOUT_FILENO);
      close (fds[0]);
      close (fds[1]);
      execl ("/proc/self/exe", self, "--load", saved, count, (char *) NULL);
      _exit (127);
    }
  close (fds[1]);
  while (got < (gssize) sizeof out - 1)
    {
      gssize n = read (fds[0], out + got, sizeof out - 1 - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += n;
    }
  close (fds[0]);
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      return FALSE;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("loading %s failed (status %d)\n", saved, status);
      return FALSE;
    }
  m->maxrss_kib = ru.ru_maxrss;
  m->seconds = g_ascii_strtod (out, NULL);
  return TRUE;
}

static gboolean
prepare_saved (const char *cli,
               const char *dir,
               guint64     tasks,
               char      **saved,
               Measure    *m)
{
  *saved = g_strdup_printf ("%s/saved-%" G_GUINT64_FORMAT ".interleave", dir, tasks);
  return run_cli (cli, dir, tasks, TRUE, m) && make_saved (dir, *saved);
}

static int
read_mode (const char  *self,
           const char  *cli,
           const char **sizes,
           int          n_sizes)
{
  g_autofree char *dir = g_dir_make_tmp ("il-bench-read-XXXXXX", NULL);
  g_autofree char *base_saved = NULL;
  Measure          base = { 0 }, written = { 0 };
  int              status = 0;

  if (dir == NULL || !prepare_saved (cli, dir, 1, &base_saved, &written) ||
      !measure_load (self, base_saved, 1, &base))
    return 1;
  g_unlink (base_saved);

  for (int i = 0; i < n_sizes; i++)
    {
      guint64          tasks = g_ascii_strtoull (sizes[i], NULL, 10);
      g_autofree char *saved = NULL;
      Measure          m = { 0 };
      double           per_task;
      gint64           bytes;

      if (tasks < 2 || !prepare_saved (cli, dir, tasks, &saved, &written))
        {
          status = 1;
          continue;
        }
      bytes = file_size (saved);
      if (!measure_load (self, saved, tasks, &m))
        {
          g_unlink (saved);
          status = 1;
          continue;
        }
      g_unlink (saved);
      per_task = (double) (m.maxrss_kib - base.maxrss_kib) * 1024.0 / (double) tasks;
      g_print ("{ \"benchmark\": \"memory-per-task-read\", \"tasks\": %" G_GUINT64_FORMAT ", "
               "\"loader\": \"il_experiment_load_file\", \"blocks_per_task\": %u, \"file_bytes\": %" G_GINT64_FORMAT ", "
               "\"peak_rss_kib\": %" G_GINT64_FORMAT ", \"baseline_rss_kib\": %" G_GINT64_FORMAT ", "
               "\"bytes_per_task\": %.1f, \"target_bytes_per_task\": 256, \"within_target\": %s, "
               "\"load_seconds\": %.2f }\n",
               tasks, n_blocks, bytes, m.maxrss_kib, base.maxrss_kib, per_task,
               per_task <= 256.0 ? "true" : "false", m.seconds);
      if (per_task > 256.0)
        status = 1;
    }
  g_rmdir (dir);
  return status;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  Measure          base = { 0 };
  const char      *defaults[] = { "100000", "1000000" };
  const char     **sizes = (const char **) argv + 2;
  int              n_sizes = argc - 2;
  int              status = 0;

  if (argc == 4 && g_str_equal (argv[1], "--load"))
    return load_child (argv[2], g_ascii_strtoull (argv[3], NULL, 10));
  if (argc >= 3 && g_str_equal (argv[1], "--blocks"))
    {
      n_blocks = (guint) g_ascii_strtoull (argv[2], NULL, 10);
      if (n_blocks < 1 || n_blocks > IL_MAX_BLOCKS)
        {
          g_printerr ("--blocks: 1 to %d\n", IL_MAX_BLOCKS);
          return 2;
        }
      /* The rest as without the option (the program's own path first). */
      argv[2] = argv[0];
      argv += 2;
      argc -= 2;
      sizes = (const char **) argv + 2;
      n_sizes = argc - 2;
    }
  if (argc >= 3 && g_str_equal (argv[1], "--read"))
    {
      if (argc == 3)
        return read_mode (argv[0], argv[2], defaults, G_N_ELEMENTS (defaults));
      return read_mode (argv[0], argv[2], (const char **) argv + 3, argc - 3);
    }
  if (argc < 2)
    {
      g_printerr ("usage: %s [--blocks N] [--read] INTERLEAVE-CLI [TASKS…]\n", argv[0]);
      return 2;
    }
  if (n_sizes == 0)
    {
      sizes = defaults;
      n_sizes = G_N_ELEMENTS (defaults);
    }
  dir = g_dir_make_tmp ("il-bench-memory-XXXXXX", NULL);
  if (dir == NULL || !run_cli (argv[1], dir, 1, FALSE, &base))
    return 1;

  for (int i = 0; i < n_sizes; i++)
    {
      guint64 tasks = g_ascii_strtoull (sizes[i], NULL, 10);
      Measure m = { 0 };
      double  per_task;

      if (tasks < 2 || !run_cli (argv[1], dir, tasks, FALSE, &m))
        {
          status = 1;
          continue;
        }
      per_task = (double) (m.maxrss_kib - base.maxrss_kib) * 1024.0 / (double) tasks;
      g_print ("{ \"benchmark\": \"memory-per-task\", \"tasks\": %" G_GUINT64_FORMAT ", "
               "\"executor\": \"sequential\", \"block\": \"sleep 0\", \"blocks_per_task\": %u, \"outputs\": [\"json\", \"csv\", \"trace\"], "
               "\"peak_rss_kib\": %" G_GINT64_FORMAT ", \"baseline_rss_kib\": %" G_GINT64_FORMAT ", "
               "\"bytes_per_task\": %.1f, \"target_bytes_per_task\": 256, \"within_target\": %s, "
               "\"seconds\": %.1f, \"json_bytes\": %" G_GINT64_FORMAT ", \"csv_bytes\": %" G_GINT64_FORMAT ", "
               "\"trace_bytes\": %" G_GINT64_FORMAT " }\n",
               tasks, n_blocks, m.maxrss_kib, base.maxrss_kib, per_task, per_task <= 256.0 ? "true" : "false",
               m.seconds, m.json_bytes, m.csv_bytes, m.trace_bytes);
      if (per_task > 256.0)
        status = 1;
    }
  g_rmdir (dir);
  return status;
}
