/* il-runner.c — runs an experiment: every configuration, every repetition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The runner owns what is common to all executors: expanding sweeps,
 * ordering repetitions so that drift hits every configuration alike,
 * the per-core load sampler, resource accounting, checksums, statistics and
 * the machine's description. Executors only run tasks.
 */
#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <sched.h>

#include <glib/gi18n.h>

#include "il-kernels.h"
#include "il-cpython.h"
#include "il-machine.h"
#include "il-network.h"
#include "il-run-private.h"
#include "il-runner-private.h"
#include "il-sampler.h"
#include "il-stats.h"

#include "il-io.h"

G_DEFINE_FINAL_TYPE (IlRunner, il_runner, G_TYPE_OBJECT)

static void
expanded_run_clear (gpointer data)
{
  ExpandedRun *run = data;

  g_free (run->label);
}

static void
il_runner_finalize (GObject *object)
{
  IlRunner *self = IL_RUNNER (object);

  g_clear_pointer (&self->experiment, il_experiment_free);
  g_clear_pointer (&self->only_runs, g_array_unref);
  g_clear_pointer (&self->events, il_event_queue_unref);
  g_clear_pointer (&self->runs, g_array_unref);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->scratch_base, g_free);
  g_clear_pointer (&self->mpi_hosts.hosts, g_free);
  g_clear_pointer (&self->mpi_hosts.hostfile, g_free);

  G_OBJECT_CLASS (il_runner_parent_class)->finalize (object);
}

static void
il_runner_class_init (IlRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = il_runner_finalize;
}

static void
il_runner_init (IlRunner *self)
{
  self->runs = g_array_new (FALSE, TRUE, sizeof (ExpandedRun));
  g_array_set_clear_func (self->runs, expanded_run_clear);
}

static void
add_expanded (IlRunner *self,
              guint     config_index,
              guint     workers)
{
  const IlRunConfig *config = g_ptr_array_index (self->experiment->runs, config_index);
  ExpandedRun        run = { config_index, workers, NULL };

  if (config->label != NULL && config->workers_sweep && config->workers->len > 1)
    run.label = g_strdup_printf ("%s ×%u", config->label, workers);
  else if (config->label != NULL)
    run.label = g_strdup (config->label);
  else
    run.label = il_run_config_derive_label (config, workers);
  g_array_append_val (self->runs, run);
}

static void
expand_config (IlRunner *self,
               guint     config_index)
{
  const IlRunConfig *config = g_ptr_array_index (self->experiment->runs, config_index);

  if (config->executor == IL_EXECUTOR_SEQUENTIAL || config->executor == IL_EXECUTOR_ASYNC)
    {
      add_expanded (self, config_index, 1);
      return;
    }
  if (config->workers == NULL || config->workers->len == 0)
    {
      guint cores = self->experiment->settings.cpu_affinity != NULL &&
                        self->experiment->settings.cpu_affinity->len > 0
                      ? self->experiment->settings.cpu_affinity->len
                      : il_machine_count_cores ();
      add_expanded (self, config_index, cores);
      return;
    }
  for (guint i = 0; i < config->workers->len; i++)
    add_expanded (self, config_index, g_array_index (config->workers, guint, i));
}

IlRunner *
il_runner_new (const IlExperiment *experiment,
               const IlRunOptions *options)
{
  IlRunner *self;

  g_return_val_if_fail (experiment != NULL, NULL);

  self = g_object_new (IL_TYPE_RUNNER, NULL);
  self->experiment = il_experiment_copy (experiment);
  if (options != NULL)
    {
      if (options->only_runs != NULL && options->only_runs->len > 0)
        {
          self->only_runs = g_array_sized_new (FALSE, FALSE, sizeof (guint), options->only_runs->len);
          g_array_append_vals (self->only_runs, options->only_runs->data, options->only_runs->len);
        }
      self->repetitions = options->repetitions;
      self->allow_network = options->allow_network;
      if (options->events != NULL)
        self->events = il_event_queue_ref (options->events);
      self->server_url = g_strdup (options->server_url);
      self->scratch_base = g_strdup (options->scratch_base);
      self->outputs = options->outputs;
      self->on_partial = options->on_partial;
      self->partial_data = options->partial_data;
      if (options->mpi_hosts != NULL)
        {
          self->mpi_hosts.hosts = g_strdup (options->mpi_hosts->hosts);
          self->mpi_hosts.hostfile = g_strdup (options->mpi_hosts->hostfile);
        }
    }

  if (self->only_runs != NULL)
    {
      for (guint i = 0; i < self->only_runs->len; i++)
        {
          guint idx = g_array_index (self->only_runs, guint, i);

          if (idx < self->experiment->runs->len)
            expand_config (self, idx);
        }
    }
  else
    {
      for (guint i = 0; i < self->experiment->runs->len; i++)
        {
          const IlRunConfig *config = g_ptr_array_index (self->experiment->runs, i);

          if (config->enabled)
            expand_config (self, i);
        }
    }
  self->tasks_per_rep = il_experiment_count_tasks (self->experiment);

  return self;
}

