/* test-gui-desktop.c — what a desktop app remembers and offers: window
 * state, Preferences, About, Help, and a schema without unused keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "il-application.h"
#include "il-help-window.h"
#include "il-preferences-window.h"
#include "il-settings.h"
#include "il-window.h"

#include "il-test-utils.h"

#define RUN_TIMEOUT_S 120

static GSettings *
settings_reset (void)
{
  GSettings *settings = il_settings_get ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  /* The tests run with GSETTINGS_SCHEMA_DIR=<build>/data: a missing schema
   * is a broken build, not a reason to skip. */
  g_assert_nonnull (settings);
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  return settings;
}

/* The toplevel of @type transient for @parent, or NULL. */
static GtkWindow *
find_toplevel (GType      type,
               GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (item, type) && gtk_window_get_transient_for (GTK_WINDOW (item)) == parent)
        return GTK_WINDOW (item);
    }
  return NULL;
}

/* ---------------------------------------------------------------- schema */

/* Every key is one the code uses (il-settings.h), and the defaults and
 * ranges of new experiments are core's and the format's. */
static void
test_schema (void)
{
  static const char *used[] = { IL_SETTINGS_WINDOW_WIDTH, IL_SETTINGS_WINDOW_HEIGHT,
                                IL_SETTINGS_WINDOW_MAXIMIZED, IL_SETTINGS_STYLE_VARIANT,
                                IL_SETTINGS_DEFAULT_REPETITIONS, IL_SETTINGS_DEFAULT_WARMUP,
                                IL_SETTINGS_DEFAULT_SAMPLE_HZ, IL_SETTINGS_SCRATCH_FOLDER,
                                IL_SETTINGS_MPI_HOSTS, IL_SETTINGS_MPI_HOSTFILE };
  GSettings         *settings = settings_reset ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autoptr(IlExperiment) core = il_experiment_new ();
  g_autoptr(IlExperiment) fresh = il_settings_new_experiment ();
  struct
  {
    const char *key;
    gint64      min, max, value;
  } ranges[] = {
    { IL_SETTINGS_DEFAULT_REPETITIONS, 1, IL_MAX_REPETITIONS, IL_NEW_EXPERIMENT_REPETITIONS },
    { IL_SETTINGS_DEFAULT_WARMUP, 0, IL_MAX_WARMUP, IL_NEW_EXPERIMENT_WARMUP },
    { IL_SETTINGS_DEFAULT_SAMPLE_HZ, 1, IL_MAX_SAMPLE_HZ, 20 },
  };

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  g_assert_cmpuint (g_strv_length (keys), ==, G_N_ELEMENTS (used));
  for (guint i = 0; i < G_N_ELEMENTS (used); i++)
    g_assert_true (g_strv_contains ((const char *const *) keys, used[i]));

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, ranges[i].key);
      g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
      g_autoptr(GVariant) bounds = NULL;
      const char *kind;
      gint32      min, max;

      g_variant_get (range, "(&sv)", &kind, &bounds);
      g_assert_cmpstr (kind, ==, "range");
      g_variant_get (bounds, "(ii)", &min, &max);
      g_assert_cmpint (min, ==, ranges[i].min);
      g_assert_cmpint (max, ==, ranges[i].max);
      g_assert_cmpint (g_settings_get_int (settings, ranges[i].key), ==, ranges[i].value);
    }
  /* New experiments: 3 repetitions after 1 warm-up, from core and from the
   * untouched preferences alike. */
  g_assert_cmpuint (core->settings.repetitions, ==, 3);
  g_assert_cmpuint (core->settings.warmup, ==, 1);
  g_assert_true (il_experiment_equal (core, fresh));
}

/* ---------------------------------------------------------------- state */

