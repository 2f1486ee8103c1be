/* il-executor-threads.c — a GThreadPool of N exclusive threads, optionally
 * behind the simulated GIL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each pushed item is a flat task index. GThreadPool does not tell a thread
 * which of the pool's threads it is, so every thread takes a lane (0 … N−1)
 * the first time it runs a task of this repetition: lanes are what the
 * results and the timeline call workers. The same first use pins the thread
 * to the run's cores, so that pinning is paid once per thread, not per task.
 *
 * A fresh pool per repetition keeps repetitions independent (no thread, no
 * lane and no pinning carried over); its start-up is paid once per
 * repetition and shows in the makespan like the sequential executor's own
 * thread start.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-gil.h"
#include "il-run-private.h"

typedef struct
{
  gint        index;
  IlGilClient gil;     /* unused without the GIL */
  gboolean    started; /* under the GIL: this thread has been started */
  IlUsage     u0;      /* the thread's resource use when it took the lane */
  IlTaskEnv   sum;     /* its tasks' usage, overhead, …: accounted once */
} Lane;

/* Pushed once per thread after the tasks: each thread takes one (lane_end
 * holds it until all are taken) and accounts its lane's use. */
#define LANE_END GUINT_TO_POINTER (G_MAXUINT)

typedef struct
{
  IlRunContext *ctx;
  guint64       serial;    /* tells this repetition's lanes from older ones */
  Lane         *lanes;     /* ctx->workers */
  gint          next_lane; /* atomic */
  IlGil        *gil;       /* nullable */
  gint          queued;    /* atomic: tasks pushed and not yet begun */
  GMutex        error_lock;
  GError       *error; /* first thread that could not be pinned */
  /* Under the GIL: the workers' start (start_thread). */
  GMutex      start_lock;
  GCond       start_cond;
  GArray     *start_waiting; /* the first task (guint) of each thread waiting */
  guint       start_grant;   /* that task's thread may start; G_MAXUINT: none */
  guint       starting;      /* started, not yet through their bootstrap */
  gboolean    main_back;     /* the starting thread queues for the lock again */
  IlGilClient main;          /* the thread that starts them */
  /* The lanes' ends (LANE_END), under end_lock. */
  GMutex   end_lock;
  GCond    end_cond;
  guint    ends_taken;
  guint    ends_pushed;
  gboolean ends_known; /* ends_pushed is final */
} ThreadsRun;

/* What a pool thread remembers between tasks. Exclusive pool threads end
 * with their pool, but nothing promises it, so the lane is tagged with the
 * repetition it belongs to. */
typedef struct
{
  guint64 serial;
  gint    lane; /* -1: this thread could not be pinned */
} ThreadLane;

static GPrivate thread_lane = G_PRIVATE_INIT (g_free);
static guint64  run_serial; /* under serial_lock: 64-bit, never wraps */
static GMutex   serial_lock;

static guint64
next_serial (void)
{
  guint64 serial;

  g_mutex_lock (&serial_lock);
  serial = ++run_serial;
  g_mutex_unlock (&serial_lock);
  return serial;
}

static Lane *
lane_for_this_thread (ThreadsRun *tr)
{
  ThreadLane *tl = g_private_get (&thread_lane);
  GError     *error = NULL;
  gint        index;

  if (G_LIKELY (tl != NULL && tl->serial == tr->serial))
    return tl->lane >= 0 ? &tr->lanes[tl->lane] : NULL;

  if (tl == NULL)
    {
      tl = g_new0 (ThreadLane, 1);
      g_private_set (&thread_lane, tl);
    }
  tl->serial = tr->serial;
  tl->lane = -1;

  if (!il_run_context_pin_thread (tr->ctx, &error))
    {
      g_mutex_lock (&tr->error_lock);
      if (tr->error == NULL)
        tr->error = g_steal_pointer (&error);
      g_mutex_unlock (&tr->error_lock);
      g_clear_error (&error); /* a later thread's duplicate */
      return NULL;
    }

  index = g_atomic_int_add (&tr->next_lane, 1);
  /* An exclusive pool has exactly ctx->workers threads. */
  g_assert (index >= 0 && (guint) index < tr->ctx->workers);
  tl->lane = index;
  il_thread_usage_read (&tr->lanes[index].u0);
  return &tr->lanes[index];
}

