/* il-experiment.h — the experiment model (format version 1, docs/experiment-format.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Plain C structs, deep-copyable, so that editors can snapshot them for undo
 * and runners can work on a private copy while the user keeps editing.
 */
#pragma once

#include <gio/gio.h>

#include "il-error.h"

G_BEGIN_DECLS

#define IL_FORMAT_VERSION 1

/* Limits from the format's tables (docs/experiment-format.md). */
#define IL_MAX_NAME_CHARS         200
#define IL_MAX_DESCRIPTION_CHARS  10000
#define IL_MAX_LABEL_CHARS        100
#define IL_MAX_TASK_GROUPS        1000
#define IL_MAX_REPEAT             100000
#define IL_MAX_TOTAL_TASKS        1000000
#define IL_MAX_PAYLOAD_BYTES      (G_GINT64_CONSTANT (64) * 1024 * 1024)
#define IL_MAX_BLOCKS             64
#define IL_MAX_UNITS              1000000
#define IL_MAX_INCREMENTS         10000000
#define IL_MAX_YIELDS             1000000
#define IL_MAX_MS                 600000
#define IL_MAX_HTTP_BYTES         (G_GINT64_CONSTANT (64) * 1024 * 1024)
#define IL_MAX_FILE_BYTES         (G_GINT64_CONSTANT (1024) * 1024 * 1024)
#define IL_MAX_WORKERS            256
#define IL_MAX_SWITCH_INTERVAL_MS 1000
#define IL_MAX_RUNS               32
#define IL_MAX_REPETITIONS        100
#define IL_MAX_WARMUP             10
#define IL_MAX_SAMPLE_HZ          100
#define IL_MAX_CPU_SLICE_UNITS    IL_MAX_UNITS
#define IL_MIN_QUIZ_CHOICES       2
#define IL_MAX_QUIZ_CHOICES       6
/* Largest core index a file may name: sched_setaffinity's CPU_SETSIZE. */
#define IL_MAX_CPU_INDEX 1023
#define IL_MAX_URL_CHARS 2048
/* The largest experiment file read (docs/experiment-format.md, "Limits"). */
#define IL_MAX_EXPERIMENT_FILE_MIB   1024
#define IL_MAX_EXPERIMENT_FILE_BYTES ((guint64) IL_MAX_EXPERIMENT_FILE_MIB * 1024 * 1024)

typedef enum
{
  IL_BLOCK_CPU,
  IL_BLOCK_SLEEP,
  IL_BLOCK_HTTP,
  IL_BLOCK_FILE_WRITE,
  IL_BLOCK_FILE_READ,
  IL_BLOCK_COUNTER,
  IL_BLOCK_YIELD,
  IL_N_BLOCK_TYPES
} IlBlockType;

typedef enum
{
  IL_KERNEL_SPIN,
  IL_KERNEL_PRIMES,
  IL_KERNEL_HASH,
  IL_KERNEL_MATMUL,
  IL_N_KERNELS
} IlKernel;

typedef enum
{
  IL_EXECUTOR_SEQUENTIAL,
  IL_EXECUTOR_THREADS,
  IL_EXECUTOR_PROCESSES,
  IL_EXECUTOR_ASYNC,
  IL_EXECUTOR_MPI,
  IL_N_EXECUTORS
} IlExecutorKind;

typedef enum
{
  IL_SPAWN_POOL,
  IL_SPAWN_PER_TASK,
  IL_N_SPAWNS
} IlSpawn;

/* What runs an executor's tasks: Interleave's own executors, or the same
 * executor on the real CPython interpreter (il-executor-cpython.c). */
typedef enum
{
  IL_ENGINE_NATIVE,
  IL_ENGINE_CPYTHON,
  IL_N_ENGINES
} IlEngine;

typedef enum
{
  IL_ORDER_INTERLEAVED,
  IL_ORDER_GROUPED,
  IL_ORDER_SHUFFLED,
  IL_N_ORDERS
} IlOrder;

/* String forms are exactly the format's ("cpu", "file-write", "per-task", …).
 * from_string returns FALSE for an unknown string. */
