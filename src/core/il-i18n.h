/* il-i18n.h — where every Interleave program finds its translations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder with LANG/LC_MESSAGES/interleave.mo: IL_LOCALEDIR when it is set
 * (tests and uninstalled runs point it at <builddir>/po, where meson builds
 * the catalogues), otherwise the installed LOCALEDIR. */
const char *il_i18n_localedir (void);

/* Binds the interleave text domain to il_i18n_localedir(), in UTF-8, and makes
 * it the default domain. The caller sets the locale first (setlocale). */
void il_i18n_init (void);

G_END_DECLS
