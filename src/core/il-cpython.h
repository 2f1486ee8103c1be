/* il-cpython.h — the real CPython interpreter behind the cpython engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The interpreter the cpython engine runs: $INTERLEAVE_PYTHON when set,
 * else `python3` on PATH. Checks that it starts and has what the engine
 * needs (ctypes, threading, multiprocessing, asyncio; Python ≥ 3.8).
 * Returns FALSE with IL_ERROR_UNSUPPORTED and a message saying why it
 * cannot be used. @path and @version ("3.11.2") are nullable outs. The
 * answer is cached per interpreter path, so the GUI can ask freely. */
gboolean il_cpython_find (char   **path,
                          char   **version,
                          GError **error);

/* Whether cpython runs can run here: the interpreter (il_cpython_find)
 * and the engine's own files (its Python package and kernels library).
 * What the runner checks before anything runs, and what the GUI asks
 * before offering the engine. @version is a nullable out. */
gboolean il_cpython_available (char   **version,
                               GError **error);

G_END_DECLS
