/* il-experiment-read.c — an experiment document into the model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is documented for users in docs/experiment-format.md.  The
 * reader checks types, presence and applicability while it builds the
 * model ("units" in a sleep block does not apply; a missing "kernel" is
 * named with what it should be), then hands the model to the validation,
 * which checks ranges and cross-field rules.  Every failure carries a JSON
 * path, which loading (il-experiment-load.c) turns into a line and column.
 */

#include "il-experiment-private.h"

/* The names the format spells (docs/experiment-format.md), in the model's
 * enum order. */
static const char *const block_type_names[] = { "cpu", "sleep", "http", "file-write", "file-read", "counter", "yield", NULL };
static const char *const kernel_names[] = { "spin", "primes", "hash", "matmul", NULL };
static const char *const executor_names[] = { "sequential", "threads", "processes", "async", "mpi", NULL };
static const char *const spawn_names[] = { "pool", "per-task", NULL };
static const char *const order_names[] = { "interleaved", "grouped", "shuffled", NULL };
static const char *const engine_names[] = { "native", "cpython", NULL };

/* Optional members within the format's ranges (il-experiment-private.h). */
static gboolean
opt_int (IlJsonReader     *r,
         JsonObject       *object,
         const IlJsonPath *path,
         const char       *member,
         const Range      *range,
         gint64           *out)
{
  return il_json_opt_int (r, object, path, member, range->min, range->max, out);
}

static gboolean
opt_uint (IlJsonReader     *r,
          JsonObject       *object,
          const IlJsonPath *path,
          const char       *member,
          const Range      *range,
          guint            *out)
{
  return il_json_opt_uint (r, object, path, member, range->min, range->max, out);
}

static gboolean
opt_string (IlJsonReader     *r,
            JsonObject       *object,
            const IlJsonPath *path,
            const char       *member,
            const Range      *range,
            char            **out)
{
  return il_json_opt_string (r, object, path, member, range->min, range->max, FALSE, out);
}

static const IlJsonMisplaced block_misplaced[] = {
  { "kernel", "cpu blocks" },
  { "units", "cpu blocks" },
  { "ms", "sleep blocks" },
  { "delay_ms", "http blocks" },
  { "url", "http blocks" },
  { "bytes", "http, file-write and file-read blocks" },
  { "fsync", "file-write blocks" },
  { "increments", "counter blocks" },
  { "lock", "counter blocks" },
  { "times", "yield blocks" },
  { NULL, NULL }
};

