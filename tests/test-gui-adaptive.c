/* test-gui-adaptive.c — the window works from 360 px wide (issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * At 360 × 640, on every page (welcome and its lessons, both editors with
 * every field of every block and executor, Live during and after a run,
 * Results with its charts and tables, the author's recorded results and a
 * quiz, Preferences, Help), nothing is clipped:
 * - the window's surface is 360 px wide: no page forces it wider, and its
 *   content asks for at most 360 px;
 * - every visible widget lies inside the window and inside its parent,
 *   except where a scrolled window scrolls it (then inside that);
 * - a screenshot of the whole screen has content exactly in a 360 × 640
 *   rectangle and the root window's background everywhere else.
 * At 1120 px the wide layout is back: the switcher in its row, Open and
 * Save in the header bar, editor rows on one line.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-help-window.h"
#include "il-live-view.h"
#include "il-preferences-window.h"
#include "il-window.h"
#include "il-wrap-box.h"

#include "il-test-utils.h"

#define NARROW_WIDTH  360
#define NARROW_HEIGHT 640
#define WIDE_WIDTH    1120
#define WIDE_HEIGHT   760

/* One block of each type and one run of each executor with its fields,
 * so that every editor row is shown at its widest. */
static const char every_field_json[] =
  "{ \"interleave\": 1, \"name\": \"Every field of every block and executor\","
  "  \"description\": \"A long description that has to wrap inside the narrow window, word after word.\","
  "  \"tasks\": ["
  "    { \"name\": \"a task group with a long name\", \"repeat\": 12, \"blocks\": ["
  "      { \"type\": \"cpu\", \"kernel\": \"matmul\", \"units\": 10 },"
  "      { \"type\": \"sleep\", \"ms\": 5 },"
  "      { \"type\": \"http\", \"url\": \"https://example.org/a/rather/long/path\" },"
  "      { \"type\": \"file-write\", \"bytes\": 1048576, \"fsync\": true },"
  "      { \"type\": \"file-read\", \"bytes\": 1048576 },"
  "      { \"type\": \"counter\", \"increments\": 1000000, \"lock\": true },"
  "      { \"type\": \"yield\", \"times\": 1000 } ] } ],"
  "  \"runs\": ["
  "    { \"executor\": \"sequential\" },"
  "    { \"executor\": \"threads\", \"workers\": [1, 2, 4, 8], \"gil\": true, \"switch_interval_ms\": 5 },"
  "    { \"executor\": \"processes\", \"workers\": 2, \"spawn\": \"per-task\" },"
  "    { \"executor\": \"async\" },"
  "    { \"executor\": \"threads\", \"workers\": 2, \"engine\": \"cpython\" } ],"
  "  \"settings\": { \"repetitions\": 3, \"warmup\": 1 } }";

/* Long enough to be caught running (about a second per repetition), with
 * an async run so that Live shows all three curves. */
static const char run_json[] =
  "{ \"interleave\": 1, \"name\": \"narrow run\","
  "  \"tasks\": [ { \"name\": \"wait\", \"repeat\": 16, \"blocks\": ["
  "    { \"type\": \"cpu\", \"kernel\": \"spin\", \"units\": 2 }, { \"type\": \"sleep\", \"ms\": 60 } ] } ],"
  "  \"runs\": [ { \"executor\": \"threads\", \"workers\": 2 }, { \"executor\": \"async\" } ],"
  "  \"settings\": { \"repetitions\": 2, \"warmup\": 0 } }";

#define RUN_TIMEOUT_S 120

/* ---------------------------------------------------------------- waiting */

static void
count_frame (guint *frames)
{
  (*frames)++;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Whether a revealer or a stack under @widget is between two states. */
static gboolean
animating (GtkWidget *widget)
{
  if (GTK_IS_REVEALER (widget) &&
      gtk_revealer_get_reveal_child (GTK_REVEALER (widget)) != gtk_revealer_get_child_revealed (GTK_REVEALER (widget)))
    return TRUE;
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (animating (child))
      return TRUE;
  return FALSE;
}

/* Lets @window lay out and paint a few frames: a squeezer's choice is
 * acted on after the frame that made it (il_window_update_narrow), and
 * the switcher bar slides in. */
static void
settle (GtkWidget *window)
{
  for (guint round = 0; round < 4 || (animating (window) && round < 400); round++)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
      guint          frames = 0;
      gboolean       timed_out = FALSE;
      guint          source = g_timeout_add_seconds (10, timeout_cb, &timed_out);
      gulong         handler;

      g_assert_nonnull (clock);
      handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (count_frame), &frames);
      gtk_widget_queue_draw (window);
      while (frames == 0 && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (clock, handler);
      g_assert_false (timed_out);
      g_source_remove (source);
      il_test_drain ();
    }
}

