/* il-protocol-mpi.c — the PLACED frame: where an mpi rank ran a task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * interleave-mpi-worker's rank 0 relays its ranks' EVENT and RESULT frames
 * to the runner unchanged; before each RESULT it sends one PLACED frame
 * with what only it knows: the rank and host that ran the task, when it
 * handed the task to MPI and got the result back (its clock, which is the
 * runner's on this machine), and the share of that spent in messages.
 */
#include "config.h"

#include <math.h>

#include "il-protocol-private.h"

#define MAX_HOST_CHARS 255
/* A task handed out just before the repetition's clock started cannot
 * exist; a little slack for clocks read on two threads. */
#define IL_PROTOCOL_MAX_CLOCK_SKEW_US 0

void
il_protocol_write_placed (GByteArray          *out,
                          const IlProtoPlaced *placed)
{
  guint at = begin_frame (out, IL_FRAME_PLACED);

  put_u32 (out, placed->group);
  put_u32 (out, placed->index);
  put_u32 (out, (guint32) placed->rank);
  put_str (out, placed->host);
  put_u32 (out, placed->pid);
  put_i64 (out, placed->start_us);
  put_i64 (out, placed->end_us);
  put_i64 (out, placed->marshal_us);
  end_frame (out, at);
}

gboolean
il_protocol_read_placed (const guint8  *body,
                         gsize          len,
                         IlProtoPlaced *out,
                         GError       **error)
{
  Reader r = { body, len, FALSE };

  memset (out, 0, sizeof *out);
  out->group = get_u32 (&r);
  out->index = get_u32 (&r);
  out->rank = (gint32) get_u32 (&r);
  out->host = get_str (&r);
  out->pid = get_u32 (&r);
  out->start_us = get_i64 (&r);
  out->end_us = get_i64 (&r);
  out->marshal_us = get_i64 (&r);
  /* Sent twice per task: when handed out (end and marshal -1), and with
   * the result. */
  if (!finish (&r, "PLACED", error) ||
      !check_range ("PLACED", "rank", out->rank, 1, IL_MAX_WORKERS, error) ||
      !check_range ("PLACED", "start_us", out->start_us, -IL_PROTOCOL_MAX_CLOCK_SKEW_US, G_MAXINT64, error) ||
      (out->end_us != -1 &&
       !check_range ("PLACED", "end_us", out->end_us, out->start_us, G_MAXINT64, error)) ||
      !check_range ("PLACED", "marshal_us", out->marshal_us, out->end_us == -1 ? -1 : 0,
                    out->end_us == -1 ? -1 : G_MAXINT64, error))
    {
      il_proto_placed_clear (out);
      return FALSE;
    }
  if (out->host == NULL || out->host[0] == '\0' || strlen (out->host) > MAX_HOST_CHARS ||
      !g_utf8_validate (out->host, -1, NULL))
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_WORKER,
                           _("protocol error: a PLACED frame without a valid host name"));
      il_proto_placed_clear (out);
      return FALSE;
    }
  return TRUE;
}

void
il_proto_placed_clear (IlProtoPlaced *placed)
{
  g_clear_pointer (&placed->host, g_free);
}

void
il_protocol_write_load (GByteArray        *out,
                        const IlProtoLoad *load)
{
  guint at = begin_frame (out, IL_FRAME_LOAD);

  put_str (out, load->host);
  put_u32 (out, load->hz);
  put_u32 (out, load->cores);
  put_u32 (out, load->samples);
  for (guint i = 0; i < load->samples * load->cores; i++)
    {
      float   v = g_array_index (load->values, float, i);
      guint32 bits;

      memcpy (&bits, &v, sizeof bits);
      put_u32 (out, bits);
    }
  end_frame (out, at);
}

gboolean
il_protocol_read_load (const guint8 *body,
                       gsize         len,
                       IlProtoLoad  *out,
                       GError      **error)
{
  Reader r = { body, len, FALSE };

  memset (out, 0, sizeof *out);
  out->host = get_str (&r);
  out->hz = get_u32 (&r);
  out->cores = get_u32 (&r);
  out->samples = get_u32 (&r);
  if (r.short_read ||
      !check_range ("LOAD", "hz", out->hz, 1, 100, error) ||
      !check_range ("LOAD", "cores", out->cores, 1, IL_PROTOCOL_MAX_LOAD_CORES, error) ||
      !check_range ("LOAD", "samples", out->samples, 0, IL_PROTOCOL_MAX_LOAD_SAMPLES, error) ||
      (gsize) out->samples * out->cores * 4 != r.left)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, IL_ERROR, IL_ERROR_WORKER,
                             _("protocol error: a LOAD frame of the wrong size"));
      il_proto_load_clear (out);
      return FALSE;
    }
  out->values = g_array_sized_new (FALSE, FALSE, sizeof (float), out->samples * out->cores);
  for (guint i = 0; i < out->samples * out->cores; i++)
    {
      guint32 bits = get_u32 (&r);
      float   v;

      memcpy (&v, &bits, sizeof v);
      /* Busy %, or NaN where a core had no time to measure. */
      if (!isnan (v) && (v < 0.0f || v > 100.0f))
        v = CLAMP (v, 0.0f, 100.0f);
      g_array_append_val (out->values, v);
    }
  if (!finish (&r, "LOAD", error))
    {
      il_proto_load_clear (out);
      return FALSE;
    }
  if (out->host == NULL || out->host[0] == '\0' || strlen (out->host) > MAX_HOST_CHARS ||
      !g_utf8_validate (out->host, -1, NULL))
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_WORKER,
                           _("protocol error: a LOAD frame without a valid host name"));
      il_proto_load_clear (out);
      return FALSE;
    }
  return TRUE;
}

void
il_proto_load_clear (IlProtoLoad *load)
{
  g_clear_pointer (&load->host, g_free);
  g_clear_pointer (&load->values, g_array_unref);
}
