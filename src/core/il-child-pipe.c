/* il-child-pipe.c — one child process on three pipes, driven by poll()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See il-child-pipe.h: the cpython engine's interpreter and the mpi
 * executor's mpirun, fed and watched the same way.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-child-pipe.h"
#include "il-fd-io.h"

#define READ_CHUNK (256 * 1024)
/* How often il_child_pipe_wait_ready looks at its deadline, in ms. */
#define READY_POLL_MS 100

void
il_child_pipe_init (IlChildPipe *cp,
                    gsize        err_keep)
{
  memset (cp, 0, sizeof *cp);
  cp->to_fd = cp->from_fd = cp->err_fd = -1;
  cp->in = g_byte_array_new ();
  cp->out = g_byte_array_new ();
  cp->err = g_string_new (NULL);
  cp->err_keep = err_keep;
}

void
il_child_pipe_clear (IlChildPipe *cp)
{
  g_assert (cp->pid == 0);
  il_fd_close (&cp->to_fd);
  il_fd_close (&cp->from_fd);
  il_fd_close (&cp->err_fd);
  g_clear_pointer (&cp->in, g_byte_array_unref);
  g_clear_pointer (&cp->out, g_byte_array_unref);
  if (cp->err != NULL)
    g_string_free (g_steal_pointer (&cp->err), TRUE);
}

void
il_child_pipe_take (IlChildPipe          *cp,
                    const IlChildProcess *child)
{
  cp->pid = child->pid;
  cp->to_fd = child->to_child;
  cp->from_fd = child->from_child;
  cp->err_fd = child->from_stderr;
}

gboolean
il_child_pipe_flush (IlChildPipe *cp)
{
  if (cp->to_fd >= 0 && cp->out_off < cp->out->len)
    {
      gssize n = il_fd_write_available (cp->to_fd, cp->out->data + cp->out_off, cp->out->len - cp->out_off);

      if (n < 0)
        {
          if (errno == EPIPE)
            il_child_consume_sigpipe ();
          il_fd_close (&cp->to_fd);
          return FALSE;
        }
      cp->out_off += (gsize) n;
      if (cp->out_off < cp->out->len)
        return TRUE; /* the pipe is full: the rest at the next POLLOUT */
    }
  g_byte_array_set_size (cp->out, 0);
  cp->out_off = 0;
  return TRUE;
}

gboolean
il_child_pipe_read_stderr (IlChildPipe *cp)
{
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (cp->err_fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      if (n <= 0)
        {
          il_fd_close (&cp->err_fd);
          return FALSE;
        }
      g_string_append_len (cp->err, buf, n);
      if (cp->err->len > cp->err_keep)
        g_string_erase (cp->err, 0, (gssize) (cp->err->len - cp->err_keep));
    }
}

char *
il_child_pipe_stderr_last_line (const IlChildPipe *cp,
                                gsize              max)
{
  g_auto (GStrv) lines = g_strsplit (cp->err->str, "\n", -1);

  for (guint n = g_strv_length (lines); n > 0; n--)
    {
      char *line = g_strstrip (lines[n - 1]);

      if (line[0] != '\0')
        return g_utf8_make_valid (line, MIN (strlen (line), max));
    }
  return NULL;
}

gboolean
il_child_pipe_read (IlChildPipe            *cp,
                    const IlChildPipeFuncs *funcs,
                    gpointer                user_data,
                    GError                **error)
{
  gboolean eof = FALSE;
  gsize    pos = 0;

  if (il_fd_read_available (cp->from_fd, cp->in, READ_CHUNK, &eof) > 0)
    cp->last_heard = il_now_us ();

  while (cp->in->len - pos >= IL_PROTOCOL_HEADER_SIZE)
    {
      g_autoptr(GError) local = NULL;
      IlFrameType   type;
      guint64       len;
      const guint8 *body;

      if (!il_protocol_parse_header (cp->in->data + pos, &type, &len, error))
        return FALSE;
      if (cp->in->len - pos - IL_PROTOCOL_HEADER_SIZE < len)
        break;
      body = cp->in->data + pos + IL_PROTOCOL_HEADER_SIZE;
      switch (type)
        {
          case IL_FRAME_READY:
            {
              IlProtoHello ready;

              if (il_protocol_read_hello (body, len, &ready, &local))
                {
                  il_proto_hello_clear (&ready);
                  cp->ready = TRUE;
                }
            }
            break;
          case IL_FRAME_HEARTBEAT:
            break; /* being heard from is all it says */
          default:
            if (!funcs->frame (user_data, type, body, len, &local) && local == NULL)
              g_set_error (&local, IL_ERROR, IL_ERROR_WORKER,
                           _("protocol error: unexpected %s frame"), il_frame_type_to_string (type));
            break;
        }
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      pos += IL_PROTOCOL_HEADER_SIZE + len;
    }
  if (pos > 0)
    g_byte_array_remove_range (cp->in, 0, (guint) pos);
  if (eof)
    il_fd_close (&cp->from_fd);
  return !eof;
}

