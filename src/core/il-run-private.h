/* il-run-private.h — what the runner, the executors and the task body share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-counter.h"
#include "il-events.h"
#include "il-experiment.h"
#include "il-mpi.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Per-thread resource use, summed over tasks. */
typedef struct
{
  gint64 user_us;
  gint64 sys_us;
  gint64 nvcsw;
  gint64 nivcsw;
} IlUsage;

/* The calling thread's resource use so far (getrusage RUSAGE_THREAD);
 * zeros when it cannot be read. */
void il_thread_usage_read (IlUsage *out);
/* Adds the calling thread's resource use since @since to @into. */
void il_usage_add_since (IlUsage       *into,
                         const IlUsage *since);

/* What yield blocks did: the calls, the kernel's switches of the yielding
 * thread while in them, and their on-CPU time. */
typedef struct
{
  gint64 yields;
  gint64 nvcsw;
  gint64 nivcsw;
  gint64 cpu_us;
} IlYieldUsage;

/* Hooks of the threads executor's simulated GIL, which a task holds from
 * its start to its end except during blocking I/O and yield blocks
 * (il-gil.h). Each returns the µs it spent waiting (for the lock), which is
 * accounted as `gil_wait`. */
typedef struct
{
  gint64 (*acquire) (gpointer data);       /* after blocking I/O */
  gint64 (*unit_boundary) (gpointer data); /* before each unit: may hand over */
  void (*release) (gpointer data);         /* before blocking I/O */
  gpointer data;
} IlCpuHooks;

typedef struct _IlIoEnv IlIoEnv; /* I/O blocks' environment (il-io.h) */

/* Everything one task needs to run in the current thread. */
typedef struct
{
  const IlTaskGroup *def;
  guint              group;
  guint              index;
  guint              flat; /* flat task index within the repetition */
  gint               worker;
  gint64             t0;          /* monotonic µs at the repetition's start */
  GCancellable      *cancellable; /* nullable */
  const IlCpuHooks  *hooks;       /* nullable */
  IlIoEnv           *io;          /* nullable: no I/O blocks */
  IlEventQueue      *events;      /* nullable */
  IlCounter         *counter;     /* nullable: counter blocks count privately */
  guint16            run;
  guint16            rep;
  /* Out: Interleave's own recording cost, and what the task's blocks did.
   * il_task_execute leaves usage alone: getrusage per task would cost more
   * than a tiny task's dispatch, so the executor reads it once per worker
   * and repetition (il_usage_add_since) and the worker process's comes
   * from its exit status (il_pool_slot_reap). */
  IlUsage      usage;
  gint64       overhead_ns;
  gint64       counter_done; /* increments its counter blocks made */
  IlYieldUsage yielded;      /* its yield blocks */
} IlTaskEnv;

/* The one way to set up a task's environment, for every executor and the
 * worker: the task's identity and clock. Everything else starts empty (no
 * cancellable, hooks, I/O or events; no usage yet): set what applies. */
void il_task_env_init (IlTaskEnv         *env,
                       const IlTaskGroup *def,
                       guint              group,
                       guint              index,
                       guint              flat,
                       gint               worker,
                       guint16            run,
                       guint16            rep,
                       gint64             t0);

/* What a worker process measured for a task (its pid/tid, cores, checksum,
 * states, failure, blocks and error) moved from @measured into @rec, as the
 * processes executor and the cpython engine receive it in a RESULT.
 * Identity, queue and start/end times stay the caller's. */
void il_task_record_take_measured (IlTaskRecord *rec,
                                   IlTaskRecord *measured);

/* Runs every block of the task in order in the calling thread, filling
 * @rec (start/end, pid/tid, cores, per-block times and states, checksum,
 * failure). @rec->queued_us is the caller's. A failed block ends the task;
 * cancellation fails it with "cancelled". */
void il_task_execute (IlTaskEnv    *env,
                      IlTaskRecord *rec);

/* Sleeps @ms, waking early when @cancellable is cancelled. FALSE if
 * cancelled. */
gboolean il_sleep_cancellable (gint64        ms,
                               GCancellable *cancellable);

