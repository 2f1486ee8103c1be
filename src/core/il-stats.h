/* il-stats.h — descriptive statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-results.h"

G_BEGIN_DECLS

/* Fills @out from @n values (unsorted; not modified). n == 0 gives NANs.
 * stddev is the sample standard deviation (n − 1), 0 for n == 1. */
void il_stats_compute (const double *values,
                       gsize         n,
                       IlStats      *out);

/* Percentile @p in [0, 100] by linear interpolation between closest ranks
 * (the "R-7" definition, as numpy's default). n == 0 gives NAN. */
double il_stats_percentile (const double *values,
                            gsize         n,
                            double        p);

double il_stats_median (const double *values,
                        gsize         n);

/* Coefficient of variation (stddev / mean), NAN when undefined. */
double il_stats_cv (const IlStats *stats);

G_END_DECLS
