/* test-gui-editing.c — undo/redo of edits made in the editors, save and
 * reopen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-cpython.h"
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

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (il_window_load_example (window, IL_DEFAULT_EXAMPLE, &error));
  g_assert_no_error (error);
  il_test_drain ();
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "workload");
  return window;
}

static const IlBlock *
first_block (IlWindow *window)
{
  const IlExperiment *experiment = il_document_get_experiment (il_window_get_document (window));
  const IlTaskGroup  *group = g_ptr_array_index (experiment->tasks, 0);

  return g_ptr_array_index (group->blocks, 0);
}

static GtkSpinButton *
units_spin (IlWindow *window)
{
  IlBlockItem *item = il_workload_editor_get_block_item (il_window_get_workload_editor (window), 0, 0);

  g_assert_nonnull (item);
  return il_block_item_get_units_spin (item);
}

static void
test_undo_redo_units (void)
{
  IlWindow   *window = window_with_example ();
  IlDocument *document = il_window_get_document (window);
  g_autoptr(IlExperiment) before = il_experiment_copy (il_document_get_experiment (document));
  g_autoptr(IlExperiment) after = NULL;
  gint64 original = first_block (window)->units;

  g_assert_false (il_document_get_modified (document));
  g_assert_false (il_document_can_undo (document));

  /* Three changes of one spin button are one undo step. */
  gtk_spin_button_set_value (units_spin (window), original + 1);
  gtk_spin_button_set_value (units_spin (window), original + 2);
  gtk_spin_button_set_value (units_spin (window), original + 7);
  g_assert_cmpint (first_block (window)->units, ==, original + 7);
  g_assert_true (il_document_get_modified (document));
  after = il_experiment_copy (il_document_get_experiment (document));
  g_assert_false (il_experiment_equal (before, after));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_true (il_experiment_equal (il_document_get_experiment (document), before));
  g_assert_false (il_document_get_modified (document));
  g_assert_false (il_document_can_undo (document));
  /* The rebuilt editor shows the restored value. */
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (units_spin (window)), ==, original);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL);
  il_test_drain ();
  g_assert_true (il_experiment_equal (il_document_get_experiment (document), after));
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (units_spin (window)), ==, original + 7);
  g_assert_true (il_document_get_modified (document));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

