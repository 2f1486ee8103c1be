/* il-executor-mpi.c — tasks on the ranks of an Open MPI job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mpi executor starts `mpirun` with one rank more than the run's
 * workers, each rank an interleave-mpi-worker (the only Interleave program
 * linked with MPI). Rank 0 talks to this dispatcher through mpirun's
 * forwarding of its stdin and stdout, in the worker wire protocol
 * (il-protocol.h); it hands tasks to the other ranks, wherever they run, as
 * MPI messages, and relays their events and results (see
 * src/mpi-worker/il-mpi-worker.c).
 *
 * The job is started in prepare(), before the repetition's clock: its
 * start-up (mpirun to READY: the daemons, MPI_Init, the clock offsets) is
 * recorded on its own, as each rank's first task's spawn_us, and is not
 * part of the makespan. A task's time runs from rank 0 handing it to MPI
 * to its result coming back, as a processes task's runs from its TASK
 * frame to its RESULT; the part of it spent in messages (payload out and
 * back) is its marshal_us, and its record names the rank and host.
 *
 * Open MPI 4.1 ends the whole job when one rank dies, so a dead rank ends
 * the repetition: its task fails with what mpirun said ("process rank 2
 * … exited on signal 9"), the others in flight and those never handed out
 * fail as ended with the job. Cancelling kills mpirun and every process it
 * started (il-executor-mpi-process.c).
 *
 * mpirun's pipes, the poll loop (cancellation, silence, a lost job) and
 * the dispatcher thread are il-child-pipe.h's, shared with the cpython
 * engine.
 */
#include "config.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-executor-mpi-private.h"
#include "il-protocol.h"
#include "il-worker-pool.h"

static IlTaskRecord *
task_record (MpiJob *job,
             guint   flat)
{
  return &g_array_index (job->ctx->repetition->tasks, IlTaskRecord, flat);
}

static gboolean
flat_of (MpiJob *job,
         guint   group,
         guint   index,
         guint  *flat)
{
  const IlExperiment *exp = job->ctx->experiment;
  const IlTaskGroup  *def;

  if (group >= exp->tasks->len)
    return FALSE;
  def = g_ptr_array_index (exp->tasks, group);
  if ((gint64) index >= def->repeat)
    return FALSE;
  *flat = job->group_start[group] + index;
  return *flat < job->next_task && job->sent[*flat];
}

static void
emit_task_event (MpiJob       *job,
                 guint         flat,
                 IlTaskRecord *rec,
                 gboolean      start)
{
  IlStateTimes st = il_task_record_state (rec);
  IlEvent      ev = start ? il_event_task_start (rec->start_us, rec->cpu_start, rec->pid, rec->tid,
                                                 (gint) rec->group, (gint) rec->index)
                          : il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed, &st);

  ev.worker = rec->worker;
  ev.task = flat;
  il_run_context_emit (job->ctx, &ev);
}

static void
fail_task (MpiJob     *job,
           guint       flat,
           const char *message)
{
  IlTaskRecord *rec = task_record (job, flat);
  gboolean      started = rec->start_us >= 0;

  job->sent[flat] = FALSE;
  job->in_flight--;
  job->done++;
  if (!started)
    rec->start_us = il_now_us () - job->ctx->t0;
  rec->end_us = MAX (rec->start_us, il_now_us () - job->ctx->t0);
  if (rec->worker < 0)
    rec->worker = 0;
  rec->checksum = 0;
  rec->failed = TRUE;
  il_task_record_take_error (rec, g_strdup (message));
  if (!started)
    emit_task_event (job, flat, rec, TRUE);
  emit_task_event (job, flat, rec, FALSE);
}

static void
job_dispatch (MpiJob *job)
{
  IlRunContext *ctx = job->ctx;

  while (job->next_task < job->n_tasks && job->in_flight < job->window &&
         !g_cancellable_is_cancelled (ctx->cancellable))
    {
      guint         flat = job->next_task++;
      IlTaskRecord *rec = task_record (job, flat);
      IlProtoTask   t = { 0 };

      t.group = rec->group;
      t.index = rec->index;
      t.flat = flat;
      t.worker = 0; /* the rank's lane is known once rank 0 places it */
      t.run = ctx->run;
      t.rep = ctx->rep;
      t.t0 = ctx->t0;
      t.def = g_ptr_array_index (ctx->experiment->tasks, rec->group);
      il_protocol_write_task (job->child.out, &t);
      job->sums[flat] = t.payload_checksum;
      job->sent[flat] = TRUE;
      job->in_flight++;
      rec->queued_us = il_now_us () - ctx->t0;
    }
  if (job->next_task == job->n_tasks && !job->bye_sent)
    {
      il_protocol_write_bye (job->child.out);
      job->bye_sent = TRUE;
    }
}