static GtkWindow *
present_at (GtkWindow *window,
            int        width,
            int        height)
{
  gtk_window_set_default_size (window, width, height);
  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  settle (GTK_WIDGET (window));
  return window;
}

static IlWindow *
narrow_window (void)
{
  IlWindow *window = il_window_new (NULL);

  present_at (GTK_WINDOW (window), NARROW_WIDTH, NARROW_HEIGHT);
  return window;
}

static void
show_page (IlWindow   *window,
           const char *page)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", page);
  settle (GTK_WIDGET (window));
  g_assert_cmpstr (il_window_get_visible_page (window), ==, page);
}

static void
load (IlWindow   *window,
      const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-adaptive-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "narrow.interleave", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  file = g_file_new_for_path (path);
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
  settle (GTK_WIDGET (window));
}

/* ---------------------------------------------------------------- finding */

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_type (GtkWidget *widget,
              GType      type,
              GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_type (child, type, found);
}

static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---------------------------------------------------------------- checks */

/* "GtkBox.box > IlBlockItem.blockitem > …": where a failure is. */
static char *
describe (GtkWidget *widget)
{
  GString *path = g_string_new (NULL);

  for (GtkWidget *w = widget; w != NULL && !GTK_IS_NATIVE (w); w = gtk_widget_get_parent (w))
    {
      g_autofree char *label = NULL;

      if (GTK_IS_LABEL (w))
        label = g_strdup_printf (" “%s”", gtk_label_get_label (GTK_LABEL (w)));
      g_string_prepend (path, label ? label : "");
      g_string_prepend (path, gtk_widget_get_css_name (w));
      g_string_prepend_c (path, '.');
      g_string_prepend (path, G_OBJECT_TYPE_NAME (w));
      if (gtk_widget_get_parent (w) != NULL && !GTK_IS_NATIVE (gtk_widget_get_parent (w)))
        g_string_prepend (path, " > ");
    }
  return g_string_free (path, FALSE);
}

typedef struct
{
  graphene_rect_t area; /* in the window's coordinates */
  gboolean        check_x;
  gboolean        check_y;
} Clip;

/* Whether @rect lies inside @clip on the axes it checks (1 px of slack for
 * rounding). */
static gboolean
inside (const graphene_rect_t *rect,
        const Clip            *clip)
{
  const double slack = 1.0;

  if (clip->check_x && (rect->origin.x < clip->area.origin.x - slack ||
                        rect->origin.x + rect->size.width > clip->area.origin.x + clip->area.size.width + slack))
    return FALSE;
  if (clip->check_y && (rect->origin.y < clip->area.origin.y - slack ||
                        rect->origin.y + rect->size.height > clip->area.origin.y + clip->area.size.height + slack))
    return FALSE;
  return TRUE;
}

/* A widget's drawn part that GTK and libadwaita let stick out of its
 * parent, the same at any width: an overlay scrollbar's slider is
 * allocated its hover width past its trough (and past the window's edge),
 * a view switcher's badge sits on its icon's corner. */
static gboolean
is_decoration (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (!g_str_has_suffix (G_OBJECT_TYPE_NAME (widget), "Gizmo"))
    return FALSE;
  return gtk_widget_get_first_child (widget) == NULL ||
         (parent != NULL && g_str_equal (G_OBJECT_TYPE_NAME (parent), "AdwIndicatorBin"));
}

/* Every mapped widget under @widget lies inside @clip (its parent, the
 * window, or the scrolled window that scrolls it): appends the ones that
 * do not to @clipped. */
