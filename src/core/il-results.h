/* il-results.h — results of running an experiment (docs/results-format.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "il-experiment.h"
#include "il-state-times.h"

G_BEGIN_DECLS

#define IL_RESULTS_VERSION 1

/* The longest text a results document may hold in one string (a label, a
 * warning, a task's error, the machine's description): what Interleave
 * writes stays far below it; a shared file cannot hand the GUI megabytes to
 * lay out. */
#define IL_RESULTS_MAX_TEXT_CHARS 4096

typedef struct
{
  gint64       start_us;
  gint64       end_us;
  gint64       ttfb_us; /* http only: time to first byte, -1 otherwise */
  IlBlockType  type;
  IlStateTimes state;
  /* Owned, nullable: the states in time order where the executor knew
   * them (il-state-times.h); NULL for a block in one state. Freed with
   * the task record that holds the block. In a copy that
   * il_task_record_block() returns, borrowed from the record. */
  IlStateSegments *segments;
} IlBlockRecord;

/* ---------------------------------------------------------------------- */
/* Task records, as stored                                                 */

/* State times as a record stores them: µs per state (IlState order) in 32
 * bits, exact up to 71 minutes a state. A time outside 0 … G_MAXUINT32
 * (a task of many long blocks, or a shared file's) is kept exactly in the
 * task's wide times instead (IlTaskExtra). */
typedef struct
{
  guint32 us[IL_N_STATES];
} IlStateTimes32;

/* What a record keeps of a block: 48 bytes (il_task_record_block() gives
 * it as an IlBlockRecord). */
typedef struct
{
  gint64           start_us;
  IlStateSegments *segments; /* owned, nullable */
  guint32          dur_us;   /* end_us - start_us */
  gint32           ttfb_off; /* ttfb_us - start_us; G_MININT32: none (-1) */
  IlStateTimes32   state;
  guint8           type;  /* IlBlockType */
  guint8           flags; /* IL_TASK_RECORD_VALID, IL_TASK_RECORD_WIDE */
} IlBlockStored;

#define IL_TASK_RECORD_VALID 1u /* the state times are known */
#define IL_TASK_RECORD_WIDE  2u /* the times are in the task's wide times */

/* A task's or block's times that its record's 32-bit fields cannot hold. */
typedef struct
{
  gint64       start_us; /* blocks */
  gint64       end_us;   /* blocks */
  gint64       ttfb_us;  /* blocks */
  IlStateTimes state;
} IlWideTimes;

/* What few tasks have, kept apart: allocated only for a task that has any
 * of it (il_task_record_host() and the like read it). */
typedef struct
{
  char        *host;       /* mpi: the host that ran it; NULL: not an mpi run */
  char        *error;      /* NULL unless failed */
  gint         rank;       /* mpi: the MPI rank that ran it (with host) */
  gint32       spawn_us;   /* processes per-task: process start-up; -1 n/a */
  gint32       marshal_us; /* mpi: time in MPI messages; -1 n/a */
  guint        n_wide;     /* wide[0]: the task; wide[1 + i]: block i */
  IlWideTimes *wide;
} IlTaskExtra;

/* One task as it ran. Compact (a million of them per repetition is within
 * the format's limits): 144 bytes with its first block inline, so that a
 * task of one block takes no allocation of its own and one of two blocks
 * 48 bytes more (IL_TASK_RECORD_MAX_BYTES). Its blocks: il_task_record_block()
 * and n_blocks; its state times: il_task_record_state(); the fields that
 * few tasks have: il_task_record_host(), _error(), _rank(), _spawn_us(),
 * _marshal_us() and their setters. Fields ending in _ are the stored form:
 * only il-task-record.c and these inline accessors touch them. */
typedef struct
{
  guint          group;  /* index into experiment->tasks */
  guint          index;  /* 0 … repeat-1 within the group */
  gint           worker; /* 0-based lane: thread, process or loop */
  gint           pid;
  gint           tid;
  gint16         cpu_start; /* sched_getcpu at start, -1 unknown */
  gint16         cpu_end;
  guint16        n_blocks;    /* blocks recorded (block0_, then more_[]) */
  guint8         more_alloc_; /* more_[]'s capacity */
  guint          failed : 1;
  guint          flags_ : 2; /* of the state: IL_TASK_RECORD_VALID, _WIDE */
  IlStateTimes32 state_;
  gint64         queued_us;
  gint64         start_us;
  gint64         end_us;
  guint64        checksum; /* this task's CPU checksum (combined into the run's) */
  IlTaskExtra   *extra_;   /* nullable */
  IlBlockStored *more_;    /* blocks 1 … n_blocks-1 */
  IlBlockStored  block0_;  /* the first block, when n_blocks > 0 */
} IlTaskRecord;

