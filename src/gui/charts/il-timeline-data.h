/* il-timeline-data.h — one repetition's tasks, blocks and GIL spans for the timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Results mode: block j of task slot s is item (s << IL_TIMELINE_BLOCK_SHIFT) | j. */
#define IL_TIMELINE_BLOCK_SHIFT 6
G_STATIC_ASSERT (IL_MAX_BLOCKS <= (1 << IL_TIMELINE_BLOCK_SHIFT));

/* Timeline of one repetition. */

typedef struct
{
  gint64       start_us;
  gint64       end_us; /* -1: still running */
  IlStateTimes state;  /* not valid: unknown (yet) */
  guint32      task;   /* flat index within the repetition */
  gint32       worker;
  gint32       cpu_start;
  gint32       cpu_end;
  gint32       group; /* -1 unknown (live) */
  gint32       index; /* within the group, -1 unknown */
  gint32       pid;   /* 0 unknown */
  gint32       tid;
  guint32      first_block; /* into blocks */
  guint16      n_blocks;
  gint16       open_block; /* live: the block that started last, -1 none */
  guint8       failed;
  guint8       row;       /* sub-row within its lane, < IL_TIMELINE_MAX_ROWS */
  guint8       cancelled; /* cut off by Stop (not failed) */
  const char  *error;     /* nullable: the record's (results only) */
} IlTimelineTask;

typedef struct
{
  gint64       start_us;
  gint64       end_us;    /* -1: still running */
  IlStateTimes state;     /* not valid: unknown (yet) */
  guint32      task_slot; /* into tasks */
  gint32       worker;
  /* Its states in time order (the record's, results only), or NULL. */
  const IlStateSegment *segments;
  guint8                n_segments; /* 0: none recorded (draw the state split in proportion) */
  guint8                type;       /* IlBlockType */
  guint8                block;      /* index within the task */
} IlTimelineBlock;

typedef enum
{
  IL_SPAN_GIL_HOLD,
  IL_SPAN_GIL_WAIT,
} IlSpanKind;

typedef struct
{
  gint64 start_us;
  gint64 end_us;
  gint32 worker;
  guint8 kind; /* IlSpanKind */
} IlTimelineSpan;

/* Sub-rows of one lane. An event loop runs many tasks at once on one
 * worker: tasks that overlap in time on a lane are packed greedily, each
 * into the first sub-row free at its start, so that every task in flight
 * has a row of its own. Lanes whose tasks never overlap keep one row. Past
 * IL_TIMELINE_MAX_ROWS, tasks share the last row (they are "folded"). */
#define IL_TIMELINE_MAX_ROWS 32

typedef struct
{
  guint32 occupant[IL_TIMELINE_MAX_ROWS]; /* task slot last put in each row */
  guint   n_rows;                         /* 1 … IL_TIMELINE_MAX_ROWS */
  guint   n_open;                         /* live: tasks started, not yet ended */
  guint   max_open;                       /* most tasks in flight at once */
  guint   n_folded;                       /* tasks put in the last row over another */
} IlTimelineLane;

/* The items (tasks, blocks or spans) of one sub-row, in start order, and
 * per bucket of IL_TIMELINE_BUCKET items the latest end of the prefix, so
 * that the items a visible window overlaps are found by binary search
 * (il-timeline-index.c). Items' times are read where they are kept (the
 * recorded results, or the live arrays): the index holds 4 bytes an item
 * and a little per bucket. Kept up to date as data comes in; sorted and
 * completed once per data change, never per frame. */
#define IL_TIMELINE_BUCKET 16 /* items summed up together */

/* What IL_TIMELINE_BUCKET consecutive blocks of a list add up to: µs per
 * block type and per state (zoomed out, a pixel column is the sum of the
 * buckets that begin in it). */
typedef struct
{
  float type_us[IL_N_BLOCK_TYPES + 1];
  float state_us[IL_N_STATES];
} IlTimelineSums;

typedef enum
{
  IL_TIMELINE_ITEM_TASK,
  IL_TIMELINE_ITEM_BLOCK,
  IL_TIMELINE_ITEM_SPAN,
} IlTimelineItemKind;

typedef struct _IlTimelineData IlTimelineData;

