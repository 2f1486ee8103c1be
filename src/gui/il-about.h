/* il-about.h — the About window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Credits, website, issue tracker and licence (GPL-3.0-or-later), transient
 * for @parent. Returns: (transfer floating) an AdwAboutWindow. */
GtkWidget *il_about_window_new (GtkWindow *parent);

G_END_DECLS
