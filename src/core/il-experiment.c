/* il-experiment.c — the experiment model: enums, constructors, copies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading, reading, validation and saving live in il-experiment-load.c,
 * il-experiment-read.c, il-experiment-validate.c and il-experiment-write.c
 * (il-experiment-private.h); this file only
 * knows the in-memory model.  Equality compares what is saved: fields that do
 * not apply to a block's type or a run's executor are never written, so they
 * must not make two experiments differ either (the GUI keeps stale values
 * around when the user switches a block's type back and forth).
 */

#include <string.h>

#include "il-experiment-private.h"
#include "il-experiment.h"
#include "il-results.h"

static const char *const block_type_names[] = {
  "cpu",
  "sleep",
  "http",
  "file-write",
  "file-read",
  "counter",
  "yield",
};
static const char *const kernel_names[] = {
  "spin",
  "primes",
  "hash",
  "matmul",
};
static const char *const executor_names[] = {
  "sequential",
  "threads",
  "processes",
  "async",
  "mpi",
};
static const char *const spawn_names[] = {
  "pool",
  "per-task",
};
static const char *const order_names[] = {
  "interleaved",
  "grouped",
  "shuffled",
};
static const char *const engine_names[] = {
  "native",
  "cpython",
};

G_STATIC_ASSERT (G_N_ELEMENTS (block_type_names) == IL_N_BLOCK_TYPES);
G_STATIC_ASSERT (G_N_ELEMENTS (kernel_names) == IL_N_KERNELS);
G_STATIC_ASSERT (G_N_ELEMENTS (executor_names) == IL_N_EXECUTORS);
G_STATIC_ASSERT (G_N_ELEMENTS (spawn_names) == IL_N_SPAWNS);
G_STATIC_ASSERT (G_N_ELEMENTS (order_names) == IL_N_ORDERS);
G_STATIC_ASSERT (G_N_ELEMENTS (engine_names) == IL_N_ENGINES);

static gboolean
lookup_name (const char *const *names,
             guint              n_names,
             const char        *str,
             guint             *out)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (names[i], str))
        {
          if (out != NULL)
            *out = i;
          return TRUE;
        }
    }

  return FALSE;
}

#define DEFINE_ENUM_STRINGS(prefix, Type, names, n)   \
  const char *                                        \
    prefix##_to_string (Type value)                   \
  {                                                   \
    g_return_val_if_fail ((guint) value < (n), NULL); \
    return names[value];                              \
  }                                                   \
                                                      \
  gboolean                                            \
    prefix##_from_string (const char *str,            \
                          Type       *out)            \
  {                                                   \
    guint i;                                          \
                                                      \
    if (!lookup_name (names, (n), str, &i))           \
      return FALSE;                                   \
    if (out != NULL)                                  \
      *out = (Type) i;                                \
    return TRUE;                                      \
  }

DEFINE_ENUM_STRINGS (il_block_type, IlBlockType, block_type_names, IL_N_BLOCK_TYPES)
DEFINE_ENUM_STRINGS (il_kernel, IlKernel, kernel_names, IL_N_KERNELS)
DEFINE_ENUM_STRINGS (il_executor, IlExecutorKind, executor_names, IL_N_EXECUTORS)
DEFINE_ENUM_STRINGS (il_spawn, IlSpawn, spawn_names, IL_N_SPAWNS)
DEFINE_ENUM_STRINGS (il_order, IlOrder, order_names, IL_N_ORDERS)
DEFINE_ENUM_STRINGS (il_engine, IlEngine, engine_names, IL_N_ENGINES)

/* Blocks */

