/* test-gui-input.c — input that cannot be silently wrong (issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A refused URL or workers list stays marked with its reason beside it,
 * turns Run off with a tooltip that says why, and is never saved (the
 * saved file, loaded back, holds what it held); a file-read before any
 * file-write is marked on its block as the user edits; opening a document
 * or undoing never leaves the focus in a field with its text selected.
 *
 * With IL_TEST_SCREENSHOTS=DIR the marked states are saved there as PNG.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-calibration.h"
#include "il-examples.h"
#include "il-run-row.h"
#include "il-task-group-card.h"
#include "il-window.h"

#include "il-test-utils.h"

static IlWindow *
window_with_example (void)
{
  g_autoptr(GError) error = NULL;
  IlWindow *window = il_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  g_assert_no_error (error);
  il_test_drain ();
  return window;
}

static void
close_window (IlWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* Saves what @widget shows to DIR/@name.png when IL_TEST_SCREENSHOTS=DIR. */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("IL_TEST_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  graphene_rect_t  bounds;

  if (dir == NULL)
    return;
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (10000);
      il_test_drain ();
    }
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  graphene_rect_init (&bounds, 0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* Replaces a field's text as a paste or an accessibility tool does; GTK
 * reports it twice ("" first), and the editors judge it once it settled. */
static void
type_text (GtkEditable *editable,
           const char  *text)
{
  gtk_editable_set_text (editable, text);
  il_test_drain ();
}

static GtkWidget *
run_button (IlWindow *window)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), IL_TYPE_WINDOW, "run_button"));
}

/* Run is on, or off with a tooltip containing each of @expected. */
static void
assert_run (IlWindow   *window,
            gboolean    enabled,
            const char *expected,
            ...)
{
  GtkWidget  *button = run_button (window);
  const char *tooltip = gtk_widget_get_tooltip_text (button);
  va_list     args;

  g_test_message ("Run %s: %s", gtk_widget_is_sensitive (button) ? "on" : "off", tooltip);
  g_assert_cmpint (gtk_widget_is_sensitive (button), ==, enabled);
  g_assert_nonnull (tooltip);
  /* Never a 0-based JSON path. */
  g_assert_null (strstr (tooltip, "tasks["));
  g_assert_null (strstr (tooltip, "runs["));
  if (enabled)
    g_assert_null (strstr (tooltip, "Cannot run"));
  else
    g_assert_true (g_str_has_prefix (tooltip, "Cannot run: "));
  va_start (args, expected);
  for (const char *text = expected; text != NULL; text = va_arg (args, const char *))
    if (strstr (tooltip, text) == NULL)
      g_error ("expected “%s” in the Run tooltip “%s”", text, tooltip);
  va_end (args);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             guint      nth)
{
  guint      n = 0;
  GPtrArray *stack = g_ptr_array_new ();
  GtkWidget *found = NULL;

  g_ptr_array_add (stack, root);
  /* Depth first, in order. */
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr(GPtrArray) children = g_ptr_array_new ();

      if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && n++ == nth)
        found = widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (children, child);
      for (guint i = children->len; i > 0; i--)
        g_ptr_array_add (stack, g_ptr_array_index (children, i - 1));
    }
  g_ptr_array_unref (stack);
  return found;
}

static gpointer
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  gpointer child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

static const IlBlock *
block_at (IlWindow *window,
          guint     group,
          guint     block)
{
  const IlExperiment *experiment = il_document_get_experiment (il_window_get_document (window));
  const IlTaskGroup  *g = g_ptr_array_index (experiment->tasks, group);

  return g_ptr_array_index (g->blocks, block);
}

static char *
temp_path (const char *name,
           char      **dir)
{
  g_autoptr(GError) error = NULL;

  *dir = g_dir_make_tmp ("interleave-gui-input-XXXXXX", &error);
  g_assert_no_error (error);
  return g_build_filename (*dir, name, NULL);
}