static IlBlock *
read_block (IlJsonReader     *r,
            JsonNode         *node,
            const IlJsonPath *path)
{
  static const char *const  cpu_members[] = { "type", "kernel", "units", NULL };
  static const char *const  sleep_members[] = { "type", "ms", NULL };
  static const char *const  http_members[] = { "type", "delay_ms", "bytes", "url", NULL };
  static const char *const  write_members[] = { "type", "bytes", "fsync", NULL };
  static const char *const  read_members[] = { "type", "bytes", NULL };
  static const char *const  counter_members[] = { "type", "increments", "lock", NULL };
  static const char *const  yield_members[] = { "type", "times", NULL };
  static const char *const *members[] = {
    cpu_members,
    sleep_members,
    http_members,
    write_members,
    read_members,
    counter_members,
    yield_members,
  };
  static const char *const what[] = {
    "a cpu block",
    "a sleep block",
    "an http block",
    "a file-write block",
    "a file-read block",
    "a counter block",
    "a yield block",
  };
  g_autoptr(IlBlock) block = NULL;
  IlJsonPath  p_type = IL_JSON_MEMBER (path, "type");
  JsonObject *object;
  guint       type;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_require (r, object, path, "type",
                        "expected one of \"cpu\", \"sleep\", \"http\", \"file-write\", \"file-read\", \"counter\", \"yield\"") ||
      !il_json_get_enum (r, json_object_get_member (object, "type"), &p_type,
                         block_type_names, &type) ||
      !il_json_check_members (r, object, path, what[type], members[type], block_misplaced))
    return NULL;

  block = il_block_new (type);

  switch (block->type)
    {
      case IL_BLOCK_CPU:
        {
          guint kernel = 0;

          if (!il_json_require (r, object, path, "kernel",
                                "a cpu block names its kernel: \"spin\", \"primes\", \"hash\" or \"matmul\"") ||
              !il_json_opt_enum (r, object, path, "kernel", kernel_names, &kernel) ||
              !il_json_require (r, object, path, "units",
                                "a cpu block says how many units of work it does (1 to 1000000)") ||
              !opt_int (r, object, path, "units", &range_units, &block->units))
            return NULL;
          block->kernel = kernel;
        }
        break;

      case IL_BLOCK_SLEEP:
        if (!il_json_require (r, object, path, "ms",
                              "a sleep block says how long it sleeps (0 to 600000 ms)") ||
            !opt_int (r, object, path, "ms", &range_ms, &block->ms))
          return NULL;
        break;

      case IL_BLOCK_HTTP:
        block->delay_ms = 0;
        block->bytes = 0;
        if (json_object_has_member (object, "url"))
          {
            IlJsonPath p_url = IL_JSON_MEMBER (path, "url");

            /* Either the embedded server's parameters or a URL, not both:
             * the file would promise a delay the URL cannot keep. */
            for (guint i = 0; i < 2; i++)
              {
                const char *name = i == 0 ? "delay_ms" : "bytes";
                IlJsonPath  p_other = IL_JSON_MEMBER (path, name);

                if (json_object_has_member (object, name))
                  return il_json_fail (r, &p_other, IL_JSON_AT_NAME,
                                       "\"%s\" is for the embedded latency server and cannot be "
                                       "combined with \"url\"",
                                       name),
                         NULL;
              }

            if (!il_json_get_string (r, json_object_get_member (object, "url"), &p_url,
                                     chars_url.min, chars_url.max, FALSE, &block->url))
              return NULL;
          }
        else if (!opt_int (r, object, path, "delay_ms", &range_ms, &block->delay_ms) ||
                 !opt_int (r, object, path, "bytes", &range_http_bytes, &block->bytes))
          return NULL;
        break;

      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        if (!il_json_require (r, object, path, "bytes",
                              "a file block says how many bytes it moves (0 to 1073741824)") ||
            !opt_int (r, object, path, "bytes", &range_file_bytes, &block->bytes))
          return NULL;
        if (block->type == IL_BLOCK_FILE_WRITE &&
            !il_json_opt_bool (r, object, path, "fsync", &block->fsync))
          return NULL;
        break;

      case IL_BLOCK_COUNTER:
        if (!il_json_require (r, object, path, "increments",
                              "a counter block says how many increments it makes (1 to 10000000)") ||
            !opt_int (r, object, path, "increments", &range_increments, &block->increments) ||
            !il_json_opt_bool (r, object, path, "lock", &block->lock))
          return NULL;
        break;

      case IL_BLOCK_YIELD:
        if (!il_json_require (r, object, path, "times",
                              "a yield block says how many times it gives up the CPU (1 to 1000000)") ||
            !opt_int (r, object, path, "times", &range_yields, &block->times))
          return NULL;
        break;

      case IL_N_BLOCK_TYPES:
      default:
        g_assert_not_reached ();
    }

  return g_steal_pointer (&block);
}

static IlTaskGroup *
read_task_group (IlJsonReader     *r,
                 JsonNode         *node,
                 const IlJsonPath *path)
{
  static const char *const members[] = { "name", "repeat", "payload_bytes", "blocks", NULL };
  g_autoptr(IlTaskGroup) group = NULL;
  IlJsonPath  p_blocks = IL_JSON_MEMBER (path, "blocks");
  JsonObject *object;
  JsonArray  *blocks;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_check_members (r, object, path, "a task group", members, NULL))
    return NULL;

  group = il_task_group_new ();
  g_ptr_array_set_size (group->blocks, 0);

  if (!opt_string (r, object, path, "name", &chars_task_name, &group->name) ||
      !opt_int (r, object, path, "repeat", &range_repeat, &group->repeat) ||
      !opt_int (r, object, path, "payload_bytes", &range_payload, &group->payload_bytes) ||
      !il_json_require (r, object, path, "blocks",
                        "a task group lists its blocks, e.g. [{ \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 10 }]") ||
      !il_json_get_array (r, json_object_get_member (object, "blocks"), &p_blocks, &blocks) ||
      !check_count (r, &p_blocks, json_array_get_length (blocks), &count_blocks, "blocks") ||
      !il_json_read_objects (r, blocks, &p_blocks, (IlJsonReadNew) read_block, group->blocks))
    return NULL;

  return g_steal_pointer (&group);
}

