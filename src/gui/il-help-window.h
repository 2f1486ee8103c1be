/* il-help-window.h — the user guide, in the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IL_TYPE_HELP_WINDOW (il_help_window_get_type ())
G_DECLARE_FINAL_TYPE (IlHelpWindow, il_help_window, IL, HELP_WINDOW, AdwWindow)

/* The Mallard pages of help/C/, compiled into the app's resources, shown
 * without Yelp. Starts on the index page. */
IlHelpWindow *il_help_window_new (GtkWindow *parent);

/* Shows page @id ("index", "charts", "states", "quiz"); FALSE if there is
 * no such page. */
gboolean    il_help_window_show_page (IlHelpWindow *self,
                                      const char   *id);
const char *il_help_window_get_page (IlHelpWindow *self);
/* The visible page's text, for tests and accessibility checks. */
char *il_help_window_dup_text (IlHelpWindow *self);

/* Opens the guide: in Yelp (help:io.github.interleave.Interleave) when a
 * help viewer is installed and so are the pages, else (or when the viewer
 * fails to start) in an IlHelpWindow. */
void il_help_show (GtkWindow *parent);

G_END_DECLS
