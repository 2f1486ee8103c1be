/* il-about.c — the About window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The authors are the project's, as its history names them; the website
 * and issue tracker are the metainfo's (config.h has them once for the
 * code). The design follows GNOME applications whose sources the project
 * learned from (STYLE.md), credited as such.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-about.h"

GtkWidget *
il_about_window_new (GtkWindow *parent)
{
  const char *developers[] = { _("The Interleave developers"), NULL };
  const char *learned_from[] = { "GNOME Text Editor https://gitlab.gnome.org/GNOME/gnome-text-editor",
                                 "Sysprof https://gitlab.gnome.org/GNOME/sysprof",
                                 "Console https://gitlab.gnome.org/GNOME/console", NULL };
  const char *name = _("Interleave");
  const char *comments = _("A desktop lab for concurrency experiments: build a workload, "
                           "run it under several executors and see where the time goes.");
  /* Translators: your names, one per line, credited in About. */
  const char *translators = _("translator-credits");
  const char *copyright = _("© 2026 The Interleave developers");
  GtkWidget  *about;

  /* No _() inside the list: clang-format would join its lines. */
  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", parent != NULL,
                        "application-icon", APP_ID,
                        "application-name", name,
                        "developer-name", developers[0],
                        "version", PACKAGE_VERSION,
                        "comments", comments,
                        "website", PACKAGE_WEBSITE,
                        "issue-url", PACKAGE_BUGREPORT,
                        "copyright", copyright,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        NULL);
  /* Untranslated, the msgid itself would be credited. */
  if (g_strcmp0 (translators, "translator-credits") != 0)
    adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), translators);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about), _("Design Learned From"), learned_from);
  return about;
}
