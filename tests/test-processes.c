/* test-processes.c — the processes executor, interleave-worker and the wire
 * protocol (issue 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Timing bounds are the issue's, as ratios on a noisy 2-core machine that
 * runs two tests at once: a measurement that misses is taken once more
 * before the test fails.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-kernels.h"
#include "il-protocol.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-stats.h"

#include "il-test-utils.h"

/* Speedups are measured on a shared 2-core machine: anything else running
 * there is measured too, so a missed bound is measured again (after a
 * pause) before it counts as a failure. The bounds never move. */
#define ATTEMPTS 4

static gint64 spin_units_100ms;

/* ---- helpers ---------------------------------------------------------- */

/* Children of this process (any thread), from /proc. */
static GArray *
list_children (pid_t pid)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%d/task", (int) pid);
  GArray          *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  DIR             *dir = opendir (dir_path);
  struct dirent   *de;

  if (dir == NULL)
    return pids;
  while ((de = readdir (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) parts = NULL;

      if (de->d_name[0] == '.')
        continue;
      path = g_strdup_printf ("%s/%s/children", dir_path, de->d_name);
      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      parts = g_strsplit (g_strstrip (contents), " ", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          {
            pid_t child = (pid_t) atoi (parts[i]);

            g_array_append_val (pids, child);
          }
    }
  closedir (dir);
  return pids;
}

static gboolean
process_exists (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char      *close_paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  /* A zombie is gone for our purposes only once reaped; count it. */
  close_paren = strrchr (contents, ')');
  return close_paren != NULL;
}

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
  IlEvent       ev[2] = { { 0 } };
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
  il_protocol_write_hello (frame, IL_FRAME_HELLO, &hello);
  body = frame_body (frame, IL_FRAME_HELLO, &len);
  g_assert_true (il_protocol_read_hello (body, len, &hello2, &error));
  g_assert_no_error (error);
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
  ev[0].kind = IL_EVENT_BLOCK_END;
  ev[0].flags = IL_EVENT_FLAG_FAILED;
  ev[0].block = 3;
  ev[0].block_type = IL_BLOCK_SLEEP;
  ev[0].worker = 2;
  ev[0].cpu = 1;
  ev[0].task = 99;
  ev[0].t_us = 1000;
  ev[0].t2_us = 500;
  ev[0].a = 1;
  ev[0].b = 2;
  ev[0].c = 3;
  ev[0].d = 4;
  ev[0].value = 0.25;
  ev[1].kind = IL_EVENT_TASK_START;
  ev[1].cpu = -1;
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
  result.rec.state.valid = TRUE;
  result.rec.state.running = 5;
  result.rec.state.blocked = 5;
  result.rec.failed = TRUE;
  result.rec.error = g_strdup ("block 2 (sleep): cancelled");
  result.rec.blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
  br.type = IL_BLOCK_HTTP;
  br.start_us = 11;
  br.end_us = 19;
  br.ttfb_us = 15;
  br.state.valid = TRUE;
  br.state.gil_wait = 3;
  g_array_append_val (result.rec.blocks, br);
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
  g_assert_true (result2.rec.state.valid);
  g_assert_cmpint (result2.rec.state.running, ==, 5);
  g_assert_true (result2.rec.failed);
  g_assert_cmpstr (result2.rec.error, ==, result.rec.error);
  g_assert_cmpuint (result2.rec.blocks->len, ==, 1);
  g_assert_cmpmem (result2.rec.blocks->data, sizeof (IlBlockRecord), &br, sizeof (IlBlockRecord));
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
    { 4, IL_PROTOCOL_VERSION + 1, "version 2" },
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

/* The worker itself refuses what it does not understand: a message on
 * stderr and a nonzero status. */
static void
check_worker_refuses (GBytes     *input,
                      const char *expect)
{
  const char *worker = g_getenv ("IL_WORKER_PATH");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autofree char *err_text = NULL;

  g_assert_nonnull (worker);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           &error, worker, NULL);
  g_assert_no_error (error);
  /* Binary input: not communicate_utf8, which stops at the first NUL. */
  g_subprocess_communicate (proc, input, NULL, NULL, &err_bytes, &error);
  g_assert_no_error (error);
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

/* ---- the executor ----------------------------------------------------- */

static void
test_checksum (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"checksum\","
    "  \"tasks\": [ { \"repeat\": 6, \"payload_bytes\": 4096,"
    "                 \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 5 },"
    "                              { \"type\": \"sleep\", \"ms\": 2 },"
    "                              { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 3 } ] },"
    "               { \"repeat\": 3, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"primes\", \"units\": 4 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" },"
    "             { \"executor\": \"processes\", \"workers\": 2 },"
    "             { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\" },"
    "             { \"executor\": \"processes\", \"workers\": 3, \"spawn\": \"per-task\" } ] }");
  g_autoptr(IlEventQueue) events = il_event_queue_new (100000);
  g_autoptr(GArray) drained = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(IlResults) results = il_test_run (exp, events, NULL);
  const char *expected = il_test_first_rep (results, 0)->checksum;
  guint       starts = 0, ends = 0, block_ends = 0;
  g_autoptr(GArray) children = NULL;

  for (guint r = 1; r < results->runs->len; r++)
    {
      IlRepetition *rep = il_test_first_rep (results, r);
      IlRunResult  *rr = il_test_run_at (results, r);
      gint          max_worker = -1;

      g_assert_cmpstr (rep->checksum, ==, expected);
      g_assert_cmpuint (rep->failed_tasks, ==, 0);
      g_assert_cmpuint (rep->tasks->len, ==, 9);
      for (guint t = 0; t < rep->tasks->len; t++)
        {
          IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

          g_assert_false (rec->failed);
          g_assert_cmpint (rec->pid, !=, getpid ());
          g_assert_cmpint (rec->worker, >=, 0);
          g_assert_cmpint (rec->worker, <, (gint) rr->workers);
          max_worker = MAX (max_worker, rec->worker);
          g_assert_cmpint (rec->start_us, >=, 0);
          g_assert_cmpint (rec->end_us, >=, rec->start_us);
          g_assert_cmpuint (rec->blocks->len, ==, rec->group == 0 ? 3 : 1);
          for (guint b = 0; b < rec->blocks->len; b++)
            {
              IlBlockRecord *br = &g_array_index (rec->blocks, IlBlockRecord, b);

              /* The worker's clock is the parent's. */
              g_assert_cmpint (br->start_us, >=, rec->start_us);
              g_assert_cmpint (br->end_us, <=, rec->end_us);
            }
          if (rr->spawn == IL_SPAWN_PER_TASK)
            g_assert_cmpint (rec->spawn_us, >, 0);
        }
      g_assert_cmpint (max_worker, ==, (gint) rr->workers - 1);
      /* Children's CPU time is counted. */
      g_assert_cmpfloat (rep->cpu_user_ms + rep->cpu_sys_ms, >, 0.0);
    }

  /* Per-task workers are fresh processes: one pid per task. */
  {
    IlRepetition *rep = il_test_first_rep (results, 2);
    g_autoptr(GHashTable) pids = g_hash_table_new (NULL, NULL);

    for (guint t = 0; t < rep->tasks->len; t++)
      g_hash_table_add (pids, GINT_TO_POINTER (g_array_index (rep->tasks, IlTaskRecord, t).pid));
    g_assert_cmpuint (g_hash_table_size (pids), ==, rep->tasks->len);
  }

  /* The workers' events were forwarded: one start and end per task. */
  il_event_queue_drain (events, drained, 0);
  for (guint i = 0; i < drained->len; i++)
    {
      IlEvent *ev = &g_array_index (drained, IlEvent, i);

      if (ev->run == 0)
        continue;
      if (ev->kind == IL_EVENT_TASK_START)
        starts++;
      else if (ev->kind == IL_EVENT_TASK_END)
        ends++;
      else if (ev->kind == IL_EVENT_BLOCK_END)
        block_ends++;
    }
  g_assert_cmpuint (starts, ==, 3 * 9);
  g_assert_cmpuint (ends, ==, 3 * 9);
  g_assert_cmpuint (block_ends, ==, 3 * (6 * 3 + 3));

  children = list_children (getpid ());
  g_assert_cmpuint (children->len, ==, 0);
}

