/* il-gil-validation.h — the workloads that hold the simulated GIL to
 * CPython's, shared by tests/test-gil-validation.c and
 * bench/bench-gil-validation.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-results.h"

G_BEGIN_DECLS

/* The stated bounds on simulated ÷ CPython, for the makespan and for each
 * task group's mean latency. */
#define IL_GIL_VALIDATION_LOW  0.67
#define IL_GIL_VALIDATION_HIGH 1.5

typedef struct
{
  char  *workload;
  char  *figure; /* "makespan", "io latency (mean)", ... */
  double simulated_ms;
  double cpython_ms;
} IlGilFigure;

/* CPU-only at 1, 2 and 4 threads and switch intervals of 1, 5 and 20 ms;
 * I/O-only threads; CPU-bound and I/O-bound threads together; many short
 * tasks. */
guint       il_gil_validation_n_workloads (void);
const char *il_gil_validation_name (guint workload);

/* Debian's interpreter is the reference, not whatever python3 comes first
 * on PATH: sets INTERLEAVE_PYTHON to /usr/bin/python3 unless it is set. */
void il_gil_validation_prefer_system_python (void);

/* Runs @workload in one experiment, on native threads with the simulated
 * GIL (run 0) and on CPython threads (run 1), each @repetitions times after
 * a warm-up. The checksums must agree (else an error). */
IlResults *il_gil_validation_run (guint    workload,
                                  guint    repetitions,
                                  GError **error);

/* Appends @workload's figures in @results to @figures (IlGilFigure, with
 * il_gil_figure_clear as clear function: see il_gil_figures_new). */
GArray  *il_gil_figures_new (void);
void     il_gil_validation_figures (guint            workload,
                                    const IlResults *results,
                                    GArray          *figures);
double   il_gil_figure_ratio (const IlGilFigure *figure);
gboolean il_gil_figure_ok (const IlGilFigure *figure);
/* "| workload | figure | simulated | CPython | ratio |" (a Markdown row). */
char *il_gil_figure_row (const IlGilFigure *figure);

G_END_DECLS
