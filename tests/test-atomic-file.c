/* test-atomic-file.c — saves never lose a file: a full disk, a kill in the
 * middle, symlinks, FIFOs and devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "il-atomic-file.h"
#include "il-experiment.h"

/* An experiment of about @kib KiB when saved. */
static IlExperiment *
experiment_of_size (const char *name,
                    guint       kib)
{
  IlExperiment *experiment = il_experiment_new ();
  GString      *description = g_string_new (NULL);

  g_free (experiment->name);
  experiment->name = g_strdup (name);
  /* "é" is two bytes: up to 20 KB of description. */
  for (guint i = 0; i < MIN (kib * 512, IL_MAX_DESCRIPTION_CHARS); i++)
    g_string_append (description, "é");
  g_free (experiment->description);
  experiment->description = g_string_free (description, FALSE);
  /* The rest in task groups (about 100 bytes each). */
  for (guint i = 20; i < kib && experiment->tasks->len + 10 <= IL_MAX_TASK_GROUPS; i++)
    for (guint j = 0; j < 10; j++)
      {
        IlTaskGroup *group = il_task_group_new ();

        group->name = g_strdup_printf ("group %u.%u", i, j);
        g_ptr_array_add (experiment->tasks, group);
      }
  return experiment;
}

static char *
read_all (const char *path,
          gsize      *length)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, NULL));
  return contents;
}

/* Entries in @dir other than the names given. */
static guint
count_others (const char *dir,
              ...)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      gboolean known = FALSE;
      va_list  ap;

      va_start (ap, dir);
      for (const char *k = va_arg (ap, const char *); k != NULL; k = va_arg (ap, const char *))
        known = known || g_str_equal (k, name);
      va_end (ap);
      if (!known)
        n++;
    }
  return n;
}

