/* il-quiz-card.c — the quiz's answer on the Results page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window asks the question before the first run (il-window-run.c), or
 * as soon as a file that carries the author's recorded results opens. Once
 * a measurement answers it (a run here, or the author's), this card says
 * whether the pick was right and shows the figures that decide it, from
 * il_quiz_figures(): the card only lays them out.
 */
#include "config.h"

#include <glib/gi18n.h>
#include "il-format.h"
#include "il-quiz-card.h"
#include "il-quiz.h"

struct _IlQuizCard
{
  GtkBox parent_instance;

  /* template children */
  GtkLabel *heading;
  GtkLabel *question;
  GtkLabel *verdict;
  GtkLabel *explanation;
  GtkLabel *figures;
  GtkLabel *recorded_figures;
};

G_DEFINE_FINAL_TYPE (IlQuizCard, il_quiz_card, GTK_TYPE_BOX)

/* "Measured here:" or "Recorded by the author on …:", then the figures. */
static void
set_figures (GtkLabel        *label,
             const char      *heading,
             const IlResults *results)
{
  g_autofree char *figures = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (label), results != NULL);
  if (results == NULL)
    return;
  figures = il_quiz_figures (results);
  text = g_strdup_printf ("%s\n%s", heading, figures);
  gtk_label_set_label (label, text);
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
  gtk_widget_class_bind_template_child (widget_class, IlQuizCard, recorded_figures);
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
                         const IlResults *results,
                         const IlResults *recorded)
{
  guint            n_choices;
  g_autofree char *verdict = NULL;
  g_autofree char *machine = NULL;
  g_autofree char *recorded_heading = NULL;
  GtkWidget       *verdict_widget;

  g_return_if_fail (IL_IS_QUIZ_CARD (self));
  g_return_if_fail (quiz != NULL && quiz->choices != NULL);
  g_return_if_fail (results != NULL || recorded != NULL);

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

  gtk_label_set_label (self->heading, results != NULL ? _("Quiz: what the measurement says")
                                                      : _("Quiz: what the author’s measurement says"));
  gtk_label_set_label (self->question, quiz->question ? quiz->question : "");
  gtk_label_set_label (self->verdict, verdict);
  gtk_label_set_label (self->explanation, quiz->explanation ? quiz->explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->explanation),
                          quiz->explanation != NULL && quiz->explanation[0] != '\0');
  set_figures (self->figures, _("Measured here:"), results);
  if (recorded != NULL)
    {
      machine = il_format_machine (&recorded->machine);
      recorded_heading = g_strdup_printf (_("Recorded by the author on %s:"), machine);
    }
  set_figures (self->recorded_figures, recorded_heading, recorded);
}