guint
il_runner_count_repetitions (IlRunner *self)
{
  return self->repetitions > 0 ? self->repetitions : MAX (self->experiment->settings.repetitions, 1);
}

const IlExperiment *
il_runner_get_experiment (IlRunner *self)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), NULL);
  return self->experiment;
}

guint
il_runner_get_n_runs (IlRunner *self)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), 0);
  return self->runs->len;
}

const IlRunConfig *
il_runner_get_run_config (IlRunner *self,
                          guint     run)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), NULL);
  g_return_val_if_fail (run < self->runs->len, NULL);
  return g_ptr_array_index (self->experiment->runs, g_array_index (self->runs, ExpandedRun, run).config_index);
}

guint
il_runner_get_run_workers (IlRunner *self,
                           guint     run)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), 0);
  g_return_val_if_fail (run < self->runs->len, 0);
  return g_array_index (self->runs, ExpandedRun, run).workers;
}

const char *
il_runner_get_run_label (IlRunner *self,
                         guint     run)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), NULL);
  g_return_val_if_fail (run < self->runs->len, NULL);
  return g_array_index (self->runs, ExpandedRun, run).label;
}

guint64
il_runner_get_tasks_per_repetition (IlRunner *self)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), 0);
  return self->tasks_per_rep;
}

guint64
il_runner_get_total_tasks (IlRunner *self)
{
  g_return_val_if_fail (IL_IS_RUNNER (self), 0);
  return self->tasks_per_rep * self->runs->len *
         (il_runner_count_repetitions (self) + self->experiment->settings.warmup);
}

/* Stamps @ev (from an il_event_*() packing function) with @run and @rep. */
static void
push_event (IlRunner *self,
            guint     run,
            guint     rep,
            IlEvent   ev)
{
  if (self->events == NULL)
    return;
  ev.run = (guint16) run;
  ev.rep = (guint16) rep;
  il_event_queue_push (self->events, &ev);
}

static IlRepetition *
prepare_repetition (IlRunner *self)
{
  IlRepetition       *rep = il_repetition_new ();
  const IlExperiment *exp = self->experiment;

  g_array_set_size (rep->tasks, 0);
  for (guint g = 0; g < exp->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (exp->tasks, g);

      for (gint64 i = 0; i < group->repeat; i++)
        {
          IlTaskRecord rec = { 0 };

          rec.group = g;
          rec.index = (guint) i;
          rec.worker = -1;
          rec.cpu_start = rec.cpu_end = -1;
          rec.start_us = rec.end_us = -1;
          il_task_record_set_spawn_us (&rec, -1);
          il_task_record_set_marshal_us (&rec, -1);
          g_array_append_val (rep->tasks, rec);
        }
    }
  return rep;
}

/* Runs one repetition of one expanded run. Returns NULL with @error when the
 * executor could not run at all. */
