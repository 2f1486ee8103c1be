/* il-cli-table.c — the run summary as a terminal table and as Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written for a newcomer: units in every header, numbers right-aligned,
 * the fastest run marked, warnings spelled out under the table.
 */
#include "config.h"

#include <inttypes.h>

#include <math.h>

#include <glib/gi18n.h>

#include "il-cli-table.h"
#include "il-format.h"

#define N_COLS IL_N_RESULTS_COLUMNS

static guint
fastest_run (const IlResults *results)
{
  guint  best = G_MAXUINT;
  double best_ms = INFINITY;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      if (run->summary.makespan_ms.median < best_ms && run->summary.failed_tasks == 0)
        {
          best_ms = run->summary.makespan_ms.median;
          best = i;
        }
    }
  return results->runs->len > 1 ? best : G_MAXUINT;
}

static void
pad (GString    *out,
     const char *text,
     guint       width,
     gboolean    right)
{
  glong len = g_utf8_strlen (text, -1);

  if (right)
    for (glong i = len; i < (glong) width; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (glong i = len; i < (glong) width; i++)
      g_string_append_c (out, ' ');
}

static void
append_heading (GString            *out,
                const IlResults    *results,
                const IlExperiment *experiment)
{
  guint reps = 0;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      reps = MAX (reps, run->repetitions->len);
    }
  g_string_append_printf (out, "%s\n", results->experiment != NULL ? results->experiment : "");
  g_string_append_printf (out, ngettext ("%" PRIu64 " tasks, %u repetition", "%" PRIu64 " tasks, %u repetitions", reps),
                          experiment != NULL ? il_experiment_count_tasks (experiment) : 0, reps);
  if (experiment != NULL && experiment->settings.warmup > 0)
    g_string_append_printf (out, _(" (+%u warm-up)"), experiment->settings.warmup);
  g_string_append_printf (out, _(" on %s, %u cores\n\n"),
                                  results->machine.cpu_model != NULL ? results->machine.cpu_model : _("an unknown CPU"), results->machine.cores);
}

char *
il_cli_format_table (const IlResults    *results,
                     const IlExperiment *experiment)
{
  const char *headers[N_COLS] = {
    _("run"), _("makespan median (min–max)"), _("speedup"), _("latency mean / p95"),
                                                                  _("CPU user + sys"), _("ctx switches vol / invol"), _("checksum"),
                                                                  };
  const gboolean right[N_COLS] = { FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, FALSE };
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  guint       widths[N_COLS] = { 0 };
  guint       n_rows = results->runs->len;
  guint       fastest = fastest_run (results);
  GString    *out = g_string_new (NULL);
  gboolean    any_failed = FALSE;
  gboolean    checksums_agree = TRUE;
  const char *first_checksum = NULL;

  for (guint c = 0; c < N_COLS; c++)
    widths[c] = (guint) g_utf8_strlen (headers[c], -1);

  for (guint i = 0; i < n_rows; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      const IlSummary   *s = &run->summary;
      char              *row[N_COLS];

      for (guint c = 0; c < N_COLS; c++)
        row[c] = il_results_format_cell (run, c);
      for (guint c = 0; c < N_COLS; c++)
        {
          widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
          g_ptr_array_add (cells, row[c]);
        }
      if (s->failed_tasks > 0)
        any_failed = TRUE;
      if (s->checksum != NULL)
        {
          if (first_checksum == NULL)
            first_checksum = s->checksum;
          else if (!g_str_equal (first_checksum, s->checksum))
            checksums_agree = FALSE;
        }
    }

  append_heading (out, results, experiment);

  for (guint c = 0; c < N_COLS; c++)
    {
      pad (out, headers[c], c + 1 < N_COLS ? widths[c] : 0, right[c]);
      g_string_append (out, c + 1 < N_COLS ? "  " : "\n");
    }
  for (guint c = 0; c < N_COLS; c++)
    {
      for (guint k = 0; k < widths[c]; k++)
        g_string_append (out, "─");
      g_string_append (out, c + 1 < N_COLS ? "  " : "\n");
    }
  for (guint i = 0; i < n_rows; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      for (guint c = 0; c < N_COLS; c++)
        {
          pad (out, g_ptr_array_index (cells, i * N_COLS + c), c + 1 < N_COLS ? widths[c] : 0, right[c]);
          if (c + 1 < N_COLS)
            g_string_append (out, "  ");
        }
      if (i == fastest)
        g_string_append (out, _("  ◀ fastest"));
      if (run->summary.failed_tasks > 0)
        {
          g_autofree char *failed = il_format_failed_tasks (run->summary.failed_tasks);

          g_string_append_printf (out, "  (%s)", failed);
        }
      {
        g_autofree char *cancelled = il_format_cancelled_repetitions (run);

        if (cancelled != NULL)
          g_string_append_printf (out, "  (%s)", cancelled);
      }
      g_string_append_c (out, '\n');
    }

  il_results_append_notes (out, results, FALSE);

  g_string_append_c (out, '\n');
  g_string_append (out, _("speedup: the first sequential run's median makespan ÷ this run's. "
                          "latency: from queued to done, per task.\n"));
  if (n_rows > 1 && !any_failed)
    g_string_append (out, checksums_agree
                     ? _("The checksums agree: every executor computed the same result.\n")
                     : _("The checksums differ between runs: a result depended on the order of execution.\n"));
  if (results->warnings != NULL)
    for (guint i = 0; results->warnings[i] != NULL; i++)
      g_string_append_printf (out, _("⚠ %s\n"), results->warnings[i]);

  return g_string_free (out, FALSE);
}

char *
il_cli_format_markdown (const IlResults    *results,
                        const IlExperiment *experiment)
{
  GString         *out = g_string_new (NULL);
  guint            fastest = fastest_run (results);
  double           best = INFINITY;
  g_autofree char *date = NULL;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      best = MIN (best, run->summary.makespan_ms.mean);
    }

  g_string_append_printf (out, "### %s\n\n", results->experiment != NULL ? results->experiment : "");
  /* The date in the reader's locale (il_format_date); the JSON keeps UTC. */
  date = il_format_date (results->machine.date, TRUE);
  g_string_append_printf (out, _("Measured on %s (%u cores), %s.\n\n"),
                                  results->machine.cpu_model != NULL ? results->machine.cpu_model : _("an unknown CPU"), results->machine.cores, date != NULL ? date : "");
  g_string_append (out, _("| run | makespan mean ± σ (ms) | min (ms) | max (ms) | relative | speedup |\n"));
  g_string_append (out, "|:---|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      const IlStats     *m = &run->summary.makespan_ms;
      g_autofree char   *speedup = il_format_number (run->summary.speedup);

      g_string_append_printf (out, "| %s%s%s | %.1f ± %.1f | %.1f | %.1f | %.2f | %s%s |\n",
                              i == fastest ? "**" : "", run->label, i == fastest ? "**" : "",
                              m->mean, isnan (m->stddev) ? 0.0 : m->stddev, m->min, m->max,
                              best > 0 ? m->mean / best : NAN,
                              speedup, isnan (run->summary.speedup) ? "" : "×");
    }
  il_results_append_notes (out, results, TRUE);
  if (results->warnings != NULL && results->warnings[0] != NULL)
    {
      g_string_append_c (out, '\n');
      for (guint i = 0; results->warnings[i] != NULL; i++)
        g_string_append_printf (out, "> ⚠ %s\n", results->warnings[i]);
    }
  return g_string_free (out, FALSE);
}
