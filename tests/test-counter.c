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

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "il-cpython.h"
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

          g_assert_cmpint (il_task_record_state (rec).lock_wait, >=, 0);
          for (guint b = 0; b < rec->n_blocks; b++)
            blocks += il_task_record_block (rec, b).state.lock_wait;
          /* The task's lock wait is its blocks'. */
          if (il_task_record_state (rec).valid)
            g_assert_cmpint (il_task_record_state (rec).lock_wait, ==, blocks);
          total += il_task_record_state (rec).lock_wait;
        }
    }
  return total;
}

/* Native executors place their lock waits in time: every block that waited
 * has lock_wait segments adding up to its lock_wait. Returns how many. */
static guint
check_lock_segments (const IlRunResult *rr)
{
  guint n = 0;

  for (guint i = 0; i < rr->repetitions->len; i++)
    {
      const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);

      for (guint t = 0; t < rep->tasks->len; t++)
        {
          const IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, t);

          for (guint b = 0; b < rec->n_blocks; b++)
            {
              const IlBlockRecord br_copy = il_task_record_block (rec, b), *br = &br_copy;
              g_autofree char    *problem = NULL;

              if (!br->state.valid || br->state.lock_wait == 0)
                continue;
              g_assert_nonnull (br->segments);
              problem = il_state_segments_check (br->segments, br->end_us - br->start_us);
              g_assert_cmpstr (problem, ==, NULL);
              g_assert_cmpint (il_state_segments_total (br->segments, IL_STATE_LOCK_WAIT), ==,
                               br->state.lock_wait);
              n++;
            }
        }
    }
  return n;
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
    {
      IlStateTimes st = il_task_record_state (rec);

      st.valid = TRUE;
      st.lock_wait = 1234;
      il_task_record_set_state (rec, &st);
    }
    node2 = il_results_to_json (results);
    back2 = il_results_from_json (node2, "$", &error);
    g_assert_no_error (error);
    g_assert_true (il_results_equal (results, back2));
    rp = g_ptr_array_index (((IlRunResult *) g_ptr_array_index (back2->runs, 1))->repetitions, 0);
    g_assert_cmpint (il_task_record_state (&g_array_index (rp->tasks, IlTaskRecord, 0)).lock_wait, ==, 1234);
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
  il_task_record_set_state (&result.rec, &state);
  result.counted = 2000000;
  il_protocol_write_result (frame, &result);
  body = frame_body (frame, &len);
  g_assert_true (il_protocol_read_result (body, len, &result2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result2.counted, ==, 2000000);
  g_assert_cmpint (il_task_record_state (&result2.rec).lock_wait, ==, 50);
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
      g_test_message ("attempt %u: lock_wait %" G_GINT64_FORMAT " µs, %u blocks with lock_wait segments",
                      attempt + 1, lock_wait, check_lock_segments (rr));
      if (lock_wait > 0)
        g_assert_cmpuint (check_lock_segments (rr), >, 0);
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

/* ---- the cpython engine ---------------------------------------------------
 *
 * The counter block runs as Python code there: a module-level `x = x + 1`
 * (with "lock": a threading.Lock), so what is lost is the real
 * interpreter's doing. */

static gboolean
need_python (guint *minor)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  guint            major = 0;

  if (!il_cpython_available (&version, &error))
    {
      g_autofree char *why = g_strdup_printf ("the cpython engine cannot run here: %s", error->message);

      g_test_skip (why);
      return FALSE;
    }
  g_test_message ("Python %s", version);
  g_assert_cmpint (sscanf (version, "%u.%u", &major, minor), ==, 2);
  g_assert_cmpuint (major, ==, 3);
  return TRUE;
}

/* The repetition's counter record as the results document writes it. */
static JsonObject *
counter_json (JsonNode *results,
              guint     run,
              guint     rep)
{
  JsonObject *r = json_array_get_object_element (json_object_get_array_member (json_node_get_object (results), "runs"), run);
  JsonObject *p = json_array_get_object_element (json_object_get_array_member (r, "repetitions"), rep);

  g_assert_true (json_object_has_member (p, "counter"));
  return json_object_get_object_member (p, "counter");
}

