/* il-chart-test-utils.h — what the chart tests share: events, windows, pixels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by test-gui-charts*.c: synthetic events, a window to show a chart
 * in, the chart rendered as GTK draws it, and pixel checks.
 */
#pragma once

#include <gtk/gtk.h>

#include "il-events.h"
#include "il-timeline-data.h"

G_BEGIN_DECLS

typedef struct
{
  int     width, height;
  guchar *pixels; /* BGRA premultiplied, as gdk_texture_download gives */
} Pixels;

/* An event of @kind as its packing function makes it, with nothing known:
 * no core, no identity, and states of zero. */
IlEvent ev (IlEventKind kind);
/* Iterates the main context until @done (fails after 10 s). */
void iterate_until (gboolean (*done) (gpointer),
                    gpointer data);
/* A window of @width × @height showing @child, once @child is mapped. */
GtkWidget *window_with (GtkWidget *child,
                        int        width,
                        int        height);
/* Renders @widget as GTK does (snapshot, the window's GSK renderer). */
GdkTexture *render_widget (GtkWidget *widget);
void        pixels_from_texture (Pixels     *px,
                                 GdkTexture *texture);
void        pixel_at (const Pixels *px,
                      int           x,
                      int           y,
                      GdkRGBA      *out);
double      distance (const GdkRGBA *a,
                      const GdkRGBA *b);
void        assert_color (const Pixels  *px,
                          int            x,
                          int            y,
                          const GdkRGBA *expected);
/* Worker 0: one CPU block 0 … 1 s; worker 1: a sleep 0 … 0.5 s. */
IlTimelineData *two_worker_timeline (void);

G_END_DECLS
