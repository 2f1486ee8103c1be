/* test-protocol.c — the wire protocol between the processes executor and
 * interleave-worker: every frame's encoding and decoding; the limits the
 * decoders enforce, and a real worker refusing what it must not believe,
 * are in test-protocol-limits.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-protocol.h"
#include "il-results.h"

/* ---- protocol codec --------------------------------------------------- */

static const guint8 *
frame_body (GByteArray *frame,
            IlFrameType expected,
            gsize      *len)
{
  g_autoptr(GError) error = NULL;
  IlFrameType type;
  guint64     length;

  g_assert_cmpuint (frame->len, >=, IL_PROTOCOL_HEADER_SIZE);
  g_assert_true (il_protocol_parse_header (frame->data, &type, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, expected);
  g_assert_cmpuint (length, ==, frame->len - IL_PROTOCOL_HEADER_SIZE);
  *len = (gsize) length;
  return frame->data + IL_PROTOCOL_HEADER_SIZE;
}

static IlTaskGroup *
sample_group (gint64 payload_bytes)
{
  IlTaskGroup *group = il_task_group_new ();
  IlBlock     *sleep_block = il_block_new (IL_BLOCK_SLEEP);
  IlBlock     *http = il_block_new (IL_BLOCK_HTTP);
  IlBlock     *cpu = g_ptr_array_index (group->blocks, 0);

  cpu->kernel = IL_KERNEL_MATMUL;
  cpu->units = 123;
  sleep_block->ms = 45;
  http->url = g_strdup ("http://127.0.0.1:1/x");
  http->delay_ms = 7;
  g_ptr_array_add (group->blocks, sleep_block);
  g_ptr_array_add (group->blocks, http);
  group->payload_bytes = payload_bytes;
  return group;
}

static void
test_protocol_roundtrip (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTaskGroup) group = sample_group (100003);
  g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  IlProtoHello  hello = { 0 }, hello2;
  IlProtoTask   task = { 0 }, task2;
  IlProtoResult result = { 0 }, result2;
  IlBlockRecord got_block;
  IlEvent       ev[2];
  IlStateTimes  state = { TRUE, 1, 2, 3, 4 };
  IlBlockRecord br = { 0 };
  const guint8 *body;
  gsize         len;
  guint         core = 1;

  /* HELLO */
  hello.pid = 4242;
  hello.worker = 3;
  hello.affinity = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (hello.affinity, core);
  hello.server_url = g_strdup ("http://127.0.0.1:8080");
  hello.heartbeat_ms = 750;
  il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
  body = frame_body (frame, IL_FRAME_HELLO, &len);
  g_assert_true (il_protocol_read_hello (body, len, &hello2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (hello2.heartbeat_ms, ==, 750);
  g_assert_cmpuint (hello2.pid, ==, 4242);
  g_assert_cmpint (hello2.worker, ==, 3);
  g_assert_cmpuint (hello2.affinity->len, ==, 1);
  g_assert_cmpuint (g_array_index (hello2.affinity, guint, 0), ==, 1);
  g_assert_cmpstr (hello2.server_url, ==, "http://127.0.0.1:8080");
  g_assert_null (hello2.scratch_dir);
  il_proto_hello_clear (&hello);
  il_proto_hello_clear (&hello2);

  /* TASK, with a payload generated and checksummed in place */
  g_byte_array_set_size (frame, 0);
  task.group = 2;
  task.index = 7;
  task.flat = 19;
  task.worker = 1;
  task.run = 5;
  task.rep = 6;
  task.t0 = G_GINT64_CONSTANT (123456789012);
  task.def = group;
  il_protocol_write_task (frame, &task);
  body = frame_body (frame, IL_FRAME_TASK, &len);
  g_assert_true (il_protocol_read_task (body, len, &task2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (task2.group, ==, 2);
  g_assert_cmpuint (task2.index, ==, 7);
  g_assert_cmpuint (task2.flat, ==, 19);
  g_assert_cmpint (task2.worker, ==, 1);
  g_assert_cmpuint (task2.run, ==, 5);
  g_assert_cmpuint (task2.rep, ==, 6);
  g_assert_cmpint (task2.t0, ==, task.t0);
  g_assert_cmpuint (task2.payload_len, ==, 100003);
  g_assert_cmpuint (task2.payload_checksum, ==, task.payload_checksum);
  g_assert_cmpuint (il_protocol_checksum (task2.payload, task2.payload_len), ==, task.payload_checksum);
  /* Blocks survive, url included; payload_bytes too. */
  task2.def->name = NULL;
  task2.def->repeat = group->repeat;
  g_assert_true (il_task_group_equal (group, task2.def));
  il_proto_task_clear (&task2);

  /* One corrupted payload byte changes the checksum. */
  frame->data[frame->len - 500] ^= 0x01;
  body = frame_body (frame, IL_FRAME_TASK, &len);
  g_assert_true (il_protocol_read_task (body, len, &task2, &error));
  g_assert_cmpuint (il_protocol_checksum (task2.payload, task2.payload_len), !=, task2.payload_checksum);
  il_proto_task_clear (&task2);

  /* EVENT */
  g_byte_array_set_size (frame, 0);
  ev[0] = il_event_block_end (500, 1000, 3, IL_BLOCK_SLEEP, TRUE, &state);
  ev[0].worker = 2;
  ev[0].task = 99;
  ev[1] = il_event_task_start (0, -1, 0, 0, -1, -1);
  il_protocol_write_events (frame, ev, 2);
  body = frame_body (frame, IL_FRAME_EVENT, &len);
  g_assert_true (il_protocol_read_events (body, len, events, &error));
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpmem (&g_array_index (events, IlEvent, 0), sizeof (IlEvent), &ev[0], sizeof (IlEvent));
  g_assert_cmpmem (&g_array_index (events, IlEvent, 1), sizeof (IlEvent), &ev[1], sizeof (IlEvent));

  /* RESULT */
  g_byte_array_set_size (frame, 0);
  result.rec.group = 2;
  result.rec.index = 7;
  result.rec.pid = 77;
  result.rec.tid = 78;
  result.rec.cpu_start = 0;
  result.rec.cpu_end = -1;
  result.rec.start_us = 10;
  result.rec.end_us = 20;
  result.rec.checksum = G_GUINT64_CONSTANT (0xfedcba9876543210);
  il_task_record_set_state (&result.rec, &(IlStateTimes){ .valid = TRUE, .running = 5, .blocked = 5 });
  result.rec.failed = TRUE;
  il_task_record_take_error (&result.rec, g_strdup ("block 2 (sleep): cancelled"));
  br.type = IL_BLOCK_HTTP;
  br.start_us = 11;
  br.end_us = 19;
  br.ttfb_us = 15;
  br.state.valid = TRUE;
  br.state.gil_wait = 3;
  il_task_record_add_block (&result.rec, &br);
  result.usage.user_us = 1;
  result.usage.sys_us = 2;
  result.usage.nvcsw = 3;
  result.usage.nivcsw = 4;
  result.overhead_ns = 5;
  result.payload = (const guint8 *) "echo";
  result.payload_len = 4;
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, IL_FRAME_RESULT, &len);
  g_assert_true (il_protocol_read_result (body, len, &result2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result2.rec.group, ==, 2);
  g_assert_cmpuint (result2.rec.index, ==, 7);
  g_assert_cmpint (result2.rec.pid, ==, 77);
  g_assert_cmpint (result2.rec.tid, ==, 78);
  g_assert_cmpint (result2.rec.cpu_end, ==, -1);
  g_assert_cmpint (result2.rec.start_us, ==, 10);
  g_assert_cmpint (result2.rec.end_us, ==, 20);
  g_assert_cmpuint (result2.rec.checksum, ==, result.rec.checksum);
  g_assert_true (il_task_record_state (&result2.rec).valid);
  g_assert_cmpint (il_task_record_state (&result2.rec).running, ==, 5);
  g_assert_true (result2.rec.failed);
  g_assert_cmpstr (il_task_record_error (&result2.rec), ==, il_task_record_error (&result.rec));
  g_assert_cmpuint (result2.rec.n_blocks, ==, 1);
  got_block = il_task_record_block (&result2.rec, 0);
  g_assert_cmpint (got_block.type, ==, br.type);
  g_assert_cmpint (got_block.start_us, ==, br.start_us);
  g_assert_cmpint (got_block.end_us, ==, br.end_us);
  g_assert_cmpint (got_block.ttfb_us, ==, br.ttfb_us);
  g_assert_true (got_block.state.valid);
  g_assert_cmpmem (&got_block.state.running, 5 * sizeof (gint64), &br.state.running, 5 * sizeof (gint64));
  g_assert_null (got_block.segments);
  g_assert_cmpint (result2.usage.nivcsw, ==, 4);
  g_assert_cmpint (result2.overhead_ns, ==, 5);
  g_assert_cmpmem (result2.payload, result2.payload_len, "echo", 4);
  il_proto_result_clear (&result2);
  il_task_record_clear (&result.rec);

  /* BYE */
  g_byte_array_set_size (frame, 0);
  il_protocol_write_bye (frame);
  frame_body (frame, IL_FRAME_BYE, &len);
  g_assert_cmpuint (len, ==, 0);
}

/* Every packing function's event crosses the wire with each of its named
 * fields intact (run and rep are not sent: the parent stamps them). */
static void
test_protocol_events (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(GError) error = NULL;
  IlStateTimes  measured = { TRUE, 11, 22, 33, 44 };
  IlStateTimes  unknown = { FALSE, 0, 0, 0, 0 };
  IlEvent       in[16];
  guint         n = 0;
  const guint8 *body;
  gsize         len;

  in[n++] = il_event_run_start (1000);
  in[n++] = il_event_rep_start (TRUE, 250);
  in[n++] = il_event_task_start (123, 1, 4242, 4243, 7, 9);
  in[n++] = il_event_task_start (5, -1, 0, 0, -1, -1);
  in[n++] = il_event_task_end (123, 4567, 0, TRUE, &measured);
  in[n++] = il_event_task_end (1, 2, -1, FALSE, &unknown);
  in[n++] = il_event_block_start (200, IL_MAX_BLOCKS - 1, IL_BLOCK_FILE_READ);
  in[n++] = il_event_block_end (200, 300, 2, IL_BLOCK_HTTP, FALSE, &measured);
  in[n++] = il_event_block_end (300, 400, 0, IL_BLOCK_CPU, TRUE, &unknown);
  in[n++] = il_event_gil (IL_EVENT_GIL_WAIT, 3, 17, 1000, 1500);
  in[n++] = il_event_gil (IL_EVENT_GIL_HOLD, 1, 18, 1500, 6500);
  in[n++] = il_event_core_sample (50000, 1, 87.5);
  in[n++] = il_event_overhead (50000, 0.25);
  in[n++] = il_event_loop_lag (60000, 52000);
  in[n++] = il_event_rep_end (987654, TRUE);
  in[n++] = il_event_finished (TRUE);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (in));
  for (guint i = 0; i < n; i++)
    {
      if (in[i].kind != IL_EVENT_GIL_WAIT && in[i].kind != IL_EVENT_GIL_HOLD)
        {
          in[i].worker = (gint32) (i % IL_MAX_WORKERS);
          in[i].task = 1000 + i;
        }
    }

  il_protocol_write_events (frame, in, n);
  body = frame_body (frame, IL_FRAME_EVENT, &len);
  g_assert_true (il_protocol_read_events (body, len, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, ==, n);
  /* Whole events compare equal: every typed field, and nothing else set. */
  for (guint i = 0; i < n; i++)
    if (memcmp (&g_array_index (out, IlEvent, i), &in[i], sizeof (IlEvent)) != 0)
      g_error ("event %u (kind %u) changed on the wire", i, in[i].kind);

  /* And by name, for the fields a reader relies on. */
  {
    const IlEvent *e = (const IlEvent *) (gpointer) out->data;

    g_assert_cmpuint (e[0].run_start.tasks_per_rep, ==, 1000);
    g_assert_cmpuint (e[1].rep_start.n_tasks, ==, 250);
    g_assert_cmpuint (e[1].flags, ==, IL_EVENT_FLAG_WARMUP);
    g_assert_cmpint (e[2].task_start.pid, ==, 4242);
    g_assert_cmpint (e[2].task_start.tid, ==, 4243);
    g_assert_cmpint (e[2].task_start.group, ==, 7);
    g_assert_cmpint (e[2].task_start.index, ==, 9);
    g_assert_cmpint (e[2].task_start.cpu, ==, 1);
    g_assert_cmpint (e[3].task_start.group, ==, -1);
    g_assert_cmpint (e[3].task_start.index, ==, -1);
    g_assert_true (e[4].task_end.state.valid);
    g_assert_cmpint (e[4].task_end.state.gil_wait, ==, 44);
    g_assert_cmpint (e[4].task_end.start_us, ==, 123);
    g_assert_cmpint (e[4].t_us, ==, 4567);
    g_assert_cmpuint (e[4].flags, ==, IL_EVENT_FLAG_FAILED);
    g_assert_false (e[5].task_end.state.valid);
    g_assert_cmpuint (e[5].flags, ==, 0);
    g_assert_cmpuint (e[6].block_start.block, ==, IL_MAX_BLOCKS - 1);
    g_assert_cmpuint (e[6].block_start.type, ==, IL_BLOCK_FILE_READ);
    g_assert_true (e[7].block_end.state.valid);
    g_assert_cmpint (e[7].block_end.state.ready, ==, 22);
    g_assert_cmpuint (e[7].block_end.type, ==, IL_BLOCK_HTTP);
    g_assert_false (e[8].block_end.state.valid);
    g_assert_cmpuint (e[8].flags, ==, IL_EVENT_FLAG_FAILED);
    g_assert_cmpint (e[9].gil.end_us, ==, 1500);
    g_assert_cmpint (e[9].worker, ==, 3);
    g_assert_cmpuint (e[10].task, ==, 18);
    g_assert_cmpint (e[11].core_sample.core, ==, 1);
    g_assert_cmpfloat (e[11].core_sample.busy_pct, ==, 87.5);
    g_assert_cmpfloat (e[12].overhead.cpu_pct, ==, 0.25);
    g_assert_cmpint (e[13].loop_lag.lag_us, ==, 52000);
    g_assert_cmpint (e[14].t_us, ==, 987654);
    g_assert_cmpuint (e[14].flags, ==, IL_EVENT_FLAG_CANCELLED);
    g_assert_cmpuint (e[15].flags, ==, IL_EVENT_FLAG_CANCELLED);
  }
}

static gint64
le_i64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return (gint64) GUINT64_FROM_LE (v);
}

static gint32
le_i32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return (gint32) GUINT32_FROM_LE (v);
}

/* Protocol v2's record is unchanged by the typed fields: 72 bytes, with
 * each kind's fields in the slots they always had (kind, flags, block type,
 * block, worker, cpu, task, t_us, t2_us, a, b, c, d, value). A valid state
 * is said by the wire-only flag 0x80. */
static void
test_protocol_event_layout (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  IlStateTimes  state = { TRUE, 1, 2, 3, 4 };
  IlEvent       ev[2];
  const guint8 *p;
  gsize         len;

  ev[0] = il_event_block_end (500, 1000, 3, IL_BLOCK_SLEEP, TRUE, &state);
  ev[0].worker = 2;
  ev[0].task = 99;
  ev[1] = il_event_task_start (7, 1, 4242, 4243, 5, 6);
  il_protocol_write_events (frame, ev, 2);
  p = frame_body (frame, IL_FRAME_EVENT, &len);
  g_assert_cmpuint (len, ==, 2 * 72);

  g_assert_cmpuint (p[0], ==, IL_EVENT_BLOCK_END);
  g_assert_cmpuint (p[1], ==, IL_EVENT_FLAG_FAILED | 0x80);
  g_assert_cmpuint (p[2], ==, IL_BLOCK_SLEEP);
  g_assert_cmpuint (p[3], ==, 3);
  g_assert_cmpint (le_i32 (p + 4), ==, 2);
  g_assert_cmpint (le_i32 (p + 12), ==, 99);
  g_assert_cmpint (le_i64 (p + 16), ==, 1000);
  g_assert_cmpint (le_i64 (p + 24), ==, 500);
  g_assert_cmpint (le_i64 (p + 32), ==, 1);
  g_assert_cmpint (le_i64 (p + 40), ==, 2);
  g_assert_cmpint (le_i64 (p + 48), ==, 3);
  g_assert_cmpint (le_i64 (p + 56), ==, 4);

  p += 72;
  g_assert_cmpuint (p[0], ==, IL_EVENT_TASK_START);
  g_assert_cmpuint (p[1], ==, 0);
  g_assert_cmpint (le_i32 (p + 8), ==, 1);
  g_assert_cmpint (le_i64 (p + 16), ==, 7);
  g_assert_cmpint (le_i64 (p + 32), ==, 4242);
  g_assert_cmpint (le_i64 (p + 40), ==, 4243);
  g_assert_cmpint (le_i64 (p + 48), ==, 5);
  g_assert_cmpint (le_i64 (p + 56), ==, 6);

  /* An older v2 worker's BLOCK_END (no 0x80): the state reads as unknown. */
  {
    g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlEvent));
    g_autoptr(GError) error = NULL;
    guint8        *body = frame->data + IL_PROTOCOL_HEADER_SIZE;
    const IlEvent *e;

    body[1] = IL_EVENT_FLAG_FAILED;
    g_assert_true (il_protocol_read_events (body, len, out, &error));
    g_assert_no_error (error);
    e = &g_array_index (out, IlEvent, 0);
    g_assert_false (e->block_end.state.valid);
    g_assert_cmpint (e->block_end.state.blocked, ==, 3);
    g_assert_cmpuint (e->flags, ==, IL_EVENT_FLAG_FAILED);
  }
}

