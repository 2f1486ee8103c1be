/* il-preferences-window.h — Preferences: style, new experiments, files
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

G_END_DECLS
