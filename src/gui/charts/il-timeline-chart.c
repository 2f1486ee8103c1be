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
#include "il-timeline-chart.h"

#include <math.h>
#include <string.h>

#define LABEL_W  64.0
#define AXIS_H   22.0
#define ROW_H    20.0
#define PAD_R    12.0
#define MIN_LANE 3.0
#define MAX_LANE 56.0
/* A lane of n > 1 sub-rows is n × ROW_WEIGHT lanes tall (at least one). */
#define ROW_WEIGHT 0.5

struct _IlTimelineChart
{
  IlChart parent_instance;

  /* owned */
  IlTimelineData *data;
  IlTimeRange    *range;
  GArray         *pending; /* Pending per sub-row, reused by every draw */
  GArray         *rects;   /* Rect, reused by every draw */
  GArray         *lanes;   /* LaneGeometry, reused by every layout */

  double   max_lane; /* tallest lane, px */
  gboolean legend;
  gboolean own_range; /* follow the data's extent (live) */
  guint    last_workers;
  guint    last_rows;
  /* drag / pinch start */
  double drag_start_us;
  double drag_end_us;
  double pointer_x;
};

G_DEFINE_FINAL_TYPE (IlTimelineChart, il_timeline_chart, IL_TYPE_CHART)

typedef struct
{
  double x0, x1;
  int    kind; /* block type, or -1 none */
  double alpha;
  double weight[IL_N_BLOCK_TYPES + 1]; /* pixels covered per type */
  double state[4];                     /* µs per state of narrow blocks */
} Pending;

/* One lane's place; a lane of one row has y … y + h laid out as before:
 * bar, state strip, GIL band. */
typedef struct
{
  double y, h;
  double row_h; /* one sub-row */
  double bar_h; /* in each sub-row */
  double strip_h;
  double band_h; /* GIL band at the lane's bottom, 0 none */
  guint  n_rows;
  guint  first_row; /* index of its first sub-row among all lanes' */
} LaneGeometry;

typedef struct
{
  double              plot_x, plot_y, plot_w, plot_h;
  double              lane_h;  /* a lane of one row */
  double              lanes_h; /* all lanes */
  guint               n_lanes;
  guint               n_rows; /* sub-rows over all lanes */
  const LaneGeometry *lanes;
  double              start_us, end_us;
  double              top;
} Geometry;

static guint
lane_rows (const IlTimelineData *data,
           guint                 lane)
{
  if (data == NULL || lane >= data->lanes->len)
    return 1;
  return CLAMP (g_array_index (data->lanes, IlTimelineLane, lane).n_rows, 1, IL_TIMELINE_MAX_ROWS);
}

static double
lane_weight (guint n_rows)
{
  return n_rows <= 1 ? 1.0 : MAX (1.0, n_rows * ROW_WEIGHT);
}

/* Lanes' heights in units of a one-row lane. */
static double
total_weight (const IlTimelineData *data,
              guint                 n_lanes)
{
  double units = 0;

  for (guint lane = 0; lane < n_lanes; lane++)
    units += lane_weight (lane_rows (data, lane));
  return units;
}