static void
test_undo_structural (void)
{
  IlWindow         *window = window_with_example ();
  IlDocument       *document = il_window_get_document (window);
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  g_autoptr(IlExperiment) before = il_experiment_copy (il_document_get_experiment (document));
  const IlTaskGroup *group;
  IlBlockItem       *item;

  /* Add a sleep block, duplicate it, move it up: three undo steps. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_SLEEP);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-duplicate", "(uu)", 0, 1);
  item = il_workload_editor_get_block_item (editor, 0, 2);
  g_assert_nonnull (item);
  gtk_spin_button_set_value (il_block_item_get_ms_spin (item), 123);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-move", "(uui)", 0, 2, -1);
  il_test_drain ();

  group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);
  g_assert_cmpuint (group->blocks->len, ==, 3);
  g_assert_cmpint (((IlBlock *) g_ptr_array_index (group->blocks, 1))->type, ==, IL_BLOCK_SLEEP);
  g_assert_cmpint (((IlBlock *) g_ptr_array_index (group->blocks, 1))->ms, ==, 123);

  /* A drop moves a block between places like the keyboard does. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-drop", "(uuuu)", 0, 0, 0, 3);
  group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);
  g_assert_cmpint (((IlBlock *) g_ptr_array_index (group->blocks, 2))->type, ==, IL_BLOCK_CPU);

  for (guint i = 0; i < 5; i++)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_true (il_experiment_equal (il_document_get_experiment (document), before));
  g_assert_false (il_document_can_undo (document));

  /* The last block of a group cannot be deleted (the format needs one). */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-delete", "(uu)", 0, 0);
  g_assert_true (il_experiment_equal (il_document_get_experiment (document), before));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

static void
test_save_reopen (void)
{
  IlWindow   *window = window_with_example ();
  IlDocument *document = il_window_get_document (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("interleave-gui-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(IlExperiment) reopened = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "edited.interleave", NULL);
  file = g_file_new_for_path (path);

  gtk_spin_button_set_value (units_spin (window), 3);
  gtk_widget_activate_action (GTK_WIDGET (il_window_get_workload_editor (window)),
                              "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_FILE_WRITE);
  g_assert_true (il_document_get_modified (document));

  g_assert_true (il_window_save_to (window, file, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (il_document_get_modified (document));
  g_assert_true (g_file_equal (il_document_get_file (document), file));

  reopened = il_experiment_load_file (file, &error);
  g_assert_no_error (error);
  g_assert_true (il_experiment_equal (reopened, il_document_get_experiment (document)));

  /* Opening it in the window gives the same experiment, unmodified. */
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_true (il_experiment_equal (reopened, il_document_get_experiment (il_window_get_document (window))));
  g_assert_false (il_document_get_modified (il_window_get_document (window)));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_open_error (void)
{
  IlWindow *window = il_window_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("interleave-gui-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "broken.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (g_file_set_contents (path, "{ \"interleave\": 1,\n  \"name\": 3 }\n", -1, NULL));
  g_assert_false (il_window_load_file (window, file, &error));
  g_assert_nonnull (error);
  /* The core's message names the file and the place. */
  g_assert_nonnull (strstr (error->message, "broken.interleave"));
  g_assert_null (il_window_get_document (window));

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_cmpint (g_remove (path), ==, 0);
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
test_close_prompt (void)
{
  IlWindow         *window = window_with_example ();
  AdwMessageDialog *dialog;

  /* Unmodified: closes at once. */
  g_assert_null (find_message_dialog ());

  gtk_spin_button_set_value (units_spin (window), 5);
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  il_test_drain ();
  /* Modified: the window stays and asks. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);

  /* Emitting a response does not close the dialog; a click does both. */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_nonnull (il_window_get_document (window));

  gtk_window_close (GTK_WINDOW (window));
  il_test_drain ();
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "discard");
  gtk_window_destroy (GTK_WINDOW (dialog));
  il_test_drain ();
  g_assert_null (find_message_dialog ());
  g_assert_finalize_object (window);
}

/* Switching the executor clears the fields that no longer apply: the run
 * row then shows the cleared values, not the old ones, when the executor
 * comes back. */
static void
test_executor_switch (void)
{
  g_autoptr(IlDocument) document = il_document_new (il_example_load (IL_DEFAULT_EXAMPLE, NULL));
  const IlRunConfig *run;
  GtkWidget         *row;
  GtkDropDown       *executor;
  GtkSpinButton     *interval, *slice;
  GtkDropDown       *spawn;
  guint              index;

  {
    IlExperiment *experiment = il_document_begin_edit (document, NULL);

    g_ptr_array_add (experiment->runs, il_run_config_new (IL_EXECUTOR_THREADS));
    index = experiment->runs->len - 1;
    il_document_end_edit (document, TRUE);
  }
  row = g_object_ref_sink (il_run_row_new (document, index));
  executor = GTK_DROP_DOWN (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "executor_dropdown"));
  interval = GTK_SPIN_BUTTON (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "interval_spin"));
  slice = GTK_SPIN_BUTTON (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "slice_spin"));
  spawn = GTK_DROP_DOWN (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "spawn_dropdown"));

  /* threads, interval 20 → processes, per-task spawn → threads */
  gtk_spin_button_set_value (interval, 20);
  gtk_drop_down_set_selected (executor, IL_EXECUTOR_PROCESSES);
  gtk_drop_down_set_selected (spawn, IL_SPAWN_PER_TASK);
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, index);
  g_assert_cmpint (run->spawn, ==, IL_SPAWN_PER_TASK);
  g_assert_cmpuint (run->switch_interval_ms, ==, 5);
  gtk_drop_down_set_selected (executor, IL_EXECUTOR_THREADS);
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, index);
  g_assert_cmpuint (run->switch_interval_ms, ==, 5);
  g_assert_cmpuint ((guint) gtk_spin_button_get_value (interval), ==, run->switch_interval_ms);

  /* → processes again: the spawn mode shown is the model's */
  gtk_drop_down_set_selected (executor, IL_EXECUTOR_PROCESSES);
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, index);
  g_assert_cmpint (run->spawn, ==, IL_SPAWN_POOL);
  g_assert_cmpuint (gtk_drop_down_get_selected (spawn), ==, run->spawn);

  /* async, slice 100 → threads → async */
  gtk_drop_down_set_selected (executor, IL_EXECUTOR_ASYNC);
  gtk_spin_button_set_value (slice, 100);
  gtk_drop_down_set_selected (executor, IL_EXECUTOR_THREADS);
  gtk_drop_down_set_selected (executor, IL_EXECUTOR_ASYNC);
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, index);
  g_assert_cmpuint (run->cpu_slice_units, ==, 0);
  g_assert_cmpuint ((guint) gtk_spin_button_get_value (slice), ==, run->cpu_slice_units);

  g_assert_finalize_object (row);
}

