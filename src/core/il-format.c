/* il-format.c — how figures read in the GUI and the CLI: one rule each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-format.h"

/* @digits significant digits, but never fewer than whole milliseconds:
 * 1234 ms stays "1234 ms" up to ten seconds, then seconds with one digit
 * fewer than asked after the point. */
static char *
format_duration (double ms,
                 int    digits)
{
  int decimals;

  if (isnan (ms))
    return g_strdup (IL_FORMAT_NONE);
  if (fabs (ms) >= 10000.0)
    return g_strdup_printf (_("%.*f s"), digits - 1, ms / 1000.0);
  if (fabs (ms) >= 100.0)
    decimals = 0;
  else if (fabs (ms) >= 10.0)
    decimals = digits - 2;
  else
    decimals = digits - 1;
  return g_strdup_printf (_("%.*f ms"), MAX (decimals, 0), ms);
}

char *
il_format_duration_ms (double ms)
{
  return format_duration (ms, 3);
}

char *
il_format_duration_ms_short (double ms)
{
  return format_duration (ms, 2);
}

char *
il_format_number (double value)
{
  if (isnan (value))
    return g_strdup (IL_FORMAT_NONE);
  if (fabs (value) >= 100)
    return g_strdup_printf ("%.0f", value);
  if (fabs (value) >= 10)
    return g_strdup_printf ("%.1f", value);
  return g_strdup_printf ("%.2f", value);
}

char *
il_format_failed_tasks (guint n_failed)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u task failed", "%u tasks failed", n_failed),
                          n_failed);
}

/* Every repetition of @run was cut off by Stop: no figure counts. */
static gboolean
only_cancelled (const IlRunResult *run)
{
  guint cancelled = 0;

  return il_run_result_count_repetitions (run, &cancelled) == 0 && cancelled > 0;
}

char *
il_format_cancelled_repetitions (const IlRunResult *run)
{
  guint cancelled = 0;
  guint counted;

  g_return_val_if_fail (run != NULL, NULL);

  counted = il_run_result_count_repetitions (run, &cancelled);
  /* With no repetition that counts, the cells say "cancelled" already. */
  if (cancelled == 0 || counted == 0)
    return NULL;
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u repetition cancelled, not counted",
                                       "%u repetitions cancelled, not counted", cancelled),
                          cancelled);
}

char *
il_format_wrap (const char *text,
                guint       width)
{
  GString *out;
  glong    line = 0;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_new (NULL);
  /* Word by word; a line of the text ends a line of the result. */
  for (const char *p = text; *p != '\0';)
    {
      const char *end = p;
      glong       word;

      if (*p == '\n')
        {
          g_string_append_c (out, '\n');
          line = 0;
          p++;
          continue;
        }
      while (*end != '\0' && *end != ' ' && *end != '\n')
        end++;
      word = g_utf8_strlen (p, end - p);
      if (line > 0 && line + 1 + word > (glong) width)
        {
          g_string_append_c (out, '\n');
          line = 0;
        }
      else if (line > 0)
        {
          g_string_append_c (out, ' ');
          line++;
        }
      g_string_append_len (out, p, end - p);
      line += word;
      p = end;
      while (*p == ' ')
        p++;
    }
  return g_string_free (out, FALSE);
}

const char *
il_results_column_description (IlResultsColumn column)
{
  g_return_val_if_fail (column < IL_N_RESULTS_COLUMNS, NULL);

  switch (column)
    {
      case IL_RESULTS_COLUMN_LABEL:
        return _("Run: the executor and its settings (workers, GIL, spawn)");
      case IL_RESULTS_COLUMN_MAKESPAN:
        return _("Makespan: from the first task's start to the last task's end, the median over the "
                 "repetitions, with the fastest and slowest in brackets. Repetitions cut off by Stop "
                 "do not count");
      case IL_RESULTS_COLUMN_SPEEDUP:
        return _("Speedup: the first sequential run's median makespan ÷ this run's; 2× means twice as fast");
      case IL_RESULTS_COLUMN_LATENCY:
        return _("Latency: from a task being queued to its end, mean / 95th percentile over every task "
                 "that did not fail");
      case IL_RESULTS_COLUMN_CPU:
        return _("CPU time: user + system time the run's threads and processes spent on a CPU "
                 "(median over the repetitions); more than the makespan means several cores worked at once");
      case IL_RESULTS_COLUMN_CONTEXT_SWITCHES:
        return _("Context switches: voluntary / involuntary. Voluntary: a task gave up the CPU (waited, "
                 "slept, yielded); involuntary: the kernel preempted it for another thread");
      case IL_RESULTS_COLUMN_CHECKSUM:
        return _("Checksum: combines every task's computed result, in any order; equal checksums mean "
                 "every executor computed the same. “mismatch”: the repetitions disagreed; "
                 "“cancelled”: stopped before a repetition ended");
      case IL_N_RESULTS_COLUMNS:
      default:
        break;
    }
  g_return_val_if_reached (NULL);
}

