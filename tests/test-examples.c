/* test-examples.c — the built-in examples load, and this build can run them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "il-examples.h"
#include "il-cpython.h"
#include "il-runner.h"

static void
test_examples_list (void)
{
  g_autoptr(GPtrArray) list = il_examples_list ();
  gboolean has_default = FALSE;

  g_assert_cmpuint (list->len, >=, 6);
  for (guint i = 0; i < list->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (list, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlExperiment) exp = il_example_load (info->name, &error);
      g_autoptr(IlRunner) runner = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (exp);
      g_assert_cmpstr (info->title, ==, exp->name);
      g_assert_cmpstr (info->summary, !=, "");
      /* Every executor and block an example uses is built, and nothing in
       * an example needs the network. */
      runner = il_runner_new (exp, NULL);
      if (!il_runner_check (runner, &error))
        {
          /* Only a cpython engine that cannot run here may refuse an
           * example (its cpython runs), and then it must say so. */
          if (!il_cpython_available (NULL, NULL) && g_error_matches (error, IL_ERROR, IL_ERROR_UNSUPPORTED) &&
              strstr (error->message, "cpython engine") != NULL)
            g_test_message ("example:%s needs Python here: %s", info->name, error->message);
          /* Nor may Open MPI, missing here, for an example's mpi runs. */
          else if (!il_mpi_available (NULL) && g_error_matches (error, IL_ERROR, IL_ERROR_UNSUPPORTED) &&
                   strstr (error->message, "mpi") != NULL)
            g_test_message ("example:%s needs Open MPI here: %s", info->name, error->message);
          else
            g_error ("example:%s cannot run here: %s", info->name, error->message);
        }
      if (g_str_equal (info->name, IL_DEFAULT_EXAMPLE))
        has_default = TRUE;
    }
  g_assert_true (has_default);
}

static void
test_examples_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_experiment_load_path_or_example ("example:nope", &error);

  g_assert_null (exp);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "cpu-bound"));
}

static void
test_examples_round_trip (void)
{
  g_autoptr(GPtrArray) list = il_examples_list ();

  for (guint i = 0; i < list->len; i++)
    {
      const IlExampleInfo *info = g_ptr_array_index (list, i);
      g_autoptr(IlExperiment) exp = il_example_load (info->name, NULL);
      g_autoptr(IlExperiment) back = NULL;
      g_autofree char *data = NULL;
      gsize            len;

      data = il_experiment_to_data (exp, &len);
      back = il_experiment_load_data (data, (gssize) len, info->name, NULL);
      g_assert_nonnull (back);
      g_assert_true (il_experiment_equal (exp, back));
    }
}

/* The examples are lessons in course order: every built-in example has its
 * place in the course, and the opening lessons come first. */
static void
test_examples_course_order (void)
{
  g_auto(GStrv) names = il_examples_names ();
  const char *const       *course = il_examples_course ();
  static const char *const opening[] = {
    "structure",
    "cpu-bound",
    "io-bound",
    "time-slicing",
    "gil",
    "marshalling",
    "shared-state",
    "shared-state-lock",
    "cooperative-counter",
    "processes-memory",
  };
  guint last = 0;

  g_assert_cmpstr (names[0], ==, "structure");
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_assert_true (g_strv_contains (course, names[i]));
      /* Listed once. */
      for (guint j = i + 1; names[j] != NULL; j++)
        g_assert_cmpstr (names[i], !=, names[j]);
    }
  for (guint i = 0; course[i] != NULL; i++)
    for (guint j = i + 1; course[j] != NULL; j++)
      g_assert_cmpstr (course[i], !=, course[j]);
  for (guint k = 0; k < G_N_ELEMENTS (opening); k++)
    {
      guint at = 0;

      while (names[at] != NULL && !g_str_equal (names[at], opening[k]))
        at++;
      g_assert_nonnull (names[at]);
      if (k > 0)
        g_assert_cmpuint (at, >, last);
      last = at;
    }
}

/* "Next lesson" follows the course among the built-in examples; a lesson
 * the build does not have (context-switch, until its example lands) is
 * passed over. */
static void
test_examples_next_lesson (void)
{
  g_auto(GStrv) names = il_examples_names ();
  guint n = g_strv_length (names);
  g_autoptr(IlExampleInfo) first = il_examples_next_lesson ("structure");
  g_autoptr(IlExampleInfo) after_time = il_examples_next_lesson ("time-slicing");
  g_autoptr(IlExampleInfo) after_lost = il_examples_next_lesson ("shared-state");
  g_autoptr(IlExampleInfo) last = il_examples_next_lesson (names[n - 1]);
  g_autoptr(IlExampleInfo) unknown = il_examples_next_lesson ("nope");
  g_autoptr(GBytes) context_switch = il_example_get_bytes ("context-switch", NULL);

  g_assert_cmpstr (first->name, ==, "cpu-bound");
  g_assert_cmpstr (first->title, ==, "CPU-bound: threads vs processes");
  g_assert_cmpstr (after_time->name, ==, context_switch != NULL ? "context-switch" : "gil");
  g_assert_cmpstr (after_lost->name, ==, "shared-state-lock");
  g_assert_null (last);
  g_assert_null (unknown);
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr(IlExampleInfo) next = il_examples_next_lesson (names[i]);

      g_assert_cmpstr (next->name, ==, names[i + 1]);
    }
}

/* A lesson saved to a file is still that lesson: it is known by its name. */
static void
test_examples_find_lesson (void)
{
  g_autoptr(IlExperiment) exp = il_example_load ("shared-state", NULL);
  g_autofree char *lesson = il_examples_find_lesson (exp);
  g_autofree char *renamed = NULL;

  g_assert_cmpstr (lesson, ==, "shared-state");
  g_free (exp->name);
  exp->name = g_strdup ("My own counter experiment");
  renamed = il_examples_find_lesson (exp);
  g_assert_null (renamed);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/examples/list", test_examples_list);
  g_test_add_func ("/il/examples/unknown", test_examples_unknown);
  g_test_add_func ("/il/examples/round-trip", test_examples_round_trip);
  g_test_add_func ("/il/examples/course-order", test_examples_course_order);
  g_test_add_func ("/il/examples/next-lesson", test_examples_next_lesson);
  g_test_add_func ("/il/examples/find-lesson", test_examples_find_lesson);

  return g_test_run ();
}
