/* il-lag-chart.c — event-loop latency over time (async executor)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The async executor's heartbeat asks the loop to wake it every few
 * milliseconds and records how late it woke. A CPU block that runs whole
 * holds the loop: the heartbeat is late by the block's length, and the chart
 * shows a spike per block. Sliced CPU work yields to the loop, and the lag
 * stays near one slice. Each pixel column draws the worst lag that fell in
 * it, so a spike never disappears between samples whatever the run's length.
 */
#include "il-lag-chart.h"

#include <glib/gi18n.h>

#include <math.h>

#include "il-chart-axis.h"

#include "il-format.h"

#define LEFT_W  52.0
#define RIGHT_W 12.0
#define TOP_H   26.0
#define AXIS_H  22.0

struct _IlLagChart
{
  IlChart parent_instance;

  IlLagData *data;
  gint64     min_y_max_us;
  /* p95 sorts every sample: during a long run it is recomputed only when
   * the samples have grown by a tenth, not on every frame. */
  guint  p95_n;
  gint64 p95_us;
};

G_DEFINE_FINAL_TYPE (IlLagChart, il_lag_chart, IL_TYPE_CHART)

/* Lags are µs; labels use the charts' duration rule. */
static char *
format_lag (gint64 us)
{
  return il_format_duration_ms_short (us / 1000.0);
}

static void
il_lag_chart_draw (IlChart             *chart,
                   cairo_t             *cr,
                   int                  width,
                   int                  height,
                   const IlChartColors *colors)
{
  IlLagChart        *self = IL_LAG_CHART (chart);
  IlLagData         *data = self->data;
  guint              n = data != NULL ? data->samples->len : 0;
  double             px = LEFT_W, py = TOP_H, pw, ph, x_end, y_max, step, lx;
  IlChartAxis        axis;
  const char        *title;
  g_autofree char   *summary = NULL;
  g_autofree double *column = NULL;
  int                n_cols;

  pw = MAX (width - LEFT_W - RIGHT_W, 1);
  ph = MAX (height - TOP_H - AXIS_H, 1);

  title = data != NULL && data->title != NULL ? data->title : _("Loop latency");
  lx = 8 + il_chart_text (cr, title, 8, TOP_H / 2 - 1, 0, 0.5, 1.0, TRUE, &colors->fg) + 16;
  if (n > 0)
    {
      g_autofree char *max = format_lag (data->max_lag_us);
      g_autofree char *p95 = NULL;

      if (n != self->p95_n && (n < self->p95_n || n < 4096 || n >= self->p95_n + self->p95_n / 10))
        {
          self->p95_us = il_lag_data_percentile (data, 95);
          self->p95_n = n;
        }
      p95 = format_lag (self->p95_us);

      summary = g_strdup_printf ("max %s · p95 %s", max, p95);
    }
  else
    summary = g_strdup (_("how late the loop’s heartbeat ran"));
  il_chart_text (cr, summary, lx, TOP_H / 2 - 1, 0, 0.5, 0.9, FALSE, &colors->dim);

  x_end = MAX (data != NULL ? (double) data->end_us : 0.0, 1000.0);
  y_max = MAX ((double) (data != NULL ? data->max_lag_us : 0), (double) self->min_y_max_us);
  y_max = MAX (y_max, 1000.0);
  /* A round top: the axis ends on a tick. */
  step = il_chart_nice_step (y_max, MAX ((int) (ph / 40), 2));
  y_max = ceil (y_max / step) * step;

  /* Y axis: lag in ms */
  il_chart_axis_init (&axis, 0, y_max, ph, 40);
  axis.step = step;
  axis.first = 0;
  axis.tolerance = step * 1e-6;
  il_chart_axis_set_number_format (&axis, "%g ms", 1000.0);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_VERTICAL, cr, px, py, pw, ph, width, colors);

  /* X axis: time since the repetition started */
  il_chart_axis_init (&axis, 0, x_end, pw, 90);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_HORIZONTAL, cr, px, py, pw, ph, width, colors);

  if (n == 0)
    {
      il_chart_text (cr, _("No heartbeat recorded yet"), px + pw / 2, py + ph / 2, 0.5, 0.5, 1.0,
                            FALSE, &colors->dim);
      return;
    }

  /* The worst lag per pixel column; NAN where no sample fell. */
  n_cols = (int) pw + 1;
  column = g_new (double, n_cols);
  for (int c = 0; c < n_cols; c++)
    column[c] = NAN;
  for (guint i = 0; i < n; i++)
    {
      const IlLagSample *s = &g_array_index (data->samples, IlLagSample, i);
      int                c = (int) CLAMP ((double) s->t_us / x_end * pw, 0, n_cols - 1);

      if (isnan (column[c]) || s->lag_us > column[c])
        column[c] = (double) s->lag_us;
    }

  cairo_save (cr);
  cairo_rectangle (cr, px, py - 2, pw + 2, ph + 4);
  cairo_clip (cr);
  /* Filled area under the curve, then the curve: spikes read as peaks. */
  for (int pass = 0; pass < 2; pass++)
    {
      gboolean started = FALSE;
      double   last_x = px;

      for (int c = 0; c < n_cols; c++)
        {
          double x, y;

          if (isnan (column[c]))
            continue;
          x = px + c + 0.5;
          y = py + ph - MIN (column[c], y_max) / y_max * ph;
          if (!started)
            {
              if (pass == 0)
                {
                  cairo_move_to (cr, x, py + ph);
                  cairo_line_to (cr, x, y);
                }
              else
                cairo_move_to (cr, x, y);
              started = TRUE;
            }
          else
            cairo_line_to (cr, x, y);
          last_x = x;
        }
      if (pass == 0)
        {
          cairo_line_to (cr, last_x, py + ph);
          cairo_close_path (cr);
          il_chart_set_source (cr, &colors->series[3 % IL_CHART_N_SERIES], 0.22);
          cairo_fill (cr);
        }
      else
        {
          il_chart_set_source (cr, &colors->series[3 % IL_CHART_N_SERIES], 1.0);
          cairo_set_line_width (cr, 1.5);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
}

static char *
il_lag_chart_describe (IlChart *chart)
{
  IlLagChart      *self = IL_LAG_CHART (chart);
  IlLagData       *data = self->data;
  g_autofree char *max = NULL;
  g_autofree char *p95 = NULL;

  if (data == NULL || data->samples->len == 0)
    return g_strdup (_("Loop latency: no heartbeat recorded yet"));
  max = format_lag (data->max_lag_us);
  p95 = format_lag (il_lag_data_percentile (data, 95));
  if (data->title != NULL)
    return g_strdup_printf (_("Loop latency of %s: max %s, p95 %s over %u heartbeats"), data->title, max, p95,
                               data->samples->len);
  return g_strdup_printf (_("Loop latency: max %s, p95 %s over %u heartbeats"), max, p95, data->samples->len);
}

static void
il_lag_chart_measure (GtkWidget     *widget,
                      GtkOrientation orientation,
                      int            for_size,
                      int           *minimum,
                      int           *natural,
                      int           *minimum_baseline,
                      int           *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 640;
    }
  else
    {
      *minimum = 120;
      *natural = 160;
    }
}

