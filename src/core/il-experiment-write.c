/* il-experiment-write.c — the model into an experiment file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes format version 1 (docs/experiment-format.md) in the files'
 * readable layout (il-json-writer.c): only the fields that apply to a
 * block's type or a run's executor, so that what is saved reads back as
 * the same experiment.  Saves are atomic: a crash leaves the old file or
 * the new one, never half of one.
 */

#include "il-atomic-file.h"
#include "il-json-private.h"

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
      case IL_BLOCK_COUNTER:
        json_object_set_int_member (object, "increments", block->increments);
        if (block->lock)
          json_object_set_boolean_member (object, "lock", TRUE);
        break;
      case IL_BLOCK_YIELD:
        json_object_set_int_member (object, "times", block->times);
        break;
      case IL_N_BLOCK_TYPES:
      default:
        g_assert_not_reached ();
    }

  return il_json_object_node (object);
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

  return il_json_object_node (object);
}

static JsonNode *
run_to_json (const IlRunConfig *run)
{
  JsonObject *object = json_object_new ();
  guint       n_workers = run->workers != NULL ? run->workers->len : 0;

  json_object_set_string_member (object, "executor", il_executor_to_string (run->executor));
  if (run->label != NULL)
    json_object_set_string_member (object, "label", run->label);

  if ((run->executor == IL_EXECUTOR_THREADS || run->executor == IL_EXECUTOR_PROCESSES ||
       run->executor == IL_EXECUTOR_MPI) &&
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
      case IL_EXECUTOR_MPI:
      case IL_N_EXECUTORS:
      default:
        break;
    }

  return il_json_object_node (object);
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
experiment_to_json (const IlExperiment *experiment,
                    GHashTable         *streams)
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
    json_object_set_member (object, "results", il_results_to_json_streamed (experiment->results, streams));

  return il_json_object_node (object);
}

char *
il_experiment_to_data (const IlExperiment *experiment,
                       gsize              *length)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (experiment != NULL, NULL);

  node = experiment_to_json (experiment, NULL);

  return il_json_write (node, length);
}

static gboolean
write_experiment (GOutputStream *out,
                  gpointer       user_data,
                  GError       **error)
{
  g_autoptr(GHashTable) streams = il_json_streams_new ();
  g_autoptr(JsonNode) node = experiment_to_json (user_data, streams);

  return il_json_write_stream (node, streams, out, NULL, error);
}

gboolean
il_experiment_save_file (const IlExperiment *experiment,
                         GFile              *file,
                         GError            **error)
{
  g_return_val_if_fail (experiment != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Written as a stream (the recorded tasks are never a tree in memory);
   * the old file stays intact until the new one is complete on disk. */
  return il_atomic_file_write_with (file, write_experiment, (gpointer) experiment, error);
}
