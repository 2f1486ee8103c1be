/* test-gui-charts-palette.c — one colour per block type, editor and timeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opens an experiment with every block type in the window, reads each
 * block's colour off the workload editor (the coloured edge of its row),
 * runs it, and reads the same block's bar off the results timeline and off
 * its PNG and SVG exports: the pixels must be the same colour, in the light
 * and in the dark style (and, as gui-charts-palette-hc, both with high
 * contrast).
 * Nothing here asks the code which colour it meant: both pixels come from
 * rendered widgets.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "il-block-item.h"
#include "il-timeline-chart-private.h"
#include "il-window.h"

#include "il-chart-test-utils.h"
#include "il-test-utils.h"

#define RUN_TIMEOUT_S 120

/* Every block type once, short: sequential, one repetition. */
static const char experiment_json[] =
  "{\n"
  "  \"interleave\": 1,\n"
  "  \"name\": \"Palette\",\n"
  "  \"tasks\": [\n"
  "    { \"name\": \"job\", \"repeat\": 1, \"blocks\": [\n"
  "      { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 },\n"
  "      { \"type\": \"sleep\", \"ms\": 20 },\n"
  "      { \"type\": \"http\", \"delay_ms\": 20, \"bytes\": 1024 },\n"
  "      { \"type\": \"file-write\", \"bytes\": 65536 },\n"
  "      { \"type\": \"file-read\", \"bytes\": 65536 },\n"
  "      { \"type\": \"counter\", \"increments\": 2000000 },\n"
  "      { \"type\": \"yield\", \"times\": 20000 }\n"
  "    ] }\n"
  "  ],\n"
  "  \"runs\": [ { \"executor\": \"sequential\" } ],\n"
  "  \"settings\": { \"repetitions\": 1, \"warmup\": 0 }\n"
  "}\n";

/* 8-bit rounding, and cairo's and GSK's blending of the same colour. */
#define TOLERANCE 0.025

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, out);
}

static gboolean
block_items_mapped (gpointer data)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new ();

  collect (GTK_WIDGET (data), IL_TYPE_BLOCK_ITEM, items);
  return items->len == IL_N_BLOCK_TYPES;
}

static gboolean
timeline_mapped (gpointer data)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();

  collect (GTK_WIDGET (data), IL_TYPE_TIMELINE_CHART, charts);
  return charts->len == 1 && gtk_widget_get_width (g_ptr_array_index (charts, 0)) > 200;
}

/* The colour of each block type's row in the workload editor: the middle
 * of its coloured left edge (ui/style.css: a 4 px border). */
static void
editor_colours (IlWindow *window,
                GdkRGBA   colours[IL_N_BLOCK_TYPES])
{
  const IlExperiment *experiment = il_document_get_experiment (il_window_get_document (window));
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  gboolean seen[IL_N_BLOCK_TYPES] = { FALSE };

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "workload");
  iterate_until (block_items_mapped, window);
  collect (GTK_WIDGET (window), IL_TYPE_BLOCK_ITEM, items);
  for (guint i = 0; i < items->len; i++)
    {
      IlBlockItem *item = g_ptr_array_index (items, i);
      IlTaskGroup *group = g_ptr_array_index (experiment->tasks, il_block_item_get_group (item));
      IlBlock     *block = g_ptr_array_index (group->blocks, il_block_item_get_block (item));
      g_autoptr(GdkTexture) texture = render_widget (GTK_WIDGET (item));
      Pixels px = { 0 };

      pixels_from_texture (&px, texture);
      pixel_at (&px, 1, px.height / 2, &colours[block->type]);
      g_assert_cmpfloat (colours[block->type].alpha, ==, 1.0);
      seen[block->type] = TRUE;
      g_free (px.pixels);
    }
  for (guint t = 0; t < IL_N_BLOCK_TYPES; t++)
    g_assert_true (seen[t]);
}

