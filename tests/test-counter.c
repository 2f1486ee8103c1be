/* test-counter.c — the `counter` block (issue 11): the file format, the
 * results, the wire, and lost updates under each executor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whether updates are lost under native threads depends on the two threads
 * really overlapping, or one being preempted between a read and its write:
 * a repetition in which one thread ran alone (the machine is shared) loses
 * nothing. So each thread gets two tasks of 1,000,000 increments, the run
 * has several repetitions, and it is taken again when none of them lost
 * anything; nothing is timed.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "il-experiment.h"
#include "il-protocol.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

#define ATTEMPTS 3

/* Every repetition's record is consistent; returns the largest loss. */
static gint64
check_counts (const IlRunResult *rr,
              gint64             expected)
{
  gint64 max_lost = 0;

  g_assert_cmpuint (rr->repetitions->len, >, 0);
  for (guint i = 0; i < rr->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);

      g_assert_true (rep->has_counter);
      g_assert_cmpuint (rep->failed_tasks, ==, 0);
      g_assert_cmpint (rep->counter_expected, ==, expected);
      g_assert_cmpint (rep->counter_final, >=, 0);
      g_assert_cmpint (rep->counter_final, <=, expected);
      max_lost = MAX (max_lost, rep->counter_expected - rep->counter_final);
    }
  return max_lost;
}

static gint64
sum_lock_wait (const IlRunResult *rr)
{
  gint64 total = 0;

  for (guint i = 0; i < rr->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);

      for (guint t = 0; t < rep->tasks->len; t++)
        {
          const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);
          gint64              blocks = 0;

          g_assert_cmpint (rec->state.lock_wait, >=, 0);
          for (guint b = 0; b < rec->blocks->len; b++)
            blocks += g_array_index (rec->blocks, IlBlockRecord, b).state.lock_wait;
          /* The task's lock wait is its blocks'. */
          if (rec->state.valid)
            g_assert_cmpint (rec->state.lock_wait, ==, blocks);
          total += rec->state.lock_wait;
        }
    }
  return total;
}

#define COUNTER_EXPERIMENT                                                                    \
  "{ \"interleave\": 1, \"name\": \"counter\", \"tasks\": [ { \"name\": \"count\", "          \
  "\"repeat\": %d, \"blocks\": [ { \"type\": \"counter\", \"increments\": 1000000%s } ] } ]," \
  " \"runs\": [ %s ], \"settings\": { \"repetitions\": %d } }"

/* ---- the file --------------------------------------------------------- */

static void
test_file (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (COUNTER_EXPERIMENT, 2, ", \"lock\": true",
                                                "{ \"executor\": \"threads\", \"workers\": 2 }", 1);
  const IlTaskGroup *group = g_ptr_array_index (exp->tasks, 0);
  const IlBlock     *block = g_ptr_array_index (group->blocks, 0);
  g_autoptr(IlExperiment) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *described = NULL;
  static const struct
  {
    const char *json;
    const char *message;
  } bad[] = {
    { "{ \"type\": \"counter\" }", "a counter block says how many increments it makes" },
    { "{ \"type\": \"counter\", \"increments\": 0 }", "increments: expected an integer from 1 to 10000000, got 0" },
    { "{ \"type\": \"counter\", \"increments\": 10000001 }", "expected an integer from 1 to 10000000" },
    { "{ \"type\": \"counter\", \"increments\": 5, \"lock\": 1 }", "lock" },
    { "{ \"type\": \"counter\", \"increments\": 5, \"units\": 3 }", "cpu blocks" },
    { "{ \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3, \"lock\": true }", "counter blocks" },
    { "{ \"type\": \"counter\", \"increments\": 5, \"locks\": true }", "locks" },
  };

  g_assert_cmpint (block->type, ==, IL_BLOCK_COUNTER);
  g_assert_cmpint (block->increments, ==, 1000000);
  g_assert_true (block->lock);
  described = il_block_describe (block);
  g_assert_cmpstr (described, ==, "count 1000000 (lock)");

  /* Written back and read again: the same experiment. */
  data = il_experiment_to_data (exp, NULL);
  g_assert_nonnull (strstr (data, "\"increments\": 1000000"));
  g_assert_nonnull (strstr (data, "\"lock\": true"));
  again = il_experiment_load_data (data, -1, "counter.interleave", &error);
  g_assert_no_error (error);
  g_assert_true (il_experiment_equal (exp, again));
  g_assert_cmpint (il_experiment_count_increments (exp), ==, 2000000);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *json = g_strdup_printf ("{ \"interleave\": 1, \"name\": \"x\", \"tasks\": [ { \"blocks\": [ %s ] } ], "
                                               "\"runs\": [ { \"executor\": \"sequential\" } ] }",
                                               bad[i].json);
      g_autoptr(IlExperiment) none = NULL;

      g_clear_error (&error);
      none = il_experiment_load_data (json, -1, "counter.interleave", &error);
      g_assert_null (none);
      g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
      g_test_message ("%s → %s", bad[i].json, error->message);
      g_assert_true (g_str_has_prefix (error->message, "counter.interleave:1:"));
      g_assert_nonnull (strstr (error->message, bad[i].message));
    }
}

