/* il-comparison-chart.c — runs compared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Horizontal bars: easier to label than columns when run labels are long
 * ("threads ×4 (GIL 5 ms)"). The dashed line is the sequential baseline
 * divided by the cores the runs may use: no run of CPU work can beat it, so
 * the gap between a bar and that line is what the executor loses. Where
 * that does not hold (one core, an I/O-bound workload, no baseline: see
 * il-ideal.h) the line is left out and the chart says why.
 */
#include "config.h"

#include "il-comparison-chart.h"

#include <math.h>

#include <glib/gi18n.h>

#include "il-chart-axis.h"

#include "il-format.h"
#include "il-ideal.h"

#define TOP_H   30.0
#define AXIS_H  24.0
#define RIGHT_W 64.0

typedef struct
{
  char    *label;
  gboolean has[2]; /* 0 mine, 1 recorded */
  double   median[2];
  double   min[2];
  double   max[2];
  double   speedup[2];
} Row;

struct _IlComparisonChart
{
  IlChart parent_instance;

  GArray *rows; /* Row */
  char   *machine[2];
  IlIdeal ideal;      /* mine (or recorded when mine is absent) */
  char   *ideal_note; /* why there is no ideal line; NULL: there is one */
};

G_DEFINE_FINAL_TYPE (IlComparisonChart, il_comparison_chart, IL_TYPE_CHART)

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_free (row->label);
}

char *
il_chart_describe_machine (const IlMachine *machine,
                           const char      *fallback)
{
  if (machine == NULL)
    return g_strdup (fallback);
  if (machine->cpu_model != NULL && machine->cpu_model[0] != '\0')
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u core", "%s, %u cores", machine->cores), machine->cpu_model, machine->cores);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u core", "%s, %u cores", machine->cores), fallback, machine->cores);
}

static double
baseline_of (const IlResults *results)
{
  if (results == NULL)
    return NAN;
  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      if (run->executor == IL_EXECUTOR_SEQUENTIAL)
        return run->summary.makespan_ms.median;
    }
  return NAN;
}

static void
fill_side (Row               *row,
           int                side,
           const IlRunResult *run,
           double             baseline)
{
  row->has[side] = TRUE;
  row->median[side] = run->summary.makespan_ms.median;
  row->min[side] = run->summary.makespan_ms.min;
  row->max[side] = run->summary.makespan_ms.max;
  row->speedup[side] = run->summary.speedup;
  if (!isfinite (row->speedup[side]) && isfinite (baseline) && row->median[side] > 0)
    row->speedup[side] = baseline / row->median[side];
}

void
il_comparison_chart_set_results (IlComparisonChart *self,
                                 const IlResults   *mine,
                                 const IlResults   *recorded,
                                 const GArray      *cpu_affinity)
{
  double base_mine = baseline_of (mine), base_rec = baseline_of (recorded);

  g_return_if_fail (IL_IS_COMPARISON_CHART (self));

  g_array_set_size (self->rows, 0);
  g_clear_pointer (&self->machine[0], g_free);
  g_clear_pointer (&self->machine[1], g_free);

  if (mine != NULL)
    {
      self->machine[0] = il_chart_describe_machine (&mine->machine, _("this machine"));
      for (guint i = 0; i < mine->runs->len; i++)
        {
          const IlRunResult *run = g_ptr_array_index (mine->runs, i);
          Row                row = { 0 };

          row.label = g_strdup (run->label != NULL ? run->label : _("run"));
          fill_side (&row, 0, run, base_mine);
          g_array_append_val (self->rows, row);
        }
    }

  if (recorded != NULL)
    {
      self->machine[1] = il_chart_describe_machine (&recorded->machine, _("author's machine"));
      for (guint i = 0; i < recorded->runs->len; i++)
        {
          const IlRunResult *run = g_ptr_array_index (recorded->runs, i);
          Row               *match = NULL;

          for (guint j = 0; j < self->rows->len; j++)
            {
              Row *row = &g_array_index (self->rows, Row, j);

              if (!row->has[1] && g_strcmp0 (row->label, run->label) == 0)
                {
                  match = row;
                  break;
                }
            }
          if (match == NULL)
            {
              Row row = { 0 };

              row.label = g_strdup (run->label != NULL ? run->label : _("run"));
              g_array_append_val (self->rows, row);
              match = &g_array_index (self->rows, Row, self->rows->len - 1);
            }
          fill_side (match, 1, run, base_rec);
        }
    }

  g_clear_pointer (&self->ideal_note, g_free);
  if (mine != NULL || recorded != NULL)
    {
      il_ideal_compute (mine != NULL ? mine : recorded, cpu_affinity, &self->ideal);
      self->ideal_note = il_ideal_explain (&self->ideal);
    }
  else
    self->ideal.kind = IL_IDEAL_NO_BASELINE;

  gtk_widget_queue_resize (GTK_WIDGET (self));
  il_chart_invalidate (IL_CHART (self), TRUE);
}

guint
il_comparison_chart_get_n_rows (IlComparisonChart *self)
{
  g_return_val_if_fail (IL_IS_COMPARISON_CHART (self), 0);
  return self->rows->len;
}

