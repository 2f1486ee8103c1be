/* test-fd-io.c — the shared whole reads and writes (il-fd-io.h): short
 * reads and writes, a full pipe, end of input and a closed reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include "il-fd-io.h"

/* Larger than any pipe's default buffer: every write and read is short. */
#define BIG (1024 * 1024)

static guint8 *
pattern (gsize len)
{
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 31 + (i >> 8));
  return data;
}

typedef struct
{
  int           fd;
  const guint8 *data;
  gsize         len;
} Writer;

static gpointer
write_thread (gpointer user_data)
{
  Writer  *w = user_data;
  gboolean ok = il_fd_write_all (w->fd, w->data, w->len);

  close (w->fd);
  return GINT_TO_POINTER (ok);
}

/* Blocking and non-blocking ends: everything arrives, in order, whatever
 * the pipe takes at a time; end of input gives a short count. */
static void
check_round_trip (gboolean nonblocking)
{
  g_autofree guint8 *data = pattern (BIG);
  g_autofree guint8 *got = g_malloc0 (BIG + 100);
  Writer             w;
  GThread           *thread;
  int                fds[2];
  gssize             n;

  g_assert_no_errno (pipe (fds));
  if (nonblocking)
    {
      g_assert_true (g_unix_set_fd_nonblocking (fds[0], TRUE, NULL));
      g_assert_true (g_unix_set_fd_nonblocking (fds[1], TRUE, NULL));
    }
  w.fd = fds[1];
  w.data = data;
  w.len = BIG;
  thread = g_thread_new ("writer", write_thread, &w);

  /* Asks for more than is sent: the count says where the input ended. */
  n = il_fd_read_all (fds[0], got, BIG + 100);
  g_assert_true (GPOINTER_TO_INT (g_thread_join (thread)));
  g_assert_cmpint (n, ==, BIG);
  g_assert_cmpmem (got, BIG, data, BIG);
  g_assert_cmpint (il_fd_read_all (fds[0], got, 10), ==, 0);
  close (fds[0]);
}

static void
test_fd_io_blocking (void)
{
  check_round_trip (FALSE);
}

static void
test_fd_io_nonblocking (void)
{
  check_round_trip (TRUE);
}

/* The non-blocking pair: a write takes what fits and says how much, a
 * read appends what is there and tells end of input from "nothing yet". */
static void
test_fd_io_available (void)
{
  g_autofree guint8 *data = pattern (BIG);
  g_autoptr(GByteArray) in = g_byte_array_new ();
  gsize    sent = 0;
  gboolean eof = TRUE;
  int      fds[2];
  gssize   n;

  g_assert_no_errno (pipe (fds));
  g_assert_true (g_unix_set_fd_nonblocking (fds[0], TRUE, NULL));
  g_assert_true (g_unix_set_fd_nonblocking (fds[1], TRUE, NULL));

  /* Nothing there yet: no bytes, and not the end. */
  g_assert_cmpuint (il_fd_read_available (fds[0], in, 4096, &eof), ==, 0);
  g_assert_false (eof);

  n = il_fd_write_available (fds[1], data, BIG);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (n, <, BIG);
  /* Full: nothing more goes in, and that is not an error. */
  g_assert_cmpint (il_fd_write_available (fds[1], data + n, BIG - (gsize) n), ==, 0);
  sent = (gsize) n;

  while (sent < BIG || in->len < BIG)
    {
      if (sent < BIG)
        {
          n = il_fd_write_available (fds[1], data + sent, BIG - sent);
          g_assert_cmpint (n, >=, 0);
          sent += (gsize) n;
          if (sent == BIG)
            close (fds[1]);
        }
      il_fd_read_available (fds[0], in, 4096, &eof);
      g_assert_true (!eof || in->len == BIG);
    }
  g_assert_cmpmem (in->data, in->len, data, BIG);
  il_fd_read_available (fds[0], in, 4096, &eof);
  g_assert_true (eof);
  g_assert_cmpint (errno, ==, 0);
  g_assert_cmpuint (in->len, ==, BIG);
  close (fds[0]);
}

/* A closed reader is EPIPE, for both writers (SIGPIPE ignored, as the
 * worker and the dispatcher thread have it). */
static void
test_fd_io_epipe (void)
{
  guint8 byte = 1;
  int    fds[2];

  signal (SIGPIPE, SIG_IGN);
  g_assert_no_errno (pipe (fds));
  close (fds[0]);
  errno = 0;
  g_assert_false (il_fd_write_all (fds[1], &byte, 1));
  g_assert_cmpint (errno, ==, EPIPE);
  errno = 0;
  g_assert_cmpint (il_fd_write_available (fds[1], &byte, 1), ==, -1);
  g_assert_cmpint (errno, ==, EPIPE);
  close (fds[1]);

  /* A read error is -1 with errno, not a short count. */
  errno = 0;
  g_assert_cmpint (il_fd_read_all (fds[1], &byte, 1), ==, -1);
  g_assert_cmpint (errno, ==, EBADF);
}

/* il_fd_close closes once and marks the descriptor closed: a second call
 * does not close a descriptor that took the same number since. */
static void
test_fd_io_close (void)
{
  int fds[2];
  int again;

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, NULL));
  il_fd_close (&fds[0]);
  g_assert_cmpint (fds[0], ==, -1);
  /* The number is free again: the next descriptor may take it. */
  again = dup (fds[1]);
  g_assert_cmpint (again, >=, 0);
  il_fd_close (&fds[0]);
  g_assert_cmpint (fcntl (again, F_GETFD), >=, 0);
  il_fd_close (&fds[1]);
  il_fd_close (&fds[1]);
  g_assert_cmpint (fds[1], ==, -1);
  il_fd_close (&again);
  g_assert_cmpint (again, ==, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/fd-io/blocking", test_fd_io_blocking);
  g_test_add_func ("/il/fd-io/nonblocking", test_fd_io_nonblocking);
  g_test_add_func ("/il/fd-io/available", test_fd_io_available);
  g_test_add_func ("/il/fd-io/epipe", test_fd_io_epipe);
  g_test_add_func ("/il/fd-io/close", test_fd_io_close);

  return g_test_run ();
}
