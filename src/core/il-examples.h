/* il-examples.h — the built-in example experiments (compiled into the core)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-experiment.h"

G_BEGIN_DECLS

typedef struct
{
  char *name;    /* "cpu-bound": run as example:cpu-bound */
  char *title;   /* the experiment's name */
  char *summary; /* the first sentence of its description */
} IlExampleInfo;

void il_example_info_free (IlExampleInfo *info);

/* The built-in examples, in course order. GPtrArray of IlExampleInfo*. */
GPtrArray *il_examples_list (void);

/* The default example (run by build-aux/run without a display). */
#define IL_DEFAULT_EXAMPLE "cpu-bound"

IlExperiment *il_example_load (const char *name,
                               GError    **error);

/* The example's JSON text, as shipped. */
GBytes *il_example_get_bytes (const char *name,
                              GError    **error);

/* Loads FILE, or example:NAME. */
IlExperiment *il_experiment_load_path_or_example (const char *path,
                                                  GError    **error);

G_END_DECLS
