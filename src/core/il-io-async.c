/* il-io-async.c — http, file-write and file-read blocks on the
 * thread-default GMainContext: the async executor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <gio/gfiledescriptorbased.h>
#include <glib/gi18n.h>

#include "il-io-private.h"
#include "il-run-private.h"
#include "il-schedstat.h"

/* ---------------------------------------------------------------- */
/* Asynchronous blocks                                               */

/* One block in flight on the loop. The loop thread's own CPU time in this
 * block's callbacks is summed, so that the rest of the block's wall time
 * shows as the loop waiting while the socket or GIO's worker threads did
 * the work. */
typedef struct
{
  IlIoEnv       *env;
  IlBlockType    type;
  gint64         bytes;
  gboolean       fsync;
  gboolean       embedded;
  guint          task_flat;
  char          *url;
  char          *path;
  gint64         start_us;
  gint64         end_us;
  gint64         ttfb_us;
  gint64         loop_cpu_ns;
  gint64         count;
  SoupMessage   *msg;
  GInputStream  *in;
  GOutputStream *out;
  guint8        *buf;
  guint8        *expect;
} AsyncOp;

static void
async_op_free (gpointer data)
{
  AsyncOp *op = data;

  g_free (op->url);
  g_free (op->path);
  g_clear_object (&op->msg);
  g_clear_object (&op->in);
  g_clear_object (&op->out);
  g_free (op->buf);
  g_free (op->expect);
  g_free (op);
}

/* Bracket each callback: the loop thread's CPU spent on this block. The
 * extra reference keeps @op alive when a return in between finishes the
 * task at once. */
#define OP_ENTER(op)                                \
  g_autoptr(GTask) op_hold_ = g_object_ref (task); \
  gint64 op_cpu0_ = il_thread_cpu_ns ()
#define OP_LEAVE(op) ((op)->loop_cpu_ns += il_thread_cpu_ns () - op_cpu0_)

static void
op_return_error (GTask *task,
                 char  *message)
{
  AsyncOp *op = g_task_get_task_data (task);

  op->end_us = il_now_us ();
  g_task_return_new_error (task, IL_ERROR, IL_ERROR_TASK_FAILED, "%s", message);
  g_free (message);
  g_object_unref (task);
}

static void
op_return_gerror (GTask  *task,
                  GError *error)
{
  AsyncOp *op = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      op->end_us = il_now_us ();
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  op_return_error (task, op->url != NULL ? il_io_http_error_message (op->url, error)
                                         : g_strdup_printf ("%s: %s", op->path, error->message));
  g_error_free (error);
}

static void
op_return_ok (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  op->end_us = il_now_us ();
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Streams closed once their block is over, without waiting for the close:
 * its callback comes back on this thread's loop, which must run it before
 * it goes away (il_io_async_closes_pending), or the pending callback keeps
 * the loop's context, the stream and its connection alive for good. Only
 * the loop thread touches its count. */
static __thread guint closes_pending;

static void
close_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_input_stream_close_finish (G_INPUT_STREAM (source), result, NULL);
  g_assert (closes_pending > 0);
  closes_pending--;
}

static void
close_in_background (GInputStream *in,
                     GCancellable *cancellable)
{
  closes_pending++;
  g_input_stream_close_async (in, G_PRIORITY_DEFAULT, cancellable, close_done_cb, NULL);
}

guint
il_io_async_closes_pending (void)
{
  return closes_pending;
}

/* http */

static void http_read_cb (GObject *source, GAsyncResult *result, gpointer data);

static void
http_read_next (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  g_input_stream_read_async (op->in, op->buf, IL_IO_READ_BUF_BYTES, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), http_read_cb, task);
}

static void
http_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  gssize   n;
  OP_ENTER (op);

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      OP_LEAVE (op);
      op_return_gerror (task, error);
      return;
    }
  if (n > 0)
    {
      op->count += n;
      http_read_next (task);
      OP_LEAVE (op);
      return;
    }
  /* The end: the connection goes back to the pool without waiting. */
  close_in_background (op->in, g_task_get_cancellable (task));
  OP_LEAVE (op);
  if (op->embedded && op->count != op->bytes)
    op_return_error (task, il_io_byte_count_message (op->count, op->bytes));
  else
    op_return_ok (task);
}

