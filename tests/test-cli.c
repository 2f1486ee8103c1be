/* test-cli.c — interleave-cli as scripts and users see it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "il-results.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static const char *
cli_path (void)
{
  const char *path = g_getenv ("IL_CLI");

  g_assert_nonnull (path);
  return path;
}

static void
run_cli (CliResult  *r,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) cli_path ());
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  proc = g_subprocess_newv ((const char *const *) args->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r->status = g_subprocess_get_exit_status (proc);
}

static char *
write_temp (const char *name,
            const char *contents)
{
  g_autofree char *dir = g_dir_make_tmp ("il-cli-XXXXXX", NULL);
  char            *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static const char small_experiment[] =
  "{ \"interleave\": 1, \"name\": \"small\",\n"
  "  \"tasks\": [ { \"name\": \"frag\", \"repeat\": 4,\n"
  "               \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3 },\n"
  "                             { \"type\": \"sleep\", \"ms\": 2 } ] } ],\n"
  "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"sequential\", \"label\": \"twice\" } ],\n"
  "  \"settings\": { \"repetitions\": 2 } }\n";

static void
test_usage (void)
{
  CliResult r = { 0 };

  run_cli (&r, NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli_result_clear (&r);

  run_cli (&r, "frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "frobnicate"));
  cli_result_clear (&r);

  run_cli (&r, "run", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli_result_clear (&r);

  run_cli (&r, "run", "/nonexistent/x.interleave", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "/nonexistent/x.interleave"));
  cli_result_clear (&r);

  run_cli (&r, "run", "example:cpu-bound", "--run", "7", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "run 7"));
  cli_result_clear (&r);

  run_cli (&r, "run", "example:cpu-bound", "--executor", "teleport", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli_result_clear (&r);

  run_cli (&r, "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "validate"));
  cli_result_clear (&r);
}

static guint
validate_all_in (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      CliResult        r = { 0 };

      if (!g_str_has_suffix (name, ".interleave"))
        continue;
      run_cli (&r, "validate", path, NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "valid"));
      cli_result_clear (&r);
      n++;
    }
  return n;
}

/* Every built-in example and every valid file of the tests (FORMAT.md's own
 * example among them) is accepted. */
static void
test_validate_examples (void)
{
  const char      *root = g_getenv ("IL_SOURCE_ROOT");
  g_autofree char *examples = g_build_filename (root, "data", "examples", NULL);
  g_autofree char *valid = g_test_build_filename (G_TEST_DIST, "data", "valid", NULL);

  g_assert_cmpuint (validate_all_in (examples), >=, 6);
  g_assert_cmpuint (validate_all_in (valid), >=, 2);
}

/* Every file in tests/data/invalid/ is refused with exit 2 and a message
 * that starts with FILE:LINE:COLUMN. */
static void
test_validate_invalid (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", "invalid", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GRegex) re = NULL;
  const char *name;
  guint       n = 0;

  if (d == NULL)
    {
      g_test_skip ("no tests/data/invalid");
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *escaped = g_regex_escape_string (path, -1);
      g_autofree char *pattern = g_strdup_printf ("^%s:[0-9]+:[0-9]+: .+", escaped);
      CliResult        r = { 0 };

      if (!g_str_has_suffix (name, ".interleave"))
        continue;
      g_clear_pointer (&re, g_regex_unref);
      re = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
      run_cli (&r, "validate", path, NULL);
      if (r.status != 2 || !g_regex_match (re, r.err, 0, NULL))
        g_error ("%s: expected exit 2 and FILE:LINE:COLUMN, got %d: %s", name, r.status, r.err);
      cli_result_clear (&r);
      n++;
    }
  g_assert_cmpuint (n, >=, 5);
}

static void
test_run_table_and_json (void)
{
  g_autofree char *path = write_temp ("small.interleave", small_experiment);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *json_path = g_build_filename (dir, "results.json", NULL);
  g_autofree char *md_path = g_build_filename (dir, "results.md", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) back = NULL;
  g_autofree char *md = NULL;
  CliResult        r = { 0 };
  JsonObject      *root, *run0, *summary, *rep0, *task0;

  run_cli (&r, "run", path, "--json", json_path, "--markdown", md_path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  /* The table: a header with units, both runs, a checksum, the fastest run. */
  g_assert_nonnull (strstr (r.out, "makespan"));
  g_assert_nonnull (strstr (r.out, "sequential"));
  g_assert_nonnull (strstr (r.out, "twice"));
  g_assert_nonnull (strstr (r.out, "fastest"));
  g_assert_nonnull (strstr (r.out, " ms"));
  cli_result_clear (&r);

  /* The results document, in FORMAT.md's shape. */
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "interleave_results"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (root, "experiment"), ==, "small");
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "machine"), "cpu_model"));
  g_assert_true (json_object_has_member (json_object_get_object_member (root, "machine"), "cores"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "warnings")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "runs")), ==, 2);
  run0 = json_array_get_object_element (json_object_get_array_member (root, "runs"), 0);
  g_assert_cmpstr (json_object_get_string_member (run0, "label"), ==, "sequential");
  g_assert_cmpstr (json_object_get_string_member (run0, "executor"), ==, "sequential");
  summary = json_object_get_object_member (run0, "summary");
  g_assert_true (json_object_has_member (json_object_get_object_member (summary, "makespan_ms"), "median"));
  g_assert_true (json_object_has_member (json_object_get_object_member (summary, "makespan_ms"), "stddev"));
  g_assert_cmpfloat (json_object_get_double_member (summary, "speedup"), ==, 1.0);
  g_assert_true (json_object_has_member (json_object_get_object_member (summary, "latency_ms"), "p95"));
  g_assert_cmpuint (strlen (json_object_get_string_member (summary, "checksum")), ==, 16);
  g_assert_true (json_object_has_member (summary, "overhead_cpu_ms"));
  g_assert_true (json_object_has_member (summary, "ctx_involuntary"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (run0, "repetitions")), ==, 2);
  rep0 = json_array_get_object_element (json_object_get_array_member (run0, "repetitions"), 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (rep0, "tasks")), ==, 4);
  g_assert_true (json_object_has_member (json_object_get_object_member (rep0, "core_load"), "hz"));
  task0 = json_array_get_object_element (json_object_get_array_member (rep0, "tasks"), 0);
  for (const char *const *k = (const char *const[]){ "group", "index", "worker", "pid", "tid", "cpu_start", "cpu_end",
                                                     "queued_us", "start_us", "end_us", "state_us", "blocks", NULL };
       *k != NULL; k++)
    if (!json_object_has_member (task0, *k))
      g_error ("task record lacks %s", *k);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (task0, "blocks")), ==, 2);

  /* …and it reads back. */
  back = il_results_from_json (json_parser_get_root (parser), "$", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->runs->len, ==, 2);

  g_assert_true (g_file_get_contents (md_path, &md, NULL, NULL));
  g_assert_nonnull (strstr (md, "| run |"));
  g_assert_nonnull (strstr (md, "twice"));
}

