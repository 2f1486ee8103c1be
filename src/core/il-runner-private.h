/* il-runner-private.h — the runner's state, shared by its files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-runner.c expands the runs and runs them; il-runner-check.c decides,
 * before anything runs, whether this machine can run them at all.
 */
#pragma once

#include "il-io.h"
#include "il-mpi.h"
#include "il-runner.h"

G_BEGIN_DECLS

typedef struct
{
  guint config_index;
  guint workers;
  char *label;
} ExpandedRun;

struct _IlRunner
{
  GObject parent_instance;

  IlExperiment       *experiment;
  GArray             *only_runs; /* guint */
  guint               repetitions;
  gboolean            allow_network;
  IlMpiHosts          mpi_hosts;
  IlEventQueue       *events;
  GArray             *runs; /* ExpandedRun */
  guint64             tasks_per_rep;
  IlIoEnv            *io;           /* during il_runner_run only */
  char               *server_url;   /* nullable: the caller's server */
  char               *scratch_base; /* nullable: the default folder */
  IlRunOutputs        outputs;
  IlRunnerPartialFunc on_partial;
  gpointer            partial_data;
};

/* The repetitions each run gets: the caller's override, or the file's. */
guint il_runner_count_repetitions (IlRunner *self);

G_END_DECLS