static void
http_send_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  OP_ENTER (op);

  op->in = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (op->in == NULL)
    {
      OP_LEAVE (op);
      op_return_gerror (task, error);
      return;
    }
  op->ttfb_us = il_now_us ();
  if (soup_message_get_status (op->msg) >= 300)
    {
      close_in_background (op->in, g_task_get_cancellable (task));
      OP_LEAVE (op);
      op_return_error (task, il_io_http_status_message (op->url, op->msg));
      return;
    }
  op->buf = g_malloc (IL_IO_READ_BUF_BYTES);
  http_read_next (task);
  OP_LEAVE (op);
}

static void
http_start (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  op->msg = il_io_http_message_new (op->url);
  if (op->msg == NULL)
    {
      op_return_error (task, g_strdup_printf (_("not a valid URL: %s"), op->url));
      return;
    }
  soup_session_send_async (il_io_get_session (TRUE, il_io_url_is_loopback (op->url)), op->msg, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), http_send_cb, task);
}

/* file-write */

static void file_write_cb (GObject *source, GAsyncResult *result, gpointer data);

static void
file_close_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GTask  *task = data;
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    op_return_gerror (task, error);
  else
    op_return_ok (task);
}

static void
file_close (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  g_output_stream_close_async (op->out, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                               file_close_cb, task);
}

/* GIO has no asynchronous fsync: it runs on GIO's worker threads like the
 * rest of GIO's local file I/O. */
static void
fsync_thread (GTask        *sub,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  int fd = GPOINTER_TO_INT (data);

  if (fsync (fd) != 0)
    {
      int saved = errno;

      g_task_return_new_error (sub, G_IO_ERROR, g_io_error_from_errno (saved),
                               "fsync: %s", g_strerror (saved));
      return;
    }
  g_task_return_boolean (sub, TRUE);
}

static void
fsync_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  GTask  *task = data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    op_return_gerror (task, error);
  else
    file_close (task);
}

static void
file_write_next (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);
  gsize    len;

  if (op->count >= op->bytes)
    {
      if (op->fsync && G_IS_FILE_DESCRIPTOR_BASED (op->out))
        {
          g_autoptr(GTask) sub = g_task_new (NULL, g_task_get_cancellable (task), fsync_cb, task);

          g_task_set_task_data (sub, GINT_TO_POINTER (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (op->out))), NULL);
          g_task_run_in_thread (sub, fsync_thread);
        }
      else
        file_close (task);
      return;
    }
  len = (gsize) MIN (IL_IO_CHUNK_BYTES, op->bytes - op->count);
  il_io_fill_content (op->task_flat, (guint64) op->count, op->buf, len);
  g_output_stream_write_all_async (op->out, op->buf, len, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), file_write_cb, task);
}

static void
file_write_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  gsize    written = 0;
  OP_ENTER (op);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      OP_LEAVE (op);
      op_return_gerror (task, error);
      return;
    }
  op->count += (gint64) written;
  file_write_next (task);
  OP_LEAVE (op);
}

static void
file_replace_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  OP_ENTER (op);

  op->out = (GOutputStream *) g_file_replace_finish (G_FILE (source), result, &error);
  if (op->out == NULL)
    {
      OP_LEAVE (op);
      op_return_gerror (task, error);
      return;
    }
  op->buf = g_malloc (IL_IO_CHUNK_BYTES);
  file_write_next (task);
  OP_LEAVE (op);
}

/* file-read */

static void file_read_cb (GObject *source, GAsyncResult *result, gpointer data);

static void
file_read_next (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);
  gsize    len;

  if (op->count >= op->bytes)
    {
      close_in_background (op->in, g_task_get_cancellable (task));
      op_return_ok (task);
      return;
    }
  len = (gsize) MIN (IL_IO_CHUNK_BYTES, op->bytes - op->count);
  g_input_stream_read_all_async (op->in, op->buf, len, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task), file_read_cb, task);
}

