/* fuzz-seeds.c — writes the seed inputs that cannot be typed by hand
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-seeds CORPUS-DIR
 *
 * Writes CORPUS-DIR/protocol/ (one file per frame type, and a whole
 * conversation) and CORPUS-DIR/results/ (results documents of a small run
 * under every executor but processes). Run by hand when the protocol or the
 * results document changes; the files are kept in tests/fuzz/corpus/.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "il-error.h"
#include "il-experiment.h"
#include "il-protocol.h"
#include "il-results.h"
#include "il-runner.h"

static void
write_file (const char *dir,
            const char *name,
            const void *data,
            gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0 || !g_file_set_contents (path, data, (gssize) len, &error))
    g_error ("cannot write %s: %s", path, error ? error->message : g_strerror (errno));
  printf ("%s\n", path);
}

static IlExperiment *
load (const char *json)
{
  g_autoptr(GError) error = NULL;
  IlExperiment *exp = il_experiment_load_data (json, -1, "seed.interleave", &error);

  g_assert_no_error (error);
  return exp;
}

static void
write_protocol (const char *dir)
{
  g_autoptr(IlExperiment) exp = load (
    "{ \"interleave\": 1, \"name\": \"seed\","
    "  \"tasks\": [ { \"name\": \"t\", \"payload_bytes\": 64, \"blocks\": ["
    "    { \"type\": \"cpu\", \"kernel\": \"hash\", \"units\": 3 },"
    "    { \"type\": \"sleep\", \"ms\": 2 },"
    "    { \"type\": \"http\", \"delay_ms\": 1, \"bytes\": 100 },"
    "    { \"type\": \"file-write\", \"bytes\": 4096, \"fsync\": true },"
    "    { \"type\": \"file-read\", \"bytes\": 4096 },"
    "    { \"type\": \"counter\", \"increments\": 1000, \"lock\": true },"
    "    { \"type\": \"yield\", \"times\": 500 } ] } ],"
    "  \"runs\": [ { \"executor\": \"processes\", \"workers\": 2 } ] }");
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GArray) affinity = g_array_new (FALSE, FALSE, sizeof (guint));
  IlProtoHello  hello = { 0 };
  IlProtoTask   task = { 0 };
  IlProtoResult result = { 0 };
  IlEvent       events[6];
  IlBlockRecord block = { 0 };
  guint         core = 1;
  struct
  {
    const char *name;
    guint       from;
  } frames[10];
  guint n = 0;

  g_array_append_val (affinity, core);
  hello.pid = 4242;
  hello.worker = 1;
  hello.affinity = affinity;
  hello.server_url = (char *) "http://127.0.0.1:40000";
  hello.scratch_dir = (char *) "/tmp/interleave-run-000000";
  hello.heartbeat_ms = 250;
  frames[n].name = "hello";
  frames[n++].from = all->len;
  il_protocol_write_hello (all, IL_FRAME_HELLO, &hello);

  hello.affinity = NULL;
  hello.server_url = NULL;
  hello.scratch_dir = NULL;
  hello.pid = 4343;
  hello.heartbeat_ms = 0; /* READY carries no interval */
  frames[n].name = "ready";
  frames[n++].from = all->len;
  il_protocol_write_hello (all, IL_FRAME_READY, &hello);

  task.group = 0;
  task.index = 1;
  task.flat = 1;
  task.worker = 1;
  task.run = 0;
  task.rep = 2;
  task.t0 = G_GINT64_CONSTANT (123456789);
  task.def = g_ptr_array_index (exp->tasks, 0);
  frames[n].name = "task";
  frames[n++].from = all->len;
  il_protocol_write_task (all, &task);

  /* The async cpython engine's: 3 tasks of that definition, no payload. */
  {
    IlTaskGroup no_payload = *task.def;

    no_payload.payload_bytes = 0;
    task.def = &no_payload;
    task.worker = 0;
    frames[n].name = "tasks";
    frames[n++].from = all->len;
    il_protocol_write_tasks (all, &task, 3);
    task.def = g_ptr_array_index (exp->tasks, 0);
  }

  /* What a worker sends: one event of each kind it produces. */
  {
    IlStateTimes state = { .valid = TRUE, .running = 300, .blocked = 200 };
    IlStateTimes locked = { .valid = TRUE, .running = 300, .lock_wait = 200 };

    events[0] = il_event_task_start (1000, 1, 4343, 4344, 0, 1);
    events[1] = il_event_block_start (1100, 0, IL_BLOCK_CPU);
    events[2] = il_event_block_end (1100, 1600, 0, IL_BLOCK_CPU, FALSE, &state);
    events[3] = il_event_block_start (1600, 5, IL_BLOCK_COUNTER);
    events[4] = il_event_block_end (1600, 2100, 5, IL_BLOCK_COUNTER, FALSE, &locked);
    events[5] = il_event_task_end (1000, 2200, 0, TRUE, &locked);
    for (guint i = 0; i < G_N_ELEMENTS (events); i++)
      {
        events[i].worker = 1;
        events[i].task = 1;
      }
  }
  frames[n].name = "events";
  frames[n++].from = all->len;
  il_protocol_write_events (all, events, G_N_ELEMENTS (events));

  result.rec.group = 0;
  result.rec.index = 1;
  result.rec.worker = 1;
  result.rec.pid = 4343;
  result.rec.tid = 4343;
  result.rec.cpu_start = 0;
  result.rec.cpu_end = 1;
  result.rec.start_us = 10;
  result.rec.end_us = 2500;
  il_task_record_set_spawn_us (&result.rec, -1);
  result.rec.checksum = G_GUINT64_CONSTANT (0x0123456789abcdef);
  {
    IlStateTimes st = il_task_record_state (&result.rec);

    st.valid = TRUE;
    st.running = 1200;
    st.blocked = 1090;
    st.lock_wait = 200;
    il_task_record_set_state (&result.rec, &st);
  }
  il_task_record_reserve_blocks (&result.rec, 3);
  block.type = IL_BLOCK_CPU;
  block.start_us = 10;
  block.end_us = 1200;
  block.ttfb_us = -1;
  il_task_record_add_block (&result.rec, &block);
  block.type = IL_BLOCK_HTTP;
  block.start_us = 1200;
  block.end_us = 2500;
  block.ttfb_us = 900;
  il_task_record_add_block (&result.rec, &block);
  block.type = IL_BLOCK_COUNTER;
  block.start_us = 2300;
  block.end_us = 2500;
  block.ttfb_us = -1;
  block.state.valid = TRUE;
  block.state.running = 0;
  block.state.lock_wait = 200;
  /* v4: its states in time order */
  block.segments = g_malloc0 (sizeof (IlStateSegments) + 3 * sizeof (IlStateSegment));
  block.segments->n = 3;
  block.segments->seg[0] = (IlStateSegment){ 50, IL_STATE_RUNNING };
  block.segments->seg[1] = (IlStateSegment){ 120, IL_STATE_LOCK_WAIT };
  block.segments->seg[2] = (IlStateSegment){ 30, IL_STATE_RUNNING };
  il_task_record_add_block (&result.rec, &block);
  result.usage.user_us = 1100;
  result.usage.nvcsw = 3;
  result.overhead_ns = 5000;
  result.counted = 1000;
  result.yielded.yields = 500;
  result.yielded.nivcsw = 498;
  result.yielded.cpu_us = 1100;
  frames[n].name = "result";
  frames[n++].from = all->len;
  il_protocol_write_result (all, &result);
  il_task_record_clear (&result.rec);

  frames[n].name = "heartbeat";
  frames[n++].from = all->len;
  il_protocol_write_heartbeat (all);

  frames[n].name = "bye";
  frames[n++].from = all->len;
  il_protocol_write_bye (all);

  /* v7: a repetition's END, and the interpreter's DONE */
  frames[n].name = "end";
  frames[n++].from = all->len;
  il_protocol_write_end (all);

  frames[n].name = "done";
  frames[n++].from = all->len;
  il_protocol_write_done (all, &(IlUsage){ 120500, 3400, 57, 12 });

  for (guint i = 0; i < n; i++)
    {
      guint            to = i + 1 < n ? frames[i + 1].from : all->len;
      g_autofree char *name = g_strdup_printf ("%u-%s.bin", i, frames[i].name);

      write_file (dir, name, all->data + frames[i].from, to - frames[i].from);
    }
  write_file (dir, "conversation.bin", all->data, all->len);
}

