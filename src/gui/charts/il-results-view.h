/* il-results-view.h — the results of an experiment as charts: the runs'
 * timelines as small multiples on one time axis, a comparison of runs, and
 * for sweeps the scaling curve with a fitted Amdahl curve
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The view has the natural height of its charts (it grows with the number of
 * runs): place it in a GtkScrolledWindow.
 */
#pragma once

#include <gtk/gtk.h>

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

#define IL_TYPE_RESULTS_VIEW (il_results_view_get_type ())
G_DECLARE_FINAL_TYPE (IlResultsView, il_results_view, IL, RESULTS_VIEW, GtkWidget)

GtkWidget *il_results_view_new (void);
/* Copies what it needs. @mine may be NULL (shows the recorded ones only, or
 * nothing); @recorded (the author's, from the file) is nullable;
 * @experiment (nullable) names the task groups in tooltips. */
void il_results_view_set_results (IlResultsView      *self,
                                  const IlResults    *mine,
                                  const IlResults    *recorded,
                                  const IlExperiment *experiment);
/* Every chart of the view, stacked, as one picture: @format "png" or "svg". */
gboolean il_results_view_export (IlResultsView *self,
                                 GFile         *file,
                                 const char    *format,
                                 GError       **error);

G_END_DECLS
