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

/* What a step's finish function decided. */
typedef enum
{
  OP_NEXT,   /* start the block's next operation */
  OP_DONE,   /* the block succeeded */
  OP_FAILED, /* the block failed: a GError from GIO or libsoup, or a message */
} OpStep;

typedef struct _AsyncOp AsyncOp;

/* Finishes the operation that just completed. */
typedef OpStep (*OpFinishFunc) (AsyncOp      *op,
                                GObject      *source,
                                GAsyncResult *result,
                                GError      **error,
                                char        **message);

/* One block in flight on the loop. The loop thread's own CPU time in this
 * block's callbacks is summed, so that the rest of the block's wall time
 * shows as the loop waiting while the socket or GIO's worker threads did
 * the work. */
struct _AsyncOp
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
  GCancellable  *cancellable; /* the task's */
  OpFinishFunc   finish;      /* of the operation in flight */
};

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

/* ---------------------------------------------------------------- */
/* One step of a block                                               */

static void op_next (GTask *task);

/* The callback of every operation a block starts on the loop: finishes it
 * with op->finish, then starts the next operation (op_next), or ends or
 * fails the block. The loop thread's CPU time in it counts as the block's,
 * up to the return that ends the block. */
static void
op_step_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask   *task = data;
  AsyncOp *op = g_task_get_task_data (task);
  GError  *error = NULL;
  char    *message = NULL;
  OpStep   step;
  OP_ENTER (op);

  step = op->finish (op, source, result, &error, &message);
  if (step == OP_NEXT)
    op_next (task);
  OP_LEAVE (op);
  if (step == OP_DONE)
    op_return_ok (task);
  else if (step == OP_FAILED && error != NULL)
    op_return_gerror (task, error);
  else if (step == OP_FAILED)
    op_return_error (task, message);
}

/* http */

static OpStep
http_read_finish (AsyncOp      *op,
                  GObject      *source,
                  GAsyncResult *result,
                  GError      **error,
                  char        **message)
{
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, error);

  if (n < 0)
    return OP_FAILED;
  if (n > 0)
    {
      op->count += n;
      return OP_NEXT;
    }
  /* The end: the connection goes back to the pool without waiting. */
  close_in_background (op->in, op->cancellable);
  if (op->embedded && op->count != op->bytes)
    {
      *message = il_io_byte_count_message (op->count, op->bytes);
      return OP_FAILED;
    }
  return OP_DONE;
}

static OpStep
http_send_finish (AsyncOp      *op,
                  GObject      *source,
                  GAsyncResult *result,
                  GError      **error,
                  char        **message)
{
  op->in = soup_session_send_finish (SOUP_SESSION (source), result, error);
  if (op->in == NULL)
    return OP_FAILED;
  op->ttfb_us = il_now_us ();
  if (soup_message_get_status (op->msg) >= 300)
    {
      close_in_background (op->in, op->cancellable);
      *message = il_io_http_status_message (op->url, op->msg);
      return OP_FAILED;
    }
  op->buf = g_malloc (IL_IO_READ_BUF_BYTES);
  return OP_NEXT;
}

static void
http_read_next (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  op->finish = http_read_finish;
  g_input_stream_read_async (op->in, op->buf, IL_IO_READ_BUF_BYTES, G_PRIORITY_DEFAULT,
                             op->cancellable, op_step_cb, task);
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
  op->finish = http_send_finish;
  soup_session_send_async (il_io_get_session (TRUE, il_io_url_is_loopback (op->url)), op->msg,
                           G_PRIORITY_DEFAULT, op->cancellable, op_step_cb, task);
}

/* file-write and file-read */

