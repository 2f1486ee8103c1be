/* test-yield.c — the `yield` block (issue 11): the file format, the
 * results' yield record, the wire, each executor, and the CLI's sections
 * under the table and in --markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here is timed: the cost per switch is the lesson's claim
 * (test-lessons.c, a timing case). These cases check counts: every yield
 * is made and recorded, and switches are counted where the yields have
 * someone to switch to.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "il-cpython.h"
#include "il-experiment.h"
#include "il-protocol.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

#define YIELD_EXPERIMENT                                                                      \
  "{ \"interleave\": 1, \"name\": \"yield\", \"tasks\": [ { \"name\": \"yielding\", "         \
  "\"repeat\": %d, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 1 }, " \
  "{ \"type\": \"yield\", \"times\": %d } ] } ], \"runs\": [ %s ], "                          \
  "\"settings\": { \"repetitions\": %d, \"cpu_affinity\": [0] } }"

/* Every repetition of @rr made @yields yields, and its record holds
 * together; returns the fewest switches a repetition counted. */
static gint64
check_yields (const IlRunResult *rr,
              gint64             yields)
{
  gint64 fewest = G_MAXINT64;

  g_assert_cmpuint (rr->repetitions->len, >, 0);
  for (guint i = 0; i < rr->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);
      gint64              switches = rep->yield.voluntary + rep->yield.involuntary;

      g_assert_cmpuint (rep->failed_tasks, ==, 0);
      g_assert_true (rep->has_yield);
      g_assert_false (rep->has_counter);
      g_assert_cmpint (rep->yield.yields, ==, yields);
      g_assert_cmpint (rep->yield.voluntary, >=, 0);
      g_assert_cmpint (rep->yield.involuntary, >=, 0);
      g_assert_cmpint (rep->yield.cpu_us, >, 0);
      g_test_message ("%s: %" G_GINT64_FORMAT " yields, %" G_GINT64_FORMAT " + %" G_GINT64_FORMAT
                      " switches, %" G_GINT64_FORMAT " µs",
                      rr->label, rep->yield.yields, rep->yield.voluntary, rep->yield.involuntary,
                      rep->yield.cpu_us);
      fewest = MIN (fewest, switches);
    }
  return fewest;
}

/* ---- the file --------------------------------------------------------- */

static void
test_file (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (YIELD_EXPERIMENT, 3, 2500,
                                                "{ \"executor\": \"sequential\" }", 1);
  const IlTaskGroup *group = g_ptr_array_index (exp->tasks, 0);
  const IlBlock     *block = g_ptr_array_index (group->blocks, 1);
  g_autoptr(IlExperiment) again = NULL;
  g_autoptr(IlBlock) fresh = il_block_new (IL_BLOCK_YIELD);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *described = NULL;
  static const struct
  {
    const char *json;
    const char *message;
  } bad[] = {
    { "{ \"type\": \"yield\" }", "1:58: tasks[0].blocks[0].times: required field is missing; a yield block says how many times it gives up the CPU" },
    { "{ \"type\": \"yield\", \"times\": 0 }", "1:86: tasks[0].blocks[0].times: expected an integer from 1 to 1000000, got 0" },
    { "{ \"type\": \"yield\", \"times\": 1000001 }", "times: expected an integer from 1 to 1000000, got 1000001" },
    { "{ \"type\": \"yield\", \"times\": 1.5 }", "got 1.5" },
    { "{ \"type\": \"yield\", \"times\": 5, \"units\": 3 }", "\"units\" does not apply to a yield block, only to cpu blocks" },
    { "{ \"type\": \"sleep\", \"ms\": 3, \"times\": 2 }", "\"times\" does not apply to a sleep block, only to yield blocks" },
    { "{ \"type\": \"yield\", \"time\": 5 }", "did you mean \"times\"" },
    { "{ \"type\": \"yeild\", \"times\": 5 }", "\"yield\"" },
  };

  g_assert_cmpint (block->type, ==, IL_BLOCK_YIELD);
  g_assert_cmpint (block->times, ==, 2500);
  described = il_block_describe (block);
  g_assert_cmpstr (described, ==, "yield × 2500");
  g_assert_cmpstr (il_block_type_to_string (IL_BLOCK_YIELD), ==, "yield");
  g_assert_cmpint (fresh->times, ==, 1000);
  g_assert_false (il_block_equal (fresh, block));

  /* Written back and read again: the same experiment. */
  data = il_experiment_to_data (exp, NULL);
  g_assert_nonnull (strstr (data, "{ \"type\": \"yield\", \"times\": 2500 }"));
  again = il_experiment_load_data (data, -1, "yield.interleave", &error);
  g_assert_no_error (error);
  g_assert_true (il_experiment_equal (exp, again));
  g_assert_cmpint (il_experiment_count_yields (exp), ==, 7500);
  g_assert_cmpint (il_experiment_count_increments (exp), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *json = g_strdup_printf ("{ \"interleave\": 1, \"name\": \"x\", \"tasks\": [ { \"blocks\": [ %s ] } ], "
                                               "\"runs\": [ { \"executor\": \"sequential\" } ] }",
                                               bad[i].json);
      g_autoptr(IlExperiment) none = NULL;

      g_clear_error (&error);
      none = il_experiment_load_data (json, -1, "yield.interleave", &error);
      g_assert_null (none);
      g_assert_nonnull (error);
      g_test_message ("%s → %s", bad[i].json, error->message);
      g_assert_true (g_str_has_prefix (error->message, "yield.interleave:1:"));
      g_assert_nonnull (strstr (error->message, bad[i].message));
    }
}

