/* il-server.h — the embedded latency server: GET /delay?ms=N&bytes=M
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _IlServer IlServer;

/* The period of the body's content: byte i of every /delay answer is
 * il_server_body_byte (i). Clients may verify it. */
#define IL_SERVER_PATTERN_BYTES 65536

/* Starts a SoupServer on 127.0.0.1 (IPv4 only, a free port) in a thread of
 * its own with its own GMainContext, so that it answers while the caller's
 * threads block. Returns once it listens. */
IlServer *il_server_new (GError **error);

/* "http://127.0.0.1:PORT" (no trailing slash). */
const char *il_server_get_url (IlServer *server);
guint       il_server_get_port (IlServer *server);

/* Requests answered so far (any status). Thread-safe. */
guint il_server_get_n_requests (IlServer *server);

/* Stops the server and joins its thread. Answers still pending are dropped
 * (their connections close). */
void il_server_free (IlServer *server);

static inline guint8
il_server_body_byte (guint64 offset)
{
  guint64 i = offset % IL_SERVER_PATTERN_BYTES;

  return (guint8) ((i * 2654435761u) >> 13);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlServer, il_server_free)

G_END_DECLS
