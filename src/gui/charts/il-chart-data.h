/* il-chart-data.h — compact arrays the charts draw from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The live model appends to these once per frame; the results view builds
 * them from IlResults task records. Plain arrays of small structs, so that
 * drawing 10,000 tasks allocates nothing and memory stays bounded (caps).
 * Reference counted: a chart and the model share one instance.
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"

#include "il-completion-data.h"
#include "il-lag-data.h"
#include "il-load-data.h"
#include "il-timeline-data.h"

G_BEGIN_DECLS

/* Caps that keep memory bounded whatever the run's size. */
/* The format's limit: a 1,000,000-task results file is shown whole (the
 * timeline draws what is visible, aggregated per pixel: il-timeline-bars.c). */
#define IL_CHART_MAX_TASKS     1000000
#define IL_CHART_MAX_BLOCKS    2000000
#define IL_CHART_MAX_SPANS     200000
#define IL_CHART_LOAD_CAPACITY 6000 /* samples per core: 5 min at 20 Hz */
#define IL_CHART_MAX_CORES     256

G_END_DECLS
