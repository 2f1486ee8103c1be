/* il-timeline-chart.c — a lane per worker, a bar per block
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each lane shows, top to bottom: the blocks coloured by type; a thin strip
 * with the block's state split (running / ready / blocked / waiting for the
 * GIL, proportional); and, for runs with the simulated GIL, a band that is
 * dark while this worker holds the lock and red while it waits for it, so the
 * lock can be seen passing between threads.
 *
 * Drawing culls to the visible range and merges bars narrower than a pixel,
 * so a 10,000-task run costs about one rectangle per pixel column per lane.
 *
 * An event loop runs many tasks at once on one worker. Where tasks overlap
 * on a lane, IlTimelineData has packed them into sub-rows; the lane then
 * grows (half a lane's height per row) and each sub-row has its own bar and
 * state strip, so the tasks in flight, the one running and the ones ready,
 * can be told apart. Lanes whose tasks never overlap have one row and look
 * as before.
 */
#include "il-timeline-chart-private.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include <math.h>

#include "il-chart-axis.h"
#include <string.h>

#define LABEL_W  IL_TIMELINE_LABEL_W
#define AXIS_H   IL_TIMELINE_AXIS_H
#define ROW_H    IL_TIMELINE_ROW_H
#define PAD_R    IL_TIMELINE_PAD_R
#define MIN_LANE IL_TIMELINE_MIN_LANE
#define MAX_LANE IL_TIMELINE_MAX_LANE

G_DEFINE_FINAL_TYPE (IlTimelineChart, il_timeline_chart, IL_TYPE_CHART)

/* The host an mpi rank's lane ran on, or NULL. */
static const char *
lane_host (const IlTimelineData *data,
           guint                 lane)
{
  if (data == NULL || data->lane_hosts == NULL || lane >= data->lane_hosts->len)
    return NULL;
  return g_ptr_array_index (data->lane_hosts, lane);
}

static void
compute_geometry (IlTimelineChart  *self,
                  int               width,
                  int               height,
                  IlTimelineLayout *g)
{
  double start_us, end_us;

  il_time_range_get_view (self->range, &start_us, &end_us);
  il_timeline_layout_compute (g, self->lanes, self->data, width, height,
                              (self->data != NULL && self->data->title != NULL) || self->legend,
                              self->max_lane, start_us, end_us);
}

void
il_timeline_chart_compute_layout (IlTimelineChart  *self,
                                  IlTimelineLayout *layout)
{
  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), layout);
}

#define STRIP_KIND(state) IL_TIMELINE_STRIP_KIND (state)

static void
fill_rects (cairo_t             *cr,
            GArray              *rects,
            const IlChartColors *colors)
{
  const GdkRGBA *strips[IL_N_STATES] = { NULL, &colors->ready, &colors->blocked, &colors->gil_wait,
                                         &colors->lock_wait };

  for (guint kind = 0; kind < STRIP_KIND (IL_N_STATES); kind++)
    for (guint faded = 0; faded < 2; faded++)
      {
        gboolean any = FALSE;

        if (kind > IL_N_BLOCK_TYPES && (kind <= STRIP_KIND (IL_STATE_RUNNING) || faded))
          continue;
        for (guint i = 0; i < rects->len; i++)
          {
            const IlTimelineRect *r = &g_array_index (rects, IlTimelineRect, i);

            if (r->kind != kind || r->faded != faded)
              continue;
            cairo_rectangle (cr, r->x, r->y, r->w, r->h);
            any = TRUE;
          }
        if (!any)
          continue;
        if (kind < IL_N_BLOCK_TYPES)
          il_chart_set_source (cr, &colors->block[kind], faded ? 0.55 : 1.0);
        else if (kind == IL_N_BLOCK_TYPES)
          il_chart_set_source (cr, &colors->accent, faded ? 0.3 : 0.6);
        else
          il_chart_set_source (cr, strips[kind - STRIP_KIND (IL_STATE_RUNNING)], 1.0);
        cairo_fill (cr);
      }
}

/* The block's states in time order where its executor recorded them,
 * otherwise in proportion (il_state_strip decides, for every view). */