static void
test_keeps_mode (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(IlExperiment) experiment = experiment_of_size ("mode", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = il_experiment_to_data (experiment, NULL);
  g_autofree char *contents = NULL;
  struct stat      st;

  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_true (il_experiment_save_file (experiment, file, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  contents = read_all (path, NULL);
  g_assert_cmpstr (contents, ==, expected);
  g_assert_cmpuint (count_others (dir, "t.interleave", NULL), ==, 0);
  g_unlink (path);
  g_rmdir (dir);
}

/* A symlink is followed: its target gets the new content, the link stays a
 * link (the GUI's Save and every export alike). */
static void
test_symlink (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *real = g_build_filename (dir, "real.interleave", NULL);
  g_autofree char *link = g_build_filename (dir, "link.interleave", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling.interleave", NULL);
  g_autofree char *created = g_build_filename (dir, "created.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (link);
  g_autoptr(IlExperiment) experiment = experiment_of_size ("link", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = il_experiment_to_data (experiment, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *created_contents = NULL;
  g_autofree char *target = NULL;

  g_assert_true (g_file_set_contents (real, "old", -1, NULL));
  g_assert_cmpint (symlink ("real.interleave", link), ==, 0);
  g_assert_true (il_experiment_save_file (experiment, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, "real.interleave");
  contents = read_all (real, NULL);
  g_assert_cmpstr (contents, ==, expected);

  /* A dangling link: its target is created, the link kept. */
  g_assert_cmpint (symlink ("created.interleave", dangling), ==, 0);
  g_assert_true (il_atomic_file_write_path (dangling, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dangling, G_FILE_TEST_IS_SYMLINK));
  created_contents = read_all (created, NULL);
  g_assert_cmpstr (created_contents, ==, "new");
  g_assert_cmpuint (count_others (dir, "real.interleave", "link.interleave", "dangling.interleave",
                                  "created.interleave", NULL),
                    ==, 0);

  g_unlink (link);
  g_unlink (dangling);
  g_unlink (real);
  g_unlink (created);
  g_rmdir (dir);
}

static gpointer
close_later (gpointer data)
{
  g_usleep (100 * 1000);
  close (GPOINTER_TO_INT (data));
  return NULL;
}

static void
test_special (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autoptr(GError) error = NULL;
  struct stat st;
  gint64      start;

  /* A folder is refused. */
  g_assert_false (il_atomic_file_write_path (dir, "x", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_clear_error (&error);

  /* A FIFO nobody reads: an error at once, and still a FIFO. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  start = g_get_monotonic_time ();
  g_assert_false (il_atomic_file_write_path (fifo, "x", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, fifo));
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));

  /* A reader that goes away mid-write: an error, not a SIGPIPE. */
  {
    int              rd = open (fifo, O_RDONLY | O_NONBLOCK);
    GThread         *closer;
    gsize            big = 4 * 1024 * 1024;
    g_autofree char *data = g_malloc0 (big);

    g_assert_cmpint (rd, >=, 0);
    closer = g_thread_new ("closer", close_later, GINT_TO_POINTER (rd));
    g_assert_false (il_atomic_file_write_path (fifo, data, big, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
    g_clear_error (&error);
    g_thread_join (closer);
  }

  /* /dev/full: ENOSPC reported, naming it, and it stays a device. */
  if (g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_assert_false (il_atomic_file_write_path ("/dev/full", "x", 1, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_assert_nonnull (strstr (error->message, "/dev/full"));
      g_clear_error (&error);
      g_assert_cmpint (lstat ("/dev/full", &st), ==, 0);
      g_assert_true (S_ISCHR (st.st_mode));
    }

  g_unlink (fifo);
  g_rmdir (dir);
}

/* Temporaries left by a killed save of the same target are swept by the
 * next save; a live process's are kept. */
static void
test_sweeps_stale (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.json", NULL);
  g_autofree char *stale = NULL;
  g_autofree char *live = NULL;
  g_autofree char *other = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;
  int  status;

  /* A process that is surely gone: started and reaped. */
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  stale = g_strdup_printf ("%s/.t.json.~%d-abcdef", dir, (int) pid);
  live = g_strdup_printf ("%s/.t.json.~%d-abcdef", dir, (int) getpid ());
  other = g_strdup_printf ("%s/.u.json.~%d-abcdef", dir, (int) pid);
  g_assert_true (g_file_set_contents (stale, "x", -1, NULL));
  g_assert_true (g_file_set_contents (live, "x", -1, NULL));
  g_assert_true (g_file_set_contents (other, "x", -1, NULL));

  g_assert_true (il_atomic_file_write_path (path, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));

  g_unlink (live);
  g_unlink (other);
  g_unlink (path);
  g_rmdir (dir);
}

/* Finding 3: on a full filesystem the existing file stays whole, byte for
 * byte, and the error says so. Needs root to mount a tiny tmpfs. */
static void
test_enospc_keeps_old (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.interleave", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(IlExperiment) small = experiment_of_size ("small", 1);
  g_autoptr(IlExperiment) large = experiment_of_size ("large", 48);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize            before_len, after_len;
  char             chunk[4096];
  gsize            filled = 0;
  int              fd;

  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=128k,mode=0700") < 0)
    {
      g_autofree char *msg = g_strdup_printf ("cannot mount a tmpfs (needs root): %s", g_strerror (errno));

      g_rmdir (dir);
      g_test_skip (msg);
      return;
    }

  g_assert_true (il_experiment_save_file (small, file, &error));
  g_assert_no_error (error);
  before = read_all (path, &before_len);

  /* Fill the filesystem, then leave two pages: the large save starts
   * writing, then runs out. */
  memset (chunk, 'f', sizeof chunk);
  fd = open (filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      ssize_t n = write (fd, chunk, sizeof chunk);

      if (n <= 0)
        break;
      filled += (gsize) n;
    }
  g_assert_cmpuint (filled, >, 8192);
  g_assert_cmpint (ftruncate (fd, (off_t) (filled - 8192)), ==, 0);
  close (fd);

  g_assert_false (il_experiment_save_file (large, file, &error));
  after = read_all (path, &after_len);
  g_assert_cmpmem (after, after_len, before, before_len);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("error: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (count_others (dir, "t.interleave", "filler", NULL), ==, 0);

  /* With room again, the same save succeeds. */
  g_unlink (filler);
  g_assert_true (il_experiment_save_file (large, file, &error));
  g_assert_no_error (error);

  g_assert_cmpint (umount2 (dir, MNT_DETACH), ==, 0);
  g_rmdir (dir);
}

/* Finding 3: a process saving two documents alternately over one file is
 * killed at random points, many times. After each kill the file is one of
 * the two (or the original), whole, and no more than one temporary is
 * ever left beside it.
 *
 * Half of the kills land anywhere in the first saves, at a time chosen
 * from how long a save takes in this process. The other half wait until
 * the helper reports its first save (of b) complete and land within the
 * time that save took, so in the middle of the second one whatever the
 * disk's speed at that moment (on a loaded CI machine an fsync can take
 * far longer than the estimate, and every kill of the first kind could
 * come before a save completes). */
static void
test_sigkill_loop (void)
{
  const char      *helper = g_getenv ("IL_SAVE_LOOP_HELPER");
  g_autofree char *dir = g_dir_make_tmp ("il-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.interleave", NULL);
  g_autofree char *path_a = g_build_filename (dir, "a.interleave", NULL);
  g_autofree char *path_b = g_build_filename (dir, "b.interleave", NULL);
  g_autoptr(IlExperiment) a = experiment_of_size ("a", 2);
  g_autoptr(IlExperiment) b = experiment_of_size ("b", 40);
  g_autoptr(IlExperiment) o = experiment_of_size ("original", 20);
  g_autoptr(GError) error = NULL;
  g_autofree char *data_a = NULL;
  g_autofree char *data_b = NULL;
  g_autofree char *data_o = NULL;
  gsize            len_a, len_b, len_o;
  guint            seen_o = 0, seen_a = 0, seen_b = 0, seen_temp = 0;
  guint            iterations = 200;
  guint            done = 0;
  gint64           window_us;
  gint64           loop_start;

  g_assert_nonnull (helper);
  {
    g_autoptr(GFile) fa = g_file_new_for_path (path_a);
    g_autoptr(GFile) fb = g_file_new_for_path (path_b);

    g_assert_true (il_experiment_save_file (a, fa, &error));
    g_assert_true (il_experiment_save_file (b, fb, &error));
    g_assert_no_error (error);
  }
  /* Kills land anywhere in the first few saves: the window follows how
   * long a save of b takes here (a few ms; far more under a sanitizer or
   * on a slow disk), so that some kills come after a completed save. */
  {
    g_autoptr(GFile) fb = g_file_new_for_path (path_b);
    gint64 start = g_get_monotonic_time ();

    g_assert_true (il_experiment_save_file (b, fb, &error));
    g_assert_no_error (error);
    window_us = MAX (50000, 4 * (g_get_monotonic_time () - start));
  }
  data_a = read_all (path_a, &len_a);
  data_b = read_all (path_b, &len_b);
  g_assert_cmpuint (len_b, >, 10 * len_a);
  {
    g_autoptr(GFile) fo = g_file_new_for_path (path);

    g_assert_true (il_experiment_save_file (o, fo, &error));
    g_assert_no_error (error);
    data_o = read_all (path, &len_o);
    g_assert_cmpuint (len_o, !=, len_a);
    g_assert_cmpuint (len_o, !=, len_b);
  }

  /* 200 kills, or as many as fit in two minutes once 40 are done: a kill
   * costs a process start and a document load, seconds each under a
   * sanitizer on a loaded machine. */
  loop_start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations && (i < 40 || g_get_monotonic_time () - loop_start < 120 * G_USEC_PER_SEC); i++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autofree char *now = NULL;
      gsize            now_len;
      guint            others;
      gboolean         reported_save = (i % 2 == 1);

      /* Each kill starts from the original document. */
      g_assert_true (g_file_set_contents (path, data_o, (gssize) len_o, NULL));
      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, helper, path, path_a, path_b, NULL);
      g_assert_no_error (error);
      /* Once it has loaded both documents, it saves without a pause (a
       * save takes a few ms with its fsyncs): kill it at a random point. */
      {
        g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
        g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
        gint64           kill_within = window_us;

        g_assert_no_error (error);
        g_assert_cmpstr (line, ==, "ready");
        if (reported_save)
          {
            g_autofree char *saved = g_data_input_stream_read_line (out, NULL, NULL, &error);

            g_assert_no_error (error);
            g_assert_nonnull (saved);
            g_assert_true (g_str_has_prefix (saved, "saved "));
            kill_within = MAX (1, g_ascii_strtoll (saved + strlen ("saved "), NULL, 10));
          }
        g_usleep ((gulong) g_random_int_range (0, (gint32) MIN (kill_within, G_MAXINT32)));
        /* Killed and reaped before the pipe closes: the helper's next
         * report would otherwise die of SIGPIPE. */
        g_subprocess_send_signal (proc, SIGKILL);
        g_assert_true (g_subprocess_wait (proc, NULL, &error));
        g_assert_no_error (error);
      }
      /* It was killed, not stopped by a failed save. */
      g_assert_true (g_subprocess_get_if_signaled (proc));
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);

      now = read_all (path, &now_len);
      if (now_len == len_o && memcmp (now, data_o, len_o) == 0)
        {
          /* The helper really saves: once it reported a completed save,
           * the original is gone. */
          g_assert_false (reported_save);
          seen_o++;
        }
      else if (now_len == len_a && memcmp (now, data_a, len_a) == 0)
        seen_a++;
      else if (now_len == len_b && memcmp (now, data_b, len_b) == 0)
        seen_b++;
      else
        g_error ("iteration %u: the file is neither document (%" G_GSIZE_FORMAT " bytes)", i, now_len);

      others = count_others (dir, "t.interleave", "a.interleave", "b.interleave", NULL);
      g_assert_cmpuint (others, <=, 1);
      seen_temp += others;
      done++;
    }
  g_test_message ("%u kills (half within %" G_GINT64_FORMAT " ms of the start): %u left the original, "
                  "%u left a, %u left b, %u left a temporary",
                  done, window_us / 1000, seen_o, seen_a, seen_b, seen_temp);
  g_assert_cmpuint (done, >=, 40);
  g_assert_cmpuint (seen_o + seen_a + seen_b, ==, done);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);

        g_unlink (p);
      }
  }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/atomic-file/keeps-mode", test_keeps_mode);
  g_test_add_func ("/il/atomic-file/symlink", test_symlink);
  g_test_add_func ("/il/atomic-file/special", test_special);
  g_test_add_func ("/il/atomic-file/sweeps-stale", test_sweeps_stale);
  g_test_add_func ("/il/atomic-file/enospc-keeps-old", test_enospc_keeps_old);
  g_test_add_func ("/il/atomic-file/sigkill-loop", test_sigkill_loop);

  return g_test_run ();
}
