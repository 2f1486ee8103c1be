/* il-frame-memory.c — reuse the memory GTK's cairo renderer draws each frame into
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With the cairo renderer on X11 (GTK 4.8: GdkX11CairoContext), every frame
 *  1. draws into a new image surface the size of the window, malloc'd
 *     (a 1200 × 600 window: 2.9 MB), freed at the end of the frame, and
 *  2. copies it to the window through cairo-xlib, which puts it into a
 *     MIT-SHM segment: cairo keeps its segments in pools and destroys a
 *     pool as soon as nothing in it is in use, so with one upload a frame
 *     every frame creates, attaches, faults in and detaches a new segment.
 * Each time the pages are new to the process, and a page fault costs about
 * 16 µs of CPU in the PVM guest these benchmarks run in (less on bare
 * metal, never nothing): 700 pages per buffer, per frame. glibc serves the
 * first of these buffers with mmap and gives it back with munmap, unless
 * its dynamic threshold has been raised by an earlier free; which of the
 * two a frame gets depends on what else the process allocated.
 *
 * Both are fixed from outside GTK and cairo, with public API only:
 *  - il_frame_memory_tune_malloc () sets the mmap threshold to 32 MiB (the
 *    most glibc's own dynamic threshold rises to) and the trim threshold to
 *    64 MiB (what glibc pairs with it), so window-sized buffers come from
 *    the heap and freeing one leaves its pages for the next frame. This is
 *    the state glibc reaches by itself after freeing one large mmapped
 *    block; here it holds from the start and is never reset.
 *  - il_frame_memory_keep_shm () makes cairo create one SHM pool big
 *    enough for a screen-sized upload, then keeps a 1 KiB image in it, so
 *    that pool is never empty and therefore never destroyed: every frame's
 *    upload reuses its pages. The cost is the pool's touched pages (about
 *    one screen-sized buffer) held for the life of the display.
 * Figures (bench-timeline, 1200 × 600, Xvfb, cairo renderer) are in
 * README.md, "Timeline frame time".
 */
#include "config.h"

#include "il-frame-memory.h"

#ifdef __GLIBC__
#  include <malloc.h>
#endif

#ifdef GDK_WINDOWING_X11
#  include <cairo-xlib.h>
#  include <gdk/x11/gdkx.h>
#endif

/* A screen bigger than this (4K) gets a pool for this size: larger
 * windows then fall back to cairo's one segment per frame. */
#define MAX_POOL_WIDTH  3840
#define MAX_POOL_HEIGHT 2160

/* Call first thing in main (), before threads start. Returns whether
 * malloc took both thresholds (not with another allocator, or under
 * AddressSanitizer, whose mallopt does nothing). */
gboolean
il_frame_memory_tune_malloc (void)
{
#ifdef __GLIBC__
  /* mallopt returns 1 on success. Setting the mmap threshold also turns
   * glibc's dynamic adjustment off. */
  return mallopt (M_MMAP_THRESHOLD, IL_FRAME_MMAP_THRESHOLD) == 1 && mallopt (M_TRIM_THRESHOLD, IL_FRAME_TRIM_THRESHOLD) == 1;
#else
  return FALSE;
#endif
}

#if defined(GDK_WINDOWING_X11) && defined(CAIRO_HAS_XLIB_SURFACE)

static cairo_surface_t *shm_keeper;

/* The largest monitor in device pixels, within the 4K cap. */
static void
largest_monitor (GdkDisplay *display,
                 int        *width,
                 int        *height)
{
  GListModel *monitors = gdk_display_get_monitors (display);

  *width = 1920;
  *height = 1080;
  for (guint i = 0; i < g_list_model_get_n_items (monitors); i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, i);
      GdkRectangle geometry;
      int          scale = gdk_monitor_get_scale_factor (monitor);

      gdk_monitor_get_geometry (monitor, &geometry);
      if ((gint64) geometry.width * geometry.height * scale * scale > (gint64) *width * *height)
        {
          *width = geometry.width * scale;
          *height = geometry.height * scale;
        }
    }
  *width = MIN (*width, MAX_POOL_WIDTH);
  *height = MIN (*height, MAX_POOL_HEIGHT);
}

/* Call once GTK has opened @display, before the first frame. Returns
 * FALSE where there is nothing to keep (not X11); on an X server without
 * MIT-SHM the kept image is an ordinary one and changes nothing. */
gboolean
il_frame_memory_keep_shm (GdkDisplay *display)
{
  Display         *xdisplay;
  cairo_surface_t *root, *big;
  int              screen, width, height;

  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);

  if (!GDK_IS_X11_DISPLAY (display))
    return FALSE;
  if (shm_keeper != NULL)
    return TRUE;

  largest_monitor (display, &width, &height);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  xdisplay = gdk_x11_display_get_xdisplay (display);
  G_GNUC_END_IGNORE_DEPRECATIONS
  screen = DefaultScreen (xdisplay);
  /* cairo has one device, with its SHM pools, per X Display: a surface on
   * the root window reaches the pools GTK's window surfaces use. */
  root = cairo_xlib_surface_create (xdisplay, RootWindow (xdisplay, screen), DefaultVisual (xdisplay, screen), 1,
                                    1);
  /* A similar image of an xlib surface is an SHM image when the server has
   * MIT-SHM. The first one creates a pool eight times its size rounded up
   * to a power of two; the small one lands in the same pool and keeps it. */
  big = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, width, height);
  shm_keeper = cairo_surface_create_similar_image (root, CAIRO_FORMAT_ARGB32, 16, 16);
  cairo_surface_destroy (big);
  cairo_surface_destroy (root);
  if (cairo_surface_status (shm_keeper) != CAIRO_STATUS_SUCCESS)
    {
      g_clear_pointer (&shm_keeper, cairo_surface_destroy);
      return FALSE;
    }
  return TRUE;
}

/* Lets the pool go (tests; the app keeps it until it exits). */
void
il_frame_memory_release (void)
{
  g_clear_pointer (&shm_keeper, cairo_surface_destroy);
}

#else

gboolean
il_frame_memory_keep_shm (GdkDisplay *display)
{
  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);
  return FALSE;
}

void
il_frame_memory_release (void)
{
}

#endif
