/* il-protocol.c — the interleave-worker frames' header and checksum
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A compact binary encoding rather than JSON: the frames are private to one
 * build (the version in every header guards against mixing builds), and the
 * cost a user should see is moving their payload, not parsing our framing.
 * The primitives are in il-protocol-private.h, each frame's codec in
 * il-protocol-codec.c (TASKS, a TASK standing for many, here).
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "il-protocol-private.h"

/* ---- header ----------------------------------------------------------- */

const char *
il_frame_type_to_string (IlFrameType type)
{
  switch (type)
    {
      case IL_FRAME_HELLO:
        return "HELLO";
      case IL_FRAME_READY:
        return "READY";
      case IL_FRAME_TASK:
        return "TASK";
      case IL_FRAME_EVENT:
        return "EVENT";
      case IL_FRAME_RESULT:
        return "RESULT";
      case IL_FRAME_BYE:
        return "BYE";
      case IL_FRAME_HEARTBEAT:
        return "HEARTBEAT";
      case IL_FRAME_PLACED:
        return "PLACED";
      case IL_FRAME_LOAD:
        return "LOAD";
      case IL_FRAME_TASKS:
        return "TASKS";
      case IL_FRAME_END:
        return "END";
      case IL_FRAME_DONE:
        return "DONE";
      default:
        return "unknown";
    }
}

gboolean
il_protocol_parse_header (const guint8 *data,
                          IlFrameType  *type,
                          guint64      *length,
                          GError      **error)
{
  Reader  r = { data, IL_PROTOCOL_HEADER_SIZE, FALSE };
  guint32 magic = get_u32 (&r);
  guint16 version = get_u16 (&r);
  guint16 t = get_u16 (&r);
  guint64 len = get_u64 (&r);

  if (magic != IL_PROTOCOL_MAGIC)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: bad magic 0x%08x (expected 0x%08x)"),
                      magic, IL_PROTOCOL_MAGIC);
      return FALSE;
    }
  if (version != IL_PROTOCOL_VERSION)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: version %u is not supported (this build speaks version %u)"),
                      version, IL_PROTOCOL_VERSION);
      return FALSE;
    }
  if (t < IL_FRAME_HELLO || t > IL_FRAME_DONE)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: unknown frame type %u"), t);
      return FALSE;
    }
  if (len > IL_PROTOCOL_MAX_BODY)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: a %s frame of %" PRIu64 " bytes is larger than the limit"),
                      il_frame_type_to_string (t), len);
      return FALSE;
    }
  if ((t == IL_FRAME_BYE || t == IL_FRAME_HEARTBEAT || t == IL_FRAME_END) && len != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: a %s frame with a body of %" PRIu64 " bytes"),
                      il_frame_type_to_string (t), len);
      return FALSE;
    }
  *type = t;
  *length = len;
  return TRUE;
}

/* ---- TASKS ------------------------------------------------------------ */

void
il_protocol_write_tasks (GByteArray  *out,
                         IlProtoTask *first,
                         guint        count)
{
  guint at;

  g_return_if_fail (first->def->payload_bytes == 0);
  g_return_if_fail (count > 0);
  at = begin_frame (out, IL_FRAME_TASKS);
  put_u32 (out, count);
  il_protocol_put_task_body (out, first);
  end_frame (out, at);
}

gboolean
il_protocol_read_tasks (const guint8 *body,
                        gsize         len,
                        IlProtoTask  *first,
                        guint        *count,
                        GError      **error)
{
  Reader  r = { body, len, FALSE };
  guint32 n = get_u32 (&r);

  memset (first, 0, sizeof *first);
  if (r.short_read)
    return finish (&r, "TASKS", error);
  if (!check_range ("TASKS", "count", n, 1, IL_MAX_REPEAT, error) ||
      !il_protocol_read_task (body + 4, len - 4, first, error))
    return FALSE;
  /* What a parent can have sent: every task in range, none with a
   * payload (only processes move payloads). */
  if (!check_range ("TASKS", "last index", (gint64) first->index + n - 1, 0, IL_MAX_REPEAT - 1, error) ||
      !check_range ("TASKS", "last flat index", (gint64) first->flat + n - 1, 0, IL_MAX_TOTAL_TASKS - 1,
                    error) ||
      !check_range ("TASKS", "payload length", (gint64) first->payload_len, 0, 0, error))
    {
      il_proto_task_clear (first);
      return FALSE;
    }
  *count = n;
  return TRUE;
}

/* ---- END and DONE ----------------------------------------------------- */

void
il_protocol_write_end (GByteArray *out)
{
  end_frame (out, begin_frame (out, IL_FRAME_END));
}

void
il_protocol_write_done (GByteArray    *out,
                        const IlUsage *usage)
{
  guint at = begin_frame (out, IL_FRAME_DONE);

  put_i64 (out, usage->user_us);
  put_i64 (out, usage->sys_us);
  put_i64 (out, usage->nvcsw);
  put_i64 (out, usage->nivcsw);
  end_frame (out, at);
}

/* No repetition lasts a day (whatever its cores), nor switches more than
 * a million times a second of it. */
#define DONE_MAX_US       (G_GINT64_CONSTANT (86400) * 1024 * G_USEC_PER_SEC)
#define DONE_MAX_SWITCHES (G_GINT64_CONSTANT (86400) * 1000000)

gboolean
il_protocol_read_done (const guint8 *body,
                       gsize         len,
                       IlUsage      *out,
                       GError      **error)
{
  Reader  r = { body, len, FALSE };
  IlUsage u;

  memset (out, 0, sizeof *out);
  u.user_us = get_i64 (&r);
  u.sys_us = get_i64 (&r);
  u.nvcsw = get_i64 (&r);
  u.nivcsw = get_i64 (&r);
  if (!finish (&r, "DONE", error))
    return FALSE;
  if (!check_range ("DONE", "user time", u.user_us, 0, DONE_MAX_US, error) ||
      !check_range ("DONE", "system time", u.sys_us, 0, DONE_MAX_US, error) ||
      !check_range ("DONE", "voluntary switches", u.nvcsw, 0, DONE_MAX_SWITCHES, error) ||
      !check_range ("DONE", "involuntary switches", u.nivcsw, 0, DONE_MAX_SWITCHES, error))
    return FALSE;
  *out = u;
  return TRUE;
}

/* ---- payload ---------------------------------------------------------- */

guint64
il_protocol_checksum (const guint8 *data,
                      gsize         len)
{
  guint64 h = 0xcbf29ce484222325ull ^ len;
  gsize   i = 0;

  /* Word at a time: fast enough that moving the bytes, not checking them,
   * dominates the marshalling cost. */
  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, data + i, 8);
      h = (h ^ w) * 0x100000001b3ull;
      h ^= h >> 29;
    }
  for (; i < len; i++)
    h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}