static void
write_results (const char *dir)
{
  g_autoptr(IlExperiment) exp = load (
    "{ \"interleave\": 1, \"name\": \"seed results\","
    "  \"tasks\": [ { \"name\": \"cpu\", \"repeat\": 2, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 } ] },"
    "               { \"name\": \"io\", \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 },"
    "                                               { \"type\": \"file-write\", \"bytes\": 4096 },"
    "                                               { \"type\": \"counter\", \"increments\": 1000, \"lock\": true } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" },"
    "              { \"executor\": \"threads\", \"workers\": 2, \"gil\": true },"
    "              { \"executor\": \"async\" } ],"
    "  \"settings\": { \"repetitions\": 2 } }");
  g_autoptr(GError) error = NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = il_runner_new (exp, &options);
  g_autoptr(IlResults) results = il_runner_run (runner, NULL, &error);
  g_autofree char *data = NULL;
  gsize            len = 0;

  g_assert_no_error (error);
  data = il_results_to_data (results, &len);
  write_file (dir, "run-three-executors.json", data, len);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *protocol = NULL;
  g_autofree char *results = NULL;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CORPUS-DIR\n", argv[0]);
      return 2;
    }
  protocol = g_build_filename (argv[1], "protocol", NULL);
  results = g_build_filename (argv[1], "results", NULL);
  write_protocol (protocol);
  write_results (results);
  return 0;
}