static void
file_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  gsize    n = 0;
  gsize    len = (gsize) MIN (IL_IO_CHUNK_BYTES, op->bytes - op->count);
  gint64   at;
  OP_ENTER (op);

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error))
    {
      OP_LEAVE (op);
      op_return_gerror (task, error);
      return;
    }
  if (n < len)
    {
      OP_LEAVE (op);
      op_return_error (task, il_io_short_file_message (op->path, op->count + (gint64) n, op->bytes));
      return;
    }
  il_io_fill_content (op->task_flat, (guint64) op->count, op->expect, len);
  at = il_io_first_difference (op->buf, op->expect, len);
  if (at >= 0)
    {
      OP_LEAVE (op);
      op_return_error (task, il_io_mismatch_message (op->path, op->count + at));
      return;
    }
  op->count += (gint64) n;
  file_read_next (task);
  OP_LEAVE (op);
}

static void
file_open_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  OP_ENTER (op);

  op->in = (GInputStream *) g_file_read_finish (G_FILE (source), result, &error);
  if (op->in == NULL)
    {
      OP_LEAVE (op);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_error_free (error);
          op_return_error (task, il_io_no_file_message (op->path));
        }
      else
        op_return_gerror (task, error);
      return;
    }
  op->buf = g_malloc (IL_IO_CHUNK_BYTES);
  op->expect = g_malloc (IL_IO_CHUNK_BYTES);
  file_read_next (task);
  OP_LEAVE (op);
}

void
il_io_run_block_async (IlIoEnv            *env,
                       const IlBlock      *block,
                       guint               task_flat,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  GTask   *task;
  AsyncOp *op;
  char    *error = NULL;

  g_return_if_fail (block != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, il_io_run_block_async);
  g_task_set_name (task, "[interleave] I/O block");
  op = g_new0 (AsyncOp, 1);
  op->env = env;
  op->type = block->type;
  op->bytes = block->bytes;
  op->fsync = block->fsync;
  op->embedded = block->url == NULL;
  op->task_flat = task_flat;
  op->ttfb_us = -1;
  op->start_us = il_now_us ();
  g_task_set_task_data (task, op, async_op_free);

  OP_ENTER (op);
  switch (block->type)
    {
      case IL_BLOCK_HTTP:
        op->url = il_io_block_url (env, block, &error);
        if (op->url == NULL)
          op_return_error (task, error);
        else
          http_start (task);
        break;

      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        op->path = il_io_task_file_path (env, task_flat, &error);
        if (op->path == NULL)
          op_return_error (task, error);
        else
          {
            g_autoptr(GFile) file = g_file_new_for_path (op->path);

            if (block->type == IL_BLOCK_FILE_WRITE)
              g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                                    cancellable, file_replace_cb, task);
            else
              g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, file_open_cb, task);
          }
        break;

      case IL_BLOCK_CPU:
      case IL_BLOCK_SLEEP:
      case IL_N_BLOCK_TYPES:
      default:
        op_return_error (task, g_strdup_printf (_("%s is not an I/O block"),
                                                   il_block_type_to_string (block->type)));
        break;
    }
  OP_LEAVE (op);
}

gboolean
il_io_run_block_finish (IlIoEnv      *env,
                        GAsyncResult *result,
                        gint64       *ttfb_us,
                        char        **error)
{
  AsyncOp *op;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == il_io_run_block_async, FALSE);

  op = g_task_get_task_data (G_TASK (result));
  if (ttfb_us != NULL)
    *ttfb_us = op->ttfb_us;
  if (!g_task_propagate_boolean (G_TASK (result), &local_error))
    {
      if (error != NULL)
        *error = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          ? g_strdup (_("cancelled"))
          : g_strdup (local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
il_io_async_result_get_state (GAsyncResult *result,
                              IlStateTimes *state)
{
  AsyncOp *op;
  gint64   wall, running;

  g_return_if_fail (g_task_is_valid (result, NULL));
  g_return_if_fail (state != NULL);

  op = g_task_get_task_data (G_TASK (result));
  wall = MAX (op->end_us - op->start_us, 0);
  running = CLAMP (op->loop_cpu_ns / 1000, 0, wall);
  state->valid = TRUE;
  state->running = running;
  state->ready = 0;
  state->blocked = wall - running;
  state->gil_wait = 0;
}
