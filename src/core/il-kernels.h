/* il-kernels.h — deterministic CPU kernels measured in units of work
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A unit is a fixed amount of work (never a duration) of about 1 ms on one
 * core of a current desktop CPU. Its work never changes within a format
 * version, so results stay comparable between machines and releases.
 */
#pragma once

#include <glib.h>

#include "il-experiment.h"

G_BEGIN_DECLS

/* Runs one unit of @kernel seeded by @seed; returns its checksum. Pure:
 * the same (kernel, seed) gives the same value on every machine, and it
 * uses no shared state (safe from any thread). */
guint64 il_kernel_run_unit (IlKernel kernel,
                            guint64  seed);

/* Seed of unit @unit of block @block of task (@group, @index). */
guint64 il_kernel_seed (guint   group,
                        guint   index,
                        guint   block,
                        guint64 unit);

/* Folds a unit checksum into a task's running checksum (order matters
 * within a task, as units run in order). */
guint64 il_checksum_fold (guint64 acc,
                          guint64 value);

/* Combines task checksums into the run's, independently of order
 * (commutative and associative). Start from 0. */
guint64 il_checksum_combine (guint64 acc,
                             guint64 task_checksum);

/* 16 lowercase hex digits. */
char *il_checksum_to_string (guint64 checksum);

/* Measures @kernel here: runs units for about @budget_ms and returns the
 * median ms per unit of several batches. */
double il_kernel_calibrate (IlKernel kernel,
                            guint    budget_ms);

G_END_DECLS
