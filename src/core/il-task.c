/* il-task.c — running one task's blocks in the calling thread, recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by every executor that runs a task on a thread of its own
 * (sequential, threads, and the processes executor's worker). Recording is
 * bracketed by thread-CPU-time reads so that Interleave's own cost is known.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-kernels.h"
#include "il-run-private.h"
#include "il-schedstat.h"

#include "il-io.h"

gboolean
il_sleep_cancellable (gint64        ms,
                      GCancellable *cancellable)
{
  gint64   deadline = il_now_us () + ms * 1000;
  GPollFD  pfd;
  gboolean have_fd;

  /* Nothing to wait for: no pollfd (an eventfd per call) to make. */
  if (ms <= 0)
    return !g_cancellable_is_cancelled (cancellable);
  if (cancellable == NULL)
    {
      g_usleep ((gulong) (ms * 1000));
      return TRUE;
    }

  have_fd = g_cancellable_make_pollfd (cancellable, &pfd);
  for (;;)
    {
      gint64 left = deadline - il_now_us ();

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (left <= 0)
        break;
      if (have_fd)
        {
          /* Round up: poll's millisecond timeout must not wake early. */
          g_poll (&pfd, 1, (gint) ((left + 999) / 1000));
        }
      else
        g_usleep ((gulong) MIN (left, 10000));
    }
  if (have_fd)
    g_cancellable_release_fd (cancellable);

  return !g_cancellable_is_cancelled (cancellable);
}

/* Here, not with the executors (il-executor.c), so that a worker process
 * that runs tasks does not link every executor, and through them libsoup. */
void
il_task_env_init (IlTaskEnv         *env,
                  const IlTaskGroup *def,
                  guint              group,
                  guint              index,
                  guint              flat,
                  gint               worker,
                  guint16            run,
                  guint16            rep,
                  gint64             t0)
{
  memset (env, 0, sizeof *env);
  env->def = def;
  env->group = group;
  env->index = index;
  env->flat = flat;
  env->worker = worker;
  env->run = run;
  env->rep = rep;
  env->t0 = t0;
}

/* getpid and gettid are syscalls (≈ 0.2 µs each here); a thread's ids never
 * change, and tasks run in threads of this process (the worker is exec'd,
 * never merely forked). */
static __thread gint cached_tid;
static __thread gint cached_pid;

static inline void
thread_ids (gint *pid,
            gint *tid)
{
  if (G_UNLIKELY (cached_tid == 0))
    {
      cached_pid = getpid ();
      cached_tid = (gint) syscall (SYS_gettid);
    }
  *pid = cached_pid;
  *tid = cached_tid;
}

