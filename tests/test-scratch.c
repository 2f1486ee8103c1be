/* test-scratch.c — file blocks' scratch folder: small, and never left behind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task's file goes when the task ends, a folder left by a killed run is
 * swept by the next one (and a live run's never is), and a run whose files
 * cannot fit in the scratch filesystem is refused before it starts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-error.h"
#include "il-experiment.h"
#include "il-io.h"
#include "il-results.h"
#include "il-runner.h"

#include "il-test-utils.h"

static char *
scratch_base (void)
{
  return g_build_filename (g_get_user_cache_dir (), "interleave", NULL);
}

/* Entries in the cache's interleave/ folder, or -1 when it does not exist. */
static int
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  int n = 0;

  if (dir == NULL)
    return -1;
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---------------------------------------------------------------- */
/* During a run: only the files of tasks in flight                     */

typedef struct
{
  gint  stop;      /* atomic */
  guint max_files; /* files seen at once in any run folder */
  guint max_with_last;
  guint samples;
  char *last_name; /* while this file exists, count apart */
  char *base;      /* nullable: the default scratch base */
} Watch;

static gpointer
watch_thread (gpointer data)
{
  Watch           *w = data;
  g_autofree char *base = w->base != NULL ? g_strdup (w->base) : scratch_base ();

  while (!g_atomic_int_get (&w->stop))
    {
      g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *run = g_build_filename (base, name, NULL);
          g_autofree char *last = g_build_filename (run, w->last_name, NULL);
          int              n = count_entries (run);
          gboolean         has_last = g_file_test (last, G_FILE_TEST_EXISTS);

          if (n < 0)
            continue;
          w->samples++;
          w->max_files = MAX (w->max_files, (guint) n);
          if (has_last)
            w->max_with_last = MAX (w->max_with_last, (guint) n);
        }
      g_usleep (1000);
    }
  return NULL;
}

typedef struct
{
  const char *run;
  guint       bound; /* most files at once */
} InFlightCase;

/* Eight tasks that write 256 KiB, sleep, and read it back, two
 * repetitions: the folder never holds more files than tasks run at once. */
static void
test_in_flight (gconstpointer data)
{
  const InFlightCase *c = data;
  g_autofree char    *json = g_strdup_printf (
       "{ \"interleave\": 1, \"name\": \"scratch\","
          "  \"tasks\": [ { \"repeat\": 8, \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 262144 },"
          "                                               { \"type\": \"sleep\", \"ms\": 40 },"
          "                                               { \"type\": \"file-read\", \"bytes\": 262144 } ] } ],"
          "  \"runs\": [ %s ], \"settings\": { \"repetitions\": 2, \"warmup\": 0 } }",
       c->run);
  g_autoptr(IlExperiment) exp = il_test_load (json);
  g_autoptr(GError) error = NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = il_runner_new (exp, &options);
  g_autoptr(IlResults) results = NULL;
  g_autofree char *base = scratch_base ();
  Watch            w = { 0, 0, 0, 0, (char *) "none", NULL };
  GThread         *thread = g_thread_new ("watch", watch_thread, &w);

  results = il_runner_run (runner, NULL, &error);
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_test_message ("%s: at most %u files at once (%u samples)", c->run, w.max_files, w.samples);
  g_assert_cmpuint (w.samples, >, 0);
  g_assert_cmpuint (w.max_files, >=, 1);
  g_assert_cmpuint (w.max_files, <=, c->bound);
  g_assert_cmpint (count_entries (base), <=, 0);
}

/* async: every task is in flight at once, so the bound is what is left
 * when a late writer writes: the early tasks' files are gone by then. */
static void
test_in_flight_async (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"scratch\","
    "  \"tasks\": [ { \"repeat\": 6, \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 65536 } ] },"
    "               { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 300 },"
    "                               { \"type\": \"file-write\", \"bytes\": 65536 },"
    "                               { \"type\": \"sleep\", \"ms\": 300 } ] } ],"
    "  \"runs\": [ { \"executor\": \"async\" } ], \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }");
  g_autoptr(GError) error = NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = il_runner_new (exp, &options);
  g_autoptr(IlResults) results = NULL;
  Watch    w = { 0, 0, 0, 0, (char *) "task-6.bin", NULL };
  GThread *thread = g_thread_new ("watch", watch_thread, &w);

  results = il_runner_run (runner, NULL, &error);
  g_atomic_int_set (&w.stop, 1);
  g_thread_join (thread);
  g_assert_no_error (error);
  g_test_message ("async: %u files with the late one (%u samples)", w.max_with_last, w.samples);
  g_assert_cmpuint (w.max_with_last, ==, 1);
}

