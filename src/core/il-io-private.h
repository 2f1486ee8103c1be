/* il-io-private.h — what the I/O environment (il-io-env.c) shares with
 * the synchronous (il-io-sync.c) and asynchronous (il-io-async.c) block
 * runners
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "il-io.h"
#include "il-server.h"

G_BEGIN_DECLS

/* Files are written and read back in chunks of this size; HTTP bodies are
 * read (and dropped) in buffers of READ_BUF_BYTES. */
#define IL_IO_CHUNK_BYTES    (1024 * 1024)
#define IL_IO_READ_BUF_BYTES 65536

struct _IlIoEnv
{
  IlServer *server; /* owned, nullable */
  void (*server_free) (IlServer *server);
  char    *server_url;  /* nullable */
  char    *scratch_dir; /* nullable */
  gboolean owns_scratch;
  int      scratch_lock; /* the folder, flock()ed while the run lives; -1 */
};

/* This thread's session for the synchronous API (@async FALSE), or for
 * the asynchronous API on the thread-default GMainContext: a session
 * belongs to the context it was created on. @local: the embedded server
 * or another loopback URL (no proxy, a longer timeout). */
SoupSession *il_io_get_session (gboolean async,
                                gboolean local);

/* The synchronous http block (il-io-http.c); NULL until
 * il_io_http_enable(): a process without the HTTP stack fails HTTP blocks. */
typedef gboolean (*IlIoHttpSyncFunc) (IlIoEnv       *env,
                                      const IlBlock *block,
                                      GCancellable  *cancellable,
                                      gint64        *ttfb_us,
                                      char         **error);
extern IlIoHttpSyncFunc il_io_http_sync;

/* The environment il_io_env_new_with_server makes (il-io-env.c), starting
 * the embedded server with @start_server when an http block needs it. */
IlIoEnv *il_io_env_create (const IlExperiment *experiment,
                           const char         *server_url,
                           const char         *scratch_base_dir,
                           gboolean (*start_server) (IlIoEnv *env, GError **error),
                           GError **error);

/* Loopback is never sent through a proxy: the proxy may not reach this
 * machine's ports, and asking the desktop's proxy settings costs time. A
 * NULL url is the embedded server. */
gboolean il_io_url_is_loopback (const char *url);

/* The URL an http block gets: its own, or the embedded server's with the
 * block's delay and size. NULL with a message in @error. */
char *il_io_block_url (IlIoEnv       *env,
                       const IlBlock *block,
                       char         **error);

/* The scratch file of task @task_flat. NULL with a message in @error. */
char *il_io_task_file_path (IlIoEnv *env,
                            guint    task_flat,
                            char   **error);

/* Deterministic content: 64-bit words of a SplitMix64 sequence seeded by
 * the task, so that every task's file differs and a read can recompute
 * what must be there. @offset is a multiple of 8; @buf holds @len rounded
 * up to 8. */
void il_io_fill_content (guint   task_flat,
                         guint64 offset,
                         guint8 *buf,
                         gsize   len);

/* The first index where @a and @b differ, or -1. */
gint64 il_io_first_difference (const guint8 *a,
                               const guint8 *b,
                               gsize         len);

/* A GET that never follows a redirect: consent (il-network.h) names the
 * hosts in the file, and a redirect would send the request to another. */
SoupMessage *il_io_http_message_new (const char *url);

/* The blocks' failure messages, the same whichever runner failed. */
char *il_io_http_error_message (const char   *url,
                                const GError *error);
char *il_io_http_status_message (const char  *url,
                                 SoupMessage *msg);
char *il_io_byte_count_message (gint64 got,
                                gint64 expected);
char *il_io_no_file_message (const char *path);
char *il_io_short_file_message (const char *path,
                                gint64      got,
                                gint64      expected);
char *il_io_mismatch_message (const char *path,
                              gint64      at);

G_END_DECLS
