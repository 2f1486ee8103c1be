/* il-completion-chart.c — tasks finished over time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A cumulative step curve: how many tasks of the repetition had finished by
 * each moment. A straight line is steady throughput; steps show tasks
 * finishing in waves (one per worker round); a long flat tail is a
 * straggler. Drawn with one vertex per pixel column whatever the task count.
 */
#include "il-completion-chart.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include <math.h>

#include "il-chart-axis.h"

#define LEFT_W  52.0
#define RIGHT_W 12.0
#define TOP_H   26.0
#define AXIS_H  22.0

struct _IlCompletionChart
{
  IlChart parent_instance;

  IlCompletionData *data;
};

G_DEFINE_FINAL_TYPE (IlCompletionChart, il_completion_chart, IL_TYPE_CHART)

/* One vertex pair per pixel column: at each column the count jumps to the
 * number of tasks finished by then. Returns the last y. */
static double
trace_curve (cairo_t      *cr,
             const gint64 *v,
             guint         n,
             double        px,
             double        py,
             double        pw,
             double        ph,
             double        x_end,
             double        y_max)
{
  double last_y = py + ph;
  guint  i = 0;

  cairo_move_to (cr, px, py + ph);
  for (int col = 0; col <= (int) pw && i < n; col++)
    {
      double t_col = (col + 1) / pw * x_end;
      double y;

      if ((double) v[i] > t_col)
        continue;
      while (i < n && (double) v[i] <= t_col)
        i++;
      /* Whole pixels: a rectilinear path cairo fills as boxes. */
      y = round (py + ph - i / y_max * ph);
      cairo_line_to (cr, px + col, last_y);
      cairo_line_to (cr, px + col, y);
      last_y = y;
    }
  return last_y;
}

static void
il_completion_chart_draw (IlChart             *chart,
                          cairo_t             *cr,
                          int                  width,
                          int                  height,
                          const IlChartColors *colors)
{
  IlCompletionChart *self = IL_COMPLETION_CHART (chart);
  IlCompletionData  *data = self->data;
  double             px = LEFT_W, py = TOP_H, pw, ph, x_end, y_max, lx;
  IlChartAxis        axis;
  guint              n = data != NULL ? data->end_us->len : 0;
  const gint64      *v;
  g_autofree char   *summary = NULL;

  pw = MAX (width - LEFT_W - RIGHT_W, 1);
  ph = MAX (height - TOP_H - AXIS_H, 1);

  if (data != NULL)
    il_completion_data_sort (data);
  v = data != NULL ? (const gint64 *) (gconstpointer) data->end_us->data : NULL;

  lx = 8 + il_chart_text (cr, _("Completion times"), 8, TOP_H / 2 - 1, 0, 0.5, 1.0, TRUE, &colors->fg) + 16;
  if (data != NULL && data->total > 0)
    summary = g_strdup_printf (data->n_failed > 0 ? _("%u of %" PRIu64 " tasks finished, some failed")
                                                  : _("%u of %" PRIu64 " tasks finished"),
                                                       n, (guint64) data->total);
  else
    summary = g_strdup_printf (_("%u tasks finished"), n);
  il_chart_text (cr, summary, lx, TOP_H / 2 - 1, 0, 0.5, 0.9, FALSE, &colors->dim);

  x_end = n > 0 ? MAX ((double) v[n - 1], 1000.0) : 1000.0;
  y_max = data != NULL && data->total > 0 ? (double) data->total : MAX (n, 1);

  /* Y axis: tasks (whole ones) */
  il_chart_axis_init (&axis, 0, y_max, ph, 50);
  axis.step = MAX (1, axis.step);
  axis.tolerance = axis.step * 1e-6;
  il_chart_axis_set_number_format (&axis, "%g", 1);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_VERTICAL, cr, px, py, pw, ph, width, colors);

  /* X axis: time since the repetition started */
  il_chart_axis_init (&axis, 0, x_end, pw, 90);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_HORIZONTAL, cr, px, py, pw, ph, width, colors);

  if (n == 0)
    {
      il_chart_text (cr, _("No task finished yet"), px + pw / 2, py + ph / 2, 0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }

  /* The step curve: filled below, then outlined. */
  cairo_save (cr);
  cairo_rectangle (cr, px, py - 2, pw + 2, ph + 4);
  cairo_clip (cr);
  lx = trace_curve (cr, v, n, px, py, pw, ph, x_end, y_max);
  cairo_line_to (cr, px + pw, lx);
  cairo_line_to (cr, px + pw, py + ph);
  cairo_close_path (cr);
  il_chart_set_source (cr, &colors->accent, 0.18);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  cairo_fill (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_DEFAULT);
  trace_curve (cr, v, n, px, py, pw, ph, x_end, y_max);
  il_chart_set_source (cr, &colors->accent, 1.0);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static char *
il_completion_chart_describe (IlChart *chart)
{
  IlCompletionChart *self = IL_COMPLETION_CHART (chart);
  IlCompletionData  *data = self->data;
  const gint64      *v;
  guint              n;

  if (data == NULL || data->end_us->len == 0)
    return g_strdup (_("Completion times: no task finished yet"));
  il_completion_data_sort (data);
  v = (const gint64 *) (gconstpointer) data->end_us->data;
  n = data->end_us->len;
  if (data->total > 0)
    return g_strdup_printf (_("Completion times: %u of %" PRIu64 " tasks finished; "
                              "first at %.1f ms, median %.1f ms, last %.1f ms"),
                               n, (guint64) data->total, v[0] / 1000.0, v[n / 2] / 1000.0, v[n - 1] / 1000.0);
  return g_strdup_printf (_("Completion times: %u tasks finished; first at %.1f ms, "
                            "median %.1f ms, last %.1f ms"),
                             n, v[0] / 1000.0, v[n / 2] / 1000.0, v[n - 1] / 1000.0);
}

static void
il_completion_chart_dispose (GObject *object)
{
  IlCompletionChart *self = IL_COMPLETION_CHART (object);

  g_clear_pointer (&self->data, il_completion_data_unref);

  G_OBJECT_CLASS (il_completion_chart_parent_class)->dispose (object);
}

static void
il_completion_chart_class_init (IlCompletionChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  IlChartClass *chart_class = IL_CHART_CLASS (klass);

  object_class->dispose = il_completion_chart_dispose;
  chart_class->draw = il_completion_chart_draw;
  chart_class->describe = il_completion_chart_describe;

  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_completion_chart_init (IlCompletionChart *self)
{
  il_chart_set_title (IL_CHART (self), _("Completion times"));
}

GtkWidget *
il_completion_chart_new (void)
{
  return g_object_new (IL_TYPE_COMPLETION_CHART, NULL);
}

void
il_completion_chart_set_data (IlCompletionChart *self,
                              IlCompletionData  *data)
{
  g_return_if_fail (IL_IS_COMPLETION_CHART (self));

  if (self->data == data)
    return;
  g_clear_pointer (&self->data, il_completion_data_unref);
  if (data != NULL)
    self->data = il_completion_data_ref (data);
  il_completion_chart_data_changed (self);
}

IlCompletionData *
il_completion_chart_get_data (IlCompletionChart *self)
{
  g_return_val_if_fail (IL_IS_COMPLETION_CHART (self), NULL);
  return self->data;
}

void
il_completion_chart_data_changed (IlCompletionChart *self)
{
  g_return_if_fail (IL_IS_COMPLETION_CHART (self));
  il_chart_invalidate (IL_CHART (self), FALSE);
}