static OpStep
file_open_finish (AsyncOp      *op,
                  GObject      *source,
                  GAsyncResult *result,
                  GError      **error,
                  char        **message)
{
  if (op->type == IL_BLOCK_FILE_WRITE)
    op->out = (GOutputStream *) g_file_replace_finish (G_FILE (source), result, error);
  else
    op->in = (GInputStream *) g_file_read_finish (G_FILE (source), result, error);
  if (op->out == NULL && op->in == NULL)
    {
      if (op->type == IL_BLOCK_FILE_READ && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_clear_error (error);
          *message = il_io_no_file_message (op->path);
        }
      return OP_FAILED;
    }
  op->buf = g_malloc (IL_IO_CHUNK_BYTES);
  if (op->type == IL_BLOCK_FILE_READ)
    op->expect = g_malloc (IL_IO_CHUNK_BYTES);
  return OP_NEXT;
}

/* A chunk written, or read and checked against what was written. */
static OpStep
file_chunk_finish (AsyncOp      *op,
                   GObject      *source,
                   GAsyncResult *result,
                   GError      **error,
                   char        **message)
{
  gsize  len = (gsize) MIN (IL_IO_CHUNK_BYTES, op->bytes - op->count);
  gsize  n = 0;
  gint64 at;

  if (op->type == IL_BLOCK_FILE_WRITE)
    {
      if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &n, error))
        return OP_FAILED;
      op->count += (gint64) n;
      return OP_NEXT;
    }
  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, error))
    return OP_FAILED;
  if (n < len)
    {
      *message = il_io_short_file_message (op->path, op->count + (gint64) n, op->bytes);
      return OP_FAILED;
    }
  il_io_fill_content (op->task_flat, (guint64) op->count, op->expect, len);
  at = il_io_first_difference (op->buf, op->expect, len);
  if (at >= 0)
    {
      *message = il_io_mismatch_message (op->path, op->count + at);
      return OP_FAILED;
    }
  op->count += (gint64) n;
  return OP_NEXT;
}

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

  g_output_stream_close_async (op->out, G_PRIORITY_DEFAULT, op->cancellable, file_close_cb, task);
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
          g_autoptr(GTask) sub = g_task_new (NULL, op->cancellable, fsync_cb, task);

          g_task_set_task_data (sub, GINT_TO_POINTER (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (op->out))), NULL);
          g_task_run_in_thread (sub, fsync_thread);
        }
      else
        file_close (task);
      return;
    }
  len = (gsize) MIN (IL_IO_CHUNK_BYTES, op->bytes - op->count);
  il_io_fill_content (op->task_flat, (guint64) op->count, op->buf, len);
  op->finish = file_chunk_finish;
  g_output_stream_write_all_async (op->out, op->buf, len, G_PRIORITY_DEFAULT, op->cancellable,
                                   op_step_cb, task);
}

static void
file_read_next (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);
  gsize    len;

  if (op->count >= op->bytes)
    {
      close_in_background (op->in, op->cancellable);
      op_return_ok (task);
      return;
    }
  len = (gsize) MIN (IL_IO_CHUNK_BYTES, op->bytes - op->count);
  op->finish = file_chunk_finish;
  g_input_stream_read_all_async (op->in, op->buf, len, G_PRIORITY_DEFAULT, op->cancellable,
                                 op_step_cb, task);
}

static void
file_start (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);
  g_autoptr(GFile) file = g_file_new_for_path (op->path);

  op->finish = file_open_finish;
  if (op->type == IL_BLOCK_FILE_WRITE)
    g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, G_PRIORITY_DEFAULT,
                          op->cancellable, op_step_cb, task);
  else
    g_file_read_async (file, G_PRIORITY_DEFAULT, op->cancellable, op_step_cb, task);
}

static void
op_next (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  if (op->type == IL_BLOCK_HTTP)
    http_read_next (task);
  else if (op->type == IL_BLOCK_FILE_WRITE)
    file_write_next (task);
  else
    file_read_next (task);
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
  op->cancellable = cancellable;
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
          file_start (task);
        break;

      case IL_BLOCK_CPU:
      case IL_BLOCK_SLEEP:
      case IL_BLOCK_COUNTER:
      case IL_BLOCK_YIELD:
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
