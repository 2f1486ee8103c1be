/* test-io-consent.c — a url outside this machine needs consent, in the
 * core and the CLI; the CLI reports a failed http block
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "il-error.h"
#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"
#include "il-server.h"

#include "test-io-common.h"

/* ---------------------------------------------------------------- */
/* Consent and the CLI                                               */

static char *
write_experiment (const char *dir,
                  const char *json)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "exp.interleave", NULL);

  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  return path;
}

static int
run_cli (const char *const *args,
         char             **out,
         char             **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  /* g_test_init's isolated folders are not in the children's environment:
   * give the CLI this test's cache, where assert_no_scratch_left looks. */
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  const char *cli = g_getenv ("IL_CLI");
  int         status = 0;

  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_consent (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-io-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *json_out = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlRunner) runner = NULL;
  IlRunOptions options = { 0 };
  const char  *json =
    "{ \"interleave\": 1, \"name\": \"network\","
    "  \"tasks\": [ { \"blocks\": [ { \"type\": \"file-write\", \"bytes\": 10 },"
    "                               { \"type\": \"http\", \"url\": \"https://example.invalid/x\" } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }";
  int code;

  g_assert_no_error (error);

  /* The core refuses before anything runs. */
  exp = il_test_load (json);
  runner = il_runner_new (exp, &options);
  g_assert_false (il_runner_check (runner, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_CONSENT);
  g_assert_nonnull (strstr (error->message, "example.invalid"));
  g_clear_error (&error);
  g_assert_null (il_runner_run (runner, NULL, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_CONSENT);
  g_clear_error (&error);
  assert_no_scratch_left ();

  if (g_getenv ("IL_CLI") == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  path = write_experiment (dir, json);
  json_out = g_build_filename (dir, "out.json", NULL);
  code = run_cli ((const char *const[]){ "run", path, "--json", json_out, NULL }, &out, &err);
  g_test_message ("exit %d, stderr: %s", code, err);
  g_assert_cmpint (code, ==, 2);
  g_assert_nonnull (strstr (err, "example.invalid"));
  g_assert_nonnull (strstr (err, "--allow-network"));
  /* Nothing ran: no table, no results file, no scratch folder. */
  g_assert_cmpstr (out, ==, "");
  g_assert_false (g_file_test (json_out, G_FILE_TEST_EXISTS));
  assert_no_scratch_left ();

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_cli_404 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlServer) server = il_server_new (&error);
  g_autofree char *dir = g_dir_make_tmp ("il-io-XXXXXX", &error);
  g_autofree char *json = NULL;
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              code;

  g_assert_no_error (error);
  if (g_getenv ("IL_CLI") == NULL)
    {
      g_test_skip ("IL_CLI is not set");
      return;
    }
  json = g_strdup_printf ("{ \"interleave\": 1, \"name\": \"404\","
                          "  \"tasks\": [ { \"blocks\": [ { \"type\": \"http\", \"url\": \"%s/nope\" } ] } ],"
                          "  \"runs\": [ { \"executor\": \"sequential\" } ] }",
                          il_server_get_url (server));
  path = write_experiment (dir, json);
  code = run_cli ((const char *const[]){ "run", path, "--quiet", "--allow-network", NULL }, &out, &err);
  g_test_message ("exit %d, stderr: %s", code, err);
  g_assert_cmpint (code, ==, 1);
  g_assert_nonnull (strstr (err, "HTTP 404"));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  /* Isolated XDG folders: the scratch folders go to a private cache. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/il/io/consent", test_consent);
  g_test_add_func ("/il/io/cli-404", test_cli_404);

  return g_test_run ();
}
