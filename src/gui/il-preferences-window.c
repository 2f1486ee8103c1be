/* il-preferences-window.c — Preferences: style, new experiments, files,
 * cluster
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Thin: each control is bound to its GSettings key, and the code that uses
 * a key reads it where it acts (the style in il-application.c, the
 * defaults in il_settings_new_experiment, the scratch folder when a run
 * starts). Nothing is applied on "OK": a change takes effect at once, as in
 * GNOME's applications.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-mpi.h"
#include "il-preferences-window.h"
#include "il-settings.h"

struct _IlPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* template children */
  AdwComboRow   *style_row;
  GtkSpinButton *repetitions_spin;
  GtkSpinButton *warmup_spin;
  GtkSpinButton *sample_spin;
  AdwActionRow  *scratch_row;
  GtkButton     *scratch_choose_button;
  GtkButton     *scratch_reset_button;
  GtkWidget     *defaults_group;
  GtkWidget     *files_group;
  AdwEntryRow   *hosts_row;
  AdwActionRow  *hosts_error_row;
  AdwActionRow  *hostfile_row;
  GtkButton     *hostfile_reset_button;
  GtkWidget     *cluster_group;

  /* owned */
  gboolean showing_hosts; /* the entry follows the key: not a user edit */
};

G_DEFINE_FINAL_TYPE (IlPreferencesWindow, il_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The style row's positions, in the schema's words. */
static const char *const style_variants[] = { "default", "light", "dark" };

static gboolean
style_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const char *name = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (style_variants); i++)
    if (g_str_equal (name, style_variants[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
style_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  guint i = g_value_get_uint (value);

  if (i >= G_N_ELEMENTS (style_variants))
    return NULL;
  return g_variant_new_string (style_variants[i]);
}

static void
il_preferences_window_update_scratch (IlPreferencesWindow *self)
{
  g_autofree char *chosen = il_settings_dup_scratch_base ();
  g_autofree char *shown = NULL;

  if (chosen != NULL)
    shown = g_strdup (chosen);
  else
    {
      g_autofree char *fallback = g_build_filename (g_get_user_cache_dir (), "interleave", NULL);

      /* Translators: %s is a folder. */
      shown = g_strdup_printf (_("%s (default)"), fallback);
    }
  adw_action_row_set_subtitle (self->scratch_row, shown);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scratch_reset_button), chosen != NULL);
}

static void
scratch_response_cb (GtkNativeDialog     *dialog,
                     int                  response,
                     IlPreferencesWindow *self)
{
  GSettings *settings = il_settings_get ();

  if (response == GTK_RESPONSE_ACCEPT && settings != NULL)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      /* Only a local folder: runs write there with plain system calls. */
      if (path != NULL)
        g_settings_set_string (settings, IL_SETTINGS_SCRATCH_FOLDER, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
scratch_choose_cb (IlPreferencesWindow *self)
{
  GtkFileChooserNative *dialog;
  g_autofree char      *current = il_settings_dup_scratch_base ();

  dialog = gtk_file_chooser_native_new (_("Choose the Scratch Folder"), GTK_WINDOW (self),
                                           GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  if (current != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (current);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, NULL);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (scratch_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
scratch_reset_cb (IlPreferencesWindow *self)
{
  GSettings *settings = il_settings_get ();

  if (settings != NULL)
    g_settings_reset (settings, IL_SETTINGS_SCRATCH_FOLDER);
}

/* ---- cluster (MPI) ---------------------------------------------------- */

/* Marks a row as invalid with @reason (NULL: valid again). */
static void
mark_row (GtkWidget  *row,
          const char *reason)
{
  if (reason != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, reason);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, reason, -1);
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static void
il_preferences_window_show_hosts_error (IlPreferencesWindow *self,
                                        const char          *reason)
{
  mark_row (GTK_WIDGET (self->hosts_row), reason);
  if (reason != NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->hosts_error_row), reason);
  gtk_widget_set_visible (GTK_WIDGET (self->hosts_error_row), reason != NULL);
}

/* The key changed (here, or by choosing a hostfile): the entry shows it. */
static void
il_preferences_window_update_hosts (IlPreferencesWindow *self)
{
  GSettings       *settings = il_settings_get ();
  g_autofree char *hosts = settings != NULL ? g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTS) : g_strdup ("");

  if (g_str_equal (gtk_editable_get_text (GTK_EDITABLE (self->hosts_row)), hosts))
    return;
  self->showing_hosts = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->hosts_row), hosts);
  self->showing_hosts = FALSE;
  il_preferences_window_show_hosts_error (self, NULL);
}

/* Checked as the CLI's --hosts is (il_mpi_check_hosts); stored only when
 * valid, and then in place of a hostfile. */
static void
hosts_changed_cb (IlPreferencesWindow *self)
{
  GSettings *settings = il_settings_get ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hosts = NULL;

  if (self->showing_hosts || settings == NULL)
    return;
  hosts = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->hosts_row))));
  if (hosts[0] != '\0' && !il_mpi_check_hosts (hosts, &error))
    {
      il_preferences_window_show_hosts_error (self, error->message);
      return;
    }
  il_preferences_window_show_hosts_error (self, NULL);
  g_settings_set_string (settings, IL_SETTINGS_MPI_HOSTS, hosts);
  if (hosts[0] != '\0')
    g_settings_reset (settings, IL_SETTINGS_MPI_HOSTFILE);
}