char *
il_results_format_cell (const IlRunResult *run,
                        IlResultsColumn    column)
{
  const IlSummary *s;

  g_return_val_if_fail (run != NULL, NULL);
  g_return_val_if_fail (column < IL_N_RESULTS_COLUMNS, NULL);

  s = &run->summary;
  switch (column)
    {
      case IL_RESULTS_COLUMN_LABEL:
        return g_strdup (run->label != NULL ? run->label : "");
      case IL_RESULTS_COLUMN_MAKESPAN:
        {
          g_autofree char *median = il_format_duration_ms (s->makespan_ms.median);
          g_autofree char *min = NULL;
          g_autofree char *max = NULL;

          /* min–max over the repetitions that count (not those cut off). */
          if (il_run_result_count_repetitions (run, NULL) <= 1)
            return g_steal_pointer (&median);
          min = il_format_duration_ms (s->makespan_ms.min);
          max = il_format_duration_ms (s->makespan_ms.max);
          return g_strdup_printf ("%s (%s–%s)", median, min, max);
        }
      case IL_RESULTS_COLUMN_SPEEDUP:
        {
          g_autofree char *speedup = NULL;

          if (isnan (s->speedup))
            return g_strdup (IL_FORMAT_NONE);
          speedup = il_format_number (s->speedup);
          return g_strdup_printf ("%s×", speedup);
        }
      case IL_RESULTS_COLUMN_LATENCY:
        {
          g_autofree char *mean = il_format_duration_ms (s->latency_mean_ms);
          g_autofree char *p95 = il_format_duration_ms (s->latency_p95_ms);

          return g_strdup_printf ("%s / %s", mean, p95);
        }
      case IL_RESULTS_COLUMN_CPU:
        return il_format_duration_ms (s->cpu_user_ms + s->cpu_sys_ms);
      case IL_RESULTS_COLUMN_CONTEXT_SWITCHES:
        if (only_cancelled (run))
          return g_strdup (IL_FORMAT_NONE);
        return g_strdup_printf ("%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT,
                                s->ctx_voluntary, s->ctx_involuntary);
      case IL_RESULTS_COLUMN_CHECKSUM:
        {
          /* Stopped before any repetition ran to its end: nothing to
           * compare, and nothing "failed". */
          if (s->checksum == NULL && only_cancelled (run))
            return g_strdup (_("cancelled"));
          return g_strdup (s->checksum != NULL ? s->checksum : IL_FORMAT_NONE);
        }
      case IL_N_RESULTS_COLUMNS:
      default:
        break;
    }
  g_return_val_if_reached (NULL);
}

char *
il_format_counter (const IlRunResult *run)
{
  const IlRepetition *rep;
  gint64              lost;
  gint64              lock_wait = 0;
  GString            *out;

  g_return_val_if_fail (run != NULL, NULL);

  rep = il_run_result_median_repetition (run);
  if (rep == NULL || !rep->has_counter)
    return NULL;
  for (guint t = 0; rep->tasks != NULL && t < rep->tasks->len; t++)
    lock_wait += il_task_record_state (&g_array_index (rep->tasks, IlTaskRecord, t)).lock_wait;
  lost = rep->counter_expected - rep->counter_final;
  out = g_string_new (NULL);
  /* PRId64, not G_GINT64_FORMAT: xgettext reads the whole msgid. */
  g_string_append_printf (out, _("%" PRId64 " of %" PRId64 " lost (%.1f %%), final count %" PRId64),
                                  lost, rep->counter_expected,
                                  rep->counter_expected > 0 ? 100.0 * (double) lost / (double) rep->counter_expected : 0.0,
                                  rep->counter_final);
  if (lock_wait > 0)
    g_string_append_printf (out, _(", lock wait %.1f ms"), (double) lock_wait / 1000.0);
  return g_string_free (out, FALSE);
}