static double
makespan (IlResults *results,
          guint      run)
{
  return il_test_first_rep (results, run)->makespan_ms;
}

static void
test_speedup (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"speedup\","
    "  \"tasks\": [ { \"repeat\": 8, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": %" G_GINT64_FORMAT " } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"processes\", \"workers\": 2 } ] }",
    spin_units_100ms);
  double speedup = 0;

  for (guint attempt = 0; attempt < ATTEMPTS; attempt++)
    {
      g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);

      g_assert_cmpstr (il_test_first_rep (results, 0)->checksum, ==, il_test_first_rep (results, 1)->checksum);
      speedup = makespan (results, 0) / makespan (results, 1);
      g_test_message ("attempt %u: sequential %.1f ms, processes ×2 %.1f ms, speedup %.2f",
                      attempt + 1, makespan (results, 0), makespan (results, 1), speedup);
      if (speedup >= 1.5)
        break;
      g_usleep (G_USEC_PER_SEC);
    }
  g_assert_cmpfloat (speedup, >=, 1.5);
}

static gint
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median_task_ms (IlRepetition *rep)
{
  g_autoptr(GArray) d = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint t = 0; t < rep->tasks->len; t++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);
      double        ms = (double) (rec->end_us - rec->start_us) / 1000.0;

      g_assert_false (rec->failed);
      g_array_append_val (d, ms);
    }
  g_array_sort (d, compare_double);
  return d->len % 2 ? g_array_index (d, double, d->len / 2)
                    : (g_array_index (d, double, d->len / 2 - 1) + g_array_index (d, double, d->len / 2)) / 2;
}

