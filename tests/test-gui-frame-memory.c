/* test-gui-frame-memory.c — frames reuse their memory (il-frame-memory.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With GTK's cairo renderer on X11 each frame draws into a window-sized
 * malloc'd buffer and uploads it through a cairo MIT-SHM segment. Both
 * must be reused from frame to frame, not mapped and faulted in anew: a
 * 1200 × 600 window is 703 pages per buffer, and a page fault costs up to
 * 16 µs in the virtual machines these benchmarks run in (issue 13). The
 * checks count, not time: page faults per frame and SHM segments seen.
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __GLIBC__
#  include <malloc.h>
#endif

#include "il-frame-memory.h"

#include "il-test-utils.h"

#define WIDTH  1200
#define HEIGHT 600
#define WARMUP 5
#define FRAMES 30

static gboolean malloc_tuned;

#ifdef __GLIBC__
/* What a block just under the mmap threshold got, allocated and freed
 * first thing in main (): later, whatever GTK allocated and freed may have
 * raised glibc's dynamic threshold anyway. */
static struct mallinfo2 probe_before, probe_during, probe_after;
static gsize            probe_size;

static void
probe_malloc (void)
{
  char *block;

  probe_size = IL_FRAME_MMAP_THRESHOLD - 1024 * 1024;
  probe_before = mallinfo2 ();
  block = g_malloc (probe_size);
  memset (block, 1, probe_size);
  probe_during = mallinfo2 ();
  g_free (block);
  probe_after = mallinfo2 ();
}
#endif

/* The block came from the heap, and freeing it left its pages to the next
 * one. glibc's defaults mmap it (128 KiB) and, had its dynamic threshold
 * risen that far, would still trim it away (twice the threshold). */
static void
test_malloc (void)
{
#ifdef __GLIBC__
  if (!malloc_tuned)
    {
      g_test_skip ("mallopt refused the thresholds (not glibc's malloc, or a sanitizer's)");
      return;
    }
  g_test_message ("mmapped blocks %zu -> %zu; heap %zu -> %zu -> %zu bytes", probe_before.hblks,
                  probe_during.hblks, probe_before.arena, probe_during.arena, probe_after.arena);
  g_assert_cmpuint (probe_during.hblks, ==, probe_before.hblks);
  g_assert_cmpuint (probe_during.uordblks, >=, probe_before.uordblks + probe_size);
  g_assert_cmpuint (probe_after.arena, ==, probe_during.arena);
  g_assert_cmpuint (probe_after.fordblks, >=, probe_size);
#else
  g_test_skip ("not glibc");
#endif
}

typedef struct
{
  guint       frames;
  long        faults_at_warmup;
  long        faults_at_end;
  GHashTable *segments; /* SysV SHM ids mapped at the end of a frame */
  gboolean    done;
} Frames;

static long
minor_faults (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/* The SysV shared memory segments this process has mapped (their ids are
 * the inode column of /proc/self/maps). */
static void
collect_segments (GHashTable *segments)
{
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (strstr (lines[i], "/SYSV") == NULL)
        continue;
      fields = g_strsplit_set (lines[i], " ", -1);
      for (guint f = 0, column = 0; fields[f] != NULL; f++)
        if (*fields[f] != '\0' && ++column == 5)
          {
            g_hash_table_add (segments, g_strdup (fields[f]));
            break;
          }
    }
}

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *frames)
{
  if (frames->done)
    return;
  frames->frames++;
  if (frames->frames == WARMUP)
    frames->faults_at_warmup = minor_faults ();
  else if (frames->frames > WARMUP)
    collect_segments (frames->segments);
  if (frames->frames == WARMUP + FRAMES)
    {
      frames->faults_at_end = minor_faults ();
      frames->done = TRUE;
    }
}

/* A different colour every frame: the whole window is damaged each time. */
static void
draw_cb (GtkDrawingArea *area,
         cairo_t        *cr,
         int             width,
         int             height,
         gpointer        user_data)
{
  Frames *frames = user_data;

  cairo_set_source_rgb (cr, (frames->frames % 7) / 7.0, 0.5, 1.0 - (frames->frames % 5) / 5.0);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, frames->frames % width, 10, 40, 40);
  cairo_fill (cr);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_frames (void)
{
  GdkDisplay    *display = gdk_display_get_default ();
  Frames         frames = { 0 };
  GtkWidget     *window, *area;
  GdkFrameClock *clock;
  gboolean       timed_out = FALSE;
  guint          timeout;
  gulong         handler;
  long           per_frame;
  const long     pages = (long) WIDTH * HEIGHT * 4 / 4096;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (display), "GdkX11Display") != 0)
    {
      g_test_skip ("the SHM upload is X11's");
      return;
    }
  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") != 0)
    {
      g_test_skip ("needs GSK_RENDERER=cairo (what the benchmarks measure)");
      return;
    }
  g_assert_true (il_frame_memory_keep_shm (display));
  /* Twice is once. */
  g_assert_true (il_frame_memory_keep_shm (display));

  frames.segments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  area = gtk_drawing_area_new ();
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_cb, &frames, NULL);
  gtk_window_set_child (GTK_WINDOW (window), area);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (area))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (area);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  gtk_widget_add_tick_callback (area, tick_cb, NULL, NULL);
  timeout = g_timeout_add_seconds (30, timeout_cb, &timed_out);
  while (!frames.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpint (gtk_widget_get_width (area), ==, WIDTH);
  g_assert_cmpint (gtk_widget_get_height (area), ==, HEIGHT);

  /* Neither buffer faulted in again: far under one buffer's pages. */
  per_frame = (frames.faults_at_end - frames.faults_at_warmup) / FRAMES;
  g_test_message ("page faults per frame: %ld (a buffer is %ld pages)", per_frame, pages);
  if (malloc_tuned)
    g_assert_cmpint (per_frame, <, pages / 10);
  /* One pool, kept, for every upload: without the kept image, cairo
   * creates a segment for each frame and destroys it within the frame. */
  g_test_message ("SHM segments seen over %d frames: %u", FRAMES, g_hash_table_size (frames.segments));
  g_assert_cmpuint (g_hash_table_size (frames.segments), >=, 1);
  g_assert_cmpuint (g_hash_table_size (frames.segments), <=, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_hash_table_unref (frames.segments);
  il_frame_memory_release ();
}

int
main (int    argc,
      char **argv)
{
  /* As the app's main () does, before anything allocates. */
  malloc_tuned = il_frame_memory_tune_malloc ();
#ifdef __GLIBC__
  probe_malloc ();
#endif
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/frame-memory/malloc", test_malloc);
  g_test_add_func ("/il/gui/frame-memory/frames", test_frames);

  return g_test_run ();
}
