/* il-scaling-chart.c — speedup against workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Measured points, the ideal S = min (n, cores), and Amdahl's curve fitted
 * to the points: the serial fraction s it finds is the one number that says
 * how far this workload can scale (at most 1/s, whatever the core count).
 *
 * Amdahl's law says nothing of what one worker costs against the
 * sequential baseline (a thread hand-off, a process start): a sweep's
 * 1-worker run is often a little slower than ×1. The curve is fitted to
 * the speedups relative to that run and scaled back, so it passes through
 * the measured point at n = 1 instead of missing it by the executor's
 * cost. The ideal is drawn only where it applies (il-ideal.h).
 */
#include "config.h"

#include "il-scaling-chart.h"

#include <math.h>

#include <glib/gi18n.h>

#include "il-chart-axis.h"
#include "il-ideal.h"

#include "il-amdahl.h"
#include "il-format.h"
#include "il-comparison-chart.h"

#define LEFT_W  48.0
#define RIGHT_W 16.0
#define TOP_H   30.0
#define AXIS_H  38.0

typedef struct
{
  double n;
  double speedup;
} Point;

typedef struct
{
  char    *name;
  GArray  *points; /* Point, by n */
  double   serial; /* fitted; NAN none */
  double   scale;  /* the measured speedup at n = 1 (1 without that point) */
  gboolean recorded;
} Series;

struct _IlScalingChart
{
  IlChart parent_instance;

  GPtrArray *series; /* Series* */
  guint      cores;
  IlIdeal    ideal;
  char      *ideal_note; /* why there is no ideal line; NULL: there is one */
  char      *machine[2];
};

G_DEFINE_FINAL_TYPE (IlScalingChart, il_scaling_chart, IL_TYPE_CHART)

static void
series_free (gpointer data)
{
  Series *series = data;

  g_free (series->name);
  g_array_unref (series->points);
  g_free (series);
}

static gboolean
same_sweep (const IlRunResult *a,
            const IlRunResult *b)
{
  return a->executor == b->executor && a->gil == b->gil && a->spawn == b->spawn &&
         a->cpu_slice_units == b->cpu_slice_units &&
         a->switch_interval_ms == b->switch_interval_ms;
}

static int
cmp_point (gconstpointer a,
           gconstpointer b)
{
  const Point *x = a, *y = b;

  return x->n < y->n ? -1 : x->n > y->n;
}

static void
add_sweeps (IlScalingChart  *self,
            const IlResults *results,
            gboolean         recorded)
{
  g_autofree gboolean *used = NULL;
  double               baseline = NAN;
  guint                n_runs;

  if (results == NULL || results->runs == NULL)
    return;
  n_runs = results->runs->len;
  used = g_new0 (gboolean, n_runs);

  for (guint i = 0; i < n_runs; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);

      if (run->executor == IL_EXECUTOR_SEQUENTIAL)
        {
          baseline = run->summary.makespan_ms.median;
          break;
        }
    }

  for (guint i = 0; i < n_runs; i++)
    {
      const IlRunResult *first = g_ptr_array_index (results->runs, i);
      g_autoptr(GArray) points = NULL;
      double  base = baseline;
      guint   distinct = 0;
      double  last_n = -1;
      Series *series;

      if (used[i] || first->executor == IL_EXECUTOR_SEQUENTIAL)
        continue;

      points = g_array_new (FALSE, FALSE, sizeof (Point));
      for (guint j = i; j < n_runs; j++)
        {
          const IlRunResult *run = g_ptr_array_index (results->runs, j);
          Point              p;

          if (used[j] || !same_sweep (first, run))
            continue;
          used[j] = TRUE;
          p.n = run->workers;
          p.speedup = run->summary.speedup;
          /* Without a sequential run, the sweep's own 1-worker run is the
           * baseline. */
          if (!isfinite (base) && run->workers == 1)
            base = run->summary.makespan_ms.median;
          if (!isfinite (p.speedup))
            p.speedup = -run->summary.makespan_ms.median; /* resolved below */
          g_array_append_val (points, p);
        }

      for (guint k = 0; k < points->len; k++)
        {
          Point *p = &g_array_index (points, Point, k);

          if (p->speedup <= 0)
            p->speedup = isfinite (base) && p->speedup < 0 ? base / -p->speedup : NAN;
        }
      g_array_sort (points, cmp_point);
      for (guint k = 0; k < points->len; k++)
        {
          const Point *p = &g_array_index (points, Point, k);

          if (p->n != last_n && isfinite (p->speedup))
            distinct++;
          last_n = p->n;
        }
      if (distinct < 2)
        continue;

      series = g_new0 (Series, 1);
      series->recorded = recorded;
      series->name = g_strdup_printf ("%s%s%s%s%s",
                                      recorded ? _("recorded ") : "",
                                                    il_executor_to_string (first->executor),
                                                    first->gil ? _(" (GIL)") : "",
                                                                    first->spawn == IL_SPAWN_PER_TASK && first->executor == IL_EXECUTOR_PROCESSES
                                                                    ? _(" (per task)")
                                                                                                    : "",
                                                                         first->cpu_slice_units > 0 ? _(" (sliced)") : "");
      series->points = g_steal_pointer (&points);
      {
        g_autofree double *ns = g_new (double, series->points->len);
        g_autofree double *ss = g_new (double, series->points->len);

        series->scale = 1.0;
        for (guint k = 0; k < series->points->len; k++)
          {
            const Point *p = &g_array_index (series->points, Point, k);

            if (p->n == 1 && isfinite (p->speedup) && p->speedup > 0)
              series->scale = p->speedup;
          }
        for (guint k = 0; k < series->points->len; k++)
          {
            ns[k] = g_array_index (series->points, Point, k).n;
            ss[k] = g_array_index (series->points, Point, k).speedup / series->scale;
          }
        series->serial = il_amdahl_fit (ns, ss, series->points->len, NULL);
      }
      g_ptr_array_add (self->series, series);
    }
}

