/* il-experiment-json.c — experiment files (format version 1): load, save, validate
 *
 * The format is documented for users in docs/experiment-format.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading happens in three passes over one document:
 *   1. json-glib parses it (its own line:column for malformed JSON);
 *   2. a strict scan rejects what json-glib tolerates but JSON does not, and
 *      notes duplicate names and integers too large for 64 bits;
 *   3. the reader checks types, presence and applicability while building
 *      the model, then the model's validation (the same function the GUI's
 *      editor calls) checks ranges and cross-field rules.
 * Every failure carries a JSON path; only then is the text scanned again to
 * turn that path into a line and column.
 */

#include <stdio.h>
#include <string.h>

#include "il-json-positions.h"

/* Largest core index a file may name: sched_setaffinity's CPU_SETSIZE. */
#define IL_MAX_CPU_INDEX 1023

typedef struct
{
  gint64 min;
  gint64 max;
} Range;

/* The format's ranges (docs/experiment-format.md), once, for both the
 * reader and the validation. */
static const Range range_repeat = { 1, IL_MAX_REPEAT };
static const Range range_payload = { 0, IL_MAX_PAYLOAD_BYTES };
static const Range range_units = { 1, IL_MAX_UNITS };
static const Range range_ms = { 0, IL_MAX_MS };
static const Range range_http_bytes = { 0, IL_MAX_HTTP_BYTES };
static const Range range_file_bytes = { 0, IL_MAX_FILE_BYTES };
static const Range range_workers = { 1, IL_MAX_WORKERS };
static const Range range_switch = { 1, IL_MAX_SWITCH_INTERVAL_MS };
static const Range range_slice = { 0, IL_MAX_CPU_SLICE_UNITS };
static const Range range_repetitions = { 1, IL_MAX_REPETITIONS };
static const Range range_warmup = { 0, IL_MAX_WARMUP };
static const Range range_sample_hz = { 1, IL_MAX_SAMPLE_HZ };
static const Range range_core = { 0, IL_MAX_CPU_INDEX };

static const Range chars_name = { 1, IL_MAX_NAME_CHARS };
static const Range chars_description = { 0, IL_MAX_DESCRIPTION_CHARS };
static const Range chars_task_name = { 0, IL_MAX_NAME_CHARS };
static const Range chars_label = { 0, IL_MAX_LABEL_CHARS };
/* The quiz's limits (docs/experiment-format.md, "Quiz") keep it a quiz. */
static const Range chars_question = { 1, IL_MAX_DESCRIPTION_CHARS };
static const Range chars_choice = { 1, IL_MAX_NAME_CHARS };
static const Range chars_explanation = { 0, IL_MAX_DESCRIPTION_CHARS };

static const Range count_tasks = { 1, IL_MAX_TASK_GROUPS };
static const Range count_blocks = { 1, IL_MAX_BLOCKS };
static const Range count_runs = { 1, IL_MAX_RUNS };
static const Range count_choices = { IL_MIN_QUIZ_CHOICES, IL_MAX_QUIZ_CHOICES };
/* A sweep longer than every distinct worker count makes no sense. */
static const Range count_sweep = { 1, IL_MAX_WORKERS };

static const char *const block_type_names[] = { "cpu", "sleep", "http", "file-write", "file-read", NULL };
static const char *const kernel_names[] = { "spin", "primes", "hash", "matmul", NULL };
static const char *const executor_names[] = { "sequential", "threads", "processes", "async", NULL };
static const char *const spawn_names[] = { "pool", "per-task", NULL };
static const char *const order_names[] = { "interleaved", "grouped", "shuffled", NULL };
static const char *const engine_names[] = { "native", "cpython", NULL };

static gboolean
check_range (IlJsonReader     *r,
             const IlJsonPath *path,
             gint64            value,
             const Range      *range)
{
  return il_json_check_range (r, path, value, range->min, range->max);
}

static gboolean
check_chars (IlJsonReader     *r,
             const IlJsonPath *path,
             const char       *value,
             const Range      *range)
{
  return il_json_check_chars (r, path, value, range->min, range->max);
}

static gboolean
check_count (IlJsonReader     *r,
             const IlJsonPath *path,
             guint             n,
             const Range      *range,
             const char       *things)
{
  if ((gint64) n >= range->min && (gint64) n <= range->max)
    return TRUE;

  return il_json_fail (r, path, IL_JSON_AT_VALUE,
                       "expected %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " %s, got %u",
                       range->min, range->max, things, n);
}

/* Validation of the model (shared with loading) */

static gboolean
validate_url (IlJsonReader     *r,
              const IlJsonPath *path,
              const char       *url)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  const char *scheme;

  if (uri == NULL)
    return il_json_fail (r, path, IL_JSON_AT_VALUE,
                         "expected an http:// or https:// URL, got \"%s\" (%s)",
                         url, local_error->message);

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return il_json_fail (r, path, IL_JSON_AT_VALUE,
                         "expected an http:// or https:// URL, got the scheme \"%s\"", scheme);

  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return il_json_fail (r, path, IL_JSON_AT_VALUE,
                         "expected an http:// or https:// URL with a host name, got \"%s\"", url);

  return TRUE;
}