/* A window's size and maximized state are there for the next one. */
static void
test_window_state (void)
{
  GSettings *settings = settings_reset ();
  IlWindow  *first = il_window_new (NULL);
  IlWindow  *second;
  IlWindow  *third;
  int        width = 0, height = 0;

  /* The schema's default is the template's. */
  gtk_window_get_default_size (GTK_WINDOW (first), &width, &height);
  g_assert_cmpint (width, ==, 1120);
  g_assert_cmpint (height, ==, 760);

  gtk_window_present (GTK_WINDOW (first));
  gtk_window_set_default_size (GTK_WINDOW (first), 700, 520);
  il_test_drain ();
  g_object_ref (first);
  gtk_window_close (GTK_WINDOW (first));
  il_test_drain ();
  g_assert_finalize_object (first);
  g_assert_cmpint (g_settings_get_int (settings, IL_SETTINGS_WINDOW_WIDTH), ==, 700);
  g_assert_cmpint (g_settings_get_int (settings, IL_SETTINGS_WINDOW_HEIGHT), ==, 520);
  g_assert_false (g_settings_get_boolean (settings, IL_SETTINGS_WINDOW_MAXIMIZED));

  second = il_window_new (NULL);
  gtk_window_get_default_size (GTK_WINDOW (second), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 520);
  g_assert_false (gtk_window_is_maximized (GTK_WINDOW (second)));
  /* Maximized before it is shown (Xvfb has no window manager to maximize
   * a mapped window). */
  gtk_window_maximize (GTK_WINDOW (second));
  gtk_window_present (GTK_WINDOW (second));
  il_test_drain ();
  g_assert_true (gtk_window_is_maximized (GTK_WINDOW (second)));
  g_object_ref (second);
  gtk_window_close (GTK_WINDOW (second));
  il_test_drain ();
  g_assert_finalize_object (second);
  g_assert_true (g_settings_get_boolean (settings, IL_SETTINGS_WINDOW_MAXIMIZED));
  /* The unmaximized size stays. */
  g_assert_cmpint (g_settings_get_int (settings, IL_SETTINGS_WINDOW_WIDTH), ==, 700);

  third = il_window_new (NULL);
  gtk_window_present (GTK_WINDOW (third));
  il_test_drain ();
  g_assert_true (gtk_window_is_maximized (GTK_WINDOW (third)));
  gtk_window_destroy (GTK_WINDOW (third));
  il_test_drain ();
  settings_reset ();
}

/* ---------------------------------------------------------------- preferences */

/* Every control in the template has an accessible name of its own. */
static void
ui_start (GMarkupParseContext *context,
          const char          *name,
          const char         **names,
          const char         **values,
          gpointer             data,
          GError             **error)
{
  GPtrArray *open = data; /* the classes of the open objects, innermost last */

  if (g_str_equal (name, "object"))
    {
      const char *klass = NULL;

      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "class"))
          klass = values[i];
      g_ptr_array_add (open, g_strdup (klass));
    }
  else if (g_str_equal (name, "property") && open->len > 0)
    {
      const GSList *stack = g_markup_parse_context_get_element_stack (context);

      if (stack->next != NULL && g_str_equal (stack->next->data, "accessibility"))
        for (guint i = 0; names[i] != NULL; i++)
          if (g_str_equal (names[i], "name") && g_str_equal (values[i], "label"))
            {
              g_free (g_ptr_array_index (open, open->len - 1));
              g_ptr_array_index (open, open->len - 1) = g_strdup ("labelled");
            }
    }
}

static void
ui_end (GMarkupParseContext *context,
        const char          *name,
        gpointer             data,
        GError             **error)
{
  GPtrArray *open = data;

  if (g_str_equal (name, "object"))
    {
      g_autofree char *klass = g_strdup (g_ptr_array_index (open, open->len - 1));
      const char      *controls[] = { "GtkSpinButton", "GtkButton", "AdwComboRow", "GtkSwitch", "GtkEntry", "AdwEntryRow", NULL };

      g_ptr_array_remove_index (open, open->len - 1);
      if (klass != NULL && g_strv_contains (controls, klass))
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "a %s has no accessible name", klass);
    }
}

