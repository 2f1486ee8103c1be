/* il-calibration.h — this machine's speed per CPU kernel, for the editor's estimates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* ms per unit of each IlKernel (il_kernel_calibrate()), measured once per
 * process; NULL until the measurement is done. */
const double *il_calibration_get (void);

/* Starts the measurement in a thread if it has not started; @ready runs on
 * the main thread with @receiver once the figures are there, unless
 * @receiver is gone by then. Does nothing more when they are there already. */
void il_calibration_ensure (GObject *receiver,
                            void (*ready) (GObject *receiver));

G_END_DECLS
