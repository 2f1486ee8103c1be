/* il-chart-data.h — compact arrays the charts draw from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The live model appends to these once per frame; the results view builds
 * them from IlResults task records. Plain arrays of small structs, so that
 * drawing 10,000 tasks allocates nothing and memory stays bounded (caps).
 * Reference counted: a chart and the model share one instance.
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Caps that keep memory bounded whatever the run's size. */
#define IL_CHART_MAX_TASKS     200000
#define IL_CHART_MAX_BLOCKS    400000
#define IL_CHART_MAX_SPANS     200000
#define IL_CHART_LOAD_CAPACITY 6000 /* samples per core: 5 min at 20 Hz */
#define IL_CHART_MAX_CORES     256

/* ------------------------------------------------------------------------ */
/* Per-core load: a ring of (time, busy %) per core, plus Interleave's own
 * CPU share. Time is continuous over repetitions (µs since the first
 * repetition started). */

typedef struct
{
  gint64 t_us;
  float  value;
} IlLoadPoint;

typedef struct
{
  IlLoadPoint *points; /* IL_CHART_LOAD_CAPACITY */
  guint        head;   /* next write position */
  guint        len;
} IlLoadRing;

typedef struct _IlLoadData IlLoadData;
struct _IlLoadData
{
  GPtrArray *cores;     /* IlLoadRing*, index = core */
  IlLoadRing overhead;  /* % of one core */
  gint64     last_t_us; /* latest sample time */
  guint64    n_samples; /* core samples received (all cores) */
};

IlLoadData *il_load_data_new (void);
IlLoadData *il_load_data_ref (IlLoadData *data);
void        il_load_data_unref (IlLoadData *data);
void        il_load_data_reset (IlLoadData *data);
void        il_load_data_add (IlLoadData *data,
                              gint        core, /* -1: overhead */
                              gint64      t_us,
                              double      value);
guint       il_load_data_get_n_cores (const IlLoadData *data);
/* The @i-th oldest point of @ring (0 ≤ i < ring->len). */
const IlLoadPoint *il_load_ring_get (const IlLoadRing *ring,
                                     guint             i);
/* Latest value, NAN when empty. */
double il_load_ring_last (const IlLoadRing *ring);

/* ------------------------------------------------------------------------ */
/* Timeline of one repetition. */

typedef struct
{
  gint64  start_us;
  gint64  end_us;   /* -1: still running */
  gint64  state[4]; /* running, ready, blocked, gil µs; -1 unknown */
  guint32 task;     /* flat index within the repetition */
  gint32  worker;
  gint32  cpu_start;
  gint32  cpu_end;
  gint32  group; /* -1 unknown (live) */
  gint32  index; /* within the group, -1 unknown */
  gint32  pid;   /* 0 unknown */
  gint32  tid;
  guint32 first_block; /* into blocks */
  guint16 n_blocks;
  gint16  open_block; /* live: the block that started last, -1 none */
  guint8  failed;
  guint8  row;   /* sub-row within its lane, < IL_TIMELINE_MAX_ROWS */
  guint32 error; /* index + 1 into errors, 0 none */
} IlTimelineTask;

