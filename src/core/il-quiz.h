/* il-quiz.h — what answers an experiment's quiz
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-results.h"

G_BEGIN_DECLS

/* The figures of @results that answer a quiz, one "• " line per run: its
 * median makespan and speedup; for counter blocks, the updates lost (and
 * the lock wait), and under processes what each worker counted; then, when
 * there are several runs, whether their result checksums agree. The same
 * text for the reader's own runs and for an author's recorded results, so
 * that the two compare line by line. */
char *il_quiz_figures (const IlResults *results);

G_END_DECLS