static void
compute_geometry (IlTimelineChart *self,
                  int              width,
                  int              height,
                  Geometry        *g)
{
  const char   *title = self->data != NULL ? self->data->title : NULL;
  gboolean      gil = self->data != NULL && self->data->has_gil;
  LaneGeometry *lanes;
  double        y;

  g->top = 4;
  if (title != NULL || self->legend)
    g->top += ROW_H;
  g->n_lanes = self->data != NULL ? MAX (self->data->n_workers, 1) : 1;
  g->plot_x = LABEL_W;
  g->plot_y = g->top + 2;
  g->plot_w = MAX (width - LABEL_W - PAD_R, 1);
  g->plot_h = MAX (height - g->plot_y - AXIS_H, 1);
  g->lane_h = MIN (g->plot_h / total_weight (self->data, g->n_lanes), self->max_lane);
  il_time_range_get_view (self->range, &g->start_us, &g->end_us);

  /* Kept in the chart: no allocation per frame once it has grown. */
  if (self->lanes->len < g->n_lanes)
    g_array_set_size (self->lanes, g->n_lanes);
  lanes = (LaneGeometry *) (gpointer) self->lanes->data;
  g->lanes = lanes;
  g->n_rows = 0;
  y = g->plot_y;
  for (guint i = 0; i < g->n_lanes; i++)
    {
      LaneGeometry *l = &lanes[i];

      l->n_rows = lane_rows (self->data, i);
      l->first_row = g->n_rows;
      l->y = y;
      l->h = g->lane_h * lane_weight (l->n_rows);
      l->band_h = gil ? MAX (floor (g->lane_h * 0.16), 1) : 0;
      if (l->n_rows == 1)
        {
          l->row_h = l->h;
          l->strip_h = l->h >= 10 ? MAX (floor (l->h * 0.18), 2) : 0;
          l->bar_h = MAX (l->h - 2 - l->strip_h - l->band_h - (l->h >= 10 ? 2 : 0), 1);
        }
      else
        {
          /* Whole pixels per row where there is room, so that rows look
           * alike; what is left over stays below the last. */
          l->row_h = (l->h - l->band_h - 1) / l->n_rows;
          if (l->row_h >= 4)
            l->row_h = floor (l->row_h);
          l->row_h = MAX (l->row_h, 0.25);
          l->strip_h = l->row_h >= 7 ? MAX (floor (l->row_h * 0.2), 2) : 0;
          l->bar_h = MAX (l->row_h - 1 - l->strip_h - (l->strip_h > 0 ? 1 : 0), 1);
        }
      g->n_rows += l->n_rows;
      y += l->h;
    }
  g->lanes_h = y - g->plot_y;
}

/* Top of the bar of sub-row @row in @lane (clamped to its rows). */
static inline double
row_y (const LaneGeometry *l,
       guint               row)
{
  return l->y + MIN (row, l->n_rows - 1) * l->row_h + 1;
}

/* Lane under @y, or -1. */
static int
lane_at (const Geometry *g,
         double          y)
{
  for (guint i = 0; i < g->n_lanes; i++)
    if (y >= g->lanes[i].y && y < g->lanes[i].y + g->lanes[i].h)
      return (int) i;
  return -1;
}

static inline double
x_of (const Geometry *g,
      double          t_us)
{
  return g->plot_x + (t_us - g->start_us) / (g->end_us - g->start_us) * g->plot_w;
}

typedef struct
{
  float  x, y, w, h;
  guint8 kind;
  guint8 faded;
} Rect;

/* Queues the pending bar as a pixel-aligned rectangle: all rectangles of
 * one colour are filled at the end as one path, which cairo composites as
 * boxes (no antialiasing, no tessellation). */
/* Rect kinds past the block types: the state strip, by state. */
#define STRIP_KIND(state) (32 + (state))

static void
push_rect (GArray  *rects,
           double   x0,
           double   x1,
           double   y,
           double   h,
           int      kind,
           gboolean faded)
{
  Rect r;

  x0 = floor (x0);
  /* At least one pixel wide, so short blocks never vanish when zoomed out. */
  x1 = MAX (round (x1), x0 + 1);
  r.x = (float) x0;
  r.y = (float) round (y);
  r.w = (float) (x1 - x0);
  r.h = (float) round (h);
  r.kind = (guint8) kind;
  r.faded = faded;
  g_array_append_val (rects, r);
}

/* Queues the pending bar as a pixel-aligned rectangle: all rectangles of
 * one colour are filled at the end as one path, which cairo composites as
 * boxes (no antialiasing, no tessellation). Narrow blocks merged into it
 * get one strip cell coloured by the state they spent most time in, so
 * waiting stays visible when zoomed out. */
