/* il-timeline-data.c — one repetition's tasks, blocks and GIL spans for the timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart-data.h"

#include <string.h>

static void
il_timeline_data_free (gpointer data)
{
  IlTimelineData *self = data;

  g_clear_pointer (&self->tasks, g_array_unref);
  g_clear_pointer (&self->blocks, g_array_unref);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_pointer (&self->slot_of_task, g_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->results, il_results_free);
  g_clear_pointer (&self->lanes, g_array_unref);
  g_clear_pointer (&self->group_names, g_strfreev);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->lane_hosts, g_ptr_array_unref);
  g_clear_pointer (&self->task_lists, g_ptr_array_unref);
  g_clear_pointer (&self->block_lists, g_ptr_array_unref);
  g_clear_pointer (&self->mark_lists, g_ptr_array_unref);
  g_clear_pointer (&self->span_lists, g_ptr_array_unref);
}

IlTimelineData *
il_timeline_data_new (void)
{
  IlTimelineData *self = g_atomic_rc_box_new0 (IlTimelineData);

  self->tasks = g_array_new (FALSE, FALSE, sizeof (IlTimelineTask));
  self->blocks = g_array_new (FALSE, FALSE, sizeof (IlTimelineBlock));
  self->spans = g_array_new (FALSE, FALSE, sizeof (IlTimelineSpan));
  self->slot_of_task = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->rows = g_array_new (FALSE, FALSE, sizeof (guint8));
  self->lanes = g_array_new (FALSE, FALSE, sizeof (IlTimelineLane));
  self->lane_hosts = g_ptr_array_new_with_free_func (g_free);
  il_timeline_index_init (self);
  return self;
}

IlTimelineData *
il_timeline_data_ref (IlTimelineData *data)
{
  return g_atomic_rc_box_acquire (data);
}

void
il_timeline_data_unref (IlTimelineData *data)
{
  g_atomic_rc_box_release_full (data, il_timeline_data_free);
}

void
il_timeline_data_set_group_names (IlTimelineData     *data,
                                  const IlExperiment *experiment)
{
  g_clear_pointer (&data->group_names, g_strfreev);
  if (experiment != NULL && experiment->tasks != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < experiment->tasks->len; i++)
        {
          g_autofree char *name =
            il_task_group_display_name (g_ptr_array_index (experiment->tasks, i), i);

          g_strv_builder_add (builder, name != NULL ? name : "");
        }
      data->group_names = g_strv_builder_end (builder);
    }
}

void
il_timeline_data_reset (IlTimelineData *data)
{
  g_array_set_size (data->tasks, 0);
  g_array_set_size (data->blocks, 0);
  g_array_set_size (data->spans, 0);
  g_array_set_size (data->slot_of_task, 0);
  /* Dropped, not emptied: a million tasks' worth is not kept for later. */
  g_array_unref (data->rows);
  data->rows = g_array_new (FALSE, FALSE, sizeof (guint8));
  data->rep = NULL;
  g_clear_pointer (&data->results, il_results_free);
  data->n_tasks = 0;
  g_array_set_size (data->lanes, 0);
  g_ptr_array_set_size (data->lane_hosts, 0);
  il_timeline_index_clear (data);
  g_clear_pointer (&data->group_names, g_strfreev);
  data->n_workers = 0;
  data->n_rows = 0;
  data->n_finished = 0;
  data->n_failed = 0;
  data->n_cancelled = 0;
  data->end_us = 0;
  data->has_gil = FALSE;
  data->has_lock_wait = FALSE;
  data->dropped = 0;
}

void
il_timeline_data_set_title (IlTimelineData *data,
                            const char     *title)
{
  g_free (data->title);
  data->title = g_strdup (title);
}

static IlTimelineTask *
slot_get (IlTimelineData *data,
          guint32         task)
{
  guint32 slot;

  if (task >= data->slot_of_task->len)
    return NULL;
  slot = g_array_index (data->slot_of_task, guint32, task);
  if (slot == G_MAXUINT32)
    return NULL;
  return &g_array_index (data->tasks, IlTimelineTask, slot);
}

#define TASK_AT(data, slot) (&g_array_index ((data)->tasks, IlTimelineTask, (slot)))

static inline const IlTaskRecord *
rec_at (const IlTimelineData *data,
        guint32               slot)
{
  return il_timeline_data_record (data, slot);
}

