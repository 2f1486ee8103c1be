/* il-protocol-private.h — the wire's primitives, shared by the framing
 * (il-protocol.c) and the frame codecs (il-protocol-codec.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Little-endian integers and length-prefixed strings appended to a
 * GByteArray, and a Reader that takes them back from a body without ever
 * reading past it: a short body only sets short_read, which finish()
 * turns into one "truncated" error, so that a decoder reads every field
 * first and checks once.
 */
#pragma once

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-protocol.h"

G_BEGIN_DECLS

/* A string's length that says "no string" (NULL). */
#define NO_STRING G_MAXUINT32

/* ---- writing ---------------------------------------------------------- */

static inline void
put_u8 (GByteArray *out,
        guint8      v)
{
  g_byte_array_append (out, &v, 1);
}

static inline void
put_u16 (GByteArray *out,
         guint16     v)
{
  v = GUINT16_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, 2);
}

static inline void
put_u32 (GByteArray *out,
         guint32     v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, 4);
}

static inline void
put_u64 (GByteArray *out,
         guint64     v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &v, 8);
}

static inline void
put_i64 (GByteArray *out,
         gint64      v)
{
  put_u64 (out, (guint64) v);
}

static inline void
put_str (GByteArray *out,
         const char *s)
{
  if (s == NULL)
    {
      put_u32 (out, NO_STRING);
      return;
    }
  put_u32 (out, (guint32) strlen (s));
  g_byte_array_append (out, (const guint8 *) s, (guint) strlen (s));
}

/* Starts a frame; returns where its header is, for end_frame. */
static inline guint
begin_frame (GByteArray *out,
             IlFrameType type)
{
  guint at = out->len;

  put_u32 (out, IL_PROTOCOL_MAGIC);
  put_u16 (out, IL_PROTOCOL_VERSION);
  put_u16 (out, (guint16) type);
  put_u64 (out, 0);
  return at;
}

static inline void
end_frame (GByteArray *out,
           guint       at)
{
  guint64 len = GUINT64_TO_LE ((guint64) (out->len - at - IL_PROTOCOL_HEADER_SIZE));

  memcpy (out->data + at + 8, &len, 8);
}

/* ---- reading ---------------------------------------------------------- */

typedef struct
{
  const guint8 *p;
  gsize         left;
  gboolean      short_read;
} Reader;

static inline gboolean
take (Reader        *r,
      gsize          n,
      const guint8 **where)
{
  if (r->short_read || r->left < n)
    {
      r->short_read = TRUE;
      *where = NULL;
      return FALSE;
    }
  *where = r->p;
  r->p += n;
  r->left -= n;
  return TRUE;
}

static inline guint8
get_u8 (Reader *r)
{
  const guint8 *p;

  return take (r, 1, &p) ? p[0] : 0;
}

static inline guint16
get_u16 (Reader *r)
{
  const guint8 *p;
  guint16       v;

  if (!take (r, 2, &p))
    return 0;
  memcpy (&v, p, 2);
  return GUINT16_FROM_LE (v);
}

static inline guint32
get_u32 (Reader *r)
{
  const guint8 *p;
  guint32       v;

  if (!take (r, 4, &p))
    return 0;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get_u64 (Reader *r)
{
  const guint8 *p;
  guint64       v;

  if (!take (r, 8, &p))
    return 0;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline gint64
get_i64 (Reader *r)
{
  return (gint64) get_u64 (r);
}

static inline char *
get_str (Reader *r)
{
  guint32       n = get_u32 (r);
  const guint8 *p;

  if (r->short_read || n == NO_STRING)
    return NULL;
  if (!take (r, n, &p))
    return NULL;
  return g_strndup ((const char *) p, n);
}

static inline gboolean
finish (Reader     *r,
        const char *what,
        GError    **error)
{
  if (r->short_read)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: truncated %s frame"), what);
      return FALSE;
    }
  if (r->left != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: %zu unexpected bytes after a %s frame"),
                      r->left, what);
      return FALSE;
    }
  return TRUE;
}

/* The largest time (µs, either sign) a frame may carry: 2^53 µs is about
 * 285 years, so any difference of two such times fits in a gint64. */
#define IL_PROTO_MAX_TIME_US (G_GINT64_CONSTANT (1) << 53)

/* Sets a protocol error for @field = @value outside [@min, @max]; FALSE
 * then. */
static inline gboolean
check_range (const char *what,
             const char *field,
             gint64      value,
             gint64      min,
             gint64      max,
             GError    **error)
{
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
               _("protocol error: %s %s %" PRId64 " is out of range "
                 "(%" PRId64 " to %" PRId64 ")"),
                  what, field, value, min, max);
  return FALSE;
}

/* il-protocol-codec.c: a TASK frame's body, without its header. */
void il_protocol_put_task_body (GByteArray  *out,
                                IlProtoTask *task);

G_END_DECLS