/* A run row for a threads run with the simulated GIL, appended to
 * @document's runs (its index in @index). */
static GtkWidget *
threads_gil_row (IlDocument *document,
                 guint      *index)
{
  IlExperiment *experiment = il_document_begin_edit (document, NULL);
  IlRunConfig  *threads = il_run_config_new (IL_EXECUTOR_THREADS);

  threads->gil = TRUE;
  g_ptr_array_add (experiment->runs, threads);
  *index = experiment->runs->len - 1;
  il_document_end_edit (document, TRUE);
  return g_object_ref_sink (il_run_row_new (document, *index));
}

/* The engine is chosen on the run row: choosing CPython clears the
 * simulated lock and hides it; without an interpreter the choice is not
 * offered and the row says why. */
static void
test_engine_choice (void)
{
  g_autoptr(IlDocument) document = il_document_new (il_example_load (IL_DEFAULT_EXAMPLE, NULL));
  const IlRunConfig *run;
  GtkWidget         *row;
  GtkDropDown       *engine;
  GtkCheckButton    *gil;
  guint              index;

  row = threads_gil_row (document, &index);
  engine = GTK_DROP_DOWN (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "engine_dropdown"));
  gil = GTK_CHECK_BUTTON (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "gil_check"));
  g_assert_cmpuint (gtk_drop_down_get_selected (engine), ==, IL_ENGINE_NATIVE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gil)));

  if (!il_cpython_available (NULL, NULL))
    {
      g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (engine)));
      g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (engine)), "Python"));
      g_assert_finalize_object (row);
      return;
    }
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (engine)));
  gtk_drop_down_set_selected (engine, IL_ENGINE_CPYTHON);
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, index);
  g_assert_cmpint (run->engine, ==, IL_ENGINE_CPYTHON);
  g_assert_false (run->gil);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gil)));
  g_assert_true (il_experiment_validate (il_document_get_experiment (document), NULL));
  gtk_drop_down_set_selected (engine, IL_ENGINE_NATIVE);
  run = g_ptr_array_index (il_document_get_experiment (document)->runs, index);
  g_assert_cmpint (run->engine, ==, IL_ENGINE_NATIVE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gil)));

  g_assert_finalize_object (row);
}

/* Where there is no usable python3 the row refuses the engine and says why
 * (INTERLEAVE_PYTHON naming a missing program stands for a machine without
 * one, whatever this one has). */
static void
test_engine_refused (void)
{
  g_autoptr(IlDocument) document = il_document_new (il_example_load (IL_DEFAULT_EXAMPLE, NULL));
  g_autofree char *saved = g_strdup (g_getenv ("INTERLEAVE_PYTHON"));
  GtkWidget       *row;
  GtkDropDown     *engine;
  const char      *tooltip;
  guint            index;

  g_setenv ("INTERLEAVE_PYTHON", "/nonexistent/python3", TRUE);
  row = threads_gil_row (document, &index);
  engine = GTK_DROP_DOWN (gtk_widget_get_template_child (row, IL_TYPE_RUN_ROW, "engine_dropdown"));
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (engine));
  g_test_message ("%s", tooltip);
  g_assert_cmpuint (gtk_drop_down_get_selected (engine), ==, IL_ENGINE_NATIVE);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (engine)));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "Python 3"));
  g_assert_nonnull (strstr (tooltip, "/nonexistent/python3"));
  g_assert_finalize_object (row);
  if (saved != NULL)
    g_setenv ("INTERLEAVE_PYTHON", saved, TRUE);
  else
    g_unsetenv ("INTERLEAVE_PYTHON");
}

