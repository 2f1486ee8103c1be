/* il-protocol-codec.c — encoding and decoding each interleave-worker
 * frame: HELLO / READY / BYE / HEARTBEAT, TASK, EVENT and RESULT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every decoder refuses a number its parent could never have sent (the
 * experiment file's limits, il-experiment.h), so that a worker never loops,
 * sleeps or allocates on a corrupted or hostile frame.
 */
#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "il-protocol-private.h"

#define EVENT_SIZE 72

/* What a parent can have sent, from the experiment file's limits
 * (il-experiment.h): expanded runs are the runs' sweeps, repetitions count
 * the warm-ups. */
#define MAX_EXPANDED_RUNS (IL_MAX_RUNS * IL_MAX_WORKERS)
#define MAX_REP_INDEX     (IL_MAX_WARMUP + IL_MAX_REPETITIONS)

/* ---- payload ---------------------------------------------------------- */

/* The payload a TASK carries: @len bytes made from @seed (the task's
 * identity) by xorshift, written straight into the frame. */
static void
payload_fill (guint8 *data,
              gsize   len,
              guint64 seed)
{
  guint64 x = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
  gsize   i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x * 0x2545f4914f6cdd1dull;
      memcpy (data + i, &w, 8);
    }
  for (; i < len; i++)
    data[i] = (guint8) (x >> (8 * (i % 8)));
}

/* ---- HELLO / READY / BYE ---------------------------------------------- */

void
il_protocol_write_hello (GByteArray         *out,
                         IlFrameType         type,
                         const IlProtoHello *hello)
{
  guint at = begin_frame (out, type);
  guint n = hello->affinity != NULL ? hello->affinity->len : 0;

  put_u32 (out, hello->pid);
  put_u32 (out, (guint32) hello->worker);
  put_u32 (out, n);
  for (guint i = 0; i < n; i++)
    put_u32 (out, g_array_index (hello->affinity, guint, i));
  put_str (out, hello->server_url);
  put_str (out, hello->scratch_dir);
  put_u32 (out, hello->heartbeat_ms);
  end_frame (out, at);
}

gboolean
il_protocol_read_hello (const guint8 *body,
                        gsize         len,
                        IlProtoHello *out,
                        GError      **error)
{
  Reader  r = { body, len, FALSE };
  guint32 n;

  memset (out, 0, sizeof *out);
  out->pid = get_u32 (&r);
  out->worker = (gint32) get_u32 (&r);
  n = get_u32 (&r);
  if (!r.short_read &&
      (!check_range ("HELLO", "worker", out->worker, 0, IL_MAX_WORKERS - 1, error) ||
       !check_range ("HELLO", "core count", n, 0, IL_MAX_CPU_INDEX + 1, error)))
    goto fail;
  if (n > 0 && n <= r.left / 4)
    {
      out->affinity = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
      for (guint i = 0; i < n && !r.short_read; i++)
        {
          guint core = get_u32 (&r);

          if (!r.short_read && !check_range ("HELLO", "core", core, 0, IL_MAX_CPU_INDEX, error))
            goto fail;
          g_array_append_val (out->affinity, core);
        }
    }
  else if (n > 0)
    r.short_read = TRUE;
  out->server_url = get_str (&r);
  out->scratch_dir = get_str (&r);
  out->heartbeat_ms = get_u32 (&r);
  /* READY carries no interval. */
  if (!r.short_read && out->heartbeat_ms != 0 &&
      !check_range ("HELLO", "heartbeat_ms", out->heartbeat_ms,
                    IL_PROTOCOL_MIN_HEARTBEAT_MS, IL_PROTOCOL_MAX_HEARTBEAT_MS, error))
    goto fail;
  if (!finish (&r, "HELLO", error))
    goto fail;
  return TRUE;

fail:
  il_proto_hello_clear (out);
  return FALSE;
}

void
il_proto_hello_clear (IlProtoHello *hello)
{
  g_clear_pointer (&hello->affinity, g_array_unref);
  g_clear_pointer (&hello->server_url, g_free);
  g_clear_pointer (&hello->scratch_dir, g_free);
}

void
il_protocol_write_bye (GByteArray *out)
{
  end_frame (out, begin_frame (out, IL_FRAME_BYE));
}