/* ---- results documents -------------------------------------------------- */

static void
test_results_roundtrip (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (COUNTER_EXPERIMENT, 2, "",
                                                "{ \"executor\": \"processes\", \"workers\": 2 }, "
                                                "{ \"executor\": \"threads\", \"workers\": 2, \"gil\": true }",
                                                1);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  g_autoptr(IlResults) back = NULL;
  g_autoptr(JsonNode) node = il_results_to_json (results);
  g_autoptr(GError) error = NULL;
  g_autofree char    *data = il_results_to_data (results, NULL);
  JsonObject         *counter;
  const IlRunResult  *rr = g_ptr_array_index (results->runs, 0);
  const IlRepetition *rep = g_ptr_array_index (rr->repetitions, 0);

  g_assert_nonnull (rep->counter_per_worker);
  counter = json_object_get_object_member (
    json_array_get_object_element (
      json_object_get_array_member (
        json_array_get_object_element (json_object_get_array_member (json_node_get_object (node), "runs"), 0),
        "repetitions"),
      0),
    "counter");
  g_assert_nonnull (counter);
  g_assert_cmpint (json_object_get_int_member (counter, "expected"), ==, 2000000);
  g_assert_cmpint (json_object_get_int_member (counter, "final"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (counter, "lost"), ==, 2000000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (counter, "per_worker")), ==, 2);

  back = il_results_from_json (node, "$", &error);
  g_assert_no_error (error);
  g_assert_true (il_results_equal (results, back));
  g_assert_nonnull (data);

  /* lost must be expected − final. */
  {
    g_autoptr(JsonNode) bad = json_node_copy (node);
    JsonObject *c = json_object_get_object_member (
      json_array_get_object_element (
        json_object_get_array_member (
          json_array_get_object_element (json_object_get_array_member (json_node_get_object (bad), "runs"), 0),
          "repetitions"),
        0),
      "counter");
    g_autoptr(IlResults) none = NULL;

    json_object_set_int_member (c, "lost", 5);
    none = il_results_from_json (bad, "$", &error);
    g_assert_null (none);
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "counter.lost"));
    g_clear_error (&error);
  }

  /* A lock_wait state and a counter without per_worker read back. */
  {
    IlRunResult  *r1 = g_ptr_array_index (results->runs, 1);
    IlRepetition *rp = g_ptr_array_index (r1->repetitions, 0);
    IlTaskRecord *rec = &g_array_index (rp->tasks, IlTaskRecord, 0);
    g_autoptr(JsonNode) node2 = NULL;
    g_autoptr(IlResults) back2 = NULL;

    g_assert_null (rp->counter_per_worker);
    rec->state.valid = TRUE;
    rec->state.lock_wait = 1234;
    node2 = il_results_to_json (results);
    back2 = il_results_from_json (node2, "$", &error);
    g_assert_no_error (error);
    g_assert_true (il_results_equal (results, back2));
    rp = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (back2->runs, 1))->repetitions, 0);
    g_assert_cmpint (g_array_index (rp->tasks, IlTaskRecord, 0).state.lock_wait, ==, 1234);
  }
}