/* A URL clears the embedded server's delay and body size; clearing the URL
 * again shows those fields with the values the model holds. */
static void
test_http_url_clears (void)
{
  IlWindow          *window = window_with_example ();
  IlWorkloadEditor  *editor = il_window_get_workload_editor (window);
  IlDocument        *document = il_window_get_document (window);
  const IlTaskGroup *group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);
  guint              index = group->blocks->len;
  const IlBlock     *block;
  IlBlockItem       *item;
  GtkEditable       *url;
  GtkSpinButton     *bytes;

  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_HTTP);
  item = il_workload_editor_get_block_item (editor, 0, index);
  g_assert_nonnull (item);
  url = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (item), IL_TYPE_BLOCK_ITEM, "url_entry"));
  bytes = GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (item), IL_TYPE_BLOCK_ITEM, "bytes_spin"));

  gtk_spin_button_set_value (il_block_item_get_ms_spin (item), 50);
  gtk_spin_button_set_value (bytes, 4096);
  gtk_editable_set_text (url, "http://example.com/");
  il_test_drain ();
  group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);
  block = g_ptr_array_index (group->blocks, index);
  g_assert_cmpstr (block->url, ==, "http://example.com/");
  g_assert_cmpint (block->delay_ms, ==, 0);

  /* The editor keeps only what the file's validation accepts: a host that
   * decodes to something no host can be is marked, not stored; the model
   * keeps the last URL it accepted (GTK reports the replaced text as ""
   * first: that moment must not store "the embedded server"). */
  gtk_editable_set_text (url, "http://exa%2Fmple.org/");
  il_test_drain ();
  group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);
  block = g_ptr_array_index (group->blocks, index);
  g_assert_cmpstr (block->url, ==, "http://example.com/");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (url), "error"));

  gtk_editable_set_text (url, "");
  il_test_drain ();
  group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);
  block = g_ptr_array_index (group->blocks, index);
  g_assert_null (block->url);
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (il_block_item_get_ms_spin (item)), ==, block->delay_ms);
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (bytes), ==, block->bytes);

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether the task group's add-block menu offers @type. */
static gboolean
add_menu_offers (GMenuModel *menu,
                 IlBlockType type)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE ("(uu)"));
      g_autofree char *action = NULL;
      guint            group, block_type;

      if (target == NULL || !g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action))
        continue;
      g_variant_get (target, "(uu)", &group, &block_type);
      if (g_str_equal (action, "editor.block-add") && block_type == (guint) type)
        return TRUE;
    }
  return FALSE;
}

static const IlBlock *
block_at (IlDocument *document,
          guint       index)
{
  const IlTaskGroup *group = g_ptr_array_index (il_document_get_experiment (document)->tasks, 0);

  return g_ptr_array_index (group->blocks, index);
}

/* Counter and yield blocks: offered by the add-block menu, and their
 * fields (a counter's increments and lock, a yield's times) edit the model
 * with one undo step per field, like every other field. */