IlBlock *
il_block_new (IlBlockType type)
{
  IlBlock *block;

  g_return_val_if_fail ((guint) type < IL_N_BLOCK_TYPES, NULL);

  block = g_new0 (IlBlock, 1);
  block->type = type;
  block->kernel = IL_KERNEL_SPIN;

  switch (type)
    {
      case IL_BLOCK_CPU:
        block->units = 10;
        break;
      case IL_BLOCK_SLEEP:
        block->ms = 10;
        break;
      case IL_BLOCK_HTTP:
        block->delay_ms = 20;
        block->bytes = 1024;
        break;
      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        block->bytes = 1024 * 1024;
        break;
      case IL_BLOCK_COUNTER:
        block->increments = 100000;
        break;
      case IL_BLOCK_YIELD:
        block->times = 1000;
        break;
      case IL_N_BLOCK_TYPES:
      default:
        g_assert_not_reached ();
    }

  return block;
}

IlBlock *
il_block_copy (const IlBlock *block)
{
  IlBlock *copy;

  g_return_val_if_fail (block != NULL, NULL);

  copy = g_memdup2 (block, sizeof *block);
  copy->url = g_strdup (block->url);

  return copy;
}

void
il_block_free (IlBlock *block)
{
  if (block == NULL)
    return;

  g_free (block->url);
  g_free (block);
}

gboolean
il_block_equal (const IlBlock *a,
                const IlBlock *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  if (a->type != b->type)
    return FALSE;

  switch (a->type)
    {
      case IL_BLOCK_CPU:
        return a->kernel == b->kernel && a->units == b->units;
      case IL_BLOCK_SLEEP:
        return a->ms == b->ms;
      case IL_BLOCK_HTTP:
        if (a->url != NULL || b->url != NULL)
          return g_strcmp0 (a->url, b->url) == 0;
        return a->delay_ms == b->delay_ms && a->bytes == b->bytes;
      case IL_BLOCK_FILE_WRITE:
        return a->bytes == b->bytes && !a->fsync == !b->fsync;
      case IL_BLOCK_FILE_READ:
        return a->bytes == b->bytes;
      case IL_BLOCK_COUNTER:
        return a->increments == b->increments && !a->lock == !b->lock;
      case IL_BLOCK_YIELD:
        return a->times == b->times;
      case IL_N_BLOCK_TYPES:
      default:
        return FALSE;
    }
}

/* "512 B", "1.0 KiB", "64.0 MiB": binary units as the format's limits are,
 * with a plain space (g_format_size() uses a no-break space and the
 * locale's decimal mark, which makes the text differ between machines). */
static char *
format_bytes (gint64 bytes)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
  char                     number[G_ASCII_DTOSTR_BUF_SIZE];
  double                   value = (double) bytes;
  guint                    unit = 0;

  if (bytes < 1024)
    return g_strdup_printf ("%" G_GINT64_FORMAT " B", bytes);

  value /= 1024.0;
  while (value >= 1024.0 && unit + 1 < G_N_ELEMENTS (units))
    {
      value /= 1024.0;
      unit++;
    }

  g_ascii_formatd (number, sizeof number, "%.1f", value);

  return g_strdup_printf ("%s %s", number, units[unit]);
}

char *
il_block_describe (const IlBlock *block)
{
  g_autofree char *size = NULL;

  g_return_val_if_fail (block != NULL, NULL);

  switch (block->type)
    {
      case IL_BLOCK_CPU:
        return g_strdup_printf ("%s × %" G_GINT64_FORMAT,
                                il_kernel_to_string (block->kernel), block->units);
      case IL_BLOCK_SLEEP:
        return g_strdup_printf ("sleep %" G_GINT64_FORMAT " ms", block->ms);
      case IL_BLOCK_HTTP:
        if (block->url != NULL)
          return g_strdup_printf ("GET %s", block->url);
        size = format_bytes (block->bytes);
        return g_strdup_printf ("GET %" G_GINT64_FORMAT " ms, %s", block->delay_ms, size);
      case IL_BLOCK_FILE_WRITE:
        size = format_bytes (block->bytes);
        return g_strdup_printf ("write %s%s", size, block->fsync ? " (fsync)" : "");
      case IL_BLOCK_FILE_READ:
        size = format_bytes (block->bytes);
        return g_strdup_printf ("read %s", size);
      case IL_BLOCK_COUNTER:
        return g_strdup_printf ("count %" G_GINT64_FORMAT "%s", block->increments,
                                block->lock ? " (lock)" : "");
      case IL_BLOCK_YIELD:
        return g_strdup_printf ("yield × %" G_GINT64_FORMAT, block->times);
      case IL_N_BLOCK_TYPES:
      default:
        g_return_val_if_reached (NULL);
    }
}

