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
 *
 * It also does the engine's recording, for the same reason: os.pread and
 * os.write release the GIL, and taking it back costs a thread up to a
 * switch interval when CPU-bound threads hold it. Real code does not read
 * its schedstat between two statements; the recording must not make it
 * wait for the lock where it would not.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <unistd.h>

#include <gmodule.h>

#include "il-kernels.h"
#include "il-schedstat.h"

/* Bumped whenever a signature below changes; the package checks it. */
#define IL_KERNELS_ABI 3

G_MODULE_EXPORT int     il_kernels_abi (void);
G_MODULE_EXPORT guint64 il_kernels_run (int     kernel,
                                        guint32 group,
                                        guint32 index,
                                        guint32 block,
                                        guint64 first_unit,
                                        guint64 n_units,
                                        guint64 acc);
G_MODULE_EXPORT int     il_kernels_getcpu (void);
G_MODULE_EXPORT int     il_kernels_thread_times (gint64 *cpu_ns,
                                                 gint64 *wait_ns);
G_MODULE_EXPORT gint64  il_kernels_write_all (int           fd,
                                              const guint8 *data,
                                              gint64        len);

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

/* The calling thread's CPU time and run-queue wait (il-schedstat.h);
 * returns whether the kernel offers the wait. */
int
il_kernels_thread_times (gint64 *cpu_ns,
                         gint64 *wait_ns)
{
  IlThreadTimes t;

  il_thread_times_read (&t);
  *cpu_ns = t.cpu_ns;
  *wait_ns = t.wait_ns;
  return t.valid ? 1 : 0;
}

/* Writes all of @data to @fd; returns @len, or -errno. */
gint64
il_kernels_write_all (int           fd,
                      const guint8 *data,
                      gint64        len)
{
  gint64 done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, data + done, (size_t) (len - done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      done += n;
    }
  return done;
}
