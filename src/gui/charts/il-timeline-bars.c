/* il-timeline-bars.c — what the timeline draws for the blocks in view, at
 * any zoom, in work bounded by the plot's size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure: no drawing, tested without a display. Each sub-row's blocks are
 * found by binary search in the index (il-timeline-index.c). Walking them
 * left to right, where DENSE or more blocks start in one pixel column the
 * walk jumps to the column's last block (another search), and the ones in
 * between are summed up from the index's buckets of IL_TIMELINE_BUCKET
 * blocks (µs per type and per state, precomputed): that column costs one bar, coloured by the block type that covers most of it,
 * and one strip cell in the state its blocks spent most time in. Where
 * blocks are a pixel or wider they are drawn one by one, as before. Task
 * marks (failed, no blocks), task separators and the GIL band skip the
 * same way: at most the first and the last item that start in a column.
 */
#include "il-timeline-layout.h"

#include <math.h>
#include <string.h>

#include "il-chart-data.h"

#define DENSE 8 /* blocks starting in one pixel column: aggregate them */

typedef struct
{
  double x0, x1;
  int    kind; /* block type, or -1 none */
  double alpha;
  double weight[IL_N_BLOCK_TYPES + 1]; /* pixels covered per type */
  double state[IL_N_STATES];           /* µs per state of narrow blocks */
} Pending;

void
il_timeline_bars_init (IlTimelineBars *bars)
{
  memset (bars, 0, sizeof *bars);
  bars->rects = g_array_new (FALSE, FALSE, sizeof (IlTimelineRect));
  bars->strips = g_array_new (FALSE, FALSE, sizeof (IlTimelineStrip));
  bars->marks = g_array_new (FALSE, FALSE, sizeof (IlTimelineRect));
  bars->pending = g_array_new (FALSE, TRUE, sizeof (Pending));
}

void
il_timeline_bars_clear (IlTimelineBars *bars)
{
  g_clear_pointer (&bars->rects, g_array_unref);
  g_clear_pointer (&bars->strips, g_array_unref);
  g_clear_pointer (&bars->marks, g_array_unref);
  g_clear_pointer (&bars->pending, g_array_unref);
}

/* A pixel-aligned rectangle: all rectangles of one colour are filled at the
 * end as one path, which cairo composites as boxes. */