static void
test_peak_bytes (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"peak\","
    "  \"tasks\": [ { \"repeat\": 3, \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 100 },"
    "                                               { \"type\": \"file-write\", \"bytes\": 300 } ] },"
    "               { \"repeat\": 2, \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 1000 } ] },"
    "               { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }");

  /* A task holds its largest write; the largest tasks run together. */
  g_assert_cmpuint (il_io_scratch_peak_bytes (exp, 1), ==, 1000);
  g_assert_cmpuint (il_io_scratch_peak_bytes (exp, 2), ==, 2000);
  g_assert_cmpuint (il_io_scratch_peak_bytes (exp, 3), ==, 2300);
  g_assert_cmpuint (il_io_scratch_peak_bytes (exp, G_MAXUINT), ==, 2900);
}

/* ---------------------------------------------------------------- */
/* The CLI: a killed run's folder is swept by the next run               */

static char *
write_file (const char *dir,
            const char *name,
            const char *json)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* The environment with this test's private cache folder: the isolated
 * folders of g_test_init are not in the environment children get. */
static GStrv
child_env (void)
{
  return g_environ_setenv (g_get_environ (), "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
}

static int
run_cli (const char *path,
         char      **err)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = child_env ();
  const char *argv[] = { g_getenv ("IL_CLI"), "run", path, "--quiet", NULL };
  int         status = 0;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static gboolean
exists_in (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

static void
test_stale_swept (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *slow = NULL;
  g_autofree char *quick = NULL;
  g_autofree char *base = scratch_base ();
  g_autofree char *stale = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *legacy = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *unborn = NULL;
  g_autofree char *err = NULL;
  int              lock_fd;
  const char      *argv[] = { g_getenv ("IL_CLI"), "run", NULL, "--quiet", NULL };
  g_auto(GStrv) envp = NULL;
  GPid   pid;
  int    status;
  gint64 t0;

  if (g_getenv ("IL_CLI") == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  dir = g_dir_make_tmp ("il-scratch-XXXXXX", &error);
  g_assert_no_error (error);
  slow = write_file (dir, "slow.interleave",
                     "{ \"interleave\": 1, \"name\": \"slow\","
                     "  \"tasks\": [ { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 4096 },"
                     "                               { \"type\": \"sleep\", \"ms\": 20000 } ] } ],"
                     "  \"runs\": [ { \"executor\": \"sequential\" } ], \"settings\": { \"warmup\": 0 } }");
  quick = write_file (dir, "quick.interleave",
                      "{ \"interleave\": 1, \"name\": \"quick\","
                      "  \"tasks\": [ { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 4096 } ] } ],"
                      "  \"runs\": [ { \"executor\": \"sequential\" } ], \"settings\": { \"warmup\": 0 } }");

  /* Start a run, wait for its folder, and SIGKILL it. */
  argv[2] = slow;
  envp = child_env ();
  g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  /* Its folder, once it has its final name. */
  t0 = g_get_monotonic_time ();
  while (stale == NULL)
    {
      g_autoptr(GDir) d = g_dir_open (base, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_prefix (name, "run-"))
          stale = g_strdup (name);
      if (stale != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time () - t0, <, 20 * G_USEC_PER_SEC);
      g_usleep (10000);
    }
  kill (pid, SIGKILL);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (exists_in (base, stale));

  /* Folders that are not a dead run's stay: this (live) process's, and
   * one of an older naming whose owner cannot be told. */
  mine = g_strdup_printf ("run-%d-livexx", (int) getpid ());
  legacy = g_strdup ("run-Ab12Cd");
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (base, i == 0 ? mine : legacy, NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
    }

  /* Nor a dead pid's folder whose lock is held (a run in another pid
   * namespace), nor one still being made. */
  locked = g_strdup_printf ("run-%d-locked", (int) pid);
  unborn = g_strdup_printf (".new-%d-young1", (int) pid);
  {
    g_autofree char *path = g_build_filename (base, locked, NULL);
    g_autofree char *path2 = g_build_filename (base, unborn, NULL);

    g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
    g_assert_cmpint (g_mkdir (path2, 0700), ==, 0);
    lock_fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    g_assert_cmpint (lock_fd, >=, 0);
    g_assert_cmpint (flock (lock_fd, LOCK_EX | LOCK_NB), ==, 0);
  }

  /* The next run sweeps the dead one's folder, and cleans its own. */
  g_assert_cmpint (run_cli (quick, &err), ==, 0);
  g_test_message ("stale %s: %s", stale, exists_in (base, stale) ? "still there" : "swept");
  g_assert_false (exists_in (base, stale));
  g_assert_true (exists_in (base, mine));
  g_assert_true (exists_in (base, legacy));
  g_assert_true (exists_in (base, locked));
  g_assert_true (exists_in (base, unborn));
  g_assert_cmpint (count_entries (base), ==, 4);

  close (lock_fd);
  for (guint i = 0; i < 4; i++)
    {
      const char      *names[] = { mine, legacy, locked, unborn };
      g_autofree char *path = g_build_filename (base, names[i], NULL);

      g_rmdir (path);
    }
  g_unlink (slow);
  g_unlink (quick);
  g_rmdir (dir);
}

/* ---------------------------------------------------------------- */
/* Not enough room: refused before anything runs                      */

/* The folder chosen in the GUI's Preferences (IlRunOptions.scratch_base,
 * made when missing) holds the run folder, and the default one does not;
 * nothing stays in it afterwards. */
static void
test_chosen_base (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-scratch-XXXXXX", &error);
  g_autofree char *chosen = g_build_filename (dir, "chosen", "sub", NULL);
  g_autofree char *base = scratch_base ();
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"chosen\","
    "  \"tasks\": [ { \"repeat\": 2, \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 4096 },"
    "                                               { \"type\": \"sleep\", \"ms\": 150 },"
    "                                               { \"type\": \"file-read\", \"bytes\": 4096 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ], \"settings\": { \"repetitions\": 1, \"warmup\": 0 } }");
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(IlResults) results = NULL;
  Watch    in_chosen = { 0, 0, 0, 0, (char *) "none", chosen };
  Watch    in_default = { 0, 0, 0, 0, (char *) "none", NULL };
  GThread *t1, *t2;

  g_assert_no_error (error);
  options.scratch_base = chosen;
  runner = il_runner_new (exp, &options);
  t1 = g_thread_new ("watch-chosen", watch_thread, &in_chosen);
  t2 = g_thread_new ("watch-default", watch_thread, &in_default);
  results = il_runner_run (runner, NULL, &error);
  g_atomic_int_set (&in_chosen.stop, 1);
  g_atomic_int_set (&in_default.stop, 1);
  g_thread_join (t1);
  g_thread_join (t2);
  g_assert_no_error (error);
  g_assert_false (il_test_run_at (results, 0)->repetitions->len == 0);
  /* A run folder was seen in the chosen folder, with a task's file in it. */
  g_assert_cmpuint (in_chosen.samples, >, 0);
  g_assert_cmpuint (in_chosen.max_files, >=, 1);
  g_assert_cmpuint (in_default.samples, ==, 0);
  g_assert_cmpint (count_entries (chosen), ==, 0);
  g_assert_cmpint (count_entries (base), <=, 0);
  g_assert_cmpint (g_rmdir (chosen), ==, 0);
  {
    g_autofree char *parent = g_path_get_dirname (chosen);

    g_assert_cmpint (g_rmdir (parent), ==, 0);
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Whether this process may make a private mount namespace: 0, or the
 * errno of unshare(CLONE_NEWNS), tried in a child. Root is not always
 * capable: flatpak-builder's sandbox runs the tests as root without
 * CAP_SYS_ADMIN. */
static int
mount_namespace_errno (void)
{
  int   pipe_fds[2];
  int   got = 0;
  pid_t pid;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int e = unshare (CLONE_NEWNS) == 0 ? 0 : errno;

      if (write (pipe_fds[1], &e, sizeof e) != (ssize_t) sizeof e)
        _exit (1);
      _exit (0);
    }
  close (pipe_fds[1]);
  if (read (pipe_fds[0], &got, sizeof got) != (ssize_t) sizeof got)
    got = ECHILD;
  close (pipe_fds[0]);
  g_assert_cmpint (waitpid (pid, NULL, 0), ==, pid);
  return got;
}

/* On a 4 MiB tmpfs (a private mount namespace; needs root), a run that
 * writes 8 MiB is refused with exit 2 and a clear reason. */
static void
test_no_space (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_autofree char *unshare = NULL;
  int              status = 0;
  int              errsv;
  const char      *argv[] = { "unshare", "--mount", "--propagation", "private", "sh", "-c", NULL, NULL };

  if (g_getenv ("IL_CLI") == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  unshare = g_find_program_in_path ("unshare");
  if (geteuid () != 0 || unshare == NULL)
    {
      g_test_skip ("mounting a small tmpfs needs root and unshare");
      return;
    }
  if ((errsv = mount_namespace_errno ()) != 0)
    {
      g_autofree char *why = g_strdup_printf ("root here cannot make a private mount namespace "
                                              "(unshare: %s): no CAP_SYS_ADMIN, as in a sandbox",
                                              g_strerror (errsv));

      g_assert_true (errsv == EPERM || errsv == EINVAL || errsv == ENOSYS);
      g_test_skip (why);
      return;
    }
  dir = g_dir_make_tmp ("il-scratch-XXXXXX", &error);
  g_assert_no_error (error);
  cache = g_build_filename (dir, "cache", NULL);
  g_assert_cmpint (g_mkdir (cache, 0700), ==, 0);
  big = write_file (dir, "big.interleave",
                    "{ \"interleave\": 1, \"name\": \"big\","
                    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 8388608 } ] } ],"
                    "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  small = write_file (dir, "small.interleave",
                      "{ \"interleave\": 1, \"name\": \"small\","
                      "  \"tasks\": [ { \"repeat\": 4, \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 1048576 } ] } ],"
                      "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  /* Exit 77 from the script: the tmpfs could not be mounted. */
  script = g_strdup_printf ("mount -t tmpfs -o size=4m tmpfs '%s' 2>/dev/null || exit 77; "
                            "XDG_CACHE_HOME='%s' '%s' run '%s' --quiet; a=$?; "
                            "XDG_CACHE_HOME='%s' '%s' run '%s' --quiet >/dev/null; b=$?; "
                            "echo \"codes $a $b\" >&2; [ \"$a\" = 2 ] && [ \"$b\" = 0 ]",
                            cache, cache, g_getenv ("IL_CLI"), big, cache, g_getenv ("IL_CLI"), small);
  argv[6] = script;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
    {
      g_test_skip ("could not mount a tmpfs here");
    }
  else
    {
      /* The big one refused, naming the space; 4 × 1 MiB one by one fits,
       * since each task's file goes when the task ends. */
      g_assert_nonnull (strstr (err, "codes 2 0"));
      g_assert_nonnull (strstr (err, "free"));
      g_assert_nonnull (strstr (err, "8.4"));
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    }
  g_unlink (big);
  g_unlink (small);
  g_rmdir (cache);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  static const InFlightCase cases[] = {
    { "{ \"executor\": \"sequential\" }", 1 },
    { "{ \"executor\": \"threads\", \"workers\": 2 }", 2 },
    { "{ \"executor\": \"processes\", \"workers\": 2 }", 2 },
  };

  /* Isolated XDG folders: the scratch folders go to a private cache. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/il/scratch/in-flight/sequential", &cases[0], test_in_flight);
  g_test_add_data_func ("/il/scratch/in-flight/threads", &cases[1], test_in_flight);
  g_test_add_data_func ("/il/scratch/in-flight/processes", &cases[2], test_in_flight);
  g_test_add_func ("/il/scratch/in-flight/async", test_in_flight_async);
  g_test_add_func ("/il/scratch/peak-bytes", test_peak_bytes);
  g_test_add_func ("/il/scratch/stale-swept", test_stale_swept);
  g_test_add_func ("/il/scratch/no-space", test_no_space);
  g_test_add_func ("/il/scratch/chosen-base", test_chosen_base);

  return g_test_run ();
}
