/* il-autosave.c — unsaved edits kept on disk, offered back after a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An edit only starts a timer (or finds one running): the experiment is
 * serialized when it fires, and one worker thread for the whole process
 * writes (atomically, il-atomic-file.h, with its fsync) and removes the
 * files in the order asked, so a removal never overtakes an older write.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-atomic-file.h"
#include "il-autosave.h"
#include "il-format.h"
#include "il-window.h"

#define GROUP       "Autosave"
#define KEY_VERSION "version"
#define KEY_PID     "pid"
#define KEY_TIME    "time"
#define KEY_URI     "original"
#define KEY_TITLE   "title"
#define KEY_DATA    "experiment"
#define SUFFIX      ".autosave"

struct _IlAutosave
{
  GObject parent_instance;

  IlDocument *document;
  gulong      changed_id;
  gulong      modified_id;
  guint       timeout_id;
  guint       delay_ms;
  char       *path;
  gboolean    written; /* the file may exist */
};

G_DEFINE_FINAL_TYPE (IlAutosave, il_autosave, G_TYPE_OBJECT)

/* ---------------------------------------------------------- the worker */

typedef struct
{
  char   *path;
  GBytes *data; /* NULL: remove */
} Op;

static GThreadPool *pool;
static GMutex       pool_lock;
static GCond        pool_cond;
static guint        pool_pending;

static void
run_op (gpointer data,
        gpointer user_data)
{
  Op *op = data;

  if (op->data != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (op->path);
      g_autoptr(GError) error = NULL;
      gsize       length;
      const char *bytes = g_bytes_get_data (op->data, &length);

      if (g_mkdir_with_parents (dir, 0700) < 0 ||
          !il_atomic_file_write_path (op->path, bytes, length, &error))
        g_warning ("Could not autosave: %s", error != NULL ? error->message : g_strerror (errno));
      g_bytes_unref (op->data);
    }
  else if (g_unlink (op->path) < 0 && errno != ENOENT)
    g_warning ("Could not remove the autosave %s: %s", op->path, g_strerror (errno));
  g_free (op->path);
  g_free (op);

  g_mutex_lock (&pool_lock);
  pool_pending--;
  g_cond_broadcast (&pool_cond);
  g_mutex_unlock (&pool_lock);
}

static void
queue_op (const char *path,
          GBytes     *data)
{
  Op *op = g_new0 (Op, 1);

  op->path = g_strdup (path);
  op->data = data;
  g_mutex_lock (&pool_lock);
  /* One thread: operations run in the order queued. */
  if (pool == NULL)
    pool = g_thread_pool_new (run_op, NULL, 1, FALSE, NULL);
  pool_pending++;
  g_mutex_unlock (&pool_lock);
  g_thread_pool_push (pool, op, NULL);
}

void
il_autosave_wait (void)
{
  g_mutex_lock (&pool_lock);
  while (pool_pending > 0)
    g_cond_wait (&pool_cond, &pool_lock);
  g_mutex_unlock (&pool_lock);
}

char *
il_autosave_dup_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), APP_ID, "autosave", NULL);
}

/* ---------------------------------------------------- one window's file */

static GBytes *
serialize (IlDocument *document)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *data = il_experiment_to_data (il_document_get_experiment (document), NULL);
  g_autofree char *title = il_document_dup_title (document);
  GFile           *file = il_document_get_file (document);
  gsize            length;
  char            *text;

  g_key_file_set_integer (keys, GROUP, KEY_VERSION, 1);
  g_key_file_set_int64 (keys, GROUP, KEY_PID, getpid ());
  g_key_file_set_int64 (keys, GROUP, KEY_TIME, g_get_real_time () / G_USEC_PER_SEC);
  if (file != NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_key_file_set_string (keys, GROUP, KEY_URI, uri);
    }
  g_key_file_set_string (keys, GROUP, KEY_TITLE, title);
  g_key_file_set_string (keys, GROUP, KEY_DATA, data);
  text = g_key_file_to_data (keys, &length, NULL);
  return g_bytes_new_take (text, length);
}

static void
il_autosave_write_now (IlAutosave *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->document == NULL || !il_document_get_modified (self->document))
    return;
  queue_op (self->path, serialize (self->document));
  self->written = TRUE;
}

static void
il_autosave_remove (IlAutosave *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (!self->written)
    return;
  queue_op (self->path, NULL);
  self->written = FALSE;
}

static gboolean
timeout_cb (gpointer data)
{
  IlAutosave *self = data;

  self->timeout_id = 0;
  il_autosave_write_now (self);
  return G_SOURCE_REMOVE;
}

/* On every edit: cheap, a timer at most. */
static void
document_changed_cb (IlAutosave *self)
{
  if (!il_document_get_modified (self->document))
    {
      il_autosave_remove (self);
      return;
    }
  if (self->timeout_id == 0)
    self->timeout_id = g_timeout_add (self->delay_ms, timeout_cb, self);
}

