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
 *   bench-memory CLI [TASKS…]   (default: 100000 1000000)
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

  /* A group repeats at most 100,000 times (the format's limit). */
  for (guint64 left = tasks, g = 0; left > 0; g++)
    {
      guint64 n = MIN (left, 100000);

      g_string_append_printf (text,
                              "%s\n    { \"name\": \"tiny%" G_GUINT64_FORMAT "\", \"repeat\": %" G_GUINT64_FORMAT
                              ", \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] }",
                              g > 0 ? "," : "", g, n);
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
  g_unlink (json);
  g_unlink (csv);
  g_unlink (trace);
  g_unlink (exp);
  return TRUE;
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

  if (argc < 2)
    {
      g_printerr ("usage: %s INTERLEAVE-CLI [TASKS…]\n", argv[0]);
      return 2;
    }
  if (n_sizes == 0)
    {
      sizes = defaults;
      n_sizes = G_N_ELEMENTS (defaults);
    }
  dir = g_dir_make_tmp ("il-bench-memory-XXXXXX", NULL);
  if (dir == NULL || !run_cli (argv[1], dir, 1, &base))
    return 1;

  for (int i = 0; i < n_sizes; i++)
    {
      guint64 tasks = g_ascii_strtoull (sizes[i], NULL, 10);
      Measure m = { 0 };
      double  per_task;

      if (tasks < 2 || !run_cli (argv[1], dir, tasks, &m))
        {
          status = 1;
          continue;
        }
      per_task = (double) (m.maxrss_kib - base.maxrss_kib) * 1024.0 / (double) tasks;
      g_print ("{ \"benchmark\": \"memory-per-task\", \"tasks\": %" G_GUINT64_FORMAT ", "
               "\"executor\": \"sequential\", \"block\": \"sleep 0\", \"outputs\": [\"json\", \"csv\", \"trace\"], "
               "\"peak_rss_kib\": %" G_GINT64_FORMAT ", \"baseline_rss_kib\": %" G_GINT64_FORMAT ", "
               "\"bytes_per_task\": %.1f, \"target_bytes_per_task\": 256, \"within_target\": %s, "
               "\"seconds\": %.1f, \"json_bytes\": %" G_GINT64_FORMAT ", \"csv_bytes\": %" G_GINT64_FORMAT ", "
               "\"trace_bytes\": %" G_GINT64_FORMAT " }\n",
               tasks, m.maxrss_kib, base.maxrss_kib, per_task, per_task <= 256.0 ? "true" : "false",
               m.seconds, m.json_bytes, m.csv_bytes, m.trace_bytes);
      if (per_task > 256.0)
        status = 1;
    }
  g_rmdir (dir);
  return status;
}
