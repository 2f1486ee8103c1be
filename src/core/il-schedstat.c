/* il-schedstat.c — per-thread CPU and run-queue time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /proc/thread-self/schedstat holds "run_ns wait_ns timeslices". Reading it
 * again from offset 0 regenerates it, so each thread opens it once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "il-schedstat.h"

static void
close_fd (gpointer data)
{
  int fd = GPOINTER_TO_INT (data) - 1;

  if (fd >= 0)
    close (fd);
}

/* Stores fd + 1 so that 0 (NULL) means "not opened yet", and -1 (fd -2)
 * means "failed": a failed open must not be retried at every reading. */
static GPrivate schedstat_fd = G_PRIVATE_INIT (close_fd);

gint64
il_thread_cpu_ns (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

void
il_thread_times_read (IlThreadTimes *out)
{
  gpointer stored = g_private_get (&schedstat_fd);
  int      fd;
  char     buf[128];
  ssize_t  n;

  out->cpu_ns = il_thread_cpu_ns ();
  out->wait_ns = 0;
  out->valid = FALSE;

  if (stored == NULL)
    {
      fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      g_private_set (&schedstat_fd, GINT_TO_POINTER (fd >= 0 ? fd + 1 : -1));
    }
  else
    fd = GPOINTER_TO_INT (stored) - 1;

  if (fd < 0)
    return;

  do
    n = pread (fd, buf, sizeof buf - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return;
  buf[n] = '\0';

  {
    char   *end = NULL;
    guint64 run_ns = g_ascii_strtoull (buf, &end, 10);

    if (end == buf)
      return;
    (void) run_ns;
    out->wait_ns = (gint64) g_ascii_strtoull (end, NULL, 10);
    out->valid = TRUE;
  }
}
