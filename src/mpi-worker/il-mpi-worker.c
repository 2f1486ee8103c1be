/* il-mpi-worker.c — interleave-mpi-worker: the mpi executor's ranks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Started by Open MPI's mpirun with one rank more than the run's workers.
 * Rank 0 is the dispatcher: it reads the runner's frames (il-protocol.h)
 * from its stdin and writes frames to its stdout, both of which mpirun
 * forwards from and to the runner wherever rank 0 runs. It hands each TASK
 * to an idle rank as an MPI message (dynamic dispatch: the next task goes
 * to the first rank that is free), and relays what the rank sends back:
 * its EVENT and RESULT frames unchanged, preceded by a PLACED frame saying
 * which rank on which host ran it and how long the task spent in messages.
 * A PLACED frame is also sent when a task is handed out, so that the
 * runner knows which task a rank that dies was running.
 *
 * MPI is the only transport between ranks: tasks, payloads, events and
 * results are MPI messages, on whatever network Open MPI chooses (shared
 * memory on one host, TCP between hosts).
 *
 * Start-up: rank 0 reads HELLO and broadcasts it, gathers the ranks' host
 * names, estimates every rank's clock offset (the round trip with the
 * smallest delay of a few), and only then sends READY: everything before
 * READY is the run's start-up, which the runner records on its own.
 *
 * Every rank dies with its parent (mpirun here, Open MPI's orted on
 * another host): a killed mpirun must leave nothing behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "il-fd-io.h"
#include "il-i18n.h"
#include "il-mpi-worker.h"
#include "il-protocol.h"
#include "il-run-private.h"

#define READ_CHUNK (256 * 1024)

typedef struct
{
  guint       group;
  guint       index;
  gint64      t0;
  GByteArray *frame; /* the TASK frame, header included */
} Queued;

typedef struct
{
  gboolean busy;
  guint    group;
  guint    index;
  gint64   t0;
  gint64   start_us;
} RankState;

guint il_mpi_sample_hz = 20;

static int    out_fd = -1;
static GMutex out_lock;
static guint  heartbeat_ms;

G_NORETURN void
il_mpi_die (const char *fmt,
            ...)
{
  va_list args;

  fprintf (stderr, "interleave-mpi-worker[%d]: ", (int) getpid ());
  va_start (args, fmt);
  vfprintf (stderr, fmt, args);
  va_end (args);
  fputc ('\n', stderr);
  fflush (stderr);
  MPI_Abort (MPI_COMM_WORLD, 2);
  _exit (2);
}

void
il_mpi_wait (int         source,
             int         tag,
             MPI_Status *status)
{
  long  nap_ns = 20 * 1000;
  guint probes = 0;

  for (;;)
    {
      int             flag = 0;
      struct timespec ts;

      MPI_Iprobe (source, tag, MPI_COMM_WORLD, &flag, status);
      if (flag)
        return;
      if (++probes < 50)
        continue;
      ts.tv_sec = 0;
      ts.tv_nsec = nap_ns;
      nanosleep (&ts, NULL);
      nap_ns = MIN (nap_ns * 2, 1000 * 1000);
    }
}

GByteArray *
il_mpi_recv_bytes (const MPI_Status *status)
{
  GByteArray *bytes = g_byte_array_new ();
  MPI_Status  copy = *status;
  int         n = 0;

  MPI_Get_count (&copy, MPI_BYTE, &n);
  g_byte_array_set_size (bytes, (guint) MAX (n, 0));
  MPI_Recv (bytes->data, n, MPI_BYTE, status->MPI_SOURCE, status->MPI_TAG, MPI_COMM_WORLD,
            MPI_STATUS_IGNORE);
  return bytes;
}

/* The runner is gone when the output fails: nobody wants our results. */
static void
write_frames (const guint8 *data,
              gsize         len)
{
  g_mutex_lock (&out_lock);
  if (!il_fd_write_all (out_fd, data, len))
    {
      fprintf (stderr, "interleave-mpi-worker: the runner is gone (%s)\n", g_strerror (errno));
      MPI_Abort (MPI_COMM_WORLD, 3);
      _exit (3);
    }
  g_mutex_unlock (&out_lock);
}

static gpointer
heartbeat_writer (gpointer data)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();

  il_protocol_write_heartbeat (frame);
  for (;;)
    {
      g_usleep ((gulong) heartbeat_ms * 1000);
      write_frames (frame->data, frame->len);
    }
  return NULL;
}

