/* fuzz-protocol.c — the wire protocol's decoders (il-protocol.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is read as the worker and the parent read their pipes: a
 * stream of frames, each a header and a body, every frame type decoded by
 * its decoder. A bad frame ends the stream with a valid UTF-8, bounded
 * message. A frame that decodes encodes again, and that encoding decodes
 * and encodes to the same bytes.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "il-error.h"
#include "il-protocol.h"

#define MAX_MESSAGE 1024

static void
check_error (GError *error)
{
  if (error == NULL)
    g_error ("a decoder failed without an error");
  il_fuzz_check_message (error->message, MAX_MESSAGE);
}

/* Splits one whole frame written by an encoder into type and body. */
static const guint8 *
frame_body (GByteArray *frame,
            IlFrameType expected,
            gsize      *len)
{
  g_autoptr(GError) error = NULL;
  IlFrameType type;
  guint64     length;

  if (frame->len < IL_PROTOCOL_HEADER_SIZE || !il_protocol_parse_header (frame->data, &type, &length, &error))
    g_error ("an encoded frame has a bad header: %s", error ? error->message : "too short");
  if (type != expected || length != frame->len - IL_PROTOCOL_HEADER_SIZE)
    g_error ("an encoded frame has type %d and length %" G_GUINT64_FORMAT " for %u bytes",
             type, length, frame->len);
  *len = (gsize) length;
  return frame->data + IL_PROTOCOL_HEADER_SIZE;
}

static void
assert_same (GByteArray *a,
             GByteArray *b,
             const char *what)
{
  if (a->len != b->len || memcmp (a->data, b->data, a->len) != 0)
    g_error ("%s: encoding what was decoded is not stable (%u and %u bytes)", what, a->len, b->len);
}

static void
roundtrip_hello (IlFrameType         type,
                 const IlProtoHello *hello)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoHello  back = { 0 };
  const guint8 *body;
  gsize         len;

  il_protocol_write_hello (first, type, hello);
  body = frame_body (first, type, &len);
  if (!il_protocol_read_hello (body, len, &back, &error))
    g_error ("an encoded hello does not decode: %s", error->message);
  il_protocol_write_hello (second, type, &back);
  il_proto_hello_clear (&back);
  assert_same (first, second, "hello");
}

static void
roundtrip_task (IlProtoTask *task)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoTask   back = { 0 };
  const guint8 *body;
  gsize         len;

  /* The encoder makes the payload from the task's identity: compare what
   * the payload does not decide. */
  il_protocol_write_task (first, task);
  body = frame_body (first, IL_FRAME_TASK, &len);
  if (!il_protocol_read_task (body, len, &back, &error))
    g_error ("an encoded task does not decode: %s", error->message);
  if (back.group != task->group || back.index != task->index || back.flat != task->flat || back.worker != task->worker || back.run != task->run || back.rep != task->rep || back.t0 != task->t0 || back.payload_checksum != task->payload_checksum || back.payload_len != task->payload_len || il_protocol_checksum (back.payload, back.payload_len) != back.payload_checksum || !il_task_group_equal (back.def, task->def))
    g_error ("a task encoded and decoded is not the same task");
  il_proto_task_clear (&back);
}

static void
roundtrip_tasks (IlProtoTask *first,
                 guint        count)
{
  g_autoptr(GByteArray) once = g_byte_array_new ();
  g_autoptr(GByteArray) again = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoTask   back = { 0 };
  guint         back_count = 0;
  const guint8 *body;
  gsize         len;

  /* No payload: the frame is the same bytes again. */
  il_protocol_write_tasks (once, first, count);
  body = frame_body (once, IL_FRAME_TASKS, &len);
  if (!il_protocol_read_tasks (body, len, &back, &back_count, &error))
    g_error ("encoded tasks do not decode: %s", error->message);
  if (back_count != count || back.group != first->group || back.index != first->index || back.flat != first->flat || back.t0 != first->t0 || back.payload_len != 0 || !il_task_group_equal (back.def, first->def))
    g_error ("tasks encoded and decoded are not the same tasks");
  il_protocol_write_tasks (again, &back, back_count);
  il_proto_task_clear (&back);
  assert_same (once, again, "tasks");
}

static void
roundtrip_events (GArray *events)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GArray) back = g_array_new (FALSE, TRUE, sizeof (IlEvent));
  g_autoptr(GError) error = NULL;
  const guint8 *body;
  gsize         len;

  il_protocol_write_events (first, (const IlEvent *) (gpointer) events->data, events->len);
  body = frame_body (first, IL_FRAME_EVENT, &len);
  if (!il_protocol_read_events (body, len, back, &error))
    g_error ("encoded events do not decode: %s", error->message);
  il_protocol_write_events (second, (const IlEvent *) (gpointer) back->data, back->len);
  assert_same (first, second, "events");
}

static void
roundtrip_result (const IlProtoResult *result)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoResult back = { 0 };
  const guint8 *body;
  gsize         len;

  il_protocol_write_result (first, result);
  body = frame_body (first, IL_FRAME_RESULT, &len);
  if (!il_protocol_read_result (body, len, &back, &error))
    g_error ("an encoded result does not decode: %s", error->message);
  il_protocol_write_result (second, &back);
  il_proto_result_clear (&back);
  assert_same (first, second, "result");
}