void
il_autosave_set_document (IlAutosave *self,
                          IlDocument *document)
{
  g_return_if_fail (IL_IS_AUTOSAVE (self));
  g_return_if_fail (document == NULL || IL_IS_DOCUMENT (document));

  if (self->document == document)
    return;
  if (self->document != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->document);
      g_clear_signal_handler (&self->modified_id, self->document);
      g_clear_object (&self->document);
    }
  /* The previous document was saved or discarded. */
  il_autosave_remove (self);

  if (document == NULL)
    return;
  self->document = g_object_ref (document);
  self->changed_id = g_signal_connect_swapped (document, "changed", G_CALLBACK (document_changed_cb), self);
  self->modified_id = g_signal_connect_swapped (document, "notify::modified", G_CALLBACK (document_changed_cb), self);
  /* Restored edits are on disk again at once. */
  il_autosave_write_now (self);
}

void
il_autosave_set_delay (IlAutosave *self,
                       guint       delay_ms)
{
  g_return_if_fail (IL_IS_AUTOSAVE (self));
  self->delay_ms = delay_ms;
}

const char *
il_autosave_get_path (IlAutosave *self)
{
  g_return_val_if_fail (IL_IS_AUTOSAVE (self), NULL);
  return self->path;
}

static void
il_autosave_dispose (GObject *object)
{
  IlAutosave *self = IL_AUTOSAVE (object);

  /* Dropped without the window's say (the session ends): what is pending
   * is written, and the file is kept to be offered at the next start. */
  if (self->timeout_id != 0)
    il_autosave_write_now (self);
  if (self->document != NULL)
    {
      g_clear_signal_handler (&self->changed_id, self->document);
      g_clear_signal_handler (&self->modified_id, self->document);
      g_clear_object (&self->document);
    }
  G_OBJECT_CLASS (il_autosave_parent_class)->dispose (object);
}

static void
il_autosave_finalize (GObject *object)
{
  IlAutosave *self = IL_AUTOSAVE (object);

  g_free (self->path);
  G_OBJECT_CLASS (il_autosave_parent_class)->finalize (object);
}

static void
il_autosave_class_init (IlAutosaveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = il_autosave_dispose;
  object_class->finalize = il_autosave_finalize;
}

static void
il_autosave_init (IlAutosave *self)
{
  static gint      counter;
  g_autofree char *dir = il_autosave_dup_dir ();
  g_autofree char *name = g_strdup_printf ("%d-%d" SUFFIX, (int) getpid (),
                                           g_atomic_int_add (&counter, 1));

  self->delay_ms = IL_AUTOSAVE_DELAY_MS;
  self->path = g_build_filename (dir, name, NULL);
}

IlAutosave *
il_autosave_new (void)
{
  return g_object_new (IL_TYPE_AUTOSAVE, NULL);
}

/* ------------------------------------------------------------ restoring */

void
il_autosave_entry_free (IlAutosaveEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->path);
  g_clear_object (&entry->original);
  g_free (entry->title);
  g_clear_pointer (&entry->experiment, il_experiment_free);
  g_free (entry);
}

static gboolean
process_is_gone (gint64 pid)
{
  if (pid <= 0 || pid > G_MAXINT)
    return TRUE;
  if (pid == getpid ())
    return FALSE;
  return kill ((pid_t) pid, 0) < 0 && errno == ESRCH;
}

static IlAutosaveEntry *
read_entry (const char *path)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(IlAutosaveEntry) entry = g_new0 (IlAutosaveEntry, 1);
  g_autofree char *uri = NULL;
  g_autofree char *data = NULL;
  g_autofree char *display = NULL;
  gint64           pid;

  if (!g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, NULL) ||
      g_key_file_get_integer (keys, GROUP, KEY_VERSION, NULL) != 1)
    return NULL;
  pid = g_key_file_get_int64 (keys, GROUP, KEY_PID, NULL);
  if (!process_is_gone (pid))
    return NULL;
  data = g_key_file_get_string (keys, GROUP, KEY_DATA, NULL);
  if (data == NULL)
    return NULL;
  display = g_filename_display_name (path);
  entry->experiment = il_experiment_load_data (data, -1, display, NULL);
  if (entry->experiment == NULL)
    return NULL;
  uri = g_key_file_get_string (keys, GROUP, KEY_URI, NULL);
  if (uri != NULL)
    entry->original = g_file_new_for_uri (uri);
  entry->title = g_key_file_get_string (keys, GROUP, KEY_TITLE, NULL);
  if (entry->title == NULL || !g_utf8_validate (entry->title, -1, NULL))
    {
      g_free (entry->title);
      entry->title = g_strdup (entry->experiment->name);
    }
  entry->path = g_strdup (path);
  entry->time = g_key_file_get_int64 (keys, GROUP, KEY_TIME, NULL);
  return g_steal_pointer (&entry);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const IlAutosaveEntry *ea = *(IlAutosaveEntry **) a;
  const IlAutosaveEntry *eb = *(IlAutosaveEntry **) b;

  /* The newest first: the likelier to matter, and what the dialog lists
   * when there are more than it shows. */
  if (ea->time != eb->time)
    return ea->time > eb->time ? -1 : 1;
  /* The same second: in the order the windows were made ("PID-N"). */
  return strcmp (ea->path, eb->path);
}