void
il_protocol_write_heartbeat (GByteArray *out)
{
  end_frame (out, begin_frame (out, IL_FRAME_HEARTBEAT));
}

/* ---- TASK ------------------------------------------------------------- */

void
il_protocol_write_task (GByteArray  *out,
                        IlProtoTask *task)
{
  guint at = begin_frame (out, IL_FRAME_TASK);

  il_protocol_put_task_body (out, task);
  end_frame (out, at);
}

/* A TASK frame's body (TASKS carries one after its count). */
void
il_protocol_put_task_body (GByteArray  *out,
                           IlProtoTask *task)
{
  const IlTaskGroup *def = task->def;
  gsize              payload_len = (gsize) MAX (def->payload_bytes, 0);
  guint              payload_at;

  put_u32 (out, task->group);
  put_u32 (out, task->index);
  put_u32 (out, task->flat);
  put_u32 (out, (guint32) task->worker);
  put_u16 (out, task->run);
  put_u16 (out, task->rep);
  put_i64 (out, task->t0);
  put_u32 (out, def->blocks->len);
  for (guint i = 0; i < def->blocks->len; i++)
    {
      const IlBlock *b = g_ptr_array_index (def->blocks, i);

      put_u8 (out, (guint8) b->type);
      put_u8 (out, (guint8) b->kernel);
      put_u8 (out, b->fsync ? 1 : 0);
      put_i64 (out, b->units);
      put_i64 (out, b->ms);
      put_i64 (out, b->delay_ms);
      put_i64 (out, b->bytes);
      put_str (out, b->url);
      put_i64 (out, b->increments);
      put_u8 (out, b->lock ? 1 : 0);
      put_i64 (out, b->times);
    }

  /* The payload is generated in place: it stands for the user's data
   * being serialized, and its checksum lets both sides verify it. */
  put_u64 (out, 0); /* checksum, patched below */
  put_u64 (out, payload_len);
  payload_at = out->len;
  g_byte_array_set_size (out, payload_at + (guint) payload_len);
  payload_fill (out->data + payload_at, payload_len,
                ((guint64) task->run << 48) ^ ((guint64) task->rep << 32) ^ task->flat);
  task->payload_checksum = il_protocol_checksum (out->data + payload_at, payload_len);
  {
    guint64 le = GUINT64_TO_LE (task->payload_checksum);

    memcpy (out->data + payload_at - 16, &le, 8);
  }
}

/* The numbers the file reader would have refused (il-experiment.h's
 * limits). A field a block's type does not use is still bounded: it is
 * never read, but a parent that sends it is not this build's. */
static gboolean
check_block (const IlBlock *b,
             guint          i,
             GError       **error)
{
  g_autofree char *what = g_strdup_printf ("TASK block %u", i);

  return check_range (what, "units", b->units, b->type == IL_BLOCK_CPU ? 1 : 0, IL_MAX_UNITS, error) &&
         check_range (what, "ms", b->ms, 0, IL_MAX_MS, error) &&
         check_range (what, "delay_ms", b->delay_ms, 0, IL_MAX_MS, error) &&
         check_range (what, "bytes", b->bytes, 0,
                      b->type == IL_BLOCK_HTTP ? IL_MAX_HTTP_BYTES : IL_MAX_FILE_BYTES, error) &&
         check_range (what, "increments", b->increments, b->type == IL_BLOCK_COUNTER ? 1 : 0,
                      IL_MAX_INCREMENTS, error) &&
         check_range (what, "times", b->times, b->type == IL_BLOCK_YIELD ? 1 : 0, IL_MAX_YIELDS,
                      error);
}

