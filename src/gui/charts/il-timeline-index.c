/* il-timeline-index.c — per sub-row lists of tasks, blocks and spans in
 * start order, so that drawing and hit-testing look only at what is visible
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A million tasks cannot be walked every frame. Each sub-row keeps its
 * items' indices in start order and, per position, the latest end so far:
 * the items a window [t0, t1] overlaps are then two binary searches away.
 * Live, a worker's events come in time order, so appending keeps the order;
 * where it does not (a results file: flat task order), the list is sorted
 * once, on the next il_timeline_data_prepare_index().
 */
#include "il-chart-data.h"

#include <stdlib.h>
#include <string.h>

static inline gint64
item_start (gconstpointer base,
            gsize         stride,
            guint32       item)
{
  return ((const gint64 *) (gconstpointer) ((const char *) base + (gsize) item * stride))[0];
}

static inline gint64
item_end (gconstpointer base,
          gsize         stride,
          guint32       item)
{
  gint64 end = ((const gint64 *) (gconstpointer) ((const char *) base + (gsize) item * stride))[1];

  return end < 0 ? G_MAXINT64 : end;
}

static void
list_free (gpointer p)
{
  IlTimelineList *list = p;

  if (list == NULL)
    return;
  g_array_unref (list->items);
  g_array_unref (list->starts);
  g_array_unref (list->max_end);
  g_clear_pointer (&list->sums, g_array_unref);
  g_free (list);
}

void
il_timeline_index_init (IlTimelineData *data)
{
  data->task_lists = g_ptr_array_new_with_free_func (list_free);
  data->block_lists = g_ptr_array_new_with_free_func (list_free);
  data->mark_lists = g_ptr_array_new_with_free_func (list_free);
  data->span_lists = g_ptr_array_new_with_free_func (list_free);
}

void
il_timeline_index_clear (IlTimelineData *data)
{
  g_ptr_array_set_size (data->task_lists, 0);
  g_ptr_array_set_size (data->block_lists, 0);
  g_ptr_array_set_size (data->mark_lists, 0);
  g_ptr_array_set_size (data->span_lists, 0);
}

IlTimelineList *
il_timeline_list_get (GPtrArray *lists,
                      guint      key)
{
  if (lists == NULL || key >= lists->len)
    return NULL;
  return g_ptr_array_index (lists, key);
}

void
il_timeline_index_add (IlTimelineData *data,
                       GPtrArray      *lists,
                       guint           key,
                       gconstpointer   base,
                       gsize           stride,
                       guint32         item)
{
  IlTimelineList *list;
  gint64          start;

  if (key >= lists->len)
    g_ptr_array_set_size (lists, key + 1);
  list = g_ptr_array_index (lists, key);
  if (list == NULL)
    {
      list = g_new0 (IlTimelineList, 1);
      list->items = g_array_new (FALSE, FALSE, sizeof (guint32));
      list->starts = g_array_new (FALSE, FALSE, sizeof (gint64));
      list->max_end = g_array_new (FALSE, FALSE, sizeof (gint64));
      if (lists == data->block_lists)
        list->sums = g_array_new (FALSE, TRUE, sizeof (IlTimelineSums));
      g_ptr_array_index (lists, key) = list;
    }
  start = item_start (base, stride, item);
  if (list->starts->len > 0 && start < g_array_index (list->starts, gint64, list->starts->len - 1))
    list->unsorted = TRUE;
  g_array_append_val (list->items, item);
  g_array_append_val (list->starts, start);
}

void
il_timeline_index_ended (IlTimelineData *data,
                         GPtrArray      *lists,
                         guint           key,
                         gconstpointer   base,
                         gsize           stride,
                         guint32         item)
{
  IlTimelineList *list = il_timeline_list_get (lists, key);
  const guint32  *items;
  guint           pos;

  (void) data;
  if (list == NULL || list->n_valid == 0)
    return;
  if (list->unsorted)
    {
      list->n_valid = 0;
      return;
    }
  /* Live, what ends is near the end of its list: look there first. */
  items = (const guint32 *) (gconstpointer) list->items->data;
  pos = il_timeline_list_seek (list, base, stride, 0, list->items->len, item_start (base, stride, item));
  while (pos < list->items->len && items[pos] != item)
    pos++;
  list->n_valid = MIN (list->n_valid, pos);
}

typedef struct
{
  gconstpointer base;
  gsize         stride;
} SortCtx;

static int
compare_start (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const SortCtx *ctx = user_data;
  guint32        i = *(const guint32 *) a, j = *(const guint32 *) b;
  gint64         x = item_start (ctx->base, ctx->stride, i), y = item_start (ctx->base, ctx->stride, j);

  if (x != y)
    return x < y ? -1 : 1;
  return i < j ? -1 : i > j;
}