/* Task groups */

IlTaskGroup *
il_task_group_new (void)
{
  IlTaskGroup *group = g_new0 (IlTaskGroup, 1);

  group->repeat = 1;
  group->payload_bytes = 0;
  group->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) il_block_free);
  g_ptr_array_add (group->blocks, il_block_new (IL_BLOCK_CPU));

  return group;
}

IlTaskGroup *
il_task_group_copy (const IlTaskGroup *group)
{
  IlTaskGroup *copy;

  g_return_val_if_fail (group != NULL, NULL);

  copy = g_new0 (IlTaskGroup, 1);
  copy->name = g_strdup (group->name);
  copy->repeat = group->repeat;
  copy->payload_bytes = group->payload_bytes;
  copy->blocks = g_ptr_array_new_full (group->blocks != NULL ? group->blocks->len : 0,
                                       (GDestroyNotify) il_block_free);
  for (guint i = 0; group->blocks != NULL && i < group->blocks->len; i++)
    g_ptr_array_add (copy->blocks, il_block_copy (g_ptr_array_index (group->blocks, i)));

  return copy;
}

void
il_task_group_free (IlTaskGroup *group)
{
  if (group == NULL)
    return;

  g_free (group->name);
  g_clear_pointer (&group->blocks, g_ptr_array_unref);
  g_free (group);
}

static guint
ptr_array_len (const GPtrArray *array)
{
  return array != NULL ? array->len : 0;
}

gboolean
il_task_group_equal (const IlTaskGroup *a,
                     const IlTaskGroup *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  if (g_strcmp0 (a->name, b->name) != 0 ||
      a->repeat != b->repeat ||
      a->payload_bytes != b->payload_bytes ||
      ptr_array_len (a->blocks) != ptr_array_len (b->blocks))
    return FALSE;

  for (guint i = 0; i < ptr_array_len (a->blocks); i++)
    if (!il_block_equal (g_ptr_array_index (a->blocks, i), g_ptr_array_index (b->blocks, i)))
      return FALSE;

  return TRUE;
}

char *
il_task_group_display_name (const IlTaskGroup *group,
                            guint              position)
{
  g_return_val_if_fail (group != NULL, NULL);

  if (group->name != NULL && group->name[0] != '\0')
    return g_strdup (group->name);

  return g_strdup_printf ("task %u", position + 1);
}

/* Run configurations */

IlRunConfig *
il_run_config_new (IlExecutorKind executor)
{
  IlRunConfig *run;

  g_return_val_if_fail ((guint) executor < IL_N_EXECUTORS, NULL);

  run = g_new0 (IlRunConfig, 1);
  run->executor = executor;
  run->workers = g_array_new (FALSE, FALSE, sizeof (guint));
  run->switch_interval_ms = 5;
  run->spawn = IL_SPAWN_POOL;
  run->enabled = TRUE;

  return run;
}

static GArray *
uint_array_copy (const GArray *array)
{
  GArray *copy;

  if (array == NULL)
    return NULL;

  copy = g_array_sized_new (FALSE, FALSE, sizeof (guint), array->len);
  g_array_append_vals (copy, array->data, array->len);

  return copy;
}