static void
handle_placed (MpiJob       *job,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  IlProtoPlaced p;
  IlTaskRecord *rec;
  guint         flat;

  if (!il_protocol_read_placed (body, len, &p, error))
    return;
  if ((guint) p.rank > MAX (job->ctx->workers, 1) || !flat_of (job, p.group, p.index, &flat))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: rank %d placed task %u.%u, which is not running"),
                      p.rank, p.group, p.index);
      il_proto_placed_clear (&p);
      return;
    }
  rec = task_record (job, flat);
  job->ranks[flat] = p.rank;
  il_task_record_set_rank (rec, p.rank);
  rec->worker = p.rank - 1;
  il_task_record_take_host (rec, g_steal_pointer (&p.host));
  rec->start_us = p.start_us;
  if (p.end_us < 0)
    {
      /* Handed out: the rank's first task carries the job's start-up. */
      if (!job->rank_started[p.rank])
        {
          job->rank_started[p.rank] = TRUE;
          il_task_record_set_spawn_us (rec, job->startup_us);
        }
      /* The live view sees the task start as it is handed out. */
      rec->pid = (gint) p.pid;
      rec->tid = (gint) p.pid;
      emit_task_event (job, flat, rec, TRUE);
    }
  else
    {
      rec->end_us = p.end_us;
      il_task_record_set_marshal_us (rec, p.marshal_us);
    }
  il_proto_placed_clear (&p);
}

/* A host's load samples: appended to its series in the repetition. */
static void
handle_load (MpiJob       *job,
             const guint8 *body,
             gsize         len,
             GError      **error)
{
  GPtrArray  *hosts = job->ctx->repetition->host_load;
  IlHostLoad *load = NULL;
  IlProtoLoad l;

  if (!il_protocol_read_load (body, len, &l, error))
    return;
  for (guint i = 0; i < hosts->len && load == NULL; i++)
    if (g_str_equal (((IlHostLoad *) g_ptr_array_index (hosts, i))->host, l.host))
      load = g_ptr_array_index (hosts, i);
  if (load == NULL)
    {
      load = il_host_load_new (l.host, l.hz);
      for (guint c = 0; c < l.cores; c++)
        g_ptr_array_add (load->cores, g_array_new (FALSE, FALSE, sizeof (float)));
      g_ptr_array_add (hosts, load);
    }
  /* A host's core count does not change during a run. */
  if (load->cores->len == l.cores)
    for (guint s = 0; s < l.samples; s++)
      for (guint c = 0; c < l.cores; c++)
        g_array_append_val (g_ptr_array_index (load->cores, c),
                            g_array_index (l.values, float, (gsize) s *l.cores + c));
  il_proto_load_clear (&l);
}

static void
handle_events (MpiJob       *job,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  g_array_set_size (job->events, 0);
  if (!il_protocol_read_events (body, len, job->events, error))
    return;
  for (guint i = 0; i < job->events->len; i++)
    {
      IlEvent *ev = &g_array_index (job->events, IlEvent, i);

      if (ev->task >= job->n_tasks || !job->sent[ev->task] || job->ranks[ev->task] <= 0)
        continue;
      /* Its start went out when it was handed out; its end follows its
       * RESULT. */
      if (ev->kind != IL_EVENT_BLOCK_START && ev->kind != IL_EVENT_BLOCK_END)
        continue;
      ev->worker = job->ranks[ev->task] - 1;
      il_run_context_emit (job->ctx, ev);
    }
}