gboolean
il_child_pipe_wait_ready (IlChildPipe            *cp,
                          GCancellable           *cancellable,
                          gint64                  timeout_us,
                          const IlChildPipeFuncs *funcs,
                          gpointer                user_data,
                          GError                **lost)
{
  GPollFD  cancel_fd = { -1, 0, 0 };
  gboolean have_cancel_fd = FALSE;
  gint64   deadline = il_now_us () + timeout_us;
  g_autoptr(GError) garbage = NULL;

  if (cancellable != NULL)
    have_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);
  while (!cp->ready && garbage == NULL && cp->from_fd >= 0 && il_now_us () < deadline &&
         !g_cancellable_is_cancelled (cancellable))
    {
      struct pollfd fds[4];
      nfds_t        n = 0;

      if (il_child_pipe_pending (cp))
        il_child_pipe_flush (cp);
      fds[n++] = (struct pollfd){ cp->from_fd, POLLIN, 0 };
      fds[n++] = (struct pollfd){ cp->err_fd, cp->err_fd >= 0 ? POLLIN : 0, 0 };
      fds[n++] = (struct pollfd){ cp->to_fd, cp->to_fd >= 0 && il_child_pipe_pending (cp) ? POLLOUT : 0, 0 };
      if (have_cancel_fd)
        fds[n++] = (struct pollfd){ cancel_fd.fd, POLLIN, 0 };
      if (poll (fds, n, READY_POLL_MS) < 0 && errno != EINTR)
        break;
      if (fds[1].revents != 0 && cp->err_fd >= 0)
        il_child_pipe_read_stderr (cp);
      if (fds[2].revents != 0)
        il_child_pipe_flush (cp);
      if (fds[0].revents != 0)
        il_child_pipe_read (cp, funcs, user_data, &garbage);
    }
  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  if (garbage != NULL)
    g_propagate_error (lost, g_steal_pointer (&garbage));
  return cp->ready;
}