const char *il_block_type_to_string (IlBlockType type);
gboolean    il_block_type_from_string (const char *str, IlBlockType *out);
const char *il_kernel_to_string (IlKernel kernel);
gboolean    il_kernel_from_string (const char *str, IlKernel *out);
const char *il_executor_to_string (IlExecutorKind executor);
gboolean    il_executor_from_string (const char *str, IlExecutorKind *out);
const char *il_spawn_to_string (IlSpawn spawn);
gboolean    il_spawn_from_string (const char *str, IlSpawn *out);
const char *il_order_to_string (IlOrder order);
gboolean    il_order_from_string (const char *str, IlOrder *out);
const char *il_engine_to_string (IlEngine engine);
gboolean    il_engine_from_string (const char *str, IlEngine *out);

/**
 * IlBlock:
 * Only the fields of @type are meaningful; the others keep their defaults.
 */
typedef struct
{
  IlBlockType type;
  IlKernel    kernel;     /* cpu */
  gint64      units;      /* cpu: 1 … IL_MAX_UNITS */
  gint64      ms;         /* sleep: 0 … IL_MAX_MS */
  gint64      delay_ms;   /* http, embedded server: 0 … IL_MAX_MS */
  gint64      bytes;      /* http (embedded server), file-write, file-read */
  char       *url;        /* http: NULL means the embedded latency server */
  gboolean    fsync;      /* file-write */
  gint64      increments; /* counter: 1 … IL_MAX_INCREMENTS */
  gboolean    lock;       /* counter: each increment holds the run's mutex */
  gint64      times;      /* yield: 1 … IL_MAX_YIELDS */
} IlBlock;

/* A new block with sensible defaults for its type (cpu spin × 10, sleep 10 ms,
 * http 20 ms / 1 KiB, files 1 MiB, counter 100,000 increments, yield × 1000). */
IlBlock *il_block_new (IlBlockType type);
IlBlock *il_block_copy (const IlBlock *block);
void     il_block_free (IlBlock *block);
gboolean il_block_equal (const IlBlock *a, const IlBlock *b);
/* Short human text: "spin × 40", "sleep 50 ms", "GET 20 ms, 1.0 KiB",
 * "write 1.0 MiB (fsync)", "count 100000", "count 100000 (lock)", "yield × 1000". */
char *il_block_describe (const IlBlock *block);

typedef struct
{
  char      *name;          /* NULL: "task N" (N is the 1-based position) */
  gint64     repeat;        /* 1 … IL_MAX_REPEAT */
  gint64     payload_bytes; /* 0 … IL_MAX_PAYLOAD_BYTES */
  GPtrArray *blocks;        /* IlBlock*, owned, 1 … IL_MAX_BLOCKS */
} IlTaskGroup;

IlTaskGroup *il_task_group_new (void); /* one cpu block, repeat 1 */
IlTaskGroup *il_task_group_copy (const IlTaskGroup *group);
void         il_task_group_free (IlTaskGroup *group);
gboolean     il_task_group_equal (const IlTaskGroup *a, const IlTaskGroup *b);
/* The displayed name: group->name or "task N" with N = position + 1. */
char *il_task_group_display_name (const IlTaskGroup *group, guint position);

typedef struct
{
  IlExecutorKind executor;
  char          *label;              /* NULL: derived (il_run_config_derive_label) */
  GArray        *workers;            /* guint; empty: default (number of cores) */
  gboolean       workers_sweep;      /* TRUE: written as an array (a sweep) */
  gboolean       gil;                /* threads */
  guint          switch_interval_ms; /* threads, default 5 */
  IlSpawn        spawn;              /* processes */
  guint          cpu_slice_units;    /* async, 0 = run CPU blocks to completion */
  gboolean       enabled;            /* GUI state, not saved: TRUE on load */
  IlEngine       engine;             /* default native; cpython: no `gil` */
} IlRunConfig;

IlRunConfig *il_run_config_new (IlExecutorKind executor);
IlRunConfig *il_run_config_copy (const IlRunConfig *run);
void         il_run_config_free (IlRunConfig *run);
gboolean     il_run_config_equal (const IlRunConfig *a, const IlRunConfig *b);
/* "sequential", "threads ×4", "threads ×4 (GIL 5 ms)", "processes ×2",
 * "processes ×2 (per task)", "async", "async (slice 5)"; under the cpython
 * engine "CPython threads ×2" and so on. @workers is the
 * resolved worker count (ignored where it does not apply). */
