/* il-runs-editor.c — executor configurations and global settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CPU affinity is one toggle per core this process may use: all on means
 * "no affinity" (the file's default), and the last core cannot be switched
 * off, so the setting is always one the runner accepts.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "il-focus.h"
#include "il-machine.h"
#include "il-run-row.h"
#include "il-runs-editor.h"

struct _IlRunsEditor
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget     *scroller;
  GtkListBox    *runs_list;
  GtkMenuButton *add_button;
  GtkSpinButton *repetitions_spin;
  GtkSpinButton *warmup_spin;
  GtkDropDown   *order_dropdown;
  GtkSpinButton *sample_spin;
  AdwActionRow  *affinity_row;
  GtkFlowBox    *cores_box;

  /* owned */
  IlDocument   *document;
  GSignalGroup *document_signals;
  GPtrArray    *core_toggles; /* GtkToggleButton*, borrowed from cores_box */

  guint    n_cores;
  gboolean updating;
};

G_DEFINE_FINAL_TYPE (IlRunsEditor, il_runs_editor, GTK_TYPE_WIDGET)

static void
il_runs_editor_sync_affinity (IlRunsEditor *self)
{
  const IlExperiment *experiment = il_document_get_experiment (self->document);
  const GArray       *affinity = experiment->settings.cpu_affinity;
  g_autofree char    *subtitle = NULL;
  guint               active = 0;

  for (guint i = 0; i < self->core_toggles->len; i++)
    {
      gboolean on = affinity == NULL || affinity->len == 0;

      for (guint j = 0; !on && j < affinity->len; j++)
        on = g_array_index (affinity, guint, j) == i;
      gtk_toggle_button_set_active (g_ptr_array_index (self->core_toggles, i), on);
      active += on;
    }
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Runs use %u of this machine’s %u core",
                                           "Runs use %u of this machine’s %u cores",
                                           self->n_cores),
                              active, self->n_cores);
  adw_action_row_set_subtitle (self->affinity_row, subtitle);
}

static void
il_runs_editor_rebuild (IlRunsEditor *self)
{
  const IlExperiment *experiment;
  GtkWidget          *child;
  int                 focus;

  /* Undo and redo rebuild the rows: the focus stays at its place, never
   * in a field with its text selected. */
  focus = il_focus_save (GTK_WIDGET (self->runs_list));
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->runs_list))) != NULL)
    gtk_list_box_remove (self->runs_list, child);
  if (self->document == NULL)
    return;

  experiment = il_document_get_experiment (self->document);
  self->updating = TRUE;
  for (guint i = 0; i < experiment->runs->len; i++)
    gtk_list_box_append (self->runs_list, il_run_row_new (self->document, i));
  gtk_spin_button_set_value (self->repetitions_spin, experiment->settings.repetitions);
  gtk_spin_button_set_value (self->warmup_spin, experiment->settings.warmup);
  gtk_drop_down_set_selected (self->order_dropdown, experiment->settings.order);
  gtk_spin_button_set_value (self->sample_spin, experiment->settings.sample_hz);
  il_runs_editor_sync_affinity (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), experiment->runs->len < IL_MAX_RUNS);
  self->updating = FALSE;
  il_focus_restore (GTK_WIDGET (self->runs_list), focus);
}

static void
document_changed_cb (IlRunsEditor *self,
                     gboolean      structural,
                     IlDocument   *document)
{
  if (structural)
    il_runs_editor_rebuild (self);
}

static IlSettings *
il_runs_editor_begin (IlRunsEditor *self,
                      const char   *field)
{
  g_autofree char *key = NULL;

  if (self->updating || self->document == NULL)
    return NULL;
  key = g_strconcat ("settings.", field, NULL);
  return &il_document_begin_edit (self->document, key)->settings;
}

static void
repetitions_changed_cb (IlRunsEditor *self)
{
  IlSettings *settings;

  if ((settings = il_runs_editor_begin (self, "repetitions")) == NULL)
    return;
  settings->repetitions = (guint) gtk_spin_button_get_value (self->repetitions_spin);
  il_document_end_edit (self->document, FALSE);
}

