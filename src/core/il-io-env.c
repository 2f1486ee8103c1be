/* il-io.c — http, file-write and file-read blocks, and their environment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real I/O, not sleeps in disguise: HTTP goes through libsoup to the
 * embedded latency server (or a URL the user consented to), files go to a
 * private scratch folder and are verified when read back.
 *
 * Sessions are per thread (synchronous API) or per thread and GMainContext
 * (asynchronous API): a SoupSession belongs to the context it was created
 * on, and a session of its own per thread keeps the threads executor's
 * requests from queueing on one session's connection limit. Limits are
 * raised well above libsoup's small defaults so that concurrency is real.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gio/gfiledescriptorbased.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "il-io.h"
#include "il-network.h"
#include "il-run-private.h"
#include "il-schedstat.h"
#include "il-server.h"

#define CHUNK_BYTES    (1024 * 1024)
#define READ_BUF_BYTES 65536
#define MAX_CONNS      256
/* A user URL gets this long without a byte before it fails; the embedded
 * server's delay is bounded by the format, so it gets that much more. */
#define REMOTE_TIMEOUT_S 60
#define LOCAL_TIMEOUT_S  (REMOTE_TIMEOUT_S + IL_MAX_MS / 1000)

struct _IlIoEnv
{
  IlServer *server;      /* owned, nullable */
  char     *server_url;  /* nullable */
  char     *scratch_dir; /* nullable */
  gboolean  owns_scratch;
  int       scratch_lock; /* the folder, flock()ed while the run lives; -1 */
};

/* ---------------------------------------------------------------- */
/* Sessions                                                          */

static SoupSession *
session_new (gboolean local)
{
  SoupSession *session;

  session = soup_session_new_with_options ("max-conns", MAX_CONNS,
                                           "max-conns-per-host", MAX_CONNS,
                                           "timeout", local ? LOCAL_TIMEOUT_S : REMOTE_TIMEOUT_S,
                                           "user-agent", "Interleave/" PACKAGE_VERSION " ",
                                           NULL);
  /* The embedded server is on loopback: a proxy from the environment must
   * not be asked to reach it. */
  if (local)
    soup_session_set_proxy_resolver (session, NULL);
  return session;
}

typedef struct
{
  GMainContext *context;     /* the context the sessions belong to */
  SoupSession  *sessions[2]; /* [0] remote, [1] local */
} ThreadSessions;

static void
thread_sessions_free (gpointer data)
{
  ThreadSessions *ts = data;

  g_clear_object (&ts->sessions[0]);
  g_clear_object (&ts->sessions[1]);
  g_clear_pointer (&ts->context, g_main_context_unref);
  g_free (ts);
}

/* Freed at thread exit. */
static GPrivate sync_sessions = G_PRIVATE_INIT (thread_sessions_free);
static GPrivate async_sessions = G_PRIVATE_INIT (thread_sessions_free);

static SoupSession *
get_session (gboolean async,
             gboolean local)
{
  GPrivate       *key = async ? &async_sessions : &sync_sessions;
  ThreadSessions *ts = g_private_get (key);
  GMainContext   *context = async ? g_main_context_ref_thread_default () : NULL;

  if (ts != NULL && ts->context != context)
    {
      /* A new loop on this thread (the async executor's next repetition):
       * its requests must run on it. */
      g_private_replace (key, NULL);
      ts = NULL;
    }
  if (ts == NULL)
    {
      ts = g_new0 (ThreadSessions, 1);
      ts->context = context != NULL ? g_main_context_ref (context) : NULL;
      g_private_set (key, ts);
    }
  g_clear_pointer (&context, g_main_context_unref);
  if (ts->sessions[local] == NULL)
    ts->sessions[local] = session_new (local);
  return ts->sessions[local];
}

/* Loopback is never sent through a proxy: the proxy may not reach this
 * machine's ports, and asking the desktop's proxy settings costs time. A
 * NULL url is the embedded server. */
static gboolean
url_is_loopback (const char *url)
{
  return url == NULL || il_network_url_is_loopback (url);
}

/* ---------------------------------------------------------------- */
/* The environment                                                   */

