/* il-window-private.h — what the main window's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-window.c builds the window and shows the document, its pages and its
 * results; il-window-files.c opens, saves, exports and asks about unsaved
 * changes; il-window-run.c runs the experiment (quiz, network consent,
 * progress); il-window-actions.c holds the win.* actions.
 *
 * The window owns the open document, the run in progress (runner, event
 * queue, cancellable) and the latest results. Replacing or closing a modified
 * document goes through one confirmation ("pending" below remembers what to
 * do once the user chose Save or Discard), so every path asks the same way.
 */
#pragma once

#include <adwaita.h>

#include "il-autosave.h"
#include "il-document.h"
#include "il-examples.h"
#include "il-live-model.h"
#include "il-live-view.h"
#include "il-quiz-card.h"
#include "il-results-table.h"
#include "il-results-view.h"
#include "il-runner.h"
#include "il-runs-editor.h"
#include "il-welcome-page.h"
#include "il-window.h"
#include "il-workload-editor.h"

G_BEGIN_DECLS

typedef enum
{
  PENDING_NONE,
  PENDING_CLOSE,
  PENDING_NEW,
  PENDING_OPEN_DIALOG,
  PENDING_OPEN_FILE,
  PENDING_OPEN_EXAMPLE,
} PendingKind;

struct _IlWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay  *toast_overlay;
  AdwHeaderBar     *header_bar;
  AdwWindowTitle   *window_title;
  GtkWidget        *switcher_box;
  AdwSqueezer      *switcher_squeezer;
  GtkWidget        *switcher_none;
  GtkWidget        *switcher_bar;
  GtkWidget        *open_button;
  GtkWidget        *save_button;
  GtkMenuButton    *menu_button;
  GtkButton        *run_button;
  GtkStack         *main_stack;
  IlAutosave       *autosave; /* il-autosave.h: this window's unsaved edits */
  IlWelcomePage    *welcome_page;
  AdwViewStack     *view_stack;
  IlWorkloadEditor *workload_editor;
  IlRunsEditor     *runs_editor;
  GtkWidget        *live_box;
  GtkProgressBar   *progress_bar;
  GtkLabel         *progress_label;
  AdwBin           *live_bin;
  GtkWidget        *live_placeholder;
  GtkStack         *results_stack;
  GtkWidget        *results_box;
  GtkLabel         *warnings_label;
  IlQuizCard       *quiz_card;
  AdwBin           *results_view_bin;
  IlResultsTable   *results_table;
  IlResultsTable   *recorded_table;
  GMenu            *examples_menu;
  GtkWidget        *lesson_bar;
  GtkLabel         *next_lesson_label;

  /* borrowed: the quiz dialog while it is open (weak pointer) */
  AdwMessageDialog *quiz_dialog;
  /* borrowed: children of live_bin and results_view_bin */
  IlLiveView    *live_view; /* made at the first run */
  IlResultsView *results_view;

  /* owned */
  IlDocument   *document;
  GSignalGroup *document_signals;
  GCancellable *run_cancellable;
  /* A big file being opened in a thread (il-window-files.c), its toast */
  GCancellable *open_cancellable;
  AdwToast     *open_toast;
  IlRunner     *runner;
  IlEventQueue *queue;
  IlResults    *results;
  IlLiveModel  *live_model;
  GFile        *pending_file;
  char         *pending_example;
  /* The lesson after the document's (il_examples_find_lesson); NULL: none */
  IlExampleInfo *next_lesson;

  PendingKind pending;
  gint64      run_started_us;
  guint       progress_source;
  guint       narrow_source; /* il_window_update_narrow() pending */
  gboolean    close_confirmed;
  /* The latest results were measured here and not saved with the document
   * ("Save with Results"): they count as unsaved changes (issue 12). */
  gboolean results_unsaved;
  /* The document was replaced during the run: its results are dropped. */
  gboolean run_stale;
  /* The quiz is asked once per document, before its first run. */
  gboolean quiz_asked;
  int      quiz_pick; /* choice index, -1: skipped */
};

/* il-window.c */
void il_window_toast (IlWindow   *self,
                      const char *text);
void il_window_show_error (IlWindow   *self,
                           const char *heading,
                           const char *message);
void il_window_update_title (IlWindow *self);
void il_window_update_actions (IlWindow *self);
/* Narrow or wide, as the switcher's row measured it (issue 12). */
void il_window_update_narrow (IlWindow *self);
void il_window_set_running_ui (IlWindow *self,
                               gboolean  running);
void il_window_show_results (IlWindow *self);
/* Shows @document (NULL: the welcome page); stops a run of the old one. */
void il_window_set_document (IlWindow   *self,
                             IlDocument *document);

/* il-window-files.c */
/* Accepts dropped files: the first opens like Open. */
void il_window_init_drop_target (IlWindow *self);
/* Whether the document has unsaved edits or unsaved measured results. */
gboolean il_window_has_unsaved (IlWindow *self);
/* Whether closing waits: unsaved changes ask Save or Discard first. */
gboolean il_window_confirm_close (IlWindow *self);
/* Runs @pending now, or after the user saved or discarded changes. */
void il_window_after_confirm (IlWindow   *self,
                              PendingKind pending,
                              GFile      *file,
                              const char *example);
/* Saves in place when the document has a file, else asks where; then does
 * what was pending. */
void il_window_save (IlWindow *self,
                     gboolean  with_results);
void il_window_save_as_dialog (IlWindow *self,
                               gboolean  with_results);
/* Asks where to export in @format (see il_window_export_to). */
void il_window_export_dialog (IlWindow   *self,
                              const char *format);

/* il-window-run.c */
/* Asks the quiz and network consent first when they are due. */
void il_window_start_run (IlWindow *self,
                          gboolean  allow_network);
/* A document that carries the author's recorded results and a quiz asks
 * it now; the recorded results answer it on the Results page. */
void il_window_ask_recorded_quiz (IlWindow *self);
/* Answers the open quiz dialog: a choice index, or -1 to skip. */
void il_window_answer_quiz (IlWindow *self,
                            int       choice);

/* il-window-actions.c */
void il_window_class_init_actions (GtkWidgetClass *widget_class);

G_END_DECLS