static void
walk (GtkWidget  *widget,
      GtkWidget  *window,
      const Clip *window_clip,
      const Clip *parent_clip,
      GString    *clipped)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;
      Clip            own;

      /* Popovers are windows of their own. */
      if (GTK_IS_NATIVE (child) || !gtk_widget_get_mapped (child))
        continue;
      if (!gtk_widget_compute_bounds (child, window, &bounds))
        continue;
      if (bounds.size.width <= 0 || bounds.size.height <= 0)
        continue;
      if (is_decoration (child))
        continue;
      if (!inside (&bounds, window_clip) || !inside (&bounds, parent_clip))
        {
          g_autofree char *path = describe (child);

          g_string_append_printf (clipped, "  %s at %.0f,%.0f %.0f×%.0f\n", path, bounds.origin.x,
                                  bounds.origin.y, bounds.size.width, bounds.size.height);
        }

      own.area = bounds;
      own.check_x = TRUE;
      own.check_y = TRUE;
      /* What a scrolled window scrolls may lie outside it on that axis;
       * what a viewport or a column view scrolls is checked against the
       * scrolled window. */
      if (GTK_IS_SCROLLED_WINDOW (child))
        {
          GtkPolicyType h = GTK_POLICY_AUTOMATIC;
          GtkPolicyType v = GTK_POLICY_AUTOMATIC;

          gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (child), &h, &v);
          own.check_x = h == GTK_POLICY_NEVER;
          own.check_y = v == GTK_POLICY_NEVER;
        }
      if (GTK_IS_SCROLLABLE (child))
        own = *parent_clip;
      {
        Clip inner_window = *window_clip;

        /* Inside a scrolled window, the window's edge is not the limit on
         * a scrolling axis either. */
        inner_window.check_x = window_clip->check_x && own.check_x;
        inner_window.check_y = window_clip->check_y && own.check_y;
        walk (child, window, &inner_window, &own, clipped);
      }
    }
}

static int
content_min_width (GtkWidget *window)
{
  GtkWidget *content = gtk_widget_get_first_child (window);
  int        min = 0;

  g_assert_nonnull (content);
  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  return min;
}

/* The children of @widget that ask for more than @limit, down the tree:
 * what forces a window wider. */
static void
wide_children (GtkWidget *widget,
               int        limit,
               GString   *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int min = 0;

      if (!gtk_widget_get_visible (child) || GTK_IS_NATIVE (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
      if (min > limit)
        {
          g_autofree char *path = describe (child);

          g_string_append_printf (out, "  %d px: %s\n", min, path);
          wide_children (child, limit, out);
        }
    }
}

/* Nothing of @window is clipped; @surface_width: the width its surface
 * must have (0: not checked). */
static void
check_fits (GtkWidget  *window,
            const char *where,
            int         surface_width)
{
  g_autoptr(GString) clipped = g_string_new (NULL);
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  int         min = content_min_width (window);
  Clip        clip = { GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (window), gtk_widget_get_height (window)), TRUE, TRUE };

  if (min > NARROW_WIDTH)
    {
      g_autoptr(GString) wide = g_string_new (NULL);

      wide_children (window, NARROW_WIDTH - 40, wide);
      g_test_message ("%s: the content asks for %d px; wide children:\n%s", where, min, wide->str);
    }
  g_assert_cmpint (min, <=, NARROW_WIDTH);
  if (surface_width > 0)
    {
      if (gdk_surface_get_width (surface) != surface_width)
        g_test_message ("%s: the window is %d px wide", where, gdk_surface_get_width (surface));
      g_assert_cmpint (gdk_surface_get_width (surface), ==, surface_width);
    }

  walk (window, window, &clip, &clip, clipped);
  if (clipped->len > 0)
    g_test_message ("%s: clipped:\n%s", where, clipped->str);
  g_assert_cmpuint (clipped->len, ==, 0);
}

/* ---------------------------------------------------------------- screenshot */

/* A screenshot of the whole screen (ImageMagick's import, as
 * build-aux/screenshots takes them); NULL, and the check skipped, where
 * there is no import or no X display. */
