/* il-application.c — the Interleave desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keyboard shortcuts are application accelerators so that menus show them;
 * the actions themselves live on the window (win.*: Preferences, Help and
 * About too, so that a window works without an application in tests). The
 * style preference is stored in GSettings only when the schema is
 * installed (il-settings.h): running from the build tree by hand must not
 * abort on a missing schema.
 *
 * The application keeps one embedded latency server for its whole lifetime
 * (issue 4): started at the first run that has an http block against it,
 * stopped at shutdown. Runs share it instead of starting one each, so the
 * first request of a run does not pay for a server start-up.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "il-application.h"
#include "il-autosave.h"
#include "il-server.h"
#include "il-settings.h"
#include "il-window.h"

struct _IlApplication
{
  AdwApplication parent_instance;

  IlServer *server; /* nullable: started on first use */
  gboolean  restore_offered;
};

G_DEFINE_FINAL_TYPE (IlApplication, il_application, ADW_TYPE_APPLICATION)

static void
il_application_apply_style (IlApplication *self,
                            const char    *variant)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  AdwColorScheme   scheme = ADW_COLOR_SCHEME_DEFAULT;

  if (g_strcmp0 (variant, "light") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_strcmp0 (variant, "dark") == 0)
    scheme = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (manager, scheme);
}

/* Without an installed schema (an uninstalled build run by hand) the style
 * is a plain stateful action that is not remembered. */
static void
style_variant_change_state (GSimpleAction *action,
                            GVariant      *state,
                            gpointer       user_data)
{
  const char *variant = g_variant_get_string (state, NULL);

  if (g_strcmp0 (variant, "default") != 0 && g_strcmp0 (variant, "light") != 0 && g_strcmp0 (variant, "dark") != 0)
    return;
  g_simple_action_set_state (action, state);
  il_application_apply_style (user_data, variant);
}

static void
style_variant_setting_changed (GSettings  *settings,
                               const char *key,
                               gpointer    user_data)
{
  g_autofree char *variant = g_settings_get_string (settings, key);

  il_application_apply_style (user_data, variant);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList          *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing asks about unsaved changes per window; a window that stays
   * open keeps the application running. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

/* Activates actions named in INTERLEAVE_DEBUG_ACTIONS ("win.run;
 * win.show-page::runs") once the window is up: build-aux/screenshots uses
 * it to reach each state without a pointer. "wait:MS" waits that long
 * before the actions after it (a run's end, then the prompt of win.new). */
typedef struct
{
  GtkWidget *window;
  GStrv      actions;
  guint      next;
} DebugActions;

static void
debug_actions_free (gpointer data)
{
  DebugActions *d = data;

  g_object_unref (d->window);
  g_strfreev (d->actions);
  g_free (d);
}

static gboolean
debug_actions_cb (gpointer data)
{
  DebugActions *d = data;

  for (; d->actions[d->next] != NULL; d->next++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GVariant) target = NULL;
      g_autofree char *stripped = g_strstrip (g_strdup (d->actions[d->next]));
      guint64          ms;

      if (stripped[0] == '\0')
        continue;
      if (g_str_has_prefix (stripped, "wait:") &&
          g_ascii_string_to_unsigned (stripped + strlen ("wait:"), 10, 0, 600000, &ms, NULL))
        {
          d->next++;
          g_timeout_add ((guint) ms, debug_actions_cb, d);
          return G_SOURCE_REMOVE;
        }
      if (!g_action_parse_detailed_name (stripped, &name, &target, NULL))
        continue;
      gtk_widget_activate_action_variant (d->window, name, target);
    }
  debug_actions_free (d);
  return G_SOURCE_REMOVE;
}

/* After a crash, once per start: the first window offers to restore what
 * its predecessor had not saved (il-autosave.h). */