/* Scratch folders are $XDG_CACHE_HOME/interleave/run-PID-XXXXXX. The
 * owner keeps the folder itself flock()ed for the run's life (the lock
 * goes with the process, however it dies), so that a later run can tell a
 * folder left by a SIGKILL or a crash from one in use. */

static char *
scratch_base (void)
{
  return g_build_filename (g_get_user_cache_dir (), "interleave", NULL);
}

/* Empties and removes a scratch folder: only regular files are ours. */
static void
scratch_dir_remove (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);

          if (g_unlink (file) != 0)
            g_warning ("Could not remove %s: %s", file, g_strerror (errno));
        }
    }
  if (g_rmdir (path) != 0 && errno != ENOENT)
    g_warning ("Could not remove the scratch folder %s: %s", path, g_strerror (errno));
}

/* "run-PID-…" (or ".new-PID-…", being made) → PID, or 0 (not a folder of
 * this version's naming). */
static pid_t
scratch_owner (const char *name)
{
  guint64     pid;
  const char *dash;

  if (g_str_has_prefix (name, "run-"))
    name += strlen ("run-");
  else if (g_str_has_prefix (name, ".new-"))
    name += strlen (".new-");
  else
    return 0;
  dash = strchr (name, '-');
  if (dash == NULL || dash == name || dash - name > 10)
    return 0;
  {
    g_autofree char *digits = g_strndup (name, (gsize) (dash - name));

    if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT32, &pid, NULL))
      return 0;
  }
  return (pid_t) pid;
}

/* Removes the scratch folders whose run is over: their owner process is
 * gone (no such pid) and nobody holds their lock. A pid that was reused
 * keeps its folder until that process ends too: never a live run's. */
static void
scratch_sweep_stale (const char *base)
{
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      gboolean         unborn = g_str_has_prefix (name, ".new-");
      pid_t            owner = scratch_owner (name);
      GStatBuf         st;
      int              fd;

      if (owner == 0 || owner == getpid ())
        continue;
      if (kill (owner, 0) == 0 || errno != ESRCH)
        continue;
      path = g_build_filename (base, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid ())
        continue;
      /* A folder still being made (it is renamed the moment it is locked)
       * is left alone unless it is old: its maker died at that moment. */
      if (unborn && (gint64) st.st_ctime > g_get_real_time () / G_USEC_PER_SEC - 60)
        continue;
      fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        continue;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0)
        scratch_dir_remove (path);
      close (fd);
    }
}

static char *
scratch_dir_new (int     *lock_fd,
                 GError **error)
{
  g_autofree char *base = scratch_base ();
  g_autofree char *tmpl = NULL;
  g_autofree char *name = NULL;
  int              saved;

  *lock_fd = -1;
  if (g_mkdir_with_parents (base, 0700) != 0)
    {
      saved = errno;
      g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                   _("Could not create the scratch folder %s: %s"), base, g_strerror (saved));
      return NULL;
    }
  scratch_sweep_stale (base);
  /* Made under a name no sweep touches, locked, then renamed: a run in
   * another pid namespace (a second Flatpak instance) sees it only
   * locked. */
  name = g_strdup_printf (".new-%d-XXXXXX", (int) getpid ());
  tmpl = g_build_filename (base, name, NULL);
  if (g_mkdtemp_full (tmpl, 0700) == NULL)
    {
      saved = errno;
      g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                   _("Could not create a scratch folder in %s: %s"), base, g_strerror (saved));
      return NULL;
    }
  *lock_fd = open (tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*lock_fd < 0 || flock (*lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      saved = errno;
      if (*lock_fd >= 0)
        close (*lock_fd);
      *lock_fd = -1;
      g_rmdir (tmpl);
      g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                   _("Could not lock the scratch folder %s: %s"), tmpl, g_strerror (saved));
      return NULL;
    }
  {
    g_autofree char *dirname = g_path_get_basename (tmpl);
    g_autofree char *final_name = g_strconcat ("run-", dirname + strlen (".new-"), NULL);
    g_autofree char *final = g_build_filename (base, final_name, NULL);

    if (g_rename (tmpl, final) != 0)
      {
        saved = errno;
        close (*lock_fd);
        *lock_fd = -1;
        g_rmdir (tmpl);
        g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                     _("Could not create a scratch folder in %s: %s"), base, g_strerror (saved));
        return NULL;
      }
    g_free (tmpl);
    tmpl = g_steal_pointer (&final);
  }
  return g_steal_pointer (&tmpl);
}

