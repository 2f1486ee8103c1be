/* il-kernels-frames.c — the cpython engine's async records, encoded in bulk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of libinterleave-kernels (il-kernels-lib.c), called through
 * ctypes.PyDLL (the calls are short and keep the GIL). The async engine
 * (data/python/interleave_engine/asyncrun.py) runs every task on one loop
 * thread: building its events and its RESULT in Python (a dozen struct
 * packs and dicts a task) cost several times what asyncio itself spends on
 * an empty task. Instead each finished task packs its numbers into one
 * record (one struct.pack), the records go in batches to a writer thread
 * of this library (il_kernels_writer_*), and that thread encodes them into
 * the very frames the Python encoder wrote (one EVENT frame with the
 * batch's events, then each task's RESULT), with the protocol's own
 * encoders (il-protocol.h), and writes them. It needs no GIL: the loop
 * thread neither waits for the pipe nor hands the lock to a thread of its
 * own and waits to get it back.
 *
 * A record is IL_KREC_HEAD int64s, then IL_KREC_BLOCK per block:
 *
 *   flat, group, index, t0_us, start_ns, end_ns, cpu_start, cpu_end,
 *   checksum (u64 bits), counted, failed, sent, yields, yield_nvcsw,
 *   yield_nivcsw, yield_cpu_us, n_blocks,
 *   then per block: type, start_ns, end_ns, running_us, ready_us,
 *   lock_us, ttfb_us
 *
 * Times _ns are CLOCK_MONOTONIC nanoseconds (time.monotonic_ns()), turned
 * into µs since the repetition's t0 here as the Python side did
 * (ns // 1000 - t0_us). running, ready and lock are what the task measured;
 * the rest of a block's time is blocked, as under the Python encoder:
 * running is clamped to the block's length, ready to what running leaves,
 * lock to what both leave. A task's totals are its blocks' sums, its lock
 * clamped to what running and ready leave. gil_wait is 0: one thread runs
 * every task.
 *
 * Events come in slots: 0 is TASK_START, 1 + 2j block j's START, 2 + 2j its
 * END; `sent` slots were already written (before a long block, so that the
 * live view shows it at once). With @events_only the records are tasks
 * still running: their events up to the last block's START are written,
 * and no RESULT.
 */
#include "config.h"

#include <unistd.h>

#include <gmodule.h>

#include "il-protocol.h"

#define IL_KREC_HEAD  17
#define IL_KREC_BLOCK 7

G_MODULE_EXPORT gint64 il_kernels_encode_tasks (const gint64  *recs,
                                                gint64         n_values,
                                                gint32         pid,
                                                gint32         tid,
                                                int            valid,
                                                const char    *error,
                                                int            events_only,
                                                const guint8 **data);
G_MODULE_EXPORT int    il_kernels_writer_start (int fd);
G_MODULE_EXPORT void   il_kernels_writer_send (const guint8 *data,
                                               gint64        len);
G_MODULE_EXPORT int    il_kernels_writer_send_tasks (const gint64 *recs,
                                                     gint64        n_values,
                                                     gint32        pid,
                                                     gint32        tid,
                                                     int           valid,
                                                     const char   *error,
                                                     int           events_only);
G_MODULE_EXPORT void   il_kernels_writer_stop (void);

/* il-kernels-lib.c */
gint64 il_kernels_write_all (int           fd,
                             const guint8 *data,
                             gint64        len);

enum
{
  R_FLAT,
  R_GROUP,
  R_INDEX,
  R_T0,
  R_START,
  R_END,
  R_CPU_START,
  R_CPU_END,
  R_CHECKSUM,
  R_COUNTED,
  R_FAILED,
  R_SENT,
  R_YIELDS,
  R_YIELD_NVCSW,
  R_YIELD_NIVCSW,
  R_YIELD_CPU,
  R_N_BLOCKS,
};

enum
{
  B_TYPE,
  B_START,
  B_END,
  B_RUNNING,
  B_READY,
  B_LOCK,
  B_TTFB,
};

G_STATIC_ASSERT (R_N_BLOCKS + 1 == IL_KREC_HEAD);
G_STATIC_ASSERT (B_TTFB + 1 == IL_KREC_BLOCK);

static inline gint64
clamp64 (gint64 v,
         gint64 hi)
{
  return v < 0 ? 0 : v > hi ? hi
                            : v;
}

static inline gint64
us_since (gint64 ns,
          gint64 t0_us)
{
  return ns / 1000 - t0_us;
}

