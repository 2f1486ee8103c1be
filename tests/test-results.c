/* test-results.c — results: lifetime, equality, the results document's JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "il-results.h"

static IlTaskRecord
make_task (guint group,
           guint index)
{
  IlTaskRecord  task = { 0 };
  IlBlockRecord block = { 0 };

  task.group = group;
  task.index = index;
  task.worker = (gint) index % 2;
  task.pid = 4242;
  task.tid = 4250 + (gint) index;
  task.cpu_start = 0;
  task.cpu_end = 1;
  task.queued_us = 0;
  task.start_us = 15 + index * 100;
  task.end_us = 40210 + index * 100;
  il_task_record_set_spawn_us (&task, -1);
  task.checksum = G_GUINT64_CONSTANT (0x9f3c0000deadbeef) + index;
  {
    IlStateTimes st = il_task_record_state (&task);

    st.valid = TRUE;
    st.running = 40010;
    st.ready = 150;
    st.blocked = 35;
    il_task_record_set_state (&task, &st);
  }
  il_task_record_reserve_blocks (&task, 2);

  block.type = IL_BLOCK_CPU;
  block.start_us = task.start_us;
  block.end_us = task.start_us + 20000;
  block.ttfb_us = -1;
  /* Its states in time order: written, read back, copied and compared. */
  block.segments = g_malloc0 (sizeof (IlStateSegments) + 3 * sizeof (IlStateSegment));
  block.segments->n = 3;
  block.segments->seg[0] = (IlStateSegment){ 8000, IL_STATE_RUNNING };
  block.segments->seg[1] = (IlStateSegment){ 5000 + (guint32) index, IL_STATE_GIL_WAIT };
  block.segments->seg[2] = (IlStateSegment){ 7000 - (guint32) index, IL_STATE_RUNNING };
  il_task_record_add_block (&task, &block);
  block.segments = NULL;

  block.type = IL_BLOCK_HTTP;
  block.start_us = block.end_us;
  block.end_us = task.end_us;
  block.ttfb_us = 19000;
  block.state.valid = TRUE;
  block.state.running = 10;
  block.state.ready = 2;
  block.state.blocked = 19988;
  il_task_record_add_block (&task, &block);

  return task;
}

static IlRepetition *
make_repetition (gboolean warmup)
{
  IlRepetition *rep = il_repetition_new ();
  IlTaskRecord  task;
  IlSpan        span = { 1, 0, 5000 };
  IlLagSample   lag = { 50000, 4000 };

  rep->makespan_ms = 812.4004;
  rep->checksum = g_strdup ("9f3c00000000abcd");
  rep->warmup = warmup;
  rep->cpu_user_ms = 790.5;
  rep->cpu_sys_ms = 2.25;
  rep->ctx_voluntary = 60;
  rep->ctx_involuntary = 17;
  rep->overhead_cpu_ms = 0.6;
  rep->load_hz = 20;

  for (guint c = 0; c < 2; c++)
    {
      GArray *series = g_array_new (FALSE, FALSE, sizeof (float));
      float   samples[] = { 97.5f, 99.04f, 0.0f };

      g_array_append_vals (series, samples, G_N_ELEMENTS (samples));
      g_ptr_array_add (rep->core_load, series);
    }

  task = make_task (0, 0);
  g_array_append_val (rep->tasks, task);
  task = make_task (0, 1);
  task.failed = TRUE;
  il_task_record_take_error (&task, g_strdup ("connection refused"));
  il_task_record_set_spawn_us (&task, 1200);
  {
    IlStateTimes st = il_task_record_state (&task);

    st.gil_wait = 300;
    il_task_record_set_state (&task, &st);
  }
  g_array_append_val (rep->tasks, task);
  task = make_task (1, 0);
  {
    IlStateTimes st = il_task_record_state (&task);

    st.valid = FALSE;
    il_task_record_set_state (&task, &st);
  }
  g_array_append_val (rep->tasks, task);
  rep->failed_tasks = 1;

  g_array_append_val (rep->gil_holds, span);
  g_array_append_val (rep->loop_lag, lag);

  return rep;
}

