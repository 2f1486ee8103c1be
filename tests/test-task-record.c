/* test-task-record.c — the compact task record: its size and exact values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task record keeps times in 32 bits where they fit and the rest exactly
 * in its wide times (il-results.h). These tests hold the record to its
 * stated size and check that values at and past the 32-bit edges come back
 * exactly: from the record, from a copy, from the results document and
 * from the worker protocol.
 */
#include <string.h>

#include "il-protocol.h"
#include "il-results.h"
#include "il-run-private.h"

#define U32 ((gint64) G_MAXUINT32)

/* The memory target (≤ 256 bytes per recorded task of one or two blocks,
 * the process's other costs included) holds only with records this size. */
static void
test_size (void)
{
  g_assert_cmpuint (sizeof (IlTaskRecord), <=, IL_TASK_RECORD_MAX_BYTES);
  g_assert_cmpuint (sizeof (IlBlockStored), <=, IL_BLOCK_STORED_MAX_BYTES);
  /* A task of two blocks: the record and one block in its own array. */
  g_assert_cmpuint (sizeof (IlTaskRecord) + sizeof (IlBlockStored), <=, 192);
  g_assert_cmpuint (sizeof (IlTaskRecord), ==, 144);
}

static void
assert_state_equal (const IlStateTimes *a,
                    const IlStateTimes *b)
{
  g_assert_cmpint (!a->valid, ==, !b->valid);
  g_assert_cmpint (a->running, ==, b->running);
  g_assert_cmpint (a->ready, ==, b->ready);
  g_assert_cmpint (a->blocked, ==, b->blocked);
  g_assert_cmpint (a->gil_wait, ==, b->gil_wait);
  g_assert_cmpint (a->lock_wait, ==, b->lock_wait);
}

static void
assert_block_equal (const IlBlockRecord *a,
                    const IlBlockRecord *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpint (a->start_us, ==, b->start_us);
  g_assert_cmpint (a->end_us, ==, b->end_us);
  g_assert_cmpint (a->ttfb_us, ==, b->ttfb_us);
  assert_state_equal (&a->state, &b->state);
}

/* Blocks at the edges: each fits 32 bits exactly at its limit, or is one
 * past it (kept wide). */
static const IlBlockRecord edge_blocks[] = {
  /* Fits: a block of 71 minutes, states at their 32-bit maximum. */
  { 1000, 1000 + U32, -1, IL_BLOCK_SLEEP, { TRUE, 0, 0, U32, 0, 0 }, NULL },
  /* One µs longer: wide. */
  { 1000, 1001 + U32, -1, IL_BLOCK_SLEEP, { TRUE, 0, 1, U32, 0, 0 }, NULL },
  /* A state one past 32 bits: wide. */
  { 5, 10, -1, IL_BLOCK_CPU, { TRUE, U32 + 1, 0, 0, 0, 0 }, NULL },
  /* Time to first byte at both ends of its range, and past them. */
  { 7000000000, 7000000100, 7000000000 + G_MAXINT32, IL_BLOCK_HTTP, { TRUE, 1, 2, 97, 0, 0 }, NULL },
  { 7000000000, 7000000100, 7000000000 + G_MAXINT32 + 1, IL_BLOCK_HTTP, { TRUE, 1, 2, 97, 0, 0 }, NULL },
  { 7000000000, 7000000100, 7000000000 - G_MAXINT32, IL_BLOCK_HTTP, { FALSE, 0, 0, 0, 0, 0 }, NULL },
  { 7000000000, 7000000100, 7000000000 - G_MAXINT32 - 1, IL_BLOCK_HTTP, { FALSE, 0, 0, 0, 0, 0 }, NULL },
  /* What a shared file may hold: an end before the start, negative times,
   * the extremes of 64 bits. */
  { 50, 40, -1, IL_BLOCK_FILE_READ, { TRUE, -3, 0, 0, 0, 0 }, NULL },
  { G_MININT64, G_MAXINT64, G_MAXINT64, IL_BLOCK_YIELD, { TRUE, G_MAXINT64, 0, 0, 0, G_MAXINT64 }, NULL },
  /* Invalid state times are kept as they are too (an executor fills them
   * in before it knows the kernel's accounting is missing). */
  { 0, 0, -1, IL_BLOCK_COUNTER, { FALSE, 0, 0, 0, 0, 12 }, NULL },
};

