/* il-chart-axis.h — ticks, grid lines and labels of a chart's axes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every chart draws its axes the same way: "nice" ticks (1, 2, 5 × 10^k),
 * a faint grid line per tick across the plot, a label per tick outside it.
 * A chart describes an axis (its range, its ticks, how labels read) in an
 * IlChartAxis and draws it with il_chart_axis_draw(); the tick arithmetic
 * has no cairo in it and is tested without a display.
 */
#pragma once

#include "il-chart.h"

G_BEGIN_DECLS

typedef enum
{
  IL_CHART_AXIS_HORIZONTAL, /* along the bottom: vertical grid lines */
  IL_CHART_AXIS_VERTICAL,   /* along the left: horizontal grid lines */
} IlChartAxisOrientation;

typedef enum
{
  IL_CHART_AXIS_LABEL_TIME,   /* il_chart_format_time() of value × us_per_unit */
  IL_CHART_AXIS_LABEL_NUMBER, /* @format ("%g ms") of value ÷ divisor */
} IlChartAxisLabel;

typedef struct
{
  /* Values at the plot's start (left, bottom) and end (right, top). */
  double min, max;
  /* Ticks at first, first + step, … while ≤ last + tolerance. */
  double first, step, last, tolerance;

  IlChartAxisLabel label;
  double           us_per_unit; /* TIME: µs in one unit of value (1: µs) */
  const char      *format;      /* NUMBER: a printf format with one %g */
  double           divisor;     /* NUMBER: the label shows value ÷ divisor */
} IlChartAxis;

/* An axis over [@min, @max], @length pixels long, about one tick per
 * @px_per_tick pixels (at least two): ticks from the first multiple of the
 * step at or after @min up to @max; time labels in µs. */
void il_chart_axis_init (IlChartAxis *axis,
                         double       min,
                         double       max,
                         double       length,
                         double       px_per_tick);
/* Labels in @format of value ÷ @divisor. */
void il_chart_axis_set_number_format (IlChartAxis *axis,
                                      const char  *format,
                                      double       divisor);
/* Number of ticks, and the value of tick @i. */
guint  il_chart_axis_get_n_ticks (const IlChartAxis *axis);
double il_chart_axis_get_tick (const IlChartAxis *axis,
                               guint              i);
/* Where @value falls, in pixels, along a plot that starts at @start and is
 * @length long (the vertical axis grows upwards from start + length). */
double il_chart_axis_position (const IlChartAxis     *axis,
                               IlChartAxisOrientation orientation,
                               double                 value,
                               double                 start,
                               double                 length);
/* The label of tick value @value. */
char *il_chart_axis_format (const IlChartAxis *axis,
                            double             value);

/* Grid lines across the plot (px, py, pw, ph) and tick labels: below it for
 * a horizontal axis (kept inside 0 … @width − 2), left of it for a vertical
 * one. */
void il_chart_axis_draw (const IlChartAxis     *axis,
                         IlChartAxisOrientation orientation,
                         cairo_t               *cr,
                         double                 px,
                         double                 py,
                         double                 pw,
                         double                 ph,
                         int                    width,
                         const IlChartColors   *colors);

/* A "nice" step (1, 2, 5 × 10^k) giving about @target ticks over @range. */
double il_chart_nice_step (double range,
                           int    target);
/* "250 ms", "1.5 s", "40 µs" for a tick at @us given the step. */
char *il_chart_format_time (double us,
                            double step_us);
/* An axis label centred on @x below @y, kept inside [min_x, max_x]. */
void il_chart_axis_label (cairo_t       *cr,
                          const char    *text,
                          double         x,
                          double         y,
                          double         min_x,
                          double         max_x,
                          const GdkRGBA *color);

G_END_DECLS
