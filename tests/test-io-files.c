/* test-io-files.c — file-write and file-read blocks: in every executor,
 * and on their own (verification, private scratch folder)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-error.h"
#include "il-experiment.h"
#include "il-io.h"
#include "il-results.h"
#include "il-runner.h"

#include "test-io-common.h"

/* ---------------------------------------------------------------- */
/* file blocks                                                       */

#define FILES_JSON_HEAD                                                                               \
  "{ \"interleave\": 1, \"name\": \"files\","                                                         \
  "  \"tasks\": [ { \"name\": \"rw\", \"repeat\": 6,"                                                 \
  "                 \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 4194304, \"fsync\": true }," \
  "                               { \"type\": \"file-read\", \"bytes\": 4194304 } ] } ],"             \
  "  \"runs\": [ "
#define FILES_JSON_TAIL " ], \"settings\": { \"repetitions\": 2 } }"

static void
test_files (gconstpointer data)
{
  const char      *run = data;
  g_autofree char *json = g_strconcat (FILES_JSON_HEAD, run, FILES_JSON_TAIL, NULL);
  g_autoptr(IlExperiment) exp = il_test_load (json);
  g_autoptr(IlResults) results = il_test_run_or_skip (exp);
  const IlRunResult *rr;

  if (results == NULL)
    return;
  rr = g_ptr_array_index (results->runs, 0);
  g_assert_cmpuint (rr->repetitions->len, ==, 2);
  for (guint r = 0; r < rr->repetitions->len; r++)
    {
      const IlRepetition *rep = g_ptr_array_index (rr->repetitions, r);

      assert_all_succeeded (rep, 6);
      for (guint i = 0; i < rep->tasks->len; i++)
        {
          const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

          g_assert_cmpuint (t->n_blocks, ==, 2);
          g_assert_cmpint (il_task_record_block (t, 0).type, ==, IL_BLOCK_FILE_WRITE);
          g_assert_cmpint (il_task_record_block (t, 1).type, ==, IL_BLOCK_FILE_READ);
        }
    }
  assert_no_scratch_left ();
}

static void
test_file_read_needs_write (void)
{
  static const char orphan[] =
    "{ \"interleave\": 1, \"name\": \"orphan read\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] },"
    "               { \"blocks\": [ { \"type\": \"file-read\", \"bytes\": 10 },"
    "                               { \"type\": \"file-write\", \"bytes\": 10 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }";
  g_autoptr(IlExperiment) exp = NULL;
  IlRunOptions options = { 0 };
  g_autoptr(IlRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) results = NULL;

  /* The file is refused when read, with its position (validate and run
   * agree)... */
  exp = il_experiment_load_data (orphan, -1, "orphan.interleave", &error);
  g_assert_null (exp);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "orphan.interleave:1:141: tasks[1].blocks[0].type: "));
  g_clear_error (&error);

  /* ...and a model edited into that order by the runner. */
  exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"orphan read\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"sleep\", \"ms\": 1 } ] },"
    "               { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 10 },"
    "                               { \"type\": \"file-read\", \"bytes\": 10 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  {
    GPtrArray *blocks = ((IlTaskGroup *) g_ptr_array_index (exp->tasks, 1))->blocks;
    gpointer   first = blocks->pdata[0];

    blocks->pdata[0] = blocks->pdata[1];
    blocks->pdata[1] = first;
  }
  runner = il_runner_new (exp, &options);
  results = il_runner_run (runner, NULL, &error);

  g_assert_null (results);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "tasks[1].blocks[0]"));
  assert_no_scratch_left ();
}

/* The blocks directly: a corrupted or short file is caught, sync and async;
 * the scratch folder is private. */