static gboolean
offer_restore_cb (gpointer data)
{
  il_autosave_offer_restore (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static IlWindow *
il_application_new_window (IlApplication *self)
{
  IlWindow *window = il_window_new (GTK_APPLICATION (self));

  if (!self->restore_offered)
    {
      self->restore_offered = TRUE;
      g_idle_add_full (G_PRIORITY_LOW, offer_restore_cb, g_object_ref (window), g_object_unref);
    }

  if (g_getenv ("INTERLEAVE_DEBUG_ACTIONS") != NULL)
    {
      DebugActions *d = g_new0 (DebugActions, 1);

      d->window = g_object_ref (GTK_WIDGET (window));
      d->actions = g_strsplit (g_getenv ("INTERLEAVE_DEBUG_ACTIONS"), ";", -1);
      g_timeout_add (500, debug_actions_cb, d);
    }
  return window;
}

static void
il_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (il_application_new_window (IL_APPLICATION (app)));
  gtk_window_present (window);
}

static void
il_application_open (GApplication *app,
                     GFile       **files,
                     int           n_files,
                     const char   *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));
      IlWindow  *window;

      /* Reuse a window that shows the welcome page; otherwise one per file. */
      if (active != NULL && IL_IS_WINDOW (active) && il_window_get_document (IL_WINDOW (active)) == NULL)
        window = IL_WINDOW (active);
      else
        window = il_application_new_window (IL_APPLICATION (app));
      il_window_open_file (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
il_application_startup (GApplication *app)
{
  IlApplication *self = IL_APPLICATION (app);
  GSettings     *settings = il_settings_get ();
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "win.new", { "<Control>n", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.save", { "<Control>s", NULL } },
    { "win.save-as", { "<Control><Shift>s", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "win.run", { "F5", "<Control>r", NULL } },
    { "win.stop", { "<Shift>F5", "<Control>period", NULL } },
    { "win.export::json", { "<Control>e", NULL } },
    { "win.show-page::workload", { "<Alt>1", NULL } },
    { "win.show-page::runs", { "<Alt>2", NULL } },
    { "win.show-page::live", { "<Alt>3", NULL } },
    { "win.show-page::results", { "<Alt>4", NULL } },
    { "win.preferences", { "<Control>comma", NULL } },
    { "win.help", { "F1", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "app.quit", { "<Control>q", NULL } },
  };
  const GActionEntry entries[] = {
    { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  };
  const GActionEntry style_entry[] = {
    { "style-variant", NULL, "s", "'default'", style_variant_change_state, { 0 } },
  };

  G_APPLICATION_CLASS (il_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);

  if (settings != NULL)
    {
      g_autoptr(GAction) style = NULL;

      /* GSettings keeps the action's state and the key in step; the
       * Preferences window's row writes the key too. */
      style = g_settings_create_action (settings, IL_SETTINGS_STYLE_VARIANT);
      g_action_map_add_action (G_ACTION_MAP (app), style);
      g_signal_connect_object (settings, "changed::" IL_SETTINGS_STYLE_VARIANT,
                               G_CALLBACK (style_variant_setting_changed), self, 0);
      style_variant_setting_changed (settings, IL_SETTINGS_STYLE_VARIANT, self);
    }
  else
    g_action_map_add_action_entries (G_ACTION_MAP (app), style_entry, G_N_ELEMENTS (style_entry), app);
}

static void
il_application_shutdown (GApplication *app)
{
  IlApplication *self = IL_APPLICATION (app);

  g_clear_pointer (&self->server, il_server_free);
  G_APPLICATION_CLASS (il_application_parent_class)->shutdown (app);
}

static void
il_application_dispose (GObject *object)
{
  IlApplication *self = IL_APPLICATION (object);

  g_clear_pointer (&self->server, il_server_free);
  G_OBJECT_CLASS (il_application_parent_class)->dispose (object);
}

static void
il_application_class_init (IlApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = il_application_dispose;
  app_class->startup = il_application_startup;
  app_class->shutdown = il_application_shutdown;
  app_class->activate = il_application_activate;
  app_class->open = il_application_open;
}

static void
il_application_init (IlApplication *self)
{
}

IlApplication *
il_application_new (void)
{
  return g_object_new (IL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/interleave/Interleave",
                       NULL);
}

/**
 * il_application_ensure_server:
 * @self: the application
 * @error: where to put an error
 *
 * Starts the embedded latency server on first use; later calls return the
 * same server until shutdown.
 *
 * Returns: (transfer none) (nullable): the server, or %NULL with @error
 */
IlServer *
il_application_ensure_server (IlApplication *self,
                              GError       **error)
{
  g_return_val_if_fail (IL_IS_APPLICATION (self), NULL);

  if (self->server == NULL)
    self->server = il_server_new (error);
  return self->server;
}

/**
 * il_application_get_server:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the server if one was started
 */
IlServer *
il_application_get_server (IlApplication *self)
{
  g_return_val_if_fail (IL_IS_APPLICATION (self), NULL);
  return self->server;
}