/* ---- results documents -------------------------------------------------- */

static JsonObject *
yield_json (JsonNode *results,
            guint     run)
{
  JsonObject *r = json_array_get_object_element (json_object_get_array_member (json_node_get_object (results), "runs"), run);

  return json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (r, "repetitions"), 0), "yield");
}

static void
test_results_roundtrip (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (YIELD_EXPERIMENT, 2, 3000,
                                                "{ \"executor\": \"threads\", \"workers\": 2 }", 1);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);
  g_autoptr(IlResults) back = NULL;
  g_autoptr(JsonNode) node = il_results_to_json (results);
  g_autoptr(GError) error = NULL;
  IlRepetition *rep = il_test_first_rep (results, 0);
  JsonObject   *y = yield_json (node, 0);

  g_assert_nonnull (y);
  g_assert_cmpint (json_object_get_int_member (y, "yields"), ==, 6000);
  g_assert_cmpint (json_object_get_int_member (y, "voluntary"), ==, rep->yield.voluntary);
  g_assert_cmpint (json_object_get_int_member (y, "involuntary"), ==, rep->yield.involuntary);
  g_assert_cmpint (json_object_get_int_member (y, "cpu_us"), ==, rep->yield.cpu_us);
  g_assert_true (json_object_has_member (y, "us_per_switch"));

  back = il_results_from_json (node, "$", &error);
  g_assert_no_error (error);
  g_assert_true (il_results_equal (results, back));

  /* The cost per switch: CPU time ÷ switches, null without a switch. */
  {
    IlYieldRecord none = { 10, 0, 0, 500 };
    IlYieldRecord some = { 10, 3, 7, 500 };

    g_assert_true (isnan (il_yield_record_us_per_switch (&none)));
    g_assert_cmpfloat (il_yield_record_us_per_switch (&some), ==, 50.0);
    rep->yield = none;
    g_clear_pointer (&node, json_node_unref);
    node = il_results_to_json (results);
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (yield_json (node, 0), "us_per_switch")));
    g_clear_pointer (&back, il_results_free);
    back = il_results_from_json (node, "$", &error);
    g_assert_no_error (error);
    g_assert_true (il_results_equal (results, back));
  }

  /* Strict like every record: unknown fields, wrong types, missing counts. */
  {
    static const char *const breakers[] = { "unknown", "us_per_switch", "yields", "cpu_us" };

    for (guint i = 0; i < G_N_ELEMENTS (breakers); i++)
      {
        g_autoptr(JsonNode) bad = json_node_copy (node);
        JsonObject *b = yield_json (bad, 0);
        g_autoptr(IlResults) refused = NULL;

        if (i == 0)
          json_object_set_int_member (b, "unknown", 1);
        else if (i == 1)
          json_object_set_string_member (b, "us_per_switch", "fast");
        else if (i == 2)
          json_object_remove_member (b, "yields");
        else
          json_object_set_int_member (b, "cpu_us", -1);
        refused = il_results_from_json (bad, "$", &error);
        g_assert_null (refused);
        g_assert_nonnull (error);
        g_test_message ("%s", error->message);
        g_assert_nonnull (strstr (error->message, "yield"));
        g_clear_error (&error);
      }
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
  g_autoptr(GError) error = NULL;
  IlProtoTask   task = { 0 }, task2 = { 0 };
  IlProtoResult result = { 0 }, result2 = { 0 };
  IlBlock      *block = il_block_new (IL_BLOCK_YIELD);
  const guint8 *body;
  gsize         len;

  g_assert_cmpint (IL_PROTOCOL_VERSION, >=, 4); /* the yield block came in version 4 */
  block->times = 4321;
  g_ptr_array_add (group->blocks, block);
  task.def = group;
  il_protocol_write_task (frame, &task);
  body = frame_body (frame, &len);
  g_assert_true (il_protocol_read_task (body, len, &task2, &error));
  g_assert_no_error (error);
  block = g_ptr_array_index (task2.def->blocks, task2.def->blocks->len - 1);
  g_assert_cmpint (block->type, ==, IL_BLOCK_YIELD);
  g_assert_cmpint (block->times, ==, 4321);
  il_proto_task_clear (&task2);

  /* A yield count no file could hold is refused. */
  block = g_ptr_array_index (group->blocks, group->blocks->len - 1);
  block->times = IL_MAX_YIELDS + 1;
  g_byte_array_set_size (frame, 0);
  il_protocol_write_task (frame, &task);
  body = frame_body (frame, &len);
  g_assert_false (il_protocol_read_task (body, len, &task2, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "times"));
  g_clear_error (&error);

  g_byte_array_set_size (frame, 0);
  result.yielded.yields = 20000;
  result.yielded.nvcsw = 3;
  result.yielded.nivcsw = 19990;
  result.yielded.cpu_us = 45000;
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, &len);
  g_assert_true (il_protocol_read_result (body, len, &result2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result2.yielded.yields, ==, 20000);
  g_assert_cmpint (result2.yielded.nvcsw, ==, 3);
  g_assert_cmpint (result2.yielded.nivcsw, ==, 19990);
  g_assert_cmpint (result2.yielded.cpu_us, ==, 45000);
  il_proto_result_clear (&result2);

  g_byte_array_set_size (frame, 0);
  result.yielded.nivcsw = -1;
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, &len);
  g_assert_false (il_protocol_read_result (body, len, &result2, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_WORKER);
  il_task_record_clear (&result.rec);
}