static inline guint
rec_n_blocks (const IlTaskRecord *rec)
{
  return MIN (rec->n_blocks, IL_MAX_BLOCKS);
}

const IlTimelineTask *
il_timeline_data_task (const IlTimelineData *data,
                       guint32               slot,
                       IlTimelineTask       *buf)
{
  const IlTaskRecord *rec;

  g_return_val_if_fail (slot < data->n_tasks, NULL);

  if (data->rep == NULL)
    return TASK_AT (data, slot);
  rec = rec_at (data, slot);
  memset (buf, 0, sizeof *buf);
  buf->start_us = rec->start_us;
  buf->end_us = rec->end_us;
  buf->state = il_task_record_state (rec);
  buf->task = slot;
  buf->worker = rec->worker;
  buf->cpu_start = rec->cpu_start;
  buf->cpu_end = rec->cpu_end;
  buf->group = rec->group;
  buf->index = rec->index;
  buf->pid = rec->pid;
  buf->tid = rec->tid;
  buf->first_block = slot << IL_TIMELINE_BLOCK_SHIFT;
  buf->n_blocks = rec_n_blocks (rec);
  buf->open_block = -1;
  /* Cut off by Stop is not a failure. */
  buf->cancelled = il_task_record_is_cancelled (data->rep, rec);
  buf->failed = rec->failed && !buf->cancelled;
  buf->row = slot < data->rows->len ? g_array_index (data->rows, guint8, slot) : 0;
  buf->error = il_task_record_error (rec);
  return buf;
}

guint32
il_timeline_data_slot_of (const IlTimelineData *data,
                          const IlTimelineTask *task)
{
  if (data->rep != NULL)
    return task->task;
  if (task->task < data->slot_of_task->len)
    return g_array_index (data->slot_of_task, guint32, task->task);
  return G_MAXUINT32;
}

const IlTimelineBlock *
il_timeline_data_block (const IlTimelineData *data,
                        guint32               id,
                        IlTimelineBlock      *buf)
{
  const IlTaskRecord  *rec;
  IlBlockRecord        block;
  const IlBlockRecord *br = &block;
  guint32              slot = id >> IL_TIMELINE_BLOCK_SHIFT;
  guint                j = id & ((1u << IL_TIMELINE_BLOCK_SHIFT) - 1);

  if (data->rep == NULL)
    return id < data->blocks->len ? &g_array_index (data->blocks, IlTimelineBlock, id) : NULL;
  if (slot >= data->n_tasks || j >= rec_n_blocks (rec = rec_at (data, slot)))
    return NULL;
  block = il_task_record_block (rec, j);
  memset (buf, 0, sizeof *buf);
  buf->start_us = br->start_us;
  buf->end_us = br->end_us;
  buf->state = br->state;
  buf->task_slot = slot;
  buf->worker = rec->worker;
  buf->type = br->type;
  buf->block = j;
  if (br->segments != NULL)
    {
      buf->segments = br->segments->seg;
      buf->n_segments = (guint8) MIN (br->segments->n, IL_MAX_STATE_SEGMENTS);
    }
  return buf;
}

static inline gint64
task_end (const IlTimelineData *data,
          guint32               slot)
{
  return data->rep != NULL ? rec_at (data, slot)->end_us : TASK_AT (data, slot)->end_us;
}

static inline void
task_set_row (IlTimelineData *data,
              guint32         slot,
              guint8          row)
{
  if (data->rep != NULL)
    g_array_index (data->rows, guint8, slot) = row;
  else
    TASK_AT (data, slot)->row = row;
}

static void
note_worker (IlTimelineData *data,
             gint32          worker)
{
  /* Lanes are worker + 1; a bogus huge worker id must not make a huge chart. */
  if (worker >= 0 && worker < 4096 && (guint) worker + 1 > data->n_workers)
    {
      IlTimelineLane lane;

      memset (lane.occupant, 0xff, sizeof lane.occupant);
      lane.n_rows = 1;
      lane.n_open = 0;
      lane.max_open = 0;
      lane.n_folded = 0;
      while (data->lanes->len < (guint) worker + 1)
        g_array_append_val (data->lanes, lane);
      data->n_rows += worker + 1 - data->n_workers;
      data->n_workers = worker + 1;
    }
  g_assert (data->lanes->len == data->n_workers);
}

static inline IlTimelineLane *
lane_get (IlTimelineData *data,
          gint32          worker)
{
  if (worker < 0 || (guint) worker >= data->lanes->len)
    return NULL;
  return &g_array_index (data->lanes, IlTimelineLane, worker);
}

