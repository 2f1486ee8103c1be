/* il-error.c — the core's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "il-error.h"

G_DEFINE_QUARK (il - error - quark, il_error)