static IlRepetition *
run_repetition (IlRunner     *self,
                guint         run_index,
                guint         rep_index,
                gboolean      warmup,
                gpointer     *executor_kept,
                GCancellable *cancellable,
                GError      **error)
{
  const ExpandedRun     *run = &g_array_index (self->runs, ExpandedRun, run_index);
  const IlRunConfig     *config = g_ptr_array_index (self->experiment->runs, run->config_index);
  const IlExecutorClass *executor = il_executor_for_run (config);
  g_autoptr(IlRepetition) rep = prepare_repetition (self);
  IlRunContext ctx = { 0 };
  IlSampler   *sampler;
  gint64       sampler_ns;
  gint64       wall_end;
  guint64      checksum = 0;
  gint64       last_end = 0;
  gboolean     ok;
  guint        kept = 0;

  g_assert (executor != NULL);

  ctx.experiment = self->experiment;
  ctx.config = config;
  ctx.workers = run->workers;
  ctx.run = (guint16) run_index;
  ctx.rep = (guint16) rep_index;
  ctx.warmup = warmup;
  ctx.repetition = rep;
  ctx.cancellable = cancellable;
  ctx.events = self->events;
  ctx.affinity = self->experiment->settings.cpu_affinity;
  g_mutex_init (&ctx.lock);
  il_counter_init (&ctx.counter);
  ctx.io = self->io;
  ctx.mpi_hosts = &self->mpi_hosts;
  ctx.kept = executor_kept;

  push_event (self, run_index, rep_index, il_event_rep_start (warmup, rep->tasks->len));

  if (executor->prepare != NULL && !executor->prepare (&ctx, error))
    {
      g_mutex_clear (&ctx.lock);
      return NULL;
    }
  ctx.t0 = il_now_us ();
  sampler = il_sampler_start (&ctx, error);
  ok = sampler != NULL && executor->run (&ctx, error);
  wall_end = il_now_us () - ctx.t0;
  sampler_ns = sampler != NULL ? il_sampler_stop (sampler) : 0;
  g_mutex_clear (&ctx.lock);

  if (!ok)
    {
      il_counter_clear (&ctx.counter);
      return NULL;
    }

  /* What the tasks counted against what reached the counter (under
   * processes: this process's, which no worker can reach). */
  rep->has_counter = il_experiment_count_increments (self->experiment) > 0;
  rep->counter_expected = ctx.counter.done;
  rep->counter_final = ctx.counter.value;
  if (rep->has_counter)
    rep->counter_per_worker = g_steal_pointer (&ctx.counter.per_worker);
  il_counter_clear (&ctx.counter);

  /* Yield blocks: how often they gave up the CPU, and the switches the
   * kernel counted for the yielding threads meanwhile. */
  rep->has_yield = il_experiment_count_yields (self->experiment) > 0;
  rep->yield.yields = ctx.yielded.yields;
  rep->yield.voluntary = ctx.yielded.nvcsw;
  rep->yield.involuntary = ctx.yielded.nivcsw;
  rep->yield.cpu_us = ctx.yielded.cpu_us;

  rep->warmup = warmup;
  rep->cancelled = g_cancellable_is_cancelled (cancellable);

  /* Tasks that never started (a cancelled run) are dropped: the partial
   * repetition holds what really ran. */
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      IlTaskRecord *rec = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (rec->start_us < 0)
        {
          rep->cancelled = TRUE;
          il_task_record_clear (rec);
          continue;
        }
      if (rec->failed)
        rep->failed_tasks++;
      else
        checksum = il_checksum_combine (checksum, rec->checksum);
      last_end = MAX (last_end, rec->end_us);
      if (kept != i)
        g_array_index (rep->tasks, IlTaskRecord, kept) = *rec;
      kept++;
    }
  /* The tail now holds moved-from copies: zero them so that shrinking the
   * array does not free what the kept records own. */
  if (kept < rep->tasks->len)
    {
      memset (&g_array_index (rep->tasks, IlTaskRecord, kept), 0,
              (rep->tasks->len - kept) * sizeof (IlTaskRecord));
      g_array_set_size (rep->tasks, kept);
    }

  rep->makespan_ms = (double) (rep->cancelled ? MAX (last_end, wall_end) : last_end) / 1000.0;
  g_free (rep->checksum);
  rep->checksum = il_checksum_to_string (checksum);
  rep->cpu_user_ms = (double) ctx.usage.user_us / 1000.0;
  rep->cpu_sys_ms = (double) ctx.usage.sys_us / 1000.0;
  rep->ctx_voluntary = ctx.usage.nvcsw;
  rep->ctx_involuntary = ctx.usage.nivcsw;
  rep->overhead_cpu_ms = (double) (ctx.overhead_ns + sampler_ns) / 1e6;

  push_event (self, run_index, rep_index,
              il_event_rep_end ((gint64) (rep->makespan_ms * 1000.0), rep->cancelled));

  return g_steal_pointer (&rep);
}

typedef struct
{
  guint    run;
  guint    rep;
  gboolean warmup;
} Slot;

/* Ends what each run's executor kept across its repetitions. */
static void
release_kept (IlRunner *self,
              gpointer *kept)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      const ExpandedRun     *run = &g_array_index (self->runs, ExpandedRun, i);
      const IlRunConfig     *config = g_ptr_array_index (self->experiment->runs, run->config_index);
      const IlExecutorClass *executor = il_executor_for_run (config);

      if (kept[i] != NULL && executor != NULL && executor->release != NULL)
        executor->release (kept[i]);
      kept[i] = NULL;
    }
}