/* A thread's last item: accounts what its lane used over the repetition
 * (one getrusage per thread, not two per task), then waits until every
 * thread has taken its end, so that no thread takes two. */
static void
lane_end (ThreadsRun *tr)
{
  ThreadLane *tl = g_private_get (&thread_lane);

  if (tl != NULL && tl->serial == tr->serial && tl->lane >= 0)
    {
      Lane *lane = &tr->lanes[tl->lane];

      il_usage_add_since (&lane->sum.usage, &lane->u0);
      il_run_context_account (tr->ctx, &lane->sum);
    }
  g_mutex_lock (&tr->end_lock);
  tr->ends_taken++;
  g_cond_broadcast (&tr->end_cond);
  while (!tr->ends_known || tr->ends_taken < tr->ends_pushed)
    g_cond_wait (&tr->end_cond, &tr->end_lock);
  g_mutex_unlock (&tr->end_lock);
}

/* Under the GIL, the workers start as Python threads do: the thread that
 * starts them (Python's main thread, in threading.Thread.start) needs the
 * lock to start each one; the new thread then takes it for its bootstrap,
 * and start() waits for that before the next thread is started, queueing
 * for the lock again at once. Beside CPU-bound threads that already hold
 * the lock, each start costs two waits for it, one thread after another.
 * Here a pool thread's first task waits for its start (start_thread), and
 * the executor's own thread plays the main thread (start_threads). */
static void
start_thread (ThreadsRun *tr,
              Lane       *lane,
              guint       flat)
{
  g_mutex_lock (&tr->start_lock);
  while (tr->start_grant != flat)
    g_cond_wait (&tr->start_cond, &tr->start_lock);
  tr->start_grant = G_MAXUINT;
  g_mutex_unlock (&tr->start_lock);

  il_gil_acquire (&lane->gil);

  /* Python's bootstrap and the code before the task's first blocking call
   * take longer than the starting thread needs to queue for the lock again
   * once start() returns: let it queue before going on. */
  g_mutex_lock (&tr->start_lock);
  tr->starting--;
  g_cond_broadcast (&tr->start_cond);
  while (!tr->main_back)
    g_cond_wait (&tr->start_cond, &tr->start_lock);
  g_mutex_unlock (&tr->start_lock);
}

/* Whether a thread waits to be started (under start_lock), waiting for
 * one, without the lock, while tasks are left that a new thread may take. */
static gboolean
start_wanted (ThreadsRun *tr)
{
  if (tr->start_waiting->len == 0 && g_atomic_int_get (&tr->queued) > 0)
    {
      g_mutex_unlock (&tr->start_lock);
      il_gil_release (&tr->main);
      g_mutex_lock (&tr->start_lock);
      while (tr->start_waiting->len == 0 && g_atomic_int_get (&tr->queued) > 0)
        g_cond_wait (&tr->start_cond, &tr->start_lock);
      g_mutex_unlock (&tr->start_lock);
      il_gil_acquire (&tr->main);
      g_mutex_lock (&tr->start_lock);
    }
  return tr->start_waiting->len > 0;
}

/* Starts the threads that come for a task, one at a time, until every
 * task has been taken: holding the lock, it lets the next thread start and
 * waits for it without the lock (start()), then takes the lock back. */
