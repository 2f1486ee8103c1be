/* il-executor-cpython-private.h — the cpython engine's state, shared by
 * its two halves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-executor-cpython.c is the executor: its dispatcher thread hands tasks
 * to the interpreter, decodes its frames into the run's events and task
 * records, and watches its liveness. il-executor-cpython-process.c finds
 * the interpreter and the engine's files, and starts, waits for and ends
 * the interpreter process. Its pipes, the poll loop and the dispatcher
 * thread are il-child-pipe.h's.
 */
#pragma once

#include <sys/types.h>

#include "il-child-pipe.h"
#include "il-run-private.h"

G_BEGIN_DECLS

/* How long the interpreter may take to leave after BYE (a pool's shutdown
 * included) before it is killed. */
#define GRACE_US (3 * G_USEC_PER_SEC)
/* How much of the interpreter's stderr is kept to explain a failure. */
#define STDERR_KEEP 4096

/* The interpreter kept between two repetitions of one run (ctx->kept),
 * waiting for the next HELLO. */
typedef struct
{
  IlChildPipe child;
  IlUsage     used; /* its usage since it started, as its last DONE said */
} IlCpythonKept;

typedef struct
{
  IlRunContext *ctx;
  char         *python;
  char         *package_dir;
  char         *kernels;
  gboolean      payloads; /* processes: payloads travel */
  IlChildPipe   child;    /* the interpreter */
  guint         n_tasks;
  guint         next_task;
  guint         done;
  guint         window;
  guint         in_flight;
  gboolean      bye_sent;    /* BYE, or END when the interpreter is to be kept */
  gboolean      end_sent;    /* END: it is to answer DONE and stay */
  gboolean      got_done;    /* its DONE came: every task finished, it waits */
  IlUsage       base;        /* what it had used before this repetition */
  guint8       *sent;        /* per flat task: TASK written, RESULT not yet in */
  guint64      *sums;        /* per flat task: payload checksum */
  gint         *lanes;       /* per flat task: the worker its TASK_START named */
  guint        *group_first; /* per group: the flat index of its task 0 */
  guint         n_groups;
  IlUsage       reported; /* what RESULTs reported, to find the rest */
  GArray       *events;
  /* prepare() → run(): the dispatcher starts the interpreter and waits for
   * its READY before the repetition's clock starts, then for the go. */
  IlChildPipeThread dispatcher;
} Engine;

/* il-executor-cpython.c */

/* How the interpreter's pipe is driven: the frames it sends, the tasks
 * it is sent (user_data: the Engine). */
extern const IlChildPipeFuncs il_cpython_engine_funcs;

/* il-executor-cpython-process.c */

/* Where the engine's package and the kernels library are. */
gboolean il_cpython_find_engine_files (char   **package_dir,
                                       char   **kernels,
                                       GError **error);
/* Starts the interpreter in its own process group, with non-blocking
 * pipes to its stdin, stdout and stderr, and queues its HELLO. */
gboolean il_cpython_engine_spawn (Engine  *e,
                                  GError **error);
/* Queues the repetition's HELLO (the first, or again to a kept one). */
void il_cpython_engine_hello (Engine *e);
/* Ends the interpreter (after up to @grace_us), kills its group and reaps
 * it, accounting what it used beyond what was reported to the run.
 * Returns how it ended. */
char *il_cpython_engine_reap (Engine *e,
                              gint64  grace_us);
/* Ends @cp's interpreter (closing its stdin is its cue to leave; after up
 * to @grace_us it is killed, with its group) and reaps it, accounting it
 * to no run. Returns how it ended. */
char *il_cpython_child_end (IlChildPipe *cp,
                            gint64       grace_us);
/* Waits for the interpreter's READY. FALSE with @error when it cannot
 * start. */
gboolean il_cpython_engine_wait_ready (Engine  *e,
                                       GError **error);

G_END_DECLS