static void
flush_pending (GArray  *rects,
               Pending *p,
               double   y,
               double   h,
               double   strip_h)
{
  double total;
  int    best = 0;

  if (p->kind < 0)
    return;
  push_rect (rects, p->x0, p->x1, y, h, p->kind, p->alpha < 1.0);

  total = p->state[0] + p->state[1] + p->state[2] + p->state[3];
  if (strip_h > 0 && total > 0)
    {
      for (int i = 1; i < 4; i++)
        if (p->state[i] > p->state[best])
          best = i;
      if (best != 0)
        push_rect (rects, p->x0, p->x1, y + h + 1, strip_h, STRIP_KIND (best), FALSE);
    }
  memset (p->state, 0, sizeof p->state);
  p->kind = -1;
}

static void
fill_rects (cairo_t             *cr,
            GArray              *rects,
            const IlChartColors *colors)
{
  const GdkRGBA *strips[4] = { NULL, &colors->ready, &colors->blocked, &colors->gil_wait };

  for (guint kind = 0; kind < STRIP_KIND (4); kind++)
    for (guint faded = 0; faded < 2; faded++)
      {
        gboolean any = FALSE;

        if (kind > IL_N_BLOCK_TYPES && (kind <= STRIP_KIND (0) || faded))
          continue;
        for (guint i = 0; i < rects->len; i++)
          {
            const Rect *r = &g_array_index (rects, Rect, i);

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
          il_chart_set_source (cr, strips[kind - STRIP_KIND (0)], 1.0);
        cairo_fill (cr);
      }
}

static void
draw_state_strip (cairo_t             *cr,
                  const gint64         state[4],
                  double               x0,
                  double               x1,
                  double               y,
                  double               h,
                  const IlChartColors *colors)
{
  const GdkRGBA *fills[4] = { NULL, &colors->ready, &colors->blocked, &colors->gil_wait };
  double         total = 0, x = x0;

  for (guint i = 0; i < 4; i++)
    if (state[i] > 0)
      total += state[i];
  if (state[0] < 0 || total <= 0)
    return;

  for (guint i = 0; i < 4; i++)
    {
      double w;

      if (state[i] <= 0)
        continue;
      w = (x1 - x0) * state[i] / total;
      /* Running is the bar's own colour above: leave it as a gap. */
      if (fills[i] != NULL)
        {
          il_chart_set_source (cr, fills[i], 1.0);
          cairo_rectangle (cr, x, y, w, h);
          cairo_fill (cr);
        }
      x += w;
    }
}

static void
draw_legend (cairo_t             *cr,
             double               x,
             double               y,
             double               max_x,
             gboolean             gil,
             const IlChartColors *colors)
{
  static const char *names[IL_N_BLOCK_TYPES] = { "CPU", "sleep", "HTTP", "file write", "file read" };

  for (guint i = 0; i < IL_N_BLOCK_TYPES && x < max_x; i++)
    x += il_chart_legend_item (cr, x, y, &colors->block[i], FALSE, FALSE, names[i], &colors->fg);
  if (x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->ready, FALSE, FALSE, "ready", &colors->fg);
  if (x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->blocked, FALSE, FALSE, "blocked", &colors->fg);
  if (gil && x < max_x)
    x += il_chart_legend_item (cr, x, y, &colors->gil_wait, FALSE, FALSE, "GIL wait", &colors->fg);
  if (gil && x < max_x)
    il_chart_legend_item (cr, x, y, &colors->gil_hold, FALSE, FALSE, "GIL held", &colors->fg);
}

static void
il_timeline_chart_draw (IlChart             *chart,
                        cairo_t             *cr,
                        int                  width,
                        int                  height,
                        const IlChartColors *colors)
{
  IlTimelineChart      *self = IL_TIMELINE_CHART (chart);
  IlTimelineData       *data = self->data;
  const IlTimelineTask *tasks;
  Pending              *pending;
  Geometry              g;
  double                step, x_title = 8;
  gint64                now_us;

  compute_geometry (self, width, height, &g);

  /* Title and legend */
  if (data != NULL && data->title != NULL)
    x_title += il_chart_text (cr, data->title, 8, g.top - ROW_H / 2, 0, 0.5, 1.0, TRUE, &colors->fg) + 16;
  if (self->legend)
    draw_legend (cr, MAX (x_title, LABEL_W), g.top - ROW_H / 2, width - 60,
                 data != NULL && data->has_gil, colors);
  else if (data != NULL && data->has_gil)
    {
      /* Small multiples carry one legend; the GIL's colours are explained
       * where the GIL appears. */
      double x = MAX (x_title, LABEL_W);

      x += il_chart_legend_item (cr, x, g.top - ROW_H / 2, &colors->gil_wait, FALSE, FALSE, "GIL wait", &colors->fg);
      il_chart_legend_item (cr, x, g.top - ROW_H / 2, &colors->gil_hold, FALSE, FALSE, "GIL held", &colors->fg);
    }

  /* Grid and time axis */
  step = il_chart_nice_step (g.end_us - g.start_us, MAX ((int) (g.plot_w / 110), 2));
  cairo_set_line_width (cr, 1);
  for (double t = ceil (g.start_us / step) * step; t <= g.end_us + step * 1e-6; t += step)
    {
      double           x = round (x_of (&g, t)) + 0.5;
      g_autofree char *label = il_chart_format_time (t, step);

      il_chart_set_source (cr, &colors->grid, 1.0);
      cairo_move_to (cr, x, g.plot_y);
      cairo_line_to (cr, x, g.plot_y + g.lanes_h + 4);
      cairo_stroke (cr);
      il_chart_axis_label (cr, label, x, g.plot_y + g.lanes_h + 5, 0, width - 2, &colors->dim);
    }

  /* Lane labels and separators */
  for (guint lane = 0; lane < g.n_lanes; lane++)
    {
      const LaneGeometry *l = &g.lanes[lane];
      double              y = l->y;

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
          g_autofree char      *count = g_strdup_printf ("%u in flight", info->max_open);

          if (l->h >= 30)
            {
              il_chart_text (cr, "loop", g.plot_x - 6, y + l->h / 2 - 1, 1, 1, 0.85, FALSE, &colors->dim);
              il_chart_text (cr, count, g.plot_x - 6, y + l->h / 2 + 1, 1, 0, 0.7, FALSE, &colors->dim);
            }
          else
            {
              il_chart_text (cr, "loop", g.plot_x - 6, y + l->h / 2, 1, 0.5, 0.85, FALSE, &colors->dim);
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
          g_autofree char *label = g_strdup_printf ("worker %u", lane);

          il_chart_text (cr, label, g.plot_x - 6, y + l->h / 2, 1, 0.5,
                         l->h >= 14 ? 0.85 : 0.7, FALSE, &colors->dim);
        }
    }

  if (data == NULL || data->tasks->len == 0)
    {
      il_chart_text (cr, data == NULL ? "No run yet" : "Waiting for the first task…",
                     g.plot_x + g.plot_w / 2, g.plot_y + g.plot_h / 2 - AXIS_H / 2,
                     0.5, 0.5, 1.0, FALSE, &colors->dim);
      return;
    }

  now_us = data->end_us;
  tasks = (const IlTimelineTask *) (gconstpointer) data->tasks->data;

  cairo_save (cr);
  cairo_rectangle (cr, g.plot_x, g.plot_y, g.plot_w, g.lanes_h);
  cairo_clip (cr);

  /* One pending bar per sub-row */
  if (self->pending->len < g.n_rows)
    g_array_set_size (self->pending, g.n_rows);
  pending = (Pending *) (gpointer) self->pending->data;
  for (guint i = 0; i < g.n_rows; i++)
    {
      pending[i].kind = -1;
      memset (pending[i].state, 0, sizeof pending[i].state);
    }

  /* Blocks */
  for (guint i = 0; i < data->blocks->len; i++)
    {
      const IlTimelineBlock *b = &g_array_index (data->blocks, IlTimelineBlock, i);
      gint64                 end = b->end_us >= 0 ? b->end_us : now_us;
      double                 alpha = b->end_us >= 0 ? 1.0 : 0.55;
      const LaneGeometry    *l;
      double                 x0, x1, y, bar_h, strip_h;
      guint                  row;
      Pending               *p;

      if (end < g.start_us || b->start_us > g.end_us || b->worker < 0 || (guint) b->worker >= g.n_lanes)
        continue;
      l = &g.lanes[b->worker];
      row = MIN (tasks[b->task_slot].row, l->n_rows - 1);
      x0 = x_of (&g, b->start_us);
      x1 = x_of (&g, end);
      y = row_y (l, row);
      bar_h = l->bar_h;
      strip_h = l->strip_h;
      p = &pending[l->first_row + row];

      /* Merge into the pending bar when the block continues it, or when
       * the pending bar is still under a pixel wide: zoomed out, each pixel
       * column then costs one rectangle whatever the number of tasks, and
       * takes the colour of the type that covers most of it. */
      if (p->kind >= 0 && x0 <= p->x1 + 0.5 &&
          ((p->kind == b->type && p->alpha == alpha) || p->x1 - p->x0 < 1.0))
        {
          guint k = MIN (b->type, IL_N_BLOCK_TYPES);

          p->x1 = MAX (p->x1, x1);
          p->weight[k] += x1 - x0;
          if (p->weight[k] > p->weight[p->kind])
            p->kind = k;
        }
      else
        {
          flush_pending (self->rects, p, y, bar_h, strip_h);
          p->x0 = x0;
          p->x1 = x1;
          p->kind = b->type < IL_N_BLOCK_TYPES ? b->type : IL_N_BLOCK_TYPES;
          p->alpha = alpha;
          memset (p->weight, 0, sizeof p->weight);
          p->weight[p->kind] = x1 - x0;
        }

      if (strip_h > 0 && x1 - x0 >= 3)
        draw_state_strip (cr, b->state, x0, x1, y + bar_h + 1, strip_h, colors);
      else if (strip_h > 0 && b->state[0] >= 0)
        for (guint s = 0; s < 4; s++)
          p->state[s] += MAX (b->state[s], 0);
    }
  for (guint lane = 0; lane < g.n_lanes; lane++)
    {
      const LaneGeometry *l = &g.lanes[lane];

      for (guint row = 0; row < l->n_rows; row++)
        flush_pending (self->rects, &pending[l->first_row + row], row_y (l, row),
                       l->bar_h, l->strip_h);
    }
  fill_rects (cr, self->rects, colors);
  /* Keep the storage for the next frame, unless a huge one grew it. */
  if (self->rects->len > 65536)
    {
      g_array_unref (self->rects);
      self->rects = g_array_new (FALSE, FALSE, sizeof (Rect));
    }
  else
    g_array_set_size (self->rects, 0);

  /* Task outlines: where tasks are wide enough to tell apart, and failures */
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < data->tasks->len; i++)
    {
      const IlTimelineTask *t = &tasks[i];
      gint64                end = t->end_us >= 0 ? t->end_us : now_us;
      const LaneGeometry   *l;
      double                x0, x1, y, bar_h;

      if (end < g.start_us || t->start_us > g.end_us || t->worker < 0 || (guint) t->worker >= g.n_lanes)
        continue;
      l = &g.lanes[t->worker];
      x0 = x_of (&g, t->start_us);
      x1 = x_of (&g, end);
      y = row_y (l, t->row);
      bar_h = l->bar_h;

      if (t->n_blocks == 0)
        {
          il_chart_set_source (cr, &colors->accent, 0.5);
          cairo_rectangle (cr, x0, y, MAX (x1 - x0, 1), bar_h);
          cairo_fill (cr);
        }
      if (t->failed)
        {
          il_chart_set_source (cr, &colors->failed, 1.0);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, x0 + 1, y + 1, MAX (x1 - x0 - 2, 1), bar_h - 2);
          cairo_stroke (cr);
          cairo_set_line_width (cr, 1);
        }
      else if (x1 - x0 >= 6 && l->row_h >= 8)
        {
          il_chart_set_source (cr, &colors->bg, 0.9);
          cairo_move_to (cr, round (x0) + 0.5, y);
          cairo_line_to (cr, round (x0) + 0.5, y + bar_h);
          cairo_stroke (cr);
        }
    }

  /* The GIL: held (dark) or waited for (red), per lane */
  if (data->has_gil)
    {
      for (guint i = 0; i < data->spans->len; i++)
        {
          const IlTimelineSpan *s = &g_array_index (data->spans, IlTimelineSpan, i);
          const LaneGeometry   *l;
          double                x0, x1, y;

          if (s->end_us < g.start_us || s->start_us > g.end_us || s->worker < 0 || (guint) s->worker >= g.n_lanes)
            continue;
          l = &g.lanes[s->worker];
          x0 = x_of (&g, s->start_us);
          x1 = x_of (&g, s->end_us);
          y = l->y + l->h - l->band_h - 1;
          il_chart_set_source (cr, s->kind == IL_SPAN_GIL_HOLD ? &colors->gil_hold : &colors->gil_wait, 1.0);
          cairo_rectangle (cr, x0, y, MAX (x1 - x0, 1), l->band_h);
          cairo_fill (cr);
        }
    }

  cairo_restore (cr);

  if (data->dropped > 0)
    {
      g_autofree char *note = g_strdup_printf ("%" G_GUINT64_FORMAT " events not shown (cap)", data->dropped);

      il_chart_text (cr, note, width - PAD_R, g.top - ROW_H / 2, 1, 0.5, 0.8, FALSE, &colors->dim);
    }
  else if (il_time_range_get_zoomed (self->range))
    {
      il_chart_text (cr, "zoomed · 0 resets", width - PAD_R, g.top - ROW_H / 2, 1, 0.5, 0.8, FALSE, &colors->dim);
    }
}

