/* il-fd-io.c — whole reads and writes on file descriptors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "il-fd-io.h"

/* Waits until @fd is ready for @events; FALSE with errno set on an error.
 * Only reached for a non-blocking descriptor that would block. */
static gboolean
wait_for (int   fd,
          short events)
{
  struct pollfd p = { fd, events, 0 };

  for (;;)
    {
      int r = poll (&p, 1, -1);

      if (r < 0 && errno == EINTR)
        continue;
      /* POLLERR / POLLHUP: the next read or write reports what happened. */
      return r >= 0;
    }
}

/* The one loop behind the calls below: moves up to @len bytes, retrying
 * after EINTR and short transfers, until all are moved or the input ends
 * (a read of 0). Where a non-blocking @fd would block, it waits (poll) if
 * @wait, else stops there. Returns the bytes moved, -1 with errno set. */
static gssize
move (int      fd,
      guint8  *p,
      gsize    len,
      gboolean writing,
      gboolean wait)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = writing ? write (fd, p + done, len - done) : read (fd, p + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (!wait)
            break;
          if (!wait_for (fd, writing ? POLLOUT : POLLIN))
            return -1;
          continue;
        }
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
}

gboolean
il_fd_write_all (int         fd,
                 const void *buf,
                 gsize       len)
{
  gssize n = move (fd, (guint8 *) buf, len, TRUE, TRUE);

  if (n < 0)
    return FALSE;
  if ((gsize) n < len)
    {
      /* A write of 0: never for a pipe, socket or file. */
      errno = EIO;
      return FALSE;
    }
  return TRUE;
}

gssize
il_fd_read_all (int   fd,
                void *buf,
                gsize len)
{
  return move (fd, buf, len, FALSE, TRUE);
}

gssize
il_fd_write_available (int         fd,
                       const void *buf,
                       gsize       len)
{
  return move (fd, (guint8 *) buf, len, TRUE, FALSE);
}

gsize
il_fd_read_available (int         fd,
                      GByteArray *buf,
                      gsize       chunk,
                      gboolean   *eof)
{
  gsize total = 0;

  g_return_val_if_fail (chunk > 0 && chunk <= G_MAXUINT - buf->len, 0);

  *eof = FALSE;
  for (;;)
    {
      guint   old = buf->len;
      ssize_t n;

      g_byte_array_set_size (buf, old + (guint) chunk);
      n = read (fd, buf->data + old, chunk);
      g_byte_array_set_size (buf, old + (guint) MAX (n, 0));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n <= 0)
        {
          if (n == 0)
            errno = 0;
          *eof = TRUE;
          break;
        }
      total += (gsize) n;
      if ((gsize) n < chunk)
        break;
    }
  return total;
}

void
il_fd_close (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}
