/* il-schedstat.c — per-thread CPU and run-queue time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /proc/thread-self/schedstat holds "run_ns wait_ns timeslices". Reading it
 * again from offset 0 regenerates it, so each thread opens it once.
 *
 * Reading the kernel costs a system call (0.2–0.8 µs on an idle VM, several
 * µs on a loaded one), which is more than a tiny task's whole dispatch.
 * il_thread_times_now avoids it where nothing can have changed: a thread
 * that never left its CPU since the last reading ran all the while and
 * waited not at all. To know that without a system call, each thread opens
 * a software perf event on itself (PERF_COUNT_SW_DUMMY: it counts nothing)
 * and maps its user page, whose seqlock count the kernel bumps at every
 * context switch of the thread. Where perf events are not allowed
 * (perf_event_paranoid 3 on Debian, a sandbox), it falls back to one CPU
 * clock read per reading.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#  include <linux/perf_event.h>
#  include <sys/mman.h>
#  include <sys/syscall.h>
#endif

#include "il-schedstat.h"

/* What a thread keeps open for its readings. */
typedef struct
{
  int            schedstat_fd; /* -1: not available */
  int            perf_fd;      /* -1: no switch detector */
  volatile void *page;         /* the perf event's user page, or NULL */
  /* The last reading from the kernel (il_thread_times_now). */
  gboolean      have;
  IlThreadTimes last;
  gint64        cpu_offset;   /* added to the kernel's CPU clock */
  gint64        last_cpu_out; /* the CPU time last returned */
} ThreadClock;

static __thread ThreadClock *thread_clock_cached;

static void
thread_clock_free (gpointer data)
{
  ThreadClock *tc = data;

  /* Runs on the exiting thread itself. */
  thread_clock_cached = NULL;
#ifdef __linux__
  if (tc->page != NULL)
    munmap ((void *) tc->page, (size_t) sysconf (_SC_PAGESIZE));
#endif
  if (tc->perf_fd >= 0)
    close (tc->perf_fd);
  if (tc->schedstat_fd >= 0)
    close (tc->schedstat_fd);
  g_free (tc);
}

static GPrivate thread_clock_key = G_PRIVATE_INIT (thread_clock_free);

static gboolean
detector_wanted (void)
{
  static gsize wanted;

  if (g_once_init_enter (&wanted))
    g_once_init_leave (&wanted, g_strcmp0 (g_getenv ("IL_NO_SWITCH_DETECTOR"), "1") == 0 ? 1 : 2);
  return wanted == 2;
}