static void
handle_result (MpiJob       *job,
               const guint8 *body,
               gsize         len,
               GError      **error)
{
  IlProtoResult res;
  IlTaskRecord *rec;
  IlTaskEnv     acc = { 0 };
  guint         flat;
  gsize         expected;

  if (!il_protocol_read_result (body, len, &res, error))
    return;
  if (!flat_of (job, res.rec.group, res.rec.index, &flat) || job->ranks[flat] <= 0 ||
      task_record (job, flat)->end_us < 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_WORKER,
                   _("protocol error: a RESULT for task %u.%u, which is not running"),
                      res.rec.group, res.rec.index);
      il_proto_result_clear (&res);
      return;
    }
  rec = task_record (job, flat);
  il_task_record_take_measured (rec, &res.rec);

  expected = (gsize) MAX (0, ((const IlTaskGroup *) g_ptr_array_index (job->ctx->experiment->tasks, rec->group))->payload_bytes);
  if (res.payload_len != expected || il_protocol_checksum (res.payload, res.payload_len) != job->sums[flat])
    {
      rec->failed = TRUE;
      rec->checksum = 0;
      il_task_record_take_error (rec, g_strdup_printf (_("rank %d on %s sent the payload back corrupted "
                                      "(%zu bytes of %zu)"),
                                                          il_task_record_rank (rec), il_task_record_host (rec), res.payload_len, expected));
    }

  acc.usage = res.usage;
  acc.overhead_ns = res.overhead_ns;
  acc.counter_done = res.counted;
  il_run_context_account (job->ctx, &acc);
  il_run_context_count_worker (job->ctx, rec->worker, res.counted);
  job->reported.user_us += res.usage.user_us;
  job->reported.sys_us += res.usage.sys_us;
  job->reported.nvcsw += res.usage.nvcsw;
  job->reported.nivcsw += res.usage.nivcsw;
  il_proto_result_clear (&res);

  job->sent[flat] = FALSE;
  job->in_flight--;
  job->done++;
  emit_task_event (job, flat, rec, FALSE);
}

/* One frame from rank 0, other than READY and HEARTBEAT. */
static gboolean
job_frame (gpointer      user_data,
           IlFrameType   type,
           const guint8 *body,
           gsize         len,
           GError      **error)
{
  MpiJob *job = user_data;

  switch (type)
    {
      case IL_FRAME_PLACED:
        handle_placed (job, body, len, error);
        return TRUE;
      case IL_FRAME_LOAD:
        handle_load (job, body, len, error);
        return TRUE;
      case IL_FRAME_EVENT:
        handle_events (job, body, len, error);
        return TRUE;
      case IL_FRAME_RESULT:
        handle_result (job, body, len, error);
        return TRUE;
      default:
        return FALSE;
    }
}

static void
job_dispatch_cb (gpointer user_data)
{
  job_dispatch (user_data);
}

static gboolean
job_done (gpointer user_data)
{
  MpiJob *job = user_data;

  return job->done >= job->n_tasks;
}

/* The job ended before every task did: fail what is left, the dead
 * rank's task with what mpirun said about it. */
static void
fail_the_rest (MpiJob     *job,
               const char *why,
               gint        dead_rank)
{
  g_autofree char *ended = g_strdup_printf (_("the MPI job ended: %s"), why);

  for (guint flat = 0; flat < job->next_task; flat++)
    if (job->sent[flat])
      fail_task (job, flat, dead_rank > 0 && job->ranks[flat] == dead_rank ? why : ended);
  while (job->next_task < job->n_tasks)
    {
      guint flat = job->next_task++;

      job->sent[flat] = TRUE;
      job->in_flight++;
      task_record (job, flat)->queued_us = il_now_us () - job->ctx->t0;
      fail_task (job, flat, ended);
    }
}