static GArray *
plan_slots (IlRunner *self)
{
  guint   n_runs = self->runs->len;
  guint   reps = il_runner_count_repetitions (self);
  guint   warmup = self->experiment->settings.warmup;
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (Slot));

  switch (self->experiment->settings.order)
    {
      case IL_ORDER_GROUPED:
        for (guint r = 0; r < n_runs; r++)
          for (guint k = 0; k < warmup + reps; k++)
            {
              Slot s = { r, k, k < warmup };
              g_array_append_val (slots, s);
            }
        break;

      case IL_ORDER_SHUFFLED:
      case IL_ORDER_INTERLEAVED:
      case IL_N_ORDERS:
      default:
        for (guint k = 0; k < warmup + reps; k++)
          for (guint r = 0; r < n_runs; r++)
            {
              Slot s = { r, k, k < warmup };
              g_array_append_val (slots, s);
            }
        if (self->experiment->settings.order == IL_ORDER_SHUFFLED)
          {
            /* Warm-ups stay first; the counted repetitions are shuffled
             * (Fisher–Yates). */
            guint first = warmup * n_runs;

            for (guint i = slots->len; i > first + 1; i--)
              {
                guint j = first + (guint) g_random_int_range (0, (gint32) (i - first));
                Slot  tmp = g_array_index (slots, Slot, i - 1);

                g_array_index (slots, Slot, i - 1) = g_array_index (slots, Slot, j);
                g_array_index (slots, Slot, j) = tmp;
              }
          }
        break;
    }
  return slots;
}

/* The median makespan of the first sequential run that has repetitions
 * (the baseline of speed-ups); NAN: none. */
static double
sequential_baseline (GPtrArray *run_results)
{
  for (guint i = 0; i < run_results->len; i++)
    {
      IlRunResult *rr = g_ptr_array_index (run_results, i);

      /* Repetitions cut off by Stop are no baseline. */
      if (rr->executor == IL_EXECUTOR_SEQUENTIAL && il_run_result_count_repetitions (rr, NULL) > 0)
        return il_run_result_median_makespan (rr);
    }
  return NAN;
}

static guint
count_cores (IlRunner *self)
{
  return self->experiment->settings.cpu_affinity != NULL && self->experiment->settings.cpu_affinity->len > 0
           ? self->experiment->settings.cpu_affinity->len
           : il_machine_count_cores ();
}

/* Hands the results so far to the caller's on_partial: a shell that
 * borrows the runs that have repetitions, summarized. */
static void
emit_partial (IlRunner        *self,
              const IlResults *results,
              GPtrArray       *run_results,
              GPtrArray       *warnings)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  IlResults partial = *results;
  double    baseline = sequential_baseline (run_results);
  guint     cores = count_cores (self);

  for (guint i = 0; i < run_results->len; i++)
    {
      IlRunResult *rr = g_ptr_array_index (run_results, i);

      if (rr->repetitions->len == 0)
        continue;
      il_run_result_summarize (rr, baseline, cores);
      g_ptr_array_add (runs, rr);
    }
  for (guint i = 0; i < warnings->len; i++)
    g_ptr_array_add (texts, g_ptr_array_index (warnings, i));
  g_ptr_array_add (texts, NULL);
  partial.runs = runs;
  partial.warnings = (GStrv) texts->pdata;
  partial.cancelled = FALSE;
  partial.incomplete = TRUE;
  self->on_partial (&partial, self->partial_data);
}

