/* il-document.c — the experiment being edited, its file and its undo history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Undo keeps whole snapshots of the experiment (il_experiment_copy) rather
 * than inverse operations: experiments are small, and a snapshot can never
 * get out of step with the editors, whatever the edit was. "Modified" is a
 * comparison with the last saved snapshot, so undoing back to the saved state
 * clears it.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "il-document.h"
#include "il-edit-rules.h"

/* Enough for any editing session; the oldest steps are dropped beyond it. */
#define MAX_UNDO 500

struct _IlDocument
{
  GObject parent_instance;

  IlExperiment *experiment;
  IlExperiment *saved; /* as on disk (or as created) */
  GFile        *file;
  GPtrArray    *undo; /* IlExperiment*, oldest first */
  GPtrArray    *redo; /* IlExperiment*, next redo last */
  char         *merge_key;
  GPtrArray    *input_errors; /* InputError*, in the order they arose */
  gboolean      modified;
  gboolean      in_edit;
};

typedef struct
{
  gconstpointer owner;
  char         *message;
} InputError;

static void
input_error_free (InputError *input_error)
{
  g_free (input_error->message);
  g_free (input_error);
}

G_DEFINE_FINAL_TYPE (IlDocument, il_document, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FILE,
  PROP_MODIFIED,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  PROP_INPUT_ERROR,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void
il_document_update_modified (IlDocument *self)
{
  /* No saved snapshot: restored edits of a file that is gone. */
  gboolean modified = self->saved == NULL || !il_experiment_equal (self->experiment, self->saved);

  if (modified == self->modified)
    return;
  self->modified = modified;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
il_document_notify_history (IlDocument *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

static void
il_document_finalize (GObject *object)
{
  IlDocument *self = IL_DOCUMENT (object);

  g_clear_pointer (&self->experiment, il_experiment_free);
  g_clear_pointer (&self->saved, il_experiment_free);
  g_clear_object (&self->file);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_pointer (&self->redo, g_ptr_array_unref);
  g_clear_pointer (&self->merge_key, g_free);
  g_clear_pointer (&self->input_errors, g_ptr_array_unref);

  G_OBJECT_CLASS (il_document_parent_class)->finalize (object);
}

static void
il_document_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  IlDocument *self = IL_DOCUMENT (object);

  switch (prop_id)
    {
      case PROP_FILE:
        g_value_set_object (value, self->file);
        break;
      case PROP_MODIFIED:
        g_value_set_boolean (value, self->modified);
        break;
      case PROP_CAN_UNDO:
        g_value_set_boolean (value, il_document_can_undo (self));
        break;
      case PROP_CAN_REDO:
        g_value_set_boolean (value, il_document_can_redo (self));
        break;
      case PROP_INPUT_ERROR:
        g_value_set_string (value, il_document_get_input_error (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_document_class_init (IlDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = il_document_finalize;
  object_class->get_property = il_document_get_property;

  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INPUT_ERROR] =
    g_param_spec_string ("input-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * IlDocument::changed:
   * @structural: items were added, removed or moved (views rebuild), or
   *   only values changed
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
il_document_init (IlDocument *self)
{
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) il_experiment_free);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) il_experiment_free);
  self->input_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) input_error_free);
}

/**
 * il_document_new:
 * @experiment: (transfer full) (nullable): the experiment; NULL: a new one
 */
IlDocument *
il_document_new (IlExperiment *experiment)
{
  IlDocument *self = g_object_new (IL_TYPE_DOCUMENT, NULL);

  self->experiment = experiment ? experiment : il_experiment_new ();
  self->saved = il_experiment_copy (self->experiment);
  return self;
}

IlDocument *
il_document_new_for_file (GFile   *file,
                          GError **error)
{
  IlExperiment *experiment;
  IlDocument   *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  experiment = il_experiment_load_file (file, error);
  if (experiment == NULL)
    return NULL;
  self = il_document_new (experiment);
  self->file = g_object_ref (file);
  return self;
}

/**
 * il_document_new_restored:
 * @experiment: (transfer full): the edited experiment (an autosave)
 * @file: (nullable): the file it was edited from
 *
 * Unsaved edits brought back after a crash: modified, compared with what
 * @file holds now (always modified when @file is NULL or unreadable).
 */
IlDocument *
il_document_new_restored (IlExperiment *experiment,
                          GFile        *file)
{
  IlDocument *self;

  g_return_val_if_fail (experiment != NULL, NULL);
  g_return_val_if_fail (file == NULL || G_IS_FILE (file), NULL);

  self = g_object_new (IL_TYPE_DOCUMENT, NULL);
  self->experiment = experiment;
  if (file != NULL)
    {
      self->file = g_object_ref (file);
      self->saved = il_experiment_load_file (file, NULL);
    }
  self->modified = self->saved == NULL || !il_experiment_equal (self->experiment, self->saved);
  return self;
}

const IlExperiment *
il_document_get_experiment (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), NULL);
  return self->experiment;
}

/**
 * il_document_get_file:
 * Returns: (transfer none) (nullable): where the document is saved
 */
GFile *
il_document_get_file (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), NULL);
  return self->file;
}

gboolean
il_document_get_modified (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);
  return self->modified;
}

/* The file's name, or the experiment's name for a document never saved. */
char *
il_document_dup_title (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), NULL);

  if (self->file != NULL)
    {
      g_autofree char *basename = g_file_get_basename (self->file);

      return g_filename_display_name (basename);
    }
  if (self->experiment->name != NULL && self->experiment->name[0] != '\0')
    return g_strdup (self->experiment->name);
  return g_strdup (_("Untitled Experiment"));
}