static gboolean
uint_array_equal (const GArray *a,
                  const GArray *b)
{
  guint len_a = a != NULL ? a->len : 0;
  guint len_b = b != NULL ? b->len : 0;

  if (len_a != len_b)
    return FALSE;

  return len_a == 0 || memcmp (a->data, b->data, len_a * sizeof (guint)) == 0;
}

IlRunConfig *
il_run_config_copy (const IlRunConfig *run)
{
  IlRunConfig *copy;

  g_return_val_if_fail (run != NULL, NULL);

  copy = g_memdup2 (run, sizeof *run);
  copy->label = g_strdup (run->label);
  copy->workers = run->workers != NULL
                    ? uint_array_copy (run->workers)
                    : g_array_new (FALSE, FALSE, sizeof (guint));

  return copy;
}

void
il_run_config_free (IlRunConfig *run)
{
  if (run == NULL)
    return;

  g_free (run->label);
  g_clear_pointer (&run->workers, g_array_unref);
  g_free (run);
}

static gboolean
executor_has_workers (IlExecutorKind executor)
{
  return executor == IL_EXECUTOR_THREADS || executor == IL_EXECUTOR_PROCESSES ||
         executor == IL_EXECUTOR_MPI;
}

gboolean
il_run_config_equal (const IlRunConfig *a,
                     const IlRunConfig *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  if (a->executor != b->executor || a->engine != b->engine ||
      g_strcmp0 (a->label, b->label) != 0)
    return FALSE;

  if (executor_has_workers (a->executor))
    {
      if (!uint_array_equal (a->workers, b->workers))
        return FALSE;
      /* A single count and a one-value sweep are written differently. */
      if (a->workers != NULL && a->workers->len > 0 && !a->workers_sweep != !b->workers_sweep)
        return FALSE;
    }

  switch (a->executor)
    {
      case IL_EXECUTOR_THREADS:
        return !a->gil == !b->gil && a->switch_interval_ms == b->switch_interval_ms;
      case IL_EXECUTOR_PROCESSES:
        return a->spawn == b->spawn;
      case IL_EXECUTOR_ASYNC:
        return a->cpu_slice_units == b->cpu_slice_units;
      case IL_EXECUTOR_SEQUENTIAL:
      case IL_N_EXECUTORS:
      default:
        return TRUE;
    }
}

char *
il_run_config_derive_label (const IlRunConfig *run,
                            guint              workers)
{
  g_autoptr(GString) label = NULL;

  g_return_val_if_fail (run != NULL, NULL);

  label = g_string_new (run->engine == IL_ENGINE_CPYTHON ? "CPython " : "");
  g_string_append (label, il_executor_to_string (run->executor));

  /* Callers that have not resolved the count yet still get something
   * useful when the configuration names a single one. */
  if (workers == 0 && run->workers != NULL && run->workers->len == 1)
    workers = g_array_index (run->workers, guint, 0);

  switch (run->executor)
    {
      case IL_EXECUTOR_THREADS:
        if (workers > 0)
          g_string_append_printf (label, " ×%u", workers);
        if (run->gil && run->engine != IL_ENGINE_CPYTHON)
          g_string_append_printf (label, " (GIL %u ms)", run->switch_interval_ms);
        else if (run->engine == IL_ENGINE_CPYTHON && run->switch_interval_ms != 5)
          g_string_append_printf (label, " (switch %u ms)", run->switch_interval_ms);
        break;
      case IL_EXECUTOR_PROCESSES:
        if (workers > 0)
          g_string_append_printf (label, " ×%u", workers);
        if (run->spawn == IL_SPAWN_PER_TASK)
          g_string_append (label, " (per task)");
        break;
      case IL_EXECUTOR_MPI:
        if (workers > 0)
          g_string_append_printf (label, " ×%u", workers);
        break;
      case IL_EXECUTOR_ASYNC:
        if (run->cpu_slice_units > 0)
          g_string_append_printf (label, " (slice %u)", run->cpu_slice_units);
        break;
      case IL_EXECUTOR_SEQUENTIAL:
      case IL_N_EXECUTORS:
      default:
        break;
    }

  return g_string_free (g_steal_pointer (&label), FALSE);
}