static void
remove_temp (const char *path,
             const char *dir)
{
  g_remove (path);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static void
test_bad_url (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  IlDocument       *document = il_window_get_document (window);
  g_autofree char  *dir = NULL;
  g_autofree char  *path = temp_path ("url.interleave", &dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) reloaded = NULL;
  AdwMessageDialog *dialog;
  IlBlockItem      *item;
  GtkEditable      *url;
  GtkLabel         *message;

  assert_run (window, TRUE, NULL);

  /* An http block with a real URL, saved. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_HTTP);
  item = il_workload_editor_get_block_item (editor, 0, 1);
  url = il_block_item_get_url_entry (item);
  type_text (url, "http://example.com/a");
  g_assert_cmpstr (block_at (window, 0, 1)->url, ==, "http://example.com/a");
  g_assert_true (il_window_save_to (window, file, FALSE, &error));
  g_assert_no_error (error);

  /* A typo: marked, the reason beside it, the model untouched. */
  type_text (url, "htp//example.com/b");
  message = template_child (item, IL_TYPE_BLOCK_ITEM, "message_label");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (url), "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (message)));
  g_test_message ("beside the URL: %s", gtk_label_get_label (message));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (message), "URL: "));
  g_assert_cmpstr (block_at (window, 0, 1)->url, ==, "http://example.com/a");
  g_assert_nonnull (il_document_get_input_error (document));
  assert_run (window, FALSE, "fragment, block 2, URL: ", NULL);
  screenshot (GTK_WIDGET (window), "input-bad-url.png");

  /* Save refuses, whatever the way: the file keeps the last saved URL. */
  g_assert_false (il_window_save_to (window, file, FALSE, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "fragment, block 2, URL: "));
  g_clear_error (&error);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.save", NULL);
  il_test_drain ();
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "The Experiment Cannot Be Saved Yet");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "block 2, URL"));
  screenshot (GTK_WIDGET (dialog), "input-save-refused.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  reloaded = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((IlBlock *) g_ptr_array_index (((IlTaskGroup *) g_ptr_array_index (reloaded->tasks, 0))->blocks, 1))->url,
                   ==, "http://example.com/a");
  g_clear_pointer (&reloaded, il_experiment_free);
  /* Still marked: the field keeps what the user typed. */
  g_assert_cmpstr (gtk_editable_get_text (url), ==, "htp//example.com/b");

  /* Fixed: Run is back, the save writes the new URL. */
  type_text (url, "https://example.org/b");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (url), "error"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (message)));
  g_assert_null (il_document_get_input_error (document));
  assert_run (window, TRUE, NULL);
  g_assert_true (il_window_save_to (window, file, FALSE, &error));
  g_assert_no_error (error);
  reloaded = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((IlBlock *) g_ptr_array_index (((IlTaskGroup *) g_ptr_array_index (reloaded->tasks, 0))->blocks, 1))->url,
                   ==, "https://example.org/b");

  /* A refused URL goes with its block: deleting the block clears it. */
  type_text (url, "nonsense");
  assert_run (window, FALSE, "URL", NULL);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-delete", "(uu)", 0, 1);
  il_test_drain ();
  g_assert_null (il_document_get_input_error (document));
  assert_run (window, TRUE, NULL);

  close_window (window);
  remove_temp (path, dir);
}

static IlRunRow *
run_row (IlWindow *window,
         guint     run)
{
  GtkWidget *row = find_widget (GTK_WIDGET (window), IL_TYPE_RUN_ROW, run);

  g_assert_nonnull (row);
  return IL_RUN_ROW (row);
}