static void
test_preferences_accessible (void)
{
  static const GMarkupParser parser = { ui_start, ui_end, NULL, NULL, NULL };
  g_autoptr(GBytes) ui = g_resources_lookup_data ("/io/github/interleave/Interleave/il-preferences-window.ui", 0, NULL);
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, open, NULL);
  g_autoptr(GError) error = NULL;
  gsize       length;
  const char *text;

  g_assert_nonnull (ui);
  text = g_bytes_get_data (ui, &length);
  g_markup_parse_context_parse (context, text, (gssize) length, &error);
  g_assert_no_error (error);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Ctrl+comma's action opens Preferences; each control writes its key;
 * New uses the defaults; a run makes its scratch folder where chosen. */
static void
test_preferences (void)
{
  GSettings           *settings = settings_reset ();
  IlWindow            *window = il_window_new (NULL);
  IlPreferencesWindow *prefs;
  const IlExperiment  *experiment;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-prefs-XXXXXX", &error);
  g_autofree char *scratch = g_build_filename (dir, "scratch", NULL);
  g_autofree char *path = g_build_filename (dir, "files.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gboolean timed_out = FALSE;
  guint    source;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL);
  il_test_drain ();
  prefs = IL_PREFERENCES_WINDOW (find_toplevel (IL_TYPE_PREFERENCES_WINDOW, GTK_WINDOW (window)));
  g_assert_nonnull (prefs);

  /* A spin button cannot offer what its key refuses. */
  {
    g_autoptr(GSettingsSchema) schema = NULL;
    struct
    {
      GtkSpinButton *spin;
      const char    *key;
    } spins[] = {
      { il_preferences_window_get_repetitions_spin (prefs), IL_SETTINGS_DEFAULT_REPETITIONS },
      { il_preferences_window_get_warmup_spin (prefs), IL_SETTINGS_DEFAULT_WARMUP },
      { il_preferences_window_get_sample_spin (prefs), IL_SETTINGS_DEFAULT_SAMPLE_HZ },
    };

    g_object_get (settings, "settings-schema", &schema, NULL);
    for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
      {
        g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, spins[i].key);
        g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
        g_autoptr(GVariant) bounds = NULL;
        GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spins[i].spin);
        const char    *kind;
        gint32         min, max;

        g_variant_get (range, "(&sv)", &kind, &bounds);
        g_variant_get (bounds, "(ii)", &min, &max);
        g_assert_cmpfloat (gtk_adjustment_get_lower (adjustment), ==, min);
        g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==, max);
      }
  }

  /* The controls show the defaults, and write what is changed. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (il_preferences_window_get_repetitions_spin (prefs)), ==, 3);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (il_preferences_window_get_warmup_spin (prefs)), ==, 1);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (il_preferences_window_get_sample_spin (prefs)), ==, 20);
  g_assert_cmpuint (adw_combo_row_get_selected (il_preferences_window_get_style_row (prefs)), ==, 0);
  gtk_spin_button_set_value (il_preferences_window_get_repetitions_spin (prefs), 5);
  gtk_spin_button_set_value (il_preferences_window_get_warmup_spin (prefs), 2);
  gtk_spin_button_set_value (il_preferences_window_get_sample_spin (prefs), 50);
  adw_combo_row_set_selected (il_preferences_window_get_style_row (prefs), 2);
  g_assert_cmpint (g_settings_get_int (settings, IL_SETTINGS_DEFAULT_REPETITIONS), ==, 5);
  g_assert_cmpint (g_settings_get_int (settings, IL_SETTINGS_DEFAULT_WARMUP), ==, 2);
  g_assert_cmpint (g_settings_get_int (settings, IL_SETTINGS_DEFAULT_SAMPLE_HZ), ==, 50);
  {
    g_autofree char *style = g_settings_get_string (settings, IL_SETTINGS_STYLE_VARIANT);

    g_assert_cmpstr (style, ==, "dark");
  }
  /* And the other way round. */
  g_settings_set_string (settings, IL_SETTINGS_STYLE_VARIANT, "light");
  g_assert_cmpuint (adw_combo_row_get_selected (il_preferences_window_get_style_row (prefs)), ==, 1);

  /* New uses them. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new", NULL);
  il_test_drain ();
  experiment = il_document_get_experiment (il_window_get_document (window));
  g_assert_cmpuint (experiment->settings.repetitions, ==, 5);
  g_assert_cmpuint (experiment->settings.warmup, ==, 2);
  g_assert_cmpuint (experiment->settings.sample_hz, ==, 50);
  g_assert_false (il_document_get_modified (il_window_get_document (window)) &&
                  il_document_get_file (il_window_get_document (window)) != NULL);

  /* The scratch folder: shown, reset, and used by a run. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (il_preferences_window_get_scratch_reset_button (prefs))));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (il_preferences_window_get_scratch_row (prefs)), "interleave"));
  g_settings_set_string (settings, IL_SETTINGS_SCRATCH_FOLDER, scratch);
  g_assert_cmpstr (adw_action_row_get_subtitle (il_preferences_window_get_scratch_row (prefs)), ==, scratch);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (il_preferences_window_get_scratch_reset_button (prefs))));

  g_assert_true (g_file_set_contents (path,
                                      "{ \"interleave\": 1, \"name\": \"files\", \"tasks\": [ { \"blocks\": [ "
                                      "{ \"type\": \"file-write\", \"bytes\": 4096 } ] } ], \"runs\": [ { "
                                      "\"executor\": \"sequential\" } ], \"settings\": { \"repetitions\": 1, "
                                      "\"warmup\": 0 } }",
                                      -1, NULL));
  g_assert_true (il_window_load_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (scratch, G_FILE_TEST_IS_DIR));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  source = g_timeout_add_seconds (RUN_TIMEOUT_S, timeout_cb, &timed_out);
  while (il_window_get_running (window) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (source);
  g_assert_nonnull (il_window_get_results (window));
  /* Made for the run (its own folder inside is gone with the run). */
  g_assert_true (g_file_test (scratch, G_FILE_TEST_IS_DIR));

  g_signal_emit_by_name (il_preferences_window_get_scratch_reset_button (prefs), "clicked");
  {
    g_autofree char *folder = g_settings_get_string (settings, IL_SETTINGS_SCRATCH_FOLDER);

    g_assert_cmpstr (folder, ==, "");
  }

  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_rmdir (scratch);
  g_unlink (path);
  g_rmdir (dir);
  settings_reset ();
}