static IlResults *
make_results (void)
{
  IlResults   *results = il_results_new ();
  IlRunResult *run;

  results->experiment = g_strdup ("CPU-bound: threads vs processes");
  results->machine.cpu_model = g_strdup ("Test CPU");
  results->machine.cores = 2;
  results->machine.mhz = 2900;
  results->machine.governor = g_strdup ("performance");
  results->machine.loadavg = 0.12;
  results->machine.kernel = g_strdup ("6.1.0");
  results->machine.os = g_strdup ("Debian GNU/Linux 12 (bookworm)");
  results->machine.interleave_version = g_strdup ("0.1.0");
  results->machine.date = g_strdup ("2026-11-27T10:00:00Z");
  g_strfreev (results->warnings);
  results->warnings = g_strsplit ("CPU frequency scaling is on (governor: powersave)", "|", -1);

  /* A sequential baseline. */
  run = il_run_result_new ();
  run->label = g_strdup ("sequential");
  run->executor = IL_EXECUTOR_SEQUENTIAL;
  run->workers = 1;
  run->summary.makespan_ms = (IlStats){ 1600.25, 1590.0, 1620.5, 1603.1, 12.25 };
  run->summary.speedup = 1.0;
  run->summary.efficiency = 1.0;
  run->summary.throughput_per_s = 5.0;
  run->summary.latency_mean_ms = 800.0;
  run->summary.latency_p50_ms = 798.0;
  run->summary.latency_p95_ms = 1500.0;
  run->summary.cpu_user_ms = 1590.0;
  run->summary.cpu_sys_ms = 4.0;
  run->summary.checksum = g_strdup ("9f3c00000000abcd");
  g_ptr_array_add (run->repetitions, make_repetition (TRUE));
  g_ptr_array_add (run->repetitions, make_repetition (FALSE));
  g_ptr_array_add (results->runs, run);

  /* threads with the GIL; no speedup known (NAN → null). */
  run = il_run_result_new ();
  run->label = g_strdup ("threads ×4 (GIL 5 ms)");
  run->executor = IL_EXECUTOR_THREADS;
  run->workers = 4;
  run->gil = TRUE;
  run->switch_interval_ms = 5;
  run->config_index = 1;
  run->summary.makespan_ms = (IlStats){ 812.4, 805.0, 830.1, 814.2, 9.8 };
  run->summary.speedup = NAN;
  run->summary.efficiency = NAN;
  run->summary.throughput_per_s = 9.85;
  run->summary.ctx_voluntary = 120;
  run->summary.ctx_involuntary = 35;
  run->summary.checksum = g_strdup ("9f3c00000000abcd");
  run->summary.overhead_cpu_ms = 1.2;
  run->summary.failed_tasks = 1;
  g_ptr_array_add (run->repetitions, make_repetition (FALSE));
  g_ptr_array_add (results->runs, run);

  /* processes, per task; async with a slice. */
  run = il_run_result_new ();
  run->label = g_strdup ("processes ×2 (per task)");
  run->executor = IL_EXECUTOR_PROCESSES;
  run->workers = 2;
  run->spawn = IL_SPAWN_PER_TASK;
  run->config_index = 2;
  g_ptr_array_add (results->runs, run);

  run = il_run_result_new ();
  run->label = g_strdup ("async (slice 5)");
  run->executor = IL_EXECUTOR_ASYNC;
  run->cpu_slice_units = 5;
  run->config_index = 3;
  g_ptr_array_add (results->runs, run);

  return results;
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static JsonObject *
object_at (JsonObject *object,
           const char *member)
{
  g_assert_true (json_object_has_member (object, member));
  return json_object_get_object_member (object, member);
}

static JsonObject *
element_at (JsonObject *object,
            const char *member,
            guint       index)
{
  JsonArray *array = json_object_get_array_member (object, member);

  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), >, index);

  return json_array_get_object_element (array, index);
}

static void
test_new_free (void)
{
  g_autoptr(IlResults) results = il_results_new ();
  g_autoptr(IlRunResult) run = il_run_result_new ();
  g_autoptr(IlRepetition) rep = il_repetition_new ();
  g_autoptr(IlResults) copy = NULL;
  IlTaskRecord task = make_task (0, 0);

  g_assert_nonnull (results->runs);
  g_assert_nonnull (results->warnings);
  g_assert_true (isnan (run->summary.speedup));
  g_assert_nonnull (rep->tasks);
  g_assert_nonnull (rep->core_load);
  g_assert_nonnull (rep->gil_holds);
  g_assert_nonnull (rep->loop_lag);

  /* The tasks array frees its records' blocks and errors itself. */
  il_task_record_take_error (&task, g_strdup ("boom"));
  g_array_append_val (rep->tasks, task);
  g_array_set_size (rep->tasks, 0);

  copy = il_results_copy (results);
  g_assert_true (il_results_equal (results, copy));

  {
    IlMachine machine = { 0 };

    machine.cpu_model = g_strdup ("x");
    machine.date = g_strdup ("y");
    il_machine_clear (&machine);
    g_assert_null (machine.cpu_model);
    g_assert_null (machine.date);
  }
}