IlExperiment *
il_document_begin_edit (IlDocument *self,
                        const char *merge_key)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), NULL);
  g_return_val_if_fail (!self->in_edit, NULL);

  self->in_edit = TRUE;

  if (merge_key != NULL && g_strcmp0 (merge_key, self->merge_key) == 0 && self->undo->len > 0)
    return self->experiment;

  g_free (self->merge_key);
  self->merge_key = g_strdup (merge_key);

  g_ptr_array_add (self->undo, il_experiment_copy (self->experiment));
  if (self->undo->len > MAX_UNDO)
    g_ptr_array_remove_index (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);

  return self->experiment;
}

void
il_document_end_edit (IlDocument *self,
                      gboolean    structural)
{
  g_return_if_fail (IL_IS_DOCUMENT (self));
  g_return_if_fail (self->in_edit);

  self->in_edit = FALSE;
  il_document_update_modified (self);
  il_document_notify_history (self);
  g_signal_emit (self, signals[CHANGED], 0, structural);
}

void
il_document_break_merge (IlDocument *self)
{
  g_return_if_fail (IL_IS_DOCUMENT (self));
  g_clear_pointer (&self->merge_key, g_free);
}

gboolean
il_document_can_undo (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);
  return self->undo->len > 0;
}

gboolean
il_document_can_redo (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);
  return self->redo->len > 0;
}

/* Moves the current experiment onto @to and the last of @from in its place.
 * `enabled` is GUI state outside the history: it survives undo for runs that
 * are still there. */
static gboolean
il_document_swap_history (IlDocument *self,
                          GPtrArray  *from,
                          GPtrArray  *to)
{
  IlExperiment *next;

  g_return_val_if_fail (!self->in_edit, FALSE);

  if (from->len == 0)
    return FALSE;

  next = g_ptr_array_steal_index (from, from->len - 1);
  for (guint i = 0; i < next->runs->len && i < self->experiment->runs->len; i++)
    {
      IlRunConfig       *run = g_ptr_array_index (next->runs, i);
      const IlRunConfig *old = g_ptr_array_index (self->experiment->runs, i);

      run->enabled = old->enabled;
    }
  g_ptr_array_add (to, self->experiment);
  self->experiment = next;
  g_clear_pointer (&self->merge_key, g_free);

  il_document_update_modified (self);
  il_document_notify_history (self);
  g_signal_emit (self, signals[CHANGED], 0, TRUE);
  return TRUE;
}

gboolean
il_document_undo (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);
  return il_document_swap_history (self, self->undo, self->redo);
}

gboolean
il_document_redo (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);
  return il_document_swap_history (self, self->redo, self->undo);
}

void
il_document_set_run_enabled (IlDocument *self,
                             guint       run,
                             gboolean    enabled)
{
  IlRunConfig *config;

  g_return_if_fail (IL_IS_DOCUMENT (self));
  g_return_if_fail (run < self->experiment->runs->len);

  config = g_ptr_array_index (self->experiment->runs, run);
  if (config->enabled == !!enabled)
    return;
  config->enabled = !!enabled;
  g_signal_emit (self, signals[CHANGED], 0, FALSE);
}

void
il_document_set_input_error (IlDocument   *self,
                             gconstpointer owner,
                             const char   *message)
{
  guint i;

  g_return_if_fail (IL_IS_DOCUMENT (self));
  g_return_if_fail (owner != NULL);

  for (i = 0; i < self->input_errors->len; i++)
    if (((InputError *) g_ptr_array_index (self->input_errors, i))->owner == owner)
      break;

  if (i < self->input_errors->len)
    {
      InputError *input_error = g_ptr_array_index (self->input_errors, i);

      if (message == NULL)
        g_ptr_array_remove_index (self->input_errors, i);
      else if (g_strcmp0 (input_error->message, message) == 0)
        return;
      else
        {
          g_free (input_error->message);
          input_error->message = g_strdup (message);
        }
    }
  else if (message != NULL)
    {
      InputError *input_error = g_new0 (InputError, 1);

      input_error->owner = owner;
      input_error->message = g_strdup (message);
      g_ptr_array_add (self->input_errors, input_error);
    }
  else
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_ERROR]);
}

const char *
il_document_get_input_error (IlDocument *self)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), NULL);

  if (self->input_errors->len == 0)
    return NULL;
  return ((InputError *) g_ptr_array_index (self->input_errors, 0))->message;
}

gboolean
il_document_check (IlDocument *self,
                   GError    **error)
{
  const char *input_error;

  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);

  if ((input_error = il_document_get_input_error (self)) != NULL)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, input_error);
      return FALSE;
    }
  return il_experiment_check (self->experiment, error);
}

gboolean
il_document_save (IlDocument      *self,
                  GFile           *file,
                  const IlResults *results,
                  GError         **error)
{
  g_return_val_if_fail (IL_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  /* What the fields show is what is written, or nothing is. */
  if (!il_document_check (self, error))
    return FALSE;

  if (results != NULL)
    {
      g_autoptr(IlExperiment) to_save = il_experiment_copy (self->experiment);

      g_clear_pointer (&to_save->results, il_results_free);
      to_save->results = il_results_copy (results);
      if (!il_experiment_save_file (to_save, file, error))
        return FALSE;
      /* What is on disk now carries the results: so does the document, or
       * it would count as modified straight away. */
      g_clear_pointer (&self->experiment->results, il_results_free);
      self->experiment->results = il_results_copy (results);
    }
  else if (!il_experiment_save_file (self->experiment, file, error))
    return FALSE;

  g_clear_pointer (&self->saved, il_experiment_free);
  self->saved = il_experiment_copy (self->experiment);
  if (self->file != file && (self->file == NULL || !g_file_equal (self->file, file)))
    {
      g_set_object (&self->file, file);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
    }
  il_document_update_modified (self);
  return TRUE;
}