/* The cluster group: a host list checked as the CLI's --hosts, stored only
 * when valid; a hostfile only when readable; one in place of the other;
 * and what is stored is what a run's options carry. */
static void
test_preferences_cluster (void)
{
  GSettings           *settings = settings_reset ();
  IlPreferencesWindow *prefs = il_preferences_window_new (NULL);
  AdwEntryRow         *hosts_row = il_preferences_window_get_hosts_row (prefs);
  GtkWidget           *error_row = GTK_WIDGET (il_preferences_window_get_hosts_error_row (prefs));
  AdwActionRow        *hostfile_row = il_preferences_window_get_hostfile_row (prefs);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("il-cluster-XXXXXX", &error);
  g_autofree char *hostfile = g_build_filename (dir, "hosts", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *stored = NULL;

  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (prefs));
  il_test_drain ();

  /* The default: this machine alone. */
  g_assert_null (il_settings_dup_mpi_hosts ());
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (hosts_row)), ==, "");
  g_assert_false (gtk_widget_get_visible (error_row));

  /* A valid list is stored and carried by the run options. */
  gtk_editable_set_text (GTK_EDITABLE (hosts_row), "a:2,b:2");
  stored = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTS);
  g_assert_cmpstr (stored, ==, "a:2,b:2");
  g_clear_pointer (&stored, g_free);
  {
    g_autoptr(IlMpiHosts) placement = il_settings_dup_mpi_hosts ();

    g_assert_nonnull (placement);
    g_assert_cmpstr (placement->hosts, ==, "a:2,b:2");
    g_assert_null (placement->hostfile);
  }

  /* An invalid one is refused with the core's reason, and not stored. */
  gtk_editable_set_text (GTK_EDITABLE (hosts_row), "a:2,b:0");
  g_assert_true (gtk_widget_get_visible (error_row));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (hosts_row), "error"));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (error_row)), "entry 2, \"b:0\""));
  stored = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTS);
  g_assert_cmpstr (stored, ==, "a:2,b:2");
  g_clear_pointer (&stored, g_free);
  gtk_editable_set_text (GTK_EDITABLE (hosts_row), "bad host:2");
  g_assert_true (gtk_widget_get_visible (error_row));
  /* Emptied: this machine alone again. */
  gtk_editable_set_text (GTK_EDITABLE (hosts_row), "");
  g_assert_false (gtk_widget_get_visible (error_row));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (hosts_row), "error"));
  g_assert_null (il_settings_dup_mpi_hosts ());

  /* A hostfile that is not there is refused on its row. */
  gtk_editable_set_text (GTK_EDITABLE (hosts_row), "c:4");
  g_assert_false (il_preferences_window_choose_hostfile (prefs, missing));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (hostfile_row), "error"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (hostfile_row), "not a readable file"));
  stored = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTFILE);
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);

  /* A readable one takes the host list's place, and the run options. */
  g_assert_true (g_file_set_contents (hostfile, "localhost slots=2\n", -1, NULL));
  g_assert_true (il_preferences_window_choose_hostfile (prefs, hostfile));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (hostfile_row), "error"));
  g_assert_cmpstr (adw_action_row_get_subtitle (hostfile_row), ==, hostfile);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (hosts_row)), ==, "");
  stored = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTS);
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);
  {
    g_autoptr(IlMpiHosts) placement = il_settings_dup_mpi_hosts ();

    g_assert_nonnull (placement);
    g_assert_null (placement->hosts);
    g_assert_cmpstr (placement->hostfile, ==, hostfile);
  }
  /* And a host list takes the hostfile's. */
  gtk_editable_set_text (GTK_EDITABLE (hosts_row), "d");
  stored = g_settings_get_string (settings, IL_SETTINGS_MPI_HOSTFILE);
  g_assert_cmpstr (stored, ==, "");
  g_clear_pointer (&stored, g_free);
  g_assert_cmpstr (adw_action_row_get_subtitle (hostfile_row), !=, hostfile);

  gtk_window_destroy (GTK_WINDOW (prefs));
  il_test_drain ();
  g_unlink (hostfile);
  g_rmdir (dir);
  settings_reset ();
}

