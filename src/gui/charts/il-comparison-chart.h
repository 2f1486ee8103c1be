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
 * user's by label. @cpu_affinity (nullable) is the experiment's: the ideal
 * line is drawn for the cores the runs may use (il-ideal.h). */
void  il_comparison_chart_set_results (IlComparisonChart *self,
                                       const IlResults   *mine,
                                       const IlResults   *recorded,
                                       const GArray      *cpu_affinity);
guint il_comparison_chart_get_n_rows (IlComparisonChart *self);
/* The ideal makespan drawn (NAN: none), and why there is none (NULL when
 * there is one). */
double      il_comparison_chart_get_ideal_ms (IlComparisonChart *self);
const char *il_comparison_chart_get_ideal_note (IlComparisonChart *self);

/* "Ryzen 7 5800X, 8 cores" (or "this machine, 8 cores" when unknown). */
char *il_chart_describe_machine (const IlMachine *machine,
                                 const char      *fallback);

G_END_DECLS
