/* il-kernels-lib.c — the CPU kernels as a small shared library for the
 * cpython engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loaded by the engine's Python package (data/python/interleave_engine)
 * with ctypes.PyDLL, whose calls keep the interpreter's lock held, exactly
 * like a C extension that does not release it. The package calls one unit
 * at a time, so the interpreter's switch interval hands the lock over
 * between units as it does between bytecodes. The units and their seeds are
 * the native executors' (il-kernels.c), so checksums agree.
 */
#include "config.h"

#include <sched.h>

#include <gmodule.h>

#include "il-kernels.h"

/* Bumped whenever a signature below changes; the package checks it. */
#define IL_KERNELS_ABI 1

G_MODULE_EXPORT int     il_kernels_abi (void);
G_MODULE_EXPORT guint64 il_kernels_run (int     kernel,
                                        guint32 group,
                                        guint32 index,
                                        guint32 block,
                                        guint64 first_unit,
                                        guint64 n_units,
                                        guint64 acc);
G_MODULE_EXPORT int     il_kernels_getcpu (void);

int
il_kernels_abi (void)
{
  return IL_KERNELS_ABI;
}

/* Folds @n_units units of @kernel, starting at @first_unit of block @block
 * of task (@group, @index), into the task's running checksum @acc and
 * returns it. An unknown kernel leaves @acc unchanged. */
guint64
il_kernels_run (int     kernel,
                guint32 group,
                guint32 index,
                guint32 block,
                guint64 first_unit,
                guint64 n_units,
                guint64 acc)
{
  if (kernel < 0 || kernel >= IL_N_KERNELS)
    return acc;
  for (guint64 u = first_unit; u < first_unit + n_units; u++)
    acc = il_checksum_fold (acc, il_kernel_run_unit ((IlKernel) kernel,
                                                     il_kernel_seed (group, index, block, u)));
  return acc;
}

int
il_kernels_getcpu (void)
{
  return sched_getcpu ();
}
