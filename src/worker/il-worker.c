/* il-worker.c — interleave-worker: runs tasks for the processes executor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads frames (il-protocol.h) from stdin, runs each task in its main
 * thread with il_task_execute, writes frames to stdout. One helper thread
 * only streams the task's events while it runs, so that the GUI's timeline
 * moves during long tasks; the work itself stays on one thread. Another
 * sends a HEARTBEAT at the interval HELLO asked for, whatever the task is
 * doing (a long CPU block included): a worker that falls silent is stopped
 * or wedged, and its parent gives up on it.
 *
 * Anything not understood ends the worker with a message on stderr and
 * status 2: a confused worker must not guess.
 *
 * Built twice: interleave-worker without the HTTP stack (a per-task spawn
 * then loads half as many libraries), and interleave-worker-http
 * (IL_WORKER_HTTP), which the processes executor starts for experiments
 * with HTTP blocks.
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>

#include "il-fd-io.h"
#include "il-i18n.h"
#include "il-protocol.h"
#include "il-run-private.h"

#include "il-io.h"

/* Both threads write frames; whole frames go out under this lock, and the
 * event queue is drained under it too so that no event overtakes another
 * or its task's RESULT. */
static GMutex        out_lock;
static int           out_fd = -1;
static IlEventQueue *events;

static GMutex   state_lock;
static GCond    state_cond;
static gboolean task_running;
static gboolean writer_idle;

static guint heartbeat_ms;

/* Counter blocks count here: in this process's memory, which the parent
 * (and every other worker) cannot see. */
static IlCounter worker_counter;

#define EVENT_FLUSH_US 5000
#define EVENT_IDLE_US  (100 * 1000)

static G_NORETURN void
die (const char *fmt,
     ...) G_GNUC_PRINTF (1, 2);

static G_NORETURN void
die (const char *fmt,
     ...)
{
  va_list args;

  fprintf (stderr, "interleave-worker[%d]: ", (int) getpid ());
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fputc ('\n', stderr);
  _exit (2);
}

/* The parent is gone when the output fails: nobody wants our results. */
static void
write_all (const guint8 *data,
           gsize         len)
{
  if (!il_fd_write_all (out_fd, data, len))
    _exit (errno == EPIPE ? 0 : 3);
}

/* What was read from the parent and not used yet: a TASK frame's header
 * and body usually arrive together, and one read takes both (a read is a
 * system call, one more per task in the round trip). */
static guint8 in_buf[65536];
static gsize  in_start, in_end;