/* Quiz and settings */

static IlQuiz *
quiz_copy (const IlQuiz *quiz)
{
  IlQuiz *copy;

  if (quiz == NULL)
    return NULL;

  copy = g_new0 (IlQuiz, 1);
  copy->question = g_strdup (quiz->question);
  copy->choices = g_strdupv (quiz->choices);
  copy->answer = quiz->answer;
  copy->explanation = g_strdup (quiz->explanation);

  return copy;
}

void
il_quiz_free (IlQuiz *quiz)
{
  if (quiz == NULL)
    return;

  g_free (quiz->question);
  g_strfreev (quiz->choices);
  g_free (quiz->explanation);
  g_free (quiz);
}

static gboolean
strv_equal0 (const char *const *a,
             const char *const *b)
{
  guint len_a = a != NULL ? g_strv_length ((char **) a) : 0;
  guint len_b = b != NULL ? g_strv_length ((char **) b) : 0;

  if (len_a != len_b)
    return FALSE;

  for (guint i = 0; i < len_a; i++)
    if (!g_str_equal (a[i], b[i]))
      return FALSE;

  return TRUE;
}

static gboolean
quiz_equal (const IlQuiz *a,
            const IlQuiz *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return g_strcmp0 (a->question, b->question) == 0 &&
         strv_equal0 ((const char *const *) a->choices, (const char *const *) b->choices) &&
         a->answer == b->answer &&
         g_strcmp0 (a->explanation, b->explanation) == 0;
}

static gboolean
settings_equal (const IlSettings *a,
                const IlSettings *b)
{
  /* NULL and an empty array both mean "all cores" and are saved alike. */
  return a->repetitions == b->repetitions &&
         a->warmup == b->warmup &&
         a->order == b->order &&
         a->sample_hz == b->sample_hz &&
         uint_array_equal (a->cpu_affinity, b->cpu_affinity);
}

/* Experiments */

G_DEFINE_BOXED_TYPE (IlExperiment, il_experiment, il_experiment_copy, il_experiment_free)

/* The format's defaults (docs/experiment-format.md), nothing else: what
 * the reader fills in from a file. */
IlExperiment *
il_experiment_new_empty (void)
{
  IlExperiment *experiment = g_new0 (IlExperiment, 1);

  experiment->description = g_strdup ("");
  experiment->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) il_task_group_free);
  experiment->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  experiment->settings.repetitions = 1;
  experiment->settings.warmup = 0;
  experiment->settings.order = IL_ORDER_INTERLEAVED;
  experiment->settings.sample_hz = 20;
  experiment->settings.cpu_affinity = NULL;

  return experiment;
}

IlExperiment *
il_experiment_new (void)
{
  IlExperiment *experiment = il_experiment_new_empty ();
  IlTaskGroup  *group = il_task_group_new ();
  IlBlock      *block = g_ptr_array_index (group->blocks, 0);

  experiment->name = g_strdup ("Untitled experiment");
  /* A single repetition has no spread, and the first one pays for cold
   * caches: a new experiment measures more honestly than the format's
   * minimal defaults. */
  experiment->settings.repetitions = IL_NEW_EXPERIMENT_REPETITIONS;
  experiment->settings.warmup = IL_NEW_EXPERIMENT_WARMUP;

  group->name = g_strdup ("fragment");
  group->repeat = 8;
  block->kernel = IL_KERNEL_SPIN;
  block->units = 20;
  g_ptr_array_add (experiment->tasks, group);

  g_ptr_array_add (experiment->runs, il_run_config_new (IL_EXECUTOR_SEQUENTIAL));
  g_ptr_array_add (experiment->runs, il_run_config_new (IL_EXECUTOR_THREADS));

  return experiment;
}

