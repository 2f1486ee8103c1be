/* il-timeline-chart-text.c — the timeline in words: its accessible
 * description and the tooltip of the task under the pointer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-timeline-chart-private.h"

const char *
il_timeline_block_label (IlBlockType type)
{
  static const char *names[IL_N_BLOCK_TYPES] = { N_("CPU"), N_("sleep"), N_("HTTP"), N_("file write"), N_("file read"), N_("counter"), N_("yield") };

  return type < IL_N_BLOCK_TYPES ? _(names[type]) : "?";
}

char *
il_timeline_chart_describe (IlChart *chart)
{
  IlTimelineChart *self = IL_TIMELINE_CHART (chart);
  IlTimelineData  *data = self->data;
  GString         *s;

  if (data == NULL)
    return g_strdup (_("Timeline: no run yet"));
  s = g_string_new (_("Timeline"));
  if (data->title != NULL)
    g_string_append_printf (s, _(" of %s"), data->title);
  g_string_append_printf (s, _(": %u tasks on %u workers, %u finished"),
                                data->tasks->len, data->n_workers, data->n_finished);
  if (data->n_failed > 0)
    g_string_append_printf (s, _(", %u failed"), data->n_failed);
  if (data->n_cancelled > 0)
    g_string_append_printf (s, _(", %u cancelled by Stop"), data->n_cancelled);
  if (data->end_us > 0)
    g_string_append_printf (s, ", %.1f ms", data->end_us / 1000.0);
  if (data->has_gil)
    g_string_append (s, _("; the GIL band shows which worker holds the lock"));
  for (guint i = 0; i < data->lanes->len; i++)
    {
      const IlTimelineLane *lane = &g_array_index (data->lanes, IlTimelineLane, i);

      if (lane->n_rows <= 1)
        continue;
      g_string_append_printf (s, _("; worker %u is a loop with up to %u tasks in flight, "
                                   "each in a row of its own"),
                                    i, lane->max_open);
      if (lane->n_folded > 0)
        g_string_append_printf (s, _(" (only %u rows are drawn: %u tasks are folded into the last)"),
                                      IL_TIMELINE_MAX_ROWS, lane->n_folded);
    }
  return g_string_free (s, FALSE);
}

static void
fmt_us (GString    *s,
        const char *name,
        gint64      us)
{
  if (us < 0)
    return;
  g_string_append_printf (s, "%s %.3f ms", name, us / 1000.0);
}

char *
il_timeline_chart_query (IlTimelineChart *self,
                         double           x,
                         double           y)
{
  const IlTimelineTask *t;
  const char           *error;
  IlTimelineLayout      g;
  GString              *s;
  double                t_us, slack;
  int                   lane, row = -1;

  g_return_val_if_fail (IL_IS_TIMELINE_CHART (self), NULL);

  if (self->data == NULL)
    return NULL;
  il_timeline_chart_compute_layout (self, &g);
  if (!il_timeline_layout_hit (&g, x, y, &lane, &row, &t_us, &slack))
    return NULL;
  t = il_timeline_data_find (self->data, lane, row, (gint64) t_us, (gint64) slack);
  if (t == NULL)
    return NULL;

  s = g_string_new (NULL);
  if (t->group >= 0 && self->data->group_names != NULL &&
      (guint) t->group < g_strv_length (self->data->group_names))
    g_string_append_printf (s, "<b>%s</b> #%d", self->data->group_names[t->group], t->index);
  else if (t->group >= 0)
    g_string_append_printf (s, _("<b>group %d</b> #%d"), t->group, t->index);
  else
    g_string_append_printf (s, _("<b>task %u</b>"), t->task);
  if (t->failed)
    g_string_append (s, _(" — failed"));
  else if (t->cancelled)
    g_string_append (s, _(" — cancelled (stopped before it ended)"));
  g_string_append_printf (s, _("\nworker %d"), t->worker);
  if (row >= 0)
    g_string_append_printf (s, _(" (loop, row %d)"), t->row + 1);
  if (t->pid > 0)
    g_string_append_printf (s, " · pid %d", t->pid);
  if (t->tid > 0)
    g_string_append_printf (s, " · tid %d", t->tid);
  if (t->cpu_start >= 0)
    {
      g_string_append_printf (s, _(" · core %d"), t->cpu_start);
      if (t->cpu_end >= 0 && t->cpu_end != t->cpu_start)
        g_string_append_printf (s, " → %d", t->cpu_end);
    }
  g_string_append_printf (s, _("\nstart %.3f ms"), t->start_us / 1000.0);
  if (t->end_us >= 0)
    g_string_append_printf (s, _(", end %.3f ms (%.3f ms)"), t->end_us / 1000.0,
                                  (t->end_us - t->start_us) / 1000.0);
  else
    g_string_append (s, _(", running"));
  if (t->state.valid)
    {
      g_string_append_c (s, '\n');
      fmt_us (s, _("running"), t->state.running);
      fmt_us (s, _(", ready"), t->state.ready);
      fmt_us (s, _(", blocked"), t->state.blocked);
      if (t->state.gil_wait > 0)
        fmt_us (s, _(", GIL wait"), t->state.gil_wait);
      if (t->state.lock_wait > 0)
        fmt_us (s, _(", lock wait"), t->state.lock_wait);
    }
  if (t->n_blocks > 0)
    {
      guint32 slot = t - (const IlTimelineTask *) (gconstpointer) self->data->tasks->data;
      guint   shown = 0;

      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "\n%u block:", "\n%u blocks:", t->n_blocks), t->n_blocks);
      /* A task's blocks interleave with other workers' in the array: scan
       * a bounded stretch after its first one. */
      for (guint idx = t->first_block;
           idx < self->data->blocks->len && idx < t->first_block + 4096 && shown < MIN (t->n_blocks, 6);
           idx++)
        {
          const IlTimelineBlock *b = &g_array_index (self->data->blocks, IlTimelineBlock, idx);

          if (b->task_slot != slot)
            continue;
          g_string_append_printf (s, "%s %s", shown > 0 ? "," : "",
                                  il_timeline_block_label (b->type));
          if (b->end_us >= 0)
            g_string_append_printf (s, " %.2f ms", (b->end_us - b->start_us) / 1000.0);
          shown++;
        }
      if (t->n_blocks > shown)
        g_string_append (s, ", …");
    }
  error = il_timeline_data_get_error (self->data, t);
  if (error != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (error, -1);

      g_string_append_printf (s, _("\nerror: %s"), escaped);
    }
  return g_string_free (s, FALSE);
}