static gboolean
read_workers (IlJsonReader     *r,
              JsonNode         *node,
              const IlJsonPath *path,
              IlRunConfig      *run)
{
  guint value;

  g_array_set_size (run->workers, 0);

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint      n = json_array_get_length (array);

      if (n == 0)
        return il_json_fail (r, path, IL_JSON_AT_VALUE,
                             "expected a worker count (1 to %d) or a non-empty array of them, "
                             "got an empty array",
                             IL_MAX_WORKERS);
      if (!check_count (r, path, n, &count_sweep, "worker counts") ||
          !il_json_read_uints (r, array, path, range_workers.min, range_workers.max, run->workers))
        return FALSE;

      run->workers_sweep = TRUE;
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      if (!il_json_get_uint (r, node, path, range_workers.min, range_workers.max, &value))
        return FALSE;
      g_array_append_val (run->workers, value);
      run->workers_sweep = FALSE;
      return TRUE;
    }

  {
    g_autofree char *got = il_json_describe (r, node, path);

    return il_json_fail (r, path, IL_JSON_AT_VALUE,
                         "expected a worker count from 1 to %d, or an array of them (a sweep), got %s",
                         IL_MAX_WORKERS, got);
  }
}

static const IlJsonMisplaced run_misplaced[] = {
  { "workers", "threads, processes and mpi runs" },
  { "gil", "threads runs" },
  { "switch_interval_ms", "threads runs" },
  { "spawn", "processes runs" },
  { "cpu_slice_units", "async runs" },
  { NULL, NULL }
};

static IlRunConfig *
read_run (IlJsonReader     *r,
          JsonNode         *node,
          const IlJsonPath *path)
{
  static const char *const sequential_members[] = { "executor", "label", "engine", NULL };
  static const char *const threads_members[] = {
    "executor", "label", "workers", "engine", "gil", "switch_interval_ms", NULL
  };
  static const char *const processes_members[] = {
    "executor", "label", "workers", "engine", "spawn", NULL
  };
  static const char *const  async_members[] = { "executor", "label", "engine", "cpu_slice_units", NULL };
  static const char *const  mpi_members[] = { "executor", "label", "workers", "engine", NULL };
  static const char *const *members[] = {
    sequential_members,
    threads_members,
    processes_members,
    async_members,
    mpi_members,
  };
  static const char *const what[] = {
    "a sequential run",
    "a threads run",
    "a processes run",
    "an async run",
    "an mpi run",
  };
  g_autoptr(IlRunConfig) run = NULL;
  IlJsonPath  p_executor = IL_JSON_MEMBER (path, "executor");
  JsonObject *object;
  guint       executor;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_require (r, object, path, "executor",
                        "expected one of \"sequential\", \"threads\", \"processes\", \"async\", \"mpi\"") ||
      !il_json_get_enum (r, json_object_get_member (object, "executor"), &p_executor,
                         executor_names, &executor) ||
      !il_json_check_members (r, object, path, what[executor], members[executor], run_misplaced))
    return NULL;

  run = il_run_config_new (executor);

  if (!opt_string (r, object, path, "label", &chars_label, &run->label))
    return NULL;

  if (json_object_has_member (object, "workers"))
    {
      IlJsonPath p_workers = IL_JSON_MEMBER (path, "workers");

      if (!read_workers (r, json_object_get_member (object, "workers"), &p_workers, run))
        return NULL;
    }

  if (!il_json_opt_bool (r, object, path, "gil", &run->gil))
    return NULL;

  {
    guint engine = run->engine;

    if (!il_json_opt_enum (r, object, path, "engine", engine_names, &engine))
      return NULL;
    run->engine = engine;
    if (run->engine == IL_ENGINE_CPYTHON && run->gil)
      {
        IlJsonPath p_gil = IL_JSON_MEMBER (path, "gil");

        il_json_fail (r, &p_gil, IL_JSON_AT_VALUE,
                      "does not apply to the cpython engine (the interpreter's own lock is always there)");
        return NULL;
      }
  }

  {
    guint spawn = run->spawn;

    if (!opt_uint (r, object, path, "switch_interval_ms", &range_switch,
                   &run->switch_interval_ms) ||
        !il_json_opt_enum (r, object, path, "spawn", spawn_names, &spawn) ||
        !opt_uint (r, object, path, "cpu_slice_units", &range_slice,
                   &run->cpu_slice_units))
      return NULL;
    run->spawn = spawn;
  }

  run->enabled = TRUE;

  return g_steal_pointer (&run);
}

