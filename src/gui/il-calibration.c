/* il-calibration.c — this machine's speed per CPU kernel, for the editor's estimates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `interleave-cli calibrate` times one unit of each kernel; the editor needs
 * the same figures to say how long a cpu block takes here, and nothing
 * stores them. So the first editor measures them once, in a thread, with a
 * small budget (a fraction of a second of one core): rough, but a block's
 * estimate only needs to say "seconds" or "minutes".
 */
#include "config.h"

#include <string.h>

#include "il-calibration.h"
#include "il-experiment.h"
#include "il-kernels.h"

/* Per kernel: about 40 ms, so the whole measurement stays under 0.2 s. */
#define BUDGET_MS 40

typedef struct
{
  GWeakRef receiver;
  void (*ready) (GObject *receiver);
} Waiter;

static double     figures[IL_N_KERNELS];
static gboolean   measured;
static gboolean   started;
static GPtrArray *waiters; /* Waiter*, until measured */

static void
waiter_free (Waiter *waiter)
{
  g_weak_ref_clear (&waiter->receiver);
  g_free (waiter);
}

static void
calibrate_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  double *out = g_new0 (double, IL_N_KERNELS);

  for (guint k = 0; k < IL_N_KERNELS; k++)
    out[k] = il_kernel_calibrate ((IlKernel) k, BUDGET_MS);
  g_task_return_pointer (task, out, g_free);
}

static void
calibrate_done (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autofree double *out = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GPtrArray) ready = g_steal_pointer (&waiters);

  if (out == NULL)
    return;
  memcpy (figures, out, sizeof figures);
  measured = TRUE;
  for (guint i = 0; ready != NULL && i < ready->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (ready, i);
      g_autoptr(GObject) receiver = g_weak_ref_get (&waiter->receiver);

      if (receiver != NULL)
        waiter->ready (receiver);
    }
}

const double *
il_calibration_get (void)
{
  return measured ? figures : NULL;
}

void
il_calibration_ensure (GObject *receiver,
                       void (*ready) (GObject *receiver))
{
  Waiter *waiter;

  g_return_if_fail (G_IS_OBJECT (receiver));
  g_return_if_fail (ready != NULL);

  if (measured)
    return;
  if (waiters == NULL)
    waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  waiter = g_new0 (Waiter, 1);
  g_weak_ref_init (&waiter->receiver, receiver);
  waiter->ready = ready;
  g_ptr_array_add (waiters, waiter);

  if (!started)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, calibrate_done, NULL);

      started = TRUE;
      g_task_set_name (task, "il-calibration");
      g_task_run_in_thread (task, calibrate_thread);
    }
}
