/* il-welcome-page.h — shown while no experiment is open
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define IL_TYPE_WELCOME_PAGE (il_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (IlWelcomePage, il_welcome_page, IL, WELCOME_PAGE, GtkWidget)

GtkWidget *il_welcome_page_new (void);
/* Re-reads the recent files (GtkRecentManager, .interleave only). */
void il_welcome_page_refresh_recent (IlWelcomePage *self);

G_END_DECLS