IlResults *
il_runner_run (IlRunner     *self,
               GCancellable *cancellable,
               GError      **error)
{
  g_autoptr(IlResults) results = NULL;
  g_autoptr(GCancellable) own_cancellable = NULL;
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GPtrArray) run_results = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree gpointer *kept = NULL; /* per expanded run: what its executor keeps */
  double               baseline = NAN;
  guint                cores;

  g_return_val_if_fail (IL_IS_RUNNER (self), NULL);

  if (!il_runner_check (self, error))
    return NULL;

  if (cancellable == NULL)
    cancellable = own_cancellable = g_cancellable_new ();

  results = il_results_new ();
  results->experiment = g_strdup (self->experiment->name);
  il_machine_describe (&results->machine);
  warnings = g_ptr_array_new_with_free_func (g_free);
  il_machine_warnings (&results->machine, warnings);

  run_results = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_result_free);
  for (guint i = 0; i < self->runs->len; i++)
    {
      const ExpandedRun *run = &g_array_index (self->runs, ExpandedRun, i);
      const IlRunConfig *config = g_ptr_array_index (self->experiment->runs, run->config_index);
      IlRunResult       *rr = il_run_result_new ();

      rr->label = g_strdup (run->label);
      rr->executor = config->executor;
      rr->workers = run->workers;
      rr->gil = config->gil;
      rr->switch_interval_ms = config->switch_interval_ms;
      rr->spawn = config->spawn;
      rr->cpu_slice_units = config->cpu_slice_units;
      rr->engine = config->engine;
      if (config->engine == IL_ENGINE_CPYTHON)
        il_cpython_find (NULL, &rr->python_version, NULL);
      rr->config_index = run->config_index;
      g_ptr_array_add (run_results, rr);
      push_event (self, i, 0, il_event_run_start (self->tasks_per_rep));
    }

  self->io = il_io_env_new_with_server (self->experiment, self->server_url, self->scratch_base, error);
  if (self->io == NULL)
    return NULL;

  slots = plan_slots (self);
  kept = g_new0 (gpointer, MAX (self->runs->len, 1));
  for (guint s = 0; s < slots->len; s++)
    {
      const Slot   *slot = &g_array_index (slots, Slot, s);
      IlRunResult  *rr = g_ptr_array_index (run_results, slot->run);
      IlRepetition *rep;
      g_autoptr(GError) rep_error = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        break;

      rep = run_repetition (self, slot->run, slot->rep, slot->warmup, &kept[slot->run], cancellable,
                            &rep_error);
      if (rep == NULL)
        {
          gboolean measured = FALSE;

          for (guint i = 0; i < run_results->len && !measured; i++)
            measured = ((IlRunResult *) g_ptr_array_index (run_results, i))->repetitions->len > 0;
          if (!measured)
            {
              release_kept (self, kept);
              g_clear_pointer (&self->io, il_io_env_free);
              g_propagate_error (error, g_steal_pointer (&rep_error));
              return NULL;
            }
          /* What was measured before is kept: the results are partial. */
          results->incomplete = TRUE;
          g_ptr_array_add (warnings,
                           g_strdup_printf (_("The experiment stopped early: “%s” could not run (%s); "
                                              "the results are partial"),
                                               g_array_index (self->runs, ExpandedRun, slot->run).label,
                                               rep_error->message));
          break;
        }
      /* A cancelled warm-up is shown nowhere; a cancelled counted
       * repetition is kept, marked, as partial results. */
      if (slot->warmup || (rep->cancelled && rep->tasks->len == 0))
        il_repetition_free (rep);
      else
        {
          g_ptr_array_add (rr->repetitions, rep);
          if (self->on_partial != NULL && s + 1 < slots->len && !g_cancellable_is_cancelled (cancellable))
            emit_partial (self, results, run_results, warnings);
        }
    }
  results->cancelled = g_cancellable_is_cancelled (cancellable);
  release_kept (self, kept);
  /* The scratch folder goes away with the run. */
  g_clear_pointer (&self->io, il_io_env_free);

  cores = count_cores (self);
  baseline = sequential_baseline (run_results);

  for (guint i = 0; i < run_results->len; i++)
    {
      IlRunResult *rr = g_ptr_array_index (run_results, i);

      push_event (self, i, 0, il_event_run_end ());
      if (rr->repetitions->len == 0)
        continue; /* never ran (cancelled before it) */
      il_run_result_summarize (rr, baseline, cores);
      if (rr->repetitions->len >= 2 && il_stats_cv (&rr->summary.makespan_ms) > 0.10)
        g_ptr_array_add (warnings,
                         g_strdup_printf (_("High variance between repetitions of “%s” (±%.0f %%)"),
                                             rr->label, 100.0 * il_stats_cv (&rr->summary.makespan_ms)));
      g_ptr_array_add (results->runs, g_ptr_array_steal_index (run_results, i));
      i--;
    }

  if (self->events != NULL && il_event_queue_get_dropped (self->events) > 0)
    g_ptr_array_add (warnings,
                     g_strdup_printf (_("The live view missed %" PRIu64 " events (results are complete)"),
                                         il_event_queue_get_dropped (self->events)));

  g_ptr_array_add (warnings, NULL);
  g_strfreev (results->warnings);
  results->warnings = (GStrv) g_ptr_array_free (g_steal_pointer (&warnings), FALSE);

  push_event (self, 0, 0, il_event_finished (results->cancelled));

  return g_steal_pointer (&results);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  GError    *error = NULL;
  IlResults *results = il_runner_run (source_object, cancellable, &error);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, (GDestroyNotify) il_results_free);
}

void
il_runner_run_async (IlRunner           *self,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (IL_IS_RUNNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, il_runner_run_async);
  /* Partial results matter after a cancel: don't let GTask discard them. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

IlResults *
il_runner_run_finish (IlRunner     *self,
                      GAsyncResult *result,
                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
