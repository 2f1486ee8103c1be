/* il-runner.h — runs an experiment: every configuration, every repetition
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "il-cost.h"
#include "il-events.h"
#include "il-experiment.h"
#include "il-mpi.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Called in the runner's thread after each counted repetition but the
 * last, with the results so far (summarized as the final ones would be):
 * borrowed, valid during the call only. The CLI writes them to its --json
 * file, so that a crash or a kill loses only the repetition in flight. */
typedef void (*IlRunnerPartialFunc) (const IlResults *partial,
                                     gpointer         user_data);

typedef struct
{
  /* Indices into experiment->runs to run (a sweep is one entry); NULL or
   * empty: every enabled run. */
  GArray *only_runs;
  /* 0: settings.repetitions. */
  guint repetitions;
  /* http blocks with a url (loopback included) run only with this:
   * il_experiment_check_network_consent. */
  gboolean allow_network;
  /* Nullable: receives the live event stream. */
  IlEventQueue *events;
  /* Nullable: the URL of an embedded latency server the caller keeps
   * running (il_server_new); otherwise the runner starts one per run. */
  const char *server_url;
  /* Nullable: the folder in which file blocks get their private run folder
   * (the GUI's Preferences); NULL: $XDG_CACHE_HOME/interleave. */
  const char *scratch_base;
  /* What the caller will build from the results in memory (CLI --json,
   * --trace): counted in the memory estimate il_runner_check() refuses. */
  IlRunOutputs outputs;
  /* Where mpi runs' ranks run (host list or hostfile); NULL: this machine. */
  const IlMpiHosts *mpi_hosts;
  /* Nullable: results so far, after each repetition (IlRunnerPartialFunc). */
  IlRunnerPartialFunc on_partial;
  gpointer            partial_data;
} IlRunOptions;

#define IL_TYPE_RUNNER (il_runner_get_type ())
G_DECLARE_FINAL_TYPE (IlRunner, il_runner, IL, RUNNER, GObject)

/* Works on a private copy of @experiment. */
IlRunner *il_runner_new (const IlExperiment *experiment,
                         const IlRunOptions *options);

/* Everything that can be refused before anything runs: unknown runs,
 * executors this build cannot run, network consent, invalid CPU affinity.
 * il_runner_run calls it too. */
gboolean il_runner_check (IlRunner *self,
                          GError  **error);

/* Runs in the calling thread (executors use threads of their own). Returns
 * results, partial when cancelled (results->cancelled), or NULL with @error
 * when the run could not start. Task failures are results, not errors. */
IlResults *il_runner_run (IlRunner     *self,
                          GCancellable *cancellable,
                          GError      **error);

void       il_runner_run_async (IlRunner           *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
IlResults *il_runner_run_finish (IlRunner     *self,
                                 GAsyncResult *result,
                                 GError      **error);

/* The runner's private copy of the experiment (what is being run). */
const IlExperiment *il_runner_get_experiment (IlRunner *self);

/* The expanded runs (sweeps become one run per worker count), in order. */
guint il_runner_get_n_runs (IlRunner *self);
/* The configuration (an entry of the experiment's runs) expanded run @run
 * comes from, and its worker count. */
const IlRunConfig *il_runner_get_run_config (IlRunner *self,
                                             guint     run);
guint              il_runner_get_run_workers (IlRunner *self,
                                              guint     run);
const char        *il_runner_get_run_label (IlRunner *self,
                                            guint     run);
/* Tasks per repetition, and tasks in the whole experiment (warm-ups and
 * every repetition included): for progress. */
guint64 il_runner_get_tasks_per_repetition (IlRunner *self);
guint64 il_runner_get_total_tasks (IlRunner *self);

G_END_DECLS