static void
test_protocol_truncated (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(IlTaskGroup) group = sample_group (64);
  IlProtoTask   task = { 0 };
  gsize         body_len = 0;
  const guint8 *body;

  task.def = group;
  il_protocol_write_task (frame, &task);
  body = frame_body (frame, IL_FRAME_TASK, &body_len);

  /* Every cut short of the whole body is refused, and so is a byte more. */
  for (gsize cut = 0; cut < body_len; cut++)
    {
      g_autoptr(GError) error = NULL;
      IlProtoTask out;

      g_assert_false (il_protocol_read_task (body, cut, &out, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      g_assert_nonnull (strstr (error->message, "protocol error"));
      g_assert_null (out.def);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *longer = g_malloc0 (body_len + 1);
    IlProtoTask        out;

    memcpy (longer, body, body_len);
    g_assert_false (il_protocol_read_task (longer, body_len + 1, &out, &error));
    g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  }
  /* An EVENT frame that is not a whole number of events. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
    guint8 junk[71] = { 0 };

    g_assert_false (il_protocol_read_events (junk, sizeof junk, events, &error));
    g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  }
}

static void
test_protocol_header (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8      header[IL_PROTOCOL_HEADER_SIZE];
  IlFrameType type;
  guint64     len;
  struct
  {
    gsize       offset;
    guint8      value;
    const char *expect;
  } cases[] = {
    { 0, 'X', "bad magic" },
    { 4, IL_PROTOCOL_VERSION + 1, "speaks version 7" },
    { 6, 0, "unknown frame type 0" },
    { 6, 77, "unknown frame type 77" },
    { 15, 0x7f, "larger than the limit" },
  };

  il_protocol_write_bye (frame);
  memcpy (header, frame->data, sizeof header);
  g_assert_true (il_protocol_parse_header (header, &type, &len, NULL));
  g_assert_cmpint (type, ==, IL_FRAME_BYE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint8 bad[IL_PROTOCOL_HEADER_SIZE];

      memcpy (bad, header, sizeof bad);
      bad[cases[i].offset] = cases[i].value;
      g_assert_false (il_protocol_parse_header (bad, &type, &len, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("case %u: “%s” does not mention “%s”", i, error->message, cases[i].expect);
    }
}

static void
test_protocol_garbage (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  /* Random bodies never crash a decoder, and random headers are refused. */
  for (guint round = 0; round < 2000; round++)
    {
      gsize              len = (gsize) g_rand_int_range (rand, 0, 400);
      g_autofree guint8 *data = g_malloc (len + IL_PROTOCOL_HEADER_SIZE);
      g_autoptr(GArray) events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
      IlProtoHello  hello;
      IlProtoTask   task;
      IlProtoResult result;
      IlFrameType   type;
      guint64       flen;

      for (gsize i = 0; i < len + IL_PROTOCOL_HEADER_SIZE; i++)
        data[i] = (guint8) g_rand_int (rand);
      g_assert_false (il_protocol_parse_header (data, &type, &flen, NULL));
      if (il_protocol_read_hello (data, len, &hello, NULL))
        il_proto_hello_clear (&hello);
      if (il_protocol_read_task (data, len, &task, NULL))
        il_proto_task_clear (&task);
      if (il_protocol_read_result (data, len, &result, NULL))
        il_proto_result_clear (&result);
      il_protocol_read_events (data, len, events, NULL);
    }
}

/* The fuzz corpus (tests/fuzz/corpus/protocol, written by fuzz-seeds) is
 * in this build's protocol: a frame of another version is refused at its
 * header, so a stale corpus would leave the decoders behind it unfuzzed
 * while fuzz-protocol still passes. Every frame decodes, and together they
 * hold every frame type (and a counter block, v3's addition). */
static void
test_protocol_fuzz_corpus (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "protocol", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  gboolean    seen[IL_FRAME_DONE + 1] = { FALSE };
  gboolean    counter = FALSE;
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *data = NULL;
      gsize            len = 0, pos = 0;

      g_assert_true (g_file_get_contents (file, &data, &len, &error));
      g_assert_no_error (error);
      while (pos < len)
        {
          const guint8 *frame = (const guint8 *) data + pos;
          IlFrameType   type;
          guint64       body_len;
          gboolean      ok = FALSE;

          g_assert_cmpuint (len - pos, >=, IL_PROTOCOL_HEADER_SIZE);
          if (!il_protocol_parse_header (frame, &type, &body_len, &error))
            g_error ("%s: regenerate the corpus with fuzz-seeds (tests/fuzz/README.md): %s",
                     name, error->message);
          g_assert_cmpuint (body_len, <=, len - pos - IL_PROTOCOL_HEADER_SIZE);
          frame += IL_PROTOCOL_HEADER_SIZE;
          switch (type)
            {
              case IL_FRAME_HELLO:
              case IL_FRAME_READY:
                {
                  IlProtoHello hello = { 0 };

                  ok = il_protocol_read_hello (frame, body_len, &hello, &error);
                  il_proto_hello_clear (&hello);
                  break;
                }
              case IL_FRAME_TASK:
                {
                  IlProtoTask task = { 0 };

                  ok = il_protocol_read_task (frame, body_len, &task, &error);
                  for (guint i = 0; ok && i < task.def->blocks->len; i++)
                    if (((IlBlock *) g_ptr_array_index (task.def->blocks, i))->type == IL_BLOCK_COUNTER)
                      counter = TRUE;
                  il_proto_task_clear (&task);
                  break;
                }
              case IL_FRAME_EVENT:
                {
                  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (IlEvent));

                  ok = il_protocol_read_events (frame, body_len, events, &error);
                  break;
                }
              case IL_FRAME_RESULT:
                {
                  IlProtoResult result = { 0 };

                  ok = il_protocol_read_result (frame, body_len, &result, &error);
                  il_proto_result_clear (&result);
                  break;
                }
              case IL_FRAME_TASKS:
                {
                  IlProtoTask task = { 0 };
                  guint       count = 0;

                  ok = il_protocol_read_tasks (frame, body_len, &task, &count, &error);
                  il_proto_task_clear (&task);
                  break;
                }
              case IL_FRAME_DONE:
                {
                  IlUsage done;

                  ok = il_protocol_read_done (frame, body_len, &done, &error);
                  break;
                }
              case IL_FRAME_BYE:
              case IL_FRAME_HEARTBEAT:
              case IL_FRAME_END:
              default:
                ok = body_len == 0;
                break;
            }
          g_assert_no_error (error);
          g_assert_true (ok);
          seen[type] = TRUE;
          pos += IL_PROTOCOL_HEADER_SIZE + body_len;
        }
    }
  for (guint t = IL_FRAME_HELLO; t <= IL_FRAME_HEARTBEAT; t++)
    g_assert_true (seen[t]);
  g_assert_true (seen[IL_FRAME_TASKS]); /* v6 */
  g_assert_true (seen[IL_FRAME_END]);   /* v7 */
  g_assert_true (seen[IL_FRAME_DONE]);  /* v7 */
  g_assert_true (counter);
}