static void
test_counter_and_yield (void)
{
  IlWindow         *window = window_with_example ();
  IlWorkloadEditor *editor = il_window_get_workload_editor (window);
  IlDocument       *document = il_window_get_document (window);
  g_autoptr(IlExperiment) before = il_experiment_copy (il_document_get_experiment (document));
  GtkWidget     *card = find_widget (GTK_WIDGET (editor), IL_TYPE_TASK_GROUP_CARD);
  GtkWidget     *add_button;
  guint          counter_index = ((IlTaskGroup *) g_ptr_array_index (before->tasks, 0))->blocks->len;
  guint          yield_index = counter_index + 1;
  IlBlockItem   *item;
  GtkSpinButton *count;

  g_assert_nonnull (card);
  add_button = GTK_WIDGET (gtk_widget_get_template_child (card, IL_TYPE_TASK_GROUP_CARD, "add_button"));
  g_assert_true (add_menu_offers (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (add_button)), IL_BLOCK_COUNTER));
  g_assert_true (add_menu_offers (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (add_button)), IL_BLOCK_YIELD));

  /* A counter: increments and lock. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_COUNTER);
  item = il_workload_editor_get_block_item (editor, 0, counter_index);
  g_assert_nonnull (item);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (item), "block-counter"));
  count = il_block_item_get_count_spin (item);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (count)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (il_block_item_get_lock_check (item))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (il_block_item_get_units_spin (item))));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (count), GTK_ACCESSIBLE_PROPERTY_LABEL, "Increments");
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (count), ==, block_at (document, counter_index)->increments);
  gtk_spin_button_set_value (count, 5000);
  gtk_spin_button_set_value (count, 2000000);
  g_assert_cmpint (block_at (document, counter_index)->increments, ==, 2000000);
  gtk_check_button_set_active (il_block_item_get_lock_check (item), TRUE);
  g_assert_true (block_at (document, counter_index)->lock);

  /* A yield: its times, no lock. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.block-add", "(uu)", 0, (guint) IL_BLOCK_YIELD);
  item = il_workload_editor_get_block_item (editor, 0, yield_index);
  g_assert_nonnull (item);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (item), "block-yield"));
  count = il_block_item_get_count_spin (item);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (count)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (il_block_item_get_lock_check (item))));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (count), GTK_ACCESSIBLE_PROPERTY_LABEL, "Times");
  /* The format's range: at most 1,000,000 yields. */
  gtk_spin_button_set_value (count, 5000000);
  g_assert_cmpint (block_at (document, yield_index)->times, ==, IL_MAX_YIELDS);
  gtk_spin_button_set_value (count, 20000);
  g_assert_cmpint (block_at (document, yield_index)->times, ==, 20000);
  g_assert_cmpint (block_at (document, yield_index)->increments, ==, 0);

  /* Undo: the yield's times, the yield, the lock, the increments, the
   * counter; one step each. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_cmpint (block_at (document, yield_index)->times, ==, 1000);
  item = il_workload_editor_get_block_item (editor, 0, yield_index);
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (il_block_item_get_count_spin (item)), ==, 1000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_false (block_at (document, counter_index)->lock);
  g_assert_cmpint (block_at (document, counter_index)->increments, ==, 2000000);
  item = il_workload_editor_get_block_item (editor, 0, counter_index);
  g_assert_false (gtk_check_button_get_active (il_block_item_get_lock_check (item)));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL);
  il_test_drain ();
  g_assert_true (il_experiment_equal (il_document_get_experiment (document), before));
  g_assert_false (il_document_can_undo (document));

  /* Redo brings them back, the editor showing the values. */
  for (guint i = 0; i < 5; i++)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL);
  il_test_drain ();
  g_assert_cmpint (block_at (document, yield_index)->times, ==, 20000);
  g_assert_true (block_at (document, counter_index)->lock);
  item = il_workload_editor_get_block_item (editor, 0, counter_index);
  g_assert_true (gtk_check_button_get_active (il_block_item_get_lock_check (item)));
  g_assert_cmpint ((gint64) gtk_spin_button_get_value (il_block_item_get_count_spin (item)), ==, 2000000);

  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/editing/undo-redo-units", test_undo_redo_units);
  g_test_add_func ("/il/gui/editing/undo-structural", test_undo_structural);
  g_test_add_func ("/il/gui/editing/save-reopen", test_save_reopen);
  g_test_add_func ("/il/gui/editing/open-error", test_open_error);
  g_test_add_func ("/il/gui/editing/close-prompt", test_close_prompt);
  g_test_add_func ("/il/gui/editing/executor-switch", test_executor_switch);
  g_test_add_func ("/il/gui/editing/engine-choice", test_engine_choice);
  g_test_add_func ("/il/gui/editing/engine-refused", test_engine_refused);
  g_test_add_func ("/il/gui/editing/http-url-clears", test_http_url_clears);
  g_test_add_func ("/il/gui/editing/counter-and-yield", test_counter_and_yield);

  return g_test_run ();
}