typedef struct
{
  gint64  start_us;
  gint64  end_us;    /* -1: still running */
  gint64  state[4];  /* as in IlTimelineTask */
  guint32 task_slot; /* into tasks */
  gint32  worker;
  guint8  type;  /* IlBlockType */
  guint8  block; /* index within the task */
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

typedef struct _IlTimelineData IlTimelineData;
struct _IlTimelineData
{
  GArray    *tasks;        /* IlTimelineTask */
  GArray    *blocks;       /* IlTimelineBlock, in start order per worker */
  GArray    *spans;        /* IlTimelineSpan */
  GArray    *slot_of_task; /* guint32 per flat task index, G_MAXUINT32 none */
  GPtrArray *errors;       /* char*: task->error is the index + 1 */
  GArray    *lanes;        /* IlTimelineLane, n_workers of them */
  GStrv      group_names;  /* nullable: experiment's display names */
  guint      n_workers;    /* lanes: max worker + 1 */
  guint      n_rows;       /* sub-rows over all lanes (n_workers if none overlap) */
  guint      n_finished;
  guint      n_failed;
  gint64     end_us;  /* latest time seen (or the makespan) */
  gboolean   has_gil; /* any GIL span: draw the GIL band */
  guint64    dropped; /* not kept because of the caps */
  char      *title;   /* nullable: e.g. the run's label */
};

IlTimelineData *il_timeline_data_new (void);
IlTimelineData *il_timeline_data_ref (IlTimelineData *data);
void            il_timeline_data_unref (IlTimelineData *data);
void            il_timeline_data_reset (IlTimelineData *data);
void            il_timeline_data_set_group_names (IlTimelineData     *data,
                                                  const IlExperiment *experiment);
void            il_timeline_data_set_title (IlTimelineData *data,
                                            const char     *title);
/* Applies one TASK_*, BLOCK_*, GIL_* event; others are ignored. */
void il_timeline_data_apply (IlTimelineData *data,
                             const IlEvent  *event);
/* Fills from one repetition's task records (resets first). @experiment is
 * nullable and gives group names. */
void        il_timeline_data_set_repetition (IlTimelineData     *data,
                                             const IlRepetition *rep,
                                             const IlExperiment *experiment);
const char *il_timeline_data_get_error (const IlTimelineData *data,
                                        const IlTimelineTask *task);
/* Task under (worker, sub-row, t), or NULL; @row -1 matches any row. */
const IlTimelineTask *il_timeline_data_find (const IlTimelineData *data,
                                             gint                  worker,
                                             gint                  row,
                                             gint64                t_us,
                                             gint64                slack_us);
/* The lane of @worker, or NULL. */
const IlTimelineLane *il_timeline_data_get_lane (const IlTimelineData *data,
                                                 gint                  worker);

/* ------------------------------------------------------------------------ */
/* Completion times of one repetition. */

typedef struct _IlCompletionData IlCompletionData;
struct _IlCompletionData
{
  GArray  *end_us; /* gint64, in arrival order (nearly sorted) */
  guint    n_failed;
  guint64  total; /* tasks expected in the repetition, 0 unknown */
  gboolean sorted;
};

IlCompletionData *il_completion_data_new (void);
IlCompletionData *il_completion_data_ref (IlCompletionData *data);
void              il_completion_data_unref (IlCompletionData *data);
void              il_completion_data_reset (IlCompletionData *data);
void              il_completion_data_add (IlCompletionData *data,
                                          gint64            end_us,
                                          gboolean          failed);
/* Sorts if needed (cheap when nearly sorted). */
void il_completion_data_sort (IlCompletionData *data);

/* ------------------------------------------------------------------------ */
/* Event-loop latency of one repetition (async executor): how late each of
 * the loop's heartbeats fired. */

#define IL_CHART_MAX_LAG_SAMPLES 200000

typedef struct _IlLagData IlLagData;
struct _IlLagData
{
  GArray *samples; /* IlLagSample, in time order */
  gint64  end_us;  /* time axis extent (latest sample or the makespan) */
  gint64  max_lag_us;
  guint64 dropped; /* not kept because of the cap */
  char   *title;   /* nullable: e.g. the run's label */
};

IlLagData *il_lag_data_new (void);
IlLagData *il_lag_data_ref (IlLagData *data);
void       il_lag_data_unref (IlLagData *data);
void       il_lag_data_reset (IlLagData *data);
void       il_lag_data_add (IlLagData *data,
                            gint64     t_us,
                            gint64     lag_us);
/* Fills from a repetition's loop_lag (resets first). */
void il_lag_data_set_repetition (IlLagData          *data,
                                 const IlRepetition *rep);
void il_lag_data_set_title (IlLagData  *data,
                            const char *title);
/* The @percentile (0 … 100) of the lags, in µs; 0 when empty. */
gint64 il_lag_data_percentile (const IlLagData *data,
                               double           percentile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlLoadData, il_load_data_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlTimelineData, il_timeline_data_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlCompletionData, il_completion_data_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlLagData, il_lag_data_unref)

G_END_DECLS