static void
test_payload (void)
{
#define PAYLOAD_EXPERIMENT                                                                          \
  "{ \"interleave\": 1, \"name\": \"payload\","                                                     \
  "  \"tasks\": [ { \"repeat\": 8, \"payload_bytes\": %d,"                                          \
  "                 \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 } ] } ]," \
  "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }"
  g_autoptr(IlExperiment) none = il_test_loadf (PAYLOAD_EXPERIMENT, 0);
  g_autoptr(IlExperiment) big = il_test_loadf (PAYLOAD_EXPERIMENT, 8 * 1024 * 1024);
  double ratio = 0, extra = 0;

  for (guint attempt = 0; attempt < ATTEMPTS; attempt++)
    {
      g_autoptr(IlResults) r0 = il_test_run (none, NULL, NULL);
      g_autoptr(IlResults) r1 = il_test_run (big, NULL, NULL);
      double m0 = median_task_ms (il_test_first_rep (r0, 0));
      double m1 = median_task_ms (il_test_first_rep (r1, 0));

      g_assert_cmpstr (il_test_first_rep (r0, 0)->checksum, ==, il_test_first_rep (r1, 0)->checksum);
      ratio = m1 / m0;
      extra = m1 - m0;
      g_test_message ("attempt %u: median task %.2f ms without payload, %.2f ms with 8 MiB (×%.2f, +%.2f ms)",
                      attempt + 1, m0, m1, ratio, extra);
      if (ratio >= 1.2 && extra >= 2.0)
        break;
    }
  g_assert_cmpfloat (ratio, >=, 1.2);
  g_assert_cmpfloat (extra, >=, 2.0);
}

typedef struct
{
  IlEventQueue *events;
  pid_t         killed;
  gboolean      stop;
} Killer;

/* Waits until both workers run a task, then SIGKILLs one of them from
 * outside, as a user (or the OOM killer) would. */
static gpointer
killer_thread (gpointer data)
{
  Killer *k = data;
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  gboolean seen[2] = { FALSE, FALSE };
  gint64   deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!g_atomic_int_get (&k->stop) && g_get_monotonic_time () < deadline)
    {
      g_array_set_size (batch, 0);
      il_event_queue_drain (k->events, batch, 0);
      for (guint i = 0; i < batch->len; i++)
        {
          IlEvent *ev = &g_array_index (batch, IlEvent, i);

          if (ev->kind == IL_EVENT_TASK_START && ev->worker >= 0 && ev->worker < 2)
            seen[ev->worker] = TRUE;
        }
      if (seen[0] && seen[1])
        {
          g_autoptr(GArray) children = list_children (getpid ());

          g_assert_cmpuint (children->len, ==, 2);
          k->killed = g_array_index (children, pid_t, 0);
          kill (k->killed, SIGKILL);
          return NULL;
        }
      g_usleep (2000);
    }
  return NULL;
}

