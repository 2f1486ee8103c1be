/* il-stats.c — descriptive statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "il-stats.h"

static int
il_stats_compare_double (gconstpointer a,
                         gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The caller's array is not ours to reorder: sort a copy. */
static double *
il_stats_sorted_copy (const double *values,
                      gsize         n)
{
  double *sorted = g_memdup2 (values, n * sizeof (double));

  qsort (sorted, n, sizeof (double), il_stats_compare_double);
  return sorted;
}

static double
il_stats_percentile_sorted (const double *sorted,
                            gsize         n,
                            double        p)
{
  double h;
  gsize  lo;

  if (n == 0 || isnan (p))
    return NAN;

  p = CLAMP (p, 0.0, 100.0);

  /* h = (n − 1) p, interpolate between the ranks around it. */
  h = (double) (n - 1) * p / 100.0;
  lo = (gsize) floor (h);
  if (lo + 1 >= n)
    return sorted[n - 1];

  return sorted[lo] + (h - (double) lo) * (sorted[lo + 1] - sorted[lo]);
}

double
il_stats_percentile (const double *values,
                     gsize         n,
                     double        p)
{
  g_autofree double *sorted = NULL;

  if (n == 0)
    return NAN;

  g_return_val_if_fail (values != NULL, NAN);

  sorted = il_stats_sorted_copy (values, n);
  return il_stats_percentile_sorted (sorted, n, p);
}

double
il_stats_median (const double *values,
                 gsize         n)
{
  return il_stats_percentile (values, n, 50.0);
}

void
il_stats_compute (const double *values,
                  gsize         n,
                  IlStats      *out)
{
  g_autofree double *sorted = NULL;
  double             sum = 0.0;
  double             mean;
  double             ss = 0.0;

  g_return_if_fail (out != NULL);

  if (n == 0)
    {
      out->median = out->min = out->max = out->mean = out->stddev = NAN;
      return;
    }

  g_return_if_fail (values != NULL);

  sorted = il_stats_sorted_copy (values, n);

  for (gsize i = 0; i < n; i++)
    sum += sorted[i];
  mean = sum / (double) n;

  /* Two passes: the textbook one-pass formula loses precision when the
   * spread is small next to the mean, which is exactly our case. */
  for (gsize i = 0; i < n; i++)
    ss += (sorted[i] - mean) * (sorted[i] - mean);

  out->median = il_stats_percentile_sorted (sorted, n, 50.0);
  out->min = sorted[0];
  out->max = sorted[n - 1];
  out->mean = mean;
  out->stddev = n > 1 ? sqrt (ss / (double) (n - 1)) : 0.0;
}

double
il_stats_cv (const IlStats *stats)
{
  g_return_val_if_fail (stats != NULL, NAN);

  if (isnan (stats->mean) || isnan (stats->stddev) || stats->mean == 0.0)
    return NAN;

  return stats->stddev / fabs (stats->mean);
}