static void
draw_state_strip (cairo_t               *cr,
                  const IlTimelineData  *data,
                  const IlTimelineBlock *b,
                  double                 x0,
                  double                 x1,
                  double                 y,
                  double                 h,
                  const IlChartColors   *colors)
{
  const GdkRGBA        *fills[IL_N_STATES] = { NULL, &colors->ready, &colors->blocked, &colors->gil_wait,
                                               &colors->lock_wait };
  const IlStateSegment *segments = NULL;
  IlStatePiece          pieces[IL_MAX_STATE_PIECES];
  guint                 n;

  if (b->n_segments > 0 && b->first_segment + b->n_segments <= data->segments->len)
    segments = &g_array_index (data->segments, IlStateSegment, b->first_segment);
  n = il_state_strip (&b->state, segments, segments != NULL ? b->n_segments : 0, pieces);
  for (guint i = 0; i < n; i++)
    {
      /* Running is the bar's own colour above: leave it as a gap. */
      if (fills[pieces[i].state] == NULL)
        continue;
      il_chart_set_source (cr, fills[pieces[i].state], 1.0);
      cairo_rectangle (cr, x0 + (x1 - x0) * pieces[i].start, y, (x1 - x0) * (pieces[i].end - pieces[i].start), h);
      cairo_fill (cr);
    }
}

/* Task marks and the GIL band, in order. */
static void
draw_marks (cairo_t             *cr,
            GArray              *marks,
            const IlChartColors *colors)
{
  for (guint i = 0; i < marks->len; i++)
    {
      const IlTimelineRect *m = &g_array_index (marks, IlTimelineRect, i);

      switch (m->kind)
        {
          case IL_TIMELINE_KIND_NO_BLOCKS:
            il_chart_set_source (cr, &colors->accent, 0.5);
            cairo_rectangle (cr, m->x, m->y, m->w, m->h);
            cairo_fill (cr);
            break;
          case IL_TIMELINE_KIND_FAILED:
            il_chart_set_source (cr, &colors->failed, 1.0);
            cairo_set_line_width (cr, 2);
            cairo_rectangle (cr, m->x, m->y, m->w, m->h);
            cairo_stroke (cr);
            break;
          case IL_TIMELINE_KIND_SEPARATOR:
            il_chart_set_source (cr, &colors->bg, 0.9);
            cairo_set_line_width (cr, 1);
            cairo_move_to (cr, m->x, m->y);
            cairo_line_to (cr, m->x, m->y + m->h);
            cairo_stroke (cr);
            break;
          case IL_TIMELINE_KIND_GIL_HOLD:
          case IL_TIMELINE_KIND_GIL_WAIT:
            il_chart_set_source (cr, m->kind == IL_TIMELINE_KIND_GIL_HOLD ? &colors->gil_hold : &colors->gil_wait, 1.0);
            cairo_rectangle (cr, m->x, m->y, m->w, m->h);
            cairo_fill (cr);
            break;
          default:
            break;
        }
    }
}

static void
draw_legend (cairo_t             *cr,
             double               x,
             double               y,
             double               max_x,
             gboolean             gil,
             gboolean             lock_wait,
             const IlChartColors *colors)
{
  for (guint i = 0; i < IL_N_BLOCK_TYPES && x < max_x; i++)
    x += il_chart_legend_item (cr, x, y, &colors->block[i], FALSE, FALSE, il_timeline_block_label (i), &colors->fg);
  if (x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->ready, FALSE, FALSE, _("ready"), &colors->fg);
  if (x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->blocked, FALSE, FALSE, _("blocked"), &colors->fg);
  if (gil && x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->gil_wait, FALSE, FALSE, _("GIL wait"), &colors->fg);
  if (gil && x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->gil_hold, FALSE, FALSE, _("GIL held"), &colors->fg);
  if (lock_wait && x < max_x)
    il_chart_legend_item (cr, x, y, &colors->lock_wait, FALSE, FALSE, _("lock wait"), &colors->fg);
}

