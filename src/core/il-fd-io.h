/* il-fd-io.h — whole reads and writes on file descriptors, in one place
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * read(2) and write(2) may move fewer bytes than asked (a pipe that is
 * full, a signal in the middle) or fail with EINTR or, on a non-blocking
 * descriptor, EAGAIN. Every caller that wants "all of it" or "all there
 * is now" goes through these, so that each of those cases is handled the
 * same way everywhere: the worker's frames, the processes executor's
 * pipes, the file blocks' data.
 *
 * They report failure through errno, like the calls they wrap: the callers
 * decide what a failure means (a worker whose parent is gone leaves
 * quietly, an executor fails one task).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes all @len bytes of @buf to @fd. Retries after EINTR and short
 * writes; on a non-blocking @fd, waits (poll) where it would block. TRUE
 * when everything was written; FALSE with errno set otherwise (EPIPE: the
 * reading end is closed). */
gboolean il_fd_write_all (int         fd,
                          const void *buf,
                          gsize       len);

/* Reads into @buf until @len bytes have arrived or the input ends.
 * Retries after EINTR and short reads; on a non-blocking @fd, waits (poll)
 * where it would block. Returns the number of bytes read, less than @len
 * only at end of input; -1 with errno set on an error. */
gssize il_fd_read_all (int   fd,
                       void *buf,
                       gsize len);

/* For non-blocking descriptors: writes as much of @buf as @fd takes now,
 * without waiting. Retries after EINTR and short writes. Returns the
 * number of bytes written (0: the descriptor is full), or -1 with errno
 * set on an error. */
gssize il_fd_write_available (int         fd,
                              const void *buf,
                              gsize       len);

/* For non-blocking descriptors: appends to @buf what @fd holds now,
 * reading at most @chunk bytes at a time, until it would block or a read
 * comes back short (the rest, if any, is for the next poll). Retries after
 * EINTR. Returns the number of bytes appended. *@eof is set when the input
 * ended or a read failed (errno tells which: 0 at end of input). */
gsize il_fd_read_available (int         fd,
                            GByteArray *buf,
                            gsize       chunk,
                            gboolean   *eof);

/* Closes *@fd if it is open (>= 0) and sets it to -1: a descriptor is
 * closed once, however often this is called. */
void il_fd_close (int *fd);

G_END_DECLS