static void
fill_record (IlTaskRecord       *rec,
             const IlStateTimes *state)
{
  memset (rec, 0, sizeof *rec);
  rec->group = 1;
  rec->index = 2;
  rec->cpu_start = rec->cpu_end = -1;
  rec->start_us = 1000;
  rec->end_us = 1000 + 3 * U32;
  il_task_record_set_state (rec, state);
  for (guint i = 0; i < G_N_ELEMENTS (edge_blocks); i++)
    il_task_record_add_block (rec, &edge_blocks[i]);
}

static void
assert_record (const IlTaskRecord *rec,
               const IlStateTimes *state)
{
  IlStateTimes got = il_task_record_state (rec);

  assert_state_equal (&got, state);
  g_assert_cmpuint (rec->n_blocks, ==, G_N_ELEMENTS (edge_blocks));
  for (guint i = 0; i < G_N_ELEMENTS (edge_blocks); i++)
    {
      IlBlockRecord b = il_task_record_block (rec, i);

      assert_block_equal (&b, &edge_blocks[i]);
    }
}

static void
test_extremes (void)
{
  const IlStateTimes states[] = {
    { TRUE, U32, U32, U32, U32, U32 },
    { TRUE, U32 + 1, 0, 0, 0, 0 },
    { TRUE, 0, 0, 0, 0, -1 },
    { FALSE, 1, 2, 3, 4, 5 },
    { FALSE, G_MAXINT64, 0, 0, 0, 0 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (states); s++)
    {
      IlTaskRecord rec, moved = { 0 };

      fill_record (&rec, &states[s]);
      assert_record (&rec, &states[s]);

      /* Moved to another record (what executors do with a worker's
       * result): the wide times go along. */
      il_task_record_take_measured (&moved, &rec);
      assert_record (&moved, &states[s]);
      g_assert_cmpuint (rec.n_blocks, ==, 0);

      /* Replaced in place: a block that fitted turns wide and back. */
      il_task_record_set_block (&moved, 0, &edge_blocks[1]);
      {
        IlBlockRecord b = il_task_record_block (&moved, 0);

        assert_block_equal (&b, &edge_blocks[1]);
      }
      il_task_record_set_block (&moved, 0, &edge_blocks[0]);
      assert_record (&moved, &states[s]);

      il_task_record_clear (&rec);
      il_task_record_clear (&moved);
    }
}

/* The rare fields live apart, allocated only when a task has one. */
static void
test_rare_fields (void)
{
  IlTaskRecord rec = { 0 };

  g_assert_cmpint (il_task_record_spawn_us (&rec), ==, -1);
  g_assert_cmpint (il_task_record_marshal_us (&rec), ==, -1);
  g_assert_cmpint (il_task_record_rank (&rec), ==, 0);
  g_assert_null (il_task_record_host (&rec));
  g_assert_null (il_task_record_error (&rec));
  il_task_record_set_spawn_us (&rec, -1);
  il_task_record_set_marshal_us (&rec, -1);
  il_task_record_set_rank (&rec, 0);
  il_task_record_take_host (&rec, NULL);
  il_task_record_take_error (&rec, NULL);
  il_task_record_set_state (&rec, &(IlStateTimes){ TRUE, 1, 2, 3, 4, 5 });
  g_assert_null (rec.extra_);

  il_task_record_set_spawn_us (&rec, G_MAXINT32);
  il_task_record_set_marshal_us (&rec, 0);
  il_task_record_set_rank (&rec, 3);
  il_task_record_take_host (&rec, g_strdup ("node-2"));
  il_task_record_take_error (&rec, g_strdup ("refused"));
  il_task_record_take_error (&rec, g_strdup ("refused again"));
  g_assert_nonnull (rec.extra_);
  g_assert_cmpint (il_task_record_spawn_us (&rec), ==, G_MAXINT32);
  g_assert_cmpint (il_task_record_marshal_us (&rec), ==, 0);
  g_assert_cmpint (il_task_record_rank (&rec), ==, 3);
  g_assert_cmpstr (il_task_record_host (&rec), ==, "node-2");
  g_assert_cmpstr (il_task_record_error (&rec), ==, "refused again");
  il_task_record_clear (&rec);
  g_assert_null (rec.extra_);
}

/* Through a copy of the results and the results document, written and read
 * back: the same values, the same text. */
static void
test_document_roundtrip (void)
{
  g_autoptr(IlResults) results = il_results_new ();
  g_autoptr(IlResults) copy = NULL;
  g_autoptr(IlResults) back = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char    *text = NULL;
  g_autofree char    *again = NULL;
  IlRunResult        *run = il_run_result_new ();
  IlRepetition       *rep = il_repetition_new ();
  const IlStateTimes  state = { TRUE, U32 + 7, 1, 2, 0, 0 };
  const IlRepetition *rep_back;

  results->experiment = g_strdup ("edges");
  run->label = g_strdup ("sequential");
  run->workers = 1;
  rep->checksum = g_strdup ("0000000000000000");
  for (guint t = 0; t < 2; t++)
    {
      IlTaskRecord rec;

      /* JSON has no place for invalid states' times: valid ones only. */
      fill_record (&rec, &state);
      il_task_record_truncate_blocks (&rec, G_N_ELEMENTS (edge_blocks) - 1);
      rec.index = t;
      g_array_append_val (rep->tasks, rec);
    }
  g_ptr_array_add (run->repetitions, rep);
  g_ptr_array_add (results->runs, run);

  copy = il_results_copy (results);
  g_assert_true (il_results_equal (results, copy));
  assert_state_equal ((IlStateTimes[]){ il_task_record_state (&g_array_index (
                        ((IlRepetition *) g_ptr_array_index (((IlRunResult *) g_ptr_array_index (copy->runs, 0))->repetitions, 0))->tasks,
                        IlTaskRecord, 1)) },
                      &state);

  text = il_results_to_data (results, NULL);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  back = il_results_from_json (json_parser_get_root (parser), "$", &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_true (il_results_equal (results, back));
  again = il_results_to_data (back, NULL);
  g_assert_cmpstr (text, ==, again);
  rep_back = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (back->runs, 0))->repetitions, 0);
  for (guint i = 0; i + 1 < G_N_ELEMENTS (edge_blocks); i++)
    {
      IlBlockRecord b = il_task_record_block (&g_array_index (rep_back->tasks, IlTaskRecord, 0), i);
      IlBlockRecord want = edge_blocks[i];

      /* Written: valid states only, and a first byte for HTTP blocks. */
      if (!want.state.valid)
        want.state = (IlStateTimes){ 0 };
      if (want.type != IL_BLOCK_HTTP)
        want.ttfb_us = -1;
      assert_block_equal (&b, &want);
    }
}