char *
il_format_counter_workers (const IlRunResult *run)
{
  const IlRepetition *rep;
  GString            *out;

  g_return_val_if_fail (run != NULL, NULL);

  rep = il_run_result_median_repetition (run);
  if (rep == NULL || !rep->has_counter || rep->counter_per_worker == NULL)
    return NULL;
  out = g_string_new (_("the parent's counter did not move; each worker counted in its own memory:"));
  for (guint w = 0; w < rep->counter_per_worker->len; w++)
    g_string_append_printf (out, " %" PRId64, g_array_index (rep->counter_per_worker, gint64, w));
  return g_string_free (out, FALSE);
}

/* A byte count with a binary unit ("1,0 MiB" under German formats). */
static char *
format_bytes (gint64 bytes)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
  double                   value = (double) bytes;
  guint                    unit = 0;

  if (bytes < 1024)
    return g_strdup_printf ("%" PRId64 " B", bytes);
  value /= 1024.0;
  while (value >= 1024.0 && unit + 1 < G_N_ELEMENTS (units))
    {
      value /= 1024.0;
      unit++;
    }
  return g_strdup_printf ("%.1f %s", value, units[unit]);
}

char *
il_format_block (const IlBlock *block)
{
  g_autofree char *size = NULL;

  g_return_val_if_fail (block != NULL, NULL);

  switch (block->type)
    {
      case IL_BLOCK_CPU:
        return g_strdup_printf ("%s × %" PRId64, il_kernel_to_string (block->kernel), block->units);
      case IL_BLOCK_SLEEP:
        return g_strdup_printf (_("sleep %" PRId64 " ms"), block->ms);
      case IL_BLOCK_HTTP:
        if (block->url != NULL)
          return g_strdup_printf ("GET %s", block->url);
        size = format_bytes (block->bytes);
        return g_strdup_printf ("GET %" PRId64 " ms, %s", block->delay_ms, size);
      case IL_BLOCK_FILE_WRITE:
        size = format_bytes (block->bytes);
        return g_strdup_printf (block->fsync ? _("write %s (fsync)") : _("write %s"), size);
      case IL_BLOCK_FILE_READ:
        size = format_bytes (block->bytes);
        return g_strdup_printf (_("read %s"), size);
      case IL_BLOCK_COUNTER:
        return g_strdup_printf (block->lock ? _("count %" PRId64 " (lock)") : _("count %" PRId64), block->increments);
      case IL_BLOCK_YIELD:
        return g_strdup_printf (_("yield × %" PRId64), block->times);
      case IL_N_BLOCK_TYPES:
      default:
        g_return_val_if_reached (NULL);
    }
}

/* The day of an ISO 8601 date in the user's locale ("02.12.2026" under
 * German formats), in local time. The C locale keeps the ISO day
 * ("2026-12-02"), clearer than its "12/02/26". */
static char *
format_day (const char *iso)
{
  const char *lc_time = setlocale (LC_TIME, NULL);
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (strlen (iso) < 10)
    return NULL;
  if (lc_time == NULL || g_str_equal (lc_time, "C") || g_str_equal (lc_time, "POSIX") || g_str_has_prefix (lc_time, "C."))
    return g_strndup (iso, 10);
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  if (parsed == NULL)
    return g_strndup (iso, 10);
  local = g_date_time_to_local (parsed);
  return g_date_time_format (local, "%x");
}

char *
il_format_date (const char *iso8601,
                gboolean    with_time)
{
  const char *lc_time = setlocale (LC_TIME, NULL);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso8601 == NULL)
    return NULL;
  utc = g_date_time_new_from_iso8601 (iso8601, NULL);
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);
  /* The C locale's %x is the ambiguous 12/02/26: ISO 8601 instead (as
   * format_day does). Otherwise the locale's own way: 02.12.2026 in German. */
  if (lc_time == NULL || g_str_equal (lc_time, "C") || g_str_equal (lc_time, "POSIX") || g_str_has_prefix (lc_time, "C."))
    return g_date_time_format (local != NULL ? local : utc, with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d");
  return g_date_time_format (local != NULL ? local : utc, with_time ? "%x %X" : "%x");
}

char *
il_format_machine (const IlMachine *machine)
{
  const char      *cpu;
  g_autofree char *date = NULL;

  g_return_val_if_fail (machine != NULL, NULL);

  cpu = machine->cpu_model != NULL && machine->cpu_model[0] != '\0' ? machine->cpu_model : _("an unknown CPU");
  /* The day is enough to place a measurement; the file keeps the time. */
  if (machine->date != NULL)
    date = format_day (machine->date);
  if (date == NULL)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%u core, undated)", "%s (%u cores, undated)", machine->cores),
                            cpu, machine->cores);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%u core, %s)", "%s (%u cores, %s)", machine->cores),
                          cpu, machine->cores, date);
}