/* FALSE on EOF before the first byte. */
static gboolean
read_all (guint8  *data,
          gsize    len,
          gboolean eof_ok)
{
  gsize got = 0;

  while (got < len)
    {
      gsize   take = MIN (len - got, in_end - in_start);
      ssize_t n;

      if (take > 0)
        {
          memcpy (data + got, in_buf + in_start, take);
          in_start += take;
          got += take;
          continue;
        }
      /* A large body goes straight to its place. */
      if (len - got >= sizeof in_buf)
        n = read (STDIN_FILENO, data + got, len - got);
      else
        {
          in_start = in_end = 0;
          n = read (STDIN_FILENO, in_buf, sizeof in_buf);
          if (n > 0)
            in_end = (gsize) n;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        die ("cannot read from the parent: %s", g_strerror (errno));
      if (n == 0)
        {
          if (got == 0 && eof_ok)
            return FALSE;
          die ("protocol error: the input ended inside a frame");
        }
      if (len - got >= sizeof in_buf)
        got += (gsize) n;
    }
  return TRUE;
}

/* Reads one frame; FALSE on a clean EOF. */
static gboolean
read_frame (IlFrameType *type,
            GByteArray  *body)
{
  guint8 header[IL_PROTOCOL_HEADER_SIZE];
  g_autoptr(GError) error = NULL;
  guint64 len;

  if (!read_all (header, sizeof header, TRUE))
    return FALSE;
  if (!il_protocol_parse_header (header, type, &len, &error))
    die ("%s", error->message);
  g_byte_array_set_size (body, (guint) len);
  if (len > 0)
    read_all (body->data, len, FALSE);
  return TRUE;
}

/* Appends the queued events to @buf as one EVENT frame (none if the
 * queue is empty). Call with out_lock held, and write @buf before
 * releasing it, so that events keep their order. */
static void
take_events_locked (GArray     *batch,
                    GByteArray *buf)
{
  g_array_set_size (batch, 0);
  if (il_event_queue_drain (events, batch, 0) == 0)
    return;
  il_protocol_write_events (buf, (const IlEvent *) batch->data, batch->len);
}

/* Flushes the events every EVENT_FLUSH_US while tasks run. It is woken
 * only when it has gone idle (no task for EVENT_IDLE_US): a pool running
 * many tiny tasks must not pay a thread wake-up per task. */
static gpointer
event_writer (gpointer data)
{
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  gint64 last_busy = g_get_monotonic_time ();

  g_mutex_lock (&state_lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (task_running)
        last_busy = now;
      else if (now - last_busy > EVENT_IDLE_US)
        {
          writer_idle = TRUE;
          while (!task_running)
            g_cond_wait (&state_cond, &state_lock);
          writer_idle = FALSE;
          last_busy = g_get_monotonic_time ();
        }
      g_cond_wait_until (&state_cond, &state_lock, g_get_monotonic_time () + EVENT_FLUSH_US);
      g_mutex_unlock (&state_lock);

      g_mutex_lock (&out_lock);
      g_byte_array_set_size (buf, 0);
      take_events_locked (batch, buf);
      if (buf->len > 0)
        write_all (buf->data, buf->len);
      g_mutex_unlock (&out_lock);

      g_mutex_lock (&state_lock);
    }
  g_mutex_unlock (&state_lock);
  return NULL;
}

/* Only sleeps and writes: nothing a task does can delay it, short of the
 * whole process being stopped. */
static gpointer
heartbeat_writer (gpointer data)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();

  il_protocol_write_heartbeat (frame);
  for (;;)
    {
      g_usleep ((gulong) heartbeat_ms * 1000);
      g_mutex_lock (&out_lock);
      write_all (frame->data, frame->len);
      g_mutex_unlock (&out_lock);
    }
  return NULL;
}

static void
start_thread (const char *name,
              GThreadFunc func)
{
  g_autoptr(GError) error = NULL;
  GThread *thread = g_thread_try_new (name, func, NULL, &error);

  if (thread == NULL)
    die ("cannot start the %s thread: %s", name, error->message);
  g_thread_unref (thread);
}

static void
set_task_running (gboolean running)
{
  g_mutex_lock (&state_lock);
  task_running = running;
  if (running && writer_idle)
    g_cond_signal (&state_cond);
  g_mutex_unlock (&state_lock);
}