static void
test_run_json_stdout (void)
{
  g_autofree char *path = write_temp ("small.interleave", small_experiment);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CliResult r = { 0 };

  run_cli (&r, "run", path, "--json", "-", "--run", "1", "--repetitions", "1", NULL);
  g_assert_cmpint (r.status, ==, 0);
  /* stdout is only JSON; the table went to stderr. */
  json_parser_load_from_data (parser, r.out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "runs")), ==, 1);
  g_assert_nonnull (strstr (r.err, "twice"));
  cli_result_clear (&r);

  run_cli (&r, "run", path, "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, "");
  cli_result_clear (&r);
}

/* A results document that could not be written is a failure, also on
 * standard output (a full disk, a closed pipe): exit 1 with a message, not
 * 0 with nothing written. */
static void
test_run_json_stdout_full (void)
{
  g_autofree char *path = write_temp ("small.interleave", small_experiment);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full here");
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/full");
  proc = g_subprocess_launcher_spawn (launcher, &error, cli_path (), "run", path, "--quiet",
                                      "--json", "-", "--run", "0", "--repetitions", "1", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (err);
  g_assert_cmpstr (err, !=, "");
}

static void
test_examples_and_calibrate (void)
{
  CliResult r = { 0 };
  g_auto(GStrv) lines = NULL;
  guint kernels = 0;

  run_cli (&r, "examples", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "example:cpu-bound"));
  cli_result_clear (&r);

  run_cli (&r, "calibrate", "--budget", "100", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      const char *names[] = { "spin", "primes", "hash", "matmul" };

      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        if (g_strcmp0 (f[0], names[k]) == 0)
          {
            double ms = -1;

            for (guint j = 1; f[j] != NULL; j++)
              if (*f[j] != '\0')
                {
                  ms = g_ascii_strtod (f[j], NULL);
                  break;
                }
            /* Issue 2's acceptance: 0.2 – 5 ms per unit here. */
            if (ms < 0.2 || ms > 5.0)
              g_error ("%s: %.3f ms per unit is outside 0.2–5 ms", names[k], ms);
            kernels++;
          }
    }
  g_assert_cmpuint (kernels, ==, 4);
  cli_result_clear (&r);
}

/* Ctrl+C during a long CPU-bound run: stops within 0.5 s, exit 1, the
 * partial results written. */
static gboolean
sigint_once (gdouble *stop_s)
{
  g_autofree char *path = write_temp ("long.interleave",
                                      "{ \"interleave\": 1, \"name\": \"long\",\n"
                                      "  \"tasks\": [ { \"repeat\": 400, \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 100 } ] } ],\n"
                                      "  \"runs\": [ { \"executor\": \"sequential\" } ] }\n");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *json_path = g_build_filename (dir, "partial.json", NULL);
  const char      *argv[] = { cli_path (), "run", path, "--json", json_path, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64      t0;
  JsonObject *root;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_usleep (700 * 1000);
  t0 = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  *stop_s = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;

  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  {
    JsonObject *run0 = json_array_get_object_element (json_object_get_array_member (root, "runs"), 0);
    JsonObject *rep0 = json_array_get_object_element (json_object_get_array_member (run0, "repetitions"), 0);
    guint       n = json_array_get_length (json_object_get_array_member (rep0, "tasks"));

    g_assert_true (json_object_get_boolean_member (rep0, "cancelled"));
    g_assert_cmpuint (n, >, 0);
    g_assert_cmpuint (n, <, 400);
  }
  return *stop_s < 0.5;
}

static void
test_sigint (void)
{
  double s = 0;

  /* One retry: a loaded machine can delay a process by a few hundred ms. */
  if (!sigint_once (&s) && !sigint_once (&s))
    g_error ("interleave-cli took %.2f s to stop after SIGINT", s);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/cli/usage", test_usage);
  g_test_add_func ("/il/cli/validate-examples", test_validate_examples);
  g_test_add_func ("/il/cli/validate-invalid", test_validate_invalid);
  g_test_add_func ("/il/cli/run-table-json", test_run_table_and_json);
  g_test_add_func ("/il/cli/run-json-stdout", test_run_json_stdout);
  g_test_add_func ("/il/cli/run-json-stdout-full", test_run_json_stdout_full);
  g_test_add_func ("/il/cli/examples-calibrate", test_examples_and_calibrate);
  g_test_add_func ("/il/cli/sigint", test_sigint);

  return g_test_run ();
}
