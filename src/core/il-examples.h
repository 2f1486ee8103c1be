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

/* The course: every lesson's example name in order, NULL-terminated,
 * including lessons this build does not have yet. */
const char *const *il_examples_course (void);

/* The built-in examples' names, in course order (the lessons first, then
 * any example the course does not place, by name). */
GStrv il_examples_names (void);

/* The built-in examples, in course order. GPtrArray of IlExampleInfo*. */
GPtrArray *il_examples_list (void);

/* The lesson @experiment is: the name of the built-in example whose title
 * is @experiment's name (a lesson saved to a file and shared keeps its
 * name). NULL when it is none. */
char *il_examples_find_lesson (const IlExperiment *experiment);

/* The lesson after the example @name in course order; NULL after the last
 * one, or when @name is not a built-in example. */
IlExampleInfo *il_examples_next_lesson (const char *name);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlExampleInfo, il_example_info_free)

G_END_DECLS