/* Through the worker protocol (a RESULT frame), which carries 64-bit times:
 * a worker's record with wide times arrives exactly. */
static void
test_protocol_roundtrip (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const IlStateTimes state = { TRUE, U32 + 1, 0, 0, 7, 0 };
  IlProtoResult      result = { 0 }, back = { 0 };
  IlFrameType        type;
  guint64            length;
  /* The protocol's times stop at 2^53: the 64-bit extremes stay out. */
  const guint n = G_N_ELEMENTS (edge_blocks) - 2;

  fill_record (&result.rec, &state);
  il_task_record_truncate_blocks (&result.rec, n);
  result.payload = (const guint8 *) "";
  il_protocol_write_result (frame, &result);
  g_assert_true (il_protocol_parse_header (frame->data, &type, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, IL_FRAME_RESULT);
  g_assert_true (il_protocol_read_result (frame->data + IL_PROTOCOL_HEADER_SIZE, (gsize) length, &back, &error));
  g_assert_no_error (error);
  {
    IlStateTimes got = il_task_record_state (&back.rec);

    assert_state_equal (&got, &state);
  }
  g_assert_cmpuint (back.rec.n_blocks, ==, n);
  for (guint i = 0; i < n; i++)
    {
      IlBlockRecord b = il_task_record_block (&back.rec, i);

      assert_block_equal (&b, &edge_blocks[i]);
    }
  il_task_record_clear (&result.rec);
  il_proto_result_clear (&back);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/task-record/size", test_size);
  g_test_add_func ("/il/task-record/extremes", test_extremes);
  g_test_add_func ("/il/task-record/rare-fields", test_rare_fields);
  g_test_add_func ("/il/task-record/document-roundtrip", test_document_roundtrip);
  g_test_add_func ("/il/task-record/protocol-roundtrip", test_protocol_roundtrip);

  return g_test_run ();
}
