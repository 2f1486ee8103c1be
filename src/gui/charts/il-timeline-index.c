/* il-timeline-index.c — per sub-row lists of tasks, blocks and spans in
 * start order, so that drawing and hit-testing look only at what is visible
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A million tasks cannot be walked every frame. Each sub-row keeps its
 * items' indices in start order and, per bucket of IL_TIMELINE_BUCKET
 * positions, the latest end so far: the items a window [t0, t1] overlaps
 * are then two binary searches away. The items' times are not copied: they
 * are read from the records (results) or the live arrays, so that the
 * index costs about 4 bytes an item.
 * Live, a worker's events come in time order, so appending keeps the order;
 * where it does not (a results file: flat task order), the list is sorted
 * once, on the next il_timeline_data_prepare_index().
 */
#include "il-chart-data.h"

#include <stdlib.h>
#include <string.h>

void
il_timeline_data_item_times (const IlTimelineData *data,
                             guint                 kind,
                             guint32               item,
                             gint64               *start_us,
                             gint64               *end_us)
{
  switch (kind)
    {
      case IL_TIMELINE_ITEM_TASK:
        if (data->rep != NULL)
          {
            const IlTaskRecord *rec = il_timeline_data_record (data, item);

            *start_us = rec->start_us;
            *end_us = rec->end_us;
          }
        else
          {
            const IlTimelineTask *t = &g_array_index (data->tasks, IlTimelineTask, item);

            *start_us = t->start_us;
            *end_us = t->end_us;
          }
        break;
      case IL_TIMELINE_ITEM_BLOCK:
        if (data->rep != NULL)
          {
            const IlTaskRecord *rec = il_timeline_data_record (data, item >> IL_TIMELINE_BLOCK_SHIFT);

            il_task_record_block_times (rec, item & ((1u << IL_TIMELINE_BLOCK_SHIFT) - 1), start_us, end_us);
          }
        else
          {
            const IlTimelineBlock *b = &g_array_index (data->blocks, IlTimelineBlock, item);

            *start_us = b->start_us;
            *end_us = b->end_us;
          }
        break;
      default:
        {
          const IlTimelineSpan *sp = &g_array_index (data->spans, IlTimelineSpan, item);

          *start_us = sp->start_us;
          *end_us = sp->end_us;
        }
        break;
    }
}

static inline gint64
item_start (const IlTimelineList *list,
            guint32               item)
{
  gint64 start, end;

  il_timeline_data_item_times (list->data, list->kind, item, &start, &end);
  return start;
}

static inline gint64
item_end (const IlTimelineList *list,
          guint32               item)
{
  gint64 start, end;

  il_timeline_data_item_times (list->data, list->kind, item, &start, &end);
  return end < 0 ? G_MAXINT64 : end;
}

static inline guint32
item_at (const IlTimelineList *list,
         guint                 pos)
{
  return il_timeline_list_item (list, pos);
}

gint64
il_timeline_list_start (const IlTimelineList *list,
                        guint                 pos)
{
  return item_start (list, item_at (list, pos));
}

gint64
il_timeline_list_latest_end (const IlTimelineList *list,
                             guint                 pos)
{
  guint  b = pos / IL_TIMELINE_BUCKET;
  gint64 latest = b > 0 ? g_array_index (list->max_end, gint64, b - 1) : G_MININT64;

  if (pos < list->mono)
    return item_end (list, item_at (list, pos));
  for (guint i = b * IL_TIMELINE_BUCKET; i <= pos; i++)
    latest = MAX (latest, item_end (list, item_at (list, i)));
  return latest;
}

