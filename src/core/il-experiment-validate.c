/* il-experiment-validate.c — the experiment model's rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ranges and cross-field rules of docs/experiment-format.md, checked on
 * the model: by the loader after reading (so a file's error names its
 * line and column) and by the GUI's editor before a run or a save (so the
 * same words reach the user).  Messages name the JSON path of the value.
 */

#include "il-experiment-private.h"
#include "il-network.h"

static gboolean
validate_url (IlJsonReader     *r,
              const IlJsonPath *path,
              const char       *url)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  g_autofree char *host = NULL;
  const char      *scheme;

  g_autofree char *quoted = il_json_quote (url);
  g_autofree char *quoted_scheme = NULL;

  if (uri == NULL)
    {
      /* GLib's message quotes the URL in full. */
      return il_json_fail (r, path, IL_JSON_AT_VALUE,
                           "expected an http:// or https:// URL, got \"%s\"", quoted);
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return il_json_fail (r, path, IL_JSON_AT_VALUE,
                         "expected an http:// or https:// URL, got the scheme \"%s\"",
                         (quoted_scheme = il_json_quote (scheme)));

  /* The host as the network-consent rule and libsoup read it. */
  host = il_network_url_host (url, NULL);
  if (host == NULL)
    return il_json_fail (r, path, IL_JSON_AT_VALUE,
                         "expected an http:// or https:// URL with a host name, got \"%s\"", quoted);

  return TRUE;
}

gboolean
il_experiment_validate_block (IlJsonReader     *r,
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
          return check_chars (r, &p_url, block->url, &chars_url) &&
                 validate_url (r, &p_url, block->url);
        return check_range (r, &p_delay, block->delay_ms, &range_ms) &&
               check_range (r, &p_bytes, block->bytes, &range_http_bytes);
      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        return check_range (r, &p_bytes, block->bytes, &range_file_bytes);
      case IL_BLOCK_COUNTER:
        {
          IlJsonPath p_increments = IL_JSON_MEMBER (path, "increments");

          return check_range (r, &p_increments, block->increments, &range_increments);
        }
      case IL_BLOCK_YIELD:
        {
          IlJsonPath p_times = IL_JSON_MEMBER (path, "times");

          return check_range (r, &p_times, block->times, &range_yields);
        }
      case IL_N_BLOCK_TYPES:
      default:
        {
          IlJsonPath p_type = IL_JSON_MEMBER (path, "type");

          return il_json_fail (r, &p_type, IL_JSON_AT_VALUE, "unknown block type %d", block->type);
        }
    }
}

/* A file-read checks the file its own task wrote: with no file-write before
 * it, it would read nothing on the first repetition and a stale file on the
 * next. The editor marks the same blocks (il-edit-rules.c). */
guint
il_task_group_first_write (const IlTaskGroup *group)
{
  guint n_blocks = group->blocks != NULL ? group->blocks->len : 0;

  for (guint i = 0; i < n_blocks; i++)
    if (((const IlBlock *) g_ptr_array_index (group->blocks, i))->type == IL_BLOCK_FILE_WRITE)
      return i;
  return n_blocks;
}

gboolean
il_experiment_count_tasks_upto (const IlExperiment *experiment,
                                guint              *group,
                                guint64            *total)
{
  guint64 sum = 0;

  for (guint i = 0; experiment->tasks != NULL && i < experiment->tasks->len; i++)
    {
      const IlTaskGroup *g = g_ptr_array_index (experiment->tasks, i);

      sum += (guint64) MAX (g->repeat, 0);
      if (sum > IL_MAX_TOTAL_TASKS)
        {
          *group = i;
          *total = sum;
          return FALSE;
        }
    }
  *total = sum;
  return TRUE;
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
  guint      first_write;

  if ((group->name != NULL && !check_chars (r, &p_name, group->name, &chars_task_name)) ||
      !check_range (r, &p_repeat, group->repeat, &range_repeat) ||
      !check_range (r, &p_payload, group->payload_bytes, &range_payload) ||
      !check_count (r, &p_blocks, n_blocks, &count_blocks, "blocks"))
    return FALSE;

  first_write = il_task_group_first_write (group);
  for (guint i = 0; i < n_blocks; i++)
    {
      IlJsonPath     p_block = IL_JSON_INDEX (&p_blocks, i);
      IlJsonPath     p_type = IL_JSON_MEMBER (&p_block, "type");
      const IlBlock *block = g_ptr_array_index (group->blocks, i);

      if (!il_experiment_validate_block (r, block, &p_block))
        return FALSE;

      if (block->type == IL_BLOCK_FILE_READ && i < first_write)
        return il_json_fail (r, &p_type, IL_JSON_AT_VALUE,
                             "a file-read reads back what its task wrote; "
                             "put a file-write before it in the same task");
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

  if (run->engine == IL_ENGINE_CPYTHON && run->executor == IL_EXECUTOR_MPI)
    {
      IlJsonPath p_engine = IL_JSON_MEMBER (path, "engine");

      return il_json_fail (r, &p_engine, IL_JSON_AT_VALUE,
                           "does not apply to mpi runs (Open MPI starts Interleave's own rank helper)");
    }

  /* Only what applies to the executor is saved, so only that is checked:
   * the editor keeps other values while the user switches executors. */
  switch (run->executor)
    {
      case IL_EXECUTOR_THREADS:
      case IL_EXECUTOR_PROCESSES:
      case IL_EXECUTOR_MPI:
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
        if (run->executor == IL_EXECUTOR_MPI)
          return TRUE;
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

gboolean
il_experiment_fail_answer (IlJsonReader     *r,
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
    return il_experiment_fail_answer (r, &p_answer, quiz->answer, n_choices);

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
  guint   group = 0;

  if (!il_experiment_count_tasks_upto (experiment, &group, &total))
    {
      IlJsonPath p_group = IL_JSON_INDEX (p_tasks, group);
      IlJsonPath p_repeat = IL_JSON_MEMBER (&p_group, "repeat");

      return il_json_fail (r, &p_repeat, IL_JSON_AT_VALUE,
                           "the experiment would have %" G_GUINT64_FORMAT " tasks by here, "
                           "more than the limit of %d in all task groups together",
                           total, IL_MAX_TOTAL_TASKS);
    }

  return TRUE;
}

gboolean
il_experiment_validate_with (IlJsonReader       *r,
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

  if (il_experiment_validate_with (&r, experiment))
    return TRUE;

  g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, r.message);
  il_json_reader_clear (&r);

  return FALSE;
}