static void
start_threads (ThreadsRun *tr)
{
  il_gil_acquire (&tr->main);
  g_mutex_lock (&tr->start_lock);
  while (start_wanted (tr))
    {
      /* Python's thread k takes the k-th task: the pool's threads took
       * theirs already, so they start in the order of their tasks. */
      guint first = 0;

      for (guint i = 1; i < tr->start_waiting->len; i++)
        if (g_array_index (tr->start_waiting, guint, i) < g_array_index (tr->start_waiting, guint, first))
          first = i;
      tr->start_grant = g_array_index (tr->start_waiting, guint, first);
      g_array_remove_index_fast (tr->start_waiting, first);
      tr->starting++;
      tr->main_back = FALSE;
      g_cond_broadcast (&tr->start_cond);
      g_mutex_unlock (&tr->start_lock);
      il_gil_release (&tr->main);

      /* start() returns once the new thread has had the lock. */
      g_mutex_lock (&tr->start_lock);
      while (tr->starting > 0)
        g_cond_wait (&tr->start_cond, &tr->start_lock);
      tr->main_back = TRUE;
      g_cond_broadcast (&tr->start_cond);
      g_mutex_unlock (&tr->start_lock);
      il_gil_acquire (&tr->main);
      g_mutex_lock (&tr->start_lock);
    }
  g_mutex_unlock (&tr->start_lock);
  il_gil_release (&tr->main);
}

static void
threads_task (gpointer item,
              gpointer user_data)
{
  ThreadsRun   *tr = user_data;
  IlRunContext *ctx = tr->ctx;
  guint         flat = GPOINTER_TO_UINT (item) - 1;
  IlTaskRecord *rec;
  IlTaskEnv     env;
  Lane         *lane;

  if (item == LANE_END)
    {
      lane_end (tr);
      return;
    }
  rec = &g_array_index (ctx->repetition->tasks, IlTaskRecord, flat);

  /* Not started yet: a cancelled run skips it (the runner drops records
   * that never started). Running tasks stop at their next unit. */
  lane = g_cancellable_is_cancelled (ctx->cancellable) ? NULL : lane_for_this_thread (tr);
  if (tr->gil != NULL)
    {
      /* Taking the task and asking to be started are one step for the
       * starting thread, which ends once every task is taken. */
      g_mutex_lock (&tr->start_lock);
      g_atomic_int_add (&tr->queued, -1);
      if (lane != NULL && !lane->started)
        g_array_append_val (tr->start_waiting, flat);
      g_cond_broadcast (&tr->start_cond);
      g_mutex_unlock (&tr->start_lock);
    }
  else
    g_atomic_int_add (&tr->queued, -1);
  if (lane == NULL)
    return;

  il_run_context_task_env (ctx, flat, lane->index, &env);
  if (tr->gil != NULL)
    {
      /* The task holds the lock from start to end, but for its blocking
       * I/O (il-gil.h); a wait for it before the task begins is no task's. */
      lane->gil.task = flat;
      env.hooks = &lane->gil.hooks;
      if (!lane->started)
        {
          lane->started = TRUE;
          start_thread (tr, lane, flat);
        }
      else
        il_gil_acquire (&lane->gil);
    }
  il_task_execute (&env, rec);
  if (tr->gil != NULL)
    il_gil_end_task (&lane->gil, g_atomic_int_get (&tr->queued) > 0);
  il_task_env_accumulate (&lane->sum, &env);
}

