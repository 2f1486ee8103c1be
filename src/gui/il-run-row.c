/* il-run-row.c — one executor configuration in the runs editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only the controls that apply to the executor are shown; switching the
 * executor clears the fields that no longer apply, because the file format
 * rejects them (a `gil` on a processes run is an error, not a no-op).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-cpython.h"
#include "il-edit-rules.h"
#include "il-mpi.h"
#include "il-run-row.h"
#include "il-wrap-box.h"

struct _IlRunRow
{
  GtkListBoxRow parent_instance;

  /* template children */
  GtkSwitch      *enabled_switch;
  GtkLabel       *title_label;
  GtkDropDown    *executor_dropdown;
  GtkDropDown    *engine_dropdown;
  GtkWidget      *workers_label;
  GtkEntry       *workers_entry;
  GtkCheckButton *gil_check;
  GtkSpinButton  *interval_spin;
  GtkWidget      *interval_suffix;
  GtkDropDown    *spawn_dropdown;
  GtkWidget      *slice_label;
  GtkSpinButton  *slice_spin;
  GtkWidget      *slice_suffix;
  GtkMenuButton  *menu_button;
  GtkLabel       *workers_error_label;

  /* borrowed */
  IlDocument *document;

  guint    run;
  gboolean updating;
  gboolean workers_refused; /* the workers entry shows refused text */
  guint    workers_idle;    /* judges the workers' text once it settled */
};

G_DEFINE_FINAL_TYPE (IlRunRow, il_run_row, GTK_TYPE_LIST_BOX_ROW)

gboolean
il_run_row_parse_workers (const char *text,
                          GArray     *workers)
{
  return il_workers_parse (text, workers, NULL);
}

static IlRunConfig *
il_run_row_peek (IlRunRow *self)
{
  const IlExperiment *experiment;

  if (self->document == NULL)
    return NULL;
  experiment = il_document_get_experiment (self->document);
  if (self->run >= experiment->runs->len)
    return NULL;
  return g_ptr_array_index (experiment->runs, self->run);
}

static void
il_run_row_update_title (IlRunRow *self)
{
  IlRunConfig     *run = il_run_row_peek (self);
  g_autofree char *label = NULL;
  guint            workers = 0;

  if (run == NULL)
    return;
  if (run->label != NULL)
    label = g_strdup (run->label);
  else if (run->workers->len > 1)
    {
      g_autofree char *list = il_workers_format (run->workers);

      /* TRANSLATORS: "threads: sweep over 1, 2, 4, 8 workers" */
      label = g_strdup_printf (_("%s: sweep over %s workers"), il_executor_to_string (run->executor), list);
    }
  else
    {
      if (run->workers->len == 1)
        workers = g_array_index (run->workers, guint, 0);
      label = il_run_config_derive_label (run, workers);
    }
  gtk_label_set_label (self->title_label, label ? label : "");
  {
    g_autofree char *a11y = g_strdup_printf (_("Include “%s” in the run"), label ? label : "");

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->enabled_switch),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                    -1);
  }
}

static void
il_run_row_sync_visibility (IlRunRow    *self,
                            IlRunConfig *run)
{
  gboolean pool = run->executor == IL_EXECUTOR_THREADS || run->executor == IL_EXECUTOR_PROCESSES ||
                  run->executor == IL_EXECUTOR_MPI;
  g_autoptr(GError) mpi_error = NULL;

  gtk_widget_set_visible (self->workers_label, pool);
  gtk_widget_set_visible (GTK_WIDGET (self->workers_entry), pool);
  gboolean cpython = run->engine == IL_ENGINE_CPYTHON;
  g_autoptr(GError) python_error = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->gil_check), run->executor == IL_EXECUTOR_THREADS && !cpython);
  gtk_widget_set_visible (GTK_WIDGET (self->interval_spin), run->executor == IL_EXECUTOR_THREADS);
  gtk_widget_set_visible (self->interval_suffix, run->executor == IL_EXECUTOR_THREADS);
  gtk_widget_set_sensitive (GTK_WIDGET (self->interval_spin), run->gil || cpython);
  /* Without an interpreter the engine is not offered, and the row says
   * why; a run already on it can still go back to native. */
  if (!il_cpython_available (NULL, &python_error))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->engine_dropdown), cpython);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->engine_dropdown), python_error->message);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->spawn_dropdown), run->executor == IL_EXECUTOR_PROCESSES);
  gtk_widget_set_visible (self->slice_label, run->executor == IL_EXECUTOR_ASYNC);
  gtk_widget_set_visible (GTK_WIDGET (self->slice_spin), run->executor == IL_EXECUTOR_ASYNC);
  gtk_widget_set_visible (self->slice_suffix, run->executor == IL_EXECUTOR_ASYNC);
  /* An mpi run where Open MPI is missing: the row says why (running it is
   * refused before anything runs). */
  if (run->executor == IL_EXECUTOR_MPI && !il_mpi_available (&mpi_error))
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->executor_dropdown), mpi_error->message);
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->executor_dropdown), _("Executor"));
}

