/* il-quiz-card.h — the quiz's answer on the Results page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

#define IL_TYPE_QUIZ_CARD (il_quiz_card_get_type ())
G_DECLARE_FINAL_TYPE (IlQuizCard, il_quiz_card, IL, QUIZ_CARD, GtkBox)

GtkWidget *il_quiz_card_new (void);
/* Shows @quiz's question, whether @pick (a choice index, -1: skipped) was
 * the answer, the explanation, and the figures that answer it: those
 * @results measured here and those the author @recorded (either may be
 * NULL, not both). */
void il_quiz_card_set_answer (IlQuizCard      *self,
                              const IlQuiz    *quiz,
                              int              pick,
                              const IlResults *results,
                              const IlResults *recorded);

G_END_DECLS
