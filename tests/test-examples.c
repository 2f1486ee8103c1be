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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/examples/list", test_examples_list);
  g_test_add_func ("/il/examples/unknown", test_examples_unknown);
  g_test_add_func ("/il/examples/round-trip", test_examples_round_trip);

  return g_test_run ();
}
