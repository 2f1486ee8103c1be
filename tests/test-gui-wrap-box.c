/* test-gui-wrap-box.c — IlWrapBox, the row that wraps when narrow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line while the children's minimum widths fit, more when they do
 * not; a dim caption stays with the field it names, or with the spin
 * button it is the unit of. gui-adaptive checks the window that uses it.
 */
#include "config.h"

#include <adwaita.h>

#include "il-wrap-box.h"

#include "il-test-utils.h"

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

/* Lets @window lay out and paint a few frames. */
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

/* IlWrapBox: one line while the children's minimum widths fit, more when
 * they do not; a caption stays with its field; never narrower than its
 * widest child. */
static void
test_wrap_box (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = il_wrap_box_new (6, 4);
  GtkWidget *caption = gtk_label_new ("Repeat");
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 1000000, 1);
  GtkWidget *first = gtk_button_new_with_label ("A rather long first button");
  int        min = 0, nat = 0, min_first = 0, min_pair = 0, nat_pair = 0;

  gtk_widget_add_css_class (caption, "dim-label");
  il_wrap_box_append (IL_WRAP_BOX (box), first);
  il_wrap_box_append (IL_WRAP_BOX (box), caption);
  il_wrap_box_append (IL_WRAP_BOX (box), spin);
  gtk_window_set_child (GTK_WINDOW (window), box);

  gtk_widget_measure (first, GTK_ORIENTATION_HORIZONTAL, -1, &min_first, NULL, NULL, NULL);
  gtk_widget_measure (caption, GTK_ORIENTATION_HORIZONTAL, -1, &min_pair, &nat_pair, NULL, NULL);
  {
    int m = 0;

    gtk_widget_measure (spin, GTK_ORIENTATION_HORIZONTAL, -1, &m, NULL, NULL, NULL);
    min_pair += 6 + m;
  }
  gtk_widget_measure (box, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  /* The caption and its field are one piece: the box's minimum. */
  g_assert_cmpint (min, ==, MAX (min_first, min_pair));
  g_assert_cmpint (nat, >=, min_first + 6 + min_pair);

  present_at (GTK_WINDOW (window), nat + 40, 200);
  g_assert_cmpuint (il_wrap_box_get_n_lines (IL_WRAP_BOX (box)), ==, 1);
  gtk_window_set_default_size (GTK_WINDOW (window), min, 200);
  settle (window);
  g_assert_cmpuint (il_wrap_box_get_n_lines (IL_WRAP_BOX (box)), ==, 2);
  {
    graphene_rect_t c, s;

    /* The caption went to the second line with its field. */
    g_assert_true (gtk_widget_compute_bounds (caption, box, &c));
    g_assert_true (gtk_widget_compute_bounds (spin, box, &s));
    g_assert_cmpfloat (c.origin.y, >, 0);
    g_assert_cmpfloat (c.origin.x, <, s.origin.x);
    g_assert_cmpfloat (c.origin.y, <, s.origin.y + s.size.height);
  }
  /* Every child inside the box, the box inside the window. */
  for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t b;

      g_assert_true (gtk_widget_compute_bounds (child, box, &b));
      g_assert_cmpfloat (b.origin.x, >=, 0);
      g_assert_cmpfloat (b.origin.x + b.size.width, <=, gtk_widget_get_width (box) + 0.5);
      g_assert_cmpfloat (b.origin.y + b.size.height, <=, gtk_widget_get_height (box) + 0.5);
    }
  g_assert_cmpint (gtk_widget_get_width (box), <=, gtk_widget_get_width (window));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A caption after a spin button, before a field that is not one, is the
 * spin button's unit: [30] "ms" stay together, the entry wraps. */
static void
test_wrap_box_unit (void)
{
  GtkWidget      *window = gtk_window_new ();
  GtkWidget      *box = il_wrap_box_new (6, 4);
  GtkWidget      *spin = gtk_spin_button_new_with_range (0, 1000000, 1);
  GtkWidget      *unit = gtk_label_new ("ms");
  GtkWidget      *entry = gtk_entry_new ();
  int             min_spin = 0, min_unit = 0, min = 0;
  graphene_rect_t s, u, e;

  gtk_widget_add_css_class (unit, "dim-label");
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 30);
  il_wrap_box_append (IL_WRAP_BOX (box), spin);
  il_wrap_box_append (IL_WRAP_BOX (box), unit);
  il_wrap_box_append (IL_WRAP_BOX (box), entry);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_widget_measure (spin, GTK_ORIENTATION_HORIZONTAL, -1, &min_spin, NULL, NULL, NULL);
  gtk_widget_measure (unit, GTK_ORIENTATION_HORIZONTAL, -1, &min_unit, NULL, NULL, NULL);
  gtk_widget_measure (box, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  present_at (GTK_WINDOW (window), MAX (min, min_spin + 6 + min_unit) + 10, 200);
  g_assert_cmpuint (il_wrap_box_get_n_lines (IL_WRAP_BOX (box)), ==, 2);
  g_assert_true (gtk_widget_compute_bounds (spin, box, &s));
  g_assert_true (gtk_widget_compute_bounds (unit, box, &u));
  g_assert_true (gtk_widget_compute_bounds (entry, box, &e));
  g_assert_cmpfloat (u.origin.y, <, s.origin.y + s.size.height);
  g_assert_cmpfloat (u.origin.x, >, s.origin.x);
  g_assert_cmpfloat (e.origin.y, >=, s.origin.y + s.size.height);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/wrap-box/lines", test_wrap_box);
  g_test_add_func ("/il/gui/wrap-box/unit", test_wrap_box_unit);

  return g_test_run ();
}