static void
test_kill_worker (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"kill\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 10 },"
    "                                           { \"type\": \"sleep\", \"ms\": 150 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }");
  g_autoptr(IlEventQueue) events = il_event_queue_new (10000);
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GArray) children = NULL;
  g_autofree char *expect = NULL;
  Killer           k = { events, 0, FALSE };
  GThread         *thread;
  IlRepetition    *rep;
  guint            failed = 0;

  thread = g_thread_new ("killer", killer_thread, &k);
  results = il_test_run (exp, events, NULL);
  g_atomic_int_set (&k.stop, TRUE);
  g_thread_join (thread);
  g_assert_cmpint (k.killed, >, 0);

  rep = il_test_first_rep (results, 0);
  g_assert_false (rep->cancelled);
  g_assert_cmpuint (rep->tasks->len, ==, 6);
  expect = g_strdup_printf ("(pid %d) died: killed by signal 9", (int) k.killed);
  for (guint t = 0; t < rep->tasks->len; t++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

      if (rec->failed)
        {
          failed++;
          g_test_message ("failed task: %s", rec->error);
          g_assert_nonnull (rec->error);
          g_assert_nonnull (strstr (rec->error, expect));
        }
      else
        g_assert_cmpint (rec->pid, !=, k.killed);
    }
  /* Its task failed; the others finished on the survivor and a
   * replacement. */
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpuint (rep->failed_tasks, ==, 1);

  children = list_children (getpid ());
  g_assert_cmpuint (children->len, ==, 0);
  g_assert_false (process_exists (k.killed));
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
check_cancel (const char *spawn)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"cancel\","
    "  \"tasks\": [ { \"repeat\": 8, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 10000 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"%s\" } ] }",
    spawn);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GArray) children = NULL;
  IlRepetition *rep;
  GThread      *thread;
  gint64        t0, elapsed;

  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  t0 = g_get_monotonic_time ();
  results = il_test_run (exp, NULL, cancellable);
  elapsed = g_get_monotonic_time () - t0;
  g_thread_join (thread);

  g_test_message ("%s: cancelled after %.0f ms", spawn, elapsed / 1000.0);
  g_assert_true (results->cancelled);
  /* Cancelled at 300 ms; back within 0.5 s of that. */
  g_assert_cmpint (elapsed, <, 300 * 1000 + 500 * 1000);
  rep = il_test_first_rep (results, 0);
  g_assert_true (rep->cancelled);
  /* The two running tasks are kept, failed as cancelled; the rest never
   * started. */
  g_assert_cmpuint (rep->tasks->len, ==, 2);
  for (guint t = 0; t < rep->tasks->len; t++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

      g_assert_true (rec->failed);
      g_assert_cmpstr (rec->error, ==, "cancelled");
    }
  children = list_children (getpid ());
  g_assert_cmpuint (children->len, ==, 0);
}

static void
test_cancel (void)
{
  check_cancel ("pool");
  check_cancel ("per-task");
}

/* interleave-cli with a worker killed from outside: exit status 1 and no
 * worker left. */
static void
test_cli_kill_worker (void)
{
  const char *cli = g_getenv ("IL_CLI");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json_path = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  const char *contents =
    "{ \"interleave\": 1, \"name\": \"cli kill\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 200 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }";
  pid_t          cli_pid, victim = 0;
  gint64         deadline;
  GHashTableIter iter;
  gpointer       key;

  if (cli == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }

  dir = g_dir_make_tmp ("il-processes-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "kill.interleave", NULL);
  json_path = g_build_filename (dir, "out.json", NULL);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                           cli, "run", path, "--quiet", "--json", json_path, NULL);
  g_assert_no_error (error);
  cli_pid = (pid_t) atoi (g_subprocess_get_identifier (proc));

  /* Kill a worker once two are up and running tasks; keep noting the
   * CLI's children (the replacement too) until it exits. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (process_exists (cli_pid) && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GArray) children = list_children (cli_pid);

      for (guint i = 0; i < children->len; i++)
        g_hash_table_add (seen, GINT_TO_POINTER (g_array_index (children, pid_t, i)));
      if (children->len == 2 && victim == 0)
        {
          g_usleep (80 * 1000);
          victim = g_array_index (children, pid_t, 0);
          kill (victim, SIGKILL);
        }
      g_usleep (2000);
    }
  g_assert_cmpint (victim, >, 0);

  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);

  /* Every worker the CLI ever had is gone. */
  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_false (process_exists (GPOINTER_TO_INT (key)));

  /* The results name the dead worker. */
  g_assert_true (g_file_get_contents (json_path, &json, NULL, &error));
  {
    g_autofree char *expect = g_strdup_printf ("(pid %d) died: killed by signal 9", (int) victim);

    if (strstr (json, expect) == NULL)
      g_error ("the results do not say “%s”", expect);
  }

  g_unlink (json_path);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  double ms_per_unit;

  g_test_init (&argc, &argv, NULL);

  ms_per_unit = il_kernel_calibrate (IL_KERNEL_SPIN, 100);
  spin_units_100ms = (gint64) CLAMP (round (100.0 / MAX (ms_per_unit, 1e-3)), 10, 2000);

  g_test_add_func ("/il/protocol/roundtrip", test_protocol_roundtrip);
  g_test_add_func ("/il/protocol/truncated", test_protocol_truncated);
  g_test_add_func ("/il/protocol/header", test_protocol_header);
  g_test_add_func ("/il/protocol/garbage", test_protocol_garbage);
  g_test_add_func ("/il/protocol/worker-refuses", test_worker_refuses);
  g_test_add_func ("/il/processes/checksum", test_checksum);
  g_test_add_func ("/il/processes/speedup", test_speedup);
  g_test_add_func ("/il/processes/payload", test_payload);
  g_test_add_func ("/il/processes/kill-worker", test_kill_worker);
  g_test_add_func ("/il/processes/cancel", test_cancel);
  g_test_add_func ("/il/processes/cli-kill-worker", test_cli_kill_worker);

  return g_test_run ();
}
