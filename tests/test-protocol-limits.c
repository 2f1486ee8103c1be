/* test-protocol-limits.c — what the wire protocol refuses: every number a
 * TASK carries held to the experiment file's limits by the decoder, and a
 * real interleave-worker refusing garbage, other versions, unexpected or
 * truncated frames and out-of-range numbers (the codec's round trips are in
 * test-protocol.c)
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

typedef struct
{
  GBytes  *err;
  GError  *error;
  gboolean done;
} Communicated;

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Communicated *c = data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, NULL, &c->err, &c->error);
  c->done = TRUE;
}

static gboolean
flag_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The worker itself refuses what it does not understand: a message on
 * stderr and a nonzero status, within seconds (a worker that believed a
 * huge number would run for ever: it is killed and the test fails). */
static void
check_worker_refuses (GBytes     *input,
                      const char *expect)
{
  const char *worker = g_getenv ("IL_WORKER_PATH");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autofree char *err_text = NULL;
  Communicated     c = { 0 };
  gboolean         timed_out = FALSE;
  guint            timeout_id;

  g_assert_nonnull (worker);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, worker, NULL);
  g_assert_no_error (error);
  /* Binary input: not communicate_utf8, which stops at the first NUL. */
  g_subprocess_communicate_async (proc, input, NULL, communicated, &c);
  timeout_id = g_timeout_add_seconds (10, flag_timeout, &timed_out);
  while (!c.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  if (!c.done)
    {
      g_subprocess_force_exit (proc);
      while (!c.done)
        g_main_context_iteration (NULL, TRUE);
      g_error ("the worker was still running after 10 s (expected it to refuse: “%s”)", expect);
    }
  g_assert_no_error (c.error);
  err_bytes = c.err;
  err_text = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
  g_assert_nonnull (err_text);
  if (strstr (err_text, expect) == NULL)
    g_error ("the worker said “%s”, expected “%s”", err_text, expect);
}

static void
test_worker_refuses (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  IlProtoHello hello = { 0 };

  if (g_getenv ("IL_WORKER_PATH") == NULL)
    {
      g_test_skip ("IL_WORKER_PATH is not set");
      return;
    }

  {
    g_autoptr(GBytes) garbage = g_bytes_new_static ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);

    check_worker_refuses (garbage, "bad magic");
  }

  il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
  frame->data[4] = 9; /* version */
  {
    g_autoptr(GBytes) bytes = g_bytes_new (frame->data, frame->len);

    check_worker_refuses (bytes, "version 9");
  }

  /* A valid HELLO, then a frame a worker never receives. */
  g_byte_array_set_size (frame, 0);
  hello.pid = 0;
  hello.heartbeat_ms = 1000;
  il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
  il_protocol_write_events (frame, NULL, 0);
  {
    g_autoptr(GBytes) bytes = g_bytes_new (frame->data, frame->len);

    check_worker_refuses (bytes, "unexpected EVENT");
  }

  /* A TASK cut short by the end of the input. */
  g_byte_array_set_size (frame, 0);
  il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
  {
    g_autoptr(IlTaskGroup) group = sample_group (1000);
    IlProtoTask task = { 0 };
    g_autoptr(GBytes) bytes = NULL;

    task.def = group;
    il_protocol_write_task (frame, &task);
    bytes = g_bytes_new (frame->data, frame->len - 10);
    check_worker_refuses (bytes, "ended inside a frame");
  }
}

/* Every number a TASK carries is held to the experiment file's limits
 * (il-experiment.h), at both ends of each range. */
typedef struct
{
  const char *field;
  gint64      value;
  gboolean    ok;
} RangeCase;

static gboolean
decode_task_with (void (*mutate) (IlProtoTask *, IlTaskGroup *, gint64),
                  gint64   value,
                  GError **error)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(IlTaskGroup) group = sample_group (16);
  IlProtoTask   task = { 0 }, out;
  const guint8 *body;
  gsize         len;
  gboolean      ok;

  g_ptr_array_add (group->blocks, il_block_new (IL_BLOCK_FILE_WRITE));
  task.def = group;
  task.t0 = 1;
  mutate (&task, group, value);
  il_protocol_write_task (frame, &task);
  body = frame_body (frame, IL_FRAME_TASK, &len);
  ok = il_protocol_read_task (body, len, &out, error);
  if (ok)
    il_proto_task_clear (&out);
  else
    g_assert_null (out.def);
  return ok;
}

