/* il-server.c — the embedded latency server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A SoupServer on 127.0.0.1 that answers GET /delay?ms=N&bytes=M after N ms
 * with M bytes of body. It lives in a thread of its own with its own
 * GMainContext, so that it keeps answering while the threads that call it
 * block in synchronous requests. A delayed answer holds no thread: the
 * message is paused and a timeout source on the server's context unpauses
 * it, so a thousand concurrent requests cost a thousand small structs.
 *
 * libsoup 3.2 (Debian 12) never closes a connection whose client closed
 * it between requests (fixed upstream later; handing SoupServer our own
 * accepted streams is no way out: 3.2 then closes after every answer), and
 * this server lives as long as the app, so each such connection would hold
 * a descriptor until exit. So every connection's socket is kept from its
 * first request-started, and a sweep closes those that wait for a next
 * request while their client is gone, or that sat silent too long; and
 * as each connection starts, beyond a cap tied to the descriptor limit,
 * the oldest idle ones, then the oldest silent ones, go. A client
 * that leaves while its delayed answer waits gets it at once, so that the
 * connection can end.
 */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <libsoup/soup.h>
#include <glib/gi18n.h>

#include "il-experiment.h"
#include "il-server.h"

struct _IlServer
{
  GMainContext *context;
  GThread      *thread;
  SoupServer   *server;       /* owned by the server thread */
  GBytes       *pattern;      /* IL_SERVER_PATTERN_BYTES of body content */
  GHashTable   *pending;      /* Pending* → itself, server thread only */
  GHashTable   *conns;        /* GSocket* → Conn*, server thread only */
  GSource      *sweep_source; /* while there are connections */
  guint         max_conns;
  char         *url;
  guint         port;
  gint          n_requests; /* atomic */
  gint          quit;       /* atomic */

  /* Start-up handshake with il_server_new. */
  GMutex   lock;
  GCond    cond;
  gboolean started;
  GError  *start_error;
};

typedef struct
{
  IlServer          *self;
  SoupServerMessage *msg;
  GSource           *timeout;
  gulong             finished_id;
} Pending;

typedef enum
{
  CONN_READING,  /* SoupServer reads a request: it sees the client leave */
  CONN_HANDLING, /* a request was read and is being answered */
  CONN_IDLE,     /* answered; waiting for a next request (3.2's leak) */
} ConnState;

/* A connection of SoupServer's, seen through its requests. */
typedef struct
{
  GSocket  *socket; /* a reference */
  ConnState state;
  gint64    since; /* monotonic µs, when @state began */
} Conn;

/* A connection idle this long is closed: clients reconnect. */
#define CONN_IDLE_US (30 * G_USEC_PER_SEC)
#define SWEEP_MS     200

static void
conn_free (gpointer data)
{
  Conn *c = data;

  g_object_unref (c->socket);
  g_free (c);
}

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_clear_signal_handler (&p->finished_id, p->msg);
  g_clear_object (&p->msg);
  g_free (p);
}

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_COPY, text, strlen (text));
}

static void
set_body (IlServer          *self,
          SoupServerMessage *msg,
          gint64             bytes)
{
  SoupMessageBody    *body = soup_server_message_get_response_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gint64              left = bytes;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/octet-stream", NULL);
  soup_message_headers_set_content_length (headers, bytes);
  /* The same pattern buffer is appended again and again: no copy. */
  while (left >= IL_SERVER_PATTERN_BYTES)
    {
      soup_message_body_append_bytes (body, self->pattern);
      left -= IL_SERVER_PATTERN_BYTES;
    }
  if (left > 0)
    {
      g_autoptr(GBytes) tail = g_bytes_new_from_bytes (self->pattern, 0, (gsize) left);
      soup_message_body_append_bytes (body, tail);
    }
  soup_message_body_complete (body);
}

static gboolean
pending_due_cb (gpointer data)
{
  Pending *p = data;

  /* Unhook first: unpausing may finish the message at once. The source is
   * destroyed after this returns, which frees @p. */
  g_clear_signal_handler (&p->finished_id, p->msg);
  g_hash_table_remove (p->self->pending, p);
  soup_server_message_unpause (p->msg);
  return G_SOURCE_REMOVE;
}