/* The free bytes of the filesystem that holds (or will hold) @path. */
static gboolean
free_bytes_at (const char *path,
               guint64    *out)
{
  g_autofree char *p = g_strdup (path);
  struct statvfs   vfs;

  for (;;)
    {
      if (statvfs (p, &vfs) == 0)
        {
          *out = (guint64) vfs.f_bavail * (guint64) vfs.f_frsize;
          return TRUE;
        }
      if (errno != ENOENT || g_str_equal (p, "/") || g_str_equal (p, "."))
        return FALSE;
      {
        char *parent = g_path_get_dirname (p);

        g_free (p);
        p = parent;
      }
    }
}

static gint
compare_gint64_desc (gconstpointer a,
                     gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x < y) - (x > y);
}

guint64
il_io_scratch_peak_bytes (const IlExperiment *experiment,
                          guint               in_flight)
{
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 total = 0;

  /* A task's file is replaced by each of its writes (O_TRUNC) and removed
   * when the task ends: a task holds its largest write at most. */
  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);
      gint64             largest = 0;

      for (guint b = 0; b < group->blocks->len; b++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, b);

          if (block->type == IL_BLOCK_FILE_WRITE)
            largest = MAX (largest, block->bytes);
        }
      if (largest > 0)
        for (guint r = 0; r < group->repeat && r < in_flight; r++)
          g_array_append_val (sizes, largest);
    }
  g_array_sort (sizes, (GCompareFunc) compare_gint64_desc);
  for (guint i = 0; i < sizes->len && i < in_flight; i++)
    total += (guint64) g_array_index (sizes, gint64, i);
  return total;
}

gboolean
il_io_check_scratch_space (const IlExperiment *experiment,
                           guint               in_flight,
                           GError            **error)
{
  g_autofree char *base = scratch_base ();
  guint64          peak = il_io_scratch_peak_bytes (experiment, in_flight);
  guint64          avail;

  if (peak == 0 || !free_bytes_at (base, &avail) || peak <= avail)
    return TRUE;
  {
    g_autofree char *need = g_format_size (peak);
    g_autofree char *have = g_format_size (avail);

    g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                 _("file blocks would hold up to %s at once in the scratch folder (%s), but its "
                   "filesystem has only %s free; free some space or write less"),
                    need, base, have);
  }
  return FALSE;
}

/* The rules (a file-read needs a file-write before it in its task) live
 * in the experiment's validation, which knows the file's positions. */
gboolean
il_io_check_experiment (const IlExperiment *experiment,
                        GError            **error)
{
  return il_experiment_validate (experiment, error);
}

IlIoEnv *
il_io_env_new (const IlExperiment *experiment,
               GError            **error)
{
  return il_io_env_new_with_server (experiment, NULL, error);
}

IlIoEnv *
il_io_env_new_with_server (const IlExperiment *experiment,
                           const char         *server_url,
                           GError            **error)
{
  IlIoEnv *env;
  gboolean need_server = FALSE;
  gboolean need_scratch = FALSE;

  g_return_val_if_fail (experiment != NULL, NULL);

  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);

      for (guint b = 0; b < group->blocks->len; b++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, b);

          if (block->type == IL_BLOCK_HTTP && block->url == NULL)
            need_server = TRUE;
          else if (block->type == IL_BLOCK_FILE_WRITE || block->type == IL_BLOCK_FILE_READ)
            need_scratch = TRUE;
        }
    }

  if (!il_io_check_experiment (experiment, error))
    return NULL;

  env = g_new0 (IlIoEnv, 1);
  env->scratch_lock = -1;
  if (need_server && server_url != NULL)
    env->server_url = g_strdup (server_url);
  else if (need_server)
    {
      env->server = il_server_new (error);
      if (env->server == NULL)
        {
          il_io_env_free (env);
          return NULL;
        }
      env->server_url = g_strdup (il_server_get_url (env->server));
    }
  if (need_scratch)
    {
      env->scratch_dir = scratch_dir_new (&env->scratch_lock, error);
      if (env->scratch_dir == NULL)
        {
          il_io_env_free (env);
          return NULL;
        }
      env->owns_scratch = TRUE;
    }
  return env;
}