#define BLOCK(i) ((IlBlock *) g_ptr_array_index (group->blocks, (i)))

static void
mut_units (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  BLOCK (0)->units = v;
}
static void
mut_ms (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  BLOCK (1)->ms = v;
}
static void
mut_delay (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  BLOCK (2)->delay_ms = v;
}
static void
mut_http_bytes (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  BLOCK (2)->bytes = v;
}
static void
mut_file_bytes (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  BLOCK (3)->bytes = v;
}
static void
mut_group (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->group = (guint) v;
}
static void
mut_index (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->index = (guint) v;
}
static void
mut_flat (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->flat = (guint) v;
}
static void
mut_worker (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->worker = (gint) v;
}
static void
mut_run (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->run = (guint16) v;
}
static void
mut_rep (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->rep = (guint16) v;
}
static void
mut_t0 (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  t->t0 = v;
}
static void
mut_payload (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  group->payload_bytes = v;
}
static void
mut_no_blocks (IlProtoTask *t, IlTaskGroup *group, gint64 v)
{
  g_ptr_array_set_size (group->blocks, (guint) v);
}

static void
test_protocol_ranges (void)
{
  struct
  {
    const char *field;
    void (*mutate) (IlProtoTask *, IlTaskGroup *, gint64);
    gint64 good[2];
    gint64 bad[3];
  } cases[] = {
    { "units", mut_units, { 1, IL_MAX_UNITS }, { 0, IL_MAX_UNITS + 1, G_MAXINT64 } },
    { "ms", mut_ms, { 0, IL_MAX_MS }, { -1, IL_MAX_MS + 1, G_MAXINT64 } },
    { "delay_ms", mut_delay, { 0, IL_MAX_MS }, { -1, IL_MAX_MS + 1, G_MININT64 } },
    { "bytes", mut_http_bytes, { 0, IL_MAX_HTTP_BYTES }, { -1, IL_MAX_HTTP_BYTES + 1, G_MAXINT64 } },
    { "bytes", mut_file_bytes, { 0, IL_MAX_FILE_BYTES }, { -1, IL_MAX_FILE_BYTES + 1, G_MAXINT64 } },
    { "group", mut_group, { 0, IL_MAX_TASK_GROUPS - 1 }, { IL_MAX_TASK_GROUPS, G_MAXUINT32, G_MAXUINT32 } },
    { "index", mut_index, { 0, IL_MAX_REPEAT - 1 }, { IL_MAX_REPEAT, G_MAXUINT32, G_MAXUINT32 } },
    { "flat index", mut_flat, { 0, IL_MAX_TOTAL_TASKS - 1 }, { IL_MAX_TOTAL_TASKS, G_MAXUINT32, G_MAXUINT32 } },
    { "worker", mut_worker, { 0, IL_MAX_WORKERS - 1 }, { -1, IL_MAX_WORKERS, G_MAXINT32 } },
    { "run", mut_run, { 0, 1 }, { IL_MAX_RUNS * IL_MAX_WORKERS, G_MAXUINT16, G_MAXUINT16 } },
    { "repetition", mut_rep, { 0, IL_MAX_WARMUP + IL_MAX_REPETITIONS - 1 }, { IL_MAX_WARMUP + IL_MAX_REPETITIONS, G_MAXUINT16, G_MAXUINT16 } },
    { "t0", mut_t0, { 0, 1 }, { -1, G_MININT64, G_MAXINT64 } },
    { "payload length", mut_payload, { 0, 1024 }, { IL_MAX_PAYLOAD_BYTES + 1, IL_MAX_PAYLOAD_BYTES + 8, IL_MAX_PAYLOAD_BYTES + 1 } },
    { "block count", mut_no_blocks, { 1, 4 }, { 0, 0, 0 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      for (guint k = 0; k < 2; k++)
        {
          g_autoptr(GError) error = NULL;

          if (!decode_task_with (cases[i].mutate, cases[i].good[k], &error))
            g_error ("%s = %" G_GINT64_FORMAT " was refused: %s", cases[i].field, cases[i].good[k],
                     error->message);
        }
      for (guint k = 0; k < 3; k++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *expect = g_strdup_printf ("%s %" G_GINT64_FORMAT " is out of range",
                                                     cases[i].field, cases[i].bad[k]);

          if (decode_task_with (cases[i].mutate, cases[i].bad[k], &error))
            g_error ("%s = %" G_GINT64_FORMAT " was accepted", cases[i].field, cases[i].bad[k]);
          g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
          if (strstr (error->message, expect) == NULL)
            g_error ("“%s” does not say “%s”", error->message, expect);
        }
    }

  /* HELLO: the slot, the cores and the heartbeat interval. */
  {
    struct
    {
      gint32      worker;
      guint       core;
      guint32     heartbeat_ms;
      const char *expect;
    } hello_cases[] = {
      { 0, 0, 1000, NULL },
      { IL_MAX_WORKERS - 1, IL_MAX_CPU_INDEX, IL_PROTOCOL_MAX_HEARTBEAT_MS, NULL },
      { IL_MAX_WORKERS, 0, 1000, "worker 256 is out of range" },
      { -1, 0, 1000, "worker -1 is out of range" },
      { 0, IL_MAX_CPU_INDEX + 1, 1000, "core 1024 is out of range" },
      { 0, 0, IL_PROTOCOL_MIN_HEARTBEAT_MS - 1, "heartbeat_ms 9 is out of range" },
      { 0, 0, G_MAXUINT32, "heartbeat_ms 4294967295 is out of range" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (hello_cases); i++)
      {
        g_autoptr(GByteArray) frame = g_byte_array_new ();
        g_autoptr(GArray) cores = g_array_new (FALSE, FALSE, sizeof (guint));
        g_autoptr(GError) error = NULL;
        IlProtoHello  hello = { 0 }, out;
        const guint8 *body;
        gsize         len;
        gboolean      ok;

        g_array_append_val (cores, hello_cases[i].core);
        hello.worker = hello_cases[i].worker;
        hello.affinity = cores;
        hello.heartbeat_ms = hello_cases[i].heartbeat_ms;
        il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
        body = frame_body (frame, IL_FRAME_HELLO, &len);
        ok = il_protocol_read_hello (body, len, &out, &error);
        if (hello_cases[i].expect == NULL)
          {
            g_assert_no_error (error);
            g_assert_true (ok);
            il_proto_hello_clear (&out);
          }
        else
          {
            g_assert_false (ok);
            g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
            if (strstr (error->message, hello_cases[i].expect) == NULL)
              g_error ("“%s” does not say “%s”", error->message, hello_cases[i].expect);
          }
      }
  }

  /* EVENT: the indices the live view looks things up with. */
  {
    IlEvent ev;
    struct
    {
      guint8      block_type;
      guint8      block;
      const char *expect;
    } event_cases[] = {
      { IL_N_BLOCK_TYPES - 1, IL_MAX_BLOCKS - 1, NULL },
      { IL_N_BLOCK_TYPES, 0, "block type 7 is out of range" },
      { 0, 200, "block 200 is out of range" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (event_cases); i++)
      {
        g_autoptr(GByteArray) frame = g_byte_array_new ();
        g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlEvent));
        g_autoptr(GError) error = NULL;
        const guint8 *body;
        gsize         len;

        ev = il_event_block_start (0, event_cases[i].block, event_cases[i].block_type);
        il_protocol_write_events (frame, &ev, 1);
        body = frame_body (frame, IL_FRAME_EVENT, &len);
        if (event_cases[i].expect == NULL)
          {
            g_assert_true (il_protocol_read_events (body, len, out, &error));
            g_assert_no_error (error);
          }
        else
          {
            g_assert_false (il_protocol_read_events (body, len, out, &error));
            g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
            if (strstr (error->message, event_cases[i].expect) == NULL)
              g_error ("“%s” does not say “%s”", error->message, event_cases[i].expect);
          }
      }
  }

  /* RESULT: an error message that is not text. */
  {
    g_autoptr(GByteArray) frame = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    IlProtoResult result = { 0 }, out;
    const guint8 *body;
    gsize         len;

    result.rec.failed = TRUE;
    il_task_record_take_error (&result.rec, g_strdup ("bad \xff\xfe bytes"));
    il_protocol_write_result (frame, &result);
    il_proto_result_clear (&result);
    body = frame_body (frame, IL_FRAME_RESULT, &len);
    g_assert_false (il_protocol_read_result (body, len, &out, &error));
    g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
    g_assert_nonnull (strstr (error->message, "not valid UTF-8"));
  }

  /* HEARTBEAT and BYE have no body. */
  {
    g_autoptr(GByteArray) frame = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    IlFrameType type;
    guint64     len;

    il_protocol_write_heartbeat (frame);
    g_assert_true (il_protocol_parse_header (frame->data, &type, &len, NULL));
    g_assert_cmpint (type, ==, IL_FRAME_HEARTBEAT);
    g_assert_cmpuint (len, ==, 0);
    frame->data[8] = 1;
    g_assert_false (il_protocol_parse_header (frame->data, &type, &len, &error));
    g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  }
}

/* A real worker given out-of-range numbers refuses them at once, where it
 * used to spin or sleep for ever. */
static void
test_worker_refuses_ranges (void)
{
  const IlBlockType types[] = { IL_BLOCK_CPU, IL_BLOCK_SLEEP, IL_BLOCK_HTTP };
  const char       *fields[] = { "units", "ms", "delay_ms" };
  const gint64      huge = G_MAXINT64 / 4;

  if (g_getenv ("IL_WORKER_PATH") == NULL)
    {
      g_test_skip ("IL_WORKER_PATH is not set");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GByteArray) frame = g_byte_array_new ();
      g_autoptr(IlTaskGroup) group = il_task_group_new ();
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *expect = g_strdup_printf ("%s %" G_GINT64_FORMAT " is out of range", fields[i], huge);
      IlProtoHello     hello = { 0 };
      IlProtoTask      task = { 0 };
      IlBlock         *b = il_block_new (types[i]);

      hello.heartbeat_ms = 1000;
      il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
      if (i == 0)
        b->units = huge;
      else if (i == 1)
        b->ms = huge;
      else
        b->delay_ms = huge;
      g_ptr_array_set_size (group->blocks, 0);
      g_ptr_array_add (group->blocks, b);
      task.def = group;
      task.t0 = g_get_monotonic_time ();
      il_protocol_write_task (frame, &task);
      bytes = g_bytes_new (frame->data, frame->len);
      check_worker_refuses (bytes, expect);
    }
}

/* A RESULT's times are bounded before anything subtracts them: the fuzzer
 * found a block whose end − start overflowed while its segments were
 * checked (tests/fuzz/regressions/protocol/crash-62af…). */
static void
test_protocol_result_times (void)
{
  struct
  {
    gint64      task_start, block_start, block_end;
    const char *field;
  } cases[] = {
    { 0, G_MININT64 / 2 - 1, G_MAXINT64 / 2, "block start" },
    { 0, 0, G_MAXINT64, "block end" },
    { G_MININT64, 0, 10, "task start" },
    { 0, -(G_GINT64_CONSTANT (1) << 53) - 1, 10, "block start" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) frame = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      IlProtoResult result = { 0 };
      IlProtoResult got = { 0 };
      IlBlockRecord br = { 0 };
      const guint8 *body;
      gsize         len;

      result.rec.start_us = cases[i].task_start;
      result.rec.end_us = 10;
      br.type = IL_BLOCK_CPU;
      br.start_us = cases[i].block_start;
      br.end_us = cases[i].block_end;
      br.ttfb_us = -1;
      br.segments = g_malloc0 (sizeof (IlStateSegments) + sizeof (IlStateSegment));
      br.segments->n = 1;
      br.segments->seg[0] = (IlStateSegment){ 10, IL_STATE_RUNNING };
      il_task_record_add_block (&result.rec, &br);
      il_protocol_write_result (frame, &result);
      body = frame_body (frame, IL_FRAME_RESULT, &len);
      g_assert_false (il_protocol_read_result (body, len, &got, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
      g_assert_nonnull (strstr (error->message, cases[i].field));
      g_assert_nonnull (strstr (error->message, "out of range"));
      il_task_record_clear (&result.rec);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/protocol/worker-refuses", test_worker_refuses);
  g_test_add_func ("/il/protocol/ranges", test_protocol_ranges);
  g_test_add_func ("/il/protocol/result-times", test_protocol_result_times);
  g_test_add_func ("/il/protocol/worker-refuses-ranges", test_worker_refuses_ranges);

  return g_test_run ();
}