char *il_run_config_derive_label (const IlRunConfig *run, guint workers);

typedef struct
{
  guint   repetitions;  /* 1 … 100, default 1 */
  guint   warmup;       /* 0 … 10, default 0 */
  IlOrder order;        /* default interleaved */
  guint   sample_hz;    /* 1 … 100, default 20 */
  GArray *cpu_affinity; /* guint core indices; NULL: all cores */
} IlSettings;

typedef struct
{
  char *question;
  GStrv choices; /* 2 … 6 */
  guint answer;  /* index into choices */
  char *explanation;
} IlQuiz;

typedef struct _IlResults IlResults; /* il-results.h */

typedef struct
{
  char      *name;        /* 1 … 200 characters */
  char      *description; /* never NULL, may be "" */
  GPtrArray *tasks;       /* IlTaskGroup*, owned */
  GPtrArray *runs;        /* IlRunConfig*, owned */
  IlSettings settings;
  IlQuiz    *quiz;    /* nullable */
  IlResults *results; /* nullable: recorded by the author */
} IlExperiment;

GType il_experiment_get_type (void) G_GNUC_CONST;
#define IL_TYPE_EXPERIMENT (il_experiment_get_type ())

/* What a new experiment starts with (the GUI's "New Experiment"; its
 * Preferences may override them). A file that omits `settings` still gets
 * the format's defaults (1 repetition, no warm-up). */
#define IL_NEW_EXPERIMENT_REPETITIONS 3
#define IL_NEW_EXPERIMENT_WARMUP      1

/* A small valid experiment: one group "fragment" (spin × 20, repeat 8),
 * runs sequential + threads, IL_NEW_EXPERIMENT_REPETITIONS repetitions
 * after IL_NEW_EXPERIMENT_WARMUP warm-up. */
IlExperiment *il_experiment_new (void);
IlExperiment *il_experiment_copy (const IlExperiment *experiment);
void          il_experiment_free (IlExperiment *experiment);
/* Compares everything that is saved (not `enabled`), results included. */
gboolean il_experiment_equal (const IlExperiment *a, const IlExperiment *b);
/* Sum of repeats. */
guint64 il_experiment_count_tasks (const IlExperiment *experiment);
/* Sum of the increments of every counter block in the tasks (all repeats):
 * a repetition's expected final count. 0: no counter block. */
gint64 il_experiment_count_increments (const IlExperiment *experiment);
/* Sum of the times of every yield block in the tasks (all repeats): the
 * sched_yield calls a repetition makes. 0: no yield block. */
gint64 il_experiment_count_yields (const IlExperiment *experiment);

/* Loading. Errors are IL_ERROR_PARSE / IL_ERROR_INVALID with a message of the
 * form "FILE:LINE:COLUMN: what was expected" (the JSON path where no position
 * is known). @display_name is the FILE used in messages. */
IlExperiment *il_experiment_load_data (const char *data,
                                       gssize      length,
                                       const char *display_name,
                                       GError    **error);
IlExperiment *il_experiment_load_file (GFile   *file,
                                       GError **error);
/* Reads an experiment file's text: only a regular file (not a FIFO, device
 * or folder), at most IL_MAX_EXPERIMENT_FILE_BYTES; messages name
 * @display_name. @contents is NUL-terminated. */
gboolean il_experiment_read_text (GFile      *file,
                                  const char *display_name,
                                  char      **contents,
                                  gsize      *length,
                                  GError    **error);

/* Saving: pretty JSON (two-space indent, trailing newline), fields in
 * the documented order, defaults omitted, results included when present.
 * Save is atomic (il-atomic-file.h): on any failure the old file stays
 * whole; a symlink is followed and stays a link. */
char    *il_experiment_to_data (const IlExperiment *experiment,
                                gsize              *length);
gboolean il_experiment_save_file (const IlExperiment *experiment,
                                  GFile              *file,
                                  GError            **error);

/* Model-level validation (ranges, applicability) for experiments built in
 * memory (the GUI's editor): the same rules as loading, messages name the
 * place as "tasks[0].blocks[1].units: …". */
gboolean il_experiment_validate (const IlExperiment *experiment,
                                 GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlExperiment, il_experiment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlTaskGroup, il_task_group_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlBlock, il_block_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlRunConfig, il_run_config_free)

G_END_DECLS