static gboolean
read_settings (IlJsonReader     *r,
               JsonNode         *node,
               const IlJsonPath *path,
               IlSettings       *settings)
{
  static const char *const members[] = {
    "repetitions", "warmup", "order", "sample_hz", "cpu_affinity", NULL
  };
  JsonObject *object;
  guint       order = settings->order;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_check_members (r, object, path, "settings", members, NULL) ||
      !opt_uint (r, object, path, "repetitions", &range_repetitions, &settings->repetitions) ||
      !opt_uint (r, object, path, "warmup", &range_warmup, &settings->warmup) ||
      !il_json_opt_enum (r, object, path, "order", order_names, &order) ||
      !opt_uint (r, object, path, "sample_hz", &range_sample_hz, &settings->sample_hz))
    return FALSE;

  settings->order = order;

  if (json_object_has_member (object, "cpu_affinity"))
    {
      IlJsonPath p_affinity = IL_JSON_MEMBER (path, "cpu_affinity");
      JsonArray *array;
      guint      n;

      if (!il_json_get_array (r, json_object_get_member (object, "cpu_affinity"), &p_affinity, &array))
        return FALSE;

      n = json_array_get_length (array);
      if (n == 0)
        return il_json_fail (r, &p_affinity, IL_JSON_AT_VALUE,
                             "expected at least one core index (leave \"cpu_affinity\" out to use all cores)");

      settings->cpu_affinity = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
      if (!il_json_read_uints (r, array, &p_affinity, range_core.min, range_core.max,
                               settings->cpu_affinity))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_answer (IlJsonReader     *r,
             JsonNode         *node,
             const IlJsonPath *path,
             guint             n_choices,
             guint            *out)
{
  gint64 answer;

  if (!il_json_get_int (r, node, path, G_MININT64, G_MAXINT64, &answer))
    return FALSE;

  if (answer < 0 || answer >= n_choices)
    return il_experiment_fail_answer (r, path, answer, n_choices);

  *out = (guint) answer;

  return TRUE;
}

static gboolean
read_quiz (IlJsonReader     *r,
           JsonNode         *node,
           const IlJsonPath *path,
           IlQuiz          **out)
{
  static const char *const members[] = { "question", "choices", "answer", "explanation", NULL };
  g_autoptr(IlQuiz) quiz = NULL;
  IlJsonPath  p_choices = IL_JSON_MEMBER (path, "choices");
  IlJsonPath  p_answer = IL_JSON_MEMBER (path, "answer");
  JsonObject *object;
  JsonArray  *array;
  guint       n;

  *out = NULL;

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) || JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *got = il_json_describe (r, node, path);

      return il_json_fail (r, path, IL_JSON_AT_VALUE,
                           "expected null or an object { \"question\", \"choices\", \"answer\", "
                           "\"explanation\" }, got %s",
                           got);
    }

  object = json_node_get_object (node);
  quiz = g_new0 (IlQuiz, 1);

  if (!il_json_check_members (r, object, path, "a quiz", members, NULL) ||
      !il_json_require (r, object, path, "question", NULL) ||
      !opt_string (r, object, path, "question", &chars_question, &quiz->question) ||
      !il_json_require (r, object, path, "choices", "expected 2 to 6 possible answers") ||
      !il_json_get_array (r, json_object_get_member (object, "choices"), &p_choices, &array))
    return FALSE;

  n = json_array_get_length (array);
  if (!check_count (r, &p_choices, n, &count_choices, "choices"))
    return FALSE;

  if (!il_json_read_strings (r, array, &p_choices, chars_choice.min, chars_choice.max,
                             &quiz->choices))
    return FALSE;

  if (!il_json_require (r, object, path, "answer",
                        "expected the index of the right choice (0 is the first)") ||
      !read_answer (r, json_object_get_member (object, "answer"), &p_answer, n, &quiz->answer) ||
      !opt_string (r, object, path, "explanation", &chars_explanation, &quiz->explanation))
    return FALSE;

  *out = g_steal_pointer (&quiz);

  return TRUE;
}