/* The client went away while its answer was pending. */
static void
pending_finished_cb (SoupServerMessage *msg,
                     gpointer           data)
{
  Pending *p = data;
  GSource *source = p->timeout;

  g_hash_table_remove (p->self->pending, p);
  g_source_destroy (source);
}

/* Answers a delayed request now: its client has gone (or half-closed). */
static void
pending_answer_now (Pending *p)
{
  g_autoptr(SoupServerMessage) msg = g_object_ref (p->msg);

  g_clear_signal_handler (&p->finished_id, p->msg);
  g_hash_table_remove (p->self->pending, p);
  /* Frees @p. */
  g_source_destroy (p->timeout);
  soup_server_message_unpause (msg);
}

/* Whether the client closed its side (or the connection broke): a peek
 * that reads end-of-file or fails. Data waiting means a request. */
static gboolean
peer_gone (GSocket *socket)
{
  char   c;
  gssize n;

  if (g_socket_is_closed (socket))
    return TRUE;
  n = recv (g_socket_get_fd (socket), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0)
    return FALSE;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return FALSE;
  return TRUE;
}

static gint
compare_since (gconstpointer a,
               gconstpointer b)
{
  const Conn *ca = *(Conn *const *) a;
  const Conn *cb = *(Conn *const *) b;

  return (ca->since > cb->since) - (ca->since < cb->since);
}

/* Closes one of SoupServer's connections that it is not using (idle or
 * reading) and forgets it. */
static void
conn_close (IlServer *self,
            Conn     *c)
{
  /* Closing the socket under SoupServer is safe here: it is not reading
   * from it (idle), or its read finds the socket closed and ends the
   * connection (silent). */
  g_socket_close (c->socket, NULL);
  g_hash_table_remove (self->conns, c->socket);
}

/* Over the cap: the longest idle go first, then the longest silent (a
 * local process opening connections and saying nothing). Connections
 * being answered are never cut. */
static void
shed_excess (IlServer *self)
{
  GHashTableIter iter;
  gpointer       value;
  guint          excess;
  g_autoptr(GPtrArray) idle = NULL;
  g_autoptr(GPtrArray) silent = NULL;

  if (g_hash_table_size (self->conns) <= self->max_conns)
    return;
  excess = g_hash_table_size (self->conns) - self->max_conns;
  idle = g_ptr_array_new ();
  silent = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Conn *c = value;

      if (c->state == CONN_IDLE)
        g_ptr_array_add (idle, c);
      else if (c->state == CONN_READING)
        g_ptr_array_add (silent, c);
    }
  g_ptr_array_sort (idle, compare_since);
  g_ptr_array_sort (silent, compare_since);
  for (guint i = 0; i < idle->len && excess > 0; i++, excess--)
    conn_close (self, g_ptr_array_index (idle, i));
  for (guint i = 0; i < silent->len && excess > 0; i++, excess--)
    conn_close (self, g_ptr_array_index (silent, i));
}

static gboolean
sweep_cb (gpointer data)
{
  IlServer      *self = data;
  gint64         now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer       value;
  g_autoptr(GPtrArray) close = g_ptr_array_new ();
  g_autoptr(GPtrArray) early = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Conn *c = value;

      if (g_socket_is_closed (c->socket))
        g_ptr_array_add (close, c); /* SoupServer closed it: forget it */
      else if (c->state == CONN_IDLE && peer_gone (c->socket))
        g_ptr_array_add (close, c);
      else if (c->state != CONN_HANDLING && now - c->since > CONN_IDLE_US)
        g_ptr_array_add (close, c);
    }
  for (guint i = 0; i < close->len; i++)
    conn_close (self, g_ptr_array_index (close, i));
  shed_excess (self);

  /* Delayed answers whose client left: answer now, so that the
   * connection can end. */
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    {
      Pending *p = value;
      GSocket *socket = soup_server_message_get_socket (p->msg);

      if (socket == NULL || peer_gone (socket))
        g_ptr_array_add (early, p);
    }
  for (guint i = 0; i < early->len; i++)
    pending_answer_now (g_ptr_array_index (early, i));

  if (g_hash_table_size (self->conns) > 0)
    return G_SOURCE_CONTINUE;
  self->sweep_source = NULL;
  return G_SOURCE_REMOVE;
}

