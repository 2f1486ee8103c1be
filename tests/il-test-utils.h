/* il-test-utils.h — helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loading an experiment from a string, running it, reaching a run's first
 * repetition, letting the main context settle: every test needs these, and
 * copies drift. GUI tests also share one start-up, il_test_init_gtk(),
 * which makes every one of their cases skip cleanly without a display.
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"
#include "il-runner.h"

G_BEGIN_DECLS

/* AddressSanitizer reserves terabytes of address space and keeps freed
 * memory in quarantine: address-space limits and peak RSS measure it, not
 * the code, so tests of those skip under it. */
#if defined(__SANITIZE_ADDRESS__)
#  define IL_TEST_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define IL_TEST_ASAN 1
#  endif
#endif
#ifndef IL_TEST_ASAN
#  define IL_TEST_ASAN 0
#endif

/* TRUE where the cpython engine can run (the interpreter's version goes to
 * the test's messages); FALSE, and the test skipped saying why, where not. */
gboolean il_test_need_cpython (void);

/* Parses @json (named "test.interleave" in messages); the test fails if it
 * is not a valid experiment. */
IlExperiment *il_test_load (const char *json);
IlExperiment *il_test_loadf (const char *format,
                             ...) G_GNUC_PRINTF (1, 2);

/* Runs every run of @experiment; the test fails if the run cannot start.
 * @events and @cancellable may be NULL. */
IlResults *il_test_run (IlExperiment *experiment,
                        IlEventQueue *events,
                        GCancellable *cancellable);

/* Like il_test_run(), with @options (their events, network consent, ...). */
IlResults *il_test_run_options (IlExperiment       *experiment,
                                const IlRunOptions *options,
                                GCancellable       *cancellable);

/* Runs @experiment with network consent (the tests' explicit urls are their
 * own loopback servers). NULL, and the test skipped, when this build cannot
 * run @experiment's executor. */
IlResults *il_test_run_or_skip (IlExperiment *experiment);

/* Run @run of @results, and its first repetition: the test fails if there
 * is no such run or it has no repetition. */
IlRunResult  *il_test_run_at (const IlResults *results,
                              guint            run);
IlRepetition *il_test_first_rep (const IlResults *results,
                                 guint            run);

/* Dispatches what is pending on the default main context, without waiting. */
void il_test_drain (void);

/* Wall-clock measurements are taken again after a miss: once in any case
 * (IL_TEST_ATTEMPTS), and up to IL_TEST_ATTEMPTS_BUSY times while the
 * kernel's accounting shows other processes took the cores. */
#define IL_TEST_ATTEMPTS      2
#define IL_TEST_ATTEMPTS_BUSY 4

/* The share of the tasks' on-CPU-or-waiting-for-it time spent waiting for
 * a CPU: near 0 when the cores were ours. */
double il_test_ready_share (const IlRepetition *rep);

/* Whether to measure again after miss number @attempt (0-based), given
 * il_test_ready_share() of that measurement. */
gboolean il_test_measure_again (guint  attempt,
                                double busy_share);

/* The child processes of @pid (any of its threads), from /proc. */
GArray *il_test_list_children (pid_t pid);

/* In a test subprocess: lets this process create only @more threads from
 * now on, for real (RLIMIT_NPROC counts a user's threads). Root ignores
 * the limit, so root first becomes a user id nobody else runs as. FALSE
 * (and the test skipped) where that cannot be done. Under LeakSanitizer
 * the leak check at exit is turned off for this process: it needs a
 * thread of its own, which the limit refuses. */
gboolean il_test_limit_threads (guint more);

#ifdef IL_TEST_GTK
/* For GUI tests, instead of g_test_init(): initializes the test framework,
 * GTK and libadwaita. Without a display (or when GTK cannot open it), every
 * test case the program registers is reported skipped — whatever registers
 * it — and no GTK call is ever made. With a display, the app's stylesheets
 * (the palette among them) are loaded as IlApplication loads them, dark and
 * high-contrast variants included. Returns whether there is a display. */
gboolean il_test_init_gtk (int    *argc,
                           char ***argv);
#endif

G_END_DECLS
