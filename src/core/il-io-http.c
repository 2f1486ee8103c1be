/* il-io-http.c — what needs the HTTP stack (libsoup): sessions, the
 * synchronous http block, and the environments with an embedded server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Apart from the rest of the I/O code so that a program that never runs an
 * HTTP block does not link libsoup: interleave-worker, the processes
 * executor's child, starts once per task with "spawn": "per-task", and
 * loading libsoup and its dependencies (about twenty libraries) was most of
 * its start-up. The synchronous block runner (il-io-sync.c) reaches the
 * HTTP block through il_io_http_sync, which il_io_http_enable() sets; every
 * environment made here enables it, and interleave-worker-http calls it at
 * its start. The experiment's check is here too: it needs the JSON reader,
 * which a worker does not link either.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-io-private.h"
#include "il-network.h"
#include "il-run-private.h"
#include "il-server.h"

#define MAX_CONNS 256
/* A user URL gets this long without a byte before it fails; the embedded
 * server's delay is bounded by the format, so it gets that much more. */
#define REMOTE_TIMEOUT_S 60
#define LOCAL_TIMEOUT_S  (REMOTE_TIMEOUT_S + IL_MAX_MS / 1000)

/* ---------------------------------------------------------------- */
/* Sessions                                                          */

static SoupSession *
session_new (gboolean local)
{
  SoupSession *session;

  session = soup_session_new_with_options ("max-conns", MAX_CONNS,
                                           "max-conns-per-host", MAX_CONNS,
                                           "timeout", local ? LOCAL_TIMEOUT_S : REMOTE_TIMEOUT_S,
                                           "user-agent", "Interleave/" PACKAGE_VERSION " ",
                                           NULL);
  /* The embedded server is on loopback: a proxy from the environment must
   * not be asked to reach it. */
  if (local)
    soup_session_set_proxy_resolver (session, NULL);
  return session;
}

typedef struct
{
  GMainContext *context;     /* the context the sessions belong to */
  SoupSession  *sessions[2]; /* [0] remote, [1] local */
} ThreadSessions;

static void
thread_sessions_free (gpointer data)
{
  ThreadSessions *ts = data;

  g_clear_object (&ts->sessions[0]);
  g_clear_object (&ts->sessions[1]);
  g_clear_pointer (&ts->context, g_main_context_unref);
  g_free (ts);
}

/* Freed at thread exit. */
static GPrivate sync_sessions = G_PRIVATE_INIT (thread_sessions_free);
static GPrivate async_sessions = G_PRIVATE_INIT (thread_sessions_free);

SoupSession *
il_io_get_session (gboolean async,
                   gboolean local)
{
  GPrivate       *key = async ? &async_sessions : &sync_sessions;
  ThreadSessions *ts = g_private_get (key);
  GMainContext   *context = async ? g_main_context_ref_thread_default () : NULL;

  if (ts != NULL && ts->context != context)
    {
      /* A new loop on this thread (the async executor's next repetition):
       * its requests must run on it. */
      g_private_replace (key, NULL);
      ts = NULL;
    }
  if (ts == NULL)
    {
      ts = g_new0 (ThreadSessions, 1);
      ts->context = context != NULL ? g_main_context_ref (context) : NULL;
      g_private_set (key, ts);
    }
  g_clear_pointer (&context, g_main_context_unref);
  if (ts->sessions[local] == NULL)
    ts->sessions[local] = session_new (local);
  return ts->sessions[local];
}

/* ---------------------------------------------------------------- */
/* Messages                                                          */

char *
il_io_http_status_message (const char  *url,
                           SoupMessage *msg)
{
  guint       status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    return g_strdup_printf (_("HTTP %u %s from %s: redirects are not followed, since consent "
                              "covers only the hosts the experiment names"),
                               status, reason != NULL ? reason : "", url);
  return g_strdup_printf (_("HTTP %u %s from %s"), status, reason != NULL ? reason : "", url);
}

SoupMessage *
il_io_http_message_new (const char *url)
{
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, url);

  if (msg != NULL)
    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  return msg;
}

/* ---------------------------------------------------------------- */
/* The synchronous block                                             */

static gboolean
http_sync (IlIoEnv       *env,
           const IlBlock *block,
           GCancellable  *cancellable,
           gint64        *ttfb_us,
           char         **error)
{
  g_autofree char *url = il_io_block_url (env, block, error);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buf = NULL;
  gint64             count = 0;

  if (url == NULL)
    return FALSE;
  msg = il_io_http_message_new (url);
  if (msg == NULL)
    {
      *error = g_strdup_printf (_("not a valid URL: %s"), url);
      return FALSE;
    }

  in = soup_session_send (il_io_get_session (FALSE, il_io_url_is_loopback (block->url)), msg, cancellable, &local_error);
  if (in == NULL)
    {
      *error = il_io_http_error_message (url, local_error);
      return FALSE;
    }
  /* The status line and headers are in: that is the first byte. */
  *ttfb_us = il_now_us ();
  if (soup_message_get_status (msg) >= 300)
    {
      *error = il_io_http_status_message (url, msg);
      g_input_stream_close (in, NULL, NULL);
      return FALSE;
    }

  buf = g_malloc (IL_IO_READ_BUF_BYTES);
  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, IL_IO_READ_BUF_BYTES, cancellable, &local_error);

      if (n < 0)
        {
          *error = il_io_http_error_message (url, local_error);
          return FALSE;
        }
      if (n == 0)
        break;
      count += n;
    }
  g_input_stream_close (in, NULL, NULL);

  if (block->url == NULL && count != block->bytes)
    {
      *error = il_io_byte_count_message (count, block->bytes);
      return FALSE;
    }
  return TRUE;
}

void
il_io_http_enable (void)
{
  il_io_http_sync = http_sync;
}

/* ---------------------------------------------------------------- */
/* Environments with an embedded server                              */

static void
server_free (IlServer *server)
{
  il_server_free (server);
}

static gboolean
start_server (IlIoEnv *env,
              GError **error)
{
  env->server = il_server_new (error);
  if (env->server == NULL)
    return FALSE;
  env->server_free = server_free;
  env->server_url = g_strdup (il_server_get_url (env->server));
  return TRUE;
}

/* The rules (a file-read needs a file-write before it in its task) live
 * in the experiment's validation, which knows the file's positions. */
gboolean
il_io_check_experiment (const IlExperiment *experiment,
                        GError            **error)
{
  return il_experiment_validate (experiment, error);
}

IlIoEnv *
il_io_env_new (const IlExperiment *experiment,
               GError            **error)
{
  return il_io_env_new_with_server (experiment, NULL, NULL, error);
}

IlIoEnv *
il_io_env_new_with_server (const IlExperiment *experiment,
                           const char         *server_url,
                           const char         *scratch_base_dir,
                           GError            **error)
{
  if (!il_io_check_experiment (experiment, error))
    return NULL;
  il_io_http_enable ();
  return il_io_env_create (experiment, server_url, scratch_base_dir, start_server, error);
}