/* What a record may grow to, checked at build time (the memory target: at
 * most 256 bytes of memory per recorded task of one or two blocks). */
#define IL_TASK_RECORD_MAX_BYTES  144
#define IL_BLOCK_STORED_MAX_BYTES 48

/* Packs @in's times (not its validity) into @out; FALSE (and @out zeroed)
 * when a time does not fit in 32 bits. */
static inline gboolean
il_state_times_pack (const IlStateTimes *in,
                     IlStateTimes32     *out)
{
  for (guint s = 0; s < IL_N_STATES; s++)
    {
      gint64 us = il_state_times_get (in, (IlState) s);

      if (us < 0 || us > (gint64) G_MAXUINT32)
        {
          memset (out, 0, sizeof *out);
          return FALSE;
        }
      out->us[s] = (guint32) us;
    }
  return TRUE;
}

static inline IlStateTimes
il_state_times_unpack (const IlStateTimes32 *in,
                       gboolean              valid)
{
  return (IlStateTimes){ valid != FALSE, in->us[IL_STATE_RUNNING], in->us[IL_STATE_READY],
                         in->us[IL_STATE_BLOCKED], in->us[IL_STATE_GIL_WAIT], in->us[IL_STATE_LOCK_WAIT] };
}

/* The task's state times (valid FALSE: unknown). */
static inline IlStateTimes
il_task_record_state (const IlTaskRecord *rec)
{
  if (rec->flags_ & IL_TASK_RECORD_WIDE)
    return rec->extra_->wide[0].state;
  return il_state_times_unpack (&rec->state_, rec->flags_ & IL_TASK_RECORD_VALID);
}

void il_task_record_set_state (IlTaskRecord       *rec,
                               const IlStateTimes *state);

/* Block @i (< rec->n_blocks) of a task, as a copy whose segments are the
 * record's (borrowed). */
static inline IlBlockRecord
il_task_record_block (const IlTaskRecord *rec,
                      guint               i)
{
  const IlBlockStored *s = i == 0 ? &rec->block0_ : &rec->more_[i - 1];
  IlBlockRecord        b;

  if (s->flags & IL_TASK_RECORD_WIDE)
    {
      const IlWideTimes *w = &rec->extra_->wide[1 + i];

      b.start_us = w->start_us;
      b.end_us = w->end_us;
      b.ttfb_us = w->ttfb_us;
      b.state = w->state;
    }
  else
    {
      b.start_us = s->start_us;
      b.end_us = s->start_us + s->dur_us;
      b.ttfb_us = s->ttfb_off == G_MININT32 ? -1 : s->start_us + s->ttfb_off;
      b.state = il_state_times_unpack (&s->state, s->flags & IL_TASK_RECORD_VALID);
    }
  b.type = (IlBlockType) s->type;
  b.segments = s->segments;
  return b;
}

/* Block @i's start and end only (cheaper than il_task_record_block(), for
 * code that walks many blocks by time). */
static inline void
il_task_record_block_times (const IlTaskRecord *rec,
                            guint               i,
                            gint64             *start_us,
                            gint64             *end_us)
{
  const IlBlockStored *s = i == 0 ? &rec->block0_ : &rec->more_[i - 1];

  if (s->flags & IL_TASK_RECORD_WIDE)
    {
      *start_us = rec->extra_->wide[1 + i].start_us;
      *end_us = rec->extra_->wide[1 + i].end_us;
    }
  else
    {
      *start_us = s->start_us;
      *end_us = s->start_us + s->dur_us;
    }
}

/* Replaces block @i's times, type and state with @block's; its segments
 * become @block->segments (taken; the block's own are freed unless they
 * are the same). */
void il_task_record_set_block (IlTaskRecord        *rec,
                               guint                i,
                               const IlBlockRecord *block);
/* Appends a copy of @block, taking its segments. */
void il_task_record_add_block (IlTaskRecord        *rec,
                               const IlBlockRecord *block);
/* Room for @n blocks in all (a hint; adding grows as needed). */
void il_task_record_reserve_blocks (IlTaskRecord *rec,
                                    guint         n);
/* Replaces @dest's blocks with @src's, which are moved (@src has none
 * after). */
void il_task_record_take_blocks (IlTaskRecord *dest,
                                 IlTaskRecord *src);
/* Drops the blocks from @n on (their segments freed). */
void il_task_record_truncate_blocks (IlTaskRecord *rec,
                                     guint         n);