void
il_thread_usage_read (IlUsage *out)
{
  struct rusage ru;

  if (getrusage (RUSAGE_THREAD, &ru) != 0)
    {
      memset (out, 0, sizeof *out);
      return;
    }
  out->user_us = (gint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec;
  out->sys_us = (gint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec;
  out->nvcsw = ru.ru_nvcsw;
  out->nivcsw = ru.ru_nivcsw;
}

/* Turns two thread-time readings and the wall time between them into the
 * running / ready / blocked split. Waiting for the GIL or for a counter's
 * lock is blocked time in the kernel's eyes (a futex); it is carved out of
 * it. */
static void
state_between (const IlThreadTimes *a,
               const IlThreadTimes *b,
               gint64               wall_us,
               gint64               gil_wait_us,
               gint64               lock_wait_us,
               IlStateTimes        *out)
{
  gint64 running = (b->cpu_ns - a->cpu_ns) / 1000;
  gint64 ready = (b->wait_ns - a->wait_ns) / 1000;
  gint64 blocked;

  out->valid = a->valid && b->valid;
  if (!out->valid)
    {
      out->running = out->ready = out->blocked = out->gil_wait = out->lock_wait = 0;
      return;
    }
  running = CLAMP (running, 0, wall_us);
  ready = CLAMP (ready, 0, wall_us - running);
  gil_wait_us = CLAMP (gil_wait_us, 0, wall_us - running - ready);
  lock_wait_us = CLAMP (lock_wait_us, 0, wall_us - running - ready - gil_wait_us);
  blocked = wall_us - running - ready - gil_wait_us - lock_wait_us;
  out->running = running;
  out->ready = ready;
  out->blocked = MAX (blocked, 0);
  out->gil_wait = gil_wait_us;
  out->lock_wait = lock_wait_us;
}

/* Events wait here until the task is about to do work (or ends), so that
 * each boundary costs one lock on the shared queue, not one per event: a
 * block's end and the next block's start go together. */
typedef struct
{
  IlEvent events[2];
  guint   n;
} Pending;

static inline void
emit (IlTaskEnv *env,
      Pending   *pending,
      IlEvent   *ev)
{
  if (env->events == NULL)
    return;
  ev->run = env->run;
  ev->rep = env->rep;
  ev->worker = env->worker;
  ev->task = env->flat;
  g_assert (pending->n < G_N_ELEMENTS (pending->events));
  pending->events[pending->n++] = *ev;
}

static inline void
flush (IlTaskEnv *env,
       Pending   *pending)
{
  if (pending->n > 0)
    il_event_queue_push_many (env->events, pending->events, pending->n);
  pending->n = 0;
}

/* A wait of @wait_us for the GIL just ended: the block was in @before
 * (running, or blocked in its I/O) up to its start (the clock is read only
 * when there was a wait, at a hand-over or on the way back from I/O). */
static inline void
track_gil_wait (IlStateTrack *track,
                gint64        wait_us,
                IlState       before)
{
  if (wait_us <= 0)
    return;
  il_state_track_until (track, il_now_us () - wait_us, before);
  il_state_track_add (track, IL_STATE_GIL_WAIT, wait_us);
}

static gboolean
run_cpu_block (IlTaskEnv     *env,
               const IlBlock *block,
               guint          block_index,
               guint64       *checksum,
               gint64        *gil_wait_us,
               IlStateTrack  *track,
               char         **error)
{
  const IlCpuHooks *hooks = env->hooks;
  gboolean          ok = TRUE;
  gint64            w;

  /* Under the simulated GIL the lock is already held (the whole task
   * holds it): a drop request is honoured before every unit. */
  for (gint64 u = 0; u < block->units; u++)
    {
      if (env->cancellable != NULL && g_cancellable_is_cancelled (env->cancellable))
        {
          *error = g_strdup (_("cancelled"));
          ok = FALSE;
          break;
        }
      if (hooks != NULL && hooks->unit_boundary != NULL && (w = hooks->unit_boundary (hooks->data)) > 0)
        {
          *gil_wait_us += w;
          track_gil_wait (track, w, IL_STATE_RUNNING);
        }
      *checksum = il_checksum_fold (*checksum,
                                    il_kernel_run_unit (block->kernel,
                                                        il_kernel_seed (env->group, env->index,
                                                                        block_index, (guint64) u)));
    }
  return ok;
}

/* A blocking call: the simulated GIL is set down for it and taken back
 * after it, within the block's time (as Python code stamps the end of a
 * sleep after it has the lock again). */
static void
io_begin (const IlTaskEnv *env)
{
  if (env->hooks != NULL && env->hooks->release != NULL)
    env->hooks->release (env->hooks->data);
}

static gint64
io_end (const IlTaskEnv *env)
{
  if (env->hooks != NULL && env->hooks->acquire != NULL)
    return env->hooks->acquire (env->hooks->data);
  return 0;
}

/* The simulated GIL's hand-over point inside an increment. */
static gint64
counter_yield (gpointer data)
{
  const IlCpuHooks *hooks = data;

  return hooks->unit_boundary (hooks->data);
}

/* A counter block, under the GIL like a CPU block: the lock can only change
 * hands between an increment's read and its write. */
static gboolean
run_counter_block (IlTaskEnv     *env,
                   const IlBlock *block,
                   gint64        *gil_wait_us,
                   gint64        *lock_wait_us,
                   IlStateTrack  *track,
                   char         **error)
{
  const IlCpuHooks *hooks = env->hooks;
  IlCounter         private_counter;
  IlCounterStep     step = { 0 };
  gboolean          ok;

  step.track = track;
  if (env->counter == NULL)
    il_counter_init (&private_counter);
  ok = il_counter_run (env->counter != NULL ? env->counter : &private_counter, block,
                       block->increments,
                       hooks != NULL && hooks->unit_boundary != NULL ? counter_yield : NULL,
                       (gpointer) hooks, env->cancellable, &step);
  if (env->counter == NULL)
    il_counter_clear (&private_counter);

  *gil_wait_us += step.gil_wait_us;
  *lock_wait_us += step.lock_wait_ns / 1000;
  env->counter_done += step.done;
  if (!ok)
    *error = g_strdup (_("cancelled"));
  return ok;
}

/* A yield block: @block->times sched_yield calls. It does not hold the
 * simulated GIL, like an I/O block (CPython's os.sched_yield releases the
 * GIL around the system call). What the kernel counted for this thread
 * meanwhile comes from getrusage. */
static gboolean
run_yield_block (IlTaskEnv     *env,
                 const IlBlock *block,
                 char         **error)
{
  IlUsage u0, u1;
  gint64  cpu0, cpu1;
  gint64  i;

  il_thread_usage_read (&u0);
  cpu0 = il_thread_cpu_ns ();
  for (i = 0; i < block->times; i++)
    {
      if ((i & 255) == 0 && env->cancellable != NULL &&
          g_cancellable_is_cancelled (env->cancellable))
        break;
      sched_yield ();
    }
  cpu1 = il_thread_cpu_ns ();
  il_thread_usage_read (&u1);

  env->yielded.yields += i;
  env->yielded.nvcsw += MAX (u1.nvcsw - u0.nvcsw, 0);
  env->yielded.nivcsw += MAX (u1.nivcsw - u0.nivcsw, 0);
  env->yielded.cpu_us += MAX (cpu1 - cpu0, 0) / 1000;
  if (i < block->times)
    {
      *error = g_strdup (_("cancelled"));
      return FALSE;
    }
  return TRUE;
}

void
il_task_execute (IlTaskEnv    *env,
                 IlTaskRecord *rec)
{
  const IlTaskGroup *def = env->def;
  IlThreadTimes      task_t0, mark;
  gint64             gil_total = 0;
  gint64             lock_total = 0;
  guint64            checksum = 0;
  IlEvent            ev;
  IlStateTimes       task_state;
  gint64             mark_us;
  Pending            pending = { .n = 0 };

  /* Hot path (tiny tasks): a kernel read costs 0.2–0.8 µs on an idle VM
   * and more on a loaded one, more than a tiny task's dispatch. So one
   * reading serves each boundary (the task's start is its first block's, a
   * block's end is the next one's start and the last block's end is the
   * task's), and the reading asks the kernel only where the thread may have
   * left its CPU (il_thread_times_now). getrusage is the executor's, once
   * per worker and repetition. The reading also opens the bracket that
   * measures Interleave's own cost up to the next work. */
  il_thread_times_now (&task_t0);
  thread_ids (&rec->pid, &rec->tid);
  rec->worker = env->worker;
  rec->cpu_start = sched_getcpu ();
  il_task_record_reserve_blocks (rec, def->blocks->len);
  rec->start_us = task_t0.wall_ns / 1000 - env->t0;
  ev = il_event_task_start (rec->start_us, rec->cpu_start, rec->pid, rec->tid,
                            (gint) rec->group, (gint) rec->index);
  emit (env, &pending, &ev);
  mark = task_t0;
  mark_us = rec->start_us;

  for (guint i = 0; i < def->blocks->len; i++)
    {
      const IlBlock   *block = g_ptr_array_index (def->blocks, i);
      IlBlockRecord    br = { 0 };
      IlThreadTimes    b0;
      IlStateTrack     track = { 0 };
      IlState          state = IL_STATE_RUNNING; /* what the block does between known waits */
      gint64           gil_wait = 0;
      gint64           lock_wait = 0;
      gint64           w;
      g_autofree char *error = NULL;
      gboolean         ok = TRUE;

      br.type = block->type;
      br.ttfb_us = -1;
      b0 = mark;
      br.start_us = mark_us;
      ev = il_event_block_start (br.start_us, i, block->type);
      emit (env, &pending, &ev);
      flush (env, &pending);
      env->overhead_ns += il_thread_times_cpu_since (&mark);
      il_state_track_start (&track, env->t0 + br.start_us);

      switch (block->type)
        {
          case IL_BLOCK_CPU:
            ok = run_cpu_block (env, block, i, &checksum, &gil_wait, &track, &error);
            break;

          case IL_BLOCK_SLEEP:
            state = IL_STATE_BLOCKED;
            io_begin (env);
            if (!il_sleep_cancellable (block->ms, env->cancellable))
              {
                error = g_strdup (_("cancelled"));
                ok = FALSE;
              }
            w = io_end (env);
            gil_wait += w;
            track_gil_wait (&track, w, state);
            break;

          case IL_BLOCK_HTTP:
          case IL_BLOCK_FILE_WRITE:
          case IL_BLOCK_FILE_READ:
            state = IL_STATE_BLOCKED;
            io_begin (env);
            ok = il_io_run_block (env->io, block, env->flat, env->cancellable, &br.ttfb_us, &error);
            w = io_end (env);
            gil_wait += w;
            track_gil_wait (&track, w, state);
            if (br.ttfb_us >= 0)
              br.ttfb_us -= env->t0;
            break;

          case IL_BLOCK_COUNTER:
            ok = run_counter_block (env, block, &gil_wait, &lock_wait, &track, &error);
            break;

          case IL_BLOCK_YIELD:
            /* Without the GIL, as CPython's os.sched_yield runs. */
            io_begin (env);
            ok = run_yield_block (env, block, &error);
            w = io_end (env);
            gil_wait += w;
            track_gil_wait (&track, w, state);
            break;

          case IL_N_BLOCK_TYPES:
          default:
            g_assert_not_reached ();
        }

      il_thread_times_now (&mark);
      br.end_us = mark_us = mark.wall_ns / 1000 - env->t0;
      state_between (&b0, &mark, br.end_us - br.start_us, gil_wait, lock_wait, &br.state);
      il_state_track_until (&track, env->t0 + br.end_us, state);
      if (br.state.valid)
        {
          /* The waits the split clamped (the kernel counted their end, once
           * woken, as ready) are ready in the segments too: each state
           * then adds up to the block's. */
          il_state_track_retag (&track, IL_STATE_GIL_WAIT, IL_STATE_READY,
                                il_state_track_total (&track, IL_STATE_GIL_WAIT) - br.state.gil_wait);
          il_state_track_retag (&track, IL_STATE_LOCK_WAIT, IL_STATE_READY,
                                il_state_track_total (&track, IL_STATE_LOCK_WAIT) - br.state.lock_wait);
        }
      br.segments = il_state_track_finish (&track, env->t0 + br.end_us, state);
      gil_total += gil_wait;
      lock_total += lock_wait;
      il_task_record_add_block (rec, &br);
      ev = il_event_block_end (br.start_us, br.end_us, i, block->type, !ok, &br.state);
      emit (env, &pending, &ev);

      if (!ok)
        {
          rec->failed = TRUE;
          il_task_record_take_error (rec, g_strdup_printf (_("block %u (%s): %s"), i + 1,
                                                              il_block_type_to_string (block->type), error));
          break;
        }
    }

  rec->end_us = mark_us;
  rec->cpu_end = sched_getcpu ();
  rec->checksum = rec->failed ? 0 : checksum;
  state_between (&task_t0, &mark, rec->end_us - rec->start_us, gil_total, lock_total, &task_state);
  il_task_record_set_state (rec, &task_state);
  ev = il_event_task_end (rec->start_us, rec->end_us, rec->cpu_end, rec->failed, &task_state);
  emit (env, &pending, &ev);
  flush (env, &pending);
  env->overhead_ns += il_thread_times_cpu_since (&mark);
  /* After the task's times: removing its file is not the task's work. */
  il_io_task_done (env->io, env->flat);
}