/* ---------------------------------------------------------------- about */

/* Credits, website and issue tracker (the metainfo's), the licence. */
static void
test_about (void)
{
  IlWindow          *window = il_window_new (NULL);
  AdwAboutWindow    *about;
  g_autofree char   *metainfo_path = NULL;
  g_autofree char   *metainfo = NULL;
  const char        *root = g_getenv ("IL_SOURCE_ROOT");
  const char *const *developers;

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.about", NULL);
  il_test_drain ();
  about = ADW_ABOUT_WINDOW (find_toplevel (ADW_TYPE_ABOUT_WINDOW, GTK_WINDOW (window)));
  g_assert_nonnull (about);

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Interleave");
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Interleave developers");
  developers = adw_about_window_get_developers (about);
  g_assert_nonnull (developers);
  g_assert_cmpstr (developers[0], ==, "The Interleave developers");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_nonnull (adw_about_window_get_copyright (about));
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_true (g_str_has_prefix (adw_about_window_get_website (about), "https://"));
  g_assert_true (g_str_has_prefix (adw_about_window_get_issue_url (about), adw_about_window_get_website (about)));

  /* The same addresses as the metainfo's. */
  g_assert_nonnull (root);
  metainfo_path = g_build_filename (root, "data", APP_ID ".metainfo.xml.in", NULL);
  g_assert_true (g_file_get_contents (metainfo_path, &metainfo, NULL, NULL));
  {
    g_autofree char *homepage = g_strdup_printf ("<url type=\"homepage\">%s</url>",
                                                 adw_about_window_get_website (about));
    g_autofree char *tracker = g_strdup_printf ("<url type=\"bugtracker\">%s</url>",
                                                adw_about_window_get_issue_url (about));

    g_assert_nonnull (strstr (metainfo, homepage));
    g_assert_nonnull (strstr (metainfo, tracker));
    g_assert_nonnull (strstr (metainfo, "<project_license>GPL-3.0-or-later</project_license>"));
  }

  gtk_window_destroy (GTK_WINDOW (about));
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
}