gboolean
il_protocol_read_task (const guint8 *body,
                       gsize         len,
                       IlProtoTask  *out,
                       GError      **error)
{
  Reader  r = { body, len, FALSE };
  guint32 n_blocks;
  guint64 payload_len;

  memset (out, 0, sizeof *out);
  out->group = get_u32 (&r);
  out->index = get_u32 (&r);
  out->flat = get_u32 (&r);
  out->worker = (gint) get_u32 (&r);
  out->run = get_u16 (&r);
  out->rep = get_u16 (&r);
  out->t0 = get_i64 (&r);
  n_blocks = get_u32 (&r);
  if (r.short_read)
    goto finish;
  if (!check_range ("TASK", "group", out->group, 0, IL_MAX_TASK_GROUPS - 1, error) ||
      !check_range ("TASK", "index", out->index, 0, IL_MAX_REPEAT - 1, error) ||
      !check_range ("TASK", "flat index", out->flat, 0, IL_MAX_TOTAL_TASKS - 1, error) ||
      !check_range ("TASK", "worker", out->worker, 0, IL_MAX_WORKERS - 1, error) ||
      !check_range ("TASK", "run", out->run, 0, MAX_EXPANDED_RUNS - 1, error) ||
      !check_range ("TASK", "repetition", out->rep, 0, MAX_REP_INDEX - 1, error) ||
      !check_range ("TASK", "t0", out->t0, 0, G_MAXINT64 / 2, error) ||
      !check_range ("TASK", "block count", n_blocks, 1, IL_MAX_BLOCKS, error))
    return FALSE;

  out->def = il_task_group_new ();
  g_ptr_array_set_size (out->def->blocks, 0);
  for (guint i = 0; i < n_blocks && !r.short_read; i++)
    {
      guint8   type = get_u8 (&r);
      guint8   kernel = get_u8 (&r);
      IlBlock *b;

      if (r.short_read)
        break;
      if (type >= IL_N_BLOCK_TYPES || kernel >= IL_N_KERNELS)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                       _("protocol error: unknown block type %u or kernel %u"), type, kernel);
          il_proto_task_clear (out);
          return FALSE;
        }
      b = il_block_new (type);
      g_ptr_array_add (out->def->blocks, b);
      b->kernel = kernel;
      b->fsync = get_u8 (&r) != 0;
      b->units = get_i64 (&r);
      b->ms = get_i64 (&r);
      b->delay_ms = get_i64 (&r);
      b->bytes = get_i64 (&r);
      g_clear_pointer (&b->url, g_free);
      b->url = get_str (&r);
      b->increments = get_i64 (&r);
      b->lock = get_u8 (&r) != 0;
      b->times = get_i64 (&r);
      if (!r.short_read && !check_block (b, i, error))
        {
          il_proto_task_clear (out);
          return FALSE;
        }
    }
  out->payload_checksum = get_u64 (&r);
  payload_len = get_u64 (&r);
  if (!r.short_read &&
      !check_range ("TASK", "payload length", (gint64) MIN (payload_len, (guint64) G_MAXINT64),
                    0, IL_MAX_PAYLOAD_BYTES, error))
    {
      il_proto_task_clear (out);
      return FALSE;
    }
  if (payload_len > r.left)
    r.short_read = TRUE;
  else
    {
      take (&r, payload_len, &out->payload);
      out->payload_len = payload_len;
      out->def->payload_bytes = (gint64) payload_len;
    }

finish:
  if (!finish (&r, "TASK", error))
    {
      il_proto_task_clear (out);
      return FALSE;
    }
  return TRUE;
}

void
il_proto_task_clear (IlProtoTask *task)
{
  g_clear_pointer (&task->def, il_task_group_free);
  task->payload = NULL;
  task->payload_len = 0;
}

/* ---- EVENT ------------------------------------------------------------ */

/* An event on the wire: protocol v2's (and v3's) fixed record of EVENT_SIZE bytes,
 * whose slots a…d, t2_us, cpu and value each kind fills its own way. The
 * mapping between them and IlEvent's typed fields lives here and nowhere
 * else. The run and repetition are not sent: the parent stamps them. */
typedef struct
{
  guint8  kind;
  guint8  flags;
  guint8  block_type;
  guint8  block;
  gint32  worker;
  gint32  cpu;
  guint32 task;
  gint64  t_us;
  gint64  t2_us;
  gint64  a, b, c, d;
  double  value;
} WireEvent;

/* A wire-only flag: the state times in a…d were measured (IlStateTimes's
 * valid). Never set in an IlEvent's flags. */
#define WIRE_FLAG_STATE_VALID (1 << 7)

static void
wire_put_state (WireEvent          *w,
                const IlStateTimes *state)
{
  w->a = state->running;
  w->b = state->ready;
  w->c = state->blocked;
  w->d = state->gil_wait;
  w->value = (double) state->lock_wait;
  if (state->valid)
    w->flags |= WIRE_FLAG_STATE_VALID;
}

