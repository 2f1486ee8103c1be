/* test-gui-course.c — the course: lessons in order on the welcome page, a
 * quiz answered by the author's recorded results, and "Next lesson"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <adwaita.h>

#include "il-examples.h"
#include "il-format.h"
#include "il-quiz-card.h"
#include "il-welcome-page.h"
#include "il-window.h"

#include "il-test-utils.h"

/* The shipped example that carries the author's recorded results. */
#define RECORDED_LESSON "shared-state"

/* The visible message dialog of @window, or NULL. */
static AdwMessageDialog *
find_dialog (IlWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)) &&
          gtk_window_get_transient_for (GTK_WINDOW (item)) == GTK_WINDOW (window))
        return ADW_MESSAGE_DIALOG (item);
    }
  return NULL;
}

static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first button or row that activates @action, or NULL. */
static GtkWidget *
find_action_button (GtkWidget  *widget,
                    const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_labels (c, out);
}

/* Whether @widget and every ancestor are visible (mapped or not). */
static gboolean
shown (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return TRUE;
}

/* The welcome page lists the examples as numbered lessons, in course order. */
static void
test_welcome_order (void)
{
  GtkWidget *page = g_object_ref_sink (il_welcome_page_new ());
  g_auto(GStrv) names = il_examples_names ();
  GtkWidget *row = find_action_button (page, "win.open-example");
  guint      i = 0;

  g_assert_nonnull (row);
  for (; row != NULL; row = gtk_widget_get_next_sibling (row), i++)
    {
      g_autoptr(IlExperiment) exp = il_example_load (names[i], NULL);
      g_autoptr(GString) labels = g_string_new (NULL);
      g_autofree char *number = g_strdup_printf ("%u\n", i + 1);

      g_assert_nonnull (names[i]);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, exp->name);
      collect_labels (row, labels);
      g_assert_true (g_str_has_prefix (labels->str, number));
    }
  g_assert_cmpuint (i, ==, g_strv_length (names));
  g_assert_cmpuint (i, >=, 15);
  g_object_unref (page);
}

/* The shipped lesson, saved as a file: a shared file with recorded results
 * and a quiz. */
static char *
write_recorded_file (const char *dir)
{
  g_autoptr(GBytes) bytes = il_example_get_bytes (RECORDED_LESSON, NULL);
  g_autofree char *path = g_build_filename (dir, "shared.interleave", NULL);
  gsize            len;
  const char      *data = g_bytes_get_data (bytes, &len);

  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  return g_steal_pointer (&path);
}

/* The choice the recorded figures pick: with threads the counter ends below
 * what was counted ("less than"), exactly there, or above. */
static int
choice_from_figures (const IlExperiment *exp)
{
  const IlRunResult  *threads = NULL;
  const IlRepetition *rep;

  for (guint i = 0; i < exp->results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (exp->results->runs, i);

      if (run->executor == IL_EXECUTOR_THREADS)
        threads = run;
    }
  g_assert_nonnull (threads);
  rep = il_run_result_median_repetition (threads);
  g_assert_true (rep->has_counter);
  g_assert_cmpint (rep->counter_expected, ==, 8000000);
  if (rep->counter_final == rep->counter_expected)
    return 0;
  return rep->counter_final < rep->counter_expected ? 1 : 2;
}

/* Opening a file with the author's results and a quiz asks the question at
 * once; the author's measurement, labelled with their machine, answers it
 * on the Results page, and nothing runs. Its Results page offers the next
 * lesson, which opens after the unsaved-changes question. */
