/* il-child-pipe.h — one child process that speaks the worker protocol on
 * its stdin and stdout, driven from one thread with poll()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cpython engine's interpreter and the mpi executor's mpirun are each
 * one child (il_child_spawn_with_stderr) that one dispatcher thread feeds
 * TASK frames and hears EVENT and RESULT frames from, with its stderr kept
 * to say why it ended. What they share is here, once: the queued output
 * and how much of it the pipe took, the stderr's tail, the frame reader
 * (READY and HEARTBEAT are handled here, the rest by the owner), the wait
 * for READY, the loop that keeps it busy and watches it (cancellation,
 * silence, a lost process), its end (a grace period, then the owner's
 * way of killing what it started, then the reaping), and the dispatcher
 * thread that starts it before the repetition's clock and drives it once
 * the clock runs (IlChildPipeThread).
 *
 * What differs stays with the owner: which frames it takes and what they
 * mean, what it sends, how it kills what the child started (the cpython
 * engine: the interpreter's process group; mpi: every process mpirun
 * started), and how it says what went wrong.
 *
 * A thread that drives a pipe must block SIGPIPE (il-worker-pool.h);
 * IlChildPipeThread's does.
 */
#pragma once

#include <sys/types.h>

#include <gio/gio.h>

#include "il-protocol.h"
#include "il-run-private.h"
#include "il-worker-pool.h"

G_BEGIN_DECLS

typedef struct
{
  pid_t       pid;     /* 0: not running */
  int         to_fd;   /* its stdin (-1: closed) */
  int         from_fd; /* its stdout (-1: closed, it ended) */
  int         err_fd;  /* its stderr (-1: closed) */
  GByteArray *in;      /* read from stdout, not yet a whole frame */
  GByteArray *out;     /* queued for its stdin */
  gsize       out_off; /* how much of @out its stdin took */
  GString    *err;     /* the tail of its stderr */
  gsize       err_keep;
  gboolean    ready;      /* READY received */
  gint64      silence_us; /* declared lost after this long unheard */
  gint64      last_heard; /* monotonic µs of the last bytes it sent */
} IlChildPipe;

/* What the owner of a pipe does in il_child_pipe_read, _wait_ready and
 * _run, and in the dispatcher thread (IlChildPipeThread); @user_data is
 * the owner. */
typedef struct
{
  /* In the dispatcher thread, before the clock: starts the child and
   * waits for its READY. FALSE with @error when it cannot start; TRUE
   * with no child (pid 0) when the start was cancelled. */
  gboolean (*start) (gpointer user_data,
                     GError **error);
  /* In the dispatcher thread, once the clock runs: drives the child
   * (il_child_pipe_run) and ends it. */
  void (*drive) (gpointer user_data);
  /* Queues what there is to send (on @out). Called before each poll. */
  void (*dispatch) (gpointer user_data);
  /* Handles one whole frame, other than READY and HEARTBEAT. FALSE: not
   * a frame it takes (a protocol error, unless it set @error itself);
   * @error set: the child sent garbage. */
  gboolean (*frame) (gpointer      user_data,
                     IlFrameType   type,
                     const guint8 *body,
                     gsize         len,
                     GError      **error);
  /* TRUE when there is nothing more to wait for. */
  gboolean (*done) (gpointer user_data);
} IlChildPipeFuncs;

/* Kills what is left of the child @pid and of what it started. Called
 * while @pid is not yet reaped: it runs still (the grace period ran out)
 * or is a zombie. */
typedef void (*IlChildPipeEndFunc) (pid_t pid);

/* An idle pipe (no child) keeping @err_keep bytes of stderr. */
void il_child_pipe_init (IlChildPipe *cp,
                         gsize        err_keep);
/* Frees its buffers; the child must have been reaped. */
void il_child_pipe_clear (IlChildPipe *cp);
/* The pipe now drives @child (from il_child_spawn_with_stderr). */
void il_child_pipe_take (IlChildPipe          *cp,
                         const IlChildProcess *child);

/* TRUE when @out holds bytes its stdin has not taken yet. */
static inline gboolean
il_child_pipe_pending (const IlChildPipe *cp)
{
  return cp->out->len > cp->out_off;
}