static void
warmup_changed_cb (IlRunsEditor *self)
{
  IlSettings *settings;

  if ((settings = il_runs_editor_begin (self, "warmup")) == NULL)
    return;
  settings->warmup = (guint) gtk_spin_button_get_value (self->warmup_spin);
  il_document_end_edit (self->document, FALSE);
}

static void
order_changed_cb (IlRunsEditor *self)
{
  guint       selected = gtk_drop_down_get_selected (self->order_dropdown);
  IlSettings *settings;

  if (selected >= IL_N_ORDERS)
    return;
  if ((settings = il_runs_editor_begin (self, "order")) == NULL)
    return;
  settings->order = selected;
  il_document_end_edit (self->document, FALSE);
}

static void
sample_changed_cb (IlRunsEditor *self)
{
  IlSettings *settings;

  if ((settings = il_runs_editor_begin (self, "sample_hz")) == NULL)
    return;
  settings->sample_hz = (guint) gtk_spin_button_get_value (self->sample_spin);
  il_document_end_edit (self->document, FALSE);
}

static void
core_toggled_cb (IlRunsEditor    *self,
                 GtkToggleButton *toggle)
{
  g_autoptr(GArray) affinity = g_array_new (FALSE, FALSE, sizeof (guint));
  IlSettings *settings;

  if (self->updating || self->document == NULL)
    return;

  for (guint i = 0; i < self->core_toggles->len; i++)
    if (gtk_toggle_button_get_active (g_ptr_array_index (self->core_toggles, i)))
      g_array_append_val (affinity, i);

  /* Runs need at least one core. */
  if (affinity->len == 0)
    {
      self->updating = TRUE;
      gtk_toggle_button_set_active (toggle, TRUE);
      self->updating = FALSE;
      gtk_widget_error_bell (GTK_WIDGET (self));
      return;
    }

  if ((settings = il_runs_editor_begin (self, "cpu_affinity")) == NULL)
    return;
  g_clear_pointer (&settings->cpu_affinity, g_array_unref);
  if (affinity->len < self->n_cores)
    settings->cpu_affinity = g_steal_pointer (&affinity);
  il_document_end_edit (self->document, FALSE);

  self->updating = TRUE;
  il_runs_editor_sync_affinity (self);
  self->updating = FALSE;
}

static void
run_add_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  IlRunsEditor  *self = IL_RUNS_EDITOR (widget);
  IlExecutorKind executor;
  IlExperiment  *experiment;
  IlRunConfig   *run;

  if (self->document == NULL ||
      !il_executor_from_string (g_variant_get_string (param, NULL), &executor) ||
      il_document_get_experiment (self->document)->runs->len >= IL_MAX_RUNS)
    return;
  experiment = il_document_begin_edit (self->document, NULL);
  run = il_run_config_new (executor);
  run->enabled = TRUE;
  g_ptr_array_add (experiment->runs, run);
  il_document_end_edit (self->document, TRUE);
}

static void
run_move_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  IlRunsEditor  *self = IL_RUNS_EDITOR (widget);
  IlExperiment  *experiment;
  GtkListBoxRow *row;
  guint          run, n;
  gint           delta, to;

  g_variant_get (param, "(ui)", &run, &delta);
  if (self->document == NULL)
    return;
  n = il_document_get_experiment (self->document)->runs->len;
  to = (gint) run + delta;
  if (run >= n || to < 0 || to >= (gint) n)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_document_begin_edit (self->document, NULL);
  g_ptr_array_insert (experiment->runs, to, g_ptr_array_steal_index (experiment->runs, run));
  il_document_end_edit (self->document, TRUE);

  if ((row = gtk_list_box_get_row_at_index (self->runs_list, to)) != NULL)
    gtk_widget_child_focus (GTK_WIDGET (row), GTK_DIR_TAB_FORWARD);
}