/* A repetition being run: set up by the runner, filled by an executor. */
typedef struct
{
  const IlExperiment *experiment;
  const IlRunConfig  *config;
  guint               workers; /* resolved worker count */
  guint16             run;     /* index into the expanded runs */
  guint16             rep;     /* repetition index, warm-ups included */
  gboolean            warmup;
  IlRepetition       *repetition; /* tasks preallocated in flat order */
  gint64              t0;         /* monotonic µs at start */
  GCancellable       *cancellable;
  IlEventQueue       *events;      /* nullable */
  IlIoEnv            *io;          /* nullable */
  GArray             *affinity;    /* guint cores, nullable: all */
  GMutex              lock;        /* guards usage, overhead, repetition arrays */
  IlUsage             usage;       /* summed over tasks (and children) */
  gint64              overhead_ns; /* recording cost, summed */
  IlCounter           counter;     /* counter blocks' (done: under lock) */
  IlYieldUsage        yielded;     /* yield blocks', summed (under lock) */
  gpointer            prepared;    /* the executor's prepare() state */
  /* The executor's state kept from one repetition of this run to the next
   * (the runner's slot, NULL until the executor keeps something there;
   * released with the executor's release() when the runner is done).
   * NULL: nothing may be kept, as outside a runner. */
  gpointer         *kept;
  const IlMpiHosts *mpi_hosts; /* nullable: where mpi ranks run (this machine) */
} IlRunContext;

/* Adds a finished task's usage, overhead, counter increments and yields to
 * the context (thread-safe). */
void il_run_context_account (IlRunContext    *ctx,
                             const IlTaskEnv *env);
/* Adds a finished task's usage, overhead, counter increments and yields to
 * @into, as il_run_context_account adds them to the context: a worker sums
 * its own and accounts once, instead of locking the context per task. */
void il_task_env_accumulate (IlTaskEnv       *into,
                             const IlTaskEnv *env);
/* Records that @worker counted @n increments in its own memory (the
 * processes executor: the run's counter never sees them). Thread-safe. */
void il_run_context_count_worker (IlRunContext *ctx,
                                  gint          worker,
                                  gint64        n);
/* Fills a task environment for flat task @flat on @worker. */
void il_run_context_task_env (IlRunContext *ctx,
                              guint         flat,
                              gint          worker,
                              IlTaskEnv    *env);
/* Pins the calling thread to the run's CPU affinity (no-op without one). */
gboolean il_run_context_pin_thread (IlRunContext *ctx,
                                    GError      **error);
void     il_run_context_emit (IlRunContext *ctx,
                              IlEvent      *event);

typedef struct
{
  IlExecutorKind kind;
  /* Runs every task of ctx->repetition; task failures go into the records.
   * Returns FALSE only when the executor could not run at all. Must return
   * promptly after ctx->cancellable is cancelled. */
  gboolean (*run) (IlRunContext *ctx,
                   GError      **error);
  /* Optional, called before the repetition's clock starts (ctx->t0 is not
   * set yet): sets up what is not part of the measurement, such as an
   * interpreter's start-up, keeping its state in ctx->prepared for run().
   * When it returns FALSE, run() is not called (it cleaned up itself). */
  gboolean (*prepare) (IlRunContext *ctx,
                       GError      **error);
  /* Optional: ends what the executor kept in ctx->kept across the run's
   * repetitions (the cpython engine's interpreter), once the runner has
   * run every repetition, or stopped. */
  void (*release) (gpointer kept);
} IlExecutorClass;

/* NULL: this build cannot run @kind yet. */
const IlExecutorClass *il_executor_lookup (IlExecutorKind kind);
/* The executor that runs @config: il_executor_lookup's, or the cpython
 * engine's for every kind it runs. NULL: this build cannot run it. */
const IlExecutorClass *il_executor_for_run (const IlRunConfig *config);

extern const IlExecutorClass il_executor_sequential;
extern const IlExecutorClass il_executor_threads;
extern const IlExecutorClass il_executor_processes;
extern const IlExecutorClass il_executor_async;
extern const IlExecutorClass il_executor_cpython;
extern const IlExecutorClass il_executor_mpi;

/* Monotonic µs. */
static inline gint64
il_now_us (void)
{
  return g_get_monotonic_time ();
}

G_END_DECLS