static void
test_copy_equal (void)
{
  g_autoptr(IlResults) results = make_results ();
  g_autoptr(IlResults) copy = il_results_copy (results);
  IlRunResult  *run;
  IlRepetition *rep;

  g_assert_true (il_results_equal (results, copy));

  /* Below the written precision: still equal. */
  run = g_ptr_array_index (copy->runs, 1);
  run->summary.makespan_ms.median += 0.0001;
  g_assert_true (il_results_equal (results, copy));

  /* Above it: different. */
  run->summary.makespan_ms.median += 0.01;
  g_assert_false (il_results_equal (results, copy));
  run->summary.makespan_ms.median = 812.4;
  g_assert_true (il_results_equal (results, copy));

  /* A deep copy: task records are not shared. */
  rep = g_ptr_array_index (run->repetitions, 0);
  g_array_index (rep->tasks, IlTaskRecord, 0).end_us++;
  g_assert_false (il_results_equal (results, copy));
  g_array_index (rep->tasks, IlTaskRecord, 0).end_us--;

  {
    IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, 0);
    IlBlockRecord block = il_task_record_block (rec, 1);

    block.ttfb_us = 1;
    il_task_record_set_block (rec, 1, &block);
  }
  g_assert_false (il_results_equal (results, copy));
}

static void
test_roundtrip (void)
{
  g_autoptr(IlResults) results = make_results ();
  g_autoptr(IlResults) again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) reparsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  node = il_results_to_json (results);
  again = il_results_from_json (node, "$", &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (il_results_equal (results, again));

  /* Through text as well, and the text is stable. */
  first = il_results_to_data (results, NULL);
  g_assert_true (g_str_has_suffix (first, "}\n"));
  reparsed = parse (first);
  g_clear_pointer (&again, il_results_free);
  again = il_results_from_json (reparsed, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (il_results_equal (results, again));
  second = il_results_to_data (again, NULL);
  g_assert_cmpstr (first, ==, second);

  /* Rounded for readability. */
  g_assert_nonnull (strstr (first, "\"makespan_ms\": 812.4,"));
  g_assert_nonnull (strstr (first, "[97.5, 99.0, 0.0]"));
}

/* Every key of the contract's example (data/valid/format-results-example.json)
 * is in our document, at the same place. */
static void
assert_keys_subset (JsonNode   *example,
                    JsonNode   *ours,
                    const char *path)
{
  if (JSON_NODE_HOLDS_OBJECT (example))
    {
      JsonObject *e = json_node_get_object (example);
      g_autoptr(GList) members = json_object_get_members (e);

      if (!JSON_NODE_HOLDS_OBJECT (ours))
        g_error ("%s: expected an object", path);

      for (const GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", path, (char *) l->data);
          JsonNode        *theirs = json_object_get_member (json_node_get_object (ours), l->data);

          if (theirs == NULL)
            g_error ("%s is missing from the results JSON", child);
          if (!JSON_NODE_HOLDS_NULL (theirs))
            assert_keys_subset (json_object_get_member (e, l->data), theirs, child);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (example))
    {
      JsonArray *e = json_node_get_array (example);

      if (!JSON_NODE_HOLDS_ARRAY (ours))
        g_error ("%s: expected an array", path);
      if (json_array_get_length (e) > 0 && json_array_get_length (json_node_get_array (ours)) > 0)
        {
          g_autofree char *child = g_strdup_printf ("%s[0]", path);

          assert_keys_subset (json_array_get_element (e, 0),
                              json_array_get_element (json_node_get_array (ours), 0), child);
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (example) && !JSON_NODE_HOLDS_NULL (ours))
    {
      GType te = json_node_get_value_type (example);
      GType to = JSON_NODE_HOLDS_VALUE (ours) ? json_node_get_value_type (ours) : G_TYPE_INVALID;

      /* Numbers may be integers or doubles; other types must agree. */
      if (te == G_TYPE_INT64 || te == G_TYPE_DOUBLE)
        g_assert_true (to == G_TYPE_INT64 || to == G_TYPE_DOUBLE);
      else if (te != to)
        g_error ("%s: expected a %s", path, g_type_name (te));
    }
}

static void
test_format_keys (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "valid",
                                                 "format-results-example.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) example = NULL;
  g_autoptr(IlResults) results = make_results ();
  g_autoptr(JsonNode) ours = NULL;
  JsonObject *root, *run, *summary, *rep, *task, *block, *core_load;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  example = parse (text);

  /* The example's run is a threads run; compare with ours. */
  g_ptr_array_remove_index (results->runs, 0);
  ours = il_results_to_json (results);
  assert_keys_subset (example, ours, "$");

  root = json_node_get_object (ours);
  g_assert_cmpint (json_object_get_int_member (root, "interleave_results"), ==, 1);
  run = element_at (root, "runs", 0);
  summary = object_at (run, "summary");
  g_assert_true (json_object_get_null_member (summary, "speedup"));
  g_assert_true (json_object_get_null_member (summary, "efficiency"));
  g_assert_cmpint (json_object_get_int_member (summary, "failed_tasks"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (run, "switch_interval_ms"), ==, 5);
  g_assert_false (json_object_has_member (run, "spawn"));
  g_assert_false (json_object_has_member (run, "cpu_slice_units"));

  rep = element_at (run, "repetitions", 0);
  g_assert_false (json_object_has_member (rep, "cancelled"));
  g_assert_true (json_object_has_member (rep, "gil_holds"));
  g_assert_true (json_object_has_member (rep, "loop_lag"));
  core_load = object_at (rep, "core_load");
  g_assert_cmpint (json_object_get_int_member (core_load, "hz"), ==, 20);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (core_load, "cores")), ==, 2);

  /* ms as doubles, µs as integers */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (rep, "makespan_ms")), ==, G_TYPE_DOUBLE);

  task = element_at (rep, "tasks", 0);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (task, "start_us")), ==, G_TYPE_INT64);
  g_assert_false (json_object_has_member (task, "spawn_us"));
  g_assert_false (json_object_has_member (task, "failed"));
  g_assert_false (json_object_has_member (object_at (task, "state_us"), "gil_wait"));
  block = element_at (task, "blocks", 0);
  g_assert_false (json_object_has_member (block, "ttfb_us"));
  g_assert_false (json_object_has_member (block, "state_us"));
  block = element_at (task, "blocks", 1);
  g_assert_cmpint (json_object_get_int_member (block, "ttfb_us"), ==, 19000);
  g_assert_true (json_object_has_member (block, "state_us"));

  task = element_at (rep, "tasks", 1);
  g_assert_cmpint (json_object_get_int_member (task, "spawn_us"), ==, 1200);
  g_assert_true (json_object_get_boolean_member (task, "failed"));
  g_assert_cmpstr (json_object_get_string_member (task, "error"), ==, "connection refused");
  g_assert_cmpint (json_object_get_int_member (object_at (task, "state_us"), "gil_wait"), ==, 300);

  task = element_at (rep, "tasks", 2);
  g_assert_true (json_object_get_null_member (task, "state_us"));

  /* processes and async runs carry their own options. */
  run = element_at (root, "runs", 1);
  g_assert_cmpstr (json_object_get_string_member (run, "spawn"), ==, "per-task");
  g_assert_false (json_object_has_member (run, "switch_interval_ms"));
  run = element_at (root, "runs", 2);
  g_assert_cmpint (json_object_get_int_member (run, "cpu_slice_units"), ==, 5);
}