IlExperiment *
il_experiment_copy (const IlExperiment *experiment)
{
  IlExperiment *copy;

  g_return_val_if_fail (experiment != NULL, NULL);

  copy = il_experiment_new_empty ();
  copy->name = g_strdup (experiment->name);
  g_free (copy->description);
  copy->description = g_strdup (experiment->description != NULL ? experiment->description : "");

  for (guint i = 0; i < ptr_array_len (experiment->tasks); i++)
    g_ptr_array_add (copy->tasks, il_task_group_copy (g_ptr_array_index (experiment->tasks, i)));
  for (guint i = 0; i < ptr_array_len (experiment->runs); i++)
    g_ptr_array_add (copy->runs, il_run_config_copy (g_ptr_array_index (experiment->runs, i)));

  copy->settings = experiment->settings;
  copy->settings.cpu_affinity = uint_array_copy (experiment->settings.cpu_affinity);
  copy->quiz = quiz_copy (experiment->quiz);
  /* Shared: recorded results are replaced, never changed in place. */
  copy->results = experiment->results != NULL ? il_results_ref (experiment->results) : NULL;

  return copy;
}

void
il_experiment_free (IlExperiment *experiment)
{
  if (experiment == NULL)
    return;

  g_free (experiment->name);
  g_free (experiment->description);
  g_clear_pointer (&experiment->tasks, g_ptr_array_unref);
  g_clear_pointer (&experiment->runs, g_ptr_array_unref);
  g_clear_pointer (&experiment->settings.cpu_affinity, g_array_unref);
  g_clear_pointer (&experiment->quiz, il_quiz_free);
  g_clear_pointer (&experiment->results, il_results_free);
  g_free (experiment);
}

gboolean
il_experiment_equal (const IlExperiment *a,
                     const IlExperiment *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  if (g_strcmp0 (a->name, b->name) != 0 ||
      g_strcmp0 (a->description != NULL ? a->description : "",
                 b->description != NULL ? b->description : "") != 0 ||
      ptr_array_len (a->tasks) != ptr_array_len (b->tasks) ||
      ptr_array_len (a->runs) != ptr_array_len (b->runs) ||
      !settings_equal (&a->settings, &b->settings) ||
      !quiz_equal (a->quiz, b->quiz))
    return FALSE;

  for (guint i = 0; i < ptr_array_len (a->tasks); i++)
    if (!il_task_group_equal (g_ptr_array_index (a->tasks, i), g_ptr_array_index (b->tasks, i)))
      return FALSE;

  for (guint i = 0; i < ptr_array_len (a->runs); i++)
    if (!il_run_config_equal (g_ptr_array_index (a->runs, i), g_ptr_array_index (b->runs, i)))
      return FALSE;

  if (a->results == NULL || b->results == NULL)
    return a->results == b->results;

  return il_results_equal (a->results, b->results);
}

guint64
il_experiment_count_tasks (const IlExperiment *experiment)
{
  guint64 total = 0;

  g_return_val_if_fail (experiment != NULL, 0);

  for (guint i = 0; i < ptr_array_len (experiment->tasks); i++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, i);

      if (group->repeat > 0)
        total += (guint64) group->repeat;
    }

  return total;
}

gint64
il_experiment_count_increments (const IlExperiment *experiment)
{
  gint64 total = 0;

  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);

      for (guint b = 0; b < group->blocks->len; b++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, b);

          if (block->type == IL_BLOCK_COUNTER)
            total += block->increments * group->repeat;
        }
    }
  return total;
}

gint64
il_experiment_count_yields (const IlExperiment *experiment)
{
  gint64 total = 0;

  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);

      for (guint b = 0; b < group->blocks->len; b++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, b);

          if (block->type == IL_BLOCK_YIELD)
            total += block->times * group->repeat;
        }
    }
  return total;
}