static void
il_preferences_window_update_hostfile (IlPreferencesWindow *self)
{
  GSettings       *settings = il_settings_get ();
  g_autofree char *path = settings != NULL ? g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTFILE) : g_strdup ("");

  adw_action_row_set_subtitle (self->hostfile_row, path[0] != '\0' ? path : _("None"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->hostfile_reset_button), path[0] != '\0');
  mark_row (GTK_WIDGET (self->hostfile_row), NULL);
}

gboolean
il_preferences_window_choose_hostfile (IlPreferencesWindow *self,
                                       const char          *path)
{
  GSettings *settings = il_settings_get ();
  IlMpiHosts placement = { NULL, (char *) path };
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (settings == NULL)
    return FALSE;
  if (!il_mpi_check_placement (&placement, &error))
    {
      adw_action_row_set_subtitle (self->hostfile_row, error->message);
      mark_row (GTK_WIDGET (self->hostfile_row), error->message);
      return FALSE;
    }
  g_settings_set_string (settings, IL_SETTINGS_MPI_HOSTFILE, path);
  g_settings_reset (settings, IL_SETTINGS_MPI_HOSTS);
  return TRUE;
}

static void
hostfile_response_cb (GtkNativeDialog     *dialog,
                      int                  response,
                      IlPreferencesWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      /* Only a local file: mpirun reads it. */
      if (path != NULL)
        il_preferences_window_choose_hostfile (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
hostfile_choose_cb (IlPreferencesWindow *self)
{
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Choose an Open MPI Hostfile"), GTK_WINDOW (self),
                                           GTK_FILE_CHOOSER_ACTION_OPEN, _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (hostfile_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
hostfile_reset_cb (IlPreferencesWindow *self)
{
  GSettings *settings = il_settings_get ();

  if (settings != NULL)
    g_settings_reset (settings, IL_SETTINGS_MPI_HOSTFILE);
}

static void
il_preferences_window_class_init (IlPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, repetitions_spin);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, warmup_spin);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, sample_spin);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, scratch_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, scratch_choose_button);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, scratch_reset_button);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, defaults_group);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, files_group);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, hosts_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, hosts_error_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, hostfile_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, hostfile_reset_button);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, cluster_group);
  gtk_widget_class_bind_template_callback (widget_class, hosts_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, hostfile_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, hostfile_reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, scratch_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, scratch_reset_cb);
}

static void
il_preferences_window_init (IlPreferencesWindow *self)
{
  GSettings *settings = il_settings_get ();

  gtk_widget_init_template (GTK_WIDGET (self));

  if (settings == NULL)
    {
      /* Shown, so the window explains itself, but not editable. */
      gtk_spin_button_set_value (self->repetitions_spin, IL_NEW_EXPERIMENT_REPETITIONS);
      gtk_spin_button_set_value (self->warmup_spin, IL_NEW_EXPERIMENT_WARMUP);
      gtk_spin_button_set_value (self->sample_spin, 20);
      gtk_widget_set_sensitive (GTK_WIDGET (self->style_row), FALSE);
      gtk_widget_set_sensitive (self->defaults_group, FALSE);
      gtk_widget_set_sensitive (self->files_group, FALSE);
      gtk_widget_set_sensitive (self->cluster_group, FALSE);
      il_preferences_window_update_scratch (self);
      il_preferences_window_update_hostfile (self);
      return;
    }

  g_settings_bind_with_mapping (settings, IL_SETTINGS_STYLE_VARIANT, self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, style_get_mapping, style_set_mapping, NULL, NULL);
  g_settings_bind (settings, IL_SETTINGS_DEFAULT_REPETITIONS, self->repetitions_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, IL_SETTINGS_DEFAULT_WARMUP, self->warmup_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, IL_SETTINGS_DEFAULT_SAMPLE_HZ, self->sample_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed::" IL_SETTINGS_SCRATCH_FOLDER,
                           G_CALLBACK (il_preferences_window_update_scratch), self, G_CONNECT_SWAPPED);
  il_preferences_window_update_scratch (self);
  g_signal_connect_object (settings, "changed::" IL_SETTINGS_MPI_HOSTS,
                           G_CALLBACK (il_preferences_window_update_hosts), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::" IL_SETTINGS_MPI_HOSTFILE,
                           G_CALLBACK (il_preferences_window_update_hostfile), self, G_CONNECT_SWAPPED);
  il_preferences_window_update_hosts (self);
  il_preferences_window_update_hostfile (self);
}

IlPreferencesWindow *
il_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (IL_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}

AdwComboRow *
il_preferences_window_get_style_row (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->style_row;
}

GtkSpinButton *
il_preferences_window_get_repetitions_spin (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->repetitions_spin;
}

GtkSpinButton *
il_preferences_window_get_warmup_spin (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->warmup_spin;
}

GtkSpinButton *
il_preferences_window_get_sample_spin (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->sample_spin;
}

AdwActionRow *
il_preferences_window_get_scratch_row (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->scratch_row;
}

GtkButton *
il_preferences_window_get_scratch_reset_button (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->scratch_reset_button;
}

AdwEntryRow *
il_preferences_window_get_hosts_row (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->hosts_row;
}

AdwActionRow *
il_preferences_window_get_hosts_error_row (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->hosts_error_row;
}

AdwActionRow *
il_preferences_window_get_hostfile_row (IlPreferencesWindow *self)
{
  g_return_val_if_fail (IL_IS_PREFERENCES_WINDOW (self), NULL);
  return self->hostfile_row;
}