static void
list_free (gpointer p)
{
  IlTimelineList *list = p;

  if (list == NULL)
    return;
  g_array_unref (list->items);
  g_array_unref (list->max_end);
  g_array_unref (list->first_start);
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

/* What a GArray holds: its storage grows by powers of two. */
static gsize
array_bytes (GArray *array)
{
  gsize want;

  if (array == NULL)
    return 0;
  want = (gsize) array->len * g_array_get_element_size (array);
  return sizeof (GArray) + 2 * sizeof (gpointer) + (want == 0 ? 0 : MAX ((gsize) 1 << g_bit_storage (want - 1), 16));
}

static gsize
lists_bytes (GPtrArray *lists)
{
  gsize bytes = sizeof (GPtrArray) + lists->len * sizeof (gpointer);

  for (guint i = 0; i < lists->len; i++)
    {
      const IlTimelineList *list = g_ptr_array_index (lists, i);

      if (list == NULL)
        continue;
      /* A shared items array is counted with the list that owns it. */
      bytes += sizeof *list + (list->shift == 0 ? array_bytes (list->items) : 0) + array_bytes (list->max_end) +
               array_bytes (list->sums) +
               array_bytes (list->first_start);
    }
  return bytes;
}

gsize
il_timeline_index_bytes (const IlTimelineData *data)
{
  return lists_bytes (data->task_lists) + lists_bytes (data->block_lists) + lists_bytes (data->mark_lists) +
         lists_bytes (data->span_lists);
}

gsize
il_timeline_data_get_own_bytes (const IlTimelineData *data)
{
  g_return_val_if_fail (data != NULL, 0);

  return sizeof *data + il_timeline_index_bytes (data) + array_bytes (data->rows) + array_bytes (data->tasks) +
         array_bytes (data->blocks) + array_bytes (data->spans) + array_bytes (data->slot_of_task) +
         array_bytes (data->lanes);
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
                       guint32         item)
{
  IlTimelineList *list;

  if (key >= lists->len)
    g_ptr_array_set_size (lists, key + 1);
  list = g_ptr_array_index (lists, key);
  if (list == NULL)
    {
      list = g_new0 (IlTimelineList, 1);
      list->data = data;
      list->kind = lists == data->block_lists  ? IL_TIMELINE_ITEM_BLOCK
                   : lists == data->span_lists ? IL_TIMELINE_ITEM_SPAN
                                               : IL_TIMELINE_ITEM_TASK;
      list->items = g_array_new (FALSE, FALSE, sizeof (guint32));
      list->max_end = g_array_new (FALSE, FALSE, sizeof (gint64));
      list->first_start = g_array_new (FALSE, FALSE, sizeof (gint64));
      if (lists == data->block_lists)
        list->sums = g_array_new (FALSE, TRUE, sizeof (IlTimelineSums));
      g_ptr_array_index (lists, key) = list;
    }
  if (!list->unsorted && list->items->len > 0 &&
      item_start (list, item) < il_timeline_list_start (list, list->items->len - 1))
    list->unsorted = TRUE;
  g_array_append_val (list->items, item);
}

void
il_timeline_index_ended (IlTimelineData *data,
                         GPtrArray      *lists,
                         guint           key,
                         guint32         item)
{
  IlTimelineList *list = il_timeline_list_get (lists, key);
  guint           pos;

  (void) data;
  if (list == NULL || list->n_valid == 0)
    return;
  if (list->unsorted)
    {
      list->n_valid = 0;
      list->mono = 0;
      list->n_starts = 0;
      return;
    }
  /* Live, what ends is near the end of its list: look there first. */
  pos = il_timeline_list_seek (list, 0, list->items->len, item_start (list, item));
  while (pos < list->items->len && item_at (list, pos) != item)
    pos++;
  list->n_valid = MIN (list->n_valid, pos);
  list->mono = MIN (list->mono, pos);
}

static int
compare_start (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const IlTimelineList *list = user_data;
  guint32               i = *(const guint32 *) a, j = *(const guint32 *) b;
  gint64                x = item_start (list, i), y = item_start (list, j);

  if (x != y)
    return x < y ? -1 : 1;
  return i < j ? -1 : i > j;
}

static void
add_block_sums (const IlTimelineList *list,
                guint32               item,
                IlTimelineSums       *sums)
{
  IlTimelineBlock        buf;
  const IlTimelineBlock *bl = il_timeline_data_block (list->data, item, &buf);

  if (bl == NULL)
    return;
  /* A running block counts as a microsecond: its end is not known. */
  sums->type_us[MIN (bl->type, IL_N_BLOCK_TYPES)] += bl->end_us >= 0 ? MAX (bl->end_us - bl->start_us, 1) : 1;
  if (bl->state.valid)
    for (IlState st = 0; st < IL_N_STATES; st++)
      sums->state_us[st] += MAX (il_state_times_get (&bl->state, st), 0);
}

static void
list_prepare (IlTimelineList *list)
{
  gint64 *max_end;
  guint   n, n_buckets, b0;

  if (list == NULL)
    return;
  n = list->items->len;
  if (list->unsorted)
    {
      g_qsort_with_data (list->items->data, n, sizeof (guint32), compare_start, list);
      list->unsorted = FALSE;
      list->n_valid = 0;
      list->mono = 0;
      list->n_starts = 0;
    }
  if (list->n_valid == n)
    return;
  /* The buckets from the first that changed. */
  b0 = list->n_valid / IL_TIMELINE_BUCKET;
  n_buckets = (n + IL_TIMELINE_BUCKET - 1) / IL_TIMELINE_BUCKET;
  list->mono = MIN (list->mono, b0 * IL_TIMELINE_BUCKET);
  /* Appending in order keeps the positions, so the buckets' first starts
   * before b0 hold. */
  g_array_set_size (list->first_start, n_buckets);
  for (guint b = MIN (list->n_starts, b0); b < n_buckets; b++)
    g_array_index (list->first_start, gint64, b) = item_start (list, item_at (list, b * IL_TIMELINE_BUCKET));
  list->n_starts = n_buckets;
  g_array_set_size (list->max_end, n_buckets);
  max_end = (gint64 *) (gpointer) list->max_end->data;
  if (list->sums != NULL)
    g_array_set_size (list->sums, n_buckets);
  for (guint b = b0; b < n_buckets; b++)
    {
      gint64 latest = b > 0 ? max_end[b - 1] : G_MININT64;

      if (list->sums != NULL)
        memset (&g_array_index (list->sums, IlTimelineSums, b), 0, sizeof (IlTimelineSums));
      for (guint i = b * IL_TIMELINE_BUCKET; i < MIN ((b + 1) * IL_TIMELINE_BUCKET, n); i++)
        {
          gint64 end = item_end (list, item_at (list, i));

          /* Still in order: the item ends no earlier than all before it. */
          if (list->mono == i && end >= latest)
            list->mono = i + 1;
          latest = MAX (latest, end);
          if (list->sums != NULL)
            add_block_sums (list, item_at (list, i), &g_array_index (list->sums, IlTimelineSums, b));
        }
      max_end[b] = latest;
    }
  list->n_valid = n;
}

static void
lists_prepare (GPtrArray *lists)
{
  for (guint i = 0; i < lists->len; i++)
    list_prepare (g_ptr_array_index (lists, i));
}

void
il_timeline_data_prepare_index (IlTimelineData *data)
{
  g_return_if_fail (data != NULL);

  lists_prepare (data->task_lists);
  lists_prepare (data->mark_lists);
  lists_prepare (data->block_lists);
  lists_prepare (data->span_lists);
}

guint
il_timeline_list_seek (const IlTimelineList *list,
                       guint                 from,
                       guint                 to,
                       gint64                t_us)
{
  const gint64 *first_start = (const gint64 *) (gconstpointer) list->first_start->data;
  guint         lo = from, hi, step = 1;
  guint         b_lo = from / IL_TIMELINE_BUCKET + 1;
  guint         b_hi = MIN (MIN (list->n_starts, list->first_start->len), (to + IL_TIMELINE_BUCKET - 1) / IL_TIMELINE_BUCKET);

  /* First the buckets after @from's (their first starts side by side):
   * the first whose first item starts at or after @t_us. What is sought
   * is in the bucket before it, or is its first item. */
  if (b_lo < b_hi)
    {
      guint b = b_lo, b_end;

      /* Galloping: what is sought is usually near. */
      while (b + step < b_hi && first_start[b + step] < t_us)
        {
          b += step;
          step *= 2;
        }
      b_end = MIN (b + step, b_hi);
      if (first_start[b] < t_us)
        {
          b++;
          while (b < b_end)
            {
              guint mid = b + (b_end - b) / 2;

              if (first_start[mid] < t_us)
                b = mid + 1;
              else
                b_end = mid;
            }
        }
      lo = MAX (from, (b - 1) * IL_TIMELINE_BUCKET);
      if (b < b_hi)
        to = MIN (to, b * IL_TIMELINE_BUCKET);
      /* At most a bucket left: halving reads fewer items than galloping. */
      step = to - lo <= IL_TIMELINE_BUCKET ? MAX (to - lo, 1) : 1;
    }

  /* Then the items themselves, read where they are kept. */
  while (lo + step < to && il_timeline_list_start (list, lo + step) < t_us)
    {
      lo += step;
      step *= 2;
    }
  hi = MIN (lo + step, to);
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (il_timeline_list_start (list, mid) < t_us)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
il_timeline_list_window (const IlTimelineList *list,
                         gint64                t0,
                         gint64                t1,
                         guint                *first,
                         guint                *end)
{
  const gint64 *max_end = (const gint64 *) (gconstpointer) list->max_end->data;
  guint         n = list->items->len, n_valid = MIN (list->n_valid, n);
  /* Buckets whose prefix end is known: all when the list is prepared. */
  guint lo = 0, hi = n_valid == n ? list->max_end->len : n_valid / IL_TIMELINE_BUCKET;

  /* The first bucket whose prefix ends at or after t0: none before it does. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (max_end[mid] < t0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *first = MIN (lo * IL_TIMELINE_BUCKET, n_valid);
  /* Within it, the first item that ends at or after t0. */
  if (lo < list->max_end->len && (n_valid == n || lo < n_valid / IL_TIMELINE_BUCKET))
    while (*first < MIN ((lo + 1) * IL_TIMELINE_BUCKET, n) && item_end (list, item_at (list, *first)) < t0)
      (*first)++;
  *end = t1 == G_MAXINT64 ? n : il_timeline_list_seek (list, *first, n, t1 + 1);
}

/* Results: a row whose tasks have one block each, starting with the task,
 * lists its blocks in the order of its tasks: the block list shares the
 * task list's ids (block j = 0 of task s is s << IL_TIMELINE_BLOCK_SHIFT). */
static void
share_single_blocks (IlTimelineData *data)
{
  for (guint k = 0; k < data->block_lists->len; k++)
    {
      IlTimelineList *bl = g_ptr_array_index (data->block_lists, k);
      IlTimelineList *tl = il_timeline_list_get (data->task_lists, k);
      gboolean        same;

      if (bl == NULL || tl == NULL || bl->shift != 0 || bl->unsorted || tl->unsorted ||
          bl->items->len != tl->items->len)
        continue;
      same = TRUE;
      for (guint i = 0; same && i < bl->items->len; i++)
        same = g_array_index (bl->items, guint32, i) ==
               g_array_index (tl->items, guint32, i) << IL_TIMELINE_BLOCK_SHIFT;
      if (!same)
        continue;
      g_array_unref (bl->items);
      bl->items = g_array_ref (tl->items);
      bl->shift = IL_TIMELINE_BLOCK_SHIFT;
    }
}

void
il_timeline_index_build (IlTimelineData *data)
{
  il_timeline_index_clear (data);
  for (guint i = 0; i < data->n_tasks; i++)
    {
      IlTimelineTask        buf;
      const IlTimelineTask *t = il_timeline_data_task (data, i, &buf);

      if (t->worker < 0 || (guint) t->worker >= data->n_workers)
        continue;
      il_timeline_index_add (data, data->task_lists, IL_TIMELINE_LIST_KEY (t->worker, t->row), i);
      if (t->failed || t->n_blocks == 0)
        il_timeline_index_add (data, data->mark_lists, IL_TIMELINE_LIST_KEY (t->worker, t->row), i);
      for (guint j = 0; j < t->n_blocks; j++)
        il_timeline_index_add (data, data->block_lists, IL_TIMELINE_LIST_KEY (t->worker, t->row),
                               t->first_block + j);
    }
  for (guint i = 0; i < data->spans->len; i++)
    {
      const IlTimelineSpan *s = &g_array_index (data->spans, IlTimelineSpan, i);

      if (s->worker < 0 || (guint) s->worker >= data->n_workers)
        continue;
      il_timeline_index_add (data, data->span_lists, (guint) s->worker, i);
    }
  if (data->rep != NULL)
    {
      il_timeline_data_prepare_index (data);
      share_single_blocks (data);
    }
}
