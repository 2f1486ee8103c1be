/* il-quiz.c — what answers an experiment's quiz
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A quiz is answered by a measurement: the app shows these figures under
 * the verdict, from the reader's own runs or from the results the author
 * recorded in the file, so that the lesson is seen in numbers whoever
 * measured them.
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "il-format.h"
#include "il-quiz.h"

/* Whether every run computed the same checksum (the structure lesson's
 * answer); FALSE when a run has none. */
static gboolean
checksums_agree (const IlResults *results)
{
  const char *first = NULL;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      if (run->summary.checksum == NULL)
        return FALSE;
      if (first == NULL)
        first = run->summary.checksum;
      else if (!g_str_equal (first, run->summary.checksum))
        return FALSE;
    }
  return TRUE;
}

char *
il_quiz_figures (const IlResults *results)
{
  GString *s;

  g_return_val_if_fail (results != NULL, NULL);

  s = g_string_new (NULL);
  for (guint i = 0; results->runs != NULL && i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      g_autofree char   *makespan = il_format_duration_ms (run->summary.makespan_ms.median);
      g_autofree char   *counter = il_format_counter (run);
      g_autofree char   *workers = il_format_counter_workers (run);
      g_autofree char   *yields = il_format_yield (run);

      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append_printf (s, "• %s: %s", run->label != NULL ? run->label : _("run"), makespan);
      if (!isnan (run->summary.speedup))
        {
          g_autofree char *speedup = il_format_number (run->summary.speedup);

          g_string_append_printf (s, _(", speedup %s×"), speedup);
        }
      if (counter != NULL)
        g_string_append_printf (s, _("; counter: %s"), counter);
      if (workers != NULL)
        g_string_append_printf (s, "\n  %s", workers);
      if (yields != NULL)
        g_string_append_printf (s, _("; context switches: %s"), yields);
    }
  if (results->runs != NULL && results->runs->len > 1)
    {
      const IlRunResult *first = g_ptr_array_index (results->runs, 0);

      g_string_append_c (s, '\n');
      if (checksums_agree (results))
        g_string_append_printf (s, _("The result checksum is the same in every run: %s."), first->summary.checksum);
      else
        g_string_append (s, _("The result checksums differ between runs."));
    }
  return g_string_free (s, FALSE);
}
