/* il-io-sync.c — http, file-write and file-read blocks run in the calling
 * thread: the sequential and threads executors, and worker processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-fd-io.h"
#include "il-io-private.h"
#include "il-run-private.h"

/* ---------------------------------------------------------------- */
/* Synchronous blocks                                                */

IlIoHttpSyncFunc il_io_http_sync;

static gboolean
file_write_sync (IlIoEnv       *env,
                 const IlBlock *block,
                 guint          task_flat,
                 GCancellable  *cancellable,
                 char         **error)
{
  g_autofree char   *path = il_io_task_file_path (env, task_flat, error);
  g_autofree guint8 *buf = NULL;
  int                fd;
  int                saved;

  if (path == NULL)
    return FALSE;
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved = errno;
      *error = g_strdup_printf (_("could not create %s: %s"), path, g_strerror (saved));
      return FALSE;
    }

  buf = g_malloc (IL_IO_CHUNK_BYTES);
  for (gint64 offset = 0; offset < block->bytes; offset += IL_IO_CHUNK_BYTES)
    {
      gsize len = (gsize) MIN (IL_IO_CHUNK_BYTES, block->bytes - offset);

      if (g_cancellable_is_cancelled (cancellable))
        {
          *error = g_strdup (_("cancelled"));
          g_close (fd, NULL);
          return FALSE;
        }
      il_io_fill_content (task_flat, (guint64) offset, buf, len);
      if (!il_fd_write_all (fd, buf, len))
        {
          saved = errno;
          *error = g_strdup_printf (_("could not write %s: %s"), path, g_strerror (saved));
          g_close (fd, NULL);
          return FALSE;
        }
    }
  if (block->fsync && fsync (fd) != 0)
    {
      saved = errno;
      *error = g_strdup_printf (_("could not fsync %s: %s"), path, g_strerror (saved));
      g_close (fd, NULL);
      return FALSE;
    }
  if (!g_close (fd, NULL))
    {
      *error = g_strdup_printf (_("could not write %s"), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_read_sync (IlIoEnv       *env,
                const IlBlock *block,
                guint          task_flat,
                GCancellable  *cancellable,
                char         **error)
{
  g_autofree char   *path = il_io_task_file_path (env, task_flat, error);
  g_autofree guint8 *buf = NULL;
  g_autofree guint8 *expect = NULL;
  gboolean           ok = TRUE;
  int                fd;
  int                saved;

  if (path == NULL)
    return FALSE;
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      saved = errno;
      if (saved == ENOENT)
        *error = il_io_no_file_message (path);
      else
        *error = g_strdup_printf (_("could not open %s: %s"), path, g_strerror (saved));
      return FALSE;
    }

  buf = g_malloc (IL_IO_CHUNK_BYTES);
  expect = g_malloc (IL_IO_CHUNK_BYTES);
  for (gint64 offset = 0; ok && offset < block->bytes; offset += IL_IO_CHUNK_BYTES)
    {
      gsize  len = (gsize) MIN (IL_IO_CHUNK_BYTES, block->bytes - offset);
      gssize n;
      gint64 at;

      if (g_cancellable_is_cancelled (cancellable))
        {
          *error = g_strdup (_("cancelled"));
          ok = FALSE;
          break;
        }
      n = il_fd_read_all (fd, buf, len);
      if (n < 0)
        {
          saved = errno;
          *error = g_strdup_printf (_("could not read %s: %s"), path, g_strerror (saved));
          ok = FALSE;
        }
      else if ((gsize) n < len)
        {
          *error = il_io_short_file_message (path, offset + n, block->bytes);
          ok = FALSE;
        }
      else
        {
          il_io_fill_content (task_flat, (guint64) offset, expect, len);
          at = il_io_first_difference (buf, expect, len);
          if (at >= 0)
            {
              *error = il_io_mismatch_message (path, offset + at);
              ok = FALSE;
            }
        }
    }
  g_close (fd, NULL);
  return ok;
}

gboolean
il_io_run_block (IlIoEnv       *env,
                 const IlBlock *block,
                 guint          task_flat,
                 GCancellable  *cancellable,
                 gint64        *ttfb_us,
                 char         **error)
{
  gint64 ttfb_dummy;

  g_return_val_if_fail (block != NULL, FALSE);
  g_return_val_if_fail (error != NULL && *error == NULL, FALSE);

  if (ttfb_us == NULL)
    ttfb_us = &ttfb_dummy;
  *ttfb_us = -1;

  switch (block->type)
    {
      case IL_BLOCK_HTTP:
        if (il_io_http_sync == NULL)
          {
            /* interleave-worker without the HTTP stack: the processes
             * executor runs experiments with HTTP blocks on
             * interleave-worker-http. */
            *error = g_strdup (_("this process cannot run HTTP blocks (it was started without the HTTP stack)"));
            return FALSE;
          }
        return il_io_http_sync (env, block, cancellable, ttfb_us, error);
      case IL_BLOCK_FILE_WRITE:
        return file_write_sync (env, block, task_flat, cancellable, error);
      case IL_BLOCK_FILE_READ:
        return file_read_sync (env, block, task_flat, cancellable, error);
      case IL_BLOCK_CPU:
      case IL_BLOCK_SLEEP:
      case IL_BLOCK_COUNTER:
      case IL_BLOCK_YIELD:
      case IL_N_BLOCK_TYPES:
      default:
        *error = g_strdup_printf (_("%s is not an I/O block"), il_block_type_to_string (block->type));
        return FALSE;
    }
}