static GdkTexture *
screenshot (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *import = g_find_program_in_path ("import");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char      *argv[] = { import, "-window", "root", NULL, NULL };
  int              status = 0;
  GdkTexture      *texture;

  if (import == NULL || g_getenv ("DISPLAY") == NULL)
    return NULL;
  dir = g_dir_make_tmp ("il-adaptive-shot-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "screen.png", NULL);
  argv[3] = path;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
  return texture;
}

/* On the screen, the window's content fills exactly a @width × @height
 * rectangle: nothing lies outside it (the root window's background, the
 * colour of the screen's far corner, is everywhere else). */
static void
check_screenshot (const char *where,
                  int         width,
                  int         height)
{
  g_autoptr(GdkTexture) texture = screenshot ();
  g_autofree guint32 *pixels = NULL;
  int                 w, h;
  int                 x0 = G_MAXINT, y0 = G_MAXINT, x1 = -1, y1 = -1;
  guint32             background;

  if (texture == NULL)
    {
      g_test_message ("%s: no screenshot (no ImageMagick import or no X display)", where);
      return;
    }
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  /* The screen must be larger than the window, or a wider window would
   * not show. */
  if (w < width + 64 || h < height + 64)
    {
      g_test_message ("%s: the screen (%d×%d) is too small for the check", where, w, h);
      return;
    }
  pixels = g_new (guint32, (gsize) w * h);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  background = pixels[(gsize) w * h - 1];
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (pixels[(gsize) y * w + x] != background)
        {
          x0 = MIN (x0, x);
          y0 = MIN (y0, y);
          x1 = MAX (x1, x);
          y1 = MAX (y1, y);
        }
  g_test_message ("%s: content on the screen from %d,%d to %d,%d", where, x0, y0, x1, y1);
  g_assert_cmpint (x1, >=, 0);
  g_assert_cmpint (x1 - x0 + 1, ==, width);
  g_assert_cmpint (y1 - y0 + 1, ==, height);
}

/* ---------------------------------------------------------------- cases */

static void
assert_narrow_mode (IlWindow *window,
                    gboolean  narrow)
{
  GtkWidget *bar = find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR);
  GtkWidget *open = find_action_button (GTK_WIDGET (window), "win.open");

  g_assert_nonnull (bar);
  g_assert_cmpint (adw_view_switcher_bar_get_reveal (ADW_VIEW_SWITCHER_BAR (bar)), ==, narrow);
  /* Open and Save: in the header bar while they fit, else only in the
   * main menu. */
  g_assert_nonnull (open);
  g_assert_cmpint (gtk_widget_get_mapped (open), ==, !narrow);
}

