/* test-cli-output.c — interleave-cli's output paths (issue 8.4): symlinks,
 * FIFOs, full devices, standard output
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "test-cli-common.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   timed_out;
} WaitState;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WaitState *w = user_data;
  CliResult *r = g_object_get_data (source, "cli-result");
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &r->out, &r->err, &error);
  g_assert_no_error (error);
  g_main_loop_quit (w->loop);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  WaitState *w = user_data;

  w->timed_out = TRUE;
  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

/* run_cli(), but a CLI still running after @seconds is killed and the test
 * fails: an output path must never hang the command. */
static void
run_cli_within (CliResult  *r,
                guint       seconds,
                const char *first,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (seconds);
  WaitState w = { loop, FALSE };
  va_list   ap;

  g_ptr_array_add (args, (gpointer) cli_path ());
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_main_context_push_thread_default (context);
  proc = g_subprocess_newv ((const char *const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_object_set_data (G_OBJECT (proc), "cli-result", r);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicated_cb, &w);
  g_source_set_callback (timeout, timed_out_cb, &w, NULL);
  g_source_attach (timeout, context);
  g_main_loop_run (loop);
  g_source_destroy (timeout);
  if (w.timed_out)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      g_main_context_pop_thread_default (context);
      g_error ("interleave-cli did not finish within %u s", seconds);
    }
  g_main_context_pop_thread_default (context);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r->status = g_subprocess_get_exit_status (proc);
}

static void
assert_outputs (const char *json,
                const char *csv,
                const char *md,
                const char *trace)
{
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (json, &data, NULL, NULL));
  g_assert_nonnull (strstr (data, "\"interleave_results\": 1"));
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (csv, &data, NULL, NULL));
  g_assert_true (g_str_has_prefix (data, "run,label,"));
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (md, &data, NULL, NULL));
  g_assert_nonnull (strstr (data, "| run |"));
  g_clear_pointer (&data, g_free);
  g_assert_true (g_file_get_contents (trace, &data, NULL, NULL));
  g_assert_nonnull (strstr (data, "traceEvents"));
}

/* A symlink is followed and its target written; the link stays a link,
 * also when it dangles (the target is created). */
static void
test_output_symlink (void)
{
  g_autofree char  *path = write_temp ("small.interleave", small_experiment);
  g_autofree char  *dir = g_path_get_dirname (path);
  const char *const names[] = { "json", "csv", "md", "trace" };
  char             *links[4], *targets[4];
  CliResult         r = { 0 };

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *target_name = g_strdup_printf ("real.%s", names[i]);

      links[i] = g_strdup_printf ("%s/link.%s", dir, names[i]);
      targets[i] = g_build_filename (dir, target_name, NULL);
      /* Two existing targets, two dangling links. */
      if (i % 2 == 0)
        g_assert_true (g_file_set_contents (targets[i], "old", -1, NULL));
      g_assert_cmpint (symlink (target_name, links[i]), ==, 0);
    }

  run_cli (&r, "run", path, "--quiet", "--run", "0", "--repetitions", "1", "--json", links[0],
           "--csv", links[1], "--markdown", links[2], "--trace", links[3], NULL);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  cli_result_clear (&r);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *target_name = g_strdup_printf ("real.%s", names[i]);
      g_autofree char *read = g_file_read_link (links[i], NULL);

      g_assert_true (g_file_test (links[i], G_FILE_TEST_IS_SYMLINK));
      g_assert_cmpstr (read, ==, target_name);
      g_assert_false (g_file_test (targets[i], G_FILE_TEST_IS_SYMLINK));
    }
  assert_outputs (targets[0], targets[1], targets[2], targets[3]);
  for (guint i = 0; i < 4; i++)
    {
      g_free (links[i]);
      g_free (targets[i]);
    }
}

