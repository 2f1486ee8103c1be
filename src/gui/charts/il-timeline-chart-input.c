/* il-timeline-chart-input.c — zoom and pan of the timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Ctrl+scroll and pinch zoom around the pointer; drag and sideways scroll
 * pan once zoomed; +, − and 0 (or Home) zoom in, out and reset, the arrows
 * pan. Plain vertical scrolling is left to the page. The view lives in an
 * IlTimeRange, which charts may share.
 */
#include "il-timeline-chart-private.h"

#include <math.h>

static double
pointer_time (IlTimelineChart *self,
              double           x)
{
  IlTimelineLayout g;

  il_timeline_chart_compute_layout (self, &g);
  return il_timeline_layout_time_at (&g, x);
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           IlTimelineChart          *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->hovered = TRUE;
}

static void
leave_cb (GtkEventControllerMotion *motion,
          IlTimelineChart          *self)
{
  self->hovered = FALSE;
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll,
           double                    dx,
           double                    dy,
           IlTimelineChart          *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if ((state & GDK_CONTROL_MASK) != 0)
    {
      il_time_range_zoom (self->range, exp (-dy * 0.15), pointer_time (self, self->pointer_x));
      return TRUE;
    }
  /* Sideways scrolling pans; plain vertical scrolling belongs to the page. */
  if (fabs (dx) > fabs (dy) && il_time_range_get_zoomed (self->range))
    {
      il_time_range_pan (self->range, dx * 0.05);
      return TRUE;
    }
  return FALSE;
}

static void
drag_begin_cb (GtkGestureDrag  *drag,
               double           x,
               double           y,
               IlTimelineChart *self)
{
  il_time_range_get_view (self->range, &self->drag_start_us, &self->drag_end_us);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
drag_update_cb (GtkGestureDrag  *drag,
                double           offset_x,
                double           offset_y,
                IlTimelineChart *self)
{
  IlTimelineLayout g;
  double           shift;

  if (!il_time_range_get_zoomed (self->range))
    return;
  il_timeline_chart_compute_layout (self, &g);
  shift = -offset_x / g.plot_w * (self->drag_end_us - self->drag_start_us);
  il_time_range_set_view (self->range, self->drag_start_us + shift, self->drag_end_us + shift);
}

static void
zoom_begin_cb (GtkGesture       *gesture,
               GdkEventSequence *sequence,
               IlTimelineChart  *self)
{
  il_time_range_get_view (self->range, &self->drag_start_us, &self->drag_end_us);
}

static void
zoom_scale_changed_cb (GtkGestureZoom  *gesture,
                       double           scale,
                       IlTimelineChart *self)
{
  double cx, cy, anchor, span;

  if (scale <= 0)
    return;
  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    cx = self->pointer_x;
  anchor = pointer_time (self, cx);
  span = (self->drag_end_us - self->drag_start_us) / scale;
  anchor = CLAMP (anchor, self->drag_start_us, self->drag_end_us);
  il_time_range_set_view (self->range,
                          anchor - (anchor - self->drag_start_us) / scale,
                          anchor - (anchor - self->drag_start_us) / scale + span);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                IlTimelineChart       *self)
{
  double start, end;

  il_time_range_get_view (self->range, &start, &end);
  switch (keyval)
    {
      case GDK_KEY_plus:
      case GDK_KEY_equal:
      case GDK_KEY_KP_Add:
        il_time_range_zoom (self->range, 1.5, (start + end) / 2);
        return TRUE;
      case GDK_KEY_minus:
      case GDK_KEY_KP_Subtract:
        il_time_range_zoom (self->range, 1 / 1.5, (start + end) / 2);
        return TRUE;
      case GDK_KEY_0:
      case GDK_KEY_KP_0:
      case GDK_KEY_Home:
        il_time_range_reset (self->range);
        return TRUE;
      case GDK_KEY_Left:
        il_time_range_pan (self->range, -0.1);
        return il_time_range_get_zoomed (self->range);
      case GDK_KEY_Right:
        il_time_range_pan (self->range, 0.1);
        return il_time_range_get_zoomed (self->range);
      default:
        return FALSE;
    }
}

void
il_timeline_chart_init_input (IlTimelineChart *self)
{
  GtkEventController *controller;
  GtkGesture         *gesture;

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}