/* Threads ×2 with 1,000,000 increments per task, on the real interpreter.
 * CPython 3.10 and newer drop the GIL only where the eval loop checks for a
 * request (a backward jump, a call): in `for _ in range(n): x = x + 1`
 * that is the loop's jump, between one increment's store and the next
 * one's load, so no update is lost, however the threads are scheduled.
 * Older interpreters could switch between the load and the store: there,
 * only the records' consistency is checked. The same run natively, beside
 * it: one checksum and one shape of counter record. */
static void
test_cpython_threads (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autoptr(JsonNode) node = NULL;
  const IlRunResult *cpython, *native;
  guint              minor = 0;
  gint64             lost;

  if (!need_python (&minor))
    return;
  exp = il_test_loadf (COUNTER_EXPERIMENT, 4, "",
                       "{ \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" }, "
                       "{ \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\", \"switch_interval_ms\": 1 }, "
                       "{ \"executor\": \"threads\", \"workers\": 2 }",
                       2);
  results = il_test_run (exp, NULL, NULL);
  node = il_results_to_json (results);
  native = il_test_run_at (results, 2);
  check_counts (native, 4000000);
  for (guint r = 0; r < 2; r++)
    {
      cpython = il_test_run_at (results, r);
      lost = check_counts (cpython, 4000000);
      g_test_message ("%s: at most %" G_GINT64_FORMAT " of 4000000 lost", cpython->label, lost);
      if (minor >= 10)
        g_assert_cmpint (lost, ==, 0);
      for (guint i = 0; i < cpython->repetitions->len; i++)
        {
          const IlRepetition *rep = g_ptr_array_index (cpython->repetitions, i);
          const IlRepetition *nrep = g_ptr_array_index (native->repetitions, i);
          JsonObject         *c = counter_json (node, r, i);
          JsonObject         *n = counter_json (node, 2, i);
          g_autoptr(GList) ckeys = json_object_get_members (c);
          g_autoptr(GList) nkeys = json_object_get_members (n);

          g_assert_null (rep->counter_per_worker);
          g_assert_cmpstr (rep->checksum, ==, nrep->checksum);
          g_assert_cmpuint (g_list_length (ckeys), ==, g_list_length (nkeys));
          for (GList *k = nkeys; k != NULL; k = k->next)
            g_assert_true (json_object_has_member (c, k->data));
          g_assert_cmpint (json_object_get_int_member (c, "lost"), ==,
                           json_object_get_int_member (c, "expected") - json_object_get_int_member (c, "final"));
        }
    }
}

/* With the lock: nothing lost; the threads wait for the lock whenever the
 * GIL changes hands while one of them holds it, and that wait is lock_wait
 * in the records and in the events the interpreter sent (protocol v3: the
 * RESULT's states, the event's value slot), the same numbers in both. */
static void
test_cpython_lock (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  gint64 lock_wait = 0;
  guint  minor = 0;

  if (!need_python (&minor))
    return;
  exp = il_test_loadf (COUNTER_EXPERIMENT, 4, ", \"lock\": true",
                       "{ \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\", \"switch_interval_ms\": 1 }", 1);
  for (guint attempt = 0; attempt < ATTEMPTS && lock_wait == 0; attempt++)
    {
      g_autoptr(IlEventQueue) events = il_event_queue_new (65536);
      g_autoptr(GArray) got = g_array_new (FALSE, FALSE, sizeof (IlEvent));
      g_autoptr(IlResults) results = il_test_run (exp, events, NULL);
      const IlRunResult  *rr = il_test_run_at (results, 0);
      const IlRepetition *rep = il_test_first_rep (results, 0);
      guint               counter_ends = 0;

      g_assert_cmpint (check_counts (rr, 4000000), ==, 0);
      lock_wait = sum_lock_wait (rr);
      g_test_message ("attempt %u: lock_wait %" G_GINT64_FORMAT " µs", attempt + 1, lock_wait);

      il_event_queue_drain (events, got, 0);
      g_assert_cmpuint (il_event_queue_get_dropped (events), ==, 0);
      for (guint i = 0; i < got->len; i++)
        {
          const IlEvent       *ev = &g_array_index (got, IlEvent, i);
          const IlTaskRecord  *rec;
          const IlBlockRecord *br;
          IlBlockRecord        br_copy;

          if (ev->kind != IL_EVENT_BLOCK_END || ev->block_end.type != IL_BLOCK_COUNTER)
            continue;
          g_assert_cmpuint (ev->task, <, rep->tasks->len);
          rec = &g_array_index (rep->tasks, IlTaskRecord, ev->task);
          g_assert_cmpuint (ev->block_end.block, <, rec->n_blocks);
          br_copy = il_task_record_block (rec, ev->block_end.block);
          br = &br_copy;
          g_assert_cmpint (ev->block_end.state.lock_wait, ==, br->state.lock_wait);
          g_assert_cmpint (ev->block_end.state.gil_wait, ==, br->state.gil_wait);
          counter_ends++;
        }
      g_assert_cmpuint (counter_ends, ==, 4);
    }
  g_assert_cmpint (lock_wait, >, 0);
}