static void
run_duplicate_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  IlRunsEditor *self = IL_RUNS_EDITOR (widget);
  IlExperiment *experiment;
  guint         run = g_variant_get_uint32 (param);

  if (self->document == NULL ||
      run >= il_document_get_experiment (self->document)->runs->len ||
      il_document_get_experiment (self->document)->runs->len >= IL_MAX_RUNS)
    return;
  experiment = il_document_begin_edit (self->document, NULL);
  g_ptr_array_insert (experiment->runs, run + 1,
                      il_run_config_copy (g_ptr_array_index (experiment->runs, run)));
  il_document_end_edit (self->document, TRUE);
}

static void
run_remove_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  IlRunsEditor *self = IL_RUNS_EDITOR (widget);
  IlExperiment *experiment;
  guint         run = g_variant_get_uint32 (param);

  /* The format needs at least one run; disabling is the way to skip it. */
  if (self->document == NULL ||
      run >= il_document_get_experiment (self->document)->runs->len ||
      il_document_get_experiment (self->document)->runs->len <= 1)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  experiment = il_document_begin_edit (self->document, NULL);
  g_ptr_array_remove_index (experiment->runs, run);
  il_document_end_edit (self->document, TRUE);
}

static void
il_runs_editor_dispose (GObject *object)
{
  IlRunsEditor *self = IL_RUNS_EDITOR (object);

  if (self->document_signals != NULL)
    g_signal_group_set_target (self->document_signals, NULL);
  g_clear_object (&self->document_signals);
  g_clear_object (&self->document);
  g_clear_pointer (&self->core_toggles, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_RUNS_EDITOR);

  G_OBJECT_CLASS (il_runs_editor_parent_class)->dispose (object);
}

static void
il_runs_editor_class_init (IlRunsEditorClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_runs_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-runs-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, scroller);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, runs_list);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, add_button);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, repetitions_spin);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, order_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, sample_spin);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, affinity_row);
  gtk_widget_class_bind_template_child (widget_class, IlRunsEditor, cores_box);
  gtk_widget_class_bind_template_callback (widget_class, repetitions_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, warmup_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, order_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, sample_changed_cb);

  gtk_widget_class_install_action (widget_class, "runs.add", "s", run_add_action);
  gtk_widget_class_install_action (widget_class, "runs.move", "(ui)", run_move_action);
  gtk_widget_class_install_action (widget_class, "runs.duplicate", "u", run_duplicate_action);
  gtk_widget_class_install_action (widget_class, "runs.remove", "u", run_remove_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
il_runs_editor_init (IlRunsEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->core_toggles = g_ptr_array_new ();
  self->n_cores = il_machine_count_cores ();
  /* One line of toggles up to 8 cores, wrapping beyond. */
  gtk_flow_box_set_min_children_per_line (self->cores_box, MIN (self->n_cores, 8));
  gtk_flow_box_set_max_children_per_line (self->cores_box, MAX (MIN (self->n_cores, 16), 1));
  for (guint i = 0; i < self->n_cores; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u", i);
      g_autofree char *a11y = g_strdup_printf (_("Core %u"), i);
      GtkWidget       *toggle = gtk_toggle_button_new_with_label (label);

      gtk_widget_set_tooltip_text (toggle, a11y);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                      -1);
      gtk_widget_add_css_class (toggle, "core-toggle");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
      g_signal_connect_object (toggle, "toggled", G_CALLBACK (core_toggled_cb), self, G_CONNECT_SWAPPED);
      gtk_flow_box_append (self->cores_box, toggle);
      g_ptr_array_add (self->core_toggles, toggle);
    }

  self->document_signals = g_signal_group_new (IL_TYPE_DOCUMENT);
  g_signal_group_connect_object (self->document_signals, "changed",
                                 G_CALLBACK (document_changed_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
il_runs_editor_new (void)
{
  return g_object_new (IL_TYPE_RUNS_EDITOR, NULL);
}

void
il_runs_editor_set_document (IlRunsEditor *self,
                             IlDocument   *document)
{
  g_return_if_fail (IL_IS_RUNS_EDITOR (self));
  g_return_if_fail (document == NULL || IL_IS_DOCUMENT (document));

  if (!g_set_object (&self->document, document))
    return;
  g_signal_group_set_target (self->document_signals, document);
  il_runs_editor_rebuild (self);
}
