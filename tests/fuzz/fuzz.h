/* fuzz.h — what every fuzz target and the replay driver share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each fuzz-NAME.c defines LLVMFuzzerTestOneInput(): libFuzzer calls it
 * with generated inputs (build-aux/fuzz), and fuzz-replay.c calls it with
 * every file of the corpus and of the regressions in the normal test suite.
 * A target aborts (g_error, g_assert) when an input breaks a promise, and
 * returns 0 otherwise.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Aborts unless @message is valid UTF-8 and at most @max bytes long. */
void il_fuzz_check_message (const char *message,
                            gsize       max);

/* Aborts unless @message starts with "@name:LINE:COLUMN: ". */
void il_fuzz_check_position (const char *message,
                             const char *name);