static void
push_rect (GArray  *rects,
           double   x0,
           double   x1,
           double   y,
           double   h,
           int      kind,
           gboolean faded)
{
  IlTimelineRect r;

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

static void
push_mark (GArray *marks,
           double  x,
           double  y,
           double  w,
           double  h,
           int     kind)
{
  IlTimelineRect r = { (float) x, (float) y, (float) w, (float) h, (guint8) kind, FALSE };

  g_array_append_val (marks, r);
}

/* Queues the pending bar. Narrow blocks merged into it get one strip cell
 * coloured by the state they spent most time in (running is the bar's own
 * colour: no cell), so waiting stays visible when zoomed out. */
static void
flush_pending (GArray  *rects,
               Pending *p,
               double   y,
               double   h,
               double   strip_h)
{
  double total = 0;
  int    best = 0;

  if (p->kind < 0)
    return;
  push_rect (rects, p->x0, p->x1, y, h, p->kind, p->alpha < 1.0);
  for (int i = 0; i < IL_N_STATES; i++)
    total += p->state[i];
  if (strip_h > 0 && total > 0)
    {
      for (int i = 1; i < IL_N_STATES; i++)
        if (p->state[i] > p->state[best])
          best = i;
      if (best != 0)
        push_rect (rects, p->x0, p->x1, y + h + 1, strip_h, IL_TIMELINE_STRIP_KIND (best), FALSE);
    }
  memset (p->state, 0, sizeof p->state);
  p->kind = -1;
}

/* The time at the left edge of the pixel column right of @x's. */
static gint64
next_column_us (const IlTimelineLayout *g,
                double                  x)
{
  double t = il_timeline_layout_time_at (g, floor (x) + 1);

  return t >= (double) G_MAXINT64 ? G_MAXINT64 : (gint64) ceil (t);
}

/* The pixel column being summed up: blocks under a pixel that start in it. */
typedef struct
{
  gboolean any;
  double   index; /* floor (x) */
  double   x0, x1;
  double   alpha;
  double   weight[IL_N_BLOCK_TYPES + 1];
  double   state[IL_N_STATES];
} Column;

typedef struct
{
  const IlTimelineLayout *g;
  const IlTimelineData   *data;
  const IlTimelineList   *list;
  GArray                 *rects;
  GArray                 *strips;
  Pending                *p;
  Column                  col;
  double                  y, bar_h, strip_h;
  gint64                  now_us;
} Row;

/* Closes the pixel column being summed up: its bar extends the pending
 * one where both have the same colour, otherwise starts the next. */
static void
close_column (Row *r)
{
  Pending *p = r->p;
  Column  *c = &r->col;
  int      kind = 0;

  if (!c->any)
    return;
  for (int k = 1; k <= IL_N_BLOCK_TYPES; k++)
    if (c->weight[k] > c->weight[kind])
      kind = k;
  if (p->kind >= 0 && c->x0 <= p->x1 + 0.5 && p->kind == kind && p->alpha == c->alpha)
    p->x1 = MAX (p->x1, c->x1);
  else
    {
      flush_pending (r->rects, p, r->y, r->bar_h, r->strip_h);
      p->x0 = c->x0;
      p->x1 = c->x1;
      p->kind = kind;
      p->alpha = c->alpha;
      memset (p->weight, 0, sizeof p->weight);
    }
  for (int k = 0; k <= IL_N_BLOCK_TYPES; k++)
    p->weight[k] += c->weight[k];
  for (int s = 0; s < IL_N_STATES; s++)
    p->state[s] += c->state[s];
  c->any = FALSE;
}

/* The column @x is in, started if it is not the one being summed up. */
static Column *
column_at (Row   *r,
           double x)
{
  Column *c = &r->col;
  double  index = floor (x);

  if (c->any && c->index != index)
    close_column (r);
  if (!c->any)
    {
      memset (c, 0, sizeof *c);
      c->any = TRUE;
      c->index = index;
      c->x0 = x;
      c->x1 = x;
      c->alpha = 1.0;
    }
  return c;
}

static void
add_block (Row                   *r,
           guint32                index,
           const IlTimelineBlock *b)
{
  Pending *p = r->p;
  gint64   end = b->end_us >= 0 ? b->end_us : r->now_us;
  double   alpha = b->end_us >= 0 ? 1.0 : 0.55;
  double   x0 = il_timeline_layout_x_of (r->g, b->start_us);
  double   x1 = il_timeline_layout_x_of (r->g, end);
  int      k = MIN (b->type, IL_N_BLOCK_TYPES);

  if (x1 - x0 < 1.0)
    {
      /* Under a pixel: summed up with the others that start in its column. */
      Column *c = column_at (r, x0);

      c->weight[k] += MAX (x1 - x0, 1e-3);
      c->x1 = MAX (c->x1, x1);
      c->alpha = MIN (c->alpha, alpha);
      if (r->strip_h > 0 && b->state.valid)
        for (IlState s = 0; s < IL_N_STATES; s++)
          c->state[s] += MAX (il_state_times_get (&b->state, s), 0);
      return;
    }

  /* A pixel or wider: its own bar, or the pending one's if it continues it. */
  close_column (r);
  if (p->kind >= 0 && x0 <= p->x1 + 0.5 && ((p->kind == k && p->alpha == alpha) || p->x1 - p->x0 < 1.0))
    {
      p->x1 = MAX (p->x1, x1);
      p->weight[k] += x1 - x0;
      if (p->weight[k] > p->weight[p->kind])
        p->kind = k;
    }
  else
    {
      flush_pending (r->rects, p, r->y, r->bar_h, r->strip_h);
      p->x0 = x0;
      p->x1 = x1;
      p->kind = k;
      p->alpha = alpha;
      memset (p->weight, 0, sizeof p->weight);
      p->weight[k] = x1 - x0;
    }

  if (r->strip_h > 0 && x1 - x0 >= 3)
    {
      IlTimelineStrip s = { index, (float) x0, (float) x1, (float) (r->y + r->bar_h + 1), (float) r->strip_h };

      g_array_append_val (r->strips, s);
    }
  else if (r->strip_h > 0 && b->state.valid)
    for (IlState s = 0; s < IL_N_STATES; s++)
      p->state[s] += MAX (il_state_times_get (&b->state, s), 0);
}

/* Blocks [from, to) of the row all start in one pixel column: summed up
 * from the buckets that begin among them (precomputed once per data
 * change), or one by one where none does. Returns what it looked at. */
static guint
add_dense (Row  *r,
           guint from,
           guint to)
{
  gint64  last_end = il_timeline_list_latest_end (r->list, to - 1);
  guint   b0 = (from + IL_TIMELINE_BUCKET - 1) / IL_TIMELINE_BUCKET;
  guint   b1 = (to + IL_TIMELINE_BUCKET - 1) / IL_TIMELINE_BUCKET;
  Column *c = column_at (r, il_timeline_layout_x_of (r->g, il_timeline_list_start (r->list, from)));
  guint   looked = 0;

  c->x1 = MAX (c->x1, il_timeline_layout_x_of (r->g, last_end == G_MAXINT64 ? r->now_us : last_end));
  if (r->list->sums != NULL && b1 > b0 && b1 <= r->list->sums->len)
    {
      const IlTimelineSums *sums = (const IlTimelineSums *) (gconstpointer) r->list->sums->data;
      double                px_per_us = r->g->plot_w / (r->g->end_us - r->g->start_us);

      for (guint b = b0; b < b1; b++)
        {
          for (int k = 0; k <= IL_N_BLOCK_TYPES; k++)
            c->weight[k] += sums[b].type_us[k] * px_per_us;
          if (r->strip_h > 0)
            for (int st = 0; st < IL_N_STATES; st++)
              c->state[st] += sums[b].state_us[st];
          looked++;
        }
      return looked;
    }

  for (guint i = from; i < to; i++)
    {
      IlTimelineBlock        buf;
      const IlTimelineBlock *b = il_timeline_data_block (r->data, il_timeline_list_item (r->list, i), &buf);
      gint64                 end;

      if (b == NULL)
        continue;
      end = b->end_us >= 0 ? b->end_us : r->now_us;
      c->weight[MIN (b->type, IL_N_BLOCK_TYPES)] +=
        MAX (il_timeline_layout_x_of (r->g, end) - il_timeline_layout_x_of (r->g, b->start_us), 1e-3);
      if (b->end_us < 0)
        c->alpha = 0.55;
      if (r->strip_h > 0 && b->state.valid)
        for (IlState st = 0; st < IL_N_STATES; st++)
          c->state[st] += MAX (il_state_times_get (&b->state, st), 0);
      looked++;
    }
  return looked;
}

static guint
row_blocks (Row *r)
{
  const IlTimelineLayout *g = r->g;
  guint                   i, end, looked = 0;

  il_timeline_list_window (r->list, (gint64) floor (g->start_us), (gint64) ceil (g->end_us), &i, &end);
  while (i < end)
    {
      IlTimelineBlock        buf;
      const IlTimelineBlock *b;

      looked++;
      if (i + DENSE < end)
        {
          gint64 next_us = next_column_us (g, il_timeline_layout_x_of (g, il_timeline_list_start (r->list, i)));

          if (il_timeline_list_start (r->list, i + DENSE - 1) < next_us)
            {
              guint j = il_timeline_list_seek (r->list, i + DENSE, end, next_us);

              gint64 last_end = il_timeline_list_latest_end (r->list, j - 1);

              /* The column's last block too if it ends in the column (read
               * from the index: no block touched), else it is drawn on its own. */
              if (last_end != G_MAXINT64 && last_end < next_us)
                {
                  looked += add_dense (r, i, j);
                  i = j;
                  continue;
                }
              looked += add_dense (r, i, j - 1);
              i = j - 1;
            }
        }
      b = il_timeline_data_block (r->data, il_timeline_list_item (r->list, i), &buf);
      if (b != NULL)
        add_block (r, il_timeline_list_item (r->list, i), b);
      i++;
    }
  close_column (r);
  flush_pending (r->rects, r->p, r->y, r->bar_h, r->strip_h);
  return looked;
}

/* The position after @i to look at next: the last item that starts in @x's
 * pixel column, when more than one does (the ones in between are under a
 * pixel and covered by it), otherwise the next. */
static guint
skip_column (const IlTimelineLayout *g,
             const IlTimelineList   *list,
             guint                   i,
             guint                   end,
             double                  x)
{
  gint64 next_us;
  guint  j;

  if (i + 2 >= end)
    return i + 1;
  next_us = next_column_us (g, x);
  if (il_timeline_list_start (list, i + 2) >= next_us)
    return i + 1;
  j = il_timeline_list_seek (list, i + 2, end, next_us);
  return j - 1;
}

static guint
row_tasks (const IlTimelineLayout       *g,
           IlTimelineData               *data,
           const IlTimelineLaneGeometry *l,
           guint                         lane,
           guint                         row,
           IlTimelineBars               *bars)
{
  const IlTimelineList *list;
  IlTimelineTask        buf;
  double                y = il_timeline_layout_row_y (l, row);
  guint                 i, end, looked = 0;

  /* Marks: tasks without blocks, failed ones. */
  list = il_timeline_list_get (data->mark_lists, IL_TIMELINE_LIST_KEY (lane, row));
  if (list != NULL)
    {
      il_timeline_list_window (list, (gint64) floor (g->start_us), (gint64) ceil (g->end_us), &i, &end);
      while (i < end)
        {
          const IlTimelineTask *t = il_timeline_data_task (data, g_array_index (list->items, guint32, i), &buf);
          gint64                stop = t->end_us >= 0 ? t->end_us : data->end_us;
          double                x0 = il_timeline_layout_x_of (g, t->start_us);
          double                x1 = il_timeline_layout_x_of (g, stop);

          looked++;
          if (t->n_blocks == 0)
            push_mark (bars->marks, x0, y, MAX (x1 - x0, 1), l->bar_h, IL_TIMELINE_KIND_NO_BLOCKS);
          if (t->failed)
            push_mark (bars->marks, x0 + 1, y + 1, MAX (x1 - x0 - 2, 1), l->bar_h - 2, IL_TIMELINE_KIND_FAILED);
          i = skip_column (g, list, i, end, x0);
        }
    }

  /* A line where each task starts, where tasks are wide enough to tell apart. */
  if (l->row_h < 8)
    return looked;
  list = il_timeline_list_get (data->task_lists, IL_TIMELINE_LIST_KEY (lane, row));
  if (list == NULL)
    return looked;
  il_timeline_list_window (list, (gint64) floor (g->start_us), (gint64) ceil (g->end_us), &i, &end);
  while (i < end)
    {
      guint32               item = g_array_index (list->items, guint32, i);
      gint64                start, stop;
      double                x0, x1;
      const IlTimelineTask *t;

      /* The rest of a bucket of tasks all narrower than a separator needs
       * (its first start and latest end are in the index): skipped unread. */
      if (i / IL_TIMELINE_BUCKET < list->n_starts && i / IL_TIMELINE_BUCKET < list->max_end->len)
        {
          gint64 first = g_array_index (list->first_start, gint64, i / IL_TIMELINE_BUCKET);
          gint64 latest = g_array_index (list->max_end, gint64, i / IL_TIMELINE_BUCKET);

          if (latest != G_MAXINT64 && il_timeline_layout_x_of (g, latest) - il_timeline_layout_x_of (g, first) < 6)
            {
              looked++;
              i = (i / IL_TIMELINE_BUCKET + 1) * IL_TIMELINE_BUCKET;
              continue;
            }
        }
      /* Its times first (from the index's source): only wide tasks are
       * read whole. */
      il_timeline_data_item_times (data, IL_TIMELINE_ITEM_TASK, item, &start, &stop);
      x0 = il_timeline_layout_x_of (g, start);
      x1 = il_timeline_layout_x_of (g, stop >= 0 ? stop : data->end_us);
      looked++;
      if (x1 - x0 < 6)
        {
          i = skip_column (g, list, i, end, x0);
          continue;
        }
      t = il_timeline_data_task (data, item, &buf);
      if (!t->failed)
        push_mark (bars->marks, round (x0) + 0.5, y, 0, l->bar_h, IL_TIMELINE_KIND_SEPARATOR);
      i = skip_column (g, list, i, end, x0);
    }
  return looked;
}

static guint
lane_spans (const IlTimelineLayout       *g,
            IlTimelineData               *data,
            const IlTimelineLaneGeometry *l,
            guint                         lane,
            IlTimelineBars               *bars)
{
  const IlTimelineSpan *spans = (const IlTimelineSpan *) (gconstpointer) data->spans->data;
  const IlTimelineList *list = il_timeline_list_get (data->span_lists, lane);
  double                y = l->y + l->h - l->band_h - 1;
  guint                 i, end, looked = 0;

  if (list == NULL)
    return 0;
  il_timeline_list_window (list, (gint64) floor (g->start_us), (gint64) ceil (g->end_us), &i, &end);
  while (i < end)
    {
      const IlTimelineSpan *s = &spans[g_array_index (list->items, guint32, i)];
      double                x0 = il_timeline_layout_x_of (g, s->start_us);
      double                x1 = il_timeline_layout_x_of (g, s->end_us);

      looked++;
      push_mark (bars->marks, x0, y, MAX (x1 - x0, 1), l->band_h,
                 s->kind == IL_SPAN_GIL_HOLD ? IL_TIMELINE_KIND_GIL_HOLD : IL_TIMELINE_KIND_GIL_WAIT);
      i = skip_column (g, list, i, end, x0);
    }
  return looked;
}

void
il_timeline_bars_compute (IlTimelineBars         *bars,
                          const IlTimelineLayout *g,
                          IlTimelineData         *data)
{
  Pending *pending;

  g_return_if_fail (bars != NULL && g != NULL && data != NULL);

  /* Keep the storage for the next frame, unless a huge one grew it. */
  if (bars->rects->len > 65536)
    {
      g_array_unref (bars->rects);
      bars->rects = g_array_new (FALSE, FALSE, sizeof (IlTimelineRect));
    }
  g_array_set_size (bars->rects, 0);
  g_array_set_size (bars->strips, 0);
  g_array_set_size (bars->marks, 0);
  bars->looked_at = 0;
  if (g->end_us <= g->start_us)
    return;

  il_timeline_data_prepare_index (data);
  if (bars->pending->len < g->n_rows)
    g_array_set_size (bars->pending, g->n_rows);
  pending = (Pending *) (gpointer) bars->pending->data;

  for (guint lane = 0; lane < g->n_lanes; lane++)
    {
      const IlTimelineLaneGeometry *l = &g->lanes[lane];

      for (guint row = 0; row < l->n_rows; row++)
        {
          Row r = { 0 };

          r.list = il_timeline_list_get (data->block_lists, IL_TIMELINE_LIST_KEY (lane, row));
          if (r.list != NULL)
            {
              r.g = g;
              r.data = data;
              r.rects = bars->rects;
              r.strips = bars->strips;
              r.p = &pending[l->first_row + row];
              r.p->kind = -1;
              memset (r.p->state, 0, sizeof r.p->state);
              r.y = il_timeline_layout_row_y (l, row);
              r.bar_h = l->bar_h;
              r.strip_h = l->strip_h;
              r.now_us = data->end_us;
              bars->looked_at += row_blocks (&r);
            }
        }
    }
  /* Marks go over the bars: after all of them. */
  for (guint lane = 0; lane < g->n_lanes; lane++)
    for (guint row = 0; row < g->lanes[lane].n_rows; row++)
      bars->looked_at += row_tasks (g, data, &g->lanes[lane], lane, row, bars);
  if (data->has_gil)
    for (guint lane = 0; lane < g->n_lanes; lane++)
      bars->looked_at += lane_spans (g, data, &g->lanes[lane], lane, bars);
}