static void
il_timeline_chart_draw (IlChart             *chart,
                        cairo_t             *cr,
                        int                  width,
                        int                  height,
                        const IlChartColors *colors)
{
  IlTimelineChart *self = IL_TIMELINE_CHART (chart);
  IlTimelineData  *data = self->data;
  IlTimelineLayout g;
  IlChartAxis      axis;
  double           x_title = 8;

  compute_geometry (self, width, height, &g);

  /* Title and legend */
  if (data != NULL && data->title != NULL)
    x_title += il_chart_text (cr, data->title, 8, g.top - ROW_H / 2, 0, 0.5, 1.0, TRUE, &colors->fg) + 16;
  if (self->legend)
    draw_legend (cr, MAX (x_title, LABEL_W), g.top - ROW_H / 2, width - 60,
                 data != NULL && data->has_gil, data != NULL && data->has_lock_wait, colors);
  else if (data != NULL && data->has_gil)
    {
      /* Small multiples carry one legend; the GIL's colours are explained
       * where the GIL appears. */
      double x = MAX (x_title, LABEL_W);

      x += il_chart_legend_item (cr, x, g.top - ROW_H / 2, &colors->gil_wait, FALSE, FALSE, _("GIL wait"), &colors->fg);
      il_chart_legend_item (cr, x, g.top - ROW_H / 2, &colors->gil_hold, FALSE, FALSE, _("GIL held"), &colors->fg);
    }

  /* Grid and time axis */
  il_chart_axis_init (&axis, g.start_us, g.end_us, g.plot_w, 110);
  il_chart_axis_draw (&axis, IL_CHART_AXIS_HORIZONTAL, cr, g.plot_x, g.plot_y, g.plot_w, g.lanes_h, width, colors);

  /* Lane labels and separators */
  for (guint lane = 0; lane < g.n_lanes; lane++)
    {
      const IlTimelineLaneGeometry *l = &g.lanes[lane];
      double                        y = l->y;

      /* mpi ranks are grouped by host: a line where the host changes. */
      if (lane > 0 && lane_host (data, lane) != NULL &&
          g_strcmp0 (lane_host (data, lane), lane_host (data, lane - 1)) != 0)
        {
          il_chart_set_source (cr, &colors->fg, 0.6);
          cairo_rectangle (cr, g.plot_x - 4, round (y) - 1, g.plot_w + 4, 2);
          cairo_fill (cr);
        }

      if (lane % 2 == 1)
        {
          il_chart_set_source (cr, &colors->grid, 0.35);
          cairo_rectangle (cr, g.plot_x, y, g.plot_w, l->h);
          cairo_fill (cr);
        }
      if (l->n_rows > 1)
        {
          /* Many tasks in flight on one worker: an event loop. */
          const IlTimelineLane *info = il_timeline_data_get_lane (data, lane);
          g_autofree char      *count = g_strdup_printf (_("%u in flight"), info->max_open);

          if (l->h >= 30)
            {
              il_chart_text (cr, _("loop"), g.plot_x - 6, y + l->h / 2 - 1, 1, 1, 0.85, FALSE, &colors->dim);
              il_chart_text (cr, count, g.plot_x - 6, y + l->h / 2 + 1, 1, 0, 0.7, FALSE, &colors->dim);
            }
          else
            {
              il_chart_text (cr, _("loop"), g.plot_x - 6, y + l->h / 2, 1, 0.5, 0.85, FALSE, &colors->dim);
            }
          /* Hairlines between the sub-rows say they belong to one lane. */
          if (l->row_h >= 6)
            {
              il_chart_set_source (cr, &colors->grid, 0.5);
              for (guint row = 1; row < l->n_rows; row++)
                cairo_rectangle (cr, g.plot_x, round (y + row * l->row_h), g.plot_w, 1);
              cairo_fill (cr);
            }
        }
      /* Labels only where they fit without overlapping. */
      else if (g.lane_h >= 11 || (lane % (guint) ceil (11 / g.lane_h)) == 0)
        {
          const char      *host = lane_host (data, lane);
          g_autofree char *label = host != NULL ? g_strdup_printf (_("%s · rank %u"), host, lane + 1)
                                                : g_strdup_printf (_("worker %u"), lane);

          il_chart_text (cr, label, g.plot_x - 6, y + l->h / 2, 1, 0.5,
                         l->h >= 14 ? 0.85 : 0.7, FALSE, &colors->dim);
        }
    }

  if (data == NULL || data->tasks->len == 0)
    {
      il_chart_text (cr, data == NULL ? _("No run yet") : _("Waiting for the first task…"), g.plot_x + g.plot_w / 2, g.plot_y + g.plot_h / 2 - AXIS_H / 2, 0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }

  cairo_save (cr);
  cairo_rectangle (cr, g.plot_x, g.plot_y, g.plot_w, g.lanes_h);
  cairo_clip (cr);

  /* What is visible, aggregated per pixel column where tasks are narrower
   * than a pixel: bounded by lanes × width, whatever the number of tasks. */
  il_timeline_bars_compute (&self->bars, &g, data);
  for (guint i = 0; i < self->bars.strips->len; i++)
    {
      const IlTimelineStrip *s = &g_array_index (self->bars.strips, IlTimelineStrip, i);

      draw_state_strip (cr, data, &g_array_index (data->blocks, IlTimelineBlock, s->block), s->x0, s->x1, s->y,
                        s->h, colors);
    }
  fill_rects (cr, self->bars.rects, colors);
  draw_marks (cr, self->bars.marks, colors);

  cairo_restore (cr);

  if (data->dropped > 0)
    {
      g_autofree char *note = g_strdup_printf (_("%" PRIu64 " events not shown (cap)"), (guint64) data->dropped);

      il_chart_text (cr, note, width - PAD_R, g.top - ROW_H / 2, 1, 0.5, 0.8, FALSE, &colors->dim);
    }
  else if (il_time_range_get_zoomed (self->range))
    {
      il_chart_text (cr, _("zoomed · 0 resets"), width - PAD_R, g.top - ROW_H / 2, 1, 0.5, 0.8, FALSE, &colors->dim);
    }
}

static gboolean
il_timeline_chart_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard,
                                 GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  if (keyboard)
    return FALSE;
  text = il_timeline_chart_query (IL_TIMELINE_CHART (widget), x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_markup (tooltip, text);
  return TRUE;
}

static void
il_timeline_chart_measure (GtkWidget     *widget,
                           GtkOrientation orientation,
                           int            for_size,
                           int           *minimum,
                           int           *natural,
                           int           *minimum_baseline,
                           int           *natural_baseline)
{
  IlTimelineChart *self = IL_TIMELINE_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 640;
    }
  else
    {
      /* In one-row lanes: a loop's sub-rows make its lane taller. */
      double lanes = self->data != NULL ? il_timeline_layout_total_weight (self->data, MAX (self->data->n_workers, 1)) : 2;
      int    extra = (int) (4 + ROW_H + 2 + AXIS_H);

      /* Scrolled windows allocate the minimum: keep lanes readable there. */
      *minimum = extra + (int) ceil (MIN (lanes * 20, 320));
      *natural = extra + (int) ceil (MIN (lanes * 44, 420));
    }
}

