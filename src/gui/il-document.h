/* il-document.h — the experiment being edited, its file and its undo history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

#define IL_TYPE_DOCUMENT (il_document_get_type ())
G_DECLARE_FINAL_TYPE (IlDocument, il_document, IL, DOCUMENT, GObject)

IlDocument *il_document_new (IlExperiment *experiment);
IlDocument *il_document_new_for_file (GFile   *file,
                                      GError **error);
/* Edits restored from an autosave (il-autosave.h): modified. */
IlDocument *il_document_new_restored (IlExperiment *experiment,
                                      GFile        *file);

const IlExperiment *il_document_get_experiment (IlDocument *self);
GFile              *il_document_get_file (IlDocument *self);
gboolean            il_document_get_modified (IlDocument *self);
char               *il_document_dup_title (IlDocument *self);

/* Every edit goes between these two calls, so that it can be undone.
 * il_document_begin_edit snapshots the experiment for undo and returns it
 * for changing in place. Consecutive edits with the same non-NULL
 * @merge_key (a spin button being dragged) share one undo step.
 * @structural tells views whether their rows must be rebuilt (added,
 * removed or moved items) or only values changed (views that made the
 * change already show it). */
IlExperiment *il_document_begin_edit (IlDocument *self,
                                      const char *merge_key);
void          il_document_end_edit (IlDocument *self,
                                    gboolean    structural);
/* Ends the current merge group: the next edit starts a new undo step. */
void il_document_break_merge (IlDocument *self);

gboolean il_document_can_undo (IlDocument *self);
gboolean il_document_can_redo (IlDocument *self);
gboolean il_document_undo (IlDocument *self);
gboolean il_document_redo (IlDocument *self);

/* Sets `enabled` of a run: GUI state, not saved, not undoable. */
void il_document_set_run_enabled (IlDocument *self,
                                  guint       run,
                                  gboolean    enabled);

/* Text the user typed that does not parse (a URL, a workers list): the
 * model keeps its last valid value, and the text stays in its field,
 * marked, until it is fixed. While any is pending, Run and Save refuse and
 * say why (the window reads "input-error"). @owner is the field's widget
 * (one entry per owner; it clears its entry when it goes); @message names
 * the place as the user sees it ("job, block 4, URL: …"), NULL clears. */
void il_document_set_input_error (IlDocument   *self,
                                  gconstpointer owner,
                                  const char   *message);
/* The first pending input error, or NULL. */
const char *il_document_get_input_error (IlDocument *self);

/* Whether the document can be saved (or run) as it stands: no pending input
 * error, and the format's rules hold (il_experiment_check(): a file the
 * app could not open again is never written). The error says why, with the
 * place as the user sees it. */
gboolean il_document_check (IlDocument *self,
                            GError    **error);

/* Saves to @file (atomic), after il_document_check(). With @results, the saved file carries them as
 * the author's recorded results; the document's own recorded results are
 * kept otherwise. On success the document is unmodified and points at
 * @file. */
gboolean il_document_save (IlDocument      *self,
                           GFile           *file,
                           const IlResults *results,
                           GError         **error);

G_END_DECLS
