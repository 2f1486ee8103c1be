/* il-load-chart.c — per-core load with Interleave's own CPU share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line per core from the sampler's /proc/stat deltas, and a thick
 * dashed line for Interleave's own CPU share (% of one core): the observer
 * effect, drawn on the same 0–100 % axis as what it observes. The axis
 * grows with the run until the window is full, then scrolls.
 */
#include "il-load-chart.h"

#include <glib/gi18n.h>

#include <math.h>

#include "il-chart-axis.h"

#define LEFT_W  44.0
#define RIGHT_W 12.0
#define TOP_H   26.0
#define AXIS_H  22.0

struct _IlLoadChart
{
  IlChart parent_instance;

  IlLoadData *data;
  gint64      window_us;
};

G_DEFINE_FINAL_TYPE (IlLoadChart, il_load_chart, IL_TYPE_CHART)

static void
view_of (IlLoadChart *self,
         double      *start,
         double      *end)
{
  double last = self->data != NULL ? (double) self->data->last_t_us : 0;

  *end = MAX (last, 1e6);
  *start = MAX (0, *end - self->window_us);
}

static void
draw_ring (cairo_t          *cr,
           const IlLoadRing *ring,
           double            start,
           double            end,
           double            px,
           double            py,
           double            pw,
           double            ph)
{
  guint    lo = 0, hi = ring->len;
  gboolean first = TRUE;
  double   last_x = -1e9;

  if (ring->len == 0)
    return;
  /* Times grow along the ring: binary search the first visible point (one
   * before it, so the line enters from the left edge). */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (il_load_ring_get (ring, mid)->t_us < start)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo > 0)
    lo--;

  for (guint i = lo; i < ring->len; i++)
    {
      const IlLoadPoint *p = il_load_ring_get (ring, i);
      double             x = px + (p->t_us - start) / (end - start) * pw;
      double             y = py + ph - CLAMP (p->value, 0, 100) / 100.0 * ph;

      /* One vertex per half pixel is all the eye can see. */
      if (!first && x - last_x < 0.5 && i + 1 < ring->len)
        continue;
      if (first)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
      first = FALSE;
      last_x = x;
    }
  cairo_stroke (cr);
}

