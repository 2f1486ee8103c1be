/* il-time-range.h — the visible time range, shared by charts on one axis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Zoom and pan live here, not in a chart, so the small multiples of the
 * results view move together (sysprof keeps its zoom in one model too).
 * Until the user zooms, the range follows the data's extent.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define IL_TYPE_TIME_RANGE (il_time_range_get_type ())
G_DECLARE_FINAL_TYPE (IlTimeRange, il_time_range, IL, TIME_RANGE, GObject)

IlTimeRange *il_time_range_new (void);
/* The data's extent [0, end_us]; grows during a live run. */
void   il_time_range_set_extent (IlTimeRange *self,
                                 gint64       end_us);
gint64 il_time_range_get_extent (IlTimeRange *self);
/* The visible range (the whole extent until zoomed). */
void     il_time_range_get_view (IlTimeRange *self,
                                 double      *start_us,
                                 double      *end_us);
gboolean il_time_range_get_zoomed (IlTimeRange *self);
/* @factor > 1 zooms in around @anchor_us. */
void il_time_range_zoom (IlTimeRange *self,
                         double       factor,
                         double       anchor_us);
/* Moves the view by @fraction of its width (negative: left). */
void il_time_range_pan (IlTimeRange *self,
                        double       fraction);
void il_time_range_set_view (IlTimeRange *self,
                             double       start_us,
                             double       end_us);
/* Back to the whole extent. */
void il_time_range_reset (IlTimeRange *self);

G_END_DECLS
