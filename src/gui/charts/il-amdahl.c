/* il-amdahl.c — fitting Amdahl's law to measured speedups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One parameter, bounded to [0, 1]: a coarse scan finds the basin (the
 * error is not always convex in s once measurements are noisy, e.g.
 * superlinear points), then golden-section search refines it.
 */
#include "il-amdahl.h"

#include <math.h>

double
il_amdahl_speedup (double s,
                   double n)
{
  if (n <= 0)
    return NAN;
  return 1.0 / (s + (1.0 - s) / n);
}

static double
sse (const double *n,
     const double *S,
     guint         count,
     double        s)
{
  double sum = 0;

  for (guint i = 0; i < count; i++)
    {
      double d;

      if (!(n[i] > 0) || !isfinite (S[i]))
        continue;
      d = S[i] - il_amdahl_speedup (s, n[i]);
      sum += d * d;
    }
  return sum;
}

double
il_amdahl_fit (const double *workers,
               const double *speedups,
               guint         count,
               double       *rms_out)
{
  const double phi = (sqrt (5.0) - 1) / 2;
  double       best_s = 0, best = INFINITY, a, b, c, d, fc, fd;
  guint        usable = 0;

  for (guint i = 0; i < count; i++)
    if (workers[i] > 0 && isfinite (speedups[i]))
      usable++;
  if (usable < 2)
    {
      if (rms_out != NULL)
        *rms_out = NAN;
      return NAN;
    }

  for (guint k = 0; k <= 200; k++)
    {
      double s = k / 200.0;
      double e = sse (workers, speedups, count, s);

      if (e < best)
        {
          best = e;
          best_s = s;
        }
    }

  a = MAX (0, best_s - 1 / 200.0);
  b = MIN (1, best_s + 1 / 200.0);
  c = b - phi * (b - a);
  d = a + phi * (b - a);
  fc = sse (workers, speedups, count, c);
  fd = sse (workers, speedups, count, d);
  for (guint it = 0; it < 60; it++)
    {
      if (fc < fd)
        {
          b = d;
          d = c;
          fd = fc;
          c = b - phi * (b - a);
          fc = sse (workers, speedups, count, c);
        }
      else
        {
          a = c;
          c = d;
          fc = fd;
          d = a + phi * (b - a);
          fd = sse (workers, speedups, count, d);
        }
    }
  best_s = (a + b) / 2;
  if (rms_out != NULL)
    *rms_out = sqrt (sse (workers, speedups, count, best_s) / usable);
  return best_s;
}