/* The main menu offers Save (in a narrow window the header bar does not). */
static gboolean
menu_has_action (GMenuModel *model,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *name = NULL;
      GMenuModel      *link;
      g_autoptr(GMenuLinkIter) links = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_strcmp0 (name, action) == 0)
        return TRUE;
      links = g_menu_model_iterate_item_links (model, i);
      while (g_menu_link_iter_get_next (links, NULL, &link))
        {
          gboolean found = menu_has_action (link, action);

          g_object_unref (link);
          if (found)
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_welcome (void)
{
  IlWindow *window = narrow_window ();

  check_fits (GTK_WIDGET (window), "welcome", NARROW_WIDTH);
  check_screenshot ("welcome", NARROW_WIDTH, NARROW_HEIGHT);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_editors (void)
{
  IlWindow  *window = narrow_window ();
  GtkWidget *menu_button;

  load (window, every_field_json);
  show_page (window, "workload");
  assert_narrow_mode (window, TRUE);
  check_fits (GTK_WIDGET (window), "workload", NARROW_WIDTH);
  check_screenshot ("workload", NARROW_WIDTH, NARROW_HEIGHT);
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();

    /* Narrow: some editor rows took more than one line. */
    collect_type (GTK_WIDGET (window), IL_TYPE_WRAP_BOX, rows);
    g_assert_cmpuint (rows->len, >, 0);
    for (guint i = 0; i < rows->len; i++)
      if (il_wrap_box_get_n_lines (g_ptr_array_index (rows, i)) > 1)
        break;
      else
        g_assert_cmpuint (i + 1, <, rows->len);
  }

  show_page (window, "runs");
  check_fits (GTK_WIDGET (window), "runs", NARROW_WIDTH);
  check_screenshot ("runs", NARROW_WIDTH, NARROW_HEIGHT);

  menu_button = find_type (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu_button);
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)), "win.save"));
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)), "win.open"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_live_and_results (void)
{
  IlWindow *window = narrow_window ();
  gboolean  timed_out = FALSE;
  guint     source;

  load (window, run_json);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (il_window_get_running (window));
  show_page (window, "live");
  /* Until the async run is under way: all three curves then. */
  source = g_timeout_add_seconds (RUN_TIMEOUT_S, timeout_cb, &timed_out);
  while (il_window_get_running (window) && !timed_out)
    {
      g_autoptr(GPtrArray) charts = g_ptr_array_new ();
      GtkWidget *live = find_type (GTK_WIDGET (window), IL_TYPE_LIVE_VIEW);
      GtkWidget *row = live ? find_type (live, IL_TYPE_WRAP_BOX) : NULL;

      g_main_context_iteration (NULL, TRUE);
      if (row == NULL)
        continue;
      for (GtkWidget *c = gtk_widget_get_first_child (row); c != NULL; c = gtk_widget_get_next_sibling (c))
        if (gtk_widget_get_visible (c))
          g_ptr_array_add (charts, c);
      if (charts->len == 3)
        break;
    }
  g_assert_false (timed_out);
  g_assert_true (il_window_get_running (window));
  settle (GTK_WIDGET (window));
  check_fits (GTK_WIDGET (window), "live, running", NARROW_WIDTH);
  check_screenshot ("live, running", NARROW_WIDTH, NARROW_HEIGHT);

  while (il_window_get_running (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  g_assert_nonnull (il_window_get_results (window));
  settle (GTK_WIDGET (window));
  show_page (window, "live");
  check_fits (GTK_WIDGET (window), "live, finished", NARROW_WIDTH);
  show_page (window, "results");
  check_fits (GTK_WIDGET (window), "results", NARROW_WIDTH);
  check_screenshot ("results", NARROW_WIDTH, NARROW_HEIGHT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A lesson with the author's recorded results asks its quiz at once;
 * answered, Results shows the quiz card and both tables. */
static void
test_recorded (void)
{
  g_autoptr(GError) error = NULL;
  IlWindow *window = narrow_window ();

  g_assert_true (il_window_load_example (window, "shared-state", &error));
  g_assert_no_error (error);
  settle (GTK_WIDGET (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.answer-quiz", "i", 1);
  settle (GTK_WIDGET (window));
  show_page (window, "results");
  check_fits (GTK_WIDGET (window), "recorded results", NARROW_WIDTH);
  check_screenshot ("recorded results", NARROW_WIDTH, NARROW_HEIGHT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* libadwaita's own windows: their content asks for at most 360 px (the
 * preferences window's leaflet asks for exactly that) and nothing in them
 * is clipped. Under an X server without a compositor GTK draws a frame
 * around a window, so their surface is not checked here. */
static void
test_preferences (void)
{
  IlWindow  *window = narrow_window ();
  GtkWindow *preferences = GTK_WINDOW (il_preferences_window_new (GTK_WINDOW (window)));

  present_at (preferences, NARROW_WIDTH, NARROW_HEIGHT);
  check_fits (GTK_WIDGET (preferences), "preferences", 0);
  gtk_window_destroy (preferences);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_help (void)
{
  IlWindow     *window = narrow_window ();
  IlHelpWindow *help = il_help_window_new (GTK_WINDOW (window));

  present_at (GTK_WINDOW (help), NARROW_WIDTH, NARROW_HEIGHT);
  check_fits (GTK_WIDGET (help), "help", 0);
  if (il_help_window_show_page (help, "charts"))
    {
      settle (GTK_WIDGET (help));
      check_fits (GTK_WIDGET (help), "help, charts", 0);
    }
  gtk_window_destroy (GTK_WINDOW (help));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Wide again: the switcher in its row, Open and Save in the header bar,
 * every block's row on one line. */
static void
test_wide (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  present_at (GTK_WINDOW (window), WIDE_WIDTH, WIDE_HEIGHT);
  load (window, every_field_json);
  show_page (window, "workload");
  assert_narrow_mode (window, FALSE);
  collect_type (GTK_WIDGET (window), IL_TYPE_WRAP_BOX, rows);
  g_assert_cmpuint (rows->len, >, 0);
  for (guint i = 0; i < rows->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (rows, i)))
      g_assert_cmpuint (il_wrap_box_get_n_lines (g_ptr_array_index (rows, i)), ==, 1);

  /* Narrowed, then widened: the modes follow. */
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW_WIDTH, NARROW_HEIGHT);
  settle (GTK_WIDGET (window));
  if (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))) == NARROW_WIDTH)
    {
      assert_narrow_mode (window, TRUE);
      gtk_window_set_default_size (GTK_WINDOW (window), WIDE_WIDTH, WIDE_HEIGHT);
      settle (GTK_WIDGET (window));
      assert_narrow_mode (window, FALSE);
    }
  else
    g_test_message ("the window was not resized (a window manager keeps its size)");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/adaptive/welcome", test_welcome);
  g_test_add_func ("/il/gui/adaptive/editors", test_editors);
  g_test_add_func ("/il/gui/adaptive/live-and-results", test_live_and_results);
  g_test_add_func ("/il/gui/adaptive/recorded", test_recorded);
  g_test_add_func ("/il/gui/adaptive/preferences", test_preferences);
  g_test_add_func ("/il/gui/adaptive/help", test_help);
  g_test_add_func ("/il/gui/adaptive/wide", test_wide);

  return g_test_run ();
}
