/* il-error.c — the core's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "il-error.h"

/* The first argument becomes the domain's string: clang-format 14 would space
 * the hyphens out (WhitespaceSensitiveMacros does not reach a top-level macro
 * call), so it must not touch this line. */
/* clang-format off */
G_DEFINE_QUARK (il-error-quark, il_error)
/* clang-format on */