/* Forgets the blocks' segments without freeing them (they were borrowed). */
void il_task_record_disown_segments (IlTaskRecord *rec);

static inline const char *
il_task_record_host (const IlTaskRecord *rec)
{
  return rec->extra_ != NULL ? rec->extra_->host : NULL;
}

static inline const char *
il_task_record_error (const IlTaskRecord *rec)
{
  return rec->extra_ != NULL ? rec->extra_->error : NULL;
}

static inline gint
il_task_record_rank (const IlTaskRecord *rec)
{
  return rec->extra_ != NULL ? rec->extra_->rank : 0;
}

static inline gint
il_task_record_spawn_us (const IlTaskRecord *rec)
{
  return rec->extra_ != NULL ? rec->extra_->spawn_us : -1;
}

static inline gint
il_task_record_marshal_us (const IlTaskRecord *rec)
{
  return rec->extra_ != NULL ? rec->extra_->marshal_us : -1;
}

/* A deep copy of @src into @dest (which holds nothing yet). */
void il_task_record_copy (IlTaskRecord       *dest,
                          const IlTaskRecord *src);
/* Equal as written in a results document. */
gboolean il_task_record_equal (const IlTaskRecord *a,
                               const IlTaskRecord *b);

/* Setters: the strings are taken (NULL clears). */
void il_task_record_take_host (IlTaskRecord *rec,
                               char         *host);
void il_task_record_take_error (IlTaskRecord *rec,
                                char         *error);
void il_task_record_set_rank (IlTaskRecord *rec,
                              gint          rank);
void il_task_record_set_spawn_us (IlTaskRecord *rec,
                                  gint32        spawn_us);
void il_task_record_set_marshal_us (IlTaskRecord *rec,
                                    gint32        marshal_us);

typedef struct
{
  gint   worker;
  gint64 start_us;
  gint64 end_us;
} IlSpan;

typedef struct
{
  gint64 t_us;
  gint64 lag_us;
} IlLagSample;

/* What a repetition's yield blocks cost (docs/results-format.md, a
 * repetition's `yield`). */
typedef struct
{
  gint64 yields;      /* sched_yield calls made (async: hand-overs to the loop) */
  gint64 voluntary;   /* the kernel's switches of the yielding threads, */
  gint64 involuntary; /* counted while they were in yield blocks */
  gint64 cpu_us;      /* on-CPU (running) time of the yield blocks */
} IlYieldRecord;

/* The yield blocks' on-CPU time ÷ the kernel's switches during them, in µs;
 * NAN when the kernel counted no switch. */
double il_yield_record_us_per_switch (const IlYieldRecord *record);

/* mpi runs: one host's per-core load, sampled on that host by one of its
 * ranks and sent back with the results. */
typedef struct
{
  char      *host;
  guint      hz;
  GPtrArray *cores; /* GArray<float> per core: busy % samples */
} IlHostLoad;

typedef struct
{
  double   makespan_ms;
  char    *checksum; /* 16 lowercase hex digits */
  guint    failed_tasks;
  gboolean cancelled; /* stopped before every task ran */
  gboolean warmup;    /* not counted in statistics; not written */
  GArray  *tasks;     /* IlTaskRecord, in flat task order */
  /* core_load: sample rate and, per core, busy % samples */
  guint      load_hz;
  GPtrArray *core_load; /* GArray<float> per core; may be empty */
  GArray    *gil_holds; /* IlSpan: who held the simulated GIL when */
  GArray    *loop_lag;  /* IlLagSample: async executor's heartbeat */
  double     cpu_user_ms;
  double     cpu_sys_ms;
  gint64     ctx_voluntary;
  gint64     ctx_involuntary;
  double     overhead_cpu_ms;
  /* counter blocks: the counter this process's tasks shared */
  gboolean has_counter; /* FALSE: no counter block (not written) */
  gint64   counter_expected;
  gint64   counter_final;
  GArray  *counter_per_worker; /* gint64 per worker (processes); NULL */
  /* yield blocks: FALSE, none (not written) */
  gboolean      has_yield;
  IlYieldRecord yield;
  GPtrArray    *host_load; /* IlHostLoad*: mpi runs, per host; may be empty */
} IlRepetition;

typedef struct
{
  double median, min, max, mean, stddev;
} IlStats;

typedef struct
{
  IlStats makespan_ms;
  double  speedup;    /* NAN: no sequential run */
  double  efficiency; /* NAN: no sequential run */
  double  throughput_per_s;
  double  latency_mean_ms;
  double  latency_p50_ms;
  double  latency_p95_ms;
  double  cpu_user_ms; /* medians over repetitions */
  double  cpu_sys_ms;
  gint64  ctx_voluntary;
  gint64  ctx_involuntary;
  char   *checksum;
  double  overhead_cpu_ms;
  guint   failed_tasks; /* summed over counted repetitions */
} IlSummary;