static gboolean
validate_block (IlJsonReader     *r,
                const IlBlock    *block,
                const IlJsonPath *path)
{
  IlJsonPath p_kernel = IL_JSON_MEMBER (path, "kernel");
  IlJsonPath p_units = IL_JSON_MEMBER (path, "units");
  IlJsonPath p_ms = IL_JSON_MEMBER (path, "ms");
  IlJsonPath p_delay = IL_JSON_MEMBER (path, "delay_ms");
  IlJsonPath p_bytes = IL_JSON_MEMBER (path, "bytes");
  IlJsonPath p_url = IL_JSON_MEMBER (path, "url");

  switch (block->type)
    {
      case IL_BLOCK_CPU:
        if ((guint) block->kernel >= IL_N_KERNELS)
          return il_json_fail (r, &p_kernel, IL_JSON_AT_VALUE,
                               "expected \"spin\", \"primes\", \"hash\" or \"matmul\"");
        return check_range (r, &p_units, block->units, &range_units);
      case IL_BLOCK_SLEEP:
        return check_range (r, &p_ms, block->ms, &range_ms);
      case IL_BLOCK_HTTP:
        /* With a URL, delay and size are the server's business: not saved. */
        if (block->url != NULL)
          return validate_url (r, &p_url, block->url);
        return check_range (r, &p_delay, block->delay_ms, &range_ms) &&
               check_range (r, &p_bytes, block->bytes, &range_http_bytes);
      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        return check_range (r, &p_bytes, block->bytes, &range_file_bytes);
      case IL_N_BLOCK_TYPES:
      default:
        {
          IlJsonPath p_type = IL_JSON_MEMBER (path, "type");

          return il_json_fail (r, &p_type, IL_JSON_AT_VALUE, "unknown block type %d", block->type);
        }
    }
}