static void
run_and_wait (IlWindow *window)
{
  gboolean timed_out = FALSE;
  guint    source;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (il_window_get_running (window));
  source = g_timeout_add_seconds (RUN_TIMEOUT_S, timeout_cb, &timed_out);
  while (il_window_get_running (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  il_test_drain ();
  g_assert_nonnull (il_window_get_results (window));
  g_assert_false (il_window_get_results (window)->cancelled);
}

/* The colour of each block type's bar in the results timeline: zoomed so
 * the block fills the plot, the middle of its bar. */
static void
timeline_colours (IlWindow   *window,
                  const char *dir,
                  GdkRGBA     colours[IL_N_BLOCK_TYPES])
{
  static const char *formats[] = { "png", "svg" };
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  IlTimelineChart *chart;
  IlTimelineData  *data;
  gboolean         seen[IL_N_BLOCK_TYPES] = { FALSE };

  g_assert_cmpstr (il_window_get_visible_page (window), ==, "results");
  iterate_until (timeline_mapped, window);
  collect (GTK_WIDGET (window), IL_TYPE_TIMELINE_CHART, charts);
  chart = g_ptr_array_index (charts, 0);
  data = il_timeline_chart_get_data (chart);
  g_assert_nonnull (data);
  /* Every block of every task: tasks and blocks are read from the records. */
  for (guint i = 0, j = 0; i < data->n_tasks; j++)
    {
      IlTimelineBlock               bbuf;
      IlTimelineTask                tbuf;
      const IlTimelineTask         *t = il_timeline_data_task (data, i, &tbuf);
      const IlTimelineBlock        *b;
      const IlTimelineLaneGeometry *lane;
      IlTimelineLayout              g;
      g_autoptr(GdkTexture) texture = NULL;
      Pixels px = { 0 };
      double x, y;

      if (j >= t->n_blocks)
        {
          i++;
          j = G_MAXUINT; /* j++ makes it 0 */
          continue;
        }
      b = il_timeline_data_block (data, t->first_block + j, &bbuf);
      g_assert_nonnull (b);
      g_assert_cmpint (b->end_us, >, b->start_us);
      il_time_range_set_view (il_timeline_chart_get_range (chart), b->start_us, b->end_us);
      /* The block fills the view (a view is at least 10 µs wide). */
      il_time_range_get_view (il_timeline_chart_get_range (chart), &x, &y);
      g_assert_cmpfloat (x, >=, b->start_us - 0.5);
      g_assert_cmpfloat (y, <=, b->end_us + 0.5);
      texture = render_widget (GTK_WIDGET (chart));
      il_timeline_chart_compute_layout (chart, &g);
      lane = &g.lanes[b->worker];
      x = g.plot_x + g.plot_w / 2;
      y = il_timeline_layout_row_y (lane, t->row) + lane->bar_h / 2;
      pixels_from_texture (&px, texture);
      pixel_at (&px, (int) x, (int) y, &colours[b->type]);
      seen[b->type] = TRUE;
      g_free (px.pixels);

      /* The exports draw with the same colours (SVG read back through
       * gdk-pixbuf's loader, which may scale points to pixels). */
      for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
        {
          g_autofree char *path = g_strdup_printf ("%s/timeline.%s", dir, formats[f]);
          g_autoptr(GFile) file = g_file_new_for_path (path);
          g_autoptr(GdkTexture) exported = NULL;
          g_autoptr(GError) error = NULL;
          Pixels  epx = { 0 };
          GdkRGBA got;
          double  scale;

          g_assert_true (il_chart_export (IL_CHART (chart), file, formats[f], &error));
          g_assert_no_error (error);
          exported = gdk_texture_new_from_file (file, &error);
          g_assert_no_error (error);
          pixels_from_texture (&epx, exported);
          scale = (double) epx.width / gtk_widget_get_width (GTK_WIDGET (chart));
          pixel_at (&epx, (int) (x * scale), (int) (y * scale), &got);
          g_test_message ("%s in %s: %.3f %.3f %.3f", il_block_type_to_string (b->type), formats[f], got.red,
                          got.green, got.blue);
          g_assert_cmpfloat (distance (&got, &colours[b->type]), <=, TOLERANCE);
          g_free (epx.pixels);
          g_unlink (path);
        }
    }
  il_time_range_reset (il_timeline_chart_get_range (chart));
  for (guint t = 0; t < IL_N_BLOCK_TYPES; t++)
    g_assert_true (seen[t]);
}

static void
check_style (AdwColorScheme scheme)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-palette-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  IlWindow *window;
  GdkRGBA   editor[IL_N_BLOCK_TYPES], timeline[IL_N_BLOCK_TYPES];

  g_assert_no_error (error);
  path = g_build_filename (dir, "palette.interleave", NULL);
  g_assert_true (g_file_set_contents (path, experiment_json, -1, &error));
  g_assert_no_error (error);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
  /* gui-charts-palette-hc runs this under high contrast */
  g_assert_true (adw_style_manager_get_high_contrast (adw_style_manager_get_default ()) ==
                 (g_getenv ("ADW_DEBUG_HIGH_CONTRAST") != NULL));
  window = il_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_present (GTK_WINDOW (window));
  file = g_file_new_for_path (path);
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);

  editor_colours (window, editor);
  run_and_wait (window);
  timeline_colours (window, dir, timeline);

  for (guint t = 0; t < IL_N_BLOCK_TYPES; t++)
    {
      g_test_message ("%s: editor %.3f %.3f %.3f, timeline %.3f %.3f %.3f", il_block_type_to_string (t),
                      editor[t].red, editor[t].green, editor[t].blue, timeline[t].red, timeline[t].green,
                      timeline[t].blue);
      g_assert_cmpfloat (distance (&editor[t], &timeline[t]), <=, TOLERANCE);
      /* and the types differ from each other */
      for (guint u = 0; u < t; u++)
        g_assert_cmpfloat (distance (&editor[t], &editor[u]), >, 0.1);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_light (void)
{
  check_style (ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
test_dark (void)
{
  check_style (ADW_COLOR_SCHEME_FORCE_DARK);
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/palette/editor-and-timeline/light", test_light);
  g_test_add_func ("/il/gui/palette/editor-and-timeline/dark", test_dark);

  return g_test_run ();
}