static IlRunConfig *
il_run_row_begin (IlRunRow   *self,
                  const char *field)
{
  g_autofree char *key = NULL;
  IlExperiment    *experiment;

  if (self->updating || il_run_row_peek (self) == NULL)
    return NULL;
  key = g_strdup_printf ("runs[%u].%s", self->run, field);
  experiment = il_document_begin_edit (self->document, key);
  return g_ptr_array_index (experiment->runs, self->run);
}

static void
il_run_row_end (IlRunRow *self)
{
  IlRunConfig *run = il_run_row_peek (self);

  il_document_end_edit (self->document, FALSE);
  if (run != NULL)
    il_run_row_sync_visibility (self, run);
  il_run_row_update_title (self);
}

static void
enabled_changed_cb (IlRunRow *self)
{
  if (self->updating || il_run_row_peek (self) == NULL)
    return;
  il_document_set_run_enabled (self->document, self->run,
                               gtk_switch_get_active (self->enabled_switch));
  gtk_widget_set_opacity (gtk_widget_get_parent (GTK_WIDGET (self->title_label)),
                          gtk_switch_get_active (self->enabled_switch) ? 1.0 : 0.55);
}

static void
executor_changed_cb (IlRunRow *self)
{
  guint        selected = gtk_drop_down_get_selected (self->executor_dropdown);
  IlRunConfig *run;

  if (selected >= IL_N_EXECUTORS)
    return;
  if ((run = il_run_row_begin (self, "executor")) == NULL)
    return;
  run->executor = selected;
  if (selected != IL_EXECUTOR_THREADS && selected != IL_EXECUTOR_PROCESSES &&
      selected != IL_EXECUTOR_MPI)
    {
      g_array_set_size (run->workers, 0);
      run->workers_sweep = FALSE;
    }
  if (selected != IL_EXECUTOR_THREADS)
    {
      run->gil = FALSE;
      run->switch_interval_ms = 5;
    }
  if (selected != IL_EXECUTOR_PROCESSES)
    run->spawn = IL_SPAWN_POOL;
  if (selected != IL_EXECUTOR_ASYNC)
    run->cpu_slice_units = 0;
  /* Open MPI starts Interleave's own rank helper: no cpython engine. */
  if (selected == IL_EXECUTOR_MPI)
    run->engine = IL_ENGINE_NATIVE;
  /* A derived label follows the executor; a custom one says what the author
   * meant and stays. */
  il_run_row_end (self);
  self->updating = TRUE;
  if (!gtk_widget_get_visible (GTK_WIDGET (self->workers_entry)))
    gtk_editable_set_text (GTK_EDITABLE (self->workers_entry), "");
  gtk_check_button_set_active (self->gil_check, FALSE);
  /* Show the cleared values, or the old ones would come back with the
   * executor while the model holds the defaults. */
  if ((run = il_run_row_peek (self)) != NULL)
    {
      gtk_spin_button_set_value (self->interval_spin, run->switch_interval_ms);
      gtk_drop_down_set_selected (self->spawn_dropdown, run->spawn);
      gtk_spin_button_set_value (self->slice_spin, run->cpu_slice_units);
      gtk_drop_down_set_selected (self->engine_dropdown, run->engine);
    }
  self->updating = FALSE;
}