/* Puts the task in @slot into the first sub-row of its lane that is free at
 * its start: the row's last task has ended by then. Tasks must come in start
 * order per lane, as they do live (one worker's events are in order) and in
 * pack_rows(). A running task (end -1) keeps its row taken. Constant work
 * per task: at most IL_TIMELINE_MAX_ROWS rows to look at. */
static void
assign_row (IlTimelineData *data,
            guint32         slot,
            gint32          worker,
            gint64          start_us,
            gint64          end_us)
{
  IlTimelineLane *lane = lane_get (data, worker);
  guint           row;

  task_set_row (data, slot, 0);
  if (lane == NULL)
    return;

  for (row = 0; row < IL_TIMELINE_MAX_ROWS; row++)
    {
      guint32 occupant = lane->occupant[row];
      gint64  occupant_end;

      if (occupant == G_MAXUINT32 || occupant == slot)
        break;
      occupant_end = task_end (data, occupant);
      if (occupant_end >= 0 && occupant_end <= start_us)
        break;
    }

  if (row < IL_TIMELINE_MAX_ROWS)
    {
      lane->occupant[row] = slot;
    }
  else
    {
      /* Every row busy: fold into the last one, which then stays taken
       * until the later of its tasks ends. */
      gint64 occupant_end;

      row = IL_TIMELINE_MAX_ROWS - 1;
      occupant_end = task_end (data, lane->occupant[row]);
      lane->n_folded++;
      if (occupant_end >= 0 && (end_us < 0 || end_us > occupant_end))
        lane->occupant[row] = slot;
    }

  task_set_row (data, slot, (guint8) row);
  if (row + 1 > lane->n_rows)
    {
      data->n_rows += row + 1 - lane->n_rows;
      lane->n_rows = row + 1;
    }
}

static int
compare_lane_start (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  const IlTimelineData *data = user_data;
  guint32               i = *(const guint32 *) a, j = *(const guint32 *) b;
  const IlTaskRecord   *x = rec_at (data, i), *y = rec_at (data, j);

  if (x->worker != y->worker)
    return x->worker < y->worker ? -1 : 1;
  if (x->start_us != y->start_us)
    return x->start_us < y->start_us ? -1 : 1;
  return i < j ? -1 : i > j;
}

static void
heap_push (GArray *heap,
           gint64  value)
{
  gint64 *v;
  guint   i;

  g_array_append_val (heap, value);
  v = (gint64 *) (gpointer) heap->data;
  for (i = heap->len - 1; i > 0 && v[(i - 1) / 2] > v[i]; i = (i - 1) / 2)
    {
      gint64 tmp = v[i];

      v[i] = v[(i - 1) / 2];
      v[(i - 1) / 2] = tmp;
    }
}

static void
heap_pop (GArray *heap)
{
  gint64 *v = (gint64 *) (gpointer) heap->data;
  guint   n = heap->len - 1, i = 0;

  v[0] = v[n];
  g_array_set_size (heap, n);
  for (;;)
    {
      guint  l = 2 * i + 1, r = l + 1, m = i;
      gint64 tmp;

      if (l < n && v[l] < v[m])
        m = l;
      if (r < n && v[r] < v[m])
        m = r;
      if (m == i)
        break;
      tmp = v[i];
      v[i] = v[m];
      v[m] = tmp;
      i = m;
    }
}

/* Recorded tasks come in flat index order, not start order: pack each
 * lane's rows once, in start order, and count the most tasks in flight at
 * once with a heap of the open tasks' ends. */
static void
pack_rows (IlTimelineData *data)
{
  g_autofree guint32 *order = NULL;
  g_autoptr(GArray) ends = NULL;
  guint  n = data->n_tasks;
  gint32 worker = G_MININT32;

  if (n == 0)
    return;
  order = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data (order, n, sizeof (guint32), compare_lane_start, data);

  ends = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n; i++)
    {
      const IlTaskRecord *t = rec_at (data, order[i]);
      IlTimelineLane     *lane = lane_get (data, t->worker);

      if (lane == NULL)
        continue;
      if (t->worker != worker)
        {
          g_array_set_size (ends, 0);
          worker = t->worker;
        }
      while (ends->len > 0 && g_array_index (ends, gint64, 0) <= t->start_us)
        heap_pop (ends);
      heap_push (ends, t->end_us >= 0 ? t->end_us : G_MAXINT64);
      lane->max_open = MAX (lane->max_open, ends->len);
      assign_row (data, order[i], t->worker, t->start_us, t->end_us);
    }
}

