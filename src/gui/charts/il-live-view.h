/* il-live-view.h — the live charts of a run: per-core load (with Interleave's
 * own CPU share), timeline, completion times, and a progress line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-live-model.h"

G_BEGIN_DECLS

#define IL_TYPE_LIVE_VIEW (il_live_view_get_type ())
G_DECLARE_FINAL_TYPE (IlLiveView, il_live_view, IL, LIVE_VIEW, GtkWidget)

GtkWidget *il_live_view_new (void);
/* Nullable: NULL detaches. The view redraws on the model's "changed". */
void         il_live_view_set_model (IlLiveView  *self,
                                     IlLiveModel *model);
IlLiveModel *il_live_view_get_model (IlLiveView *self);

/* The status line: run, repetition, tasks, time, and "stopped" or
 * "finished" at the end. */
const char *il_live_view_get_status (IlLiveView *self);
/* The timeline chart (an IlTimelineChart). */
GtkWidget *il_live_view_get_timeline (IlLiveView *self);

/* Writes the three charts stacked into one picture; @format "png" or "svg". */
gboolean il_live_view_export (IlLiveView *self,
                              GFile      *file,
                              const char *format,
                              GError    **error);

G_END_DECLS