void
il_child_pipe_run (IlChildPipe            *cp,
                   GCancellable           *cancellable,
                   const IlChildPipeFuncs *funcs,
                   gpointer                user_data,
                   gboolean               *silent,
                   GError                **lost)
{
  GPollFD  cancel_fd = { -1, 0, 0 };
  gboolean have_cancel_fd = FALSE;

  *silent = FALSE;
  if (cancellable != NULL)
    have_cancel_fd = g_cancellable_make_pollfd (cancellable, &cancel_fd);

  /* Heard from when the run starts: it was READY, and heartbeats it sent
   * while the clock was not running yet are still in the pipe. */
  cp->last_heard = il_now_us ();
  while (!funcs->done (user_data) && !g_cancellable_is_cancelled (cancellable))
    {
      struct pollfd fds[4];
      nfds_t        n = 0;
      gint          at_r, at_w = -1, at_e = -1;
      gint64        left;
      gint          timeout;

      funcs->dispatch (user_data);
      if (il_child_pipe_pending (cp))
        il_child_pipe_flush (cp);
      if (cp->from_fd < 0)
        break;

      fds[n] = (struct pollfd){ cp->from_fd, POLLIN, 0 };
      at_r = (gint) n++;
      if (cp->err_fd >= 0)
        {
          fds[n] = (struct pollfd){ cp->err_fd, POLLIN, 0 };
          at_e = (gint) n++;
        }
      if (cp->to_fd >= 0 && il_child_pipe_pending (cp))
        {
          fds[n] = (struct pollfd){ cp->to_fd, POLLOUT, 0 };
          at_w = (gint) n++;
        }
      if (have_cancel_fd)
        fds[n++] = (struct pollfd){ cancel_fd.fd, POLLIN, 0 };

      /* Wake when it would have been silent too long. */
      left = cp->last_heard + cp->silence_us - il_now_us ();
      timeout = left <= 0 ? 0 : (gint) MIN ((left + 999) / 1000, G_MAXINT);
      if (poll (fds, n, timeout) < 0 && errno != EINTR)
        {
          g_set_error (lost, IL_ERROR, IL_ERROR_SYSTEM, "poll: %s", g_strerror (errno));
          break;
        }
      if (at_e >= 0 && fds[at_e].revents != 0)
        il_child_pipe_read_stderr (cp);
      if (at_w >= 0 && fds[at_w].revents != 0)
        il_child_pipe_flush (cp);
      if (fds[at_r].revents != 0 && !il_child_pipe_read (cp, funcs, user_data, lost))
        break;
      if (il_now_us () - cp->last_heard >= cp->silence_us)
        {
          /* A last look: what it sent while this thread was not looking
           * (this process stopped, say) counts. */
          if (!il_child_pipe_read (cp, funcs, user_data, lost))
            break;
          if (il_now_us () - cp->last_heard >= cp->silence_us)
            {
              *silent = TRUE;
              break;
            }
        }
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
}

char *
il_child_pipe_reap (IlChildPipe       *cp,
                    gint64             grace_us,
                    IlChildPipeEndFunc end,
                    const IlUsage     *reported,
                    IlUsage           *rest)
{
  gint64        deadline = il_now_us () + grace_us;
  struct rusage ru = { 0 };
  siginfo_t     info;
  int           status = 0;
  int           wait_errno;
  pid_t         r;

  memset (rest, 0, sizeof *rest);
  il_fd_close (&cp->to_fd);
  if (cp->pid <= 0)
    return g_strdup (_("not running"));
  for (;;)
    {
      memset (&info, 0, sizeof info);
      if (waitid (P_PID, cp->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == cp->pid)
        break;
      if (il_now_us () >= deadline)
        break;
      if (cp->err_fd >= 0)
        il_child_pipe_read_stderr (cp);
      g_usleep (1000);
    }
  /* Whatever it left (or, killed, could not end) goes with it. */
  if (end != NULL)
    end (cp->pid);
  else
    kill (cp->pid, SIGKILL);
  while ((r = wait4 (cp->pid, &status, 0, &ru)) < 0 && errno == EINTR)
    ;
  wait_errno = errno;
  il_fd_close (&cp->from_fd);
  if (cp->err_fd >= 0)
    il_child_pipe_read_stderr (cp);
  il_fd_close (&cp->err_fd);
  cp->pid = 0;
  if (r < 0)
    return g_strdup_printf (_("could not be waited for: %s"), g_strerror (wait_errno));

  rest->user_us = MAX (0, (gint64) ru.ru_utime.tv_sec * G_USEC_PER_SEC + ru.ru_utime.tv_usec - reported->user_us);
  rest->sys_us = MAX (0, (gint64) ru.ru_stime.tv_sec * G_USEC_PER_SEC + ru.ru_stime.tv_usec - reported->sys_us);
  rest->nvcsw = MAX (0, ru.ru_nvcsw - reported->nvcsw);
  rest->nivcsw = MAX (0, ru.ru_nivcsw - reported->nivcsw);
  return il_child_describe_status (status);
}

/* ---- the dispatcher thread ---------------------------------------------- */

void
il_child_pipe_thread_init (IlChildPipeThread *t)
{
  memset (t, 0, sizeof *t);
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
}

void
il_child_pipe_thread_clear (IlChildPipeThread *t)
{
  g_clear_error (&t->error);
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->cond);
}

static void
set_phase (IlChildPipeThread *t,
           guint              phase)
{
  g_mutex_lock (&t->lock);
  t->phase = phase;
  g_cond_broadcast (&t->cond);
  g_mutex_unlock (&t->lock);
}

static void
wait_phase (IlChildPipeThread *t,
            guint              phase)
{
  g_mutex_lock (&t->lock);
  while (t->phase < phase)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);
}

static gpointer
dispatcher (gpointer user_data)
{
  IlChildPipeThread *t = user_data;
  IlUsage            u0;
  IlTaskEnv          self_use = { 0 };
  sigset_t           sigpipe;
  gboolean           started;

  /* Writing to a dead child must not signal the application. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);
  started = t->funcs->start (t->owner, &t->error);
  set_phase (t, 1);
  if (!started)
    return NULL;

  wait_phase (t, 2);
  il_thread_usage_read (&u0);
  if (t->pipe->pid > 0)
    t->funcs->drive (t->owner);
  il_usage_add_since (&self_use.usage, &u0);
  il_run_context_account (t->ctx, &self_use);
  return NULL;
}

gboolean
il_child_pipe_thread_start (IlChildPipeThread      *t,
                            const char             *name,
                            IlRunContext           *ctx,
                            IlChildPipe            *cp,
                            const IlChildPipeFuncs *funcs,
                            gpointer                owner,
                            GError                **error)
{
  t->ctx = ctx;
  t->pipe = cp;
  t->funcs = funcs;
  t->owner = owner;
  t->thread = g_thread_try_new (name, dispatcher, t, error);
  if (t->thread == NULL)
    return FALSE;
  wait_phase (t, 1);
  if (t->error != NULL)
    {
      g_thread_join (g_steal_pointer (&t->thread));
      g_propagate_error (error, g_steal_pointer (&t->error));
      return FALSE;
    }
  return TRUE;
}

gboolean
il_child_pipe_thread_finish (IlChildPipeThread *t,
                             GError           **error)
{
  set_phase (t, 2);
  g_thread_join (g_steal_pointer (&t->thread));
  if (t->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&t->error));
      return FALSE;
    }
  return TRUE;
}