static void
wire_get_state (const WireEvent *w,
                IlStateTimes    *state)
{
  state->valid = (w->flags & WIRE_FLAG_STATE_VALID) != 0;
  state->running = w->a;
  state->ready = w->b;
  state->blocked = w->c;
  state->gil_wait = w->d;
  /* v3: lock_wait in the value slot; anything but a µs count reads as 0. */
  state->lock_wait = w->value >= 0 && w->value <= (double) G_MAXINT32 * 1e3 ? (gint64) w->value : 0;
}

/* A count sent as a double (v2 put it in value): anything but a number in
 * range reads as 0. */
static guint64
wire_count (double v)
{
  return v >= 0 && v <= (double) IL_MAX_TOTAL_TASKS ? (guint64) v : 0;
}

static void
event_to_wire (const IlEvent *e,
               WireEvent     *w)
{
  memset (w, 0, sizeof *w);
  w->kind = e->kind;
  w->flags = e->flags & ~WIRE_FLAG_STATE_VALID;
  w->worker = e->worker;
  w->task = e->task;
  w->t_us = e->t_us;
  switch ((IlEventKind) e->kind)
    {
      case IL_EVENT_RUN_START:
        w->value = (double) e->run_start.tasks_per_rep;
        break;
      case IL_EVENT_REP_START:
        w->value = (double) e->rep_start.n_tasks;
        break;
      case IL_EVENT_TASK_START:
        w->cpu = e->task_start.cpu;
        w->a = e->task_start.pid;
        w->b = e->task_start.tid;
        w->c = e->task_start.group;
        w->d = e->task_start.index;
        break;
      case IL_EVENT_TASK_END:
        w->cpu = e->task_end.cpu;
        w->t2_us = e->task_end.start_us;
        wire_put_state (w, &e->task_end.state);
        break;
      case IL_EVENT_BLOCK_START:
        w->block = e->block_start.block;
        w->block_type = e->block_start.type;
        break;
      case IL_EVENT_BLOCK_END:
        w->block = e->block_end.block;
        w->block_type = e->block_end.type;
        w->t2_us = e->block_end.start_us;
        wire_put_state (w, &e->block_end.state);
        break;
      case IL_EVENT_GIL_WAIT:
      case IL_EVENT_GIL_HOLD:
        w->cpu = -1;
        w->t2_us = e->gil.end_us;
        break;
      case IL_EVENT_CORE_SAMPLE:
        w->cpu = e->core_sample.core;
        w->value = e->core_sample.busy_pct;
        break;
      case IL_EVENT_OVERHEAD:
        w->value = e->overhead.cpu_pct;
        break;
      case IL_EVENT_LOOP_LAG:
        w->a = e->loop_lag.lag_us;
        w->value = (double) e->loop_lag.lag_us / 1000.0;
        break;
      case IL_EVENT_REP_END:
        w->value = (double) e->t_us / 1000.0;
        break;
      case IL_EVENT_RUN_END:
      case IL_EVENT_FINISHED:
      default:
        break;
    }
}

/* @w has passed the range checks. */
static void
event_from_wire (const WireEvent *w,
                 IlEvent         *e)
{
  memset (e, 0, sizeof *e);
  e->kind = w->kind;
  e->flags = w->flags & ~WIRE_FLAG_STATE_VALID;
  e->worker = w->worker;
  e->task = w->task;
  e->t_us = w->t_us;
  switch ((IlEventKind) w->kind)
    {
      case IL_EVENT_RUN_START:
        e->run_start.tasks_per_rep = wire_count (w->value);
        break;
      case IL_EVENT_REP_START:
        e->rep_start.n_tasks = (guint32) wire_count (w->value);
        break;
      case IL_EVENT_TASK_START:
        e->task_start.cpu = w->cpu;
        e->task_start.pid = (gint32) w->a;
        e->task_start.tid = (gint32) w->b;
        e->task_start.group = (gint32) w->c;
        e->task_start.index = (gint32) w->d;
        break;
      case IL_EVENT_TASK_END:
        e->task_end.cpu = w->cpu;
        e->task_end.start_us = w->t2_us;
        wire_get_state (w, &e->task_end.state);
        break;
      case IL_EVENT_BLOCK_START:
        e->block_start.block = w->block;
        e->block_start.type = w->block_type;
        break;
      case IL_EVENT_BLOCK_END:
        e->block_end.block = w->block;
        e->block_end.type = w->block_type;
        e->block_end.start_us = w->t2_us;
        wire_get_state (w, &e->block_end.state);
        break;
      case IL_EVENT_GIL_WAIT:
      case IL_EVENT_GIL_HOLD:
        e->gil.end_us = w->t2_us;
        break;
      case IL_EVENT_CORE_SAMPLE:
        e->core_sample.core = w->cpu;
        e->core_sample.busy_pct = w->value;
        break;
      case IL_EVENT_OVERHEAD:
        e->overhead.cpu_pct = w->value;
        break;
      case IL_EVENT_LOOP_LAG:
        e->loop_lag.lag_us = w->a;
        break;
      case IL_EVENT_REP_END:
      case IL_EVENT_RUN_END:
      case IL_EVENT_FINISHED:
      default:
        break;
    }
}