/* ---------------------------------------------------------------- help */

static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && strstr (gtk_label_get_text (GTK_LABEL (child)), text) != NULL)
        return GTK_LABEL (child);
      if ((found = find_label (child, text)) != NULL)
        return found;
    }
  return NULL;
}

/* Sets LANGUAGE, which decides the guide's language (and the messages'):
 * returns the old value for restore_language(). */
static char *
set_language (const char *language)
{
  char *saved = g_strdup (g_getenv ("LANGUAGE"));

  g_setenv ("LANGUAGE", language, TRUE);
  return saved;
}

static void
restore_language (char *saved)
{
  if (saved != NULL)
    g_setenv ("LANGUAGE", saved, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  g_free (saved);
}

/* Help (F1) opens the guide in the app where Yelp or the installed pages
 * are missing: its index lists the topics, whose links lead to the pages
 * on the charts, the states and the quiz. */
static void
test_help (void)
{
  IlWindow        *window = il_window_new (NULL);
  IlHelpWindow    *help;
  g_autofree char *text = NULL;
  GtkLabel        *link;
  gboolean         handled = FALSE;
  char            *saved = set_language ("C"); /* the original, whatever the user's */

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.help", NULL);
  il_test_drain ();
  help = IL_HELP_WINDOW (find_toplevel (IL_TYPE_HELP_WINDOW, GTK_WINDOW (window)));
  g_assert_nonnull (help);
  g_assert_cmpstr (il_help_window_get_page (help), ==, "index");
  text = il_help_window_dup_text (help);
  g_assert_nonnull (strstr (text, "Interleave Help"));
  g_assert_nonnull (strstr (text, "What the charts show"));
  g_assert_nonnull (strstr (text, "What the task states mean"));
  g_assert_nonnull (strstr (text, "How to read a quiz"));

  /* A topic link opens its page. */
  link = find_label (GTK_WIDGET (help), "What the task states mean");
  g_assert_nonnull (link);
  g_signal_emit_by_name (link, "activate-link", "xref:states", &handled);
  g_assert_true (handled);
  g_assert_cmpstr (il_help_window_get_page (help), ==, "states");
  g_clear_pointer (&text, g_free);
  text = il_help_window_dup_text (help);
  for (guint i = 0; i < 5; i++)
    {
      const char *states[] = { "Running", "Ready", "Blocked", "GIL wait", "Lock wait" };

      g_assert_nonnull (strstr (text, states[i]));
    }

  g_assert_true (il_help_window_show_page (help, "charts"));
  g_clear_pointer (&text, g_free);
  text = il_help_window_dup_text (help);
  g_assert_nonnull (strstr (text, "Per-core load"));
  g_assert_nonnull (strstr (text, "Makespan comparison"));
  g_assert_nonnull (strstr (text, "Loop latency"));
  g_assert_true (il_help_window_show_page (help, "quiz"));
  g_assert_false (il_help_window_show_page (help, "no-such-page"));

  gtk_window_destroy (GTK_WINDOW (help));
  gtk_window_destroy (GTK_WINDOW (window));
  restore_language (saved);
  il_test_drain ();
}

/* The guide in the app follows the user's languages (issue 12): under
 * LANGUAGE=de it is the German one (help/de/ in the resources, generated
 * from help/de/de.po), whose chart and state names are the German GUI's;
 * a language without a translated guide gets the original. */
static void
test_help_german (void)
{
  IlHelpWindow    *help;
  g_autofree char *text = NULL;
  char            *saved = set_language ("xx:de_AT:de");

  /* The first of the languages with a guide is taken: not "xx", then "de". */
  help = il_help_window_new (NULL);
  g_assert_cmpstr (il_help_window_get_page (help), ==, "index");
  text = il_help_window_dup_text (help);
  g_assert_nonnull (strstr (text, "Interleave-Hilfe"));
  g_assert_nonnull (strstr (text, "Themen"));
  g_assert_nonnull (strstr (text, "Was die Diagramme zeigen"));
  g_assert_nonnull (strstr (text, "Was die Aufgabenzustände bedeuten"));
  g_assert_nonnull (strstr (text, "Wie man ein Quiz liest"));
  g_assert_null (strstr (text, "What the charts show"));

  g_assert_true (il_help_window_show_page (help, "states"));
  g_clear_pointer (&text, g_free);
  text = il_help_window_dup_text (help);
  for (guint i = 0; i < 5; i++)
    {
      const char *states[] = { "Laufend", "Bereit", "Blockiert", "GIL-Wartezeit", "Lock-Wartezeit" };

      g_assert_nonnull (strstr (text, states[i]));
    }
  g_assert_null (strstr (text, "Running"));

  g_assert_true (il_help_window_show_page (help, "charts"));
  g_clear_pointer (&text, g_free);
  text = il_help_window_dup_text (help);
  g_assert_nonnull (strstr (text, "Last je Kern"));
  g_assert_nonnull (strstr (text, "Gesamtdauer je Lauf"));
  g_assert_nonnull (strstr (text, "Schleifenlatenz"));
  g_assert_true (il_help_window_show_page (help, "quiz"));
  gtk_window_destroy (GTK_WINDOW (help));

  g_setenv ("LANGUAGE", "xx", TRUE);
  help = il_help_window_new (NULL);
  g_clear_pointer (&text, g_free);
  text = il_help_window_dup_text (help);
  g_assert_nonnull (strstr (text, "What the charts show"));
  gtk_window_destroy (GTK_WINDOW (help));

  restore_language (saved);
  il_test_drain ();
}

/* The application: F1 for Help, Ctrl+comma for Preferences (listed in the
 * Keyboard Shortcuts window too), and the style key applied. */
static void
test_application (void)
{
  g_autoptr(IlApplication) app = il_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) help = NULL;
  g_auto(GStrv) prefs = NULL;
  g_autoptr(GBytes) overlay = NULL;
  g_autofree char *text = NULL;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  help = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.help");
  prefs = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.preferences");
  g_assert_true (g_strv_contains ((const char *const *) help, "F1"));
  g_assert_true (g_strv_contains ((const char *const *) prefs, "<Control>comma"));

  /* The style the Preferences row writes is the one the app shows. */
  settings_reset ();
  g_settings_set_string (il_settings_get (), IL_SETTINGS_STYLE_VARIANT, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_FORCE_DARK);
  g_settings_set_string (il_settings_get (), IL_SETTINGS_STYLE_VARIANT, "light");
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_FORCE_LIGHT);
  settings_reset ();
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_DEFAULT);

  overlay = g_resources_lookup_data ("/io/github/interleave/Interleave/gtk/help-overlay.ui", 0, NULL);
  g_assert_nonnull (overlay);
  text = g_strndup (g_bytes_get_data (overlay, NULL), g_bytes_get_size (overlay));
  g_assert_nonnull (strstr (text, "win.help"));
  g_assert_nonnull (strstr (text, "win.preferences"));
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/desktop/schema", test_schema);
  g_test_add_func ("/il/gui/desktop/window-state", test_window_state);
  g_test_add_func ("/il/gui/desktop/preferences-accessible", test_preferences_accessible);
  g_test_add_func ("/il/gui/desktop/preferences", test_preferences);
  g_test_add_func ("/il/gui/desktop/preferences-cluster", test_preferences_cluster);
  g_test_add_func ("/il/gui/desktop/about", test_about);
  g_test_add_func ("/il/gui/desktop/help", test_help);
  g_test_add_func ("/il/gui/desktop/help-german", test_help_german);
  g_test_add_func ("/il/gui/desktop/application", test_application);

  return g_test_run ();
}
