/* il-chart-axis.c — ticks, grid lines and labels of a chart's axes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart-axis.h"

#include <math.h>

double
il_chart_nice_step (double range,
                    int    target)
{
  double raw, mag, norm;

  if (!(range > 0) || target <= 0)
    return 1.0;
  raw = range / target;
  mag = pow (10.0, floor (log10 (raw)));
  norm = raw / mag;
  if (norm < 1.5)
    return mag;
  if (norm < 3.5)
    return 2 * mag;
  if (norm < 7.5)
    return 5 * mag;
  return 10 * mag;
}

char *
il_chart_format_time (double us,
                      double step_us)
{
  if (step_us >= 250000 || fabs (us) >= 1e7)
    return g_strdup_printf ("%g s", round (us / 1e3) / 1e3);
  if (step_us >= 1e3)
    return g_strdup_printf ("%g ms", round (us / 10.0) / 100.0);
  return g_strdup_printf ("%g µs", round (us));
}

void
il_chart_axis_label (cairo_t       *cr,
                     const char    *text,
                     double         x,
                     double         y,
                     double         min_x,
                     double         max_x,
                     const GdkRGBA *color)
{
  double w = il_chart_text_width (cr, text, 0.85);

  x = CLAMP (x, min_x + w / 2, MAX (max_x - w / 2, min_x + w / 2));
  il_chart_text (cr, text, x, y, 0.5, 0, 0.85, FALSE, color);
}

void
il_chart_axis_init (IlChartAxis *axis,
                    double       min,
                    double       max,
                    double       length,
                    double       px_per_tick)
{
  g_return_if_fail (axis != NULL);

  axis->min = min;
  axis->max = max;
  axis->step = il_chart_nice_step (max - min, MAX ((int) (length / px_per_tick), 2));
  axis->first = ceil (min / axis->step) * axis->step;
  axis->last = max;
  axis->tolerance = axis->step * 1e-6;
  axis->label = IL_CHART_AXIS_LABEL_TIME;
  axis->us_per_unit = 1;
  axis->format = NULL;
  axis->divisor = 1;
}

void
il_chart_axis_set_number_format (IlChartAxis *axis,
                                 const char  *format,
                                 double       divisor)
{
  g_return_if_fail (axis != NULL);
  g_return_if_fail (format != NULL);

  axis->label = IL_CHART_AXIS_LABEL_NUMBER;
  axis->format = format;
  axis->divisor = divisor;
}

/* Ticks are stepped by addition, as the charts always drew them: the
 * positions, to the last bit, are what the pixel tests saw. */
guint
il_chart_axis_get_n_ticks (const IlChartAxis *axis)
{
  guint n = 0;

  g_return_val_if_fail (axis != NULL, 0);
  if (!(axis->step > 0) || !isfinite (axis->first) || !isfinite (axis->last))
    return 0;
  for (double v = axis->first; v <= axis->last + axis->tolerance && n < 10000; v += axis->step)
    n++;
  return n;
}

double
il_chart_axis_get_tick (const IlChartAxis *axis,
                        guint              i)
{
  double v;

  g_return_val_if_fail (axis != NULL, NAN);
  v = axis->first;
  for (guint k = 0; k < i; k++)
    v += axis->step;
  return v;
}

double
il_chart_axis_position (const IlChartAxis     *axis,
                        IlChartAxisOrientation orientation,
                        double                 value,
                        double                 start,
                        double                 length)
{
  double f = (value - axis->min) / (axis->max - axis->min);

  if (orientation == IL_CHART_AXIS_HORIZONTAL)
    return start + f * length;
  return start + length - f * length;
}

char *
il_chart_axis_format (const IlChartAxis *axis,
                      double             value)
{
  g_return_val_if_fail (axis != NULL, NULL);

  if (axis->label == IL_CHART_AXIS_LABEL_TIME)
    return il_chart_format_time (value * axis->us_per_unit, axis->step * axis->us_per_unit);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_printf (axis->format, value / axis->divisor);
#pragma GCC diagnostic pop
}

void
il_chart_axis_draw (const IlChartAxis     *axis,
                    IlChartAxisOrientation orientation,
                    cairo_t               *cr,
                    double                 px,
                    double                 py,
                    double                 pw,
                    double                 ph,
                    int                    width,
                    const IlChartColors   *colors)
{
  guint  n;
  double v;

  g_return_if_fail (axis != NULL);

  n = il_chart_axis_get_n_ticks (axis);
  cairo_set_line_width (cr, 1);
  v = axis->first;
  for (guint i = 0; i < n; i++, v += axis->step)
    {
      g_autofree char *label = il_chart_axis_format (axis, v);

      il_chart_set_source (cr, &colors->grid, 1.0);
      if (orientation == IL_CHART_AXIS_HORIZONTAL)
        {
          double x = round (il_chart_axis_position (axis, orientation, v, px, pw)) + 0.5;

          cairo_move_to (cr, x, py);
          cairo_line_to (cr, x, py + ph + 4);
          cairo_stroke (cr);
          il_chart_axis_label (cr, label, x, py + ph + 5, 0, width - 2, &colors->dim);
        }
      else
        {
          double y = round (il_chart_axis_position (axis, orientation, v, py, ph)) + 0.5;

          cairo_move_to (cr, px, y);
          cairo_line_to (cr, px + pw, y);
          cairo_stroke (cr);
          il_chart_text (cr, label, px - 6, y, 1, 0.5, 0.85, FALSE, &colors->dim);
        }
    }
}