/* Reads one whole frame from stdin (blocking); FALSE on a clean EOF. */
static gboolean
read_frame (IlFrameType *type,
            GByteArray  *body)
{
  guint8 header[IL_PROTOCOL_HEADER_SIZE];
  g_autoptr(GError) error = NULL;
  guint64 len;
  gssize  n = il_fd_read_all (STDIN_FILENO, header, sizeof header);

  if (n == 0)
    return FALSE;
  if (n != sizeof header)
    il_mpi_die ("protocol error: the input ended inside a frame");
  if (!il_protocol_parse_header (header, type, &len, &error))
    il_mpi_die ("%s", error->message);
  g_byte_array_set_size (body, (guint) len);
  if (len > 0 && il_fd_read_all (STDIN_FILENO, body->data, len) != (gssize) len)
    il_mpi_die ("protocol error: the input ended inside a frame");
  return TRUE;
}

static void
measure_clock_offsets (int     size,
                       gint64 *offsets)
{
  for (int r = 1; r < size; r++)
    {
      gint64 best = G_MAXINT64;

      offsets[r] = 0;
      for (guint i = 0; i < IL_MPI_CLOCK_ROUNDS; i++)
        {
          gint64 t1 = g_get_monotonic_time ();
          gint64 remote = 0;
          gint64 t2;

          MPI_Send (NULL, 0, MPI_BYTE, r, IL_MPI_TAG_CLOCK, MPI_COMM_WORLD);
          MPI_Recv (&remote, 1, MPI_INT64_T, r, IL_MPI_TAG_CLOCK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          t2 = g_get_monotonic_time ();
          if (t2 - t1 < best)
            {
              best = t2 - t1;
              offsets[r] = remote - (t1 + t2) / 2;
            }
        }
      MPI_Send (&offsets[r], 1, MPI_INT64_T, r, IL_MPI_TAG_CLOCK, MPI_COMM_WORLD);
    }
}

typedef struct
{
  int         size;
  char       *hosts; /* size × IL_MPI_HOST_CHARS */
  int        *pids;
  RankState  *ranks;
  GQueue      queue; /* Queued* */
  guint       busy;
  gboolean    bye;
  GByteArray *in;
  GByteArray *out;
} Dispatcher;

static const char *
host_of (Dispatcher *d,
         int         rank)
{
  return d->hosts + (gsize) rank * IL_MPI_HOST_CHARS;
}

static void
send_placed (Dispatcher *d,
             int         rank,
             gint64      end_us,
             gint64      marshal_us)
{
  RankState    *s = &d->ranks[rank];
  IlProtoPlaced p = { 0 };

  p.group = s->group;
  p.index = s->index;
  p.rank = rank;
  p.host = (char *) host_of (d, rank);
  p.pid = (guint32) d->pids[rank];
  p.start_us = s->start_us;
  p.end_us = end_us;
  p.marshal_us = marshal_us;
  g_byte_array_set_size (d->out, 0);
  il_protocol_write_placed (d->out, &p);
  write_frames (d->out->data, d->out->len);
}

/* Takes the frames that arrived on stdin: TASKs join the queue. */
static void
take_input (Dispatcher *d)
{
  gsize pos = 0;

  while (d->in->len - pos >= IL_PROTOCOL_HEADER_SIZE)
    {
      g_autoptr(GError) error = NULL;
      IlFrameType type;
      guint64     len;
      IlProtoTask task;
      Queued     *q;

      if (!il_protocol_parse_header (d->in->data + pos, &type, &len, &error))
        il_mpi_die ("%s", error->message);
      if (d->in->len - pos - IL_PROTOCOL_HEADER_SIZE < len)
        break;
      if (type == IL_FRAME_BYE)
        d->bye = TRUE;
      else if (type != IL_FRAME_TASK)
        il_mpi_die ("protocol error: unexpected %s frame", il_frame_type_to_string (type));
      else
        {
          if (!il_protocol_read_task (d->in->data + pos + IL_PROTOCOL_HEADER_SIZE, len, &task, &error))
            il_mpi_die ("%s", error->message);
          q = g_new0 (Queued, 1);
          q->group = task.group;
          q->index = task.index;
          q->t0 = task.t0;
          q->frame = g_byte_array_sized_new ((guint) (IL_PROTOCOL_HEADER_SIZE + len));
          g_byte_array_append (q->frame, d->in->data + pos, (guint) (IL_PROTOCOL_HEADER_SIZE + len));
          il_proto_task_clear (&task);
          g_queue_push_tail (&d->queue, q);
        }
      pos += IL_PROTOCOL_HEADER_SIZE + len;
    }
  if (pos > 0)
    g_byte_array_remove_range (d->in, 0, (guint) pos);
}

static gboolean
dispatch (Dispatcher *d)
{
  gboolean any = FALSE;

  for (int r = 1; r < d->size && !g_queue_is_empty (&d->queue); r++)
    {
      RankState *s = &d->ranks[r];
      Queued    *q;

      if (s->busy)
        continue;
      q = g_queue_pop_head (&d->queue);
      s->busy = TRUE;
      s->group = q->group;
      s->index = q->index;
      s->t0 = q->t0;
      s->start_us = g_get_monotonic_time () - q->t0;
      d->busy++;
      send_placed (d, r, -1, -1);
      MPI_Send (q->frame->data, (int) q->frame->len, MPI_BYTE, r, IL_MPI_TAG_TASK, MPI_COMM_WORLD);
      g_byte_array_unref (q->frame);
      g_free (q);
      any = TRUE;
    }
  return any;
}

static gboolean
collect (Dispatcher *d)
{
  g_autoptr(GByteArray) msg = NULL;
  MPI_Status status;
  RankState *s;
  gint64     run_us, end_us;
  guint32    cores, samples;
  gsize      skip;
  int        flag = 0;

  MPI_Iprobe (MPI_ANY_SOURCE, IL_MPI_TAG_RESULT, MPI_COMM_WORLD, &flag, &status);
  if (!flag)
    return FALSE;
  msg = il_mpi_recv_bytes (&status);
  s = &d->ranks[status.MPI_SOURCE];
  end_us = g_get_monotonic_time () - s->t0;
  if (!s->busy || msg->len < 16)
    il_mpi_die ("rank %d sent a result it was not asked for", status.MPI_SOURCE);
  memcpy (&run_us, msg->data, sizeof run_us);
  memcpy (&cores, msg->data + 8, sizeof cores);
  memcpy (&samples, msg->data + 12, sizeof samples);
  skip = 16 + (gsize) cores * samples * sizeof (float);
  if (msg->len < skip)
    il_mpi_die ("rank %d sent a truncated result", status.MPI_SOURCE);
  send_placed (d, status.MPI_SOURCE, end_us, MAX (0, end_us - s->start_us - run_us));
  if (samples > 0 && cores > 0)
    {
      IlProtoLoad load = { 0 };

      load.host = (char *) host_of (d, status.MPI_SOURCE);
      load.hz = il_mpi_sample_hz;
      load.cores = cores;
      load.samples = samples;
      load.values = g_array_sized_new (FALSE, FALSE, sizeof (float), cores * samples);
      g_array_append_vals (load.values, msg->data + 16, cores * samples);
      g_byte_array_set_size (d->out, 0);
      il_protocol_write_load (d->out, &load);
      g_array_unref (load.values);
      write_frames (d->out->data, d->out->len);
    }
  write_frames (msg->data + skip, msg->len - skip);
  s->busy = FALSE;
  d->busy--;
  return TRUE;
}

static int
dispatcher_main (int           size,
                 const guint8 *hello_body,
                 gsize         hello_len)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *offsets = g_new0 (gint64, size);
  IlProtoHello       ready = { 0 };
  IlProtoHello       hello = { 0 };
  Dispatcher         d = { 0 };
  char               host[IL_MPI_HOST_CHARS] = { 0 };
  gboolean           eof = FALSE;
  long               nap_ns = 20 * 1000;
  GThread           *thread;

  if (!il_protocol_read_hello (hello_body, hello_len, &hello, &error))
    il_mpi_die ("%s", error->message);
  heartbeat_ms = hello.heartbeat_ms;
  il_proto_hello_clear (&hello);

  d.size = size;
  d.hosts = g_malloc0 ((gsize) size * IL_MPI_HOST_CHARS);
  d.ranks = g_new0 (RankState, size);
  d.pids = g_new0 (int, size);
  d.in = g_byte_array_new ();
  d.out = g_byte_array_new ();
  g_queue_init (&d.queue);
  gethostname (host, sizeof host - 1);
  MPI_Gather (host, IL_MPI_HOST_CHARS, MPI_CHAR, d.hosts, IL_MPI_HOST_CHARS, MPI_CHAR, 0, MPI_COMM_WORLD);
  {
    int pid = (int) getpid ();

    MPI_Gather (&pid, 1, MPI_INT, d.pids, 1, MPI_INT, 0, MPI_COMM_WORLD);
  }
  for (int r = 0; r < size; r++)
    d.hosts[(gsize) r * IL_MPI_HOST_CHARS + IL_MPI_HOST_CHARS - 1] = '\0';
  {
    /* One rank per host samples its load: the first that runs tasks. */
    g_autofree int *samplers = g_new0 (int, size);

    for (int r = 1; r < size; r++)
      {
        samplers[r] = 1;
        for (int q = 1; q < r && samplers[r]; q++)
          if (g_str_equal (host_of (&d, q), host_of (&d, r)))
            samplers[r] = 0;
      }
    MPI_Bcast (samplers, size, MPI_INT, 0, MPI_COMM_WORLD);
  }
  measure_clock_offsets (size, offsets);

  ready.pid = (guint32) getpid ();
  ready.worker = 0;
  il_protocol_write_hello (frame, IL_FRAME_READY, &ready);
  write_frames (frame->data, frame->len);

  thread = g_thread_try_new ("il-mpi-heartbeat", heartbeat_writer, NULL, &error);
  if (thread == NULL)
    il_mpi_die ("cannot start the heartbeat thread: %s", error->message);
  g_thread_unref (thread);

  g_unix_set_fd_nonblocking (STDIN_FILENO, TRUE, NULL);
  while (!(d.bye || eof) || !g_queue_is_empty (&d.queue) || d.busy > 0)
    {
      gboolean      busy = FALSE;
      struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };

      if (!eof && !d.bye && poll (&pfd, 1, 0) > 0)
        {
          if (il_fd_read_available (STDIN_FILENO, d.in, READ_CHUNK, &eof) > 0)
            busy = TRUE;
          take_input (&d);
        }
      busy |= dispatch (&d);
      while (collect (&d))
        busy = TRUE;
      if (busy)
        {
          nap_ns = 20 * 1000;
          continue;
        }
      /* Idle: wait for the runner a little longer each time, up to 1 ms
       * (MPI has no descriptor to poll; results are probed for between
       * naps). */
      if (!eof && !d.bye)
        {
          struct timespec ts = { 0, nap_ns };

          pfd.revents = 0;
          ppoll (&pfd, 1, &ts, NULL);
        }
      else
        {
          struct timespec ts = { 0, nap_ns };

          nanosleep (&ts, NULL);
        }
      nap_ns = MIN (nap_ns * 2, 1000 * 1000);
    }

  for (int r = 1; r < size; r++)
    MPI_Send (NULL, 0, MPI_BYTE, r, IL_MPI_TAG_BYE, MPI_COMM_WORLD);
  g_byte_array_unref (d.in);
  g_byte_array_unref (d.out);
  g_free (d.ranks);
  g_free (d.pids);
  g_free (d.hosts);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GByteArray) hello = g_byte_array_new ();
  int     provided = 0, rank = 0, size = 0, status;
  guint64 hello_len = 0;

  /* A failed task's reason in the user's language; numbers stay in the C
   * locale (LC_NUMERIC untouched). */
  setlocale (LC_MESSAGES, "");
  setlocale (LC_CTYPE, "");
  il_i18n_init ();

  if (argc > 1 && g_strcmp0 (argv[1], "--version") == 0)
    {
      printf ("interleave-mpi-worker %s (protocol %d)\n", PACKAGE_VERSION, IL_PROTOCOL_VERSION);
      return 0;
    }
  if (argc > 2 && g_strcmp0 (argv[1], "--sample-hz") == 0)
    {
      guint64 hz = 0;

      if (!g_ascii_string_to_unsigned (argv[2], 10, 1, 100, &hz, NULL))
        {
          fprintf (stderr, "interleave-mpi-worker: --sample-hz takes 1 to 100\n");
          return 2;
        }
      il_mpi_sample_hz = (guint) hz;
    }

  /* Die with the parent that started us (mpirun, or orted on another
   * host): killing mpirun ends the ranks. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0)
    {
      perror ("interleave-mpi-worker: prctl");
      return 2;
    }
  if (getppid () == 1)
    return 0;
  signal (SIGPIPE, SIG_IGN);

  MPI_Init_thread (&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);
  if (size < 2)
    il_mpi_die ("needs at least 2 ranks (a dispatcher and a worker), got %d", size);

  if (rank == 0)
    {
      IlFrameType type;

      /* Keep the protocol channel private: stray prints go to stderr. */
      out_fd = fcntl (STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
      if (out_fd < 0)
        il_mpi_die ("cannot set up the output: %s", g_strerror (errno));
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      if (!read_frame (&type, hello))
        il_mpi_die ("the runner closed the input before HELLO");
      if (type != IL_FRAME_HELLO)
        il_mpi_die ("protocol error: expected HELLO first, got %s", il_frame_type_to_string (type));
      hello_len = hello->len;
    }
  else
    dup2 (STDERR_FILENO, STDOUT_FILENO);

  MPI_Bcast (&hello_len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  if (hello_len > 1024 * 1024)
    il_mpi_die ("a HELLO of %" G_GUINT64_FORMAT " bytes", hello_len);
  g_byte_array_set_size (hello, (guint) hello_len);
  MPI_Bcast (hello->data, (int) hello_len, MPI_BYTE, 0, MPI_COMM_WORLD);

  if (rank == 0)
    status = dispatcher_main (size, hello->data, hello->len);
  else
    status = il_mpi_rank_main (rank, size, hello->data, hello->len);

  MPI_Finalize ();
  if (rank == 0)
    close (out_fd);
  return status;
}