const char *
il_comparison_chart_get_ideal_note (IlComparisonChart *self)
{
  g_return_val_if_fail (IL_IS_COMPARISON_CHART (self), NULL);
  return self->ideal_note;
}

double
il_comparison_chart_get_ideal_ms (IlComparisonChart *self)
{
  g_return_val_if_fail (IL_IS_COMPARISON_CHART (self), NAN);
  return il_ideal_makespan_ms (&self->ideal);
}

static gboolean
has_recorded (IlComparisonChart *self)
{
  return self->machine[1] != NULL;
}

static double
row_height (IlComparisonChart *self)
{
  return has_recorded (self) ? 40 : 26;
}

static void
il_comparison_chart_draw (IlChart             *chart,
                          cairo_t             *cr,
                          int                  width,
                          int                  height,
                          const IlChartColors *colors)
{
  IlComparisonChart  *self = IL_COMPARISON_CHART (chart);
  const GdkRGBA      *fills[2] = { &colors->accent, &colors->recorded };
  static const double dash[] = { 5, 3 };
  double              label_w = 60, px, pw, py, ph, x_max = 0, lx, rh;
  IlChartAxis         axis;
  guint               n = self->rows->len;

  lx = 8 + il_chart_text (cr, _("Makespan by run"), 8, TOP_H / 2, 0, 0.5, 1.0, TRUE, &colors->fg) + 6;
  lx += il_chart_text (cr, _("(median, whiskers min–max)"), lx, TOP_H / 2, 0, 0.5, 0.85, FALSE, &colors->dim) + 16;
  for (int side = 0; side < 2; side++)
    {
      g_autofree char *label = NULL;

      if (self->machine[side] == NULL)
        continue;
      label = g_strdup_printf ("%s: %s", side == 0 ? _("yours") : _("recorded"), self->machine[side]);
      lx += il_chart_legend_item (cr, lx, TOP_H / 2, fills[side], FALSE, FALSE, label, &colors->fg);
    }

  if (n == 0)
    {
      il_chart_text (cr, _("No results yet"), width / 2.0, height / 2.0, 0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);

      label_w = MAX (label_w, il_chart_text_width (cr, row->label, 0.9) + 16);
      for (int side = 0; side < 2; side++)
        if (row->has[side] && isfinite (row->max[side]))
          x_max = MAX (x_max, row->max[side]);
    }
  /* Every run was stopped before a repetition ended: no makespan counts. */
  if (x_max <= 0)
    {
      il_chart_text (cr, _("No repetition ran to its end: nothing to compare"), width / 2.0, height / 2.0,
                            0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }
  label_w = MIN (label_w, width * 0.35);
  x_max = MAX (x_max * 1.05, 0.001);

  rh = row_height (self);
  px = label_w;
  py = TOP_H + 4;
  pw = MAX (width - label_w - RIGHT_W, 1);
  ph = rh * n;

  /* X axis: milliseconds */
  il_chart_axis_init (&axis, 0, x_max, pw, 90);
  axis.us_per_unit = 1000;
  il_chart_axis_draw (&axis, IL_CHART_AXIS_HORIZONTAL, cr, px, py, pw, ph, width, colors);

  for (guint i = 0; i < n; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);
      double     y = py + i * rh;
      int        n_sides = has_recorded (self) ? 2 : 1;
      double     bar_h = (rh - 8) / n_sides;

      il_chart_text (cr, row->label, px - 8, y + rh / 2, 1, 0.5, 0.9, FALSE, &colors->fg);

      for (int side = 0; side < n_sides; side++)
        {
          double           by = y + 4 + side * bar_h;
          double           x1;
          g_autofree char *text = NULL;

          if (!row->has[side] || !isfinite (row->median[side]))
            continue;
          x1 = px + row->median[side] / x_max * pw;
          il_chart_set_source (cr, fills[side], 0.85);
          cairo_rectangle (cr, px, by + 1, MAX (x1 - px, 1), bar_h - 2);
          cairo_fill (cr);

          /* whisker: min–max */
          if (isfinite (row->min[side]) && isfinite (row->max[side]) && row->max[side] > row->min[side])
            {
              double a = px + row->min[side] / x_max * pw, b = px + row->max[side] / x_max * pw;
              double cy = round (by + bar_h / 2) + 0.5;

              il_chart_set_source (cr, &colors->fg, 1.0);
              cairo_set_line_width (cr, 1.5);
              cairo_move_to (cr, a, cy);
              cairo_line_to (cr, b, cy);
              cairo_move_to (cr, a, by + 3);
              cairo_line_to (cr, a, by + bar_h - 3);
              cairo_move_to (cr, b, by + 3);
              cairo_line_to (cr, b, by + bar_h - 3);
              cairo_stroke (cr);
            }

          if (isfinite (row->speedup[side]))
            text = g_strdup_printf ("×%.2f", row->speedup[side]);
          else
            text = il_format_duration_ms_short (row->median[side]);
          il_chart_text (cr, text,
                         MAX (x1, isfinite (row->max[side]) ? px + row->max[side] / x_max * pw : x1) + 6,
                         by + bar_h / 2, 0, 0.5, n_sides == 2 ? 0.8 : 0.9, side == 0, &colors->fg);
        }
    }

  /* The ideal: sequential time shared perfectly by the cores. */
  if (self->ideal.kind == IL_IDEAL_APPLIES)
    {
      double           x = round (px + il_ideal_makespan_ms (&self->ideal) / x_max * pw) + 0.5;
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "ideal for %u core", "ideal for %u cores",
                                                             self->ideal.cores),
                                                self->ideal.cores);

      cairo_save (cr);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_set_line_width (cr, 1.5);
      il_chart_set_source (cr, &colors->fg, 0.8);
      cairo_move_to (cr, x, py - 2);
      cairo_line_to (cr, x, py + ph);
      cairo_stroke (cr);
      cairo_restore (cr);
      il_chart_text (cr, label, x + 4, py + ph + 5 + 14, 0, 0, 0.8, FALSE, &colors->fg);
    }
  else if (self->ideal_note != NULL)
    il_chart_text (cr, self->ideal_note, px, py + ph + 5 + 14, 0, 0, 0.8, FALSE, &colors->dim);
}