static void
test_bad_workers (void)
{
  IlWindow        *window = window_with_example ();
  IlDocument      *document = il_window_get_document (window);
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_path ("workers.interleave", &dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) reloaded = NULL;
  IlRunRow          *row = run_row (window, 1);
  GtkEditable       *workers = template_child (row, IL_TYPE_RUN_ROW, "workers_entry");
  GtkLabel          *reason = template_child (row, IL_TYPE_RUN_ROW, "workers_error_label");
  const IlRunConfig *run;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "runs");
  g_assert_cmpstr (gtk_editable_get_text (workers), ==, "2");
  /* The syntax shows on the field itself. */
  g_assert_nonnull (strstr (gtk_entry_get_placeholder_text (GTK_ENTRY (workers)), "1, 2, 4"));
  g_assert_true (il_window_save_to (window, file, FALSE, &error));
  g_assert_no_error (error);

  type_text (workers, "1, 2, x");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (workers), "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (reason)));
  g_test_message ("beside the workers: %s", gtk_label_get_label (reason));
  g_assert_nonnull (strstr (gtk_label_get_label (reason), "“x” is not a number"));
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, 1);
  g_assert_cmpuint (run->workers->len, ==, 1);
  g_assert_cmpuint (g_array_index (run->workers, guint, 0), ==, 2);
  assert_run (window, FALSE, "run 2 (threads", "Workers: ", "“x”", NULL);
  screenshot (GTK_WIDGET (window), "input-bad-workers.png");

  /* Save refuses; the file, loaded back, has the 2 workers it had. */
  g_assert_false (il_window_save_to (window, file, FALSE, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);
  reloaded = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  run = g_ptr_array_index (reloaded->runs, 1);
  g_assert_cmpuint (run->workers->len, ==, 1);
  g_assert_cmpuint (g_array_index (run->workers, guint, 0), ==, 2);
  g_clear_pointer (&reloaded, il_experiment_free);

  /* Out of range is refused too, with its own reason. */
  type_text (workers, "1, 2, 999");
  g_assert_nonnull (strstr (gtk_label_get_label (reason), "“999” is not from 1 to 256"));
  assert_run (window, FALSE, "“999”", NULL);

  /* A sweep that parses: stored, Run back on, saved as the sweep. */
  type_text (workers, "1, 2, 4");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (reason)));
  assert_run (window, TRUE, NULL);
  g_assert_true (il_window_save_to (window, file, FALSE, &error));
  g_assert_no_error (error);
  reloaded = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  run = g_ptr_array_index (reloaded->runs, 1);
  g_assert_cmpuint (run->workers->len, ==, 3);
  g_assert_true (run->workers_sweep);

  /* Undo rebuilds the rows from the model: a refused text goes, Run is on
   * again and the field shows what the model holds. */
  type_text (workers, "oops");
  assert_run (window, FALSE, "run 2 (threads: sweep over 1, 2, 4 workers), Workers: ", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_null (il_document_get_input_error (document));
  assert_run (window, TRUE, NULL);
  workers = template_child (run_row (window, 1), IL_TYPE_RUN_ROW, "workers_entry");
  g_assert_cmpstr (gtk_editable_get_text (workers), ==, "2");

  close_window (window);
  remove_temp (path, dir);
}

/* The name is required: an empty one is marked, not stored, and refused. */
static void
test_empty_name (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  GtkEditable      *name = template_child (editor, IL_TYPE_WORKLOAD_EDITOR, "name_entry");
  GtkLabel         *reason = template_child (editor, IL_TYPE_WORKLOAD_EDITOR, "name_error_label");
  g_autofree char  *before = g_strdup (il_document_get_experiment (il_window_get_document (window))->name);

  gtk_editable_set_text (name, "");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (name), "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (reason)));
  g_assert_cmpstr (il_document_get_experiment (il_window_get_document (window))->name, ==, before);
  assert_run (window, FALSE, "Experiment name: ", NULL);
  gtk_editable_set_text (name, "Mine");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (reason)));
  assert_run (window, TRUE, NULL);
  close_window (window);
}