/* Appends the events of record @r not sent yet (@events_only: up to its
 * last block's START) to @events; unless @events_only, its block records
 * to @blocks and its totals to @total. */
static void
decode_record (const gint64 *r,
               gint32        pid,
               gint32        tid,
               gboolean      valid,
               gboolean      events_only,
               GArray       *events,
               GArray       *blocks,
               IlStateTimes *total)
{
  gint64  t0 = r[R_T0];
  guint   n_blocks = (guint) r[R_N_BLOCKS];
  gint64  sent = r[R_SENT];
  gint64  last_slot = events_only ? 2 * (gint64) n_blocks - 1 : 2 * (gint64) n_blocks;
  guint32 flat = (guint32) r[R_FLAT];
  gint64  t_running = 0, t_ready = 0, t_lock = 0;
  gint64  wall;

  if (sent <= 0)
    {
      IlEvent ev = il_event_task_start (us_since (r[R_START], t0), (gint) r[R_CPU_START], pid, tid,
                                        (gint) r[R_GROUP], (gint) r[R_INDEX]);

      ev.worker = 0;
      ev.task = flat;
      g_array_append_val (events, ev);
    }
  for (guint j = 0; j < n_blocks; j++)
    {
      const gint64 *b = r + IL_KREC_HEAD + (gsize) j * IL_KREC_BLOCK;
      gint64        slot = 1 + 2 * (gint64) j;
      gint64        b0 = us_since (b[B_START], t0);
      gint64        b1 = us_since (b[B_END], t0);
      IlStateTimes  st = { 0 };
      IlBlockRecord br = { 0 };

      if (slot >= sent && slot <= last_slot)
        {
          IlEvent ev = il_event_block_start (b0, j, (guint) b[B_TYPE]);

          ev.worker = 0;
          ev.task = flat;
          g_array_append_val (events, ev);
        }
      if (slot + 1 > last_slot)
        break; /* events_only: the block still running */
      wall = MAX (b1 - b0, 0);
      st.running = clamp64 (b[B_RUNNING], wall);
      st.ready = clamp64 (b[B_READY], wall - st.running);
      st.lock_wait = clamp64 (b[B_LOCK], wall - st.running - st.ready);
      st.blocked = wall - st.running - st.ready - st.lock_wait;
      t_running += st.running;
      t_ready += st.ready;
      t_lock += st.lock_wait;
      if (!valid)
        st = (IlStateTimes){ 0 };
      st.valid = valid;
      if (slot + 1 >= sent)
        {
          gboolean failed = r[R_FAILED] && j + 1 == n_blocks;
          IlEvent  ev = il_event_block_end (b0, b1, j, (guint) b[B_TYPE], failed, &st);

          ev.worker = 0;
          ev.task = flat;
          g_array_append_val (events, ev);
        }
      if (events_only)
        continue;
      br.type = (IlBlockType) b[B_TYPE];
      br.start_us = b0;
      br.end_us = b1;
      br.ttfb_us = b[B_TTFB];
      br.state = st;
      g_array_append_val (blocks, br);
    }
  if (events_only)
    return;
  wall = us_since (r[R_END], t0) - us_since (r[R_START], t0);
  *total = (IlStateTimes){ 0 };
  if (valid)
    {
      total->valid = TRUE;
      total->running = t_running;
      total->ready = t_ready;
      total->lock_wait = MIN (t_lock, MAX (wall - t_running - t_ready, 0));
      total->blocked = MAX (wall - t_running - t_ready - total->lock_wait, 0);
    }
}

/* Whether @n_values int64s at @recs are whole records. */
static gboolean
records_add_up (const gint64 *recs,
                gint64        n_values,
                gboolean      events_only,
                GArray       *starts)
{
  gint64 pos = 0;

  if (n_values < 0 || (n_values > 0 && recs == NULL))
    return FALSE;
  while (pos < n_values)
    {
      gint64 nb;

      if (n_values - pos < IL_KREC_HEAD)
        return FALSE;
      nb = recs[pos + R_N_BLOCKS];
      if (nb < 0 || nb > 255 || (events_only && nb == 0) ||
          n_values - pos - IL_KREC_HEAD < nb * IL_KREC_BLOCK)
        return FALSE;
      if (starts != NULL)
        g_array_append_val (starts, pos);
      pos += IL_KREC_HEAD + nb * IL_KREC_BLOCK;
    }
  return TRUE;
}