static gboolean
validate_task_group (IlJsonReader      *r,
                     const IlTaskGroup *group,
                     const IlJsonPath  *path)
{
  IlJsonPath p_name = IL_JSON_MEMBER (path, "name");
  IlJsonPath p_repeat = IL_JSON_MEMBER (path, "repeat");
  IlJsonPath p_payload = IL_JSON_MEMBER (path, "payload_bytes");
  IlJsonPath p_blocks = IL_JSON_MEMBER (path, "blocks");
  guint      n_blocks = group->blocks != NULL ? group->blocks->len : 0;

  if ((group->name != NULL && !check_chars (r, &p_name, group->name, &chars_task_name)) ||
      !check_range (r, &p_repeat, group->repeat, &range_repeat) ||
      !check_range (r, &p_payload, group->payload_bytes, &range_payload) ||
      !check_count (r, &p_blocks, n_blocks, &count_blocks, "blocks"))
    return FALSE;

  for (guint i = 0; i < n_blocks; i++)
    {
      IlJsonPath p_block = IL_JSON_INDEX (&p_blocks, i);

      if (!validate_block (r, g_ptr_array_index (group->blocks, i), &p_block))
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_run (IlJsonReader      *r,
              const IlRunConfig *run,
              const IlJsonPath  *path)
{
  IlJsonPath p_label = IL_JSON_MEMBER (path, "label");
  IlJsonPath p_workers = IL_JSON_MEMBER (path, "workers");
  IlJsonPath p_switch = IL_JSON_MEMBER (path, "switch_interval_ms");
  IlJsonPath p_spawn = IL_JSON_MEMBER (path, "spawn");
  IlJsonPath p_slice = IL_JSON_MEMBER (path, "cpu_slice_units");
  guint      n_workers = run->workers != NULL ? run->workers->len : 0;

  if (run->label != NULL && !check_chars (r, &p_label, run->label, &chars_label))
    return FALSE;
  if ((guint) run->engine >= IL_N_ENGINES)
    {
      IlJsonPath p_engine = IL_JSON_MEMBER (path, "engine");

      return il_json_fail (r, &p_engine, IL_JSON_AT_VALUE, "expected \"native\" or \"cpython\"");
    }
  if (run->engine == IL_ENGINE_CPYTHON && run->executor == IL_EXECUTOR_THREADS && run->gil)
    {
      IlJsonPath p_gil = IL_JSON_MEMBER (path, "gil");

      return il_json_fail (r, &p_gil, IL_JSON_AT_VALUE,
                           "does not apply to the cpython engine (the interpreter's own lock is always there)");
    }

  /* Only what applies to the executor is saved, so only that is checked:
   * the editor keeps other values while the user switches executors. */
  switch (run->executor)
    {
      case IL_EXECUTOR_THREADS:
      case IL_EXECUTOR_PROCESSES:
        if (run->workers_sweep && n_workers == 0)
          return il_json_fail (r, &p_workers, IL_JSON_AT_VALUE,
                               "expected at least one worker count in the sweep");
        if (!run->workers_sweep && n_workers > 1)
          return il_json_fail (r, &p_workers, IL_JSON_AT_VALUE,
                               "expected one worker count, got %u (several make a sweep)", n_workers);
        if (n_workers > 0 && !check_count (r, &p_workers, n_workers, &count_sweep, "worker counts"))
          return FALSE;
        for (guint i = 0; i < n_workers; i++)
          {
            IlJsonPath p_worker = IL_JSON_INDEX (&p_workers, i);

            if (!check_range (r, run->workers_sweep ? &p_worker : &p_workers,
                              g_array_index (run->workers, guint, i), &range_workers))
              return FALSE;
          }
        if (run->executor == IL_EXECUTOR_THREADS)
          return check_range (r, &p_switch, run->switch_interval_ms, &range_switch);
        if ((guint) run->spawn >= IL_N_SPAWNS)
          return il_json_fail (r, &p_spawn, IL_JSON_AT_VALUE, "expected \"pool\" or \"per-task\"");
        return TRUE;
      case IL_EXECUTOR_ASYNC:
        return check_range (r, &p_slice, run->cpu_slice_units, &range_slice);
      case IL_EXECUTOR_SEQUENTIAL:
        return TRUE;
      case IL_N_EXECUTORS:
      default:
        {
          IlJsonPath p_executor = IL_JSON_MEMBER (path, "executor");

          return il_json_fail (r, &p_executor, IL_JSON_AT_VALUE,
                               "unknown executor %d", run->executor);
        }
    }
}

static gboolean
validate_settings (IlJsonReader     *r,
                   const IlSettings *settings,
                   const IlJsonPath *path)
{
  IlJsonPath    p_repetitions = IL_JSON_MEMBER (path, "repetitions");
  IlJsonPath    p_warmup = IL_JSON_MEMBER (path, "warmup");
  IlJsonPath    p_order = IL_JSON_MEMBER (path, "order");
  IlJsonPath    p_sample_hz = IL_JSON_MEMBER (path, "sample_hz");
  IlJsonPath    p_affinity = IL_JSON_MEMBER (path, "cpu_affinity");
  const GArray *affinity = settings->cpu_affinity;

  if (!check_range (r, &p_repetitions, settings->repetitions, &range_repetitions) ||
      !check_range (r, &p_warmup, settings->warmup, &range_warmup) ||
      !check_range (r, &p_sample_hz, settings->sample_hz, &range_sample_hz))
    return FALSE;

  if ((guint) settings->order >= IL_N_ORDERS)
    return il_json_fail (r, &p_order, IL_JSON_AT_VALUE,
                         "expected \"interleaved\", \"grouped\" or \"shuffled\"");

  for (guint i = 0; affinity != NULL && i < affinity->len; i++)
    {
      IlJsonPath p_core = IL_JSON_INDEX (&p_affinity, i);
      guint      core = g_array_index (affinity, guint, i);

      if (!check_range (r, &p_core, core, &range_core))
        return FALSE;

      for (guint j = 0; j < i; j++)
        if (g_array_index (affinity, guint, j) == core)
          return il_json_fail (r, &p_core, IL_JSON_AT_VALUE,
                               "core %u is listed twice (also at index %u)", core, j);
    }

  return TRUE;
}

static gboolean
fail_answer (IlJsonReader     *r,
             const IlJsonPath *path,
             gint64            answer,
             guint             n_choices)
{
  return il_json_fail (r, path, IL_JSON_AT_VALUE,
                       "expected the index of one of the %u choices (0 to %u), got %" G_GINT64_FORMAT,
                       n_choices, n_choices - 1, answer);
}

static gboolean
validate_quiz (IlJsonReader     *r,
               const IlQuiz     *quiz,
               const IlJsonPath *path)
{
  IlJsonPath p_question = IL_JSON_MEMBER (path, "question");
  IlJsonPath p_choices = IL_JSON_MEMBER (path, "choices");
  IlJsonPath p_answer = IL_JSON_MEMBER (path, "answer");
  IlJsonPath p_explanation = IL_JSON_MEMBER (path, "explanation");
  guint      n_choices = quiz->choices != NULL ? g_strv_length (quiz->choices) : 0;

  if (!check_chars (r, &p_question, quiz->question, &chars_question) ||
      !check_count (r, &p_choices, n_choices, &count_choices, "choices"))
    return FALSE;

  for (guint i = 0; i < n_choices; i++)
    {
      IlJsonPath p_choice = IL_JSON_INDEX (&p_choices, i);

      if (!check_chars (r, &p_choice, quiz->choices[i], &chars_choice))
        return FALSE;
    }

  if (quiz->answer >= n_choices)
    return fail_answer (r, &p_answer, quiz->answer, n_choices);

  if (quiz->explanation != NULL &&
      !check_chars (r, &p_explanation, quiz->explanation, &chars_explanation))
    return FALSE;

  return TRUE;
}

static gboolean
validate_total_tasks (IlJsonReader       *r,
                      const IlExperiment *experiment,
                      const IlJsonPath   *p_tasks)
{
  guint64 total = 0;

  for (guint i = 0; i < experiment->tasks->len; i++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, i);
      IlJsonPath         p_group = IL_JSON_INDEX (p_tasks, i);
      IlJsonPath         p_repeat = IL_JSON_MEMBER (&p_group, "repeat");

      total += (guint64) MAX (group->repeat, 0);
      if (total > IL_MAX_TOTAL_TASKS)
        return il_json_fail (r, &p_repeat, IL_JSON_AT_VALUE,
                             "the experiment would have %" G_GUINT64_FORMAT " tasks by here, "
                             "more than the limit of %d in all task groups together",
                             total, IL_MAX_TOTAL_TASKS);
    }

  return TRUE;
}

static gboolean
validate_experiment (IlJsonReader       *r,
                     const IlExperiment *experiment)
{
  IlJsonPath p_name = IL_JSON_MEMBER (NULL, "name");
  IlJsonPath p_description = IL_JSON_MEMBER (NULL, "description");
  IlJsonPath p_tasks = IL_JSON_MEMBER (NULL, "tasks");
  IlJsonPath p_runs = IL_JSON_MEMBER (NULL, "runs");
  IlJsonPath p_settings = IL_JSON_MEMBER (NULL, "settings");
  IlJsonPath p_quiz = IL_JSON_MEMBER (NULL, "quiz");
  guint      n_tasks = experiment->tasks != NULL ? experiment->tasks->len : 0;
  guint      n_runs = experiment->runs != NULL ? experiment->runs->len : 0;

  if (!check_chars (r, &p_name, experiment->name, &chars_name) ||
      !check_chars (r, &p_description, experiment->description, &chars_description) ||
      !check_count (r, &p_tasks, n_tasks, &count_tasks, "task groups"))
    return FALSE;

  for (guint i = 0; i < n_tasks; i++)
    {
      IlJsonPath p_group = IL_JSON_INDEX (&p_tasks, i);

      if (!validate_task_group (r, g_ptr_array_index (experiment->tasks, i), &p_group))
        return FALSE;
    }

  if (!validate_total_tasks (r, experiment, &p_tasks) ||
      !check_count (r, &p_runs, n_runs, &count_runs, "runs"))
    return FALSE;

  for (guint i = 0; i < n_runs; i++)
    {
      IlJsonPath p_run = IL_JSON_INDEX (&p_runs, i);

      if (!validate_run (r, g_ptr_array_index (experiment->runs, i), &p_run))
        return FALSE;
    }

  if (!validate_settings (r, &experiment->settings, &p_settings))
    return FALSE;

  if (experiment->quiz != NULL && !validate_quiz (r, experiment->quiz, &p_quiz))
    return FALSE;

  return TRUE;
}

gboolean
il_experiment_validate (const IlExperiment *experiment,
                        GError            **error)
{
  IlJsonReader r = { 0 };

  g_return_val_if_fail (experiment != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (validate_experiment (&r, experiment))
    return TRUE;

  g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, r.message);
  il_json_reader_clear (&r);

  return FALSE;
}

/* Reading */

static gboolean
read_int_member (IlJsonReader     *r,
                 JsonObject       *object,
                 const IlJsonPath *path,
                 const char       *member,
                 const Range      *range,
                 gint64           *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, member);

  if (!json_object_has_member (object, member))
    return TRUE;

  return il_json_get_int (r, json_object_get_member (object, member), &p,
                          range->min, range->max, out);
}