IlIoEnv *
il_io_env_new_remote (const char *server_url,
                      const char *scratch_dir)
{
  IlIoEnv *env = g_new0 (IlIoEnv, 1);

  env->scratch_lock = -1;
  env->server_url = g_strdup (server_url);
  env->scratch_dir = g_strdup (scratch_dir);
  return env;
}

void
il_io_env_free (IlIoEnv *env)
{
  if (env == NULL)
    return;
  g_clear_pointer (&env->server, il_server_free);
  if (env->owns_scratch && env->scratch_dir != NULL)
    scratch_dir_remove (env->scratch_dir);
  if (env->scratch_lock >= 0)
    close (env->scratch_lock);
  g_free (env->server_url);
  g_free (env->scratch_dir);
  g_free (env);
}

const char *
il_io_env_get_server_url (IlIoEnv *env)
{
  g_return_val_if_fail (env != NULL, NULL);
  return env->server_url;
}

const char *
il_io_env_get_scratch_dir (IlIoEnv *env)
{
  g_return_val_if_fail (env != NULL, NULL);
  return env->scratch_dir;
}

/* ---------------------------------------------------------------- */
/* Shared helpers                                                    */

static char *
block_url (IlIoEnv       *env,
           const IlBlock *block,
           char         **error)
{
  if (block->url != NULL)
    return g_strdup (block->url);
  if (env == NULL || env->server_url == NULL)
    {
      *error = g_strdup (_("the embedded latency server is not running"));
      return NULL;
    }
  return g_strdup_printf ("%s/delay?ms=%" G_GINT64_FORMAT "&bytes=%" G_GINT64_FORMAT,
                          env->server_url, block->delay_ms, block->bytes);
}

static char *
task_file_path (IlIoEnv *env,
                guint    task_flat,
                char   **error)
{
  g_autofree char *name = NULL;

  if (env == NULL || env->scratch_dir == NULL)
    {
      *error = g_strdup (_("there is no scratch folder for file blocks"));
      return NULL;
    }
  name = g_strdup_printf ("task-%u.bin", task_flat);
  return g_build_filename (env->scratch_dir, name, NULL);
}

void
il_io_task_done (IlIoEnv *env,
                 guint    task_flat)
{
  g_autofree char *error = NULL;
  g_autofree char *path = NULL;

  if (env == NULL || env->scratch_dir == NULL)
    return;
  path = task_file_path (env, task_flat, &error);
  if (path != NULL && g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("Could not remove %s: %s", path, g_strerror (errno));
}

/* Deterministic content: 64-bit words of a SplitMix64 sequence seeded by
 * the task, so that every task's file differs and a read can recompute
 * what must be there. @offset is a multiple of 8; @buf holds @len rounded
 * up to 8. */
static void
fill_content (guint   task_flat,
              guint64 offset,
              guint8 *buf,
              gsize   len)
{
  guint64 seed = 0x9E3779B97F4A7C15ull * ((guint64) task_flat + 1) ^ 0x696e7465726c6561ull;
  guint64 first = offset / 8;
  gsize   words = (len + 7) / 8;

  for (gsize k = 0; k < words; k++)
    {
      guint64 z = seed + (first + k) * 0x9E3779B97F4A7C15ull;

      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      memcpy (buf + k * 8, &z, 8);
    }
}

static gint64
first_difference (const guint8 *a,
                  const guint8 *b,
                  gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (a[i] != b[i])
      return (gint64) i;
  return -1;
}

static char *
http_error_message (const char   *url,
                    const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("cancelled"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf (_("timed out waiting for %s"), url);
  return g_strdup_printf (_("GET %s failed: %s"), url, error->message);
}

static char *
http_status_message (const char  *url,
                     SoupMessage *msg)
{
  guint       status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);

  if (reason == NULL || *reason == '\0')
    reason = soup_status_get_phrase (status);
  if (SOUP_STATUS_IS_REDIRECTION (status))
    return g_strdup_printf (_("HTTP %u %s from %s: redirects are not followed, since consent "
                              "covers only the hosts the experiment names"),
                               status, reason != NULL ? reason : "", url);
  return g_strdup_printf (_("HTTP %u %s from %s"), status, reason != NULL ? reason : "", url);
}

/* A GET that never follows a redirect: consent (il-network.h) names the
 * hosts in the file, and a redirect would send the request to another. */
static SoupMessage *
http_message_new (const char *url)
{
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, url);

  if (msg != NULL)
    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  return msg;
}

