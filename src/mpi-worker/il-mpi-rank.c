/* il-mpi-rank.c — an interleave-mpi-worker rank other than 0: runs tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Waits for TASK frames from rank 0, runs each with il_task_execute in its
 * main thread, and sends back one message: the task's run time on this
 * rank (so that rank 0 can tell the time spent in messages from the rest),
 * the task's events, and its RESULT with the payload echoed. Times are
 * written on rank 0's clock: the TASK's t0 is shifted by this rank's clock
 * offset, measured at start-up.
 *
 * Counter blocks count in this process's memory, as an interleave-worker
 * does: ranks share nothing but messages.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n.h>

#include "il-io.h"
#include "il-mpi-worker.h"
#include "il-protocol.h"
#include "il-run-private.h"
#include "il-sampler.h"

static IlCounter rank_counter;

/* This host's load, sampled from /proc/stat by one of its ranks while it
 * runs tasks, and sent with each result. */
#define MAX_CORES 1024

static GMutex   load_lock;
static GArray  *load_values; /* float, rows of load_cores */
static guint    load_cores;
static gboolean sampling;

static gpointer
load_sampler (gpointer data)
{
  static guint64 busy0[MAX_CORES], total0[MAX_CORES], busy1[MAX_CORES], total1[MAX_CORES];
  guint          n0 = il_proc_stat_read (busy0, total0, MAX_CORES);

  for (;;)
    {
      guint n;

      g_usleep (G_USEC_PER_SEC / MAX (il_mpi_sample_hz, 1));
      n = il_proc_stat_read (busy1, total1, MAX_CORES);
      g_mutex_lock (&load_lock);
      if (load_cores == 0)
        load_cores = n;
      if (n > 0 && n == n0 && n == load_cores)
        for (guint c = 0; c < n; c++)
          {
            guint64 dt = total1[c] - total0[c];
            float   v = dt > 0 ? (float) (100.0 * (double) (busy1[c] - busy0[c]) / (double) dt) : NAN;

            g_array_append_val (load_values, v);
          }
      g_mutex_unlock (&load_lock);
      memcpy (busy0, busy1, sizeof busy0);
      memcpy (total0, total1, sizeof total0);
      n0 = n;
    }
  return NULL;
}

/* Appends the cores, the rows and the samples taken since the last call. */
static void
take_load (GByteArray *out)
{
  guint32 cores = 0, rows = 0;

  g_mutex_lock (&load_lock);
  if (load_values != NULL && load_cores > 0)
    {
      cores = load_cores;
      rows = load_values->len / load_cores;
    }
  g_byte_array_append (out, (const guint8 *) &cores, sizeof cores);
  g_byte_array_append (out, (const guint8 *) &rows, sizeof rows);
  if (rows > 0)
    {
      g_byte_array_append (out, (const guint8 *) load_values->data, rows * cores * sizeof (float));
      g_array_set_size (load_values, 0);
    }
  g_mutex_unlock (&load_lock);
}

