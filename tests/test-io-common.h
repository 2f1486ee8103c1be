/* test-io-common.h — helpers of the I/O tests (test-io.c: server and http,
 * test-io-files.c: file blocks, test-io-consent.c: consent and the CLI)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "il-experiment.h"
#include "il-io.h"
#include "il-results.h"
#include "il-test-utils.h"

void assert_all_succeeded (const IlRepetition *rep,
                           guint               n_tasks);

/* The cache folder's interleave/ holds no run-* folder: every scratch
 * folder went away with its run. */
void assert_no_scratch_left (void);

/* Runs @block through il_io_run_block_async on a new GMainContext until it
 * is done; @state (nullable) receives its async state split. */
gboolean run_async (IlIoEnv       *env,
                    const IlBlock *block,
                    guint          flat,
                    char         **error,
                    IlStateTimes  *state);
