/* test-cli-common.h — helpers of the CLI tests (test-cli.c: commands,
 * validation, runs; test-cli-output.c: output paths)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What one interleave-cli invocation did: its exit status and output. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

void cli_result_clear (CliResult *r);

/* The interleave-cli under test ($IL_CLI): the test fails without it. */
const char *cli_path (void);

/* Runs interleave-cli with the arguments up to NULL (@first may be NULL:
 * no arguments) and waits for it; the test fails if it cannot start or
 * does not exit normally. */
void run_cli (CliResult  *r,
              const char *first,
              ...);

/* Writes @contents to @name in a new temporary folder; returns the path. */
char *write_temp (const char *name,
                  const char *contents);

/* A valid experiment: one task group, two sequential runs, 2 repetitions. */
extern const char small_experiment[];

G_END_DECLS