static void
engine_changed_cb (IlRunRow *self)
{
  guint        selected = gtk_drop_down_get_selected (self->engine_dropdown);
  IlRunConfig *run;

  if (selected >= IL_N_ENGINES)
    return;
  if ((run = il_run_row_begin (self, "engine")) == NULL)
    return;
  run->engine = selected;
  /* The interpreter's own lock is always there: no simulated one. */
  if (run->engine == IL_ENGINE_CPYTHON)
    run->gil = FALSE;
  il_run_row_end (self);
  self->updating = TRUE;
  gtk_check_button_set_active (self->gil_check, FALSE);
  self->updating = FALSE;
}

/* Marks the workers entry (@reason NULL: clears the mark): the reason shows
 * under the row, and the document holds it so that Run and Save refuse
 * while the entry shows what the model does not hold. */
static void
il_run_row_mark_workers (IlRunRow   *self,
                         const char *reason)
{
  GtkWidget *entry = GTK_WIDGET (self->workers_entry);

  self->workers_refused = reason != NULL;
  if (reason != NULL)
    {
      g_autofree char *place = il_experiment_describe_run (il_document_get_experiment (self->document), self->run);
      /* TRANSLATORS: a refused field and why: "Workers: “x” is not a number" */
      g_autofree char *shown = g_strdup_printf (_("%s: %s"), _("Workers"), reason);
      /* TRANSLATORS: "run 2 (threads ×4), Workers: the reason" */
      g_autofree char *message = g_strdup_printf (_("%s, %s"), place, shown);

      gtk_label_set_label (self->workers_error_label, shown);
      gtk_widget_add_css_class (entry, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason, -1);
      il_document_set_input_error (self->document, self, message);
    }
  else
    {
      gtk_widget_remove_css_class (entry, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      if (self->document != NULL)
        il_document_set_input_error (self->document, self, NULL);
      gtk_label_set_label (self->workers_error_label, "");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->workers_error_label), reason != NULL);
}

static void
il_run_row_apply_workers (IlRunRow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->workers_entry));
  g_autoptr(GArray) workers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  IlRunConfig *run;

  g_clear_handle_id (&self->workers_idle, g_source_remove);
  if ((run = il_run_row_peek (self)) == NULL)
    return;
  if (!il_workers_parse (text, workers, &error))
    {
      il_run_row_mark_workers (self, error->message);
      return;
    }
  il_run_row_mark_workers (self, NULL);
  if (workers->len == run->workers->len &&
      memcmp (workers->data, run->workers->data, workers->len * sizeof (guint)) == 0)
    return;
  if ((run = il_run_row_begin (self, "workers")) == NULL)
    return;
  g_array_set_size (run->workers, 0);
  g_array_append_vals (run->workers, workers->data, workers->len);
  run->workers_sweep = workers->len > 1;
  il_run_row_end (self);
}

static gboolean
workers_apply_cb (gpointer data)
{
  IlRunRow *self = data;

  self->workers_idle = 0;
  il_run_row_apply_workers (self);
  return G_SOURCE_REMOVE;
}

/* GTK 4.8 reports a replaced text twice ("" first, then the new text):
 * the text is judged once it has settled, before the next event, or an
 * empty moment would store "one per core" on the way. Programmatic
 * changes (self->updating) are judged at once. */
static void
workers_changed_cb (IlRunRow *self)
{
  if (self->updating)
    {
      il_run_row_apply_workers (self);
      return;
    }
  if (self->workers_idle == 0)
    self->workers_idle = g_idle_add_full (G_PRIORITY_HIGH, workers_apply_cb, self, NULL);
}

static void
gil_toggled_cb (IlRunRow *self)
{
  IlRunConfig *run;

  if ((run = il_run_row_begin (self, "gil")) == NULL)
    return;
  run->gil = gtk_check_button_get_active (self->gil_check);
  il_run_row_end (self);
}

static void
interval_changed_cb (IlRunRow *self)
{
  IlRunConfig *run;

  if ((run = il_run_row_begin (self, "switch_interval_ms")) == NULL)
    return;
  run->switch_interval_ms = (guint) gtk_spin_button_get_value (self->interval_spin);
  il_run_row_end (self);
}

static void
spawn_changed_cb (IlRunRow *self)
{
  guint        selected = gtk_drop_down_get_selected (self->spawn_dropdown);
  IlRunConfig *run;

  if (selected >= IL_N_SPAWNS)
    return;
  if ((run = il_run_row_begin (self, "spawn")) == NULL)
    return;
  run->spawn = selected;
  il_run_row_end (self);
}