void
il_protocol_write_events (GByteArray    *out,
                          const IlEvent *events,
                          guint          n)
{
  guint at = begin_frame (out, IL_FRAME_EVENT);

  for (guint i = 0; i < n; i++)
    {
      WireEvent w;
      guint64   value;

      event_to_wire (&events[i], &w);
      put_u8 (out, w.kind);
      put_u8 (out, w.flags);
      put_u8 (out, w.block_type);
      put_u8 (out, w.block);
      put_u32 (out, (guint32) w.worker);
      put_u32 (out, (guint32) w.cpu);
      put_u32 (out, w.task);
      put_i64 (out, w.t_us);
      put_i64 (out, w.t2_us);
      put_i64 (out, w.a);
      put_i64 (out, w.b);
      put_i64 (out, w.c);
      put_i64 (out, w.d);
      memcpy (&value, &w.value, 8);
      put_u64 (out, value);
    }
  end_frame (out, at);
}

gboolean
il_protocol_read_events (const guint8 *body,
                         gsize         len,
                         GArray       *out,
                         GError      **error)
{
  Reader r = { body, len, FALSE };

  if (len % EVENT_SIZE != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: an EVENT frame of %zu bytes"), len);
      return FALSE;
    }
  while (r.left > 0)
    {
      WireEvent w;
      IlEvent   e;
      guint64   value;

      w.kind = get_u8 (&r);
      w.flags = get_u8 (&r);
      w.block_type = get_u8 (&r);
      w.block = get_u8 (&r);
      w.worker = (gint32) get_u32 (&r);
      w.cpu = (gint32) get_u32 (&r);
      w.task = get_u32 (&r);
      w.t_us = get_i64 (&r);
      w.t2_us = get_i64 (&r);
      w.a = get_i64 (&r);
      w.b = get_i64 (&r);
      w.c = get_i64 (&r);
      w.d = get_i64 (&r);
      value = get_u64 (&r);
      memcpy (&w.value, &value, 8);
      if (r.short_read)
        break;
      if (w.kind > IL_EVENT_FINISHED)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                       _("protocol error: unknown event kind %u"), w.kind);
          return FALSE;
        }
      /* Indices the live view looks things up with. */
      if (!check_range ("EVENT", "block type", w.block_type, 0, IL_N_BLOCK_TYPES - 1, error) ||
          !check_range ("EVENT", "block", w.block, 0, IL_MAX_BLOCKS - 1, error) ||
          !check_range ("EVENT", "worker", w.worker, -1, IL_MAX_WORKERS - 1, error) ||
          !check_range ("EVENT", "core", w.cpu, -1, IL_MAX_CPU_INDEX, error))
        return FALSE;
      event_from_wire (&w, &e);
      g_array_append_val (out, e);
    }
  return finish (&r, "EVENT", error);
}

/* ---- RESULT ----------------------------------------------------------- */

static void
put_state (GByteArray         *out,
           const IlStateTimes *s)
{
  put_u8 (out, s->valid ? 1 : 0);
  put_i64 (out, s->running);
  put_i64 (out, s->ready);
  put_i64 (out, s->blocked);
  put_i64 (out, s->gil_wait);
  put_i64 (out, s->lock_wait);
}

static void
get_state (Reader       *r,
           IlStateTimes *s)
{
  s->valid = get_u8 (r) != 0;
  s->running = get_i64 (r);
  s->ready = get_i64 (r);
  s->blocked = get_i64 (r);
  s->gil_wait = get_i64 (r);
  s->lock_wait = get_i64 (r);
}