static void
test_file_verify (void)
{
  g_autoptr(IlExperiment) exp = il_test_load (
    "{ \"interleave\": 1, \"name\": \"f\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 3000000 },"
    "                               { \"type\": \"file-read\", \"bytes\": 3000000 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }");
  g_autoptr(GError) gerror = NULL;
  IlIoEnv           *env = il_io_env_new (exp, &gerror);
  const IlTaskGroup *group = g_ptr_array_index (exp->tasks, 0);
  const IlBlock     *wblock = g_ptr_array_index (group->blocks, 0);
  const IlBlock     *rblock = g_ptr_array_index (group->blocks, 1);
  g_autofree char   *dir = NULL;
  g_autofree char   *path = NULL;
  GStatBuf           st;
  gint64             ttfb = 0;

  g_assert_no_error (gerror);
  g_assert_null (il_io_env_get_server_url (env));
  dir = g_strdup (il_io_env_get_scratch_dir (env));
  g_assert_nonnull (dir);
  g_assert_true (g_str_has_prefix (dir, g_get_user_cache_dir ()));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  path = g_build_filename (dir, "task-7.bin", NULL);

  for (guint mode = 0; mode < 2; mode++)
    {
      g_autofree char *error = NULL;
      g_autofree char *error2 = NULL;
      g_autofree char *error3 = NULL;
      g_autofree char *error4 = NULL;
      gboolean         ok;
      FILE            *f;

      /* Nothing written yet for task 7. */
      g_unlink (path);
      ok = mode == 0 ? il_io_run_block (env, rblock, 7, NULL, &ttfb, &error)
                     : run_async (env, rblock, 7, &error, NULL);
      g_assert_false (ok);
      g_assert_nonnull (strstr (error, "does not exist"));

      ok = mode == 0 ? il_io_run_block (env, wblock, 7, NULL, &ttfb, &error2)
                     : run_async (env, wblock, 7, &error2, NULL);
      g_assert_no_errno (ok ? 0 : -1);
      g_assert_null (error2);
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_size, ==, 3000000);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      if (mode == 0)
        g_assert_cmpint (ttfb, ==, -1);

      /* Another task's content differs: task 8 reading task 7's file. */
      {
        g_autofree char *path8 = g_build_filename (dir, "task-8.bin", NULL);
        g_autofree char *err8 = NULL;

        g_assert_cmpint (rename (path, path8), ==, 0);
        ok = mode == 0 ? il_io_run_block (env, rblock, 8, NULL, &ttfb, &err8)
                       : run_async (env, rblock, 8, &err8, NULL);
        g_assert_false (ok);
        g_assert_nonnull (strstr (err8, "differs at byte 0"));
        g_assert_cmpint (rename (path8, path), ==, 0);
      }

      /* Flip one byte in the second chunk. */
      f = fopen (path, "r+b");
      g_assert_nonnull (f);
      {
        int c;

        fseek (f, 2000001, SEEK_SET);
        c = fgetc (f);
        /* A write after a read needs a seek in between. */
        fseek (f, 2000001, SEEK_SET);
        fputc (c ^ 0xff, f);
      }
      fclose (f);
      ok = mode == 0 ? il_io_run_block (env, rblock, 7, NULL, &ttfb, &error3)
                     : run_async (env, rblock, 7, &error3, NULL);
      g_assert_false (ok);
      g_test_message ("%s", error3);
      g_assert_nonnull (strstr (error3, "differs at byte 2000001"));

      /* Short file. */
      g_assert_cmpint (truncate (path, 1000), ==, 0);
      ok = mode == 0 ? il_io_run_block (env, rblock, 7, NULL, &ttfb, &error4)
                     : run_async (env, rblock, 7, &error4, NULL);
      g_assert_false (ok);
      g_assert_nonnull (strstr (error4, "holds 1000 bytes"));
    }

  /* Async write and read: the loop thread is mostly blocked, not running:
   * GIO's worker threads did the I/O. */
  {
    g_autofree char *error = NULL;
    IlStateTimes     state = { 0 };

    g_assert_true (run_async (env, wblock, 9, &error, NULL));
    g_assert_true (run_async (env, rblock, 9, &error, &state));
    g_assert_true (state.valid);
    g_test_message ("async read of 3 MB: loop running %" G_GINT64_FORMAT " µs, blocked %" G_GINT64_FORMAT " µs",
                    state.running, state.blocked);
    g_assert_cmpint (state.running + state.blocked, >, 0);
  }

  il_io_env_free (env);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  assert_no_scratch_left ();
}

int
main (int    argc,
      char **argv)
{
  /* Isolated XDG folders: the scratch folders go to a private cache. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/il/io/files/sequential", "{ \"executor\": \"sequential\" }", test_files);
  g_test_add_data_func ("/il/io/files/threads", "{ \"executor\": \"threads\", \"workers\": 3 }", test_files);
  g_test_add_data_func ("/il/io/files/processes", "{ \"executor\": \"processes\", \"workers\": 2 }", test_files);
  g_test_add_data_func ("/il/io/files/async", "{ \"executor\": \"async\" }", test_files);
  g_test_add_func ("/il/io/file-read-needs-write", test_file_read_needs_write);
  g_test_add_func ("/il/io/file-verify", test_file_verify);

  return g_test_run ();
}
