/* il-mpi-worker.h — what interleave-mpi-worker's two roles share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Rank 0 (il-mpi-worker.c) is the dispatcher: it speaks the worker wire
 * protocol (il-protocol.h) with the runner on its stdin and stdout, which
 * mpirun forwards, and hands tasks to the other ranks as MPI messages.
 * Every other rank (il-mpi-rank.c) runs the tasks it is sent. Only the main
 * thread of each rank calls MPI (MPI_THREAD_FUNNELED).
 */
#pragma once

#include <mpi.h>

#include <glib.h>

G_BEGIN_DECLS

/* Message tags between rank 0 and the other ranks. */
enum
{
  IL_MPI_TAG_TASK = 1,   /* 0 → rank: one TASK frame */
  IL_MPI_TAG_RESULT = 2, /* rank → 0: i64 run time, u32 cores, u32 samples, the
                          * load samples (float), an EVENT frame, a RESULT frame */
  IL_MPI_TAG_BYE = 3,    /* 0 → rank: leave */
  IL_MPI_TAG_CLOCK = 4,  /* clock offset estimate at start-up */
};

/* How many round trips the clock offset estimate takes per rank. */
#define IL_MPI_CLOCK_ROUNDS 8
#define IL_MPI_HOST_CHARS   256

/* Load samples per second (--sample-hz). */
extern guint il_mpi_sample_hz;

G_NORETURN void il_mpi_die (const char *fmt,
                            ...) G_GNUC_PRINTF (1, 2);

/* Waits for a message from @source with @tag without spinning a core the
 * way MPI's blocking calls do: probes, then sleeps a little longer each
 * time up to 1 ms. */
void il_mpi_wait (int         source,
                  int         tag,
                  MPI_Status *status);

/* Receives a message of bytes that il_mpi_wait (or a probe) announced. */
GByteArray *il_mpi_recv_bytes (const MPI_Status *status);

/* The rank's side: runs tasks until BYE. @hello is the HELLO frame's body
 * rank 0 broadcast. Returns the exit status. */
int il_mpi_rank_main (int           rank,
                      int           size,
                      const guint8 *hello,
                      gsize         hello_len);

G_END_DECLS