static void
put_segments (GByteArray            *out,
              const IlStateSegments *segments)
{
  guint n = segments != NULL ? segments->n : 0;

  put_u8 (out, (guint8) n);
  for (guint i = 0; i < n; i++)
    {
      put_u8 (out, segments->seg[i].state);
      put_u32 (out, segments->seg[i].us);
    }
}

/* v4: a block's segments, which must describe a block of @wall_us. */
static gboolean
get_segments (Reader           *r,
              gint64            wall_us,
              guint             block,
              IlStateSegments **out,
              GError          **error)
{
  guint8           n = get_u8 (r);
  g_autofree char *problem = NULL;

  *out = NULL;
  if (r->short_read || n == 0 || n > r->left / 5)
    {
      r->short_read = r->short_read || n > r->left / 5;
      return TRUE;
    }
  *out = g_malloc0 (sizeof **out + n * sizeof (IlStateSegment));
  (*out)->n = n;
  for (guint i = 0; i < n; i++)
    {
      (*out)->seg[i].state = get_u8 (r);
      (*out)->seg[i].us = get_u32 (r);
    }
  if ((problem = il_state_segments_check (*out, wall_us)) == NULL)
    return TRUE;
  g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
               _("protocol error: RESULT block %u's state segments: %s"), block, problem);
  g_clear_pointer (out, g_free);
  return FALSE;
}

void
il_protocol_write_result (GByteArray          *out,
                          const IlProtoResult *result)
{
  guint               at = begin_frame (out, IL_FRAME_RESULT);
  const IlTaskRecord *rec = &result->rec;
  IlStateTimes        state;
  guint               n_blocks = rec->n_blocks;

  put_u32 (out, rec->group);
  put_u32 (out, rec->index);
  put_u32 (out, (guint32) rec->pid);
  put_u32 (out, (guint32) rec->tid);
  put_u32 (out, (guint32) rec->cpu_start);
  put_u32 (out, (guint32) rec->cpu_end);
  put_i64 (out, rec->start_us);
  put_i64 (out, rec->end_us);
  put_u64 (out, rec->checksum);
  state = il_task_record_state (rec);
  put_state (out, &state);
  put_u8 (out, rec->failed ? 1 : 0);
  put_str (out, il_task_record_error (rec));
  put_u32 (out, n_blocks);
  for (guint i = 0; i < n_blocks; i++)
    {
      const IlBlockRecord  block = il_task_record_block (rec, i);
      const IlBlockRecord *b = &block;

      put_u8 (out, (guint8) b->type);
      put_i64 (out, b->start_us);
      put_i64 (out, b->end_us);
      put_i64 (out, b->ttfb_us);
      put_state (out, &b->state);
      put_segments (out, b->segments);
    }
  put_i64 (out, result->usage.user_us);
  put_i64 (out, result->usage.sys_us);
  put_i64 (out, result->usage.nvcsw);
  put_i64 (out, result->usage.nivcsw);
  put_i64 (out, result->overhead_ns);
  put_i64 (out, result->counted);
  put_i64 (out, result->yielded.yields);
  put_i64 (out, result->yielded.nvcsw);
  put_i64 (out, result->yielded.nivcsw);
  put_i64 (out, result->yielded.cpu_us);
  put_u64 (out, result->payload_len);
  g_byte_array_append (out, result->payload, (guint) result->payload_len);
  end_frame (out, at);
}