/* A FIFO with a reader gets the data, written in place: still a FIFO. */
static void
test_output_fifo_reader (void)
{
  g_autofree char *path = write_temp ("small.interleave", small_experiment);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *fifo = g_build_filename (dir, "out.fifo", NULL);
  GString         *got = g_string_new (NULL);
  CliResult        r = { 0 };
  struct stat      st;
  char             buf[4096];
  ssize_t          n;
  int              fd;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* The reader is there before the CLI writes (a non-blocking open of the
   * read end does not wait for a writer). The CSV fits a pipe's buffer. */
  fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  run_cli_within (&r, 60, "run", path, "--quiet", "--run", "0", "--repetitions", "1", "--csv", fifo, NULL);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  cli_result_clear (&r);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (got, buf, n);
  close (fd);
  g_assert_true (g_str_has_prefix (got->str, "run,label,"));
  g_assert_nonnull (strstr (got->str, "sequential"));
  g_string_free (got, TRUE);
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
}

/* A FIFO nobody reads: the command does not hang; it fails (exit 1, the
 * experiment ran) naming the path, the FIFO stays a FIFO and the other
 * outputs are still written. */
static void
test_output_fifo_no_reader (void)
{
  g_autofree char *path = write_temp ("small.interleave", small_experiment);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *fifo = g_build_filename (dir, "out.fifo", NULL);
  g_autofree char *json = g_build_filename (dir, "out.json", NULL);
  CliResult        r = { 0 };
  struct stat      st;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  run_cli_within (&r, 60, "run", path, "--quiet", "--run", "0", "--repetitions", "1",
                  "--trace", fifo, "--json", json, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, fifo));
  g_assert_nonnull (strstr (r.err, "no process is reading"));
  cli_result_clear (&r);
  g_assert_cmpint (lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_assert_true (g_file_test (json, G_FILE_TEST_IS_REGULAR));
}

/* /dev/full: the write error fails the command (exit 1) naming the path,
 * and /dev/full is still the device. Before, as root, it was replaced by a
 * regular file: only checked as root, where that could happen. */
static void
test_output_dev_full (void)
{
  g_autofree char *path = write_temp ("small.interleave", small_experiment);
  CliResult        r = { 0 };
  struct stat      st;

  if (geteuid () != 0 || lstat ("/dev/full", &st) < 0 || !S_ISCHR (st.st_mode))
    {
      g_test_skip ("needs root and /dev/full");
      return;
    }
  run_cli_within (&r, 60, "run", path, "--quiet", "--run", "0", "--repetitions", "1",
                  "--json", "/dev/full", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/dev/full"));
  g_assert_nonnull (strstr (r.err, g_strerror (ENOSPC)));
  cli_result_clear (&r);
  g_assert_cmpint (lstat ("/dev/full", &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
}

/* "-" is standard output for every output option. */
static void
test_output_stdout (void)
{
  g_autofree char  *path = write_temp ("small.interleave", small_experiment);
  const char *const options[] = { "--csv", "--markdown", "--trace" };
  const char *const expected[] = { "run,label,", "| run |", "\"traceEvents\"" };
  CliResult         r = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *dash = g_build_filename (cwd, "-", NULL);

      /* Not --quiet: the table goes to stderr, stdout is the data alone. */
      run_cli (&r, "run", path, "--run", "0", "--repetitions", "1", options[i], "-", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, expected[i]));
      g_assert_null (strstr (r.out, "makespan median"));
      g_assert_nonnull (strstr (r.err, "makespan median"));
      g_assert_false (g_file_test (dash, G_FILE_TEST_EXISTS));
      cli_result_clear (&r);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/cli/output/symlink", test_output_symlink);
  g_test_add_func ("/il/cli/output/fifo-reader", test_output_fifo_reader);
  g_test_add_func ("/il/cli/output/fifo-no-reader", test_output_fifo_no_reader);
  g_test_add_func ("/il/cli/output/dev-full", test_output_dev_full);
  g_test_add_func ("/il/cli/output/stdout", test_output_stdout);

  return g_test_run ();
}