static gboolean
read_uint_member (IlJsonReader     *r,
                  JsonObject       *object,
                  const IlJsonPath *path,
                  const char       *member,
                  const Range      *range,
                  guint            *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, member);

  if (!json_object_has_member (object, member))
    return TRUE;

  return il_json_get_uint (r, json_object_get_member (object, member), &p,
                           range->min, range->max, out);
}

static gboolean
read_string_member (IlJsonReader     *r,
                    JsonObject       *object,
                    const IlJsonPath *path,
                    const char       *member,
                    const Range      *range,
                    char            **out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, member);
  char      *value = NULL;

  if (!json_object_has_member (object, member))
    return TRUE;

  if (!il_json_get_string (r, json_object_get_member (object, member), &p,
                           range->min, range->max, FALSE, &value))
    return FALSE;

  g_free (*out);
  *out = value;

  return TRUE;
}

static gboolean
read_enum_member (IlJsonReader      *r,
                  JsonObject        *object,
                  const IlJsonPath  *path,
                  const char        *member,
                  const char *const *names,
                  guint             *out)
{
  IlJsonPath p = IL_JSON_MEMBER (path, member);

  if (!json_object_has_member (object, member))
    return TRUE;

  return il_json_get_enum (r, json_object_get_member (object, member), &p, names, out);
}