static void
ensure_sweep (IlServer *self)
{
  if (self->sweep_source != NULL)
    return;
  self->sweep_source = g_timeout_source_new (SWEEP_MS);
  g_source_set_callback (self->sweep_source, sweep_cb, self, NULL);
  g_source_set_static_name (self->sweep_source, "[interleave] server connection sweep");
  g_source_attach (self->sweep_source, self->context);
  g_source_unref (self->sweep_source);
}

static void
set_state (IlServer          *self,
           SoupServerMessage *msg,
           ConnState          state)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Conn    *c;

  if (socket == NULL)
    return;
  c = g_hash_table_lookup (self->conns, socket);
  if (c == NULL)
    {
      c = g_new0 (Conn, 1);
      c->socket = g_object_ref (socket);
      g_hash_table_insert (self->conns, socket, c);
      ensure_sweep (self);
    }
  c->state = state;
  c->since = g_get_monotonic_time ();
  /* At once, not at the next sweep: a burst of connections must not
   * outrun it. */
  shed_excess (self);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           data)
{
  set_state (data, msg, CONN_READING);
}

static void
request_read_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           data)
{
  set_state (data, msg, CONN_HANDLING);
}

static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           data)
{
  set_state (data, msg, CONN_IDLE);
}

static gboolean
parse_param (GHashTable *query,
             const char *name,
             gint64      max,
             gint64     *out,
             char      **error)
{
  const char *str = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64     v;

  *out = 0;
  if (str == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (str, 10, 0, (guint64) max, &v, NULL))
    {
      *error = g_strdup_printf ("%s must be an integer from 0 to %" G_GINT64_FORMAT ", not \"%s\"\n",
                                name, max, str);
      return FALSE;
    }
  *out = (gint64) v;
  return TRUE;
}

static void
delay_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  IlServer        *self = user_data;
  const char      *method = soup_server_message_get_method (msg);
  g_autofree char *error = NULL;
  gint64           ms, bytes;
  Pending         *p;

  g_atomic_int_inc (&self->n_requests);

  if (g_strcmp0 (path, "/delay") != 0)
    {
      respond_text (msg, SOUP_STATUS_NOT_FOUND, "not found: this server answers GET /delay?ms=N&bytes=M\n");
      return;
    }
  if (g_strcmp0 (method, SOUP_METHOD_GET) != 0 && g_strcmp0 (method, SOUP_METHOD_HEAD) != 0)
    {
      respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "only GET is served here\n");
      return;
    }
  if (!parse_param (query, "ms", IL_MAX_MS, &ms, &error) ||
      !parse_param (query, "bytes", IL_MAX_HTTP_BYTES, &bytes, &error))
    {
      respond_text (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }

  set_body (self, msg, bytes);
  if (ms == 0)
    return;

  p = g_new0 (Pending, 1);
  p->self = self;
  p->msg = g_object_ref (msg);
  p->timeout = g_timeout_source_new ((guint) ms);
  g_source_set_callback (p->timeout, pending_due_cb, p, pending_free);
  g_source_set_static_name (p->timeout, "[interleave] delayed answer");
  p->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (pending_finished_cb), p);
  g_hash_table_add (self->pending, p);
  soup_server_message_pause (msg);
  g_source_attach (p->timeout, self->context);
  /* The context holds the source; destroying it frees @p. */
  g_source_unref (p->timeout);
}

static void
other_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  IlServer *self = user_data;

  g_atomic_int_inc (&self->n_requests);
  respond_text (msg, SOUP_STATUS_NOT_FOUND, "not found: this server answers GET /delay?ms=N&bytes=M\n");
}

/* Loopback only, IPv4 only: nothing outside this machine can reach it. The
 * socket is made here rather than by soup_server_listen_local for its
 * backlog: GLib's default of 10 overflows when an async run opens 50
 * connections at once, and the kernel then makes clients retry their
 * connection after a full second. */
static gboolean
listen_loopback (SoupServer *server,
                 GError    **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  if (!g_socket_bind (socket, addr, FALSE, error))
    return FALSE;
  g_socket_set_listen_backlog (socket, 1024);
  if (!g_socket_listen (socket, error))
    return FALSE;
  return soup_server_listen_socket (server, socket, 0, error);
}

/* A quarter of the descriptor limit, at most 1024: the rest of the app
 * keeps room for its files, pipes and workers. */