static void
il_lag_chart_dispose (GObject *object)
{
  IlLagChart *self = IL_LAG_CHART (object);

  g_clear_pointer (&self->data, il_lag_data_unref);

  G_OBJECT_CLASS (il_lag_chart_parent_class)->dispose (object);
}

static void
il_lag_chart_class_init (IlLagChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  IlChartClass   *chart_class = IL_CHART_CLASS (klass);

  object_class->dispose = il_lag_chart_dispose;
  widget_class->measure = il_lag_chart_measure;
  chart_class->draw = il_lag_chart_draw;
  chart_class->describe = il_lag_chart_describe;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_lag_chart_init (IlLagChart *self)
{
  il_chart_set_title (IL_CHART (self), _("Loop latency"));
}

GtkWidget *
il_lag_chart_new (void)
{
  return g_object_new (IL_TYPE_LAG_CHART, NULL);
}

void
il_lag_chart_set_data (IlLagChart *self,
                       IlLagData  *data)
{
  g_return_if_fail (IL_IS_LAG_CHART (self));

  if (self->data == data)
    return;
  g_clear_pointer (&self->data, il_lag_data_unref);
  if (data != NULL)
    self->data = il_lag_data_ref (data);
  self->p95_n = 0;
  il_lag_chart_data_changed (self);
}

IlLagData *
il_lag_chart_get_data (IlLagChart *self)
{
  g_return_val_if_fail (IL_IS_LAG_CHART (self), NULL);
  return self->data;
}

void
il_lag_chart_data_changed (IlLagChart *self)
{
  g_return_if_fail (IL_IS_LAG_CHART (self));
  il_chart_invalidate (IL_CHART (self), FALSE);
}

void
il_lag_chart_set_min_y_max (IlLagChart *self,
                            gint64      lag_us)
{
  g_return_if_fail (IL_IS_LAG_CHART (self));

  if (self->min_y_max_us == lag_us)
    return;
  self->min_y_max_us = lag_us;
  il_lag_chart_data_changed (self);
}
