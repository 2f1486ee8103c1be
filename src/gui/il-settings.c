/* il-settings.c — the app's preferences (GSettings), when installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GSettings object for the process, looked up once: every key the
 * schema declares is read or written somewhere (window state in
 * il-window.c, style in il-application.c, the rest in Preferences and
 * here).
 */
#include "config.h"

#include "il-settings.h"

GSettings *
il_settings_get (void)
{
  static GSettings *settings;
  static gboolean   looked_up;

  if (!looked_up)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      looked_up = TRUE;
      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
      /* An older installed schema without the keys read here would abort
       * at the first g_settings_get: check the newest key. */
      if (schema != NULL && g_settings_schema_has_key (schema, IL_SETTINGS_MPI_HOSTFILE))
        settings = g_settings_new (APP_ID);
    }
  return settings;
}

IlExperiment *
il_settings_new_experiment (void)
{
  IlExperiment *experiment = il_experiment_new ();
  GSettings    *settings = il_settings_get ();

  if (settings != NULL)
    {
      /* The schema's ranges are the format's (checked by a test). */
      experiment->settings.repetitions = (guint) g_settings_get_int (settings, IL_SETTINGS_DEFAULT_REPETITIONS);
      experiment->settings.warmup = (guint) g_settings_get_int (settings, IL_SETTINGS_DEFAULT_WARMUP);
      experiment->settings.sample_hz = (guint) g_settings_get_int (settings, IL_SETTINGS_DEFAULT_SAMPLE_HZ);
    }
  return experiment;
}

char *
il_settings_dup_scratch_base (void)
{
  GSettings       *settings = il_settings_get ();
  g_autofree char *path = NULL;

  if (settings == NULL)
    return NULL;
  path = g_settings_get_string (settings, IL_SETTINGS_SCRATCH_FOLDER);
  if (path[0] == '\0')
    return NULL;
  return g_steal_pointer (&path);
}

IlMpiHosts *
il_settings_dup_mpi_hosts (void)
{
  GSettings       *settings = il_settings_get ();
  g_autofree char *hosts = NULL;
  g_autofree char *hostfile = NULL;
  IlMpiHosts      *placement;

  if (settings == NULL)
    return NULL;
  hosts = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTS);
  hostfile = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTFILE);
  if (hosts[0] == '\0' && hostfile[0] == '\0')
    return NULL;
  placement = g_new0 (IlMpiHosts, 1);
  /* Preferences keeps one of them; the host list wins should both be set
   * (il_mpi_check_placement refuses both at once). */
  if (hosts[0] != '\0')
    placement->hosts = g_steal_pointer (&hosts);
  else
    placement->hostfile = g_steal_pointer (&hostfile);
  return placement;
}

void
il_settings_mpi_hosts_free (IlMpiHosts *hosts)
{
  if (hosts == NULL)
    return;
  g_free (hosts->hosts);
  g_free (hosts->hostfile);
  g_free (hosts);
}