static void
test_read_before_write (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  IlTaskGroupCard  *card = il_workload_editor_get_card (editor, 0);
  GtkEditable      *group_name = template_child (card, IL_TYPE_TASK_GROUP_CARD, "name_entry");
  IlBlockItem      *item;
  const char       *mark;
  g_autofree char  *dir = NULL;
  g_autofree char  *path = temp_path ("rbw.interleave", &dir);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  gtk_editable_set_text (group_name, "job");
  /* cpu, sleep, then a read with no write before it: marked at once, on
   * that block alone, before any Run. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_SLEEP);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_SLEEP);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_FILE_READ);
  il_test_drain ();
  for (guint i = 0; i < 3; i++)
    g_assert_null (il_block_item_get_message (il_workload_editor_get_block_item (editor, 0, i)));
  item = il_workload_editor_get_block_item (editor, 0, 3);
  mark = il_block_item_get_message (item);
  g_assert_nonnull (mark);
  g_test_message ("on block 4: %s", mark);
  /* The mark names its block as the user sees it, as Run's tooltip does. */
  g_assert_true (g_str_has_prefix (mark, "job, block 4: "));
  g_assert_nonnull (strstr (mark, "File Write"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (template_child (item, IL_TYPE_BLOCK_ITEM, "type_label")), "error"));
  /* Screen readers hear it with the block. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (item), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, mark);
  /* Run says where, as the user sees it. */
  assert_run (window, FALSE, "job, block 4: ", "File Write", NULL);
  g_assert_false (il_window_save_to (window, file, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "job, block 4: "));
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  screenshot (GTK_WIDGET (window), "input-read-before-write.png");

  /* Moving the read up moves the mark with it. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-move", "(uui)", 0, 3, -1);
  il_test_drain ();
  g_assert_null (il_block_item_get_message (il_workload_editor_get_block_item (editor, 0, 3)));
  g_assert_true (g_str_has_prefix (il_block_item_get_message (il_workload_editor_get_block_item (editor, 0, 2)),
                                   "job, block 3: "));
  assert_run (window, FALSE, "job, block 3: ", NULL);

  /* A write dropped above it: no mark, Run on, saved. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_FILE_WRITE);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-drop", "(uuuu)", 0, 4, 0, 1);
  il_test_drain ();
  g_assert_cmpint (block_at (window, 0, 1)->type, ==, IL_BLOCK_FILE_WRITE);
  for (guint i = 0; i < 5; i++)
    g_assert_null (il_block_item_get_message (il_workload_editor_get_block_item (editor, 0, i)));
  assert_run (window, TRUE, NULL);
  g_assert_true (il_window_save_to (window, file, FALSE, &error));
  g_assert_no_error (error);

  /* Undo brings the mark back, on the right block. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_nonnull (il_block_item_get_message (il_workload_editor_get_block_item (editor, 0, 2)));
  assert_run (window, FALSE, "job, block 3: ", NULL);

  close_window (window);
  remove_temp (path, dir);
}

/* Opening a document from the welcome page: the focus is not in the name
 * field with its text selected. */
static void
test_focus_after_open (void)
{
  g_autoptr(GError) error = NULL;
  IlWindow  *window = il_window_new (NULL);
  GtkWidget *welcome = GTK_WIDGET (template_child (window, IL_TYPE_WINDOW, "welcome_page"));
  GtkWidget *name;
  GtkWidget *focus;

  gtk_window_present (GTK_WINDOW (window));
  il_test_drain ();
  /* The focus where a click on an example leaves it. */
  g_assert_true (gtk_widget_child_focus (welcome, GTK_DIR_TAB_FORWARD));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), welcome));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  il_test_drain ();

  name = template_child (il_window_get_workload_editor (window), IL_TYPE_WORKLOAD_EDITOR, "name_entry");
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_test_message ("focus: %s", focus ? G_OBJECT_TYPE_NAME (focus) : "none");
  g_assert_true (focus == NULL || !gtk_widget_is_ancestor (focus, name));
  g_assert_false (focus != NULL && GTK_IS_EDITABLE (focus) &&
                  gtk_editable_get_selection_bounds (GTK_EDITABLE (focus), NULL, NULL));
  close_window (window);
}

/* After undo the focus is back in the field that was edited, its text not
 * selected. */