static void
il_load_chart_draw (IlChart             *chart,
                    cairo_t             *cr,
                    int                  width,
                    int                  height,
                    const IlChartColors *colors)
{
  IlLoadChart        *self = IL_LOAD_CHART (chart);
  static const double dash[] = { 6, 4 };
  double              start, end, px, py, pw, ph, lx;
  IlChartAxis         axis;
  guint               n_cores = self->data != NULL ? il_load_data_get_n_cores (self->data) : 0;
  gboolean            overhead = self->data != NULL && self->data->overhead.len > 0;
  guint               n_hosts = self->data != NULL ? self->data->hosts->len : 0;

  px = LEFT_W;
  py = TOP_H;
  pw = MAX (width - LEFT_W - RIGHT_W, 1);
  ph = MAX (height - TOP_H - AXIS_H, 1);
  view_of (self, &start, &end);

  /* Title and legend */
  lx = 8 + il_chart_text (cr, _("Per-core load"), 8, TOP_H / 2 - 1, 0, 0.5, 1.0, TRUE, &colors->fg) + 16;
  if (n_hosts > 0)
    {
      /* An mpi run: one colour per host, its cores together. */
      for (guint h = 0; h < n_hosts && lx < width - 80; h++)
        {
          const IlLoadHost *host = g_ptr_array_index (self->data->hosts, h);
          g_autofree char  *label = g_strdup_printf (ngettext ("%s (%u core)", "%s (%u cores)", host->n_cores), host->name, host->n_cores);

          lx += il_chart_legend_item (cr, lx, TOP_H / 2 - 1, &colors->series[h % IL_CHART_N_SERIES], TRUE, FALSE,
                                      label, &colors->fg);
        }
    }
  else if (n_cores <= 8)
    {
      for (guint c = 0; c < n_cores && lx < width - 80; c++)
        {
          g_autofree char *label = g_strdup_printf (_("core %u"), c);

          lx += il_chart_legend_item (cr, lx, TOP_H / 2 - 1, &colors->series[c % IL_CHART_N_SERIES],
                                      TRUE, FALSE, label, &colors->fg);
        }
    }
  else
    {
      g_autofree char *label = g_strdup_printf (ngettext ("%u core", "%u cores", n_cores), n_cores);

      lx += il_chart_legend_item (cr, lx, TOP_H / 2 - 1, &colors->series[0], TRUE, FALSE, label, &colors->fg);
    }
  {
    /* Narrow (three charts side by side, a small window): a shorter label
     * rather than one cut at the edge.
     * xgettext:no-c-format */
    const char *own = _("Interleave itself (% of one core)");

    if (lx + 30 + il_chart_text_width (cr, own, 1.0) > width - 4)
      own = "Interleave";
    il_chart_legend_item (cr, lx, TOP_H / 2 - 1, &colors->overhead, TRUE, TRUE, own, &colors->fg);
  }

  /* Y axis: busy %, in quarters */
  il_chart_axis_init (&axis, 0, 100, ph, 40);
  axis.step = 25;
  axis.first = 0;
  axis.tolerance = 0;
  il_chart_axis_set_number_format (&axis, "%g %%", 1);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_VERTICAL, cr, px, py, pw, ph, width, colors);

  /* X axis: seconds since the run started */
  il_chart_axis_init (&axis, start, end, pw, 90);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_HORIZONTAL, cr, px, py, pw, ph, width, colors);

  if (n_cores == 0 && !overhead)
    {
      il_chart_text (cr, _("No samples yet"), px + pw / 2, py + ph / 2, 0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }

  cairo_save (cr);
  cairo_rectangle (cr, px, py - 2, pw, ph + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  cairo_set_line_width (cr, n_cores > 16 ? 1.0 : 1.5);
  for (guint c = 0; c < n_cores; c++)
    {
      guint colour = c;

      for (guint h = 0; h < n_hosts; h++)
        {
          const IlLoadHost *host = g_ptr_array_index (self->data->hosts, h);

          if (c >= host->first_core && c < host->first_core + host->n_cores)
            colour = h;
        }
      il_chart_set_source (cr, &colors->series[colour % IL_CHART_N_SERIES], n_cores > 16 ? 0.6 : 1.0);
      draw_ring (cr, g_ptr_array_index (self->data->cores, c), start, end, px, py, pw, ph);
    }

  if (overhead)
    {
      cairo_set_line_width (cr, 2.5);
      cairo_set_dash (cr, dash, 2, 0);
      il_chart_set_source (cr, &colors->overhead, 1.0);
      draw_ring (cr, &self->data->overhead, start, end, px, py, pw, ph);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);
}

static char *
il_load_chart_describe (IlChart *chart)
{
  IlLoadChart *self = IL_LOAD_CHART (chart);
  guint        n_cores = self->data != NULL ? il_load_data_get_n_cores (self->data) : 0;
  GString     *s;
  double       own;

  if (n_cores == 0)
    return g_strdup (_("Per-core load: no samples yet"));

  if (self->data->hosts->len > 0)
    {
      /* An mpi run: each host's cores, sampled there. */
      s = g_string_new (_("Per-core load by host:"));
      for (guint h = 0; h < self->data->hosts->len; h++)
        {
          const IlLoadHost *host = g_ptr_array_index (self->data->hosts, h);

          g_string_append_printf (s, "%s %s:", h > 0 ? ";" : "", host->name);
          for (guint c = 0; c < host->n_cores && c < 16; c++)
            {
              double v = il_load_ring_last (g_ptr_array_index (self->data->cores, host->first_core + c));

              if (!isnan (v))
                g_string_append_printf (s, _("%s core %u %.0f %%"), c > 0 ? "," : "", c, v);
            }
          if (host->n_cores > 16)
            g_string_append_printf (s, _(" and %u more cores"), host->n_cores - 16);
        }
      return g_string_free (s, FALSE);
    }
  s = g_string_new (_("Per-core load:"));
  for (guint c = 0; c < n_cores && c < 16; c++)
    {
      double v = il_load_ring_last (g_ptr_array_index (self->data->cores, c));

      if (!isnan (v))
        g_string_append_printf (s, _("%s core %u %.0f %%"), c > 0 ? "," : "", c, v);
    }
  if (n_cores > 16)
    g_string_append_printf (s, _(" and %u more cores"), n_cores - 16);
  own = il_load_ring_last (&self->data->overhead);
  if (!isnan (own))
    g_string_append_printf (s, _("; Interleave itself %.0f %% of one core"), own);
  return g_string_free (s, FALSE);
}

static void
il_load_chart_dispose (GObject *object)
{
  IlLoadChart *self = IL_LOAD_CHART (object);

  g_clear_pointer (&self->data, il_load_data_unref);

  G_OBJECT_CLASS (il_load_chart_parent_class)->dispose (object);
}

static void
il_load_chart_class_init (IlLoadChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  IlChartClass *chart_class = IL_CHART_CLASS (klass);

  object_class->dispose = il_load_chart_dispose;
  chart_class->draw = il_load_chart_draw;
  chart_class->describe = il_load_chart_describe;

  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_load_chart_init (IlLoadChart *self)
{
  self->window_us = 30 * G_USEC_PER_SEC;
  il_chart_set_title (IL_CHART (self), _("Per-core load"));
}

GtkWidget *
il_load_chart_new (void)
{
  return g_object_new (IL_TYPE_LOAD_CHART, NULL);
}

void
il_load_chart_set_data (IlLoadChart *self,
                        IlLoadData  *data)
{
  g_return_if_fail (IL_IS_LOAD_CHART (self));

  if (self->data == data)
    return;
  g_clear_pointer (&self->data, il_load_data_unref);
  if (data != NULL)
    self->data = il_load_data_ref (data);
  il_load_chart_data_changed (self);
}

IlLoadData *
il_load_chart_get_data (IlLoadChart *self)
{
  g_return_val_if_fail (IL_IS_LOAD_CHART (self), NULL);
  return self->data;
}

void
il_load_chart_set_window (IlLoadChart *self,
                          gint64       window_us)
{
  g_return_if_fail (IL_IS_LOAD_CHART (self));
  g_return_if_fail (window_us > 0);

  self->window_us = window_us;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
il_load_chart_data_changed (IlLoadChart *self)
{
  g_return_if_fail (IL_IS_LOAD_CHART (self));
  il_chart_invalidate (IL_CHART (self), FALSE);
}
