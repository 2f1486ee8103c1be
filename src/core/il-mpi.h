/* il-mpi.h — what front ends need to know about the mpi executor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the ranks run is this machine's configuration, never the
 * experiment file's: a host list ("a:2,b:2", host and slots) or an Open MPI
 * hostfile, given on the command line or in Preferences. Without either,
 * every rank runs on this machine.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the ranks run; both NULL: this machine alone. */
typedef struct
{
  char *hosts;    /* "a:2,b:2" */
  char *hostfile; /* an Open MPI hostfile */
} IlMpiHosts;

/* TRUE when mpi runs can run here: Open MPI's mpirun (IL_MPIRUN, or
 * `mpirun` in PATH) and interleave-mpi-worker are found. Otherwise FALSE
 * with a message (IL_ERROR_UNSUPPORTED) that says what is missing. */
gboolean il_mpi_available (GError **error);

/* Checks a host list: comma-separated `host` or `host:slots` (slots
 * 1–256), host names of letters, digits, '.', '-' and '_'. FALSE with a
 * message naming the entry (IL_ERROR_INVALID). */
gboolean il_mpi_check_hosts (const char *hosts,
                             GError    **error);

/* Checks both settings: the list's syntax, and that the hostfile is a
 * readable file. */
gboolean il_mpi_check_placement (const IlMpiHosts *placement,
                                 GError          **error);

G_END_DECLS