typedef struct
{
  const IlTimelineData *data;    /* the owner: where the items' times are */
  GArray               *items;   /* guint32 item id (task slot, block id, span) */
  GArray               *max_end; /* gint64 per bucket: latest end of items[0 … bucket end); running: G_MAXINT64 */
  GArray               *sums;    /* IlTimelineSums per bucket: block lists only, else NULL */
  /* gint64 per bucket: its first item's start, for buckets [0, n_starts):
   * a search reads the items of one bucket only. */
  GArray *first_start;
  guint   n_starts;
  guint   n_valid; /* max_end (and sums) hold for items[0 … n_valid) */
  /* Items[0 … mono) end in order (no item ends before one before it, as
   * in a sub-row whose tasks never overlap): there an item's own end is
   * the latest so far, one read instead of a bucket's. */
  guint  mono;
  guint8 kind; /* IlTimelineItemKind */
  /* Item ids are items[i] << shift: a block list whose tasks have one
   * block each shares its row's task list (results only), 0 otherwise. */
  guint8   shift;
  gboolean unsorted;
} IlTimelineList;

struct _IlTimelineData
{
  /* Recorded results are not copied: tasks and blocks are read from the
   * repetition's records (@rep, kept alive by @results when set), and only
   * the index and a byte per task (its sub-row) are the timeline's own.
   * Live, events fill tasks and blocks. */
  IlResults          *results;      /* nullable: holds @rep */
  const IlRepetition *rep;          /* nullable: results mode */
  GArray             *rows;         /* results: guint8 sub-row per task */
  guint               n_tasks;      /* shown: tasks->len live, else the records' (capped) */
  IlTimelineTask      found;        /* results: what il_timeline_data_find() returned */
  GArray             *tasks;        /* live: IlTimelineTask */
  GArray             *blocks;       /* live: IlTimelineBlock, in start order per worker */
  GArray             *spans;        /* IlTimelineSpan */
  GArray             *slot_of_task; /* live: guint32 per flat task index, G_MAXUINT32 none */
  GArray             *lanes;        /* IlTimelineLane, n_workers of them */
  GStrv               group_names;  /* nullable: experiment's display names */
  guint               n_workers;    /* lanes: max worker + 1 */
  guint               n_rows;       /* sub-rows over all lanes (n_workers if none overlap) */
  guint               n_finished;
  guint               n_failed;
  guint               n_cancelled;   /* tasks cut off by Stop */
  gint64              end_us;        /* latest time seen (or the makespan) */
  gboolean            has_gil;       /* any GIL span: draw the GIL band */
  gboolean            has_lock_wait; /* a block waited for a counter's lock: legend */
  guint64             dropped;       /* not kept because of the caps */
  char               *title;         /* nullable: e.g. the run's label */
  GPtrArray          *lane_hosts;    /* char* per lane, NULL unknown: mpi ranks' hosts */
  /* The index: IlTimelineList* per worker × IL_TIMELINE_MAX_ROWS + row
   * (NULL: none), spans per worker. */
  GPtrArray *task_lists;
  GPtrArray *block_lists;
  GPtrArray *mark_lists; /* tasks drawn on their own: failed, or without blocks */
  GPtrArray *span_lists;
};

IlTimelineData *il_timeline_data_new (void);
IlTimelineData *il_timeline_data_ref (IlTimelineData *data);
void            il_timeline_data_unref (IlTimelineData *data);
void            il_timeline_data_reset (IlTimelineData *data);
void            il_timeline_data_set_group_names (IlTimelineData     *data,
                                                  const IlExperiment *experiment);
void            il_timeline_data_set_title (IlTimelineData *data,
                                            const char     *title);
/* Applies one TASK_*, BLOCK_*, GIL_* event; others are ignored. A TASK_END
 * flagged IL_EVENT_FLAG_CANCELLED marks its task cut off by Stop. */
void il_timeline_data_apply (IlTimelineData *data,
                             const IlEvent  *event);
/* Shows one repetition's task records (resets first), without copying
 * them: @rep must stay as it is while @data shows it. @experiment is
 * nullable and gives group names. */
void il_timeline_data_set_repetition (IlTimelineData     *data,
                                      const IlRepetition *rep,
                                      const IlExperiment *experiment);
/* The same, holding a reference on @results, which holds @rep. */
void        il_timeline_data_set_results_repetition (IlTimelineData     *data,
                                                     IlResults          *results,
                                                     const IlRepetition *rep,
                                                     const IlExperiment *experiment);