static void
note_time (IlTimelineData *data,
           gint64          t_us)
{
  if (t_us > data->end_us)
    data->end_us = t_us;
}

void
il_timeline_data_apply (IlTimelineData *data,
                        const IlEvent  *ev)
{
  IlTimelineTask *task;
  IlTimelineLane *lane;

  /* Events fill a live timeline, never one that shows records. */
  g_return_if_fail (data->rep == NULL);

  switch (ev->kind)
    {
      case IL_EVENT_TASK_START:
        {
          IlTimelineTask t = { 0 };
          guint32        slot = data->tasks->len;

          if (data->tasks->len >= IL_CHART_MAX_TASKS || ev->task >= IL_MAX_TOTAL_TASKS)
            {
              data->dropped++;
              return;
            }
          if (ev->task >= data->slot_of_task->len)
            {
              guint old = data->slot_of_task->len;

              g_array_set_size (data->slot_of_task, ev->task + 1);
              memset (&g_array_index (data->slot_of_task, guint32, old), 0xff,
                      (ev->task + 1 - old) * sizeof (guint32));
            }
          g_array_index (data->slot_of_task, guint32, ev->task) = slot;
          t.start_us = ev->t_us;
          t.end_us = -1;
          t.task = ev->task;
          t.worker = ev->worker;
          t.cpu_start = ev->task_start.cpu;
          t.cpu_end = -1;
          /* The task's identity travels in its start event. */
          t.pid = ev->task_start.pid;
          t.tid = ev->task_start.tid;
          t.group = ev->task_start.group;
          t.index = ev->task_start.index;
          t.first_block = data->blocks->len;
          t.open_block = -1;
          g_array_append_val (data->tasks, t);
          data->n_tasks = data->tasks->len;
          note_worker (data, ev->worker);
          note_time (data, ev->t_us);
          if ((lane = lane_get (data, ev->worker)) != NULL)
            {
              lane->n_open++;
              lane->max_open = MAX (lane->max_open, lane->n_open);
              assign_row (data, slot, t.worker, t.start_us, t.end_us);
              il_timeline_index_add (data, data->task_lists, IL_TIMELINE_LIST_KEY (ev->worker, TASK_AT (data, slot)->row),
                                     slot);
            }
        }
        break;

      case IL_EVENT_TASK_END:
        if ((task = slot_get (data, ev->task)) == NULL)
          return;
        {
          gboolean first_end = task->end_us < 0;
          guint32  slot = (guint32) (task - (IlTimelineTask *) (gpointer) data->tasks->data);

          if (first_end)
            {
              data->n_finished++;
              if ((lane = lane_get (data, task->worker)) != NULL && lane->n_open > 0)
                lane->n_open--;
            }
          task->end_us = ev->t_us;
          task->cpu_end = ev->task_end.cpu;
          task->state = ev->task_end.state;
          if ((ev->flags & IL_EVENT_FLAG_CANCELLED) != 0 && !task->cancelled)
            {
              task->cancelled = TRUE;
              data->n_cancelled++;
            }
          else if ((ev->flags & IL_EVENT_FLAG_FAILED) != 0 && !task->failed && !task->cancelled)
            {
              task->failed = TRUE;
              data->n_failed++;
            }
          if (lane_get (data, task->worker) != NULL)
            {
              guint key = IL_TIMELINE_LIST_KEY (task->worker, task->row);

              il_timeline_index_ended (data, data->task_lists, key, slot);
              if (first_end && (task->failed || task->n_blocks == 0))
                il_timeline_index_add (data, data->mark_lists, key, slot);
              else
                il_timeline_index_ended (data, data->mark_lists, key, slot);
            }
        }
        note_time (data, ev->t_us);
        break;

      case IL_EVENT_BLOCK_START:
        {
          IlTimelineBlock b = { 0 };

          if ((task = slot_get (data, ev->task)) == NULL)
            return;
          if (data->blocks->len >= IL_CHART_MAX_BLOCKS)
            {
              data->dropped++;
              return;
            }
          b.start_us = ev->t_us;
          b.end_us = -1;
          b.task_slot = task - (IlTimelineTask *) (gpointer) data->tasks->data;
          b.worker = task->worker;
          b.type = ev->block_start.type;
          b.block = ev->block_start.block;
          /* Blocks of one task arrive together on its worker, so a task's
           * blocks are contiguous unless workers interleave them: then keep
           * only the index of the latest one (the tooltip uses the task). */
          if (task->n_blocks == 0)
            task->first_block = data->blocks->len;
          task->open_block = (gint16) MIN (data->blocks->len - task->first_block, G_MAXINT16);
          task->n_blocks++;
          g_array_append_val (data->blocks, b);
          if (lane_get (data, task->worker) != NULL)
            il_timeline_index_add (data, data->block_lists, IL_TIMELINE_LIST_KEY (task->worker, task->row),
                                   data->blocks->len - 1);
          note_time (data, ev->t_us);
        }
        break;

      case IL_EVENT_BLOCK_END:
        {
          IlTimelineBlock *b;
          guint            idx;

          if ((task = slot_get (data, ev->task)) == NULL || task->open_block < 0)
            return;
          idx = task->first_block + task->open_block;
          if (idx >= data->blocks->len)
            return;
          b = &g_array_index (data->blocks, IlTimelineBlock, idx);
          if (b->task_slot != (guint32) (task - (IlTimelineTask *) (gpointer) data->tasks->data))
            return;
          b->end_us = ev->t_us;
          b->state = ev->block_end.state;
          if (b->state.valid && b->state.lock_wait > 0)
            data->has_lock_wait = TRUE;
          task->open_block = -1;
          if (lane_get (data, task->worker) != NULL)
            il_timeline_index_ended (data, data->block_lists, IL_TIMELINE_LIST_KEY (task->worker, task->row), idx);
          note_time (data, ev->t_us);
        }
        break;

      case IL_EVENT_GIL_WAIT:
      case IL_EVENT_GIL_HOLD:
        {
          IlTimelineSpan s;

          if (data->spans->len >= IL_CHART_MAX_SPANS)
            {
              data->dropped++;
              return;
            }
          s.start_us = ev->t_us;
          s.end_us = ev->gil.end_us;
          s.worker = ev->worker;
          s.kind = ev->kind == IL_EVENT_GIL_HOLD ? IL_SPAN_GIL_HOLD : IL_SPAN_GIL_WAIT;
          g_array_append_val (data->spans, s);
          data->has_gil = TRUE;
          note_worker (data, ev->worker);
          if (lane_get (data, ev->worker) != NULL)
            il_timeline_index_add (data, data->span_lists, (guint) ev->worker, data->spans->len - 1);
          note_time (data, ev->gil.end_us);
        }
        break;

      default:
        break;
    }
}