char *
il_format_export_title (const IlResults *results)
{
  const char *name = results != NULL ? results->experiment : NULL;

  if (name == NULL || name[0] == '\0')
    return g_strdup (_("Interleave results"));
  /* TRANSLATORS: the title of an exported chart: the experiment's name */
  return g_strdup_printf (_("%s — Interleave results"), name);
}

char *
il_format_export_caption (const IlResults *mine,
                          const IlResults *recorded)
{
  g_autofree char *m = mine != NULL ? il_format_machine (&mine->machine) : NULL;
  g_autofree char *r = recorded != NULL ? il_format_machine (&recorded->machine) : NULL;

  if (m != NULL && r != NULL)
    return g_strdup_printf (_("Measured on %s; recorded by the author on %s"), m, r);
  if (m != NULL)
    return g_strdup_printf (_("Measured on %s"), m);
  if (r != NULL)
    return g_strdup_printf (_("Recorded by the author on %s"), r);
  return NULL;
}

/* Under the table, for runs with counter blocks: what the shared counter
 * lost, the time spent waiting for its lock, and under processes what each
 * worker counted in its own memory (il_format_counter's text). From the
 * median repetition. */
static void
append_counters (GString         *out,
                 const IlResults *results,
                 gboolean         markdown)
{
  gboolean heading = FALSE;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      g_autofree char   *counter = il_format_counter (run);
      g_autofree char   *workers = il_format_counter_workers (run);

      if (counter == NULL)
        continue;
      if (!heading)
        {
          g_string_append_c (out, '\n');
          if (markdown)
            g_string_append (out, "#### ");
          g_string_append (out, _("lost updates (counter blocks, median repetition):\n"));
          if (markdown)
            g_string_append_c (out, '\n');
          heading = TRUE;
        }
      g_string_append (out, markdown ? "- " : "  ");
      g_string_append_printf (out, "%s: %s\n", run->label, counter);
      if (workers != NULL)
        {
          g_string_append (out, markdown ? "  - " : "    ");
          g_string_append (out, workers);
          g_string_append_c (out, '\n');
        }
    }
}

char *
il_format_yield (const IlRunResult *run)
{
  const IlRepetition *rep;
  double              per_switch;
  GString            *out;

  g_return_val_if_fail (run != NULL, NULL);

  rep = il_run_result_median_repetition (run);
  if (rep == NULL || !rep->has_yield)
    return NULL;
  per_switch = il_yield_record_us_per_switch (&rep->yield);
  out = g_string_new (NULL);
  g_string_append_printf (out, _("%" PRId64 " yields, %" PRId64 " voluntary + %" PRId64 " involuntary switches, %.1f ms on a CPU"),
                                  rep->yield.yields, rep->yield.voluntary, rep->yield.involuntary,
                                  (double) rep->yield.cpu_us / 1000.0);
  if (!isnan (per_switch))
    g_string_append_printf (out, _(", %.2f µs per switch"), per_switch);
  /* A yield with nothing else ready to run switches nothing: the
   * switches counted are then preemptions, not the yields'. */
  if (run->executor == IL_EXECUTOR_ASYNC)
    g_string_append (out, _(" (a yield hands the loop to the next task: no switch of threads)"));
  else if ((rep->yield.voluntary + rep->yield.involuntary) * 2 < rep->yield.yields)
    g_string_append (out, _(" (most yields switched nothing: no other task was ready to run)"));
  return g_string_free (out, FALSE);
}

/* Under the table, for runs with yield blocks: the yields, the switches the
 * kernel counted for the yielding threads meanwhile, and what one switch
 * cost (il_format_yield's text). From the median repetition. */
static void
append_yields (GString         *out,
               const IlResults *results,
               gboolean         markdown)
{
  gboolean heading = FALSE;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      g_autofree char   *yields = il_format_yield (run);

      if (yields == NULL)
        continue;
      if (!heading)
        {
          g_string_append_c (out, '\n');
          if (markdown)
            g_string_append (out, "#### ");
          g_string_append (out, _("context switches (yield blocks, median repetition):\n"));
          if (markdown)
            g_string_append_c (out, '\n');
          heading = TRUE;
        }
      g_string_append (out, markdown ? "- " : "  ");
      g_string_append_printf (out, "%s: %s\n", run->label, yields);
    }
}

void
il_results_append_notes (GString         *out,
                         const IlResults *results,
                         gboolean         markdown)
{
  g_return_if_fail (out != NULL && results != NULL);

  append_counters (out, results, markdown);
  append_yields (out, results, markdown);
}
