/* il-io.h — the I/O blocks' environment: embedded latency server, HTTP
 * sessions, private scratch folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

typedef struct _IlIoEnv IlIoEnv;

/* For one experiment run (created by the runner before the first
 * repetition, freed after the last): starts the embedded latency server
 * (127.0.0.1, a free port, its own thread and GMainContext) when the
 * experiment has http blocks without a url, and creates a private scratch
 * folder (0700) under the user cache directory when it has file blocks:
 * interleave/run-PID-XXXXXX, locked (flock) while the run lives. Folders
 * of runs that died (SIGKILL, crash) are swept away first. */
IlIoEnv *il_io_env_new (const IlExperiment *experiment,
                        GError            **error);

/* The same, using an embedded latency server that the caller keeps running
 * (the GUI owns one for the app's lifetime: il-server.h). NULL: start one
 * for the run when needed. The run folder goes in @scratch_base (made if
 * missing; NULL: $XDG_CACHE_HOME/interleave). */
IlIoEnv *il_io_env_new_with_server (const IlExperiment *experiment,
                                    const char         *server_url,
                                    const char         *scratch_base,
                                    GError            **error);

/* What the I/O blocks need that the file format cannot say: a file-read
 * must follow a file-write in its task. Checked before anything runs. */
gboolean il_io_check_experiment (const IlExperiment *experiment,
                                 GError            **error);

/* The most bytes @experiment's file blocks hold in the scratch folder at
 * once when @in_flight tasks run at the same time (G_MAXUINT: all of
 * them): each task's file is removed when the task ends. */
guint64 il_io_scratch_peak_bytes (const IlExperiment *experiment,
                                  guint               in_flight);

/* Refuses (IL_ERROR_INVALID, before anything runs) a run whose file
 * blocks would not fit in the free space of the scratch filesystem. */
gboolean il_io_check_scratch_space (const IlExperiment *experiment,
                                    guint               in_flight,
                                    const char         *scratch_base,
                                    GError            **error);

/* Lets this process run HTTP blocks (the synchronous runner's libsoup
 * code, il-io-http.c). The environments made by il_io_env_new* do it; a
 * worker process calls it at its start when it is to run HTTP blocks. A
 * program that never calls it (nor il_io_env_new*) does not link libsoup. */
void il_io_http_enable (void);

/* In a worker process: an environment that uses the parent's server and
 * scratch folder (either may be NULL: none needed). Owns neither. */
IlIoEnv *il_io_env_new_remote (const char *server_url,
                               const char *scratch_dir);

/* Stops the server (if owned) and removes the scratch folder (if owned). */
void il_io_env_free (IlIoEnv *env);

/* A task ended (whatever its outcome): removes its scratch file, so that
 * the folder holds only the files of tasks in flight. Every executor
 * calls it; the worker process for its own tasks. */
void il_io_task_done (IlIoEnv *env,
                      guint    task_flat);

/* "http://127.0.0.1:PORT" or NULL. */
const char *il_io_env_get_server_url (IlIoEnv *env);
const char *il_io_env_get_scratch_dir (IlIoEnv *env);

/* Runs an http / file-write / file-read block synchronously in the calling
 * thread (sequential and threads executors, worker processes): HTTP through
 * a per-thread SoupSession. @task_flat names the task's scratch file.
 * @ttfb_us receives the absolute monotonic time of the first byte (http),
 * or -1. Returns FALSE with a human message in @error on failure. */
gboolean il_io_run_block (IlIoEnv       *env,
                          const IlBlock *block,
                          guint          task_flat,
                          GCancellable  *cancellable,
                          gint64        *ttfb_us,
                          char         **error);

/* The same without blocking, on the thread-default GMainContext (the async
 * executor): soup_session_send_async and GIO's async file API. */
void     il_io_run_block_async (IlIoEnv            *env,
                                const IlBlock      *block,
                                guint               task_flat,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
gboolean il_io_run_block_finish (IlIoEnv      *env,
                                 GAsyncResult *result,
                                 gint64       *ttfb_us,
                                 char        **error);

/* For the async executor, after _finish: the block's wall time split on
 * the loop thread. running = the loop thread's CPU time in this block's own
 * callbacks; blocked = the rest, when the loop was free while the socket or
 * GIO's worker threads (local file I/O, fsync) did the work. */
void il_io_async_result_get_state (GAsyncResult *result,
                                   IlStateTimes *state);

/* For the async executor, before its loop goes away: streams that blocks
 * on this thread are still closing in the background. Their callbacks run
 * on this thread's loop; iterate it until none is left. */
guint il_io_async_closes_pending (void);

G_END_DECLS
