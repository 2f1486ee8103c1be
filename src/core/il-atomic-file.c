/* il-atomic-file.c — atomic saves, and direct writes to FIFOs and devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * g_file_replace_contents() was seen renaming an empty temporary file over
 * the target on a full filesystem, and g_file_set_contents() renames over
 * whatever the path names (a symlink, a FIFO, /dev/full). This does every
 * step itself and checks each one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-atomic-file.h"

/* Symbolic links followed before giving up, as the kernel's ELOOP. */
#define MAX_LINKS 40
/* Bytes of the target's name kept in its temporary's name (NAME_MAX 255). */
#define TEMP_NAME_BYTES 200

static gboolean
fail (GError    **error,
      int         err,
      const char *path,
      const char *detail)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
               _("Could not write “%s”: %s"), display,
                  detail != NULL ? detail : g_strerror (err));
  return FALSE;
}

/* Writes all of @data; waits with poll() when @fd is non-blocking and full,
 * failing after @stall_ms without progress (-1: no limit). Returns 0 or an
 * errno value. SIGPIPE is blocked meanwhile (a reader gone is EPIPE). */
static int
write_all (int         fd,
           const char *data,
           gsize       length,
           int         stall_ms)
{
  sigset_t pipe_set, old_set, pending;
  gboolean was_pending;
  int      err = 0;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old_set);
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE);

  while (length > 0)
    {
      ssize_t n = write (fd, data, MIN (length, (gsize) G_MAXSSIZE));

      if (n < 0)
        {
          struct pollfd pfd = { fd, POLLOUT, 0 };
          int           r;

          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              err = errno;
              break;
            }
          r = poll (&pfd, 1, stall_ms);
          if (r == 0)
            {
              err = ETIMEDOUT;
              break;
            }
          if (r < 0 && errno != EINTR)
            {
              err = errno;
              break;
            }
          continue;
        }
      if (n == 0)
        {
          err = EIO;
          break;
        }
      data += n;
      length -= (gsize) n;
    }

  if (err == EPIPE && !was_pending)
    {
      const struct timespec zero = { 0, 0 };

      /* Consume the SIGPIPE this thread raised, before unblocking it. */
      while (sigtimedwait (&pipe_set, NULL, &zero) < 0 && errno == EINTR)
        ;
    }
  pthread_sigmask (SIG_SETMASK, &old_set, NULL);
  return err;
}

/* What a save writes: bytes, or what a function writes to a stream. */
typedef struct
{
  const char       *data;
  gsize             length;
  IlAtomicWriteFunc func; /* non-NULL: data and length unused */
  gpointer          user_data;
  GError           *func_error; /* the function's own failure */
} Content;

/* A GOutputStream on a descriptor that writes with write_all() (its stall
 * limit, no SIGPIPE), keeping the errno of a failed write. */
typedef struct
{
  GOutputStream parent_instance;
  int           fd;
  int           stall_ms;
  int           err;
} IlFdSink;

typedef struct
{
  GOutputStreamClass parent_class;
} IlFdSinkClass;

static GType il_fd_sink_get_type (void);
G_DEFINE_TYPE (IlFdSink, il_fd_sink, G_TYPE_OUTPUT_STREAM)

static gssize
il_fd_sink_write (GOutputStream *stream,
                  const void    *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  IlFdSink *self = (IlFdSink *) stream;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  self->err = write_all (self->fd, buffer, count, self->stall_ms);
  if (self->err != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (self->err),
                           g_strerror (self->err));
      return -1;
    }
  return (gssize) count;
}

static void
il_fd_sink_class_init (IlFdSinkClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = il_fd_sink_write;
}

static void
il_fd_sink_init (IlFdSink *self)
{
  self->fd = -1;
}

/* Writes @content to @fd: 0, an errno value, or -1 when the content's
 * function failed (content->func_error says why). */
static int
write_content (int      fd,
               Content *content,
               int      stall_ms)
{
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GOutputStream) buffered = NULL;
  IlFdSink *fd_sink;
  gboolean  ok;

  if (content->func == NULL)
    return write_all (fd, content->data, content->length, stall_ms);

  sink = g_object_new (il_fd_sink_get_type (), NULL);
  fd_sink = (IlFdSink *) sink;
  fd_sink->fd = fd;
  fd_sink->stall_ms = stall_ms;
  buffered = g_buffered_output_stream_new_sized (sink, 64 * 1024);
  g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (buffered), FALSE);
  ok = content->func (buffered, content->user_data, &content->func_error);
  if (ok)
    ok = g_output_stream_close (buffered, NULL, &content->func_error);
  if (ok)
    return 0;
  if (fd_sink->err != 0)
    {
      g_clear_error (&content->func_error);
      return fd_sink->err;
    }
  if (content->func_error == NULL)
    g_set_error_literal (&content->func_error, G_IO_ERROR, G_IO_ERROR_FAILED, "write failed");
  return -1;
}