static gboolean
threads_run (IlRunContext *ctx,
             GError      **error)
{
  ThreadsRun   tr = { 0 };
  GArray      *tasks = ctx->repetition->tasks;
  GThreadPool *pool;
  GError      *local_error = NULL;

  g_assert (ctx->workers >= 1);

  tr.ctx = ctx;
  tr.serial = next_serial ();
  tr.lanes = g_new0 (Lane, ctx->workers);
  g_mutex_init (&tr.error_lock);
  g_mutex_init (&tr.start_lock);
  g_cond_init (&tr.start_cond);
  g_mutex_init (&tr.end_lock);
  g_cond_init (&tr.end_cond);
  tr.start_waiting = g_array_new (FALSE, FALSE, sizeof (guint));
  tr.start_grant = G_MAXUINT;
  if (ctx->config->gil)
    tr.gil = il_gil_new ((gint64) MAX (ctx->config->switch_interval_ms, 1) * 1000,
                         ctx->t0, ctx->events, ctx->run, ctx->rep);
  if (tr.gil != NULL)
    il_gil_client_init (&tr.main, tr.gil, IL_GIL_MAIN);
  for (guint i = 0; i < ctx->workers; i++)
    {
      tr.lanes[i].index = (gint) i;
      if (tr.gil != NULL)
        il_gil_client_init (&tr.lanes[i].gil, tr.gil, (gint) i);
    }

  /* An exclusive pool starts its threads here. GLib returns the pool even
   * when some could not be created, with @local_error set: a run on fewer
   * threads than asked for would measure something else, so that is a
   * failure, never a quieter run. */
  pool = g_thread_pool_new (threads_task, &tr, (gint) ctx->workers, TRUE, &local_error);
  if (pool != NULL && local_error == NULL && g_thread_pool_get_num_threads (pool) != ctx->workers)
    g_set_error (&local_error, IL_ERROR, IL_ERROR_SYSTEM,
                 _("only %u were created"), g_thread_pool_get_num_threads (pool));
  if (pool == NULL || local_error != NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                   _("Could not start the threads executor's %u threads: %s"),
                      ctx->workers, local_error->message);
      g_clear_error (&local_error);
      /* Nothing was queued: the threads that did start just end. */
      if (pool != NULL)
        g_thread_pool_free (pool, TRUE, TRUE);
      g_clear_pointer (&tr.gil, il_gil_free);
      g_mutex_clear (&tr.error_lock);
      g_mutex_clear (&tr.start_lock);
      g_cond_clear (&tr.start_cond);
      g_mutex_clear (&tr.end_lock);
      g_cond_clear (&tr.end_cond);
      g_array_unref (tr.start_waiting);
      g_free (tr.lanes);
      return FALSE;
    }

  for (guint i = 0; i < tasks->len; i++)
    {
      IlTaskRecord *rec = &g_array_index (tasks, IlTaskRecord, i);

      if (g_cancellable_is_cancelled (ctx->cancellable))
        break;
      /* Written before the push: the pool's queue lock orders it before
       * the worker's writes to the same record. */
      rec->queued_us = il_now_us () - ctx->t0;
      g_atomic_int_inc (&tr.queued);
      if (!g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), &local_error))
        {
          /* Exclusive threads already exist, so a push should never need
           * a new one; if it does and fails, the repetition is not what
           * was asked for. */
          g_mutex_lock (&tr.error_lock);
          if (tr.error == NULL)
            g_set_error (&tr.error, IL_ERROR, IL_ERROR_SYSTEM,
                         _("Could not queue a task on the threads executor: %s"),
                            local_error->message);
          g_mutex_unlock (&tr.error_lock);
          g_clear_error (&local_error);
          break;
        }
    }

  /* One end per thread, after every task (the queue is first in, first
   * out). */
  {
    guint pushed = 0;

    for (guint i = 0; i < ctx->workers; i++)
      if (g_thread_pool_push (pool, LANE_END, NULL))
        pushed++;
    g_mutex_lock (&tr.end_lock);
    tr.ends_pushed = pushed;
    tr.ends_known = TRUE;
    g_cond_broadcast (&tr.end_cond);
    g_mutex_unlock (&tr.end_lock);
  }

  if (tr.gil != NULL)
    start_threads (&tr);
  /* Runs what is queued (cancelled tasks return at once) and joins. */
  g_thread_pool_free (pool, FALSE, TRUE);

  if (tr.gil != NULL)
    {
      il_gil_take_holds (tr.gil, ctx->repetition->gil_holds);
      il_gil_free (tr.gil);
    }
  g_mutex_clear (&tr.error_lock);
  g_mutex_clear (&tr.start_lock);
  g_cond_clear (&tr.start_cond);
  g_mutex_clear (&tr.end_lock);
  g_cond_clear (&tr.end_cond);
  g_array_unref (tr.start_waiting);
  g_free (tr.lanes);

  if (tr.error != NULL)
    {
      g_propagate_error (error, tr.error);
      return FALSE;
    }
  return TRUE;
}

const IlExecutorClass il_executor_threads = {
  .kind = IL_EXECUTOR_THREADS,
  .run = threads_run,
};