/* ---- the wire ------------------------------------------------------------ */

static const guint8 *
frame_body (GByteArray *frame,
            gsize      *len)
{
  IlFrameType type;
  guint64     length;

  g_assert_true (il_protocol_parse_header (frame->data, &type, &length, NULL));
  *len = (gsize) length;
  return frame->data + IL_PROTOCOL_HEADER_SIZE;
}

static void
test_protocol (void)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(IlTaskGroup) group = il_task_group_new ();
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (IlEvent));
  g_autoptr(GError) error = NULL;
  IlProtoTask   task = { 0 }, task2 = { 0 };
  IlProtoResult result = { 0 }, result2 = { 0 };
  IlStateTimes  state = { TRUE, 10, 20, 30, 40, 50 };
  IlBlock      *block = il_block_new (IL_BLOCK_COUNTER);
  IlEvent       ev;
  const guint8 *body;
  gsize         len;

  block->increments = 777;
  block->lock = TRUE;
  g_ptr_array_add (group->blocks, block);
  task.def = group;
  il_protocol_write_task (frame, &task);
  body = frame_body (frame, &len);
  g_assert_true (il_protocol_read_task (body, len, &task2, &error));
  g_assert_no_error (error);
  block = g_ptr_array_index (task2.def->blocks, 1);
  g_assert_cmpint (block->type, ==, IL_BLOCK_COUNTER);
  g_assert_cmpint (block->increments, ==, 777);
  g_assert_true (block->lock);
  il_proto_task_clear (&task2);

  g_byte_array_set_size (frame, 0);
  ev = il_event_block_end (5, 10, 0, IL_BLOCK_COUNTER, FALSE, &state);
  il_protocol_write_events (frame, &ev, 1);
  body = frame_body (frame, &len);
  g_assert_true (il_protocol_read_events (body, len, events, &error));
  g_assert_cmpint (g_array_index (events, IlEvent, 0).block_end.state.lock_wait, ==, 50);

  g_byte_array_set_size (frame, 0);
  result.rec.blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
  result.rec.state = state;
  result.counted = 2000000;
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, &len);
  g_assert_true (il_protocol_read_result (body, len, &result2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result2.counted, ==, 2000000);
  g_assert_cmpint (result2.rec.state.lock_wait, ==, 50);
  il_proto_result_clear (&result2);

  /* A count no file could have asked for is refused. */
  g_byte_array_set_size (frame, 0);
  result.counted = -1;
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, &len);
  g_assert_false (il_protocol_read_result (body, len, &result2, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  il_task_record_clear (&result.rec);
}

/* ---- lost updates ---------------------------------------------------------- */

/* Native threads ×2, 1,000,000 increments per task: updates are lost. */
static void
test_threads_lose_updates (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (COUNTER_EXPERIMENT, 4, "",
                                                "{ \"executor\": \"threads\", \"workers\": 2 }", 3);
  gint64 lost = 0;

  for (guint attempt = 0; attempt < ATTEMPTS && lost == 0; attempt++)
    {
      g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);

      lost = check_counts (g_ptr_array_index (results->runs, 0), 4000000);
      g_test_message ("attempt %u: at most %" G_GINT64_FORMAT " of 4000000 lost", attempt + 1, lost);
    }
  g_assert_cmpint (lost, >, 0);
}

/* The same with the lock: nothing lost, and the wait for it is recorded. */
static void
test_threads_lock (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (COUNTER_EXPERIMENT, 4, ", \"lock\": true",
                                                "{ \"executor\": \"threads\", \"workers\": 2 }", 3);
  gint64 lock_wait = 0;

  for (guint attempt = 0; attempt < ATTEMPTS && lock_wait == 0; attempt++)
    {
      g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
      const IlRunResult *rr = g_ptr_array_index (results->runs, 0);

      g_assert_cmpint (check_counts (rr, 4000000), ==, 0);
      lock_wait = sum_lock_wait (rr);
      g_test_message ("attempt %u: lock_wait %" G_GINT64_FORMAT " µs", attempt + 1, lock_wait);
    }
  g_assert_cmpint (lock_wait, >, 0);
}