void
il_timeline_data_set_repetition (IlTimelineData     *data,
                                 const IlRepetition *rep,
                                 const IlExperiment *experiment)
{
  il_timeline_data_reset (data);
  il_timeline_data_set_group_names (data, experiment);

  if (rep == NULL)
    return;

  if (rep->tasks != NULL && rep->tasks->len > 0)
    {
      data->rep = rep;
      data->n_tasks = MIN (rep->tasks->len, IL_CHART_MAX_TASKS);
      data->dropped = rep->tasks->len - data->n_tasks;
      g_array_set_size (data->rows, data->n_tasks);
      for (guint i = 0; i < data->n_tasks; i++)
        {
          const IlTaskRecord *rec = rec_at (data, i);
          gboolean            cancelled;

          /* An mpi rank's lane says which host it is on. */
          if (il_task_record_host (rec) != NULL && rec->worker >= 0 && rec->worker < 4096)
            {
              if (data->lane_hosts->len <= (guint) rec->worker)
                g_ptr_array_set_size (data->lane_hosts, rec->worker + 1);
              if (g_ptr_array_index (data->lane_hosts, rec->worker) == NULL)
                g_ptr_array_index (data->lane_hosts, rec->worker) = g_strdup (il_task_record_host (rec));
            }
          for (guint j = 0; j < rec_n_blocks (rec); j++)
            {
              const IlBlockRecord br = il_task_record_block (rec, j);

              if (br.state.valid && br.state.lock_wait > 0)
                data->has_lock_wait = TRUE;
              note_time (data, br.end_us);
            }
          note_worker (data, rec->worker);
          note_time (data, rec->end_us);
          if (rec->end_us >= 0)
            data->n_finished++;
          /* Cut off by Stop is not a failure. */
          cancelled = il_task_record_is_cancelled (rep, rec);
          if (rec->failed && !cancelled)
            data->n_failed++;
          if (cancelled)
            data->n_cancelled++;
        }
    }

  if (rep->gil_holds != NULL)
    {
      for (guint i = 0; i < rep->gil_holds->len && data->spans->len < IL_CHART_MAX_SPANS; i++)
        {
          const IlSpan  *sp = &g_array_index (rep->gil_holds, IlSpan, i);
          IlTimelineSpan s = { sp->start_us, sp->end_us, sp->worker, IL_SPAN_GIL_HOLD };

          g_array_append_val (data->spans, s);
          data->has_gil = TRUE;
          note_worker (data, sp->worker);
        }
    }

  if (data->rep != NULL)
    pack_rows (data);
  /* No lane with tasks in flight at once: every task is in row 0, and the
   * byte per task says nothing. */
  if (data->n_rows == data->n_workers && data->rows->len > 0)
    {
      g_array_unref (data->rows);
      data->rows = g_array_new (FALSE, FALSE, sizeof (guint8));
    }
  il_timeline_index_build (data);
  /* What only building needed goes (sorted once, completed now). */
  il_timeline_data_prepare_index (data);

  if (rep->makespan_ms > 0)
    data->end_us = MAX (data->end_us, (gint64) (rep->makespan_ms * 1000.0));
}