/* A run stopped in its first repetition (its summary has no figure) is
 * saved and read back: the results a user keeps after Stop open again. */
static void
test_cancelled_roundtrip (void)
{
  g_autoptr(IlResults) results = make_results ();
  g_autoptr(IlResults) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autoptr(JsonNode) node = NULL;
  IlRunResult *run = g_ptr_array_index (results->runs, 0);

  for (guint r = 0; r < run->repetitions->len; r++)
    {
      IlRepetition *rep = g_ptr_array_index (run->repetitions, r);

      rep->cancelled = TRUE;
      rep->warmup = FALSE;
    }
  il_run_result_summarize (run, NAN, 2);
  g_assert_null (run->summary.checksum);
  data = il_results_to_data (results, NULL);
  node = parse (data);
  again = il_results_from_json (node, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (isnan (((IlRunResult *) g_ptr_array_index (again->runs, 0))->summary.makespan_ms.median));
}

static void
test_warmup_not_written (void)
{
  g_autoptr(IlResults) results = make_results ();
  g_autoptr(JsonNode) node = il_results_to_json (results);
  JsonObject  *run = element_at (json_node_get_object (node), "runs", 0);
  IlRunResult *first = g_ptr_array_index (results->runs, 0);

  g_assert_cmpuint (first->repetitions->len, ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run, "repetitions")), ==, 1);
}

