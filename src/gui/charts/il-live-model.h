/* il-live-model.h — the live state of a run, fed once per frame from the
 * runner's event queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One model follows a whole experiment: it counts progress over every run and
 * repetition, keeps the per-core load as a continuous scrolling series, and
 * resets the timeline and completion data at each repetition (the live charts
 * show the repetition in progress).
 */
#pragma once

#include <gtk/gtk.h>

#include "il-runner.h"
#include "il-chart-data.h"

G_BEGIN_DECLS

#define IL_TYPE_LIVE_MODEL (il_live_model_get_type ())
G_DECLARE_FINAL_TYPE (IlLiveModel, il_live_model, IL, LIVE_MODEL, GObject)

IlLiveModel *il_live_model_new (void);

/* Adds a tick callback on @ticking_widget that drains @queue once per frame
 * (never one idle per event). @runner gives the totals and run labels; it may
 * be NULL in tests (totals then come from the RUN_START events). */
void il_live_model_start (IlLiveModel  *self,
                          IlRunner     *runner,
                          IlEventQueue *queue,
                          GtkWidget    *ticking_widget);
/* Drains what is left, removes the tick callback, sets "running" to FALSE. */
void il_live_model_stop (IlLiveModel *self);

/* Applies events directly (what the tick does with each batch); for tests
 * and for consumers that drain the queue themselves. Emits "changed". */
void il_live_model_apply (IlLiveModel   *self,
                          const IlEvent *events,
                          guint          n_events);
/* Forgets everything (keeps the properties' notify semantics). */
void il_live_model_reset (IlLiveModel *self);

/* Stop was pressed: applies what came before it, then tasks that end
 * failed are cut off ("cancelled" in the timeline, not "failed"), and
 * "stopped" turns TRUE. */
void il_live_model_request_stop (IlLiveModel *self);
/* The run ended by Stop (or Ctrl+C in the core: FINISHED flagged cancelled). */
gboolean il_live_model_get_stopped (IlLiveModel *self);
/* While a run is live, moves the timeline's end (where the bars of the
 * tasks and blocks in flight end) to @now_us (g_get_monotonic_time) on the
 * repetition's clock, as estimated from the events' arrival; the tick does
 * it every frame, so that a long block grows with no event. TRUE when it
 * moved. */
gboolean il_live_model_advance (IlLiveModel *self,
                                gint64       now_us);

guint64  il_live_model_get_tasks_done (IlLiveModel *self);
guint64  il_live_model_get_tasks_total (IlLiveModel *self);
gint64   il_live_model_get_elapsed_us (IlLiveModel *self);
gboolean il_live_model_get_running (IlLiveModel *self);
/* The run in progress: index into the runner's expanded runs, its label
 * (NULL without a runner) and the repetition (warm-ups included, 0-based). */
guint       il_live_model_get_current_run (IlLiveModel *self);
const char *il_live_model_get_current_label (IlLiveModel *self);
guint       il_live_model_get_current_rep (IlLiveModel *self);
gboolean    il_live_model_get_current_warmup (IlLiveModel *self);
/* Events the core's queue had to drop (full queue) plus events the model
 * did not keep (its caps). */
guint64 il_live_model_get_dropped (IlLiveModel *self);

/* The chart data the model fills; owned by the model, same pointers for the
 * model's lifetime (reset in place). */
IlLoadData       *il_live_model_get_load (IlLiveModel *self);
IlTimelineData   *il_live_model_get_timeline (IlLiveModel *self);
IlCompletionData *il_live_model_get_completion (IlLiveModel *self);
/* The event loop's latency in the repetition in progress (async runs). */
IlLagData *il_live_model_get_lag (IlLiveModel *self);
/* The runner of the run shown (NULL: none, or in tests). */
IlRunner *il_live_model_get_runner (IlLiveModel *self);
/* Whether the run in progress uses the async executor (it has a loop). */
gboolean il_live_model_get_current_async (IlLiveModel *self);

G_END_DECLS
