/* il-worker-pool.h — starting and ending worker processes, for any
 * executor that runs tasks in child processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A child is started with posix_spawn, not GSubprocess: GLib 2.74 forks,
 * and a fork's cost grows with the parent's memory (the GUI is a large
 * parent), while glibc's posix_spawn uses CLONE_VM|CLONE_VFORK and costs
 * the same from any parent. The channel is a pair of pipes on the child's
 * stdin and stdout (a socketpair was measured 7× slower per round trip
 * here: its wake-ups are not the synchronous, same-core kind a pipe's
 * are). Nothing of the parent's leaks into the child but those two pipes
 * and stderr; it starts with a clean signal state in a process group of
 * its own, so that Ctrl+C in a terminal reaches only the parent, which
 * ends its children itself.
 *
 * The parent's ends of the pipes are non-blocking: read and write them with
 * il-fd-io.h's il_fd_read_available / il_fd_write_available under poll().
 * A thread that writes to them should block SIGPIPE (a dead child then shows
 * up as EPIPE) and call il_child_consume_sigpipe after an EPIPE.
 */
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  pid_t  pid;         /* the child */
  int    to_child;    /* its stdin: the parent's end, non-blocking */
  int    from_child;  /* its stdout: the parent's end, non-blocking */
  int    from_stderr; /* its stderr: the parent's end, non-blocking; -1: not piped */
  gint64 spawned_at;  /* monotonic µs at the posix_spawn call */
} IlChildProcess;

/* Where interleave-worker is: IL_WORKER_PATH, then the installed one, then
 * the build tree's (running uninstalled). */
char *il_processes_find_worker (GError **error);

/* Starts @path with @argv (NULL-terminated, argv[0] included) and the
 * parent's environment, its stdin and stdout on two new pipes. FALSE with
 * @error (IL_ERROR_WORKER) when the pipes or the process cannot be made. */
gboolean il_child_spawn (const char     *path,
                         char *const    *argv,
                         IlChildProcess *child,
                         GError        **error);
/* Like il_child_spawn, with the child's stderr on a third pipe too (the
 * cpython engine and mpirun: their stderr explains a failure). */
gboolean il_child_spawn_with_stderr (const char     *path,
                                     char *const    *argv,
                                     IlChildProcess *child,
                                     GError        **error);

/* Waits for @pid to end, killing it (SIGKILL) once @grace_us has passed.
 * TRUE with its wait status and resource usage; FALSE with @error when it
 * cannot be waited for. */
gboolean il_child_reap (pid_t          pid,
                        gint64         grace_us,
                        int           *status,
                        struct rusage *usage,
                        GError       **error);

/* How long a worker may stay silent (no frame, not even a HEARTBEAT)
 * before it is declared lost: IL_WORKER_TIMEOUT_MS, or the default (3 s).
 * Any executor whose children send heartbeats (the processes executor's
 * workers, the cpython engine's interpreter) uses this one timeout. */
gboolean il_pool_silence_timeout (gint64  *us,
                                  GError **error);

/* "killed by signal 9 (Killed)", "exited with status 2", … */
char *il_child_describe_status (int status);

/* Takes a SIGPIPE pending at this thread (where it must be blocked), so
 * that it is never delivered: call it after a write failed with EPIPE. */
void il_child_consume_sigpipe (void);

G_END_DECLS