static void
range_changed_cb (IlTimelineChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  /* Zoomed or panned (by keys, or another chart sharing the range). */
  il_timeline_chart_refresh_tooltip (self);
}

static void
il_timeline_chart_dispose (GObject *object)
{
  IlTimelineChart *self = IL_TIMELINE_CHART (object);

  g_clear_object (&self->range);
  g_clear_pointer (&self->data, il_timeline_data_unref);

  G_OBJECT_CLASS (il_timeline_chart_parent_class)->dispose (object);
}

static void
il_timeline_chart_finalize (GObject *object)
{
  IlTimelineChart *self = IL_TIMELINE_CHART (object);

  il_timeline_bars_clear (&self->bars);
  g_clear_pointer (&self->lanes, g_array_unref);

  G_OBJECT_CLASS (il_timeline_chart_parent_class)->finalize (object);
}

static void
il_timeline_chart_class_init (IlTimelineChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  IlChartClass   *chart_class = IL_CHART_CLASS (klass);

  object_class->dispose = il_timeline_chart_dispose;
  object_class->finalize = il_timeline_chart_finalize;
  widget_class->query_tooltip = il_timeline_chart_query_tooltip;
  widget_class->measure = il_timeline_chart_measure;
  chart_class->draw = il_timeline_chart_draw;
  chart_class->describe = il_timeline_chart_describe;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_timeline_chart_init (IlTimelineChart *self)
{
  il_timeline_bars_init (&self->bars);
  self->lanes = g_array_new (FALSE, TRUE, sizeof (IlTimelineLaneGeometry));
  self->legend = TRUE;
  self->max_lane = MAX_LANE;
  il_timeline_chart_set_range (self, NULL);
  il_chart_set_title (IL_CHART (self), _("Timeline"));

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  il_timeline_chart_init_input (self);
}

GtkWidget *
il_timeline_chart_new (void)
{
  return g_object_new (IL_TYPE_TIMELINE_CHART, NULL);
}

void
il_timeline_chart_set_data (IlTimelineChart *self,
                            IlTimelineData  *data)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  if (self->data == data)
    return;
  g_clear_pointer (&self->data, il_timeline_data_unref);
  if (data != NULL)
    self->data = il_timeline_data_ref (data);
  il_timeline_chart_data_changed (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

IlTimelineData *
il_timeline_chart_get_data (IlTimelineChart *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_CHART (self), NULL);
  return self->data;
}

void
il_timeline_chart_set_range (IlTimelineChart *self,
                             IlTimeRange     *range)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  if (range != NULL && self->range == range)
    return;
  if (self->range != NULL)
    g_signal_handlers_disconnect_by_func (self->range, range_changed_cb, self);
  g_clear_object (&self->range);
  self->range = range != NULL ? g_object_ref (range) : il_time_range_new ();
  self->own_range = range == NULL;
  g_signal_connect_object (self->range, "changed", G_CALLBACK (range_changed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

IlTimeRange *
il_timeline_chart_get_range (IlTimelineChart *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_CHART (self), NULL);
  return self->range;
}

void
il_timeline_chart_set_legend (IlTimelineChart *self,
                              gboolean         legend)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  legend = !!legend;
  if (self->legend == legend)
    return;
  self->legend = legend;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
il_timeline_chart_data_changed (IlTimelineChart *self)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  /* A chart with its own range follows the run's end (and starts over with
   * each repetition); a shared range's extent is set by its owner. */
  if (self->own_range)
    il_time_range_set_extent (self->range, self->data != NULL ? self->data->end_us : 0);
  /* Sub-rows appear as tasks overlap: a loop's lane grows. */
  if (self->data != NULL &&
      (self->data->n_workers != self->last_workers || self->data->n_rows != self->last_rows))
    {
      self->last_workers = self->data->n_workers;
      self->last_rows = self->data->n_rows;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  il_chart_invalidate (IL_CHART (self), FALSE);
  il_timeline_chart_refresh_tooltip (self);
}

/* GTK asks for a tooltip when the pointer moves: when the live chart moves
 * under a still pointer, ask again, so that the tooltip follows the data. */
void
il_timeline_chart_refresh_tooltip (IlTimelineChart *self)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  if (!self->hovered)
    return;
  self->tooltip_refreshes++;
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

void
il_timeline_chart_set_pointer (IlTimelineChart *self,
                               double           x,
                               double           y)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  self->pointer_x = x;
  self->pointer_y = y;
  self->hovered = x >= 0 && y >= 0;
}

guint
il_timeline_chart_get_tooltip_refreshes (IlTimelineChart *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_CHART (self), 0);
  return self->tooltip_refreshes;
}

/* The live view's timeline has half the page: with few lanes, they grow
 * tall instead of leaving the half empty. */
void
il_timeline_chart_set_max_lane_height (IlTimelineChart *self,
                                       double           height)
{
  g_return_if_fail (IL_IS_TIMELINE_CHART (self));

  height = MAX (height, MIN_LANE);
  if (self->max_lane == height)
    return;
  self->max_lane = height;
  il_chart_invalidate (IL_CHART (self), FALSE);
}