static gint64
clock_offset_reply (void)
{
  gint64 offset = 0;

  /* Rank 0 pings; each reply is this rank's clock at the ping. */
  for (guint i = 0; i < IL_MPI_CLOCK_ROUNDS; i++)
    {
      gint64 now;

      MPI_Recv (NULL, 0, MPI_BYTE, 0, IL_MPI_TAG_CLOCK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      now = g_get_monotonic_time ();
      MPI_Send (&now, 1, MPI_INT64_T, 0, IL_MPI_TAG_CLOCK, MPI_COMM_WORLD);
    }
  MPI_Recv (&offset, 1, MPI_INT64_T, 0, IL_MPI_TAG_CLOCK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return offset;
}

static void
run_task (IlProtoTask  *task,
          gint64        offset,
          IlIoEnv      *io,
          IlEventQueue *events,
          GByteArray   *out)
{
  g_autoptr(GArray) batch = g_array_new (FALSE, FALSE, sizeof (IlEvent));
  IlProtoResult result = { 0 };
  IlTaskRecord *rec = &result.rec;
  IlTaskEnv     env;
  gint64        counted_before;
  gint64        run_us;
  guint64       sum;

  rec->group = task->group;
  rec->index = task->index;
  rec->worker = task->worker;
  rec->cpu_start = rec->cpu_end = -1;
  rec->start_us = rec->end_us = -1;
  il_task_record_set_spawn_us (rec, -1);

  /* This rank's clock reads @offset more than rank 0's. */
  il_task_env_init (&env, task->def, task->group, task->index, task->flat, task->worker,
                    task->run, task->rep, task->t0 + offset);
  env.io = io;
  env.events = events;
  env.counter = &rank_counter;
  counted_before = rank_counter.value;

  sum = il_protocol_checksum (task->payload, task->payload_len);
  if (sum != task->payload_checksum)
    {
      rec->start_us = rec->end_us = g_get_monotonic_time () - env.t0;
      rec->failed = TRUE;
      il_task_record_take_error (rec, g_strdup_printf (_("the payload arrived corrupted (checksum %016" PRIx64 ", expected %016" PRIx64 ")"),
                                                          sum, task->payload_checksum));
    }
  else
    il_task_execute (&env, rec);
  run_us = MAX (0, rec->end_us - rec->start_us);

  result.usage = env.usage;
  result.overhead_ns = env.overhead_ns;
  result.counted = rank_counter.value - counted_before;
  result.payload = task->payload;
  result.payload_len = task->payload_len;

  g_byte_array_set_size (out, 0);
  g_byte_array_append (out, (const guint8 *) &run_us, sizeof run_us);
  take_load (out);
  if (il_event_queue_drain (events, batch, 0) > 0)
    il_protocol_write_events (out, (const IlEvent *) batch->data, batch->len);
  il_protocol_write_result (out, &result);
  il_task_record_clear (rec);
}

int
il_mpi_rank_main (int           rank,
                  int           size,
                  const guint8 *hello_body,
                  gsize         hello_len)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  IlProtoHello  hello = { 0 };
  IlEventQueue *events;
  IlIoEnv      *io;
  gint64        offset;
  char          host[IL_MPI_HOST_CHARS] = { 0 };

  if (!il_protocol_read_hello (hello_body, hello_len, &hello, &error))
    il_mpi_die ("%s", error->message);
  gethostname (host, sizeof host - 1);
  MPI_Gather (host, IL_MPI_HOST_CHARS, MPI_CHAR, NULL, 0, MPI_CHAR, 0, MPI_COMM_WORLD);
  {
    int pid = (int) getpid ();

    MPI_Gather (&pid, 1, MPI_INT, NULL, 0, MPI_INT, 0, MPI_COMM_WORLD);
  }
  {
    g_autofree int *samplers = g_new0 (int, MAX (size, 1));

    MPI_Bcast (samplers, size, MPI_INT, 0, MPI_COMM_WORLD);
    sampling = samplers[rank] != 0;
  }
  offset = clock_offset_reply ();

  il_counter_init (&rank_counter);
  events = il_event_queue_new (4096);
  io = il_io_env_new_remote (hello.server_url, hello.scratch_dir);
  il_io_http_enable ();

  for (;;)
    {
      g_autoptr(GByteArray) frame = NULL;
      MPI_Status  status;
      IlProtoTask task;
      IlFrameType type;
      guint64     len;

      il_mpi_wait (0, MPI_ANY_TAG, &status);
      if (status.MPI_TAG == IL_MPI_TAG_BYE)
        {
          MPI_Recv (NULL, 0, MPI_BYTE, 0, IL_MPI_TAG_BYE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          break;
        }
      if (status.MPI_TAG != IL_MPI_TAG_TASK)
        il_mpi_die ("rank %d: unexpected message tag %d", rank, status.MPI_TAG);
      frame = il_mpi_recv_bytes (&status);
      /* Sampling starts with the first task: the run's clock is going. */
      if (sampling && load_values == NULL)
        {
          load_values = g_array_new (FALSE, FALSE, sizeof (float));
          g_thread_unref (g_thread_new ("il-mpi-load", load_sampler, NULL));
        }
      if (frame->len < IL_PROTOCOL_HEADER_SIZE ||
          !il_protocol_parse_header (frame->data, &type, &len, &error) ||
          type != IL_FRAME_TASK || len != frame->len - IL_PROTOCOL_HEADER_SIZE ||
          !il_protocol_read_task (frame->data + IL_PROTOCOL_HEADER_SIZE, len, &task, &error))
        il_mpi_die ("rank %d: a bad TASK message: %s", rank,
                    error != NULL ? error->message : "not one whole TASK frame");
      run_task (&task, offset, io, events, out);
      il_proto_task_clear (&task);
      MPI_Send (out->data, (int) out->len, MPI_BYTE, 0, IL_MPI_TAG_RESULT, MPI_COMM_WORLD);
    }

  il_io_env_free (io);
  il_event_queue_unref (events);
  il_proto_hello_clear (&hello);
  return 0;
}