typedef struct
{
  char          *label;
  IlExecutorKind executor;
  guint          workers; /* resolved; 1 for sequential and async */
  gboolean       gil;
  guint          switch_interval_ms;
  IlSpawn        spawn;
  guint          cpu_slice_units;
  guint          config_index; /* which entry of experiment->runs */
  IlSummary      summary;
  GPtrArray     *repetitions; /* IlRepetition*, counted ones only */
  IlEngine       engine;
  char          *python_version; /* cpython engine: the interpreter's, e.g. "3.11.2" */
} IlRunResult;

typedef struct
{
  char  *cpu_model;
  guint  cores;
  double mhz;
  char  *governor; /* NULL: unknown */
  double loadavg;
  char  *kernel;
  char  *os;
  char  *interleave_version;
  char  *date; /* ISO 8601 UTC */
} IlMachine;

struct _IlResults
{
  char      *experiment;
  IlMachine  machine;
  GStrv      warnings;
  GPtrArray *runs;      /* IlRunResult* */
  gboolean   cancelled; /* not written; the CLI's exit status */
  /* Not written: a later run could not start, so the results hold only what
   * ran before it (the reason is in warnings). */
  gboolean incomplete;
  /* Not written: owners. Recorded results are never changed in place, so
   * copies of an experiment (undo snapshots, the saved state) share them
   * (il_results_ref): a million recorded tasks are held once. */
  gint ref_count;
};

IlResults *il_results_new (void);
IlResults *il_results_copy (const IlResults *results);
/* Another owner; il_results_free() drops one and frees with the last. */
IlResults *il_results_ref (IlResults *results);
void       il_results_free (IlResults *results);
gboolean   il_results_equal (const IlResults *a, const IlResults *b);

IlRepetition *il_repetition_new (void);
void          il_repetition_free (IlRepetition *rep);
IlRunResult  *il_run_result_new (void);
void          il_run_result_free (IlRunResult *run);
void          il_task_record_clear (IlTaskRecord *rec); /* GArray clear func */
IlHostLoad   *il_host_load_new (const char *host,
                                guint       hz);
void          il_host_load_free (IlHostLoad *load);
void          il_machine_clear (IlMachine *machine);

/* Fills run->summary from run->repetitions; @baseline_median_ms is the first
 * sequential run's median makespan (NAN: none), @cores the machine's (or the
 * affinity's) core count. */
void il_run_result_summarize (IlRunResult *run,
                              double       baseline_median_ms,
                              guint        cores);
/* The repetition a run is shown by: the median by makespan (the lower
 * middle one of an even count; ties keep the recorded order) of those that
 * count (il_repetition_counts), or of all when none counts (a run stopped in
 * its first repetition). NULL when the run has no repetition. */
const IlRepetition *il_run_result_median_repetition (const IlRunResult *run);
/* Whether @rep counts in a run's figures (summary, min–max, median): not a
 * warm-up and not cut off by Stop (rep->cancelled). */
gboolean il_repetition_counts (const IlRepetition *rep);
/* How many of @run's repetitions count; @n_cancelled (nullable) gets how
 * many were cut off by Stop. */
guint il_run_result_count_repetitions (const IlRunResult *run,
                                       guint             *n_cancelled);
/* The median makespan of the repetitions that count, NAN when none. */
double il_run_result_median_makespan (const IlRunResult *run);
/* Whether @task of @rep was cut off by Stop rather than failing on its own:
 * such a task reads "cancelled", not "failed". */
gboolean il_task_record_is_cancelled (const IlRepetition *rep,
                                      const IlTaskRecord *task);

/* The results document, as docs/results-format.md describes it. */
JsonNode *il_results_to_json (const IlResults *results);
char     *il_results_to_data (const IlResults *results, gsize *length);
/* The same document, written to @stream in chunks as it is made: no tree
 * of the tasks is ever held whole. */
gboolean il_results_write (const IlResults *results,
                           GOutputStream   *stream,
                           GCancellable    *cancellable,
                           GError         **error);
/* Reads a results document (also the `results` member of an experiment).
 * @path is the JSON path used in messages ("$.results"). Messages use
 * @display_name like the experiment loader. */
IlResults *il_results_from_json (JsonNode   *node,
                                 const char *path,
                                 GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlResults, il_results_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlRepetition, il_repetition_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlRunResult, il_run_result_free)

G_END_DECLS