static const IlJsonMisplaced block_misplaced[] = {
  { "kernel", "cpu blocks" },
  { "units", "cpu blocks" },
  { "ms", "sleep blocks" },
  { "delay_ms", "http blocks" },
  { "url", "http blocks" },
  { "bytes", "http, file-write and file-read blocks" },
  { "fsync", "file-write blocks" },
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
  static const char *const *members[] = {
    cpu_members,
    sleep_members,
    http_members,
    write_members,
    read_members,
  };
  static const char *const what[] = {
    "a cpu block",
    "a sleep block",
    "an http block",
    "a file-write block",
    "a file-read block",
  };
  g_autoptr(IlBlock) block = NULL;
  IlJsonPath  p_type = IL_JSON_MEMBER (path, "type");
  JsonObject *object;
  guint       type;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_require (r, object, path, "type",
                        "expected one of \"cpu\", \"sleep\", \"http\", \"file-write\", \"file-read\"") ||
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
              !read_enum_member (r, object, path, "kernel", kernel_names, &kernel) ||
              !il_json_require (r, object, path, "units",
                                "a cpu block says how many units of work it does (1 to 1000000)") ||
              !read_int_member (r, object, path, "units", &range_units, &block->units))
            return NULL;
          block->kernel = kernel;
        }
        break;

      case IL_BLOCK_SLEEP:
        if (!il_json_require (r, object, path, "ms",
                              "a sleep block says how long it sleeps (0 to 600000 ms)") ||
            !read_int_member (r, object, path, "ms", &range_ms, &block->ms))
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
                                     1, -1, FALSE, &block->url))
              return NULL;
          }
        else if (!read_int_member (r, object, path, "delay_ms", &range_ms, &block->delay_ms) ||
                 !read_int_member (r, object, path, "bytes", &range_http_bytes, &block->bytes))
          return NULL;
        break;

      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        if (!il_json_require (r, object, path, "bytes",
                              "a file block says how many bytes it moves (0 to 1073741824)") ||
            !read_int_member (r, object, path, "bytes", &range_file_bytes, &block->bytes))
          return NULL;
        if (block->type == IL_BLOCK_FILE_WRITE && json_object_has_member (object, "fsync"))
          {
            IlJsonPath p_fsync = IL_JSON_MEMBER (path, "fsync");

            if (!il_json_get_bool (r, json_object_get_member (object, "fsync"), &p_fsync,
                                   &block->fsync))
              return NULL;
          }
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

  if (!read_string_member (r, object, path, "name", &chars_task_name, &group->name) ||
      !read_int_member (r, object, path, "repeat", &range_repeat, &group->repeat) ||
      !read_int_member (r, object, path, "payload_bytes", &range_payload, &group->payload_bytes) ||
      !il_json_require (r, object, path, "blocks",
                        "a task group lists its blocks, e.g. [{ \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 10 }]") ||
      !il_json_get_array (r, json_object_get_member (object, "blocks"), &p_blocks, &blocks) ||
      !check_count (r, &p_blocks, json_array_get_length (blocks), &count_blocks, "blocks"))
    return NULL;

  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      IlJsonPath p_block = IL_JSON_INDEX (&p_blocks, i);
      IlBlock   *block = read_block (r, json_array_get_element (blocks, i), &p_block);

      if (block == NULL)
        return NULL;
      g_ptr_array_add (group->blocks, block);
    }

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
      if (!check_count (r, path, n, &count_sweep, "worker counts"))
        return FALSE;

      for (guint i = 0; i < n; i++)
        {
          IlJsonPath p = IL_JSON_INDEX (path, i);

          if (!il_json_get_uint (r, json_array_get_element (array, i), &p,
                                 range_workers.min, range_workers.max, &value))
            return FALSE;
          g_array_append_val (run->workers, value);
        }

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
  { "workers", "threads and processes runs" },
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
  static const char *const *members[] = {
    sequential_members,
    threads_members,
    processes_members,
    async_members,
  };
  static const char *const what[] = {
    "a sequential run",
    "a threads run",
    "a processes run",
    "an async run",
  };
  g_autoptr(IlRunConfig) run = NULL;
  IlJsonPath  p_executor = IL_JSON_MEMBER (path, "executor");
  JsonObject *object;
  guint       executor;

  if (!il_json_get_object (r, node, path, &object) ||
      !il_json_require (r, object, path, "executor",
                        "expected one of \"sequential\", \"threads\", \"processes\", \"async\"") ||
      !il_json_get_enum (r, json_object_get_member (object, "executor"), &p_executor,
                         executor_names, &executor) ||
      !il_json_check_members (r, object, path, what[executor], members[executor], run_misplaced))
    return NULL;

  run = il_run_config_new (executor);

  if (!read_string_member (r, object, path, "label", &chars_label, &run->label))
    return NULL;

  if (json_object_has_member (object, "workers"))
    {
      IlJsonPath p_workers = IL_JSON_MEMBER (path, "workers");

      if (!read_workers (r, json_object_get_member (object, "workers"), &p_workers, run))
        return NULL;
    }

  if (json_object_has_member (object, "gil"))
    {
      IlJsonPath p_gil = IL_JSON_MEMBER (path, "gil");

      if (!il_json_get_bool (r, json_object_get_member (object, "gil"), &p_gil, &run->gil))
        return NULL;
    }

  {
    guint engine = run->engine;

    if (!read_enum_member (r, object, path, "engine", engine_names, &engine))
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

    if (!read_uint_member (r, object, path, "switch_interval_ms", &range_switch,
                           &run->switch_interval_ms) ||
        !read_enum_member (r, object, path, "spawn", spawn_names, &spawn) ||
        !read_uint_member (r, object, path, "cpu_slice_units", &range_slice,
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
      !read_uint_member (r, object, path, "repetitions", &range_repetitions, &settings->repetitions) ||
      !read_uint_member (r, object, path, "warmup", &range_warmup, &settings->warmup) ||
      !read_enum_member (r, object, path, "order", order_names, &order) ||
      !read_uint_member (r, object, path, "sample_hz", &range_sample_hz, &settings->sample_hz))
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
      for (guint i = 0; i < n; i++)
        {
          IlJsonPath p_core = IL_JSON_INDEX (&p_affinity, i);
          guint      core;

          if (!il_json_get_uint (r, json_array_get_element (array, i), &p_core,
                                 range_core.min, range_core.max, &core))
            return FALSE;
          g_array_append_val (settings->cpu_affinity, core);
        }
    }

  return TRUE;
}

