/* il-io-env.c — the I/O blocks' environment: HTTP sessions, the embedded
 * latency server, the private scratch folder, and what the synchronous and
 * asynchronous block runners share
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

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-io-private.h"
#include "il-network.h"
#include "il-run-private.h"

gboolean
il_io_url_is_loopback (const char *url)
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
scratch_base (const char *chosen)
{
  if (chosen != NULL && chosen[0] != '\0')
    return g_strdup (chosen);
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
scratch_dir_new (const char *chosen,
                 int        *lock_fd,
                 GError    **error)
{
  g_autofree char *base = scratch_base (chosen);
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
                           const char         *scratch_base_dir,
                           GError            **error)
{
  g_autofree char *base = scratch_base (scratch_base_dir);
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

IlIoEnv *
il_io_env_create (const IlExperiment *experiment,
                  const char         *server_url,
                  const char         *scratch_base_dir,
                  gboolean (*start_server) (IlIoEnv *env, GError **error),
                  GError **error)
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

  env = g_new0 (IlIoEnv, 1);
  env->scratch_lock = -1;
  if (need_server && server_url != NULL)
    env->server_url = g_strdup (server_url);
  else if (need_server && !start_server (env, error))
    {
      il_io_env_free (env);
      return NULL;
    }
  if (need_scratch)
    {
      env->scratch_dir = scratch_dir_new (scratch_base_dir, &env->scratch_lock, error);
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
  if (env->server != NULL)
    env->server_free (env->server);
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

char *
il_io_block_url (IlIoEnv       *env,
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

char *
il_io_task_file_path (IlIoEnv *env,
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
  path = il_io_task_file_path (env, task_flat, &error);
  if (path != NULL && g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("Could not remove %s: %s", path, g_strerror (errno));
}

void
il_io_fill_content (guint   task_flat,
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

gint64
il_io_first_difference (const guint8 *a,
                        const guint8 *b,
                        gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (a[i] != b[i])
      return (gint64) i;
  return -1;
}

char *
il_io_http_error_message (const char   *url,
                          const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("cancelled"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf (_("timed out waiting for %s"), url);
  return g_strdup_printf (_("GET %s failed: %s"), url, error->message);
}

char *
il_io_byte_count_message (gint64 got,
                          gint64 expected)
{
  return g_strdup_printf (_("got %" PRId64 " bytes from the latency server, expected %" PRId64),
                             got, expected);
}

char *
il_io_no_file_message (const char *path)
{
  return g_strdup_printf (_("nothing to read: %s does not exist (a file-read reads what a file-write "
                            "earlier in the same task wrote)"),
                             path);
}

char *
il_io_short_file_message (const char *path,
                          gint64      got,
                          gint64      expected)
{
  return g_strdup_printf (_("%s holds %" PRId64 " bytes, the block reads %" PRId64),
                             path, got, expected);
}

char *
il_io_mismatch_message (const char *path,
                        gint64      at)
{
  return g_strdup_printf (_("%s does not hold what was written: it differs at byte %" PRId64),
                             path, at);
}
