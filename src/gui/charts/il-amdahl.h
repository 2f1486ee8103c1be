/* il-amdahl.h — Amdahl's law: S(n) = 1 / (s + (1 − s) / n)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

double il_amdahl_speedup (double serial_fraction,
                          double n);
/* Least-squares fit of the serial fraction s ∈ [0, 1] to @count points
 * (@workers[i], @speedups[i]). Returns NAN with fewer than 2 usable points.
 * @rms_out (nullable) receives the root-mean-square residual. */
double il_amdahl_fit (const double *workers,
                      const double *speedups,
                      guint         count,
                      double       *rms_out);

G_END_DECLS