/* asyncio: a counter block has no await, so it runs to its end before the
 * loop runs another task: none is lost. Sequential neither. */
static void
test_cpython_async (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlResults) results = NULL;
  guint minor = 0;

  if (!need_python (&minor))
    return;
  exp = il_test_loadf (COUNTER_EXPERIMENT, 2, "",
                       "{ \"executor\": \"async\", \"engine\": \"cpython\" }, "
                       "{ \"executor\": \"sequential\", \"engine\": \"cpython\" }",
                       2);
  results = il_test_run (exp, NULL, NULL);
  g_assert_cmpint (check_counts (il_test_run_at (results, 0), 2000000), ==, 0);
  g_assert_cmpint (check_counts (il_test_run_at (results, 1), 2000000), ==, 0);
}

/* multiprocessing: each child counts in its own memory and reports its
 * count as interleave-worker does; the parent's counter reads 0, the
 * per-worker counts add up, and the record has native's shape. */
static void
test_cpython_processes (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlResults) results = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint minor = 0;

  if (!need_python (&minor))
    return;
  exp = il_test_loadf (COUNTER_EXPERIMENT, 4, "",
                       "{ \"executor\": \"processes\", \"workers\": 2, \"engine\": \"cpython\" }, "
                       "{ \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\", \"engine\": \"cpython\" }, "
                       "{ \"executor\": \"processes\", \"workers\": 2 }",
                       2);
  results = il_test_run (exp, NULL, NULL);
  node = il_results_to_json (results);
  for (guint r = 0; r < results->runs->len; r++)
    {
      const IlRunResult *rr = il_test_run_at (results, r);

      check_counts (rr, 4000000);
      for (guint i = 0; i < rr->repetitions->len; i++)
        {
          const IlRepetition *rep = g_ptr_array_index (rr->repetitions, i);
          const IlRepetition *nrep = g_ptr_array_index (il_test_run_at (results, 2)->repetitions, i);
          JsonObject         *c = counter_json (node, r, i);
          gint64              sum = 0;

          g_assert_cmpint (rep->counter_final, ==, 0);
          g_assert_nonnull (rep->counter_per_worker);
          g_assert_cmpuint (rep->counter_per_worker->len, ==, 2);
          for (guint w = 0; w < rep->counter_per_worker->len; w++)
            sum += g_array_index (rep->counter_per_worker, gint64, w);
          g_assert_cmpint (sum, ==, rep->counter_expected);
          g_assert_cmpstr (rep->checksum, ==, nrep->checksum);
          g_assert_cmpuint (json_object_get_size (c), ==, 4);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (c, "per_worker")), ==, 2);
        }
    }
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
  g_test_add_func ("/il/counter/cpython/threads", test_cpython_threads);
  g_test_add_func ("/il/counter/cpython/lock", test_cpython_lock);
  g_test_add_func ("/il/counter/cpython/async", test_cpython_async);
  g_test_add_func ("/il/counter/cpython/processes", test_cpython_processes);

  return g_test_run ();
}