gboolean
il_protocol_read_result (const guint8  *body,
                         gsize          len,
                         IlProtoResult *out,
                         GError       **error)
{
  Reader        r = { body, len, FALSE };
  IlTaskRecord *rec = &out->rec;
  IlStateTimes  state;
  guint32       n_blocks;
  guint64       payload_len;

  memset (out, 0, sizeof *out);
  rec->group = get_u32 (&r);
  rec->index = get_u32 (&r);
  rec->pid = (gint) get_u32 (&r);
  rec->tid = (gint) get_u32 (&r);
  rec->cpu_start = (gint) get_u32 (&r);
  rec->cpu_end = (gint) get_u32 (&r);
  rec->start_us = get_i64 (&r);
  rec->end_us = get_i64 (&r);
  if (!r.short_read &&
      (!check_range ("RESULT", "task start", rec->start_us, -IL_PROTO_MAX_TIME_US, IL_PROTO_MAX_TIME_US, error) ||
       !check_range ("RESULT", "task end", rec->end_us, -IL_PROTO_MAX_TIME_US, IL_PROTO_MAX_TIME_US, error)))
    {
      il_proto_result_clear (out);
      return FALSE;
    }
  rec->checksum = get_u64 (&r);
  get_state (&r, &state);
  il_task_record_set_state (rec, &state);
  rec->failed = get_u8 (&r) != 0;
  il_task_record_take_error (rec, get_str (&r));
  /* It ends up in the results and on screen: text, or nothing. */
  if (il_task_record_error (rec) != NULL && !g_utf8_validate (il_task_record_error (rec), -1, NULL))
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_WORKER,
                           _("protocol error: a RESULT whose error message is not valid UTF-8"));
      il_proto_result_clear (out);
      return FALSE;
    }
  n_blocks = get_u32 (&r);
  if (n_blocks > IL_MAX_BLOCKS)
    r.short_read = TRUE;
  il_task_record_reserve_blocks (rec, MIN (n_blocks, IL_MAX_BLOCKS));
  for (guint i = 0; i < n_blocks && !r.short_read; i++)
    {
      IlBlockRecord b = { 0 };

      b.type = get_u8 (&r);
      b.start_us = get_i64 (&r);
      b.end_us = get_i64 (&r);
      b.ttfb_us = get_i64 (&r);
      get_state (&r, &b.state);
      if (b.type >= IL_N_BLOCK_TYPES)
        r.short_read = TRUE;
      /* The segments are checked against end − start: bounded times keep
       * that difference (and every later one) from overflowing. */
      if (!r.short_read &&
          (!check_range ("RESULT", "block start", b.start_us, -IL_PROTO_MAX_TIME_US, IL_PROTO_MAX_TIME_US, error) ||
           !check_range ("RESULT", "block end", b.end_us, -IL_PROTO_MAX_TIME_US, IL_PROTO_MAX_TIME_US, error) ||
           !check_range ("RESULT", "time to first byte", b.ttfb_us, -1, IL_PROTO_MAX_TIME_US, error)))
        {
          il_proto_result_clear (out);
          return FALSE;
        }
      if (!r.short_read && !get_segments (&r, b.end_us - b.start_us, i, &b.segments, error))
        {
          il_proto_result_clear (out);
          return FALSE;
        }
      il_task_record_add_block (rec, &b);
    }
  out->usage.user_us = get_i64 (&r);
  out->usage.sys_us = get_i64 (&r);
  out->usage.nvcsw = get_i64 (&r);
  out->usage.nivcsw = get_i64 (&r);
  out->overhead_ns = get_i64 (&r);
  out->counted = get_i64 (&r);
  out->yielded.yields = get_i64 (&r);
  out->yielded.nvcsw = get_i64 (&r);
  out->yielded.nivcsw = get_i64 (&r);
  out->yielded.cpu_us = get_i64 (&r);
  if (!r.short_read &&
      (!check_range ("RESULT", "counted increments", out->counted, 0,
                     (gint64) IL_MAX_INCREMENTS * IL_MAX_BLOCKS, error) ||
       !check_range ("RESULT", "yields", out->yielded.yields, 0,
                     (gint64) IL_MAX_YIELDS * IL_MAX_BLOCKS, error) ||
       !check_range ("RESULT", "voluntary switches", out->yielded.nvcsw, 0, G_MAXINT64 / 4, error) ||
       !check_range ("RESULT", "involuntary switches", out->yielded.nivcsw, 0, G_MAXINT64 / 4,
                     error) ||
       !check_range ("RESULT", "yield CPU time", out->yielded.cpu_us, 0, G_MAXINT64 / 4, error)))
    {
      il_proto_result_clear (out);
      return FALSE;
    }
  payload_len = get_u64 (&r);
  if (payload_len > r.left)
    r.short_read = TRUE;
  else
    {
      take (&r, payload_len, &out->payload);
      out->payload_len = payload_len;
    }
  if (!finish (&r, "RESULT", error))
    {
      il_proto_result_clear (out);
      return FALSE;
    }
  return TRUE;
}

void
il_proto_result_clear (IlProtoResult *result)
{
  il_task_record_clear (&result->rec);
  result->payload = NULL;
  result->payload_len = 0;
}