static void
test_focus_after_undo (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  GtkSpinButton    *units = il_block_item_get_units_spin (il_workload_editor_get_block_item (editor, 0, 0));
  GtkWidget        *focus;

  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (units)));
  gtk_spin_button_set_value (units, 77);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_cmpint (block_at (window, 0, 0)->units, ==, 40);

  units = il_block_item_get_units_spin (il_workload_editor_get_block_item (editor, 0, 0));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_test_message ("focus: %s", focus ? G_OBJECT_TYPE_NAME (focus) : "none");
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (units)));
  g_assert_false (GTK_IS_EDITABLE (focus) && gtk_editable_get_selection_bounds (GTK_EDITABLE (focus), NULL, NULL));

  /* A structural undo (the added block goes): not in a selected field. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_SLEEP);
  il_test_drain ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_test_message ("focus: %s", focus ? G_OBJECT_TYPE_NAME (focus) : "none");
  g_assert_false (focus != NULL && GTK_IS_EDITABLE (focus) &&
                  gtk_editable_get_selection_bounds (GTK_EDITABLE (focus), NULL, NULL));
  close_window (window);
}

/* Tab leaves the description; placeholders and units show on the fields. */
static void
test_fields (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  GtkTextView      *description = template_child (editor, IL_TYPE_WORKLOAD_EDITOR, "description_view");
  IlBlockItem      *item;

  g_assert_false (gtk_text_view_get_accepts_tab (description));

  item = il_workload_editor_get_block_item (editor, 0, 0);
  g_assert_true (gtk_widget_get_visible (template_child (item, IL_TYPE_BLOCK_ITEM, "units_suffix")));
  g_assert_cmpstr (gtk_label_get_label (template_child (item, IL_TYPE_BLOCK_ITEM, "units_suffix")), ==, "units");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_SLEEP);
  item = il_workload_editor_get_block_item (editor, 0, 1);
  g_assert_true (gtk_widget_get_visible (template_child (item, IL_TYPE_BLOCK_ITEM, "ms_suffix")));
  g_assert_cmpstr (gtk_label_get_label (template_child (item, IL_TYPE_BLOCK_ITEM, "ms_suffix")), ==, "ms");
  close_window (window);
}

/* A long block shows its estimated duration; a short one does not. */
static void
test_estimate (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  IlBlockItem      *item;
  GtkLabel         *estimate;
  const double     *per_unit;
  gint64            deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_SLEEP);
  item = il_workload_editor_get_block_item (editor, 0, 1);
  estimate = il_block_item_get_estimate_label (item);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (estimate)));
  gtk_spin_button_set_value (il_block_item_get_ms_spin (item), 4200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (estimate)));
  g_assert_cmpstr (gtk_label_get_label (estimate), ==, "≈ 4.2 s");
  gtk_spin_button_set_value (il_block_item_get_ms_spin (item), 900);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (estimate)));
  gtk_spin_button_set_value (il_block_item_get_ms_spin (item), 4200);

  /* A cpu block: from this machine's calibration, measured once. */
  while ((per_unit = il_calibration_get ()) == NULL && g_get_monotonic_time () < deadline)
    {
      g_usleep (10000);
      il_test_drain ();
    }
  g_assert_nonnull (per_unit);
  g_test_message ("spin: %.3f ms per unit", per_unit[IL_KERNEL_SPIN]);
  item = il_workload_editor_get_block_item (editor, 0, 0);
  estimate = il_block_item_get_estimate_label (item);
  /* The example's 40 units are well under a second. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (estimate)));
  gtk_spin_button_set_value (il_block_item_get_units_spin (item), MIN (IL_MAX_UNITS, ceil (3000 / per_unit[IL_KERNEL_SPIN])));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (estimate)));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (estimate), "≈ "));
  g_test_message ("cpu estimate: %s", gtk_label_get_label (estimate));
  screenshot (GTK_WIDGET (window), "input-estimate.png");
  close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/input/bad-url", test_bad_url);
  g_test_add_func ("/il/gui/input/bad-workers", test_bad_workers);
  g_test_add_func ("/il/gui/input/empty-name", test_empty_name);
  g_test_add_func ("/il/gui/input/read-before-write", test_read_before_write);
  g_test_add_func ("/il/gui/input/focus-after-open", test_focus_after_open);
  g_test_add_func ("/il/gui/input/focus-after-undo", test_focus_after_undo);
  g_test_add_func ("/il/gui/input/fields", test_fields);
  g_test_add_func ("/il/gui/input/estimate", test_estimate);

  return g_test_run ();
}