/* The buffers of one encoding thread, kept from batch to batch: a batch
 * then costs no fresh memory. */
typedef struct
{
  GByteArray *frames, *results;
  GArray     *events, *starts, *blocks;
} Encoder;

static void
block_record_clear (gpointer data)
{
  IlBlockRecord *br = data;

  g_clear_pointer (&br->segments, g_free);
}

static void
encoder_init (Encoder *enc)
{
  enc->frames = g_byte_array_new ();
  enc->results = g_byte_array_new ();
  enc->events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  enc->starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  enc->blocks = g_array_sized_new (FALSE, TRUE, sizeof (IlBlockRecord), 8);
  g_array_set_clear_func (enc->blocks, block_record_clear);
}

static void
encoder_clear (Encoder *enc)
{
  g_clear_pointer (&enc->frames, g_byte_array_unref);
  g_clear_pointer (&enc->results, g_byte_array_unref);
  g_clear_pointer (&enc->events, g_array_unref);
  g_clear_pointer (&enc->starts, g_array_unref);
  g_clear_pointer (&enc->blocks, g_array_unref);
}

/* The frames of the records into enc->frames (see il_kernels_encode_tasks).
 * FALSE: the records do not add up. */
static gboolean
encoder_run (Encoder      *enc,
             const gint64 *recs,
             gint64        n_values,
             gint32        pid,
             gint32        tid,
             gboolean      valid,
             const char   *error,
             gboolean      events_only)
{
  g_array_set_size (enc->starts, 0);
  g_array_set_size (enc->events, 0);
  g_byte_array_set_size (enc->results, 0);
  g_byte_array_set_size (enc->frames, 0);
  if (!records_add_up (recs, n_values, events_only, enc->starts))
    return FALSE;
  for (guint i = 0; i < enc->starts->len; i++)
    {
      const gint64 *r = recs + g_array_index (enc->starts, gint64, i);
      IlProtoResult res = { 0 };
      IlStateTimes  state;

      g_array_set_size (enc->blocks, 0);
      decode_record (r, pid, tid, valid, events_only, enc->events, enc->blocks, &state);
      if (events_only)
        continue;
      il_task_record_set_state (&res.rec, &state);
      res.rec.group = (guint) r[R_GROUP];
      res.rec.index = (guint) r[R_INDEX];
      res.rec.pid = pid;
      res.rec.tid = tid;
      res.rec.cpu_start = (gint) r[R_CPU_START];
      res.rec.cpu_end = (gint) r[R_CPU_END];
      res.rec.start_us = us_since (r[R_START], r[R_T0]);
      res.rec.end_us = us_since (r[R_END], r[R_T0]);
      res.rec.failed = r[R_FAILED] != 0;
      res.rec.checksum = res.rec.failed ? 0 : (guint64) r[R_CHECKSUM];
      if (res.rec.failed)
        il_task_record_take_error (&res.rec, g_strdup (error != NULL ? error : "failed"));
      /* The record borrows the blocks' segments from enc->blocks. */
      for (guint b = 0; b < enc->blocks->len; b++)
        il_task_record_add_block (&res.rec, &g_array_index (enc->blocks, IlBlockRecord, b));
      res.counted = r[R_COUNTED];
      res.yielded.yields = r[R_YIELDS];
      res.yielded.nvcsw = r[R_YIELD_NVCSW];
      res.yielded.nivcsw = r[R_YIELD_NIVCSW];
      res.yielded.cpu_us = r[R_YIELD_CPU];
      res.payload = (const guint8 *) "";
      il_protocol_write_result (enc->results, &res);
      /* Given back: enc->blocks still owns the segments. */
      il_task_record_disown_segments (&res.rec);
      il_task_record_clear (&res.rec);
    }
  /* The events first, all in one frame: each task's come before its
   * RESULT. */
  if (enc->events->len > 0)
    il_protocol_write_events (enc->frames, (const IlEvent *) (gpointer) enc->events->data,
                              enc->events->len);
  g_byte_array_append (enc->frames, enc->results->data, enc->results->len);
  return TRUE;
}

/* Encodes @n_values int64s of whole task records at @recs (the layout
 * above) as frames: one EVENT frame with the events not sent yet, then
 * (unless @events_only) each task's RESULT, in the records' order. @pid and
 * @tid are the loop thread's, @valid whether its state times were
 * measured; @error (nullable) is the error of the records marked failed.
 * Returns the length of the frames, which *@data points to until the next
 * call, or -1 for records that do not add up. Not thread-safe; the engine
 * sends its records with il_kernels_writer_send_tasks(), and the tests
 * compare this with the Python encoder. */