/* Sends what is queued, as far as the pipe takes it. FALSE: its stdin is
 * gone (closed here). */
gboolean il_child_pipe_flush (IlChildPipe *cp);
/* Keeps the tail of its stderr. FALSE at its end (closed here). */
gboolean il_child_pipe_read_stderr (IlChildPipe *cp);
/* The last non-empty line of its stderr (at most @max bytes), or NULL. */
char *il_child_pipe_stderr_last_line (const IlChildPipe *cp,
                                      gsize              max);
/* Reads what it sent and handles every whole frame (@funcs->frame).
 * FALSE: its stdout ended (closed here), or it sent garbage (@error). */
gboolean il_child_pipe_read (IlChildPipe            *cp,
                             const IlChildPipeFuncs *funcs,
                             gpointer                user_data,
                             GError                **error);

/* Sends what is queued and reads until it is READY, for up to
 * @timeout_us. FALSE when it is not: it ended, sent garbage (@lost),
 * took too long, or @cancellable was cancelled. */
gboolean il_child_pipe_wait_ready (IlChildPipe            *cp,
                                   GCancellable           *cancellable,
                                   gint64                  timeout_us,
                                   const IlChildPipeFuncs *funcs,
                                   gpointer                user_data,
                                   GError                **lost);

/* Keeps the child busy and watches it: dispatches, sends, reads and
 * handles frames, and keeps its stderr, until @funcs->done says so,
 * @cancellable is cancelled, or the child is lost: its stdout ended, it
 * sent garbage or a poll failed (@lost set), or it sent nothing for
 * @silence_us (*@silent; what it sent while this thread was not looking
 * counts: there is a last look before it is declared silent). */
void il_child_pipe_run (IlChildPipe            *cp,
                        GCancellable           *cancellable,
                        const IlChildPipeFuncs *funcs,
                        gpointer                user_data,
                        gboolean               *silent,
                        GError                **lost);

/* Ends the child: closes its stdin, waits up to @grace_us for it to exit
 * (keeping its stderr meanwhile), calls @end (NULL: kill the child alone
 * if it still runs) to kill what is left, reaps it and closes its pipes.
 * Returns how it ended ("exited with status 2", "not running", ...).
 * *@rest is the CPU time and switches it used beyond @reported (what its
 * RESULTs reported): zeros when it was not reaped. */
char *il_child_pipe_reap (IlChildPipe       *cp,
                          gint64             grace_us,
                          IlChildPipeEndFunc end,
                          const IlUsage     *reported,
                          IlUsage           *rest);

/* The dispatcher thread of an executor whose tasks go to one child: it
 * starts the child in the executor's prepare() (the child's start-up is
 * not what the run measures) and drives it in run() (@funcs->start and
 * ->drive). It blocks SIGPIPE, and accounts its own CPU time to the run. */
typedef struct
{
  IlRunContext           *ctx;
  IlChildPipe            *pipe;
  const IlChildPipeFuncs *funcs;
  gpointer                owner;
  GThread                *thread;
  GMutex                  lock;
  GCond                   cond;
  guint                   phase; /* 0 starting, 1 ready (or failed: error), 2 go */
  GError                 *error;
} IlChildPipeThread;

void il_child_pipe_thread_init (IlChildPipeThread *t);
/* Frees what il_child_pipe_thread_init made; the thread must be joined. */
void il_child_pipe_thread_clear (IlChildPipeThread *t);
/* prepare(): starts the thread @name and waits until the child is ready.
 * FALSE with @error (the thread joined) when it could not start. */
gboolean il_child_pipe_thread_start (IlChildPipeThread      *t,
                                     const char             *name,
                                     IlRunContext           *ctx,
                                     IlChildPipe            *cp,
                                     const IlChildPipeFuncs *funcs,
                                     gpointer                owner,
                                     GError                **error);
/* run(): lets the thread drive the child, and waits until it is done.
 * FALSE with @error when the thread failed. */
gboolean il_child_pipe_thread_finish (IlChildPipeThread *t,
                                      GError           **error);

G_END_DECLS
