/* il-settings.h — the app's preferences (GSettings), when installed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"
#include "il-mpi.h"

G_BEGIN_DECLS

/* The keys of data/io.github.interleave.Interleave.gschema.xml. */
#define IL_SETTINGS_WINDOW_WIDTH        "window-width"
#define IL_SETTINGS_WINDOW_HEIGHT       "window-height"
#define IL_SETTINGS_WINDOW_MAXIMIZED    "window-maximized"
#define IL_SETTINGS_STYLE_VARIANT       "style-variant"
#define IL_SETTINGS_DEFAULT_REPETITIONS "default-repetitions"
#define IL_SETTINGS_DEFAULT_WARMUP      "default-warmup"
#define IL_SETTINGS_DEFAULT_SAMPLE_HZ   "default-sample-hz"
#define IL_SETTINGS_SCRATCH_FOLDER      "scratch-folder"
#define IL_SETTINGS_MPI_HOSTS           "mpi-hosts"
#define IL_SETTINGS_MPI_HOSTFILE        "mpi-hostfile"

/* The application's settings, shared by every window; NULL when the schema
 * is not installed (an uninstalled build started by hand), so that nothing
 * aborts on a missing schema. Tests use GSETTINGS_SCHEMA_DIR and the memory
 * backend. Returns: (transfer none) (nullable). */
GSettings *il_settings_get (void);

/* A new experiment (il_experiment_new) with the default repetitions,
 * warm-up and sample rate chosen in Preferences. */
IlExperiment *il_settings_new_experiment (void);

/* The folder where runs make their scratch folder (IlRunOptions'
 * scratch_base), or NULL for the default. */
char *il_settings_dup_scratch_base (void);

/* Where mpi runs' ranks run, as chosen in Preferences (IlRunOptions'
 * mpi_hosts): the host list if one is set, else the hostfile; NULL when
 * neither is, for this machine alone. Free with il_settings_mpi_hosts_free. */
IlMpiHosts *il_settings_dup_mpi_hosts (void);
void        il_settings_mpi_hosts_free (IlMpiHosts *hosts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlMpiHosts, il_settings_mpi_hosts_free)

G_END_DECLS