static void
apply_hello (const IlProtoHello *hello)
{
  /* Die with the parent's thread that spawned us: a killed parent must
   * not leave workers behind. Checked after setting, against the race of
   * the parent dying first. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0)
    die ("cannot tie the worker's life to its parent: %s", g_strerror (errno));
  if (hello->pid != 0 && (guint32) getppid () != hello->pid)
    _exit (0);

  if (hello->affinity != NULL && hello->affinity->len > 0)
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      for (guint i = 0; i < hello->affinity->len; i++)
        {
          guint core = g_array_index (hello->affinity, guint, i);

          if (core >= CPU_SETSIZE)
            die ("core %u does not exist", core);
          CPU_SET (core, &set);
        }
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        die ("cannot run on the chosen cores: %s", g_strerror (errno));
    }
}

static void
run_task (IlProtoTask *task,
          IlIoEnv     *io,
          GByteArray  *out,
          GArray      *batch)
{
  IlProtoResult result = { 0 };
  IlTaskRecord *rec = &result.rec;
  IlTaskEnv     env;
  guint64       sum;
  gint64        counted_before;

  rec->group = task->group;
  rec->index = task->index;
  rec->worker = task->worker;
  rec->cpu_start = rec->cpu_end = -1;
  rec->start_us = rec->end_us = -1;
  il_task_record_set_spawn_us (rec, -1);

  il_task_env_init (&env, task->def, task->group, task->index, task->flat, task->worker,
                    task->run, task->rep, task->t0);
  env.io = io;
  env.events = events;
  env.counter = &worker_counter;
  counted_before = worker_counter.value;

  sum = il_protocol_checksum (task->payload, task->payload_len);
  if (sum != task->payload_checksum)
    {
      rec->start_us = rec->end_us = g_get_monotonic_time () - task->t0;
      rec->failed = TRUE;
      il_task_record_take_error (rec, g_strdup_printf (_("the payload arrived corrupted (checksum %016" PRIx64 ", expected %016" PRIx64 ")"),
                                                          sum, task->payload_checksum));
    }
  else
    {
      set_task_running (TRUE);
      il_task_execute (&env, rec);
      set_task_running (FALSE);
    }

  result.usage = env.usage;
  result.overhead_ns = env.overhead_ns;
  /* This process's own counter moved; the parent's never does. */
  result.counted = worker_counter.value - counted_before;
  result.yielded = env.yielded;
  result.payload = task->payload;
  result.payload_len = task->payload_len;

  /* The last events, then the result, in one write: the parent never
   * sees a task's event after its RESULT, and wakes once per task. */
  g_mutex_lock (&out_lock);
  g_byte_array_set_size (out, 0);
  take_events_locked (batch, out);
  il_protocol_write_result (out, &result);
  write_all (out->data, out->len);
  g_mutex_unlock (&out_lock);

  il_task_record_clear (rec);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  g_autoptr(GError) error = NULL;
  IlProtoHello hello = { 0 };
  IlProtoHello ready = { 0 };
  IlIoEnv     *io = NULL;
  IlFrameType  type;

  if (argc > 1)
    {
      fprintf (stderr,
               "interleave-worker: the processes executor's child; it speaks protocol version %d "
               "on stdin/stdout and is not meant to be run by hand\n",
               IL_PROTOCOL_VERSION);
      return 2;
    }

  signal (SIGPIPE, SIG_IGN);
  /* The messages it sends back (a failed task's reason) in the user's
   * language; numbers stay in the C locale (LC_NUMERIC untouched). */
  setlocale (LC_MESSAGES, "");
  setlocale (LC_CTYPE, "");
  il_i18n_init ();

  /* Keep the protocol channel private: anything else that prints to stdout
   * (a library's stray message) goes to stderr instead of corrupting the
   * frames. */
  out_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (out_fd < 0)
    die ("cannot set up the output: %s", g_strerror (errno));
  dup2 (STDERR_FILENO, STDOUT_FILENO);

  events = il_event_queue_new (4096);

  if (!read_frame (&type, body))
    return 0;
  if (type != IL_FRAME_HELLO)
    die ("protocol error: expected HELLO first, got %s", il_frame_type_to_string (type));
  if (!il_protocol_read_hello (body->data, body->len, &hello, &error))
    die ("%s", error->message);
  if (hello.heartbeat_ms == 0)
    die ("protocol error: HELLO without a heartbeat interval");
  heartbeat_ms = hello.heartbeat_ms;
  apply_hello (&hello);
  il_counter_init (&worker_counter);
  io = il_io_env_new_remote (hello.server_url, hello.scratch_dir);
#ifdef IL_WORKER_HTTP
  il_io_http_enable ();
#endif

  ready.pid = (guint32) getpid ();
  ready.worker = hello.worker;
  il_protocol_write_hello (out, IL_FRAME_READY, &ready);
  write_all (out->data, out->len);

  start_thread ("il-worker-events", event_writer);
  start_thread ("il-worker-heartbeat", heartbeat_writer);

  while (read_frame (&type, body))
    {
      IlProtoTask task;

      switch (type)
        {
          case IL_FRAME_TASK:
            if (!il_protocol_read_task (body->data, body->len, &task, &error))
              die ("%s", error->message);
            run_task (&task, io, out, batch);
            il_proto_task_clear (&task);
            break;

          case IL_FRAME_BYE:
            goto done;

          case IL_FRAME_HELLO:
          case IL_FRAME_READY:
          case IL_FRAME_EVENT:
          case IL_FRAME_RESULT:
          case IL_FRAME_HEARTBEAT:
          default:
            die ("protocol error: unexpected %s frame", il_frame_type_to_string (type));
        }
    }

done:
  g_clear_pointer (&io, il_io_env_free);
  il_proto_hello_clear (&hello);
  g_clear_pointer (&body, g_byte_array_unref);
  g_clear_pointer (&batch, g_array_unref);
  g_clear_pointer (&out, g_byte_array_unref);
  /* The event thread may be waiting: leave without joining it. */
  fflush (stderr);
  _exit (0);
}