static void
test_format_example (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "valid",
                                                 "format-results-example.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GError) error = NULL;
  IlRunResult  *run;
  IlRepetition *rep;
  IlTaskRecord *task;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  node = parse (text);
  results = il_results_from_json (node, "", &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);

  g_assert_cmpstr (results->experiment, ==, "CPU-bound: threads vs processes");
  g_assert_cmpuint (results->machine.cores, ==, 2);
  g_assert_cmpfloat_with_epsilon (results->machine.mhz, 2900.0, 1e-9);
  g_assert_cmpstr (results->machine.governor, ==, "performance");
  g_assert_cmpuint (g_strv_length (results->warnings), ==, 1);

  run = g_ptr_array_index (results->runs, 0);
  g_assert_cmpint (run->executor, ==, IL_EXECUTOR_THREADS);
  g_assert_cmpuint (run->workers, ==, 4);
  g_assert_cmpfloat_with_epsilon (run->summary.makespan_ms.median, 812.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (run->summary.speedup, 1.96, 1e-9);
  g_assert_cmpfloat_with_epsilon (run->summary.latency_p95_ms, 790.2, 1e-9);
  g_assert_cmpint (run->summary.ctx_involuntary, ==, 35);

  rep = g_ptr_array_index (run->repetitions, 0);
  g_assert_cmpuint (rep->tasks->len, ==, 1);
  task = &g_array_index (rep->tasks, IlTaskRecord, 0);
  g_assert_cmpint (task->tid, ==, 4250);
  g_assert_true (il_task_record_state (task).valid);
  g_assert_cmpint (il_task_record_state (task).ready, ==, 150);
  g_assert_cmpint (il_task_record_spawn_us (task), ==, -1);
  g_assert_cmpuint (task->n_blocks, ==, 1);
  g_assert_cmpuint (rep->load_hz, ==, 20);
  g_assert_cmpuint (rep->core_load->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index ((GArray *) g_ptr_array_index (rep->core_load, 1),
                                                 float, 1),
                                  98.2, 1e-4);
}

static void
expect_error (const char *text,
              const char *path,
              const char *message)
{
  g_autoptr(JsonNode) node = parse (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) results = il_results_from_json (node, path, &error);

  g_assert_null (results);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  if (!g_str_has_prefix (error->message, message))
    g_error ("expected a message starting with\n  %s\ngot\n  %s", message, error->message);
}

static void
test_invalid (void)
{
  expect_error ("{ \"runs\": [] }", NULL, "interleave_results: required field is missing");
  expect_error ("{ \"interleave_results\": 2, \"runs\": [] }", NULL,
                "interleave_results: expected 1, got 2");
  expect_error ("{ \"interleave_results\": 1, \"runs\": [], \"extra\": 1 }", NULL,
                "extra: unknown field");
  expect_error ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"threads\", "
                "\"summary\": { \"speedupp\": 1 } } ] }",
                "$.results",
                "$.results.runs[0].summary.speedupp: unknown field; did you mean \"speedup\"?");
  expect_error ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"gpu\" } ] }", "results",
                "results.runs[0].executor: expected \"sequential\", \"threads\", \"processes\", \"async\" or \"mpi\"");
  expect_error ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"async\", "
                "\"repetitions\": [ { \"tasks\": [ { \"pid\": \"42\" } ] } ] } ] }",
                NULL,
                "runs[0].repetitions[0].tasks[0].pid: expected an integer");
  expect_error ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"async\", "
                "\"repetitions\": [ { \"gil_holds\": [[1, 2]] } ] } ] }",
                NULL,
                "runs[0].repetitions[0].gil_holds[0]: expected [worker, start_us, end_us], got an array");
  expect_error ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"async\", "
                "\"repetitions\": [ { \"core_load\": { \"hz\": 20, \"cores\": [[1, \"x\"]] } } ] } ] }",
                NULL, "runs[0].repetitions[0].core_load.cores[0][1]: expected a number or null");
  expect_error ("{ \"interleave_results\": 1, \"machine\": { \"cores\": 1.5 }, \"runs\": [] }", NULL,
                "machine.cores: expected an integer");
  expect_error ("[]", NULL, "expected an object");
  /* A block's segments must describe it. */