static void
quiz_free (IlQuiz *quiz)
{
  if (quiz == NULL)
    return;

  g_free (quiz->question);
  g_strfreev (quiz->choices);
  g_free (quiz->explanation);
  g_free (quiz);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlQuiz, quiz_free)

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
    return fail_answer (r, path, answer, n_choices);

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
  IlJsonPath p_choices = IL_JSON_MEMBER (path, "choices");
  IlJsonPath p_answer = IL_JSON_MEMBER (path, "answer");
  g_autoptr(GStrvBuilder) choices = NULL;
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
      !read_string_member (r, object, path, "question", &chars_question, &quiz->question) ||
      !il_json_require (r, object, path, "choices", "expected 2 to 6 possible answers") ||
      !il_json_get_array (r, json_object_get_member (object, "choices"), &p_choices, &array))
    return FALSE;

  n = json_array_get_length (array);
  if (!check_count (r, &p_choices, n, &count_choices, "choices"))
    return FALSE;

  choices = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      IlJsonPath       p_choice = IL_JSON_INDEX (&p_choices, i);
      g_autofree char *choice = NULL;

      if (!il_json_get_string (r, json_array_get_element (array, i), &p_choice,
                               chars_choice.min, chars_choice.max, FALSE, &choice))
        return FALSE;
      g_strv_builder_add (choices, choice);
    }
  quiz->choices = g_strv_builder_end (choices);

  if (!il_json_require (r, object, path, "answer",
                        "expected the index of the right choice (0 is the first)") ||
      !read_answer (r, json_object_get_member (object, "answer"), &p_answer, n, &quiz->answer) ||
      !read_string_member (r, object, path, "explanation", &chars_explanation, &quiz->explanation))
    return FALSE;

  *out = g_steal_pointer (&quiz);

  return TRUE;
}

static IlExperiment *
read_experiment (IlJsonReader *r,
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

  experiment = il_experiment_new ();
  g_clear_pointer (&experiment->name, g_free);
  g_ptr_array_set_size (experiment->tasks, 0);
  g_ptr_array_set_size (experiment->runs, 0);

  if (!il_json_require (r, object, NULL, "name", "give the experiment a name (1 to 200 characters)") ||
      !read_string_member (r, object, NULL, "name", &chars_name, &experiment->name) ||
      !read_string_member (r, object, NULL, "description", &chars_description,
                           &experiment->description))
    return NULL;

  if (!il_json_require (r, object, NULL, "tasks", "an experiment lists its task groups") ||
      !il_json_get_array (r, json_object_get_member (object, "tasks"), &p_tasks, &array) ||
      !check_count (r, &p_tasks, json_array_get_length (array), &count_tasks, "task groups"))
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath   p_group = IL_JSON_INDEX (&p_tasks, i);
      IlTaskGroup *group = read_task_group (r, json_array_get_element (array, i), &p_group);

      if (group == NULL)
        return NULL;
      g_ptr_array_add (experiment->tasks, group);
    }

  if (!il_json_require (r, object, NULL, "runs",
                        "an experiment lists how to run it, e.g. [{ \"executor\": \"sequential\" }]") ||
      !il_json_get_array (r, json_object_get_member (object, "runs"), &p_runs, &array) ||
      !check_count (r, &p_runs, json_array_get_length (array), &count_runs, "runs"))
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      IlJsonPath   p_run = IL_JSON_INDEX (&p_runs, i);
      IlRunConfig *run = read_run (r, json_array_get_element (array, i), &p_run);

      if (run == NULL)
        return NULL;
      g_ptr_array_add (experiment->runs, run);
    }

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

  if (!validate_experiment (r, experiment))
    return NULL;

  return g_steal_pointer (&experiment);
}

/* Where byte @offset of @text is, counting characters. */
static void
offset_to_position (const char *text,
                    gsize       offset,
                    guint      *line,
                    guint      *column)
{
  *line = 1;
  *column = 1;

  for (gsize i = 0; i < offset; i++)
    {
      if (text[i] == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else if (((guchar) text[i] & 0xC0) != 0x80)
        (*column)++;
    }
}

/* json-glib's positions for syntax errors often point at the token before
 * the problem, and its words are terse ("unexpected character `}', expected
 * character `,'"). The strict scan knows where and what: prefer it, and fall
 * back to json-glib's "<data>:LINE:COLUMN: Parse error: what" only if the
 * scan found nothing wrong. */
static void
set_parse_error (GError    **error,
                 const char *display_name,
                 const char *data,
                 gsize       length,
                 GError     *parse_error)
{
  g_autofree char *scan_message = NULL;
  const char      *message = parse_error->message;
  IlJsonScan       scan = { 0 };
  guint            line = 1, column = 1;
  int              consumed = 0;

  if (!il_json_scan (data, length, &scan, &line, &column, &scan_message))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_PARSE, "%s:%u:%u: malformed JSON: %s",
                   display_name, line, column, scan_message);
      il_json_scan_clear (&scan);
      return;
    }
  il_json_scan_clear (&scan);

  if (g_str_has_prefix (message, "<data>:") &&
      sscanf (message + strlen ("<data>:"), "%u:%u: %n", &line, &column, &consumed) == 2 &&
      consumed > 0)
    {
      message += strlen ("<data>:") + consumed;
      if (g_str_has_prefix (message, "Parse error: "))
        message += strlen ("Parse error: ");
    }

  g_set_error (error, IL_ERROR, IL_ERROR_PARSE, "%s:%u:%u: malformed JSON: %s",
               display_name, line, column, message);
}