static void
slice_changed_cb (IlRunRow *self)
{
  IlRunConfig *run;

  if ((run = il_run_row_begin (self, "cpu_slice_units")) == NULL)
    return;
  run->cpu_slice_units = (guint) gtk_spin_button_get_value (self->slice_spin);
  il_run_row_end (self);
}

static gboolean
move_cb (GtkWidget *widget,
         GVariant  *args,
         gpointer   user_data)
{
  IlRunRow *self = IL_RUN_ROW (widget);

  gtk_widget_activate_action (widget, "runs.move", "(ui)", self->run, g_variant_get_int32 (args));
  return TRUE;
}

static void
il_run_row_dispose (GObject *object)
{
  IlRunRow *self = IL_RUN_ROW (object);

  g_clear_handle_id (&self->workers_idle, g_source_remove);
  /* The refused text goes with its field. */
  if (self->document != NULL && self->workers_refused)
    il_document_set_input_error (self->document, self, NULL);
  g_clear_weak_pointer (&self->document);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_RUN_ROW);

  G_OBJECT_CLASS (il_run_row_parent_class)->dispose (object);
}

static void
il_run_row_class_init (IlRunRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /* The template's IlWrapBox wraps the row when narrow (issue 12). */
  g_type_ensure (IL_TYPE_WRAP_BOX);

  object_class->dispose = il_run_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-run-row.ui");
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, executor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, engine_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, workers_label);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, workers_entry);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, gil_check);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, interval_spin);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, interval_suffix);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, spawn_dropdown);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, slice_label);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, slice_spin);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, slice_suffix);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, workers_error_label);
  gtk_widget_class_bind_template_child (widget_class, IlRunRow, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, enabled_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, executor_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, engine_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, workers_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, gil_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, interval_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, spawn_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, slice_changed_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Up, GDK_ALT_MASK, move_cb, "i", -1);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Down, GDK_ALT_MASK, move_cb, "i", 1);
}

static void
il_run_row_init (IlRunRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
append_item (GMenu      *menu,
             const char *label,
             const char *action,
             GVariant   *target)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, target);
  g_menu_append_item (menu, item);
}

GtkWidget *
il_run_row_new (IlDocument *document,
                guint       run)
{
  IlRunRow *self = g_object_new (IL_TYPE_RUN_ROW, NULL);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autofree char *workers = NULL;
  IlRunConfig     *peek;

  g_return_val_if_fail (document == NULL || IL_IS_DOCUMENT (document), NULL);

  self->run = run;
  g_set_weak_pointer (&self->document, document);

  append_item (section, _("Move _Up"), "runs.move", g_variant_new ("(ui)", run, -1));
  append_item (section, _("Move _Down"), "runs.move", g_variant_new ("(ui)", run, 1));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_clear_object (&section);
  section = g_menu_new ();
  append_item (section, _("D_uplicate"), "runs.duplicate", g_variant_new_uint32 (run));
  append_item (section, _("_Remove"), "runs.remove", g_variant_new_uint32 (run));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));

  if ((peek = il_run_row_peek (self)) == NULL)
    return GTK_WIDGET (self);

  self->updating = TRUE;
  gtk_switch_set_active (self->enabled_switch, peek->enabled);
  gtk_widget_set_opacity (gtk_widget_get_parent (GTK_WIDGET (self->title_label)),
                          peek->enabled ? 1.0 : 0.55);
  gtk_drop_down_set_selected (self->executor_dropdown, peek->executor);
  gtk_drop_down_set_selected (self->engine_dropdown, peek->engine);
  workers = il_workers_format (peek->workers);
  gtk_editable_set_text (GTK_EDITABLE (self->workers_entry), workers);
  gtk_check_button_set_active (self->gil_check, peek->gil);
  gtk_spin_button_set_value (self->interval_spin, peek->switch_interval_ms);
  gtk_drop_down_set_selected (self->spawn_dropdown, peek->spawn);
  gtk_spin_button_set_value (self->slice_spin, peek->cpu_slice_units);
  il_run_row_sync_visibility (self, peek);
  il_run_row_update_title (self);
  self->updating = FALSE;

  return GTK_WIDGET (self);
}