void
il_timeline_data_set_results_repetition (IlTimelineData     *data,
                                         IlResults          *results,
                                         const IlRepetition *rep,
                                         const IlExperiment *experiment)
{
  g_autoptr(IlResults) held = results != NULL ? il_results_ref (results) : NULL;

  il_timeline_data_set_repetition (data, rep, experiment);
  if (data->rep != NULL)
    data->results = g_steal_pointer (&held);
}

const char *
il_timeline_data_get_error (const IlTimelineData *data,
                            const IlTimelineTask *task)
{
  (void) data;
  return task->error;
}

const IlTimelineTask *
il_timeline_data_find (const IlTimelineData *data,
                       gint                  worker,
                       gint                  row,
                       gint64                t_us,
                       gint64                slack_us)
{
  guint32 best = G_MAXUINT32;
  gint64  best_dist = G_MAXINT64;
  guint   row0 = 0, row1 = IL_TIMELINE_MAX_ROWS;

  if (worker < 0 || (guint) worker >= data->n_workers)
    return NULL;
  /* The index is a cache: completing it does not change what the data says. */
  il_timeline_data_prepare_index ((IlTimelineData *) data);
  if (row >= 0)
    {
      row0 = MIN ((guint) row, IL_TIMELINE_MAX_ROWS - 1);
      row1 = row0 + 1;
    }
  for (guint r = row0; r < row1; r++)
    {
      const IlTimelineList *list = il_timeline_list_get (data->task_lists, IL_TIMELINE_LIST_KEY (worker, r));
      guint                 first, end;

      if (list == NULL)
        continue;
      /* Only the tasks near t: a handful, however many the row holds. */
      il_timeline_list_window (list, t_us - slack_us, t_us + slack_us, &first, &end);
      for (guint i = first; i < end; i++)
        {
          guint32 slot = g_array_index (list->items, guint32, i);
          gint64  start, stop, dist;

          il_timeline_data_item_times (data, IL_TIMELINE_ITEM_TASK, slot, &start, &stop);
          if (stop < 0)
            stop = data->end_us;
          if (t_us >= start && t_us <= stop)
            {
              if (best == G_MAXUINT32 || best_dist >= 0 || slot < best)
                {
                  best = slot;
                  best_dist = -1;
                }
              continue;
            }
          if (best_dist < 0)
            continue;
          dist = t_us < start ? start - t_us : t_us - stop;
          if (dist <= slack_us && (dist < best_dist || (dist == best_dist && slot < best)))
            {
              best = slot;
              best_dist = dist;
            }
        }
    }
  if (best == G_MAXUINT32)
    return NULL;
  return il_timeline_data_task (data, best, &((IlTimelineData *) data)->found);
}

const IlTimelineLane *
il_timeline_data_get_lane (const IlTimelineData *data,
                           gint                  worker)
{
  g_return_val_if_fail (data != NULL, NULL);

  if (worker < 0 || (guint) worker >= data->lanes->len)
    return NULL;
  return &g_array_index (data->lanes, IlTimelineLane, worker);
}
