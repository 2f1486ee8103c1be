/* test-machine.c — the machine's description and its warnings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "il-error.h"
#include "il-machine.h"

static void
test_machine_describe (void)
{
  IlMachine machine = { 0 };
  g_autoptr(GDateTime) parsed = NULL;

  il_machine_describe (&machine);

  g_assert_cmpuint (machine.cores, >=, 1);
  g_assert_cmpuint (machine.cores, ==, il_machine_count_cores ());
  g_assert_cmpuint (machine.cores, <=, g_get_num_processors ());
  g_assert_nonnull (machine.kernel);
  g_assert_cmpstr (machine.kernel, !=, "");
  g_assert_cmpstr (machine.interleave_version, ==, PACKAGE_VERSION);
  g_assert_cmpfloat (machine.loadavg, >=, 0.0);
  g_assert_cmpfloat (machine.mhz, >=, 0.0);

  g_assert_nonnull (machine.date);
  g_assert_true (g_str_has_suffix (machine.date, "Z"));
  parsed = g_date_time_new_from_iso8601 (machine.date, NULL);
  g_assert_nonnull (parsed);
  /* Taken just now (generously: a slow CI box). */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    g_assert_cmpint (g_date_time_difference (now, parsed), <, 600 * G_TIME_SPAN_SECOND);
  }

  if (g_file_test ("/proc/cpuinfo", G_FILE_TEST_EXISTS))
    g_assert_nonnull (machine.cpu_model);

  if (g_file_test ("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", G_FILE_TEST_EXISTS))
    g_assert_nonnull (machine.governor);
  else
    g_assert_null (machine.governor);

  g_test_message ("%s, %u cores, %.0f MHz, governor %s, load %.2f, %s, %s, %s",
                  machine.cpu_model, machine.cores, machine.mhz,
                  machine.governor ? machine.governor : "(none)", machine.loadavg,
                  machine.kernel, machine.os ? machine.os : "(unknown OS)", machine.date);

  /* Describing again clears the previous contents (no leak, no stale). */
  il_machine_describe (&machine);
  g_assert_cmpuint (machine.cores, >=, 1);

  il_machine_clear (&machine);
}

static void
test_machine_warnings_quiet (void)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  IlMachine machine = { 0 };

  /* A VM: no governor, idle. */
  machine.cores = 2;
  machine.loadavg = 0.5;
  il_machine_warnings (&machine, warnings);
  g_assert_cmpuint (warnings->len, ==, 0);

  /* Exactly half the cores busy is still fine. */
  machine.loadavg = 1.0;
  machine.governor = (char *) "performance";
  il_machine_warnings (&machine, warnings);
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_machine_warnings_governor (void)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  IlMachine machine = { 0 };

  machine.cores = 8;
  machine.loadavg = 0.1;
  machine.governor = (char *) "powersave";
  il_machine_warnings (&machine, warnings);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==,
                   "CPU frequency scaling is on (governor: powersave)");
}

static void
test_machine_warnings_busy (void)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  IlMachine machine = { 0 };

  machine.cores = 2;
  machine.loadavg = 1.8;
  machine.governor = (char *) "schedutil";
  /* Appends, keeping what is already there. */
  g_ptr_array_add (warnings, g_strdup ("earlier"));
  il_machine_warnings (&machine, warnings);
  g_assert_cmpuint (warnings->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, "earlier");
  g_assert_cmpstr (g_ptr_array_index (warnings, 1), ==,
                   "CPU frequency scaling is on (governor: schedutil)");
  g_assert_cmpstr (g_ptr_array_index (warnings, 2), ==,
                   "The machine was busy when the run started (load average 1.8 on 2 cores)");
}

/* The load reads in the user's locale, like the translated sentence around
 * it: "1,8" under German number formats (issue 12). */
static void
test_machine_warnings_busy_locale (void)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));
  IlMachine        machine = { 0 };

  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("the de_DE.UTF-8 locale is missing (build-aux/test generates it)");
      return;
    }
  machine.cores = 2;
  machine.loadavg = 1.8;
  il_machine_warnings (&machine, warnings);
  setlocale (LC_NUMERIC, saved);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==,
                   "The machine was busy when the run started (load average 1,8 on 2 cores)");
}

/* The error domain's string is what GError users and logs see; clang-format
 * once turned it into "il - error - quark". */
static void
test_error_domain_string (void)
{
  g_assert_cmpstr (g_quark_to_string (IL_ERROR), ==, "il-error-quark");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/machine/describe", test_machine_describe);
  g_test_add_func ("/il/error/domain-string", test_error_domain_string);
  g_test_add_func ("/il/machine/warnings-quiet", test_machine_warnings_quiet);
  g_test_add_func ("/il/machine/warnings-governor", test_machine_warnings_governor);
  g_test_add_func ("/il/machine/warnings-busy", test_machine_warnings_busy);
  g_test_add_func ("/il/machine/warnings-busy-locale", test_machine_warnings_busy_locale);

  return g_test_run ();
}
