/* il-executor-sequential.c — the baseline: one worker thread, tasks in order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tasks run on a thread of their own, never the caller's: the caller
 * may be the GUI's main thread, and every executor should pay the same
 * thread start-up and measure from the same kind of thread.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-run-private.h"

typedef struct
{
  IlRunContext *ctx;
  GError       *error;
} SequentialData;

static gpointer
sequential_worker (gpointer user_data)
{
  SequentialData *data = user_data;
  IlRunContext   *ctx = data->ctx;
  GArray         *tasks = ctx->repetition->tasks;
  IlTaskEnv       sum = { 0 };
  IlUsage         u0;

  if (!il_run_context_pin_thread (ctx, &data->error))
    return NULL;

  /* Resource use once for the whole repetition: per task it would cost
   * more than a tiny task's dispatch. */
  il_thread_usage_read (&u0);
  for (guint i = 0; i < tasks->len; i++)
    {
      IlTaskRecord *rec = &g_array_index (tasks, IlTaskRecord, i);
      IlTaskEnv     env;

      if (g_cancellable_is_cancelled (ctx->cancellable))
        break;
      il_run_context_task_env (ctx, i, 0, &env);
      il_task_execute (&env, rec);
      il_task_env_accumulate (&sum, &env);
    }
  il_usage_add_since (&sum.usage, &u0);
  il_run_context_account (ctx, &sum);
  return NULL;
}

static gboolean
sequential_run (IlRunContext *ctx,
                GError      **error)
{
  SequentialData data = { ctx, NULL };
  GThread       *thread;

  thread = g_thread_try_new ("il-sequential", sequential_worker, &data, error);
  if (thread == NULL)
    {
      g_prefix_error (error, _("Could not start the sequential executor's thread: "));
      return FALSE;
    }
  g_thread_join (thread);

  if (data.error != NULL)
    {
      g_propagate_error (error, data.error);
      return FALSE;
    }
  return TRUE;
}

const IlExecutorClass il_executor_sequential = {
  .kind = IL_EXECUTOR_SEQUENTIAL,
  .run = sequential_run,
};