static void
roundtrip_placed (const IlProtoPlaced *placed)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoPlaced back = { 0 };
  const guint8 *body;
  gsize         len;

  il_protocol_write_placed (first, placed);
  body = frame_body (first, IL_FRAME_PLACED, &len);
  if (!il_protocol_read_placed (body, len, &back, &error))
    g_error ("an encoded PLACED does not decode: %s", error->message);
  il_protocol_write_placed (second, &back);
  il_proto_placed_clear (&back);
  assert_same (first, second, "placed");
}

static void
roundtrip_load (const IlProtoLoad *load)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoLoad   back = { 0 };
  const guint8 *body;
  gsize         len;

  il_protocol_write_load (first, load);
  body = frame_body (first, IL_FRAME_LOAD, &len);
  if (!il_protocol_read_load (body, len, &back, &error))
    g_error ("an encoded LOAD does not decode: %s", error->message);
  il_protocol_write_load (second, &back);
  il_proto_load_clear (&back);
  assert_same (first, second, "load");
}

static void
roundtrip_done (const IlUsage *done)
{
  g_autoptr(GByteArray) first = g_byte_array_new ();
  g_autoptr(GByteArray) second = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlUsage       back;
  const guint8 *body;
  gsize         len;

  il_protocol_write_done (first, done);
  body = frame_body (first, IL_FRAME_DONE, &len);
  if (!il_protocol_read_done (body, len, &back, &error))
    g_error ("an encoded DONE does not decode: %s", error->message);
  il_protocol_write_done (second, &back);
  assert_same (first, second, "done");
}

/* Decodes one frame body; FALSE (and the stream ends) when it is refused. */
static gboolean
decode (IlFrameType   type,
        const guint8 *body,
        gsize         len)
{
  g_autoptr(GError) error = NULL;

  switch (type)
    {
      case IL_FRAME_HELLO:
      case IL_FRAME_READY:
        {
          IlProtoHello hello = { 0 };

          if (!il_protocol_read_hello (body, len, &hello, &error))
            break;
          roundtrip_hello (type, &hello);
          il_proto_hello_clear (&hello);
          return TRUE;
        }
      case IL_FRAME_TASK:
        {
          IlProtoTask task = { 0 };

          if (!il_protocol_read_task (body, len, &task, &error))
            break;
          roundtrip_task (&task);
          il_proto_task_clear (&task);
          return TRUE;
        }
      case IL_FRAME_TASKS:
        {
          IlProtoTask task = { 0 };
          guint       count = 0;

          if (!il_protocol_read_tasks (body, len, &task, &count, &error))
            break;
          roundtrip_tasks (&task, count);
          il_proto_task_clear (&task);
          return TRUE;
        }
      case IL_FRAME_EVENT:
        {
          g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (IlEvent));

          if (!il_protocol_read_events (body, len, events, &error))
            break;
          roundtrip_events (events);
          return TRUE;
        }
      case IL_FRAME_RESULT:
        {
          IlProtoResult result = { 0 };

          if (!il_protocol_read_result (body, len, &result, &error))
            break;
          roundtrip_result (&result);
          il_proto_result_clear (&result);
          return TRUE;
        }
      case IL_FRAME_BYE:
      case IL_FRAME_HEARTBEAT:
      case IL_FRAME_END:
        {
          g_autoptr(GByteArray) again = g_byte_array_new ();
          gsize again_len;

          /* Empty frames: the header refuses a body. */
          if (len != 0)
            g_error ("the header accepted a %s frame with %" G_GSIZE_FORMAT " bytes of body",
                     il_frame_type_to_string (type), len);
          if (type == IL_FRAME_BYE)
            il_protocol_write_bye (again);
          else if (type == IL_FRAME_END)
            il_protocol_write_end (again);
          else
            il_protocol_write_heartbeat (again);
          frame_body (again, type, &again_len);
          if (again_len != 0)
            g_error ("an encoded empty frame has a body");
          return TRUE;
        }
      case IL_FRAME_DONE:
        {
          IlUsage done;

          if (!il_protocol_read_done (body, len, &done, &error))
            break;
          roundtrip_done (&done);
          return TRUE;
        }
      case IL_FRAME_PLACED:
        {
          IlProtoPlaced placed = { 0 };

          if (!il_protocol_read_placed (body, len, &placed, &error))
            break;
          roundtrip_placed (&placed);
          il_proto_placed_clear (&placed);
          return TRUE;
        }
      case IL_FRAME_LOAD:
        {
          IlProtoLoad load = { 0 };

          if (!il_protocol_read_load (body, len, &load, &error))
            break;
          roundtrip_load (&load);
          il_proto_load_clear (&load);
          return TRUE;
        }
      default:
        g_error ("the header accepted an unknown frame type %d", type);
    }
  check_error (error);
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  while (size >= IL_PROTOCOL_HEADER_SIZE)
    {
      g_autoptr(GError) error = NULL;
      IlFrameType type;
      guint64     length;

      if (!il_protocol_parse_header (data, &type, &length, &error))
        {
          check_error (error);
          return 0;
        }
      data += IL_PROTOCOL_HEADER_SIZE;
      size -= IL_PROTOCOL_HEADER_SIZE;
      if (length > size)
        return 0; /* truncated: the reader waits for more, then sees EOF */
      if (!decode (type, data, (gsize) length))
        return 0;
      data += length;
      size -= length;
    }
  return 0;
}