/* A failed save: @err from write_content() as an error naming @path. */
static gboolean
fail_content (GError    **error,
              int         err,
              const char *path,
              Content    *content)
{
  if (err == -1)
    {
      g_propagate_error (error, g_steal_pointer (&content->func_error));
      return FALSE;
    }
  return fail (error, err, path, NULL);
}

/* close() once; EINTR means the descriptor is gone (Linux), not an error. */
static int
close_checked (int fd)
{
  if (close (fd) < 0 && errno != EINTR)
    return errno;
  return 0;
}

static gboolean
write_stdout (Content *content,
              GError **error)
{
  int err;

  /* What stdio holds comes first. */
  if (fflush (stdout) != 0)
    err = errno;
  else
    err = write_content (STDOUT_FILENO, content, -1);
  if (err == -1)
    return fail_content (error, err, "-", content);
  if (err != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                   _("Could not write to standard output: %s"), g_strerror (err));
      return FALSE;
    }
  return TRUE;
}

/* Follows symbolic links to the path that will really be written.
 * @st: filled when it exists. */
static char *
resolve (const char  *path,
         struct stat *st,
         gboolean    *exists,
         GError     **error)
{
  g_autofree char *current = g_strdup (path);

  for (guint i = 0; i <= MAX_LINKS; i++)
    {
      g_autofree char *link = NULL;
      char            *next;

      if (lstat (current, st) < 0)
        {
          if (errno == ENOENT)
            {
              *exists = FALSE;
              return g_steal_pointer (&current);
            }
          fail (error, errno, path, NULL);
          return NULL;
        }
      if (!S_ISLNK (st->st_mode))
        {
          *exists = TRUE;
          return g_steal_pointer (&current);
        }
      link = g_file_read_link (current, NULL);
      if (link == NULL)
        {
          fail (error, errno != 0 ? errno : EINVAL, path, NULL);
          return NULL;
        }
      if (g_path_is_absolute (link))
        next = g_steal_pointer (&link);
      else
        {
          g_autofree char *dir = g_path_get_dirname (current);

          next = g_build_filename (dir, link, NULL);
        }
      g_free (current);
      current = next;
    }
  fail (error, ELOOP, path, NULL);
  return NULL;
}

/* FIFOs and devices: written where they are. */
static gboolean
write_direct (const char        *path,
              const char        *target,
              const struct stat *st,
              Content           *content,
              GError           **error)
{
  int fd, err;

  fd = open (target, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENXIO && S_ISFIFO (st->st_mode))
        {
          g_autofree char *display = g_filename_display_name (path);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                       _("Could not write “%s”: no process is reading from this FIFO"), display);
          return FALSE;
        }
      return fail (error, errno, path, NULL);
    }
  err = write_content (fd, content, IL_ATOMIC_FILE_STALL_TIMEOUT_MS);
  if (err == -1)
    {
      close (fd);
      return fail_content (error, err, path, content);
    }
  if (err != 0)
    {
      close (fd);
      if (err == ETIMEDOUT)
        return fail (error, err, path, _("the reader took nothing for 10 seconds"));
      return fail (error, err, path, NULL);
    }
  err = close_checked (fd);
  if (err != 0)
    return fail (error, err, path, NULL);
  return TRUE;
}

static char *
temp_prefix (const char *base)
{
  return g_strdup_printf (".%.*s.~", TEMP_NAME_BYTES, base);
}

/* Removes the temporaries of saves of the same target whose process is
 * gone (killed mid-save). A live process's (this one's too) are kept. */
static void
sweep_stale (const char *dir,
             const char *base)
{
  g_autofree char *prefix = temp_prefix (base);
  gsize            prefix_len = strlen (prefix);
  GDir            *d = g_dir_open (dir, 0, NULL);
  const char      *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      const char *rest;
      char       *end;
      long        pid;

      if (strncmp (name, prefix, prefix_len) != 0)
        continue;
      rest = name + prefix_len;
      errno = 0;
      pid = strtol (rest, &end, 10);
      if (errno != 0 || end == rest || pid <= 0 || pid > G_MAXINT || *end != '-' || strlen (end + 1) != 6)
        continue;
      if (pid == getpid () || kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;
      {
        g_autofree char *stale = g_build_filename (dir, name, NULL);

        g_unlink (stale);
      }
    }
  g_dir_close (d);
}