static void
open_detector (ThreadClock *tc)
{
#ifdef __linux__
  struct perf_event_attr attr;
  void                  *page;

  memset (&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_DUMMY;
  /* Allowed to unprivileged users up to perf_event_paranoid 2. */
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  tc->perf_fd = (int) syscall (SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
  if (tc->perf_fd < 0)
    return;
  page = mmap (NULL, (size_t) sysconf (_SC_PAGESIZE), PROT_READ, MAP_SHARED, tc->perf_fd, 0);
  if (page == MAP_FAILED)
    {
      close (tc->perf_fd);
      tc->perf_fd = -1;
      return;
    }
  tc->page = page;
#endif
}

static ThreadClock *
thread_clock (void)
{
  ThreadClock *tc = thread_clock_cached;

  if (G_LIKELY (tc != NULL))
    return tc;
  tc = g_private_get (&thread_clock_key);
  if (tc == NULL)
    {
      tc = g_new0 (ThreadClock, 1);
      tc->perf_fd = -1;
      tc->schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      if (detector_wanted ())
        open_detector (tc);
      g_private_set (&thread_clock_key, tc);
    }
  thread_clock_cached = tc;
  return tc;
}

/* The detector's count: it moves at every context switch of this thread. */
static inline guint32
switch_seq (const ThreadClock *tc)
{
#ifdef __linux__
  guint32 seq = ((volatile struct perf_event_mmap_page *) tc->page)->lock;

  /* Nothing after this load moves before it. */
  __atomic_signal_fence (__ATOMIC_ACQUIRE);
  return seq;
#else
  return 0;
#endif
}

static inline gint64
monotonic_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

gboolean
il_thread_switch_detector_available (void)
{
  return thread_clock ()->page != NULL;
}

gint64
il_thread_cpu_ns (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* schedstat's run_delay; FALSE if unavailable. */
static gboolean
read_wait (const ThreadClock *tc,
           gint64            *wait_ns)
{
  char    buf[128];
  char   *end = NULL;
  ssize_t n;

  *wait_ns = 0;
  if (tc->schedstat_fd < 0)
    return FALSE;
  do
    n = pread (tc->schedstat_fd, buf, sizeof buf - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return FALSE;
  buf[n] = '\0';
  (void) g_ascii_strtoull (buf, &end, 10); /* run_ns: lags, see cpu_ns */
  if (end == buf)
    return FALSE;
  *wait_ns = (gint64) g_ascii_strtoull (end, NULL, 10);
  return TRUE;
}

void
il_thread_times_read (IlThreadTimes *out)
{
  ThreadClock *tc = thread_clock ();

  out->seq = tc->page != NULL ? switch_seq (tc) : 0;
  out->cpu_ns = il_thread_cpu_ns ();
  out->valid = read_wait (tc, &out->wait_ns);
  out->wall_ns = monotonic_ns ();
}

/* A reading with no switch for this long is taken from the kernel anyway,
 * so that the time interrupts or the hypervisor took from a thread that
 * never left its CPU is counted as running (as that thread saw it) a
 * millisecond at a time, not all at once in the block that next sees a
 * switch. */
#define RESYNC_NS G_GINT64_CONSTANT (1000000)

void
il_thread_times_now (IlThreadTimes *out)
{
  ThreadClock *tc = thread_clock ();

  if (tc->page != NULL)
    {
      guint32 seq = switch_seq (tc);
      gint64  synth = 0;

      out->wall_ns = monotonic_ns ();
      if (G_LIKELY (tc->have && seq == tc->last.seq && (seq & 1) == 0))
        {
          /* On its CPU since the last kernel reading. */
          synth = tc->last.cpu_ns + (out->wall_ns - tc->last.wall_ns);
          if (G_LIKELY (out->wall_ns - tc->last.wall_ns < RESYNC_NS))
            {
              out->cpu_ns = tc->last_cpu_out = synth;
              out->wait_ns = tc->last.wait_ns;
              out->valid = tc->last.valid;
              out->seq = seq;
              return;
            }
        }
      /* The count was read first: a switch during the reads shows next
       * time. The wall clock is read last, as the times are used: a
       * system call may be where the thread is preempted, and that wait
       * belongs to what came before the reading. CPU times are the
       * kernel's plus what was counted as running on the way (cpu_offset),
       * never going back. */
      out->cpu_ns = il_thread_cpu_ns () + tc->cpu_offset;
      out->valid = read_wait (tc, &out->wait_ns);
      out->wall_ns = monotonic_ns ();
      out->seq = seq;
      synth = MAX (synth, tc->last_cpu_out);
      if (synth > out->cpu_ns)
        {
          tc->cpu_offset += synth - out->cpu_ns;
          out->cpu_ns = synth;
        }
      tc->last = *out;
      tc->have = TRUE;
      tc->last_cpu_out = out->cpu_ns;
      return;
    }

  /* No detector: the CPU clock says whether the thread left its CPU since
   * schedstat was last read (then wall time outgrew CPU time). */
  out->seq = 0;
  out->cpu_ns = il_thread_cpu_ns ();
  out->wall_ns = monotonic_ns ();
  if (tc->have && (out->wall_ns - tc->last.wall_ns) - (out->cpu_ns - tc->last.cpu_ns) <= 500)
    {
      out->wait_ns = tc->last.wait_ns;
      out->valid = tc->last.valid;
      return;
    }
  out->valid = read_wait (tc, &out->wait_ns);
  out->wall_ns = monotonic_ns ();
  tc->last = *out;
  tc->have = TRUE;
}

gint64
il_thread_times_cpu_since (const IlThreadTimes *since)
{
  ThreadClock *tc = thread_clock ();

  if (tc->page != NULL && switch_seq (tc) != since->seq)
    return MAX (il_thread_cpu_ns () + tc->cpu_offset - since->cpu_ns, 0);
  return monotonic_ns () - since->wall_ns;
}