static char *
il_timeline_chart_describe (IlChart *chart)
{
  IlTimelineChart *self = IL_TIMELINE_CHART (chart);
  IlTimelineData  *data = self->data;
  GString         *s;

  if (data == NULL)
    return g_strdup ("Timeline: no run yet");
  s = g_string_new ("Timeline");
  if (data->title != NULL)
    g_string_append_printf (s, " of %s", data->title);
  g_string_append_printf (s, ": %u tasks on %u workers, %u finished",
                          data->tasks->len, data->n_workers, data->n_finished);
  if (data->n_failed > 0)
    g_string_append_printf (s, ", %u failed", data->n_failed);
  if (data->end_us > 0)
    g_string_append_printf (s, ", %.1f ms", data->end_us / 1000.0);
  if (data->has_gil)
    g_string_append (s, "; the GIL band shows which worker holds the lock");
  for (guint i = 0; i < data->lanes->len; i++)
    {
      const IlTimelineLane *lane = &g_array_index (data->lanes, IlTimelineLane, i);

      if (lane->n_rows <= 1)
        continue;
      g_string_append_printf (s, "; worker %u is a loop with up to %u tasks in flight, "
                                 "each in a row of its own",
                              i, lane->max_open);
      if (lane->n_folded > 0)
        g_string_append_printf (s, " (only %u rows are drawn: %u tasks are folded into the last)",
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
  Geometry              g;
  GString              *s;
  double                t_us, slack;
  int                   lane, row = -1;

  g_return_val_if_fail (IL_IS_TIMELINE_CHART (self), NULL);

  if (self->data == NULL)
    return NULL;
  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  if (x < g.plot_x || x > g.plot_x + g.plot_w || y < g.plot_y)
    return NULL;
  lane = lane_at (&g, y);
  if (lane < 0)
    return NULL;
  if (g.lanes[lane].n_rows > 1)
    row = (int) MIN (floor ((y - g.lanes[lane].y) / g.lanes[lane].row_h), g.lanes[lane].n_rows - 1);
  t_us = g.start_us + (x - g.plot_x) / g.plot_w * (g.end_us - g.start_us);
  slack = 3 * (g.end_us - g.start_us) / g.plot_w;
  t = il_timeline_data_find (self->data, lane, row, (gint64) t_us, (gint64) slack);
  if (t == NULL)
    return NULL;

  s = g_string_new (NULL);
  if (t->group >= 0 && self->data->group_names != NULL &&
      (guint) t->group < g_strv_length (self->data->group_names))
    g_string_append_printf (s, "<b>%s</b> #%d", self->data->group_names[t->group], t->index);
  else if (t->group >= 0)
    g_string_append_printf (s, "<b>group %d</b> #%d", t->group, t->index);
  else
    g_string_append_printf (s, "<b>task %u</b>", t->task);
  if (t->failed)
    g_string_append (s, " — failed");
  g_string_append_printf (s, "\nworker %d", t->worker);
  if (row >= 0)
    g_string_append_printf (s, " (loop, row %d)", t->row + 1);
  if (t->pid > 0)
    g_string_append_printf (s, " · pid %d", t->pid);
  if (t->tid > 0)
    g_string_append_printf (s, " · tid %d", t->tid);
  if (t->cpu_start >= 0)
    {
      g_string_append_printf (s, " · core %d", t->cpu_start);
      if (t->cpu_end >= 0 && t->cpu_end != t->cpu_start)
        g_string_append_printf (s, " → %d", t->cpu_end);
    }
  g_string_append_printf (s, "\nstart %.3f ms", t->start_us / 1000.0);
  if (t->end_us >= 0)
    g_string_append_printf (s, ", end %.3f ms (%.3f ms)", t->end_us / 1000.0,
                            (t->end_us - t->start_us) / 1000.0);
  else
    g_string_append (s, ", running");
  if (t->state[0] >= 0)
    {
      g_string_append_c (s, '\n');
      fmt_us (s, "running", t->state[0]);
      fmt_us (s, ", ready", t->state[1]);
      fmt_us (s, ", blocked", t->state[2]);
      if (t->state[3] > 0)
        fmt_us (s, ", GIL wait", t->state[3]);
    }
  if (t->n_blocks > 0)
    {
      guint32 slot = t - (const IlTimelineTask *) (gconstpointer) self->data->tasks->data;
      guint   shown = 0;

      g_string_append_printf (s, "\n%u block%s:", t->n_blocks, t->n_blocks == 1 ? "" : "s");
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
                                  b->type < IL_N_BLOCK_TYPES ? il_block_type_to_string (b->type) : "?");
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

      g_string_append_printf (s, "\nerror: %s", escaped);
    }
  return g_string_free (s, FALSE);
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
      double lanes = self->data != NULL ? total_weight (self->data, MAX (self->data->n_workers, 1)) : 2;
      int    extra = (int) (4 + ROW_H + 2 + AXIS_H);

      /* Scrolled windows allocate the minimum: keep lanes readable there. */
      *minimum = extra + (int) ceil (MIN (lanes * 20, 320));
      *natural = extra + (int) ceil (MIN (lanes * 44, 420));
    }
}

