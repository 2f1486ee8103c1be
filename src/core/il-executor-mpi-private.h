/* il-executor-mpi-private.h — the mpi executor's state, shared by its two
 * halves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-executor-mpi.c is the executor: its dispatcher thread hands tasks to
 * rank 0 through mpirun, turns rank 0's PLACED, EVENT and RESULT frames
 * into the run's events and task records, and watches its liveness.
 * il-executor-mpi-process.c finds mpirun and the rank helper, starts
 * mpirun, waits for its READY, and ends it and every process it started.
 * mpirun's pipes are an IlChildPipe (il-child-pipe.h), like the cpython
 * engine's interpreter's.
 */
#pragma once

#include <sys/types.h>

#include "il-child-pipe.h"
#include "il-mpi.h"
#include "il-run-private.h"

G_BEGIN_DECLS

/* How long mpirun may take to end the job after BYE before it is killed. */
#define IL_MPI_GRACE_US (5 * G_USEC_PER_SEC)
/* How long the job may take to start (mpirun to READY). */
#define IL_MPI_START_US (120 * G_USEC_PER_SEC)
/* How much of mpirun's stderr is kept to say why a job ended. */
#define IL_MPI_STDERR_KEEP 8192

typedef struct
{
  IlRunContext     *ctx;
  char             *mpirun;
  char             *worker;
  IlChildPipe       child; /* mpirun */
  guint             n_tasks;
  guint             next_task;
  guint             done;
  guint             window;
  guint             in_flight;
  gboolean          bye_sent;
  guint            *group_start;  /* flat index of each group's first task */
  guint8           *sent;         /* per flat task: TASK written, RESULT not yet in */
  guint64          *sums;         /* per flat task: payload checksum */
  gint             *ranks;        /* per flat task: the rank PLACED named, 0: none yet */
  gboolean         *rank_started; /* per rank: its first task got the start-up time */
  IlUsage           reported;
  GArray           *events;
  gint64            spawned_at; /* monotonic µs: mpirun started */
  gint64            startup_us; /* mpirun started → READY */
  IlChildPipeThread dispatcher;
} MpiJob;

/* il-executor-mpi.c */

/* How mpirun's pipe is driven: the frames rank 0 sends, the tasks it is
 * sent (user_data: the MpiJob). */
extern const IlChildPipeFuncs il_mpi_job_funcs;

/* il-executor-mpi-process.c */
char    *il_mpi_find_mpirun (GError **error);
char    *il_mpi_find_worker (GError **error);
gboolean il_mpi_job_spawn (MpiJob  *job,
                           GError **error);
/* Ends mpirun after up to @grace_us, then kills every process it started
 * (on this machine) and reaps it. Returns how it ended. */
char *il_mpi_job_reap (MpiJob *job,
                       gint64  grace_us);
/* What mpirun said about the job's end: the rank that died, or the last
 * line of its stderr; NULL if nothing. Sets *@rank to the rank it names
 * (-1: none). */
char    *il_mpi_job_explain (MpiJob *job,
                             gint   *rank);
gboolean il_mpi_job_wait_ready (MpiJob  *job,
                                GError **error);

G_END_DECLS