static char *
byte_count_message (gint64 got,
                    gint64 expected)
{
  return g_strdup_printf (_("got %" G_GINT64_FORMAT " bytes from the latency server, expected %" G_GINT64_FORMAT),
                             got, expected);
}

/* ---------------------------------------------------------------- */
/* Synchronous blocks                                                */

static gboolean
http_sync (IlIoEnv       *env,
           const IlBlock *block,
           GCancellable  *cancellable,
           gint64        *ttfb_us,
           char         **error)
{
  g_autofree char *url = block_url (env, block, error);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buf = NULL;
  gint64             count = 0;

  if (url == NULL)
    return FALSE;
  msg = http_message_new (url);
  if (msg == NULL)
    {
      *error = g_strdup_printf (_("not a valid URL: %s"), url);
      return FALSE;
    }

  in = soup_session_send (get_session (FALSE, url_is_loopback (block->url)), msg, cancellable, &local_error);
  if (in == NULL)
    {
      *error = http_error_message (url, local_error);
      return FALSE;
    }
  /* The status line and headers are in: that is the first byte. */
  *ttfb_us = il_now_us ();
  if (soup_message_get_status (msg) >= 300)
    {
      *error = http_status_message (url, msg);
      g_input_stream_close (in, NULL, NULL);
      return FALSE;
    }

  buf = g_malloc (READ_BUF_BYTES);
  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, READ_BUF_BYTES, cancellable, &local_error);

      if (n < 0)
        {
          *error = http_error_message (url, local_error);
          return FALSE;
        }
      if (n == 0)
        break;
      count += n;
    }
  g_input_stream_close (in, NULL, NULL);

  if (block->url == NULL && count != block->bytes)
    {
      *error = byte_count_message (count, block->bytes);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *buf,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gssize
read_all (int     fd,
          guint8 *buf,
          gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = read (fd, buf + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += (gsize) n;
    }
  return (gssize) done;
}

static gboolean
file_write_sync (IlIoEnv       *env,
                 const IlBlock *block,
                 guint          task_flat,
                 GCancellable  *cancellable,
                 char         **error)
{
  g_autofree char   *path = task_file_path (env, task_flat, error);
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

  buf = g_malloc (CHUNK_BYTES);
  for (gint64 offset = 0; offset < block->bytes; offset += CHUNK_BYTES)
    {
      gsize len = (gsize) MIN (CHUNK_BYTES, block->bytes - offset);

      if (g_cancellable_is_cancelled (cancellable))
        {
          *error = g_strdup (_("cancelled"));
          g_close (fd, NULL);
          return FALSE;
        }
      fill_content (task_flat, (guint64) offset, buf, len);
      if (!write_all (fd, buf, len))
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

static char *
no_file_message (const char *path)
{
  return g_strdup_printf (_("nothing to read: %s does not exist (a file-read reads what a file-write "
                            "earlier in the same task wrote)"),
                             path);
}

static char *
short_file_message (const char *path,
                    gint64      got,
                    gint64      expected)
{
  return g_strdup_printf (_("%s holds %" G_GINT64_FORMAT " bytes, the block reads %" G_GINT64_FORMAT),
                             path, got, expected);
}

static char *
mismatch_message (const char *path,
                  gint64      at)
{
  return g_strdup_printf (_("%s does not hold what was written: it differs at byte %" G_GINT64_FORMAT),
                             path, at);
}

static gboolean
file_read_sync (IlIoEnv       *env,
                const IlBlock *block,
                guint          task_flat,
                GCancellable  *cancellable,
                char         **error)
{
  g_autofree char   *path = task_file_path (env, task_flat, error);
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
        *error = no_file_message (path);
      else
        *error = g_strdup_printf (_("could not open %s: %s"), path, g_strerror (saved));
      return FALSE;
    }

  buf = g_malloc (CHUNK_BYTES);
  expect = g_malloc (CHUNK_BYTES);
  for (gint64 offset = 0; ok && offset < block->bytes; offset += CHUNK_BYTES)
    {
      gsize  len = (gsize) MIN (CHUNK_BYTES, block->bytes - offset);
      gssize n;
      gint64 at;

      if (g_cancellable_is_cancelled (cancellable))
        {
          *error = g_strdup (_("cancelled"));
          ok = FALSE;
          break;
        }
      n = read_all (fd, buf, len);
      if (n < 0)
        {
          saved = errno;
          *error = g_strdup_printf (_("could not read %s: %s"), path, g_strerror (saved));
          ok = FALSE;
        }
      else if ((gsize) n < len)
        {
          *error = short_file_message (path, offset + n, block->bytes);
          ok = FALSE;
        }
      else
        {
          fill_content (task_flat, (guint64) offset, expect, len);
          at = first_difference (buf, expect, len);
          if (at >= 0)
            {
              *error = mismatch_message (path, offset + at);
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
      case IL_N_BLOCK_TYPES:
      default:
        *error = g_strdup_printf (_("%s is not an I/O block"), il_block_type_to_string (block->type));
        return FALSE;
    }
}

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
  op_return_error (task, op->url != NULL ? http_error_message (op->url, error)
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

  g_input_stream_read_async (op->in, op->buf, READ_BUF_BYTES, G_PRIORITY_DEFAULT,
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
    op_return_error (task, byte_count_message (op->count, op->bytes));
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
      op_return_error (task, http_status_message (op->url, op->msg));
      return;
    }
  op->buf = g_malloc (READ_BUF_BYTES);
  http_read_next (task);
  OP_LEAVE (op);
}

static void
http_start (GTask *task)
{
  AsyncOp *op = g_task_get_task_data (task);

  op->msg = http_message_new (op->url);
  if (op->msg == NULL)
    {
      op_return_error (task, g_strdup_printf (_("not a valid URL: %s"), op->url));
      return;
    }
  soup_session_send_async (get_session (TRUE, url_is_loopback (op->url)), op->msg, G_PRIORITY_DEFAULT,
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
  len = (gsize) MIN (CHUNK_BYTES, op->bytes - op->count);
  fill_content (op->task_flat, (guint64) op->count, op->buf, len);
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
  op->buf = g_malloc (CHUNK_BYTES);
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
  len = (gsize) MIN (CHUNK_BYTES, op->bytes - op->count);
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
  gsize    len = (gsize) MIN (CHUNK_BYTES, op->bytes - op->count);
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
      op_return_error (task, short_file_message (op->path, op->count + (gint64) n, op->bytes));
      return;
    }
  fill_content (op->task_flat, (guint64) op->count, op->expect, len);
  at = first_difference (op->buf, op->expect, len);
  if (at >= 0)
    {
      OP_LEAVE (op);
      op_return_error (task, mismatch_message (op->path, op->count + at));
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
          op_return_error (task, no_file_message (op->path));
        }
      else
        op_return_gerror (task, error);
      return;
    }
  op->buf = g_malloc (CHUNK_BYTES);
  op->expect = g_malloc (CHUNK_BYTES);
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
        op->url = block_url (env, block, &error);
        if (op->url == NULL)
          op_return_error (task, error);
        else
          http_start (task);
        break;

      case IL_BLOCK_FILE_WRITE:
      case IL_BLOCK_FILE_READ:
        op->path = task_file_path (env, task_flat, &error);
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
