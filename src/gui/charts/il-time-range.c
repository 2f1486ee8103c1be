/* il-time-range.c — the visible time range, shared by charts on one axis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-time-range.h"

#include <math.h>

/* Zooming further than 10 µs across the view shows nothing useful. */
#define MIN_SPAN_US 10.0

struct _IlTimeRange
{
  GObject parent_instance;

  gint64   extent_us;
  double   start_us;
  double   end_us;
  gboolean zoomed;
};

G_DEFINE_FINAL_TYPE (IlTimeRange, il_time_range, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
il_time_range_class_init (IlTimeRangeClass *klass)
{
  /**
   * IlTimeRange::changed:
   *
   * The visible range moved (zoom, pan, or the extent grew while following).
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
il_time_range_init (IlTimeRange *self)
{
  self->extent_us = 0;
}

IlTimeRange *
il_time_range_new (void)
{
  return g_object_new (IL_TYPE_TIME_RANGE, NULL);
}

static double
full_end (IlTimeRange *self)
{
  /* An empty run still gets a readable axis. */
  return MAX ((double) self->extent_us, 1000.0);
}

void
il_time_range_set_extent (IlTimeRange *self,
                          gint64       end_us)
{
  g_return_if_fail (IL_IS_TIME_RANGE (self));

  if (self->extent_us == end_us)
    return;
  self->extent_us = MAX (end_us, 0);
  if (!self->zoomed)
    g_signal_emit (self, signals[CHANGED], 0);
}

gint64
il_time_range_get_extent (IlTimeRange *self)
{
  g_return_val_if_fail (IL_IS_TIME_RANGE (self), 0);
  return self->extent_us;
}

void
il_time_range_get_view (IlTimeRange *self,
                        double      *start_us,
                        double      *end_us)
{
  g_return_if_fail (IL_IS_TIME_RANGE (self));

  if (self->zoomed)
    {
      *start_us = self->start_us;
      *end_us = self->end_us;
    }
  else
    {
      *start_us = 0;
      *end_us = full_end (self);
    }
}

gboolean
il_time_range_get_zoomed (IlTimeRange *self)
{
  g_return_val_if_fail (IL_IS_TIME_RANGE (self), FALSE);
  return self->zoomed;
}

void
il_time_range_set_view (IlTimeRange *self,
                        double       start_us,
                        double       end_us)
{
  double limit, span;

  g_return_if_fail (IL_IS_TIME_RANGE (self));

  limit = full_end (self);
  span = CLAMP (end_us - start_us, MIN_SPAN_US, limit);
  start_us = CLAMP (start_us, 0, limit - span);
  end_us = start_us + span;

  if (span >= limit)
    {
      il_time_range_reset (self);
      return;
    }
  if (self->zoomed && self->start_us == start_us && self->end_us == end_us)
    return;
  self->zoomed = TRUE;
  self->start_us = start_us;
  self->end_us = end_us;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
il_time_range_zoom (IlTimeRange *self,
                    double       factor,
                    double       anchor_us)
{
  double start, end, span;

  g_return_if_fail (IL_IS_TIME_RANGE (self));
  g_return_if_fail (factor > 0);

  il_time_range_get_view (self, &start, &end);
  anchor_us = CLAMP (anchor_us, start, end);
  span = (end - start) / factor;
  /* Keep the anchor at the same place under the pointer. */
  start = anchor_us - (anchor_us - start) / factor;
  il_time_range_set_view (self, start, start + span);
}

void
il_time_range_pan (IlTimeRange *self,
                   double       fraction)
{
  double start, end;

  g_return_if_fail (IL_IS_TIME_RANGE (self));

  if (!self->zoomed)
    return;
  il_time_range_get_view (self, &start, &end);
  il_time_range_set_view (self, start + (end - start) * fraction,
                          end + (end - start) * fraction);
}

void
il_time_range_reset (IlTimeRange *self)
{
  g_return_if_fail (IL_IS_TIME_RANGE (self));

  if (!self->zoomed)
    return;
  self->zoomed = FALSE;
  g_signal_emit (self, signals[CHANGED], 0);
}