void
il_scaling_chart_set_results (IlScalingChart  *self,
                              const IlResults *mine,
                              const IlResults *recorded,
                              const GArray    *cpu_affinity)
{
  g_return_if_fail (IL_IS_SCALING_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  g_clear_pointer (&self->machine[0], g_free);
  g_clear_pointer (&self->machine[1], g_free);
  add_sweeps (self, mine, FALSE);
  add_sweeps (self, recorded, TRUE);
  if (mine != NULL)
    self->machine[0] = il_chart_describe_machine (&mine->machine, _("this machine"));
  if (recorded != NULL)
    self->machine[1] = il_chart_describe_machine (&recorded->machine, _("author's machine"));
  g_clear_pointer (&self->ideal_note, g_free);
  if (mine != NULL || recorded != NULL)
    {
      il_ideal_compute (mine != NULL ? mine : recorded, cpu_affinity, &self->ideal);
      self->ideal_note = il_ideal_explain (&self->ideal);
      self->cores = self->ideal.cores;
    }
  else
    {
      self->ideal.kind = IL_IDEAL_NO_BASELINE;
      self->cores = 0;
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  il_chart_invalidate (IL_CHART (self), TRUE);
}

guint
il_scaling_chart_get_n_series (IlScalingChart *self)
{
  g_return_val_if_fail (IL_IS_SCALING_CHART (self), 0);
  return self->series->len;
}

double
il_scaling_chart_get_serial_fraction (IlScalingChart *self,
                                      guint           i)
{
  g_return_val_if_fail (IL_IS_SCALING_CHART (self), NAN);
  if (i >= self->series->len)
    return NAN;
  return ((Series *) g_ptr_array_index (self->series, i))->serial;
}

const char *
il_scaling_chart_get_ideal_note (IlScalingChart *self)
{
  g_return_val_if_fail (IL_IS_SCALING_CHART (self), NULL);
  return self->ideal_note;
}

double
il_scaling_chart_get_fit (IlScalingChart *self,
                          guint           i,
                          double          n)
{
  Series *series;

  g_return_val_if_fail (IL_IS_SCALING_CHART (self), NAN);
  if (i >= self->series->len)
    return NAN;
  series = g_ptr_array_index (self->series, i);
  if (!isfinite (series->serial))
    return NAN;
  return series->scale * il_amdahl_speedup (series->serial, n);
}

static const GdkRGBA *
series_color (IlScalingChart      *self,
              guint                i,
              const IlChartColors *colors)
{
  Series *series = g_ptr_array_index (self->series, i);
  guint   mine_index = 0;

  if (series->recorded)
    return &colors->recorded;
  for (guint k = 0; k < i; k++)
    if (!((Series *) g_ptr_array_index (self->series, k))->recorded)
      mine_index++;
  return mine_index == 0 ? &colors->accent : &colors->series[(mine_index + 1) % IL_CHART_N_SERIES];
}

/* Lines of text under the plot: one per series, and why there is no ideal. */
static guint
text_lines (IlScalingChart *self)
{
  return self->series->len + (self->ideal_note != NULL ? 1 : 0);
}

static void
il_scaling_chart_draw (IlChart             *chart,
                       cairo_t             *cr,
                       int                  width,
                       int                  height,
                       const IlChartColors *colors)
{
  IlScalingChart     *self = IL_SCALING_CHART (chart);
  static const double dash[] = { 5, 3 };
  static const double dot[] = { 1.5, 3 };
  double              px = LEFT_W, py = TOP_H, pw, ph, n_max = 2, s_max = 2, lx, ty;
  IlChartAxis         axis;

  pw = MAX (width - LEFT_W - RIGHT_W, 1);
  ph = MAX (height - TOP_H - AXIS_H - 18.0 * text_lines (self), 1);

  lx = 8 + il_chart_text (cr, _("Scaling"), 8, TOP_H / 2, 0, 0.5, 1.0, TRUE, &colors->fg) + 6;
  lx += il_chart_text (cr, _("(speedup against workers)"), lx, TOP_H / 2, 0, 0.5, 0.85, FALSE, &colors->dim) + 16;
  if (self->ideal.kind == IL_IDEAL_APPLIES)
    lx += il_chart_legend_item (cr, lx, TOP_H / 2, &colors->dim, TRUE, TRUE, _("ideal S = n, up to the cores"), &colors->fg);
  il_chart_legend_item (cr, lx, TOP_H / 2, &colors->fg, TRUE, FALSE, _("Amdahl fit"), &colors->fg);

  if (self->series->len == 0)
    {
      il_chart_text (cr, _("No sweep: run one configuration with several worker counts"),
                            width / 2.0, height / 2.0, 0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < series->points->len; k++)
        {
          const Point *p = &g_array_index (series->points, Point, k);

          n_max = MAX (n_max, p->n);
          if (isfinite (p->speedup))
            s_max = MAX (s_max, p->speedup);
        }
    }
  s_max = MAX (s_max, MIN (n_max, self->cores > 0 ? self->cores : n_max));
  s_max *= 1.1;
  /* Room right of the last worker count, so its point is not cut. */
  n_max += MAX (0.25, n_max * 0.04);

  /* Axes */
  il_chart_axis_init (&axis, 0, s_max, ph, 35);
  axis.step = MAX (0.5, axis.step);
  axis.first = 0;
  axis.tolerance = 1e-9;
  il_chart_axis_set_number_format (&axis, "×%g", 1);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_VERTICAL, cr, px, py, pw, ph, width, colors);
  /* Whole workers only. */
  il_chart_axis_init (&axis, 0, n_max, pw, 60);
  axis.step = MAX (1, axis.step);
  axis.first = 0;
  axis.last = floor (n_max);
  axis.tolerance = 1e-9;
  il_chart_axis_set_number_format (&axis, "%g", 1);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_HORIZONTAL, cr, px, py, pw, ph, width, colors);
  il_chart_text (cr, _("workers"), px + pw / 2, py + ph + 20, 0.5, 0, 0.85, FALSE, &colors->dim);

  cairo_save (cr);
  cairo_rectangle (cr, px, py, pw, ph);
  cairo_clip (cr);

  /* Ideal S = min (n, cores), where it applies, and where the machine
   * runs out of cores. s_max is above the cores, so it stays inside. */
  cairo_set_dash (cr, dash, 2, 0);
  cairo_set_line_width (cr, 1.5);
  il_chart_set_source (cr, &colors->dim, 1.0);
  if (self->ideal.kind == IL_IDEAL_APPLIES)
    {
      double knee = MIN ((double) self->ideal.cores, n_max);

      cairo_move_to (cr, px, py + ph);
      cairo_line_to (cr, px + knee / n_max * pw, py + ph - il_ideal_speedup (&self->ideal, knee) / s_max * ph);
      cairo_line_to (cr, px + pw, py + ph - il_ideal_speedup (&self->ideal, n_max) / s_max * ph);
      cairo_stroke (cr);
    }
  if (self->cores > 0 && self->cores < n_max)
    {
      double x = round (px + self->cores / n_max * pw) + 0.5;

      cairo_set_dash (cr, dot, 2, 0);
      cairo_move_to (cr, x, py);
      cairo_line_to (cr, x, py + ph);
      cairo_stroke (cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series        *series = g_ptr_array_index (self->series, i);
      const GdkRGBA *color = series_color (self, i, colors);

      /* Fitted curve */
      if (isfinite (series->serial))
        {
          il_chart_set_source (cr, color, 0.9);
          cairo_set_line_width (cr, 2);
          /* From one worker on: fewer than one means nothing here. */
          for (int col = (int) ceil (pw / n_max); col <= (int) pw; col += 2)
            {
              double n = MAX (col / pw * n_max, 1.0);
              double y = py + ph - series->scale * il_amdahl_speedup (series->serial, n) / s_max * ph;

              if (col <= (int) ceil (pw / n_max))
                cairo_move_to (cr, px + col, y);
              else
                cairo_line_to (cr, px + col, y);
            }
          cairo_stroke (cr);
        }

      /* Measured points */
      for (guint k = 0; k < series->points->len; k++)
        {
          const Point *p = &g_array_index (series->points, Point, k);
          double       x = px + p->n / n_max * pw, y = py + ph - p->speedup / s_max * ph;

          if (!isfinite (p->speedup))
            continue;
          cairo_new_sub_path (cr);
          cairo_arc (cr, x, y, 4.5, 0, 2 * G_PI);
          il_chart_set_source (cr, color, 1.0);
          cairo_fill_preserve (cr);
          il_chart_set_source (cr, &colors->bg, 1.0);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  if (self->cores > 0 && self->cores < n_max)
    {
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", self->cores),
                                                self->cores);

      il_chart_text (cr, label, round (px + self->cores / n_max * pw) + 4, py + 2, 0, 0, 0.8, FALSE, &colors->dim);
    }

  /* One line per series: the fitted serial fraction, as text. */
  ty = py + ph + AXIS_H;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series          *series = g_ptr_array_index (self->series, i);
      g_autofree char *text = NULL;
      char             limit[32];

      if (series->serial > 0.001)
        g_snprintf (limit, sizeof limit, "×%.1f", 1 / series->serial);
      else
        g_strlcpy (limit, _("none"), sizeof limit);
      if (isfinite (series->serial))
        text = g_strdup_printf (_("%s: serial fraction s = %.3f (Amdahl limit %s)"), series->name,
                                   series->serial, limit);
      else
        text = g_strdup_printf (_("%s: no fit"), series->name);
      il_chart_legend_item (cr, px, ty + 9, series_color (self, i, colors), FALSE, FALSE, text, &colors->fg);
      ty += 18;
    }
  if (self->ideal_note != NULL)
    il_chart_text (cr, self->ideal_note, px, ty + 9, 0, 0.5, 0.8, FALSE, &colors->dim);
}

static char *
il_scaling_chart_describe (IlChart *chart)
{
  IlScalingChart *self = IL_SCALING_CHART (chart);
  GString        *s;

  if (self->series->len == 0)
    return g_strdup (_("Scaling: no sweep in these results"));
  s = g_string_new (_("Scaling:"));
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      g_string_append_printf (s, _("%s %s, speedup"), i > 0 ? ";" : "", series->name);
      for (guint k = 0; k < series->points->len; k++)
        {
          const Point *p = &g_array_index (series->points, Point, k);

          g_string_append_printf (s, "%s %.2f at %g", k > 0 ? "," : "", p->speedup, p->n);
        }
      if (isfinite (series->serial))
        g_string_append_printf (s, _(", Amdahl serial fraction %.3f"), series->serial);
    }
  if (self->ideal_note != NULL)
    g_string_append_printf (s, "; %s", self->ideal_note);
  return g_string_free (s, FALSE);
}

