/* il-chart-test-utils.c — what the chart tests share: events, windows, pixels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "il-chart-test-utils.h"

/* An event of @kind as its packing function makes it, with nothing known:
 * no core, no identity, and states of zero. */
IlEvent
ev (IlEventKind kind)
{
  static const IlStateTimes zero = { TRUE, 0, 0, 0, 0 };

  switch (kind)
    {
      case IL_EVENT_RUN_START:
        return il_event_run_start (0);
      case IL_EVENT_REP_START:
        return il_event_rep_start (FALSE, 0);
      case IL_EVENT_TASK_START:
        return il_event_task_start (0, -1, 0, 0, -1, -1);
      case IL_EVENT_TASK_END:
        return il_event_task_end (0, 0, -1, FALSE, &zero);
      case IL_EVENT_BLOCK_START:
        return il_event_block_start (0, 0, IL_BLOCK_CPU);
      case IL_EVENT_BLOCK_END:
        return il_event_block_end (0, 0, 0, IL_BLOCK_CPU, FALSE, &zero);
      case IL_EVENT_GIL_WAIT:
      case IL_EVENT_GIL_HOLD:
        return il_event_gil (kind, 0, 0, 0, 0);
      case IL_EVENT_CORE_SAMPLE:
        return il_event_core_sample (0, -1, 0);
      case IL_EVENT_OVERHEAD:
        return il_event_overhead (0, 0);
      case IL_EVENT_LOOP_LAG:
        return il_event_loop_lag (0, 0);
      case IL_EVENT_REP_END:
        return il_event_rep_end (0, FALSE);
      case IL_EVENT_RUN_END:
        return il_event_run_end ();
      case IL_EVENT_FINISHED:
      default:
        return il_event_finished (FALSE);
    }
}

void
iterate_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
widget_ready (gpointer data)
{
  GtkWidget *w = data;

  return gtk_widget_get_mapped (w) && gtk_widget_get_width (w) > 0;
}

GtkWidget *
window_with (GtkWidget *child,
             int        width,
             int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  iterate_until (widget_ready, child);
  return window;
}

/* Renders @widget as GTK does (snapshot, the window's GSK renderer). */
GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GskRenderNode *node = NULL;
  GskRenderer   *renderer;
  GdkTexture    *texture;
  int            w, h;

  /* A style change leaves the widget unallocated until the next frame. */
  for (int i = 0; i < 200 && node == NULL; i++)
    {
      GtkSnapshot *snapshot;

      g_main_context_iteration (NULL, FALSE);
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        g_usleep (5000);
    }
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  return texture;
}

void
pixels_from_texture (Pixels     *px,
                     GdkTexture *texture)
{
  px->width = gdk_texture_get_width (texture);
  px->height = gdk_texture_get_height (texture);
  px->pixels = g_malloc (px->width * px->height * 4);
  gdk_texture_download (texture, px->pixels, px->width * 4);
}

void
pixel_at (const Pixels *px,
          int           x,
          int           y,
          GdkRGBA      *out)
{
  const guchar *p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (x, <, px->width);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (y, <, px->height);
  p = px->pixels + (y * px->width + x) * 4;
  out->blue = p[0] / 255.0f;
  out->green = p[1] / 255.0f;
  out->red = p[2] / 255.0f;
  out->alpha = p[3] / 255.0f;
}

double
distance (const GdkRGBA *a,
          const GdkRGBA *b)
{
  return fabs (a->red - b->red) + fabs (a->green - b->green) + fabs (a->blue - b->blue);
}

void
assert_color (const Pixels  *px,
              int            x,
              int            y,
              const GdkRGBA *expected)
{
  GdkRGBA got;

  pixel_at (px, x, y, &got);
  if (distance (&got, expected) > 0.06)
    g_error ("pixel (%d, %d) is %.2f %.2f %.2f, expected %.2f %.2f %.2f", x, y,
             got.red, got.green, got.blue, expected->red, expected->green, expected->blue);
}

IlTimelineData *
two_worker_timeline (void)
{
  IlTimelineData *data = il_timeline_data_new ();
  IlEvent         e;

  /* worker 0: task 0, one CPU block 0 … 1 s; worker 1: task 1, sleep 0 … 0.5 s */
  for (guint t = 0; t < 2; t++)
    {
      e = ev (IL_EVENT_TASK_START);
      e.task = t;
      e.worker = t;
      e.task_start.cpu = t;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_BLOCK_START);
      e.task = t;
      e.block_start.type = t == 0 ? IL_BLOCK_CPU : IL_BLOCK_SLEEP;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_BLOCK_END);
      e.task = t;
      e.t_us = t == 0 ? 1000000 : 500000;
      e.block_end.state.running = t == 0 ? 900000 : 0;
      e.block_end.state.ready = t == 0 ? 100000 : 0;
      e.block_end.state.blocked = t == 0 ? 0 : 500000;
      il_timeline_data_apply (data, &e);
      e = ev (IL_EVENT_TASK_END);
      e.task = t;
      e.worker = t;
      e.t_us = t == 0 ? 1000000 : 500000;
      il_timeline_data_apply (data, &e);
    }
  return data;
}