/* v6: TASKS stands for @count tasks of one definition, numbered on from
 * the first; it carries no payload, and refuses a count or numbers no
 * parent could have sent. */
static void
test_protocol_tasks (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(IlTaskGroup) group = sample_group (0);
  IlProtoTask   task = { 0 };
  IlProtoTask   back = { 0 };
  guint         count = 0;
  const guint8 *body;
  gsize         len;
  struct
  {
    guint32     count;
    guint32     index;
    gint64      payload;
    const char *expect;
  } bad[] = {
    { 0, 0, 0, "count 0 is out of range" },
    { IL_MAX_REPEAT + 1, 0, 0, "count" },
    { 10, IL_MAX_REPEAT - 5, 0, "last index" },
    { 2, 0, 16, "payload length 16" },
  };

  task.group = 2;
  task.index = 5;
  task.flat = 40;
  task.run = 1;
  task.rep = 3;
  task.t0 = 987654321;
  task.def = group;
  il_protocol_write_tasks (frame, &task, 1000);
  body = frame_body (frame, IL_FRAME_TASKS, &len);
  g_assert_true (il_protocol_read_tasks (body, len, &back, &count, NULL));
  g_assert_cmpuint (count, ==, 1000);
  g_assert_cmpuint (back.group, ==, 2);
  g_assert_cmpuint (back.index, ==, 5);
  g_assert_cmpuint (back.flat, ==, 40);
  g_assert_cmpint (back.t0, ==, 987654321);
  g_assert_cmpuint (back.payload_len, ==, 0);
  g_assert_true (il_task_group_equal (back.def, group));
  il_proto_task_clear (&back);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GByteArray) tbody = g_byte_array_new ();
      g_autoptr(GByteArray) b = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(IlTaskGroup) def = sample_group (bad[i].payload);
      guint32 le = GUINT32_TO_LE (bad[i].count);

      /* A TASK frame's body (with its payload, if any) after the count. */
      task.def = def;
      task.index = bad[i].index;
      il_protocol_write_task (tbody, &task);
      g_byte_array_append (b, (const guint8 *) &le, 4);
      g_byte_array_append (b, tbody->data + IL_PROTOCOL_HEADER_SIZE, tbody->len - IL_PROTOCOL_HEADER_SIZE);
      g_assert_false (il_protocol_read_tasks (b->data, b->len, &back, &count, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      if (strstr (error->message, bad[i].expect) == NULL)
        g_error ("case %u: “%s” does not mention “%s”", i, error->message, bad[i].expect);
      g_assert_null (back.def);
    }
  /* Truncated anywhere: refused, never read past the end. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (il_protocol_read_tasks (body, cut, &back, &count, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      g_assert_null (back.def);
    }
}

/* v7: END is empty (a body is refused at the header); DONE carries the
 * interpreter's usage over a repetition, and refuses a negative or
 * impossible figure and any truncation. */
static void
test_protocol_end_done (void)
{
  g_autoptr(GByteArray) end = g_byte_array_new ();
  g_autoptr(GByteArray) done = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlUsage       usage = { 120500, 3400, 57, 12 };
  IlUsage       back;
  IlFrameType   type;
  guint64       length;
  const guint8 *body;
  gsize         len;
  guint8        header[IL_PROTOCOL_HEADER_SIZE];

  il_protocol_write_end (end);
  frame_body (end, IL_FRAME_END, &len);
  g_assert_cmpuint (len, ==, 0);
  memcpy (header, end->data, sizeof header);
  header[8] = 4; /* a body of 4 bytes */
  g_assert_false (il_protocol_parse_header (header, &type, &length, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  g_assert_nonnull (strstr (error->message, "END"));
  g_clear_error (&error);

  il_protocol_write_done (done, &usage);
  body = frame_body (done, IL_FRAME_DONE, &len);
  g_assert_cmpuint (len, ==, 32);
  g_assert_true (il_protocol_read_done (body, len, &back, &error));
  g_assert_no_error (error);
  g_assert_cmpint (back.user_us, ==, 120500);
  g_assert_cmpint (back.sys_us, ==, 3400);
  g_assert_cmpint (back.nvcsw, ==, 57);
  g_assert_cmpint (back.nivcsw, ==, 12);

  for (guint field = 0; field < 4; field++)
    {
      g_autoptr(GByteArray) bad = g_byte_array_new ();
      gint64 *f[] = { &usage.user_us, &usage.sys_us, &usage.nvcsw, &usage.nivcsw };
      gint64  keep = *f[field];

      *f[field] = -1;
      il_protocol_write_done (bad, &usage);
      *f[field] = keep;
      body = frame_body (bad, IL_FRAME_DONE, &len);
      g_assert_false (il_protocol_read_done (body, len, &back, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      g_assert_nonnull (strstr (error->message, "out of range"));
      g_assert_cmpint (back.user_us, ==, 0);
      g_clear_error (&error);
    }
  body = frame_body (done, IL_FRAME_DONE, &len);
  for (gsize cut = 0; cut < len; cut++)
    {
      g_assert_false (il_protocol_read_done (body, cut, &back, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      g_clear_error (&error);
    }
}

/* v4: a RESULT carries each block's states in time order, and refuses
 * segments that do not describe their block. */
static void
test_protocol_segments (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoResult  result = { 0 };
  IlProtoResult  result2 = { 0 };
  IlBlockRecord  br = { 0 };
  IlBlockRecord *got;
  IlBlockRecord  got_copy;
  const guint8  *body;
  gsize          len;

  result.rec.start_us = 100;
  result.rec.end_us = 1100;
  il_task_record_reserve_blocks (&result.rec, 1);
  br.type = IL_BLOCK_CPU;
  br.start_us = 100;
  br.end_us = 1100;
  br.ttfb_us = -1;
  br.state.valid = TRUE;
  br.state.running = 600;
  br.state.gil_wait = 400;
  br.segments = g_malloc0 (sizeof (IlStateSegments) + 3 * sizeof (IlStateSegment));
  br.segments->n = 3;
  br.segments->seg[0] = (IlStateSegment){ 300, IL_STATE_RUNNING };
  br.segments->seg[1] = (IlStateSegment){ 400, IL_STATE_GIL_WAIT };
  br.segments->seg[2] = (IlStateSegment){ 300, IL_STATE_RUNNING };
  il_task_record_add_block (&result.rec, &br);
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, IL_FRAME_RESULT, &len);
  g_assert_true (il_protocol_read_result (body, len, &result2, &error));
  g_assert_no_error (error);
  got_copy = il_task_record_block (&result2.rec, 0);
  got = &got_copy;
  g_assert_nonnull (got->segments);
  g_assert_true (il_state_segments_equal (got->segments, br.segments));
  il_proto_result_clear (&result2);

  /* One µs short of the block: refused, naming the block and why. */
  br.segments->seg[2].us = 299;
  g_byte_array_set_size (frame, 0);
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, IL_FRAME_RESULT, &len);
  g_assert_false (il_protocol_read_result (body, len, &result2, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  g_assert_nonnull (strstr (error->message, "block 0's state segments"));
  g_assert_nonnull (strstr (error->message, "999"));
  il_task_record_clear (&result.rec);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/protocol/roundtrip", test_protocol_roundtrip);
  g_test_add_func ("/il/protocol/events", test_protocol_events);
  g_test_add_func ("/il/protocol/segments", test_protocol_segments);
  g_test_add_func ("/il/protocol/tasks", test_protocol_tasks);
  g_test_add_func ("/il/protocol/end-done", test_protocol_end_done);
  g_test_add_func ("/il/protocol/event-layout", test_protocol_event_layout);
  g_test_add_func ("/il/protocol/truncated", test_protocol_truncated);
  g_test_add_func ("/il/protocol/header", test_protocol_header);
  g_test_add_func ("/il/protocol/garbage", test_protocol_garbage);
  g_test_add_func ("/il/protocol/fuzz-corpus", test_protocol_fuzz_corpus);

  return g_test_run ();
}