gint64
il_kernels_encode_tasks (const gint64  *recs,
                         gint64         n_values,
                         gint32         pid,
                         gint32         tid,
                         int            valid,
                         const char    *error,
                         int            events_only,
                         const guint8 **data)
{
  static Encoder enc;

  if (enc.frames == NULL)
    encoder_init (&enc);
  *data = NULL;
  if (!encoder_run (&enc, recs, n_values, pid, tid, valid, error, events_only))
    return -1;
  *data = enc.frames->data;
  return enc.frames->len;
}

/* ---- the writer thread ------------------------------------------------- */

typedef struct
{
  guint8  *data; /* frames, or records to encode */
  gint64   len;  /* bytes */
  gboolean records;
  gint32   pid, tid;
  gboolean valid, events_only;
  char    *error;
} Piece;

static GThread     *writer;
static GAsyncQueue *pieces;
static int          writer_fd = -1;
static Piece        stop_piece;

static gpointer
writer_main (gpointer user_data)
{
  Encoder enc;

  (void) user_data;
  encoder_init (&enc);
  for (;;)
    {
      Piece        *p = g_async_queue_pop (pieces);
      const guint8 *data = p->data;
      gint64        len = p->len;
      gint64        n;

      if (p == &stop_piece)
        break;
      if (p->records)
        {
          /* Checked when queued: they add up. */
          encoder_run (&enc, (const gint64 *) (gpointer) p->data, p->len / 8, p->pid, p->tid, p->valid,
                       p->error, p->events_only);
          data = enc.frames->data;
          len = enc.frames->len;
        }
      n = il_kernels_write_all (writer_fd, data, len);
      g_free (p->data);
      g_free (p->error);
      g_free (p);
      if (n < 0)
        _exit (0); /* the application is gone: so is the run */
    }
  encoder_clear (&enc);
  return NULL;
}

/* Starts a thread that writes what il_kernels_writer_send() and
 * il_kernels_writer_send_tasks() queue to @fd, in order, encoding the
 * records on the way: the async engine's loop thread never waits for the
 * pipe, and neither the encoding nor the writes need the GIL. If a write
 * fails (the application is gone), the process exits. Returns 0, or -1 if
 * a writer runs already. */
int
il_kernels_writer_start (int fd)
{
  if (writer != NULL)
    return -1;
  writer_fd = fd;
  pieces = g_async_queue_new ();
  writer = g_thread_new ("il-writer", writer_main, NULL);
  return 0;
}

static void
writer_push (Piece *p)
{
  g_async_queue_push (pieces, p);
}

/* Queues a copy of @len bytes of whole frames. */
void
il_kernels_writer_send (const guint8 *data,
                        gint64        len)
{
  Piece *p;

  if (writer == NULL || len <= 0)
    return;
  p = g_new0 (Piece, 1);
  p->data = g_memdup2 (data, (gsize) len);
  p->len = len;
  writer_push (p);
}

/* Queues a copy of the records (il_kernels_encode_tasks() says what they
 * are), to be encoded on the writer thread. Returns 0, or -1 if they do not
 * add up (nothing queued) or no writer runs. */
int
il_kernels_writer_send_tasks (const gint64 *recs,
                              gint64        n_values,
                              gint32        pid,
                              gint32        tid,
                              int           valid,
                              const char   *error,
                              int           events_only)
{
  Piece *p;

  if (writer == NULL || !records_add_up (recs, n_values, events_only, NULL))
    return -1;
  if (n_values == 0)
    return 0;
  p = g_new0 (Piece, 1);
  p->data = g_memdup2 (recs, (gsize) n_values * sizeof (gint64));
  p->len = n_values * (gint64) sizeof (gint64);
  p->records = TRUE;
  p->pid = pid;
  p->tid = tid;
  p->valid = valid != 0;
  p->events_only = events_only != 0;
  p->error = g_strdup (error);
  writer_push (p);
  return 0;
}

/* Waits until everything queued is written and ends the writer thread. */
void
il_kernels_writer_stop (void)
{
  if (writer == NULL)
    return;
  writer_push (&stop_piece);
  g_thread_join (writer);
  writer = NULL;
  g_async_queue_unref (pieces);
  pieces = NULL;
  writer_fd = -1;
}
