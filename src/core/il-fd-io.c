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

gboolean
il_fd_write_all (int         fd,
                 const void *buf,
                 gsize       len)
{
  const guint8 *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (!wait_for (fd, POLLOUT))
            return FALSE;
          continue;
        }
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          /* Never for a pipe, socket or file; not worth looping on. */
          errno = EIO;
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gssize
il_fd_read_all (int   fd,
                void *buf,
                gsize len)
{
  guint8 *p = buf;
  gsize   done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, p + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (!wait_for (fd, POLLIN))
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

gssize
il_fd_write_available (int         fd,
                       const void *buf,
                       gsize       len)
{
  const guint8 *p = buf;
  gsize         done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, p + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
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
