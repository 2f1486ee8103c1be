/* il-runner-check.c — what must hold before a run starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything that would otherwise fail half-way through a run is refused
 * here, with the reason, before the first task: a run the build cannot do,
 * network use without consent, files and scratch space, CPU affinity this
 * machine cannot give, and a run whose records would not fit in memory.
 */
#include "config.h"

#include <sched.h>

#include <glib/gi18n.h>

#include "il-cpython.h"
#include "il-machine.h"
#include "il-network.h"
#include "il-run-private.h"
#include "il-runner-private.h"

gboolean
il_runner_check (IlRunner *self,
                 GError  **error)
{
  const IlExperiment *exp;
  cpu_set_t           allowed;

  g_return_val_if_fail (IL_IS_RUNNER (self), FALSE);

  exp = self->experiment;
  if (!il_experiment_validate (exp, error))
    return FALSE;

  if (self->only_runs != NULL)
    {
      for (guint i = 0; i < self->only_runs->len; i++)
        {
          guint idx = g_array_index (self->only_runs, guint, i);

          if (idx >= exp->runs->len)
            {
              g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                           ngettext ("There is no run %u: the experiment has %u run (0)",
                                     "There is no run %u: the experiment has %u runs (0–%u)",
                                     exp->runs->len),
                           idx, exp->runs->len, exp->runs->len - 1);
              return FALSE;
            }
        }
    }

  if (self->runs->len == 0)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("No run is enabled: enable at least one run configuration"));
      return FALSE;
    }

  for (guint i = 0; i < self->runs->len; i++)
    {
      const ExpandedRun *run = &g_array_index (self->runs, ExpandedRun, i);
      const IlRunConfig *config = g_ptr_array_index (exp->runs, run->config_index);

      if (il_executor_for_run (config) == NULL)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED,
                       _("runs[%u]: the %s executor is not available in this build of Interleave"),
                          run->config_index, il_executor_to_string (config->executor));
          return FALSE;
        }
      if (config->executor == IL_EXECUTOR_MPI)
        {
          g_autoptr(GError) mpi_error = NULL;

          if (!il_mpi_available (&mpi_error) ||
              !il_mpi_check_placement (&self->mpi_hosts, &mpi_error))
            {
              g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED, "runs[%u]: %s",
                           run->config_index, mpi_error->message);
              return FALSE;
            }
        }
      if (config->engine == IL_ENGINE_CPYTHON)
        {
          g_autoptr(GError) python_error = NULL;

          if (!il_cpython_available (NULL, &python_error))
            {
              g_set_error (error, IL_ERROR, IL_ERROR_UNSUPPORTED, "runs[%u]: %s",
                           run->config_index, python_error->message);
              return FALSE;
            }
        }
    }

  /* Every explicit url needs consent, whatever the front end asked. */
  if (!il_experiment_check_network_consent (exp, self->allow_network, error))
    return FALSE;

  if (!il_io_check_experiment (exp, error))
    return FALSE;

  /* Each run in turn: the scratch holds what its tasks in flight wrote. */
  {
    guint in_flight = 1;

    for (guint i = 0; i < self->runs->len; i++)
      {
        const ExpandedRun *run = &g_array_index (self->runs, ExpandedRun, i);
        const IlRunConfig *config = g_ptr_array_index (exp->runs, run->config_index);

        in_flight = MAX (in_flight, config->executor == IL_EXECUTOR_ASYNC ? G_MAXUINT : run->workers);
      }
    if (!il_io_check_scratch_space (exp, in_flight, self->scratch_base, error))
      return FALSE;
  }

  if (exp->settings.cpu_affinity != NULL && exp->settings.cpu_affinity->len > 0)
    {
      CPU_ZERO (&allowed);
      if (sched_getaffinity (0, sizeof allowed, &allowed) != 0)
        CPU_ZERO (&allowed);
      for (guint i = 0; i < exp->settings.cpu_affinity->len; i++)
        {
          guint core = g_array_index (exp->settings.cpu_affinity, guint, i);

          if (core >= CPU_SETSIZE || !CPU_ISSET (core, &allowed))
            {
              g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                           _("settings.cpu_affinity: core %u is not available on this machine "
                             "(usable cores: %u, numbered from 0)"),
                              core, il_machine_count_cores ());
              return FALSE;
            }
        }
    }

  /* Last: what this machine cannot hold aborts half-way otherwise. */
  {
    IlRunCost cost;

    guint process_workers = 0;

    for (guint i = 0; i < self->runs->len; i++)
      {
        const ExpandedRun *run = &g_array_index (self->runs, ExpandedRun, i);
        const IlRunConfig *config = g_ptr_array_index (exp->runs, run->config_index);

        if (config->executor == IL_EXECUTOR_PROCESSES)
          process_workers = MAX (process_workers, run->workers);
      }
    il_run_cost_estimate (exp, self->runs->len, il_runner_count_repetitions (self), process_workers,
                          self->outputs, &cost);
    if (!il_run_cost_check (&cost, error))
      return FALSE;
  }

  return TRUE;
}
