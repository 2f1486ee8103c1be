/* il-comparison-chart.h — runs compared: median makespan bars with min–max
 * whiskers, speedup labels, and the ideal for this machine's cores
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-chart.h"
#include "il-results.h"

G_BEGIN_DECLS

#define IL_TYPE_COMPARISON_CHART (il_comparison_chart_get_type ())
G_DECLARE_FINAL_TYPE (IlComparisonChart, il_comparison_chart, IL, COMPARISON_CHART, IlChart)

GtkWidget *il_comparison_chart_new (void);
/* Copies what it draws. Both nullable; recorded runs are matched to the
 * user's by label. */
void  il_comparison_chart_set_results (IlComparisonChart *self,
                                       const IlResults   *mine,
                                       const IlResults   *recorded);
guint il_comparison_chart_get_n_rows (IlComparisonChart *self);

/* "Ryzen 7 5800X, 8 cores" (or "this machine, 8 cores" when unknown). */
char *il_chart_describe_machine (const IlMachine *machine,
                                 const char      *fallback);

G_END_DECLS
