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

static gboolean
http_sync (IlIoEnv       *env,
           const IlBlock *block,
           GCancellable  *cancellable,
           gint64        *ttfb_us,
           char         **error)
{
  g_autofree char *url = il_io_block_url (env, block, error);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buf = NULL;
  gint64             count = 0;

  if (url == NULL)
    return FALSE;
  msg = il_io_http_message_new (url);
  if (msg == NULL)
    {
      *error = g_strdup_printf (_("not a valid URL: %s"), url);
      return FALSE;
    }

  in = soup_session_send (il_io_get_session (FALSE, il_io_url_is_loopback (block->url)), msg, cancellable, &local_error);
  if (in == NULL)
    {
      *error = il_io_http_error_message (url, local_error);
      return FALSE;
    }
  /* The status line and headers are in: that is the first byte. */
  *ttfb_us = il_now_us ();
  if (soup_message_get_status (msg) >= 300)
    {
      *error = il_io_http_status_message (url, msg);
      g_input_stream_close (in, NULL, NULL);
      return FALSE;
    }

  buf = g_malloc (IL_IO_READ_BUF_BYTES);
  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, IL_IO_READ_BUF_BYTES, cancellable, &local_error);

      if (n < 0)
        {
          *error = il_io_http_error_message (url, local_error);
          return FALSE;
        }
      if (n == 0)
        break;
      count += n;
    }
  g_input_stream_close (in, NULL, NULL);

  if (block->url == NULL && count != block->bytes)
    {
      *error = il_io_byte_count_message (count, block->bytes);
      return FALSE;
    }
  return TRUE;
}

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
        return http_sync (env, block, cancellable, ttfb_us, error);
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