/* ---- the executors ------------------------------------------------------- */

/* Every executor makes every yield and records it. On one core, two
 * threads (or two worker processes) that yield switch to each other. */
static void
test_executors (void)
{
  g_autoptr(IlExperiment) exp = il_test_loadf (YIELD_EXPERIMENT, 2, 5000,
                                                "{ \"executor\": \"sequential\" }, "
                                                "{ \"executor\": \"threads\", \"workers\": 2 }, "
                                                "{ \"executor\": \"threads\", \"workers\": 2, \"gil\": true }, "
                                                "{ \"executor\": \"processes\", \"workers\": 2 }, "
                                                "{ \"executor\": \"async\" }",
                                                1);
  g_autoptr(IlResults) results = il_test_run (exp, NULL, NULL);

  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *rr = il_test_run_at (results, r);
      gint64             fewest = check_yields (rr, 10000);

      /* Threads and processes on one core: the yields have someone to
       * switch to (not always: one may finish first). */
      if ((rr->executor == IL_EXECUTOR_THREADS || rr->executor == IL_EXECUTOR_PROCESSES))
        g_assert_cmpint (fewest, >, 0);
    }

  /* Async: a yield is a hand-over to the loop, so the two tasks' yield
   * blocks run at the same time, taking turns. */
  {
    const IlRepetition *rep = il_test_first_rep (results, 4);
    const IlTaskRecord *a = &g_array_index (rep->tasks, IlTaskRecord, 0);
    const IlTaskRecord *b = &g_array_index (rep->tasks, IlTaskRecord, 1);
    const IlBlockRecord ya_copy = il_task_record_block (a, 1), *ya = &ya_copy;
    const IlBlockRecord yb_copy = il_task_record_block (b, 1), *yb = &yb_copy;

    g_assert_cmpint (ya->type, ==, IL_BLOCK_YIELD);
    g_assert_cmpint (yb->type, ==, IL_BLOCK_YIELD);
    g_assert_cmpint (MAX (ya->start_us, yb->start_us), <, MIN (ya->end_us, yb->end_us));
  }
}