IlExperiment *
il_experiment_load_data (const char *data,
                         gssize      length,
                         const char *display_name,
                         GError    **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *scan_message = NULL;
  IlJsonScan       scan = { 0 };
  IlJsonReader     r = { 0 };
  IlExperiment    *experiment;
  const char      *invalid = NULL;
  guint            line, column;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (data);
  if (display_name == NULL)
    display_name = "<data>";

  if (!g_utf8_validate_len (data, length, &invalid))
    {
      offset_to_position (data, invalid - data, &line, &column);
      g_set_error (error, IL_ERROR, IL_ERROR_PARSE,
                   "%s:%u:%u: malformed JSON: the file is not UTF-8 text (%s)",
                   display_name, line, column,
                   *invalid == '\0' ? "it contains a NUL byte" : "invalid byte sequence");
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &parse_error))
    {
      set_parse_error (error, display_name, data, length, parse_error);
      return NULL;
    }

  if (!il_json_scan (data, length, &scan, &line, &column, &scan_message))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_PARSE, "%s:%u:%u: malformed JSON: %s",
                   display_name, line, column, scan_message);
      il_json_scan_clear (&scan);
      return NULL;
    }

  /* json-glib keeps the last of two equal names: a silent loss. */
  if (scan.duplicate != NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   "%s:%u:%u: %s: this field appears twice in the same object",
                   display_name, scan.duplicate_line, scan.duplicate_column, scan.duplicate);
      il_json_scan_clear (&scan);
      return NULL;
    }

  r.scan = &scan;
  experiment = read_experiment (&r, json_parser_get_root (parser));

  if (experiment == NULL)
    {
      il_json_locate (data, length, r.path, r.at, &line, &column);
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s:%u:%u: %s",
                   display_name, line, column, r.message);
    }

  il_json_reader_clear (&r);
  il_json_scan_clear (&scan);

  return experiment;
}

IlExperiment *
il_experiment_load_file (GFile   *file,
                         GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *uri = NULL;
  const char      *display_name;
  gsize            length;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_file_peek_path (file);
  if (display_name == NULL)
    display_name = uri = g_file_get_uri (file);

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    return NULL;

  return il_experiment_load_data (contents, length, display_name, error);
}

/* Writing */

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);

  return node;
}

static JsonNode *
block_to_json (const IlBlock *block)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "type", il_block_type_to_string (block->type));

  switch (block->type)
    {
      case IL_BLOCK_CPU:
        json_object_set_string_member (object, "kernel", il_kernel_to_string (block->kernel));
        json_object_set_int_member (object, "units", block->units);
        break;
      case IL_BLOCK_SLEEP:
        json_object_set_int_member (object, "ms", block->ms);
        break;
      case IL_BLOCK_HTTP:
        if (block->url != NULL)
          json_object_set_string_member (object, "url", block->url);
        else
          {
            if (block->delay_ms != 0)
              json_object_set_int_member (object, "delay_ms", block->delay_ms);
            if (block->bytes != 0)
              json_object_set_int_member (object, "bytes", block->bytes);
          }
        break;
      case IL_BLOCK_FILE_WRITE:
        json_object_set_int_member (object, "bytes", block->bytes);
        if (block->fsync)
          json_object_set_boolean_member (object, "fsync", TRUE);
        break;
      case IL_BLOCK_FILE_READ:
        json_object_set_int_member (object, "bytes", block->bytes);
        break;
      case IL_N_BLOCK_TYPES:
      default:
        g_assert_not_reached ();
    }

  return object_node (object);
}

static JsonNode *
task_group_to_json (const IlTaskGroup *group)
{
  JsonObject *object = json_object_new ();
  JsonArray  *blocks = json_array_new ();

  if (group->name != NULL)
    json_object_set_string_member (object, "name", group->name);
  if (group->repeat != 1)
    json_object_set_int_member (object, "repeat", group->repeat);
  if (group->payload_bytes != 0)
    json_object_set_int_member (object, "payload_bytes", group->payload_bytes);

  for (guint i = 0; i < group->blocks->len; i++)
    json_array_add_element (blocks, block_to_json (g_ptr_array_index (group->blocks, i)));
  json_object_set_array_member (object, "blocks", blocks);

  return object_node (object);
}

