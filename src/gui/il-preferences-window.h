/* il-preferences-window.h — Preferences: style, new experiments, files,
 * cluster
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IL_TYPE_PREFERENCES_WINDOW (il_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (IlPreferencesWindow, il_preferences_window, IL, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Every control is bound to the app's settings (il-settings.h); without an
 * installed schema they show the defaults, insensitive. */
IlPreferencesWindow *il_preferences_window_new (GtkWindow *parent);

/* For tests: the controls. */
AdwComboRow   *il_preferences_window_get_style_row (IlPreferencesWindow *self);
GtkSpinButton *il_preferences_window_get_repetitions_spin (IlPreferencesWindow *self);
GtkSpinButton *il_preferences_window_get_warmup_spin (IlPreferencesWindow *self);
GtkSpinButton *il_preferences_window_get_sample_spin (IlPreferencesWindow *self);
AdwActionRow  *il_preferences_window_get_scratch_row (IlPreferencesWindow *self);
GtkButton     *il_preferences_window_get_scratch_reset_button (IlPreferencesWindow *self);
AdwEntryRow   *il_preferences_window_get_hosts_row (IlPreferencesWindow *self);
AdwActionRow  *il_preferences_window_get_hosts_error_row (IlPreferencesWindow *self);
AdwActionRow  *il_preferences_window_get_hostfile_row (IlPreferencesWindow *self);

/* Stores @path as the hostfile of mpi runs (in place of a host list) if
 * it is a readable file; otherwise marks the row with the reason and
 * returns FALSE. The file chooser's answer goes through it. */
gboolean il_preferences_window_choose_hostfile (IlPreferencesWindow *self,
                                                const char          *path);

G_END_DECLS