static void
list_prepare (IlTimelineList *list,
              gconstpointer   base,
              gsize           stride)
{
  const guint32 *items;
  gint64        *max_end;
  gint64         latest;
  guint          from;

  if (list == NULL)
    return;
  items = (const guint32 *) (gconstpointer) list->items->data;
  if (list->unsorted)
    {
      SortCtx ctx = { base, stride };

      g_qsort_with_data (list->items->data, list->items->len, sizeof (guint32), compare_start, &ctx);
      for (guint i = 0; i < list->items->len; i++)
        g_array_index (list->starts, gint64, i) = item_start (base, stride, items[i]);
      list->unsorted = FALSE;
      list->n_valid = 0;
    }
  if (list->n_valid == list->items->len)
    return;
  from = list->n_valid;
  g_array_set_size (list->max_end, list->items->len);
  max_end = (gint64 *) (gpointer) list->max_end->data;
  latest = list->n_valid > 0 ? max_end[list->n_valid - 1] : G_MININT64;
  for (guint i = list->n_valid; i < list->items->len; i++)
    {
      latest = MAX (latest, item_end (base, stride, items[i]));
      max_end[i] = latest;
    }
  list->n_valid = list->items->len;

  /* Blocks: the buckets from the first that changed. */
  if (list->sums != NULL)
    {
      const IlTimelineBlock *blocks = base;
      guint                  b0 = from / IL_TIMELINE_BUCKET;
      IlTimelineSums        *sums;

      g_array_set_size (list->sums, (list->items->len + IL_TIMELINE_BUCKET - 1) / IL_TIMELINE_BUCKET);
      sums = (IlTimelineSums *) (gpointer) list->sums->data;
      for (guint b = b0; b < list->sums->len; b++)
        {
          memset (&sums[b], 0, sizeof sums[b]);
          for (guint i = b * IL_TIMELINE_BUCKET; i < MIN ((b + 1) * IL_TIMELINE_BUCKET, list->items->len); i++)
            {
              const IlTimelineBlock *bl = &blocks[items[i]];

              /* A running block counts as a microsecond: its end is not known. */
              sums[b].type_us[MIN (bl->type, IL_N_BLOCK_TYPES)] += bl->end_us >= 0 ? MAX (bl->end_us - bl->start_us, 1) : 1;
              if (bl->state.valid)
                for (IlState st = 0; st < IL_N_STATES; st++)
                  sums[b].state_us[st] += MAX (il_state_times_get (&bl->state, st), 0);
            }
        }
    }
}

static void
lists_prepare (GPtrArray    *lists,
               gconstpointer base,
               gsize         stride)
{
  for (guint i = 0; i < lists->len; i++)
    list_prepare (g_ptr_array_index (lists, i), base, stride);
}

void
il_timeline_data_prepare_index (IlTimelineData *data)
{
  g_return_if_fail (data != NULL);

  lists_prepare (data->task_lists, data->tasks->data, sizeof (IlTimelineTask));
  lists_prepare (data->mark_lists, data->tasks->data, sizeof (IlTimelineTask));
  lists_prepare (data->block_lists, data->blocks->data, sizeof (IlTimelineBlock));
  lists_prepare (data->span_lists, data->spans->data, sizeof (IlTimelineSpan));
}

guint
il_timeline_list_seek (const IlTimelineList *list,
                       gconstpointer         base,
                       gsize                 stride,
                       guint                 from,
                       guint                 to,
                       gint64                t_us)
{
  const gint64 *starts = (const gint64 *) (gconstpointer) list->starts->data;
  guint         lo = from, hi = to, step = 1;

  /* Galloping from @from: what is sought is usually near. */
  while (lo + step < to && starts[lo + step] < t_us)
    {
      lo += step;
      step *= 2;
    }
  hi = MIN (lo + step, to);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (starts[mid] < t_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
il_timeline_list_window (const IlTimelineList *list,
                         gconstpointer         base,
                         gsize                 stride,
                         gint64                t0,
                         gint64                t1,
                         guint                *first,
                         guint                *end)
{
  const gint64 *max_end = (const gint64 *) (gconstpointer) list->max_end->data;
  guint         lo = 0, hi = MIN (list->n_valid, list->items->len);

  /* The first item whose prefix ends at or after t0: none before it does. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (max_end[mid] < t0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *first = lo;
  *end = t1 == G_MAXINT64 ? list->items->len
                          : il_timeline_list_seek (list, base, stride, lo, list->items->len, t1 + 1);
}

void
il_timeline_index_build (IlTimelineData *data)
{
  const IlTimelineTask *tasks = (const IlTimelineTask *) (gconstpointer) data->tasks->data;

  il_timeline_index_clear (data);
  for (guint i = 0; i < data->tasks->len; i++)
    {
      const IlTimelineTask *t = &tasks[i];

      if (t->worker < 0 || (guint) t->worker >= data->n_workers)
        continue;
      il_timeline_index_add (data, data->task_lists, IL_TIMELINE_LIST_KEY (t->worker, t->row),
                             tasks, sizeof (IlTimelineTask), i);
      if (t->failed || t->n_blocks == 0)
        il_timeline_index_add (data, data->mark_lists, IL_TIMELINE_LIST_KEY (t->worker, t->row),
                               tasks, sizeof (IlTimelineTask), i);
    }
  for (guint i = 0; i < data->blocks->len; i++)
    {
      const IlTimelineBlock *b = &g_array_index (data->blocks, IlTimelineBlock, i);
      const IlTimelineTask  *t = &tasks[b->task_slot];

      if (t->worker < 0 || (guint) t->worker >= data->n_workers)
        continue;
      il_timeline_index_add (data, data->block_lists, IL_TIMELINE_LIST_KEY (t->worker, t->row),
                             data->blocks->data, sizeof (IlTimelineBlock), i);
    }
  for (guint i = 0; i < data->spans->len; i++)
    {
      const IlTimelineSpan *s = &g_array_index (data->spans, IlTimelineSpan, i);

      if (s->worker < 0 || (guint) s->worker >= data->n_workers)
        continue;
      il_timeline_index_add (data, data->span_lists, (guint) s->worker, data->spans->data,
                             sizeof (IlTimelineSpan), i);
    }
}
