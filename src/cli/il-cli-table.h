/* il-cli-table.h — the run summary as a terminal table and as Markdown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

char *il_cli_format_table (const IlResults    *results,
                           const IlExperiment *experiment);
char *il_cli_format_markdown (const IlResults    *results,
                              const IlExperiment *experiment);

G_END_DECLS
