/* il-executor.c — the executor registry and what executors share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adding an executor: one file defining an IlExecutorClass, plus one line
 * here.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-run-private.h"

const IlExecutorClass *
il_executor_lookup (IlExecutorKind kind)
{
  static const IlExecutorClass *const executors[] = {
    &il_executor_sequential,
    &il_executor_threads,
    &il_executor_processes,
    &il_executor_async,
    &il_executor_mpi,
  };

  for (guint i = 0; i < G_N_ELEMENTS (executors); i++)
    if (executors[i]->kind == kind)
      return executors[i];
  return NULL;
}

const IlExecutorClass *
il_executor_for_run (const IlRunConfig *config)
{
  if (config->engine == IL_ENGINE_CPYTHON)
    return il_executor_lookup (config->executor) != NULL ? &il_executor_cpython : NULL;
  return il_executor_lookup (config->executor);
}

void
il_task_record_take_measured (IlTaskRecord *rec,
                              IlTaskRecord *measured)
{
  IlStateTimes state = il_task_record_state (measured);

  rec->pid = measured->pid;
  rec->tid = measured->tid;
  rec->cpu_start = measured->cpu_start;
  rec->cpu_end = measured->cpu_end;
  rec->checksum = measured->checksum;
  il_task_record_set_state (rec, &state);
  rec->failed = measured->failed;
  il_task_record_take_blocks (rec, measured);
  il_task_record_take_error (rec, g_strdup (il_task_record_error (measured)));
  il_task_record_take_error (measured, NULL);
}

void
il_run_context_task_env (IlRunContext *ctx,
                         guint         flat,
                         gint          worker,
                         IlTaskEnv    *env)
{
  IlTaskRecord *rec = &g_array_index (ctx->repetition->tasks, IlTaskRecord, flat);

  il_task_env_init (env, g_ptr_array_index (ctx->experiment->tasks, rec->group),
                    rec->group, rec->index, flat, worker, ctx->run, ctx->rep, ctx->t0);
  env->cancellable = ctx->cancellable;
  env->io = ctx->io;
  env->events = ctx->events;
  env->counter = &ctx->counter;
}

void
il_run_context_account (IlRunContext    *ctx,
                        const IlTaskEnv *env)
{
  g_mutex_lock (&ctx->lock);
  ctx->usage.user_us += env->usage.user_us;
  ctx->usage.sys_us += env->usage.sys_us;
  ctx->usage.nvcsw += env->usage.nvcsw;
  ctx->usage.nivcsw += env->usage.nivcsw;
  ctx->overhead_ns += env->overhead_ns;
  ctx->counter.done += env->counter_done;
  ctx->yielded.yields += env->yielded.yields;
  ctx->yielded.nvcsw += env->yielded.nvcsw;
  ctx->yielded.nivcsw += env->yielded.nivcsw;
  ctx->yielded.cpu_us += env->yielded.cpu_us;
  g_mutex_unlock (&ctx->lock);
}

void
il_task_env_accumulate (IlTaskEnv       *into,
                        const IlTaskEnv *env)
{
  into->usage.user_us += env->usage.user_us;
  into->usage.sys_us += env->usage.sys_us;
  into->usage.nvcsw += env->usage.nvcsw;
  into->usage.nivcsw += env->usage.nivcsw;
  into->overhead_ns += env->overhead_ns;
  into->counter_done += env->counter_done;
  into->yielded.yields += env->yielded.yields;
  into->yielded.nvcsw += env->yielded.nvcsw;
  into->yielded.nivcsw += env->yielded.nivcsw;
  into->yielded.cpu_us += env->yielded.cpu_us;
}

void
il_usage_add_since (IlUsage       *into,
                    const IlUsage *since)
{
  IlUsage now;

  il_thread_usage_read (&now);
  into->user_us += now.user_us - since->user_us;
  into->sys_us += now.sys_us - since->sys_us;
  into->nvcsw += now.nvcsw - since->nvcsw;
  into->nivcsw += now.nivcsw - since->nivcsw;
}

void
il_run_context_count_worker (IlRunContext *ctx,
                             gint          worker,
                             gint64        n)
{
  g_return_if_fail (worker >= 0 && (guint) worker < MAX (ctx->workers, 1));

  g_mutex_lock (&ctx->lock);
  if (ctx->counter.per_worker == NULL)
    {
      ctx->counter.per_worker = g_array_new (FALSE, TRUE, sizeof (gint64));
      g_array_set_size (ctx->counter.per_worker, MAX (ctx->workers, 1));
    }
  g_array_index (ctx->counter.per_worker, gint64, worker) += n;
  g_mutex_unlock (&ctx->lock);
}

gboolean
il_run_context_pin_thread (IlRunContext *ctx,
                           GError      **error)
{
  cpu_set_t set;

  if (ctx->affinity == NULL || ctx->affinity->len == 0)
    return TRUE;

  CPU_ZERO (&set);
  for (guint i = 0; i < ctx->affinity->len; i++)
    CPU_SET (g_array_index (ctx->affinity, guint, i), &set);
  if (sched_setaffinity (0, sizeof set, &set) != 0)
    {
      int errsv = errno;

      g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                   _("Could not confine the run to the chosen cores: %s"),
                      g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

void
il_run_context_emit (IlRunContext *ctx,
                     IlEvent      *event)
{
  if (ctx->events == NULL)
    return;
  event->run = ctx->run;
  event->rep = ctx->rep;
  il_event_queue_push (ctx->events, event);
}
