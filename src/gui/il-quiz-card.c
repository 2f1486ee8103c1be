/* il-quiz-card.c — the quiz's answer on the Results page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window asks the question before the first run (il-window-run.c); once
 * a run measured the answer, this card says whether the pick was right and
 * shows the figures that decide it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-format.h"
#include "il-quiz-card.h"

struct _IlQuizCard
{
  GtkBox parent_instance;

  /* template children */
  GtkLabel *heading;
  GtkLabel *question;
  GtkLabel *verdict;
  GtkLabel *explanation;
  GtkLabel *figures;
};

G_DEFINE_FINAL_TYPE (IlQuizCard, il_quiz_card, GTK_TYPE_BOX)

/* The measured figures that answer the quiz: each run's median makespan
 * and, when there is a sequential baseline, its speedup; then the lost
 * updates and context switches, which answer the lessons on shared state
 * and on the cost of a switch. */
static char *
quiz_figures_text (const IlResults *results)
{
  GString *s = g_string_new (_("Measured here:"));

  for (guint i = 0; results->runs != NULL && i < results->runs->len; i++)
    {
      const IlRunResult *run = g_ptr_array_index (results->runs, i);
      const char        *label = run->label ? run->label : _("run");

      g_string_append_printf (s, "\n• %s: %.1f ms", label, run->summary.makespan_ms.median);
      if (!isnan (run->summary.speedup))
        g_string_append_printf (s, _(", speedup %.2f×"), run->summary.speedup);
    }
  il_results_append_notes (s, results, FALSE);
  return g_string_free (s, FALSE);
}

static void
il_quiz_card_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), IL_TYPE_QUIZ_CARD);

  G_OBJECT_CLASS (il_quiz_card_parent_class)->dispose (object);
}

static void
il_quiz_card_class_init (IlQuizCardClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_quiz_card_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/interleave/Interleave/il-quiz-card.ui");
  gtk_widget_class_bind_template_child (widget_class, IlQuizCard, heading);
  gtk_widget_class_bind_template_child (widget_class, IlQuizCard, question);
  gtk_widget_class_bind_template_child (widget_class, IlQuizCard, verdict);
  gtk_widget_class_bind_template_child (widget_class, IlQuizCard, explanation);
  gtk_widget_class_bind_template_child (widget_class, IlQuizCard, figures);
}

static void
il_quiz_card_init (IlQuizCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
il_quiz_card_new (void)
{
  return g_object_new (IL_TYPE_QUIZ_CARD, NULL);
}

void
il_quiz_card_set_answer (IlQuizCard      *self,
                         const IlQuiz    *quiz,
                         int              pick,
                         const IlResults *results)
{
  guint            n_choices;
  g_autofree char *verdict = NULL;
  g_autofree char *figures = NULL;
  GtkWidget       *verdict_widget;

  g_return_if_fail (IL_IS_QUIZ_CARD (self));
  g_return_if_fail (quiz != NULL && quiz->choices != NULL);
  g_return_if_fail (results != NULL);

  verdict_widget = GTK_WIDGET (self->verdict);
  n_choices = g_strv_length (quiz->choices);
  gtk_widget_remove_css_class (verdict_widget, "success");
  gtk_widget_remove_css_class (verdict_widget, "error");
  if (quiz->answer >= n_choices)
    verdict = g_strdup ("");
  else if (pick < 0 || (guint) pick >= n_choices)
    verdict = g_strdup_printf (_("You skipped the question. The answer: %s"),
                                  quiz->choices[quiz->answer]);
  else if ((guint) pick == quiz->answer)
    {
      verdict = g_strdup_printf (_("✓ Right: you picked “%s”."), quiz->choices[quiz->answer]);
      gtk_widget_add_css_class (verdict_widget, "success");
    }
  else
    {
      verdict = g_strdup_printf (_("✗ Not quite: you picked “%s”; the answer is “%s”."),
                                    quiz->choices[pick], quiz->choices[quiz->answer]);
      gtk_widget_add_css_class (verdict_widget, "error");
    }

  gtk_label_set_label (self->heading, _("Quiz: what the measurement says"));
  gtk_label_set_label (self->question, quiz->question ? quiz->question : "");
  gtk_label_set_label (self->verdict, verdict);
  gtk_label_set_label (self->explanation, quiz->explanation ? quiz->explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->explanation),
                          quiz->explanation != NULL && quiz->explanation[0] != '\0');
  figures = quiz_figures_text (results);
  gtk_label_set_label (self->figures, figures);
}