static void
il_scaling_chart_measure (GtkWidget     *widget,
                          GtkOrientation orientation,
                          int            for_size,
                          int           *minimum,
                          int           *natural,
                          int           *minimum_baseline,
                          int           *natural_baseline)
{
  IlScalingChart *self = IL_SCALING_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 300;
      *natural = 640;
    }
  else
    {
      *minimum = 200 + 18 * text_lines (self);
      *natural = 300 + 18 * text_lines (self);
    }
}

static void
il_scaling_chart_finalize (GObject *object)
{
  IlScalingChart *self = IL_SCALING_CHART (object);

  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->machine[0], g_free);
  g_clear_pointer (&self->machine[1], g_free);
  g_clear_pointer (&self->ideal_note, g_free);

  G_OBJECT_CLASS (il_scaling_chart_parent_class)->finalize (object);
}

static void
il_scaling_chart_class_init (IlScalingChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  IlChartClass   *chart_class = IL_CHART_CLASS (klass);

  object_class->finalize = il_scaling_chart_finalize;
  widget_class->measure = il_scaling_chart_measure;
  chart_class->draw = il_scaling_chart_draw;
  chart_class->describe = il_scaling_chart_describe;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_scaling_chart_init (IlScalingChart *self)
{
  self->series = g_ptr_array_new_with_free_func (series_free);
  il_chart_set_title (IL_CHART (self), _("Scaling"));
  {
    g_autofree char *tip = g_strdup_printf ("%s\n%s", il_results_column_description (IL_RESULTS_COLUMN_SPEEDUP),
                                            _("Points: the speedup measured for each number of workers. Curve: "
                                              "Amdahl's law fitted to the points (its serial fraction in the legend). "
                                              "Dashed line: the ideal speedup, one more per worker up to the cores, where it applies"));

    g_autofree char *wrapped = il_format_wrap (tip, 70);

    /* GTK 4.8 does not wrap a tooltip's text. */
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), wrapped);
  }
}

GtkWidget *
il_scaling_chart_new (void)
{
  return g_object_new (IL_TYPE_SCALING_CHART, NULL);
}