const char *il_timeline_data_get_error (const IlTimelineData *data,
                                        const IlTimelineTask *task);
/* Results mode: the record of task @slot (< n_tasks). The one place that
 * knows how a repetition keeps its records. */
static inline const IlTaskRecord *
il_timeline_data_record (const IlTimelineData *data,
                         guint32               slot)
{
  return &g_array_index (data->rep->tasks, IlTaskRecord, slot);
}
/* Task @slot (< n_tasks): in the live array, or read from its record into
 * @buf. */
const IlTimelineTask *il_timeline_data_task (const IlTimelineData *data,
                                             guint32               slot,
                                             IlTimelineTask       *buf);
/* The slot of a task il_timeline_data_task() or _find() gave. */
guint32 il_timeline_data_slot_of (const IlTimelineData *data,
                                  const IlTimelineTask *task);
/* Block @id (an index item: task_slot's blocks are contiguous ids from
 * task->first_block), or NULL when there is none. */
const IlTimelineBlock *il_timeline_data_block (const IlTimelineData *data,
                                               guint32               id,
                                               IlTimelineBlock      *buf);
/* Bytes the timeline holds of its own (arrays, index, sub-rows; not the
 * records it shows): the memory it adds to the results. */
gsize il_timeline_data_get_own_bytes (const IlTimelineData *data);
/* Task under (worker, sub-row, t), or NULL; @row -1 matches any row. The
 * result stays valid until the next call or change. */
const IlTimelineTask *il_timeline_data_find (const IlTimelineData *data,
                                             gint                  worker,
                                             gint                  row,
                                             gint64                t_us,
                                             gint64                slack_us);
/* The index (il-timeline-index.c). Lists of a sub-row, or NULL. */
#define IL_TIMELINE_LIST_KEY(worker, row) ((guint) (worker) *IL_TIMELINE_MAX_ROWS + (guint) (row))
IlTimelineList *il_timeline_list_get (GPtrArray *lists,
                                      guint      key);
/* Sorts and completes every list changed since the last call: once per
 * data change; cheap (a look at each list) when nothing changed. */
void il_timeline_data_prepare_index (IlTimelineData *data);
/* Items of a prepared @list that may overlap [@t0, @t1]: [*first, *end). */
void il_timeline_list_window (const IlTimelineList *list,
                              gint64                t0,
                              gint64                t1,
                              guint                *first,
                              guint                *end);
/* The first position in [@from, @to) whose item starts at or after @t_us
 * (@to: none). */
guint il_timeline_list_seek (const IlTimelineList *list,
                             guint                 from,
                             guint                 to,
                             gint64                t_us);
/* The id of the item at @pos. */
static inline guint32
il_timeline_list_item (const IlTimelineList *list,
                       guint                 pos)
{
  return g_array_index (list->items, guint32, pos) << list->shift;
}
/* The start of the item at @pos. */
gint64 il_timeline_list_start (const IlTimelineList *list,
                               guint                 pos);
/* The latest end of items[0 … @pos] of a prepared list (G_MAXINT64: one
 * is running). */
gint64 il_timeline_list_latest_end (const IlTimelineList *list,
                                    guint                 pos);
/* Start and end (-1: running) of item @item of @kind. */
void il_timeline_data_item_times (const IlTimelineData *data,
                                  guint                 kind,
                                  guint32               item,
                                  gint64               *start_us,
                                  gint64               *end_us);
/* Internal to il-timeline-data.c and il-timeline-index.c: keeping the index. */
void il_timeline_index_init (IlTimelineData *data);
void il_timeline_index_clear (IlTimelineData *data);
void il_timeline_index_add (IlTimelineData *data,
                            GPtrArray      *lists,
                            guint           key,
                            guint32         item);
/* @item's end changed. */
void  il_timeline_index_ended (IlTimelineData *data,
                               GPtrArray      *lists,
                               guint           key,
                               guint32         item);
gsize il_timeline_index_bytes (const IlTimelineData *data);
/* Indexes everything (after il_timeline_data_set_repetition filled it). */
void il_timeline_index_build (IlTimelineData *data);

/* The lane of @worker, or NULL. */
const IlTimelineLane *il_timeline_data_get_lane (const IlTimelineData *data,
                                                 gint                  worker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlTimelineData, il_timeline_data_unref)

G_END_DECLS
