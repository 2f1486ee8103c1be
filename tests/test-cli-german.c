/* test-cli-german.c — interleave-cli in German (issue 12): the table's
 * headings and an error message come from po/de.po, figures in the table use
 * the German decimal comma, and the results document stays in the C locale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CLI runs with LANGUAGE=de and LANG/LC_ALL=de_DE.UTF-8, and finds the
 * catalogue built in <builddir>/po through IL_LOCALEDIR (set by
 * tests/meson.build). Without the de_DE.UTF-8 locale (build-aux/test
 * generates it) every case skips.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "il-examples.h"
#include "il-i18n.h"
#include "test-cli-common.h"

#define GERMAN_LOCALE "de_DE.UTF-8"

static gboolean
have_german_locale (void)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  gboolean         ok = setlocale (LC_ALL, GERMAN_LOCALE) != NULL;

  setlocale (LC_ALL, saved);
  return ok;
}

static gboolean
skip_without_german (void)
{
  if (have_german_locale ())
    return FALSE;
  g_test_skip ("the " GERMAN_LOCALE " locale is missing (build-aux/test generates it)");
  return TRUE;
}

/* The catalogue the CLI is to find: a missing one fails the test, since
 * every German string would silently stay English. */
static void
assert_catalogue (void)
{
  const char      *dir = g_getenv ("IL_LOCALEDIR");
  g_autofree char *mo = NULL;

  g_assert_nonnull (dir);
  mo = g_build_filename (dir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  if (!g_file_test (mo, G_FILE_TEST_IS_REGULAR))
    g_error ("%s is missing: is de in po/LINGUAS?", mo);
}

static void
test_table_headings (void)
{
  g_autofree char *path = NULL;
  CliResult        r = { 0 };

  if (skip_without_german ())
    return;
  assert_catalogue ();
  path = write_temp ("small.interleave", small_experiment);
  run_cli (&r, "run", path, "--repetitions", "1", NULL);
  g_test_message ("stdout:\n%s\nstderr:\n%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);

  /* The headings of the table, and the line under it. */
  g_assert_nonnull (strstr (r.out, "Lauf"));
  g_assert_nonnull (strstr (r.out, "Gesamtdauer Median (min–max)"));
  g_assert_nonnull (strstr (r.out, "Prüfsumme"));
  g_assert_nonnull (strstr (r.out, "Kontextwechsel"));
  g_assert_nonnull (strstr (r.out, "Die Prüfsummen stimmen überein"));
  g_assert_null (strstr (r.out, "makespan median"));
  g_assert_null (strstr (r.out, "checksum"));
  /* The first run is its own baseline: its speedup reads "1,00×", with the
   * German decimal comma, never "1.00×". */
  g_assert_nonnull (strstr (r.out, "1,00×"));
  g_assert_null (strstr (r.out, "1.00×"));
  cli_result_clear (&r);
}

static void
test_error_message (void)
{
  CliResult r = { 0 };

  if (skip_without_german ())
    return;
  assert_catalogue ();

  run_cli (&r, "run", "example:no-such-example", NULL);
  g_test_message ("stderr: %s", r.err);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "Es gibt kein eingebautes Beispiel „no-such-example“"));
  cli_result_clear (&r);

  run_cli (&r, "frobnicate", NULL);
  g_test_message ("stderr: %s", r.err);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "Unbekannter Befehl „frobnicate“"));
  cli_result_clear (&r);
}

/* Every number of a JSON tree, as the text json-glib read it back. */
static void
count_numbers (JsonNode *node,
               guint    *doubles)
{
  switch (json_node_get_node_type (node))
    {
      case JSON_NODE_OBJECT:
        {
          JsonObjectIter iter;
          JsonNode      *member;

          json_object_iter_init (&iter, json_node_get_object (node));
          while (json_object_iter_next (&iter, NULL, &member))
            count_numbers (member, doubles);
          break;
        }
      case JSON_NODE_ARRAY:
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            count_numbers (json_array_get_element (array, i), doubles);
          break;
        }
      case JSON_NODE_VALUE:
        if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
          (*doubles)++;
        break;
      case JSON_NODE_NULL:
      default:
        break;
    }
}

/* The results document is a file others read: under the German locale its
 * numbers keep the decimal point (a "1,5" would not even parse). */