static void
job_loop (gpointer user_data)
{
  MpiJob       *job = user_data;
  GCancellable *cancellable = job->ctx->cancellable;
  gboolean      silent = FALSE;
  g_autoptr(GError) lost = NULL;

  il_child_pipe_run (&job->child, cancellable, &il_mpi_job_funcs, job, &silent, &lost);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_free (il_mpi_job_reap (job, 0));
      /* Tasks still queued at rank 0 never started: the runner drops
       * them. */
      for (guint flat = 0; flat < job->next_task; flat++)
        if (job->sent[flat] && job->ranks[flat] > 0)
          fail_task (job, flat, _("cancelled"));
      return;
    }
  if (job->done < job->n_tasks || lost != NULL || silent)
    {
      pid_t            pid = job->child.pid;
      g_autofree char *how = NULL;
      g_autofree char *said = NULL;
      g_autofree char *message = NULL;
      gint             dead_rank = -1;

      how = il_mpi_job_reap (job, lost != NULL || silent ? 0 : G_USEC_PER_SEC);
      said = il_mpi_job_explain (job, &dead_rank);
      if (silent)
        message = g_strdup_printf (_("rank 0 (mpirun pid %d) stopped responding for %g s "
                                     "and the job was killed"),
                                      (int) pid, (double) job->child.silence_us / G_USEC_PER_SEC);
      else if (lost != NULL)
        message = g_strdup_printf (_("mpirun (pid %d) sent garbage (%s) and was killed"),
                                      (int) pid, lost->message);
      else if (dead_rank > 0 && said != NULL)
        message = g_strdup (said);
      else
        message = g_strdup_printf (_("mpirun (pid %d) %s%s%s"), (int) pid, how,
                                      said != NULL ? ": " : "", said != NULL ? said : "");
      fail_the_rest (job, message, dead_rank);
      return;
    }
  il_child_pipe_flush (&job->child);
  g_free (il_mpi_job_reap (job, IL_MPI_GRACE_US));
}

static gboolean
job_start (gpointer user_data,
           GError **error)
{
  MpiJob *job = user_data;

  return il_mpi_job_spawn (job, error) && il_mpi_job_wait_ready (job, error);
}

const IlChildPipeFuncs il_mpi_job_funcs = {
  .start = job_start,
  .drive = job_loop,
  .dispatch = job_dispatch_cb,
  .frame = job_frame,
  .done = job_done,
};

static void
job_free (MpiJob *job)
{
  il_child_pipe_clear (&job->child);
  g_free (job->group_start);
  g_free (job->sent);
  g_free (job->sums);
  g_free (job->ranks);
  g_free (job->rank_started);
  g_array_unref (job->events);
  g_free (job->mpirun);
  g_free (job->worker);
  il_child_pipe_thread_clear (&job->dispatcher);
  g_free (job);
}

static gboolean
mpi_prepare (IlRunContext *ctx,
             GError      **error)
{
  MpiJob *job = g_new0 (MpiJob, 1);
  guint   flat = 0;

  il_child_pipe_thread_init (&job->dispatcher);
  il_child_pipe_init (&job->child, IL_MPI_STDERR_KEEP);
  job->events = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  job->ctx = ctx;
  job->n_tasks = ctx->repetition->tasks->len;
  /* Enough queued at rank 0 that no rank waits for the runner, few enough
   * that payloads do not pile up there. */
  job->window = 2 * MAX (ctx->workers, 1) + 2;
  job->group_start = g_new0 (guint, MAX (ctx->experiment->tasks->len, 1));
  for (guint g = 0; g < ctx->experiment->tasks->len; g++)
    {
      job->group_start[g] = flat;
      flat += (guint) ((const IlTaskGroup *) g_ptr_array_index (ctx->experiment->tasks, g))->repeat;
    }
  job->sent = g_new0 (guint8, MAX (job->n_tasks, 1));
  job->sums = g_new0 (guint64, MAX (job->n_tasks, 1));
  job->ranks = g_new0 (gint, MAX (job->n_tasks, 1));
  job->rank_started = g_new0 (gboolean, MAX (ctx->workers, 1) + 1);

  if (!il_pool_silence_timeout (&job->child.silence_us, error) ||
      (job->mpirun = il_mpi_find_mpirun (error)) == NULL ||
      (job->worker = il_mpi_find_worker (error)) == NULL)
    {
      job_free (job);
      return FALSE;
    }
  if (!il_child_pipe_thread_start (&job->dispatcher, "il-mpi", ctx, &job->child, &il_mpi_job_funcs, job, error))
    {
      job_free (job);
      return FALSE;
    }
  ctx->prepared = job;
  return TRUE;
}

static gboolean
mpi_run (IlRunContext *ctx,
         GError      **error)
{
  MpiJob  *job = g_steal_pointer (&ctx->prepared);
  gboolean ok;

  g_return_val_if_fail (job != NULL, FALSE);
  ok = il_child_pipe_thread_finish (&job->dispatcher, error);
  job_free (job);
  return ok;
}

const IlExecutorClass il_executor_mpi = {
  .kind = IL_EXECUTOR_MPI,
  .run = mpi_run,
  .prepare = mpi_prepare,
};
