/* il-machine.c — describing the machine results were measured on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is best effort: a sandbox, a VM or another architecture
 * may lack any of these files, and a missing field must never stop a run.
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <string.h>
#include <sys/utsname.h>

#include <glib/gi18n.h>

#include "il-machine.h"

guint
il_machine_count_cores (void)
{
  /* The affinity mask, not the number of CPUs installed: under taskset,
   * cgroups' cpusets or a Flatpak sandbox this process may use fewer. */
  for (int ncpus = CPU_SETSIZE; ncpus <= 65536; ncpus *= 2)
    {
      gsize      size = CPU_ALLOC_SIZE (ncpus);
      cpu_set_t *set = CPU_ALLOC (ncpus);
      int        count;

      if (set == NULL)
        break;

      CPU_ZERO_S (size, set);
      if (sched_getaffinity (0, size, set) == 0)
        {
          count = CPU_COUNT_S (size, set);
          CPU_FREE (set);
          return MAX (count, 1);
        }

      CPU_FREE (set);
      /* EINVAL: the kernel's mask is larger than ours; try a bigger one. */
      if (errno != EINVAL)
        break;
    }

  return MAX (g_get_num_processors (), 1);
}

static char *
il_machine_read_line (const char *path)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  g_strstrip (contents);
  if (contents[0] == '\0')
    return NULL;

  return g_steal_pointer (&contents);
}

static void
il_machine_read_cpuinfo (IlMachine *machine)
{
  /* x86 says "model name"; other architectures name the CPU differently
   * (in order of preference). */
  static const char *const model_keys[] = {
    "model name",
    "Processor",
    "cpu model",
    "cpu",
    "uarch",
    "Hardware",
    NULL,
  };
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint  best_rank = G_N_ELEMENTS (model_keys);
  double mhz_sum = 0.0;
  guint  mhz_count = 0;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');
      char *key;
      char *value;

      if (colon == NULL)
        continue;

      *colon = '\0';
      key = g_strstrip (lines[i]);
      value = g_strstrip (colon + 1);

      if (g_ascii_strcasecmp (key, "cpu MHz") == 0)
        {
          char  *end = NULL;
          double mhz = g_ascii_strtod (value, &end);

          if (end != value && mhz > 0.0)
            {
              mhz_sum += mhz;
              mhz_count++;
            }
          continue;
        }

      if (value[0] == '\0')
        continue;

      for (guint k = 0; k < best_rank && model_keys[k] != NULL; k++)
        {
          if (strcmp (key, model_keys[k]) == 0)
            {
              g_free (machine->cpu_model);
              machine->cpu_model = g_strdup (value);
              best_rank = k;
              break;
            }
        }
    }

  if (mhz_count > 0)
    machine->mhz = mhz_sum / mhz_count;
}

void
il_machine_describe (IlMachine *machine)
{
  g_autofree char *governor = NULL;
  g_autofree char *loadavg = NULL;
  g_autoptr(GDateTime) now = NULL;
  struct utsname uts;

  g_return_if_fail (machine != NULL);

  il_machine_clear (machine);
  memset (machine, 0, sizeof *machine);

  il_machine_read_cpuinfo (machine);
  machine->cores = il_machine_count_cores ();

  /* Some architectures have no "cpu MHz" in cpuinfo; cpufreq (in kHz) may
   * still know. */
  if (machine->mhz <= 0.0)
    {
      g_autofree char *khz = il_machine_read_line ("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq");

      if (khz != NULL)
        machine->mhz = g_ascii_strtod (khz, NULL) / 1000.0;
    }

  /* Absent in most VMs and containers: the host decides, and we can't
   * tell, so it stays NULL (unknown) rather than a guess. */
  governor = il_machine_read_line ("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  machine->governor = g_steal_pointer (&governor);

  loadavg = il_machine_read_line ("/proc/loadavg");
  if (loadavg != NULL)
    machine->loadavg = g_ascii_strtod (loadavg, NULL);

  if (uname (&uts) == 0)
    {
      machine->kernel = g_strdup_printf ("%s %s", uts.sysname, uts.release);
      if (machine->cpu_model == NULL && uts.machine[0] != '\0')
        machine->cpu_model = g_strdup (uts.machine);
    }

  machine->os = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  machine->interleave_version = g_strdup (PACKAGE_VERSION);

  now = g_date_time_new_now_utc ();
  machine->date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

void
il_machine_warnings (const IlMachine *machine,
                     GPtrArray       *warnings)
{
  g_return_if_fail (machine != NULL);
  g_return_if_fail (warnings != NULL);

  /* A governor that scales the clock makes the first repetitions slower
   * than later ones, and a run's speed depend on what ran before it. */
  if (machine->governor != NULL && strcmp (machine->governor, "performance") != 0)
    g_ptr_array_add (warnings,
                     g_strdup_printf (_("CPU frequency scaling is on (governor: %s)"),
                                         machine->governor));

  /* Half the cores already busy means our threads share them: parallel
   * speedups shrink for reasons that have nothing to do with the run. */
  if (machine->cores > 0 && machine->loadavg > machine->cores / 2.0)
    {
      /* In the user's locale, like the rest of the sentence: the warning is
       * translated text (the results document keeps it as it was shown);
       * the load itself is stored as a number (machine.loadavg). */
      g_autofree char *load = g_strdup_printf ("%.1f", machine->loadavg);

      g_ptr_array_add (warnings,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "The machine was busy when the run started (load average %s on %u core)",
                                                     "The machine was busy when the run started (load average %s on %u cores)",
                                                     machine->cores),
                                        load, machine->cores));
    }
}