static JsonNode *
run_to_json (const IlRunConfig *run)
{
  JsonObject *object = json_object_new ();
  guint       n_workers = run->workers != NULL ? run->workers->len : 0;

  json_object_set_string_member (object, "executor", il_executor_to_string (run->executor));
  if (run->label != NULL)
    json_object_set_string_member (object, "label", run->label);

  if ((run->executor == IL_EXECUTOR_THREADS || run->executor == IL_EXECUTOR_PROCESSES) &&
      n_workers > 0)
    {
      if (run->workers_sweep || n_workers > 1)
        {
          JsonArray *array = json_array_new ();

          for (guint i = 0; i < n_workers; i++)
            json_array_add_int_element (array, g_array_index (run->workers, guint, i));
          json_object_set_array_member (object, "workers", array);
        }
      else
        json_object_set_int_member (object, "workers", g_array_index (run->workers, guint, 0));
    }
  if (run->engine != IL_ENGINE_NATIVE)
    json_object_set_string_member (object, "engine", il_engine_to_string (run->engine));

  switch (run->executor)
    {
      case IL_EXECUTOR_THREADS:
        if (run->gil && run->engine == IL_ENGINE_NATIVE)
          json_object_set_boolean_member (object, "gil", TRUE);
        if (run->switch_interval_ms != 5)
          json_object_set_int_member (object, "switch_interval_ms", run->switch_interval_ms);
        break;
      case IL_EXECUTOR_PROCESSES:
        if (run->spawn != IL_SPAWN_POOL)
          json_object_set_string_member (object, "spawn", il_spawn_to_string (run->spawn));
        break;
      case IL_EXECUTOR_ASYNC:
        if (run->cpu_slice_units != 0)
          json_object_set_int_member (object, "cpu_slice_units", run->cpu_slice_units);
        break;
      case IL_EXECUTOR_SEQUENTIAL:
      case IL_N_EXECUTORS:
      default:
        break;
    }

  return object_node (object);
}

static JsonObject *
settings_to_json (const IlSettings *settings)
{
  JsonObject *object = json_object_new ();

  if (settings->repetitions != 1)
    json_object_set_int_member (object, "repetitions", settings->repetitions);
  if (settings->warmup != 0)
    json_object_set_int_member (object, "warmup", settings->warmup);
  if (settings->order != IL_ORDER_INTERLEAVED)
    json_object_set_string_member (object, "order", il_order_to_string (settings->order));
  if (settings->sample_hz != 20)
    json_object_set_int_member (object, "sample_hz", settings->sample_hz);
  if (settings->cpu_affinity != NULL && settings->cpu_affinity->len > 0)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < settings->cpu_affinity->len; i++)
        json_array_add_int_element (array, g_array_index (settings->cpu_affinity, guint, i));
      json_object_set_array_member (object, "cpu_affinity", array);
    }

  return object;
}

static JsonObject *
quiz_to_json (const IlQuiz *quiz)
{
  JsonObject *object = json_object_new ();
  JsonArray  *choices = json_array_new ();

  json_object_set_string_member (object, "question", quiz->question != NULL ? quiz->question : "");
  for (guint i = 0; quiz->choices != NULL && quiz->choices[i] != NULL; i++)
    json_array_add_string_element (choices, quiz->choices[i]);
  json_object_set_array_member (object, "choices", choices);
  json_object_set_int_member (object, "answer", quiz->answer);
  if (quiz->explanation != NULL)
    json_object_set_string_member (object, "explanation", quiz->explanation);

  return object;
}

static JsonNode *
experiment_to_json (const IlExperiment *experiment)
{
  JsonObject *object = json_object_new ();
  JsonArray  *tasks = json_array_new ();
  JsonArray  *runs = json_array_new ();
  JsonObject *settings;

  json_object_set_int_member (object, "interleave", IL_FORMAT_VERSION);
  json_object_set_string_member (object, "name", experiment->name != NULL ? experiment->name : "");
  if (experiment->description != NULL && experiment->description[0] != '\0')
    json_object_set_string_member (object, "description", experiment->description);

  for (guint i = 0; i < experiment->tasks->len; i++)
    json_array_add_element (tasks, task_group_to_json (g_ptr_array_index (experiment->tasks, i)));
  json_object_set_array_member (object, "tasks", tasks);

  for (guint i = 0; i < experiment->runs->len; i++)
    json_array_add_element (runs, run_to_json (g_ptr_array_index (experiment->runs, i)));
  json_object_set_array_member (object, "runs", runs);

  settings = settings_to_json (&experiment->settings);
  if (json_object_get_size (settings) > 0)
    json_object_set_object_member (object, "settings", settings);
  else
    json_object_unref (settings);

  if (experiment->quiz != NULL)
    json_object_set_object_member (object, "quiz", quiz_to_json (experiment->quiz));

  if (experiment->results != NULL)
    json_object_set_member (object, "results", il_results_to_json (experiment->results));

  return object_node (object);
}

char *
il_experiment_to_data (const IlExperiment *experiment,
                       gsize              *length)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);

  node = experiment_to_json (experiment);

  return il_json_write (node, length);
}

gboolean
il_experiment_save_file (const IlExperiment *experiment,
                         GFile              *file,
                         GError            **error)
{
  g_autofree char *data = NULL;
  gsize            length = 0;

  g_return_val_if_fail (experiment != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = il_experiment_to_data (experiment, &length);

  /* g_file_replace_contents() writes a temporary file beside the target
   * and renames it over: the old file stays intact until the new one is
   * complete. */
  return g_file_replace_contents (file, data, length, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}