static guint
max_connections (void)
{
  struct rlimit lim;

  if (getrlimit (RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY)
    return 1024;
  return (guint) CLAMP (lim.rlim_cur / 4, 8, 1024);
}

static gpointer
server_thread (gpointer data)
{
  IlServer *self = data;
  GError   *error = NULL;
  gboolean  ok;

  g_main_context_push_thread_default (self->context);

  self->server = soup_server_new ("server-header", "interleave-latency-server ", NULL);
  soup_server_add_handler (self->server, "/delay", delay_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, other_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-read", G_CALLBACK (request_read_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_done_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_done_cb), self);
  self->max_conns = max_connections ();
  ok = listen_loopback (self->server, &error);
  if (ok)
    {
      GSList *uris = soup_server_get_uris (self->server);

      if (uris != NULL)
        self->port = (guint) g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
      self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
    }

  g_mutex_lock (&self->lock);
  self->start_error = error;
  self->started = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  /* A flag, not g_main_loop_quit: il_server_free may come before a loop
   * would have started running, and the flag cannot be lost. */
  while (ok && !g_atomic_int_get (&self->quit))
    g_main_context_iteration (self->context, TRUE);

  /* Drop answers still waiting: destroying a source frees its Pending. */
  {
    GHashTableIter iter;
    gpointer       key;
    g_autoptr(GPtrArray) sources = g_ptr_array_new ();

    g_hash_table_iter_init (&iter, self->pending);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (sources, ((Pending *) key)->timeout);
    g_hash_table_remove_all (self->pending);
    for (guint i = 0; i < sources->len; i++)
      g_source_destroy (g_ptr_array_index (sources, i));
  }
  if (self->sweep_source != NULL)
    g_source_destroy (g_steal_pointer (&self->sweep_source));
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* Whatever SoupServer left open (its idle connections) closes here. */
  {
    GHashTableIter iter;
    gpointer       value;

    g_hash_table_iter_init (&iter, self->conns);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_socket_close (((Conn *) value)->socket, NULL);
    g_hash_table_remove_all (self->conns);
  }
  while (g_main_context_iteration (self->context, FALSE))
    ;

  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static guint8 *
make_pattern (void)
{
  guint8 *buf = g_malloc (IL_SERVER_PATTERN_BYTES);

  for (guint i = 0; i < IL_SERVER_PATTERN_BYTES; i++)
    buf[i] = il_server_body_byte (i);
  return buf;
}

IlServer *
il_server_new (GError **error)
{
  IlServer *self = g_new0 (IlServer, 1);
  GError   *start_error = NULL;

  self->context = g_main_context_new ();
  self->pattern = g_bytes_new_take (make_pattern (), IL_SERVER_PATTERN_BYTES);
  self->pending = g_hash_table_new (NULL, NULL);
  self->conns = g_hash_table_new_full (NULL, NULL, NULL, conn_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  /* g_thread_new() aborts the process when the thread cannot be made (a
   * process limit, no memory): the caller gets an error instead. */
  self->thread = g_thread_try_new ("il-latency-server", server_thread, self, &start_error);
  if (self->thread == NULL)
    {
      g_propagate_prefixed_error (error, start_error,
                                  _("Could not start the embedded latency server: "));
      il_server_free (self);
      return NULL;
    }

  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  start_error = g_steal_pointer (&self->start_error);
  g_mutex_unlock (&self->lock);

  if (start_error != NULL)
    {
      g_propagate_prefixed_error (error, start_error,
                                  _("Could not start the embedded latency server: "));
      il_server_free (self);
      return NULL;
    }
  return self;
}

const char *
il_server_get_url (IlServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return server->url;
}

guint
il_server_get_port (IlServer *server)
{
  g_return_val_if_fail (server != NULL, 0);
  return server->port;
}

guint
il_server_get_n_requests (IlServer *server)
{
  g_return_val_if_fail (server != NULL, 0);
  return (guint) g_atomic_int_get (&server->n_requests);
}

void
il_server_free (IlServer *server)
{
  if (server == NULL)
    return;

  if (server->thread != NULL)
    {
      g_atomic_int_set (&server->quit, 1);
      g_main_context_wakeup (server->context);
      g_thread_join (server->thread);
    }

  g_hash_table_unref (server->pending);
  g_hash_table_unref (server->conns);
  g_bytes_unref (server->pattern);
  g_main_context_unref (server->context);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server->url);
  g_free (server);
}
