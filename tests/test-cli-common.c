/* test-cli-common.c — helpers of the CLI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "test-cli-common.h"

void
cli_result_clear (CliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

const char *
cli_path (void)
{
  const char *path = g_getenv ("IL_CLI");

  g_assert_nonnull (path);
  return path;
}

void
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

char *
write_temp (const char *name,
            const char *contents)
{
  g_autofree char *dir = g_dir_make_tmp ("il-cli-XXXXXX", NULL);
  char            *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

const char small_experiment[] =
  "{ \"interleave\": 1, \"name\": \"small\",\n"
  "  \"tasks\": [ { \"name\": \"frag\", \"repeat\": 4,\n"
  "               \"blocks\": [ { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 3 },\n"
  "                             { \"type\": \"sleep\", \"ms\": 2 } ] } ],\n"
  "  \"runs\": [ { \"executor\": \"sequential\" }, { \"executor\": \"sequential\", \"label\": \"twice\" } ],\n"
  "  \"settings\": { \"repetitions\": 2 } }\n";