IlExperiment *
il_experiment_read (IlJsonReader *r,
                    JsonNode     *root)
{
  static const char *const members[] = {
    "interleave", "name", "description", "tasks", "runs", "settings", "quiz", "results", NULL
  };
  g_autoptr(IlExperiment) experiment = NULL;
  IlJsonPath  p_version = IL_JSON_MEMBER (NULL, "interleave");
  IlJsonPath  p_tasks = IL_JSON_MEMBER (NULL, "tasks");
  IlJsonPath  p_runs = IL_JSON_MEMBER (NULL, "runs");
  IlJsonPath  p_settings = IL_JSON_MEMBER (NULL, "settings");
  IlJsonPath  p_quiz = IL_JSON_MEMBER (NULL, "quiz");
  IlJsonPath  p_results = IL_JSON_MEMBER (NULL, "results");
  JsonObject *object;
  JsonNode   *version;
  JsonArray  *array;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *got = il_json_describe (r, root, NULL);

      return il_json_fail (r, NULL, IL_JSON_AT_VALUE,
                           "expected an Interleave experiment: a JSON object starting with "
                           "{ \"interleave\": 1, … }, got %s",
                           got),
             NULL;
    }

  object = json_node_get_object (root);

  /* The version first: a newer file's unknown fields are not typos. */
  if (!il_json_require (r, object, NULL, "interleave",
                        "an Interleave experiment file starts with { \"interleave\": 1, … }"))
    return NULL;

  version = json_object_get_member (object, "interleave");
  if (JSON_NODE_HOLDS_VALUE (version) && json_node_get_value_type (version) == G_TYPE_INT64 &&
      json_node_get_int (version) > IL_FORMAT_VERSION)
    return il_json_fail (r, &p_version, IL_JSON_AT_VALUE,
                         "expected %d, got %" G_GINT64_FORMAT ": the file needs a newer version "
                         "of Interleave (this one reads format version %d)",
                         IL_FORMAT_VERSION, json_node_get_int (version), IL_FORMAT_VERSION),
           NULL;
  {
    gint64 value;

    if (!il_json_get_int (r, version, &p_version, IL_FORMAT_VERSION, IL_FORMAT_VERSION, &value))
      return NULL;
  }

  if (!il_json_check_members (r, object, NULL, "an experiment", members, NULL))
    return NULL;

  experiment = il_experiment_new_empty ();

  if (!il_json_require (r, object, NULL, "name", "give the experiment a name (1 to 200 characters)") ||
      !opt_string (r, object, NULL, "name", &chars_name, &experiment->name) ||
      !opt_string (r, object, NULL, "description", &chars_description,
                   &experiment->description))
    return NULL;

  if (!il_json_require (r, object, NULL, "tasks", "an experiment lists its task groups") ||
      !il_json_get_array (r, json_object_get_member (object, "tasks"), &p_tasks, &array) ||
      !check_count (r, &p_tasks, json_array_get_length (array), &count_tasks, "task groups") ||
      !il_json_read_objects (r, array, &p_tasks, (IlJsonReadNew) read_task_group, experiment->tasks))
    return NULL;

  if (!il_json_require (r, object, NULL, "runs",
                        "an experiment lists how to run it, e.g. [{ \"executor\": \"sequential\" }]") ||
      !il_json_get_array (r, json_object_get_member (object, "runs"), &p_runs, &array) ||
      !check_count (r, &p_runs, json_array_get_length (array), &count_runs, "runs") ||
      !il_json_read_objects (r, array, &p_runs, (IlJsonReadNew) read_run, experiment->runs))
    return NULL;

  if (json_object_has_member (object, "settings") &&
      !read_settings (r, json_object_get_member (object, "settings"), &p_settings,
                      &experiment->settings))
    return NULL;

  if (json_object_has_member (object, "quiz") &&
      !read_quiz (r, json_object_get_member (object, "quiz"), &p_quiz, &experiment->quiz))
    return NULL;

  if (json_object_has_member (object, "results"))
    {
      JsonNode *node = json_object_get_member (object, "results");

      if (!JSON_NODE_HOLDS_NULL (node))
        {
          experiment->results = il_results_read (r, node, &p_results);
          if (experiment->results == NULL)
            return NULL;
        }
    }

  if (!il_experiment_validate_with (r, experiment))
    return NULL;

  return g_steal_pointer (&experiment);
}
