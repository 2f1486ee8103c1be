/* il-error.h — the core's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IL_ERROR (il_error_quark ())

/**
 * IlError:
 * @IL_ERROR_PARSE: the file is not well-formed JSON
 * @IL_ERROR_INVALID: the document is JSON but breaks the format (wrong type,
 *   out of range, unknown field, …: docs/experiment-format.md)
 * @IL_ERROR_UNSUPPORTED: valid, but this build cannot run it yet
 * @IL_ERROR_TASK_FAILED: a task failed while running
 * @IL_ERROR_CONSENT: the experiment would contact the network and the user
 *   did not allow it
 * @IL_ERROR_WORKER: a worker process misbehaved
 * @IL_ERROR_SYSTEM: the operating system refused something (affinity, /proc)
 */
typedef enum
{
  IL_ERROR_PARSE,
  IL_ERROR_INVALID,
  IL_ERROR_UNSUPPORTED,
  IL_ERROR_TASK_FAILED,
  IL_ERROR_CONSENT,
  IL_ERROR_WORKER,
  IL_ERROR_SYSTEM,
} IlError;

GQuark il_error_quark (void);

G_END_DECLS