static char *
il_comparison_chart_describe (IlChart *chart)
{
  IlComparisonChart *self = IL_COMPARISON_CHART (chart);
  GString           *s;

  if (self->rows->len == 0)
    return g_strdup (_("Makespan by run: no results yet"));
  s = g_string_new (NULL);
  g_string_append_printf (s, _("Makespan by run, %u runs:"), self->rows->len);
  for (guint i = 0; i < self->rows->len; i++)
    {
      const Row *row = &g_array_index (self->rows, Row, i);

      g_string_append_printf (s, "%s %s", i > 0 ? ";" : "", row->label);
      for (int side = 0; side < 2; side++)
        {
          if (!row->has[side])
            continue;
          if (!isfinite (row->median[side]))
            {
              /* Stopped before a repetition ended. */
              g_string_append_printf (s, " %s%s", side == 1 ? _("(recorded) ") : "", _("cancelled"));
              continue;
            }
          g_string_append_printf (s, " %s%.1f ms", side == 1 ? _("(recorded) ") : "", row->median[side]);
          if (isfinite (row->speedup[side]))
            g_string_append_printf (s, _(" speedup %.2f"), row->speedup[side]);
        }
    }
  if (self->ideal.kind == IL_IDEAL_APPLIES)
    g_string_append_printf (s, _("; ideal for %u cores %.1f ms"), self->ideal.cores, il_ideal_makespan_ms (&self->ideal));
  else if (self->ideal_note != NULL)
    g_string_append_printf (s, "; %s", self->ideal_note);
  return g_string_free (s, FALSE);
}

static void
il_comparison_chart_measure (GtkWidget     *widget,
                             GtkOrientation orientation,
                             int            for_size,
                             int           *minimum,
                             int           *natural,
                             int           *minimum_baseline,
                             int           *natural_baseline)
{
  IlComparisonChart *self = IL_COMPARISON_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 300;
      *natural = 640;
    }
  else
    {
      *minimum = *natural = (int) (TOP_H + 4 + row_height (self) * MAX (self->rows->len, 1) + AXIS_H + 20);
    }
}

static void
il_comparison_chart_finalize (GObject *object)
{
  IlComparisonChart *self = IL_COMPARISON_CHART (object);

  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->machine[0], g_free);
  g_clear_pointer (&self->machine[1], g_free);
  g_clear_pointer (&self->ideal_note, g_free);

  G_OBJECT_CLASS (il_comparison_chart_parent_class)->finalize (object);
}

static void
il_comparison_chart_class_init (IlComparisonChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  IlChartClass   *chart_class = IL_CHART_CLASS (klass);

  object_class->finalize = il_comparison_chart_finalize;
  widget_class->measure = il_comparison_chart_measure;
  chart_class->draw = il_comparison_chart_draw;
  chart_class->describe = il_comparison_chart_describe;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_comparison_chart_init (IlComparisonChart *self)
{
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  self->ideal.kind = IL_IDEAL_NO_BASELINE;
  self->ideal.baseline_ms = NAN;
  il_chart_set_title (IL_CHART (self), _("Makespan by run"));
  /* What the bars, whiskers and numbers are: the table's words. */
  {
    g_autofree char *tip = g_strdup_printf ("%s\n%s\n%s", il_results_column_description (IL_RESULTS_COLUMN_MAKESPAN),
                                            il_results_column_description (IL_RESULTS_COLUMN_SPEEDUP),
                                            _("Dashed line: the ideal makespan, the sequential run's ÷ the cores the "
                                              "runs may use; left out where it does not apply (the chart says why)"));

    g_autofree char *wrapped = il_format_wrap (tip, 70);

    /* GTK 4.8 does not wrap a tooltip's text. */
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), wrapped);
  }
}

GtkWidget *
il_comparison_chart_new (void)
{
  return g_object_new (IL_TYPE_COMPARISON_CHART, NULL);
}