static void
test_json_stays_c (void)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CliResult r = { 0 };
  guint     doubles = 0;

  if (skip_without_german ())
    return;
  assert_catalogue ();
  path = write_temp ("small.interleave", small_experiment);
  run_cli (&r, "run", path, "--repetitions", "1", "--quiet", "--json", "-", NULL);
  g_assert_cmpint (r.status, ==, 0);
  json_parser_load_from_data (parser, r.out, -1, &error);
  g_assert_no_error (error);
  count_numbers (json_parser_get_root (parser), &doubles);
  g_test_message ("%u numbers with a fraction", doubles);
  g_assert_cmpuint (doubles, >, 0);
  cli_result_clear (&r);
}

/* The built-in examples speak German too: `examples` lists their German
 * names and first sentences, never the English ones. */
static void
test_examples_list (void)
{
  CliResult r = { 0 };

  if (skip_without_german ())
    return;
  assert_catalogue ();
  run_cli (&r, "examples", NULL);
  g_test_message ("stdout:\n%s\nstderr:\n%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  /* The name stays the identifier; the title and summary are German. */
  g_assert_nonnull (strstr (r.out, "example:cpu-bound"));
  g_assert_nonnull (strstr (r.out, "CPU-gebunden: Threads oder Prozesse"));
  g_assert_nonnull (strstr (r.out, "Acht unabhängige Fragmente reiner CPU-Arbeit."));
  g_assert_nonnull (strstr (r.out, "Gemeinsamer Zustand unter Threads: verlorene Updates"));
  g_assert_null (strstr (r.out, "CPU-bound: threads vs processes"));
  g_assert_null (strstr (r.out, "Eight independent fragments"));
  cli_result_clear (&r);
}

/* A built-in example loaded under German has its quiz, run labels and
 * description in German; saved, it is still a valid experiment, and the
 * lesson is found again from its German name and from its English one. */
static void
test_example_quiz (void)
{
  g_autoptr(IlExperiment) exp = NULL;
  g_autoptr(IlExperiment) coop = NULL;
  g_autoptr(IlExperiment) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *lesson = NULL;
  g_autofree char *saved_locale = NULL;

  if (skip_without_german ())
    return;
  assert_catalogue ();
  saved_locale = g_strdup (setlocale (LC_ALL, NULL));
  il_i18n_init ();
  g_assert_nonnull (setlocale (LC_ALL, GERMAN_LOCALE));

  exp = il_example_load ("cpu-bound", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exp->name, ==, "CPU-gebunden: Threads oder Prozesse");
  g_assert_nonnull (exp->quiz);
  g_assert_cmpstr (exp->quiz->question, ==,
                   "Um wie viel schneller als sequenziell erledigen 2 Threads auf einem Rechner mit 2 Kernen 8 gleich große CPU-gebundene Fragmente?");
  g_assert_cmpstr (exp->quiz->choices[1], ==, "Etwa 2× schneller");
  g_assert_true (g_str_has_prefix (exp->quiz->explanation, "Zwei Kerne führen"));
  /* Task group names are identifiers and stay. */
  g_assert_cmpuint (exp->tasks->len, >, 0);

  coop = il_example_load ("cooperative", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((IlRunConfig *) g_ptr_array_index (coop->runs, 0))->label, ==, "async, CPU-Blöcke am Stück");

  /* Saved in German, it is an experiment like any other. */
  json = il_experiment_to_data (exp, NULL);
  reloaded = il_experiment_load_data (json, -1, "saved.interleave", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reloaded->name, ==, exp->name);
  g_assert_cmpstr (reloaded->quiz->question, ==, exp->quiz->question);
  lesson = il_examples_find_lesson (reloaded);
  g_assert_cmpstr (lesson, ==, "cpu-bound");
  g_clear_pointer (&lesson, g_free);

  /* The same lesson saved in English is still found under German. */
  g_free (reloaded->name);
  reloaded->name = g_strdup ("CPU-bound: threads vs processes");
  lesson = il_examples_find_lesson (reloaded);
  g_assert_cmpstr (lesson, ==, "cpu-bound");

  setlocale (LC_ALL, saved_locale);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* What the CLIs under test inherit. */
  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("LANG", GERMAN_LOCALE, TRUE);
  g_setenv ("LC_ALL", GERMAN_LOCALE, TRUE);

  g_test_add_func ("/il/cli-german/table-headings", test_table_headings);
  g_test_add_func ("/il/cli-german/error-message", test_error_message);
  g_test_add_func ("/il/cli-german/json-stays-c", test_json_stays_c);
  g_test_add_func ("/il/cli-german/examples-list", test_examples_list);
  g_test_add_func ("/il/cli-german/example-quiz", test_example_quiz);
  return g_test_run ();
}
