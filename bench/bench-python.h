/* bench-python.h — Python's own primitives beside a dispatch benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs bench/python-peers.py (MODE TASKS WORKERS ROUNDS [EXTRA]) with
 * $INTERLEAVE_PYTHON or python3 and returns the JSON object it prints, or
 * "null" without a usable python3 (the peers are a comparison, not the
 * benchmark: their absence is said, never fatal).
 */
#pragma once

#include <glib.h>

static inline char *
bench_python_peers (const char *mode,
                    guint       tasks,
                    guint       workers,
                    guint       rounds,
                    const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *python = g_strdup (g_getenv ("INTERLEAVE_PYTHON"));
  g_autofree char *script = g_build_filename (BENCH_SOURCE_DIR, "python-peers.py", NULL);
  g_autofree char *n = g_strdup_printf ("%u", tasks);
  g_autofree char *w = g_strdup_printf ("%u", workers);
  g_autofree char *r = g_strdup_printf ("%u", rounds);
  g_autofree char *out = NULL;
  const char      *argv[] = { NULL, "-I", script, mode, n, w, r, extra, NULL };
  int              status = 0;

  if (python == NULL)
    python = g_find_program_in_path ("python3");
  if (python == NULL)
    return g_strdup ("null");
  argv[0] = python;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("python peers (%s): %s\n", mode, error->message);
      return g_strdup ("null");
    }
  return g_strdup (g_strstrip (out));
}