/* ---- interaction ---- */

static double
pointer_time (IlTimelineChart *self,
              double           x)
{
  Geometry g;

  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  return g.start_us + (x - g.plot_x) / g.plot_w * (g.end_us - g.start_us);
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           IlTimelineChart          *self)
{
  self->pointer_x = x;
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           IlTimelineChart          *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if ((state & GDK_CONTROL_MASK) != 0)
    {
      il_time_range_zoom (self->range, exp (-dy * 0.15), pointer_time (self, self->pointer_x));
      return TRUE;
    }
  /* Sideways scrolling pans; plain vertical scrolling belongs to the page. */
  if (fabs (dx) > fabs (dy) && il_time_range_get_zoomed (self->range))
    {
      il_time_range_pan (self->range, dx * 0.05);
      return TRUE;
    }
  return FALSE;
}

static void
drag_begin_cb (GtkGestureDrag  *drag,
               double           x,
               double           y,
               IlTimelineChart *self)
{
  il_time_range_get_view (self->range, &self->drag_start_us, &self->drag_end_us);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
drag_update_cb (GtkGestureDrag  *drag,
                double           offset_x,
                double           offset_y,
                IlTimelineChart *self)
{
  Geometry g;
  double   shift;

  if (!il_time_range_get_zoomed (self->range))
    return;
  compute_geometry (self, gtk_widget_get_width (GTK_WIDGET (self)),
                    gtk_widget_get_height (GTK_WIDGET (self)), &g);
  shift = -offset_x / g.plot_w * (self->drag_end_us - self->drag_start_us);
  il_time_range_set_view (self->range, self->drag_start_us + shift, self->drag_end_us + shift);
}

static void
zoom_begin_cb (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               IlTimelineChart  *self)
{
  il_time_range_get_view (self->range, &self->drag_start_us, &self->drag_end_us);
}

static void
zoom_scale_changed_cb (GtkGestureZoom  *gesture,
                       double           scale,
                       IlTimelineChart *self)
{
  double cx, cy, anchor, span;

  if (scale <= 0)
    return;
  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    cx = self->pointer_x;
  anchor = pointer_time (self, cx);
  span = (self->drag_end_us - self->drag_start_us) / scale;
  anchor = CLAMP (anchor, self->drag_start_us, self->drag_end_us);
  il_time_range_set_view (self->range,
                          anchor - (anchor - self->drag_start_us) / scale,
                          anchor - (anchor - self->drag_start_us) / scale + span);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                IlTimelineChart       *self)
{
  double start, end;

  il_time_range_get_view (self->range, &start, &end);
  switch (keyval)
    {
      case GDK_KEY_plus:
      case GDK_KEY_equal:
      case GDK_KEY_KP_Add:
        il_time_range_zoom (self->range, 1.5, (start + end) / 2);
        return TRUE;
      case GDK_KEY_minus:
      case GDK_KEY_KP_Subtract:
        il_time_range_zoom (self->range, 1 / 1.5, (start + end) / 2);
        return TRUE;
      case GDK_KEY_0:
      case GDK_KEY_KP_0:
      case GDK_KEY_Home:
        il_time_range_reset (self->range);
        return TRUE;
      case GDK_KEY_Left:
        il_time_range_pan (self->range, -0.1);
        return il_time_range_get_zoomed (self->range);
      case GDK_KEY_Right:
        il_time_range_pan (self->range, 0.1);
        return il_time_range_get_zoomed (self->range);
      default:
        return FALSE;
    }
}

static void
range_changed_cb (IlTimelineChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
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

  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->rects, g_array_unref);
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
  GtkEventController *controller;
  GtkGesture         *gesture;

  self->pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  self->rects = g_array_new (FALSE, FALSE, sizeof (Rect));
  self->lanes = g_array_new (FALSE, TRUE, sizeof (LaneGeometry));
  self->legend = TRUE;
  self->max_lane = MAX_LANE;
  il_timeline_chart_set_range (self, NULL);
  il_chart_set_title (IL_CHART (self), "Timeline");

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
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
