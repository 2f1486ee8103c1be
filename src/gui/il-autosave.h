/* il-autosave.h — unsaved edits kept on disk, offered back after a crash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-document.h"

G_BEGIN_DECLS

/* How long after the first unsaved edit the autosave is written. Edits
 * meanwhile do not postpone it (a long typing session is still saved). */
#define IL_AUTOSAVE_DELAY_MS 3000

#define IL_TYPE_AUTOSAVE (il_autosave_get_type ())
G_DECLARE_FINAL_TYPE (IlAutosave, il_autosave, IL, AUTOSAVE, GObject)

/* One per window. Its file is $XDG_DATA_HOME/APP_ID/autosave/PID-N.autosave
 * (a key file: the process, the original file's URI, the title, and the
 * experiment as saved), written atomically by a worker thread, never on
 * an edit itself. */
IlAutosave *il_autosave_new (void);

/* Watches @document (nullable): while it has unsaved changes they are
 * written IL_AUTOSAVE_DELAY_MS after an edit (at once when it arrives
 * modified, as restored edits do). The file is removed when the document
 * is saved or back to its saved state, and when it is replaced or dropped
 * here: the window does that only after the user saved or discarded. */
void il_autosave_set_document (IlAutosave *self,
                               IlDocument *document);
/* Tests: a shorter delay. */
void        il_autosave_set_delay (IlAutosave *self,
                                   guint       delay_ms);
const char *il_autosave_get_path (IlAutosave *self);

/* Blocks until every write and removal queued so far (by any window) is
 * done. */
void il_autosave_wait (void);

/* The folder autosaves go to (created on the first write). */
char *il_autosave_dup_dir (void);

/* Autosaves that processes now gone left behind (a crash, a kill):
 * IlAutosaveEntry*, oldest first. Unreadable files are skipped. */
typedef struct
{
  char         *path;
  GFile        *original; /* nullable: never saved */
  char         *title;
  gint64        time; /* when it was written, in seconds since 1970 */
  IlExperiment *experiment;
} IlAutosaveEntry;

void       il_autosave_entry_free (IlAutosaveEntry *entry);
GPtrArray *il_autosave_find_orphans (void);
/* Removes an orphan's file (after it was restored or discarded), in order
 * after the writes queued before. */
void il_autosave_entry_remove (const IlAutosaveEntry *entry);

/* When orphans exist: asks on @window whether to restore them. Restore
 * opens each in a window (@window first if it shows no document) as a
 * modified document tied to its original file; Discard removes them;
 * closing the dialog keeps them for the next start. Returns the dialog
 * (NULL: nothing to offer). */
GtkWidget *il_autosave_offer_restore (GtkWindow *window);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlAutosaveEntry, il_autosave_entry_free)

G_END_DECLS