/* Cooperative: every increment runs on the loop thread, none is lost. */
static void
test_async (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (COUNTER_EXPERIMENT, 2, "",
                                                "{ \"executor\": \"async\" }, { \"executor\": \"sequential\" }", 2);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);

  g_assert_cmpint (check_counts (g_ptr_array_index (results->runs, 0), 2000000), ==, 0);
  g_assert_cmpint (check_counts (g_ptr_array_index (results->runs, 1), 2000000), ==, 0);
}

/* Processes: the parent's counter never moves; the workers' counts add up. */
static void
test_processes (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (COUNTER_EXPERIMENT, 2, "",
                                                "{ \"executor\": \"processes\", \"workers\": 2 }, "
                                                "{ \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\" }",
                                                2);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);

  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *rr = g_ptr_array_index (results->runs, r);

      check_counts (rr, 2000000);
      for (guint i = 0; i < rr->repetitions->len; i++)
        {
          const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);
          gint64              sum = 0;

          g_assert_cmpint (rep->counter_final, ==, 0);
          g_assert_nonnull (rep->counter_per_worker);
          g_assert_cmpuint (rep->counter_per_worker->len, ==, 2);
          for (guint w = 0; w < rep->counter_per_worker->len; w++)
            sum += g_array_index (rep->counter_per_worker, gint64, w);
          g_assert_cmpint (sum, ==, rep->counter_expected);
        }
    }
}

/* The simulated GIL: the lock can change hands between a read and its
 * write, so a long count loses updates like CPython's `x += 1`; with the
 * counter's lock it loses none (and does not deadlock: the GIL is never
 * handed over while the lock is held). */
static void
test_gil (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf ("{ \"interleave\": 1, \"name\": \"gil\", \"tasks\": ["
                                                " { \"repeat\": 2, \"blocks\": [ { \"type\": \"counter\", \"increments\": 3000000 } ] },"
                                                " { \"repeat\": 2, \"blocks\": [ { \"type\": \"counter\", \"increments\": 300000, \"lock\": true } ] } ],"
                                                " \"runs\": [ { \"executor\": \"threads\", \"workers\": 2, \"gil\": true, \"switch_interval_ms\": 1 } ] }");
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  const IlRunResult  *rr = g_ptr_array_index (results->runs, 0);
  const IlRepetition *rep = g_ptr_array_index (rr->repetitions, 0);

  check_counts (rr, 6600000);
  g_assert_cmpuint (rep->gil_holds->len, >, 1);
  g_test_message ("GIL: %" G_GINT64_FORMAT " lost", rep->counter_expected - rep->counter_final);
}

/* ---- the CLI ------------------------------------------------------------ */

static void
test_cli (void)
{
  const char      *cli = g_getenv ("IL_CLI");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int              status;
  g_autofree char *json = g_strdup_printf (COUNTER_EXPERIMENT, 2, "",
                                           "{ \"executor\": \"async\" }, { \"executor\": \"processes\", \"workers\": 2 }", 1);

  if (cli == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  dir = g_dir_make_tmp ("il-counter-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "counter.interleave", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  {
    const char *argv[] = { cli, "run", path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "lost updates"));
  g_assert_nonnull (strstr (out, "async: 0 of 2000000 lost"));
  g_assert_nonnull (strstr (out, "processes ×2: 2000000 of 2000000 lost"));
  /* Which worker ran which task is the pool's business: only the sum is known. */
  g_assert_nonnull (strstr (out, "each worker counted in its own memory: "));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/counter/file", test_file);
  g_test_add_func ("/il/counter/results-roundtrip", test_results_roundtrip);
  g_test_add_func ("/il/counter/protocol", test_protocol);
  g_test_add_func ("/il/counter/threads-lose-updates", test_threads_lose_updates);
  g_test_add_func ("/il/counter/threads-lock", test_threads_lock);
  g_test_add_func ("/il/counter/async", test_async);
  g_test_add_func ("/il/counter/processes", test_processes);
  g_test_add_func ("/il/counter/gil", test_gil);
  g_test_add_func ("/il/counter/cli", test_cli);

  return g_test_run ();
}