GPtrArray *
il_autosave_find_orphans (void)
{
  g_autofree char *dir = il_autosave_dup_dir ();
  GPtrArray       *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) il_autosave_entry_free);
  GDir            *d = g_dir_open (dir, 0, NULL);
  const char      *name;

  if (d == NULL)
    return entries;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      IlAutosaveEntry *entry;

      if (!g_str_has_suffix (name, SUFFIX) || name[0] == '.')
        continue;
      path = g_build_filename (dir, name, NULL);
      entry = read_entry (path);
      if (entry != NULL)
        g_ptr_array_add (entries, entry);
    }
  g_dir_close (d);
  g_ptr_array_sort (entries, compare_entries);
  return entries;
}

void
il_autosave_entry_remove (const IlAutosaveEntry *entry)
{
  g_return_if_fail (entry != NULL);
  queue_op (entry->path, NULL);
}

static void
offer_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   GPtrArray        *entries)
{
  GtkWindow      *parent = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;

  if (g_strcmp0 (response, "restore") == 0)
    {
      for (guint i = 0; i < entries->len; i++)
        {
          IlAutosaveEntry *entry = g_ptr_array_index (entries, i);
          g_autoptr(IlDocument) document = NULL;
          IlWindow *window;

          if (parent != NULL && IL_IS_WINDOW (parent) && il_window_get_document (IL_WINDOW (parent)) == NULL)
            window = IL_WINDOW (parent);
          else
            window = il_window_new (app);
          document = il_document_new_restored (g_steal_pointer (&entry->experiment), entry->original);
          /* The window's autosave writes it again at once (queued first),
           * then the orphan goes. */
          il_window_restore_document (window, document);
          il_autosave_entry_remove (entry);
          gtk_window_present (GTK_WINDOW (window));
        }
    }
  else if (g_strcmp0 (response, "discard") == 0)
    {
      for (guint i = 0; i < entries->len; i++)
        il_autosave_entry_remove (g_ptr_array_index (entries, i));
    }
}

static void
free_entries (gpointer  data,
              GClosure *closure)
{
  g_ptr_array_unref (data);
}

/* The dialog lists this many documents at most, then how many more. */
#define MAX_LISTED 8

/* "03.12.2026 10:05:12": when an autosave was written, in the user's
 * locale. NULL when the file says no time. */
static char *
changed_at (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = unix_time > 0 ? g_date_time_new_from_unix_utc (unix_time) : NULL;
  g_autofree char *iso = dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;

  return iso != NULL ? il_format_date (iso, TRUE) : NULL;
}

GtkWidget *
il_autosave_offer_restore (GtkWindow *window)
{
  g_autoptr(GPtrArray) entries = il_autosave_find_orphans ();
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  if (entries->len == 0)
    return NULL;
  g_string_append (body, g_dngettext (GETTEXT_PACKAGE,
                                      "Interleave stopped while an experiment had unsaved changes:",
                                      "Interleave stopped while experiments had unsaved changes:",
                                      entries->len));
  for (guint i = 0; i < entries->len && i < MAX_LISTED; i++)
    {
      IlAutosaveEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *original = entry->original != NULL ? g_file_get_parse_name (entry->original) : NULL;
      g_autofree char *when = changed_at (entry->time);

      g_string_append_printf (body, "\n• %s", entry->title);
      if (original != NULL)
        g_string_append_printf (body, " (%s)", original);
      /* The same document left behind twice reads apart by its time. */
      if (when != NULL)
        g_string_append_printf (body, ", %s", when);
    }
  if (entries->len > MAX_LISTED)
    {
      guint more = entries->len - MAX_LISTED;

      g_string_append (body, "\n");
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE, "and %u more experiment",
                                           "and %u more experiments", more),
                              more);
    }
  dialog = adw_message_dialog_new (window, _("Restore Unsaved Changes?"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "discard", _("_Discard"), "restore", _("_Restore"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "restore");
  /* Escape decides nothing: they are offered again next time. */
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_signal_connect_data (dialog, "response", G_CALLBACK (offer_response_cb),
                         g_steal_pointer (&entries), free_entries, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