static void
test_recorded_quiz_and_next (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-course-XXXXXX", NULL);
  g_autofree char *path = write_recorded_file (dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) labels = g_string_new (NULL);
  g_autoptr(IlExperiment) next_exp = il_example_load ("shared-state-lock", NULL);
  g_autofree char    *machine = NULL;
  g_autofree char    *choice_id = NULL;
  IlWindow           *window = il_window_new (NULL);
  const IlExperiment *exp;
  AdwMessageDialog   *dialog;
  GtkWidget          *card, *next_button;
  int                 choice;

  gtk_window_present (GTK_WINDOW (window));
  /* The welcome page is no lesson: there is no next one. */
  next_button = find_action_button (GTK_WIDGET (window), "win.next-lesson");
  g_assert_nonnull (next_button);
  g_assert_false (shown (next_button));

  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);
  exp = il_document_get_experiment (il_window_get_document (window));
  g_assert_nonnull (exp->quiz);
  g_assert_nonnull (exp->results);
  g_assert_nonnull (exp->results->machine.cpu_model);
  g_assert_cmpuint (exp->results->machine.cores, >, 0);

  /* Asked at once, before anything ran. */
  il_test_drain ();
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  machine = il_format_machine (&exp->results->machine);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), exp->quiz->question));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), machine));
  g_assert_false (il_window_get_running (window));

  /* Answer it from the recorded figures. */
  choice = choice_from_figures (exp);
  g_assert_cmpint (choice, ==, (int) exp->quiz->answer);
  choice_id = g_strdup_printf ("choice-%d", choice);
  respond (dialog, choice_id);

  g_assert_false (il_window_get_running (window));
  g_assert_null (il_window_get_results (window));
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "results");
  card = find_widget (GTK_WIDGET (window), IL_TYPE_QUIZ_CARD);
  g_assert_true (shown (card));
  collect_labels (card, labels);
  g_test_message ("%s", labels->str);
  g_assert_nonnull (strstr (labels->str, "✓ Right"));
  g_assert_nonnull (strstr (labels->str, "Recorded by the author on"));
  g_assert_nonnull (strstr (labels->str, machine));
  g_assert_null (strstr (labels->str, "Measured here"));
  for (guint i = 0; i < exp->results->runs->len; i++)
    {
      g_autofree char *run_counter = il_format_counter (g_ptr_array_index (exp->results->runs, i));

      g_assert_nonnull (strstr (labels->str, run_counter));
    }

  /* What made the author's figures less trustworthy is said with them. */
  g_string_truncate (labels, 0);
  collect_labels (GTK_WIDGET (window), labels);
  for (guint i = 0; exp->results->warnings != NULL && exp->results->warnings[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("⚠ The author’s measurement: %s", exp->results->warnings[i]);

      g_assert_nonnull (strstr (labels->str, line));
    }

  /* "Next lesson" names the next lesson and opens it, once the unsaved
   * edit is saved or discarded. */
  g_assert_true (shown (next_button));
  g_string_truncate (labels, 0);
  collect_labels (gtk_widget_get_parent (gtk_widget_get_parent (next_button)), labels);
  g_assert_nonnull (strstr (labels->str, next_exp->name));
  {
    IlDocument   *document = il_window_get_document (window);
    IlExperiment *edit = il_document_begin_edit (document, NULL);

    g_free (edit->description);
    edit->description = g_strdup ("edited");
    il_document_end_edit (document, FALSE);
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.next-lesson", NULL);
  il_test_drain ();
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  respond (dialog, "cancel");
  g_assert_cmpstr (il_document_get_experiment (il_window_get_document (window))->description, ==, "edited");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.next-lesson", NULL);
  il_test_drain ();
  dialog = find_dialog (window);
  g_assert_nonnull (dialog);
  respond (dialog, "discard");
  g_assert_cmpstr (il_document_get_experiment (il_window_get_document (window))->name, ==, next_exp->name);
  /* The next lesson has no recorded results: no question until Run. */
  g_assert_null (find_dialog (window));
  g_assert_false (il_window_get_running (window));

  /* The last lesson has no next one. */
  {
    g_auto(GStrv) names = il_examples_names ();
    const char *last = names[g_strv_length (names) - 1];
    g_autoptr(IlExperiment) last_exp = il_example_load (last, NULL);
    IlDocument *document;

    g_assert_true (il_window_load_example (window, last, &error));
    g_assert_no_error (error);
    document = il_window_get_document (window);
    g_assert_false (shown (next_button));
    gtk_widget_activate_action (GTK_WIDGET (window), "win.next-lesson", NULL);
    il_test_drain ();
    g_assert_null (find_dialog (window));
    g_assert_true (il_window_get_document (window) == document);
    g_assert_cmpstr (il_document_get_experiment (document)->name, ==, last_exp->name);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/course/welcome-order", test_welcome_order);
  g_test_add_func ("/il/gui/course/recorded-quiz-and-next", test_recorded_quiz_and_next);

  return g_test_run ();
}