static gboolean
write_atomic (const char        *path,
              const char        *target,
              gboolean           exists,
              const struct stat *st,
              Content           *content,
              GError           **error)
{
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *prefix = temp_prefix (base);
  g_autofree char *temp = NULL;
  int              fd = -1, dir_fd, err = 0;
  mode_t           mode = exists ? (st->st_mode & 07777) : 0666;

  sweep_stale (dir, base);

  for (guint attempt = 0; fd < 0; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("%s%d-%06x", prefix, (int) getpid (),
                                               g_random_int () & 0xffffff);

      g_free (temp);
      temp = g_build_filename (dir, name, NULL);
      /* Created with the target's permissions at most (the umask applies
       * to a new file), so the content is never more exposed. */
      fd = open (temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
      if (fd < 0 && (errno != EEXIST || attempt > 100))
        return fail (error, errno, path, NULL);
    }

  if (exists)
    {
      if ((st->st_uid != geteuid () || st->st_gid != getegid ()) &&
          fchown (fd, st->st_uid, st->st_gid) < 0)
        {
          /* Not permitted (not root): the file becomes this user's, as
           * any editor's save does. */
        }
      if (fchmod (fd, mode) < 0)
        err = errno;
    }
  if (err == 0)
    err = write_content (fd, content, -1);
  if (err == 0 && fsync (fd) < 0)
    err = errno;
  if (err == 0)
    err = close_checked (fd);
  else
    close (fd);
  if (err == 0 && rename (temp, target) < 0)
    err = errno;
  if (err != 0)
    {
      g_unlink (temp);
      return fail_content (error, err, path, content);
    }

  /* The rename itself reaches the disk with the folder. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    return fail (error, errno, path, NULL);
  if (fsync (dir_fd) < 0 && errno != EINVAL)
    err = errno;
  close (dir_fd);
  if (err != 0)
    return fail (error, err, path, NULL);
  return TRUE;
}

static gboolean
write_path (const char *path,
            Content    *content,
            GError    **error)
{
  g_autofree char *target = NULL;
  struct stat      st;
  gboolean         exists = FALSE;

  if (strcmp (path, "-") == 0)
    return write_stdout (content, error);
  if (*path == '\0')
    return fail (error, ENOENT, path, NULL);

  target = resolve (path, &st, &exists, error);
  if (target == NULL)
    return FALSE;
  if (!exists || S_ISREG (st.st_mode))
    return write_atomic (path, target, exists, &st, content, error);
  if (S_ISDIR (st.st_mode))
    return fail (error, EISDIR, path, NULL);
  if (S_ISFIFO (st.st_mode) || S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
    return write_direct (path, target, &st, content, error);
  return fail (error, EINVAL, path, _("not a file, a FIFO or a device"));
}

gboolean
il_atomic_file_write_path (const char *path,
                           const void *data,
                           gsize       length,
                           GError    **error)
{
  Content content = { data, length, NULL, NULL, NULL };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_path (path, &content, error);
}

gboolean
il_atomic_file_write_path_with (const char       *path,
                                IlAtomicWriteFunc func,
                                gpointer          user_data,
                                GError          **error)
{
  Content content = { NULL, 0, func, user_data, NULL };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_path (path, &content, error);
}

gboolean
il_atomic_file_write (GFile      *file,
                      const void *data,
                      gsize       length,
                      GError    **error)
{
  const char *path;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_peek_path (file);
  if (path != NULL)
    return il_atomic_file_write_path (path, data, length, error);
  return g_file_replace_contents (file, data, length, NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, NULL, error);
}

gboolean
il_atomic_file_write_with (GFile            *file,
                           IlAtomicWriteFunc func,
                           gpointer          user_data,
                           GError          **error)
{
  g_autoptr(GFileOutputStream) out = NULL;
  const char *path;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_peek_path (file);
  if (path != NULL)
    return il_atomic_file_write_path_with (path, func, user_data, error);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (out == NULL)
    return FALSE;
  if (!func (G_OUTPUT_STREAM (out), user_data, error))
    {
      g_autoptr(GCancellable) abandon = g_cancellable_new ();

      /* Closed cancelled: GIO leaves the target as it was. */
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (out), abandon, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}
