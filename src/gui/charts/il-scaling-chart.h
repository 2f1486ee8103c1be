/* il-scaling-chart.h — speedup against workers for sweeps, with the ideal
 * line and a fitted Amdahl curve (serial fraction shown)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-chart.h"
#include "il-results.h"

G_BEGIN_DECLS

#define IL_TYPE_SCALING_CHART (il_scaling_chart_get_type ())
G_DECLARE_FINAL_TYPE (IlScalingChart, il_scaling_chart, IL, SCALING_CHART, IlChart)

GtkWidget *il_scaling_chart_new (void);
/* A sweep: several runs with the same executor, GIL, spawn and slicing and
 * different worker counts. Both nullable. @cpu_affinity (nullable) is the
 * experiment's: the ideal is drawn for the cores the runs may use. */
void il_scaling_chart_set_results (IlScalingChart  *self,
                                   const IlResults *mine,
                                   const IlResults *recorded,
                                   const GArray    *cpu_affinity);
/* Why there is no ideal line (NULL: there is one). */
const char *il_scaling_chart_get_ideal_note (IlScalingChart *self);
/* The fitted curve's value at @n workers for series @i (NAN: no fit). */
double il_scaling_chart_get_fit (IlScalingChart *self,
                                 guint           i,
                                 double          n);
guint  il_scaling_chart_get_n_series (IlScalingChart *self);
/* The fitted serial fraction of series @i (NAN: no fit). */
double il_scaling_chart_get_serial_fraction (IlScalingChart *self,
                                             guint           i);

G_END_DECLS