/* The same blocks as real Python: os.sched_yield in threads and
 * multiprocessing children, asyncio.sleep(0) on the loop. */
static void
test_cpython (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlResults) results = NULL;

  if (!il_cpython_available (&version, &error))
    {
      g_autofree char *why = g_strdup_printf ("the cpython engine cannot run here: %s", error->message);

      g_test_skip (why);
      return;
    }
  exp = il_test_loadf (YIELD_EXPERIMENT, 2, 3000,
                       "{ \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" }, "
                       "{ \"executor\": \"processes\", \"workers\": 2, \"engine\": \"cpython\" }, "
                       "{ \"executor\": \"async\", \"engine\": \"cpython\" }",
                       1);
  results = il_test_run (exp, NULL, NULL);
  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult  *rr = il_test_run_at (results, r);
      const IlRepetition *rep = il_test_first_rep (results, r);

      g_assert_cmpuint (rep->failed_tasks, ==, 0);
      g_assert_true (rep->has_yield);
      g_assert_cmpint (rep->yield.yields, ==, 6000);
      g_test_message ("%s: %" G_GINT64_FORMAT " + %" G_GINT64_FORMAT " switches", rr->label,
                      rep->yield.voluntary, rep->yield.involuntary);
    }
}

/* ---- the CLI ------------------------------------------------------------ */

/* The table and --markdown carry the lost-updates and context-switch
 * sections (--markdown had neither). */
static void
test_cli (void)
{
  const char      *cli = g_getenv ("IL_CLI");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int         status;
  const char *json = "{ \"interleave\": 1, \"name\": \"both\", \"tasks\": [ { \"repeat\": 2, \"blocks\": ["
                     " { \"type\": \"counter\", \"increments\": 1000 }, { \"type\": \"yield\", \"times\": 500 } ] } ],"
                     " \"runs\": [ { \"executor\": \"threads\", \"workers\": 2 }, { \"executor\": \"async\" } ],"
                     " \"settings\": { \"cpu_affinity\": [0] } }";

  if (cli == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  dir = g_dir_make_tmp ("il-yield-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "both.interleave", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, &error));
  for (guint markdown = 0; markdown < 2; markdown++)
    {
      const char *argv[] = { cli, "run", path, markdown ? "--markdown" : NULL, "-", NULL };

      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
      g_assert_no_error (error);
      g_test_message ("%s", out);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      if (markdown)
        {
          g_assert_true (g_str_has_prefix (out, "### both\n"));
          g_assert_nonnull (strstr (out, "\n#### lost updates (counter blocks, median repetition):\n\n- threads ×2: "));
          g_assert_nonnull (strstr (out, "\n- async: 0 of 2000 lost"));
          g_assert_nonnull (strstr (out, "\n#### context switches (yield blocks, median repetition):\n\n- threads ×2: 1000 yields, "));
          g_assert_nonnull (strstr (out, "\n- async: 1000 yields, "));
        }
      else
        {
          g_assert_nonnull (strstr (out, "\nlost updates (counter blocks, median repetition):\n  threads ×2: "));
          g_assert_nonnull (strstr (out, "\ncontext switches (yield blocks, median repetition):\n  threads ×2: 1000 yields, "));
          g_assert_nonnull (strstr (out, " switches, "));
        }
    }
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/yield/file", test_file);
  g_test_add_func ("/il/yield/results-roundtrip", test_results_roundtrip);
  g_test_add_func ("/il/yield/protocol", test_protocol);
  g_test_add_func ("/il/yield/executors", test_executors);
  g_test_add_func ("/il/yield/cpython", test_cpython);
  g_test_add_func ("/il/yield/cli", test_cli);

  return g_test_run ();
}
