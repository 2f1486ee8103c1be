/* il-application.h — the Interleave desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "il-server.h"

G_BEGIN_DECLS

#define IL_TYPE_APPLICATION (il_application_get_type ())
G_DECLARE_FINAL_TYPE (IlApplication, il_application, IL, APPLICATION, AdwApplication)

IlApplication *il_application_new (void);
/* The embedded latency server shared by every run of the app's lifetime. */
IlServer *il_application_ensure_server (IlApplication *self,
                                        GError       **error);
IlServer *il_application_get_server (IlApplication *self);

G_END_DECLS