#define SEGMENTS_DOC(segments)                                                                               \
  "{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"threads\", \"repetitions\": [ { \"tasks\": [ " \
  "{ \"blocks\": [ { \"type\": \"cpu\", \"start_us\": 0, \"end_us\": 1000, \"segments\": " segments          \
  " } ] } ] } ] } ] }"
  expect_error (SEGMENTS_DOC ("[[\"running\", 400], [\"gil_wait\", 500]]"), NULL,
                "runs[0].repetitions[0].tasks[0].blocks[0].segments: the segments last 900 µs, the block 1000 µs");
  expect_error (SEGMENTS_DOC ("[[\"running\", 400], [\"napping\", 600]]"), NULL,
                "runs[0].repetitions[0].tasks[0].blocks[0].segments[1][0]: expected \"running\"");
  expect_error (SEGMENTS_DOC ("[[\"running\", 400], [\"gil_wait\"]]"), NULL,
                "runs[0].repetitions[0].tasks[0].blocks[0].segments[1]: expected a [state, µs] pair, got 1 elements");
  expect_error (SEGMENTS_DOC ("[[\"running\", 1000]]"), NULL,
                "runs[0].repetitions[0].tasks[0].blocks[0].segments: expected 2 to 16 segments, got 1");
  expect_error (SEGMENTS_DOC ("[[\"running\", 0], [\"ready\", 1000]]"), NULL,
                "runs[0].repetitions[0].tasks[0].blocks[0].segments[0][1]: expected");
  expect_error (SEGMENTS_DOC ("[[\"ready\", 500], [\"ready\", 500]]"), NULL,
                "runs[0].repetitions[0].tasks[0].blocks[0].segments: segments 0 and 1 are both ready");
#undef SEGMENTS_DOC
}

/* Results strings were unbounded: a shared file could hand the GUI's table
 * and charts megabytes of label or warning to lay out. */
static void
test_text_limits (void)
{
  g_autofree char *long_text = g_strnfill (IL_RESULTS_MAX_TEXT_CHARS + 1, 'w');
  g_autofree char *huge = g_strnfill (10 * 1000 * 1000, 'l');
  g_autofree char *warnings = g_strdup_printf ("{ \"interleave_results\": 1, \"warnings\": [ \"ok\", \"%s\" ], "
                                               "\"runs\": [] }",
                                               long_text);
  g_autofree char *label = g_strdup_printf ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"async\", "
                                            "\"label\": \"%s\" } ] }",
                                            long_text);
  g_autofree char *ok = g_strdup_printf ("{ \"interleave_results\": 1, \"runs\": [ { \"executor\": \"async\", "
                                         "\"label\": \"%.4096s\" } ] }",
                                         long_text);

  expect_error (warnings, NULL, "warnings[1]: expected at most 4096 characters, got 4097");
  expect_error (label, NULL, "runs[0].label: expected at most 4096 characters, got 4097");
  {
    g_autoptr(JsonNode) node = parse (ok);
    g_autoptr(GError) error = NULL;
    g_autoptr(IlResults) results = il_results_from_json (node, NULL, &error);

    g_assert_no_error (error);
  }

  /* Inside an experiment file: FILE:LINE:COLUMN and a bounded message. */
  {
    g_autofree char *text = g_strdup_printf ("{ \"interleave\": 1, \"name\": \"x\",\n"
                                             "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],\n"
                                             "  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
                                             "  \"results\": { \"interleave_results\": 1, \"runs\": [ "
                                             "{ \"executor\": \"async\", \"label\": \"%s\" } ] } }\n",
                                             huge);
    g_autoptr(GError) error = NULL;
    g_autoptr(IlExperiment) experiment = il_experiment_load_data (text, -1, "r.interleave", &error);

    g_assert_null (experiment);
    g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message,
                                     "r.interleave:4:83: results.runs[0].label: expected at most 4096 characters"));
    g_assert_cmpuint (strlen (error->message), <, 400);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/results/new-free", test_new_free);
  g_test_add_func ("/il/results/copy-equal", test_copy_equal);
  g_test_add_func ("/il/results/roundtrip", test_roundtrip);
  g_test_add_func ("/il/results/format-keys", test_format_keys);
  g_test_add_func ("/il/results/warmup-not-written", test_warmup_not_written);
  g_test_add_func ("/il/results/cancelled-roundtrip", test_cancelled_roundtrip);
  g_test_add_func ("/il/results/format-example", test_format_example);
  g_test_add_func ("/il/results/invalid", test_invalid);
  g_test_add_func ("/il/results/text-limits", test_text_limits);

  return g_test_run ();
}
