/* test-gui-templates.c — every .ui template instantiates and is freed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK 4.8's builder tool cannot resolve libadwaita types, so building each
 * templated widget is how the templates are validated.
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "il-block-item.h"
#include "il-document.h"
#include "il-quiz-card.h"
#include "il-results-table.h"
#include "il-run-row.h"
#include "il-runs-editor.h"
#include "il-task-group-card.h"
#include "il-welcome-page.h"
#include "il-window.h"
#include "il-workload-editor.h"

#include "il-test-utils.h"

/* Builds a widget inside a window (so it is realized and styled), then
 * destroys everything and checks the widget really went away. */
static void
check_widget (GtkWidget *widget)
{
  GtkWidget *window = gtk_window_new ();

  g_object_ref (widget);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  il_test_drain ();
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_finalize_object (widget);
}

static void
test_block_item (void)
{
  g_autoptr(IlDocument) document = il_document_new (NULL);
  IlExperiment *experiment = il_document_begin_edit (document, NULL);
  IlTaskGroup  *group = g_ptr_array_index (experiment->tasks, 0);

  /* One item of each block type. */
  for (guint type = IL_BLOCK_SLEEP; type < IL_N_BLOCK_TYPES; type++)
    g_ptr_array_add (group->blocks, il_block_new (type));
  il_document_end_edit (document, TRUE);

  check_widget (il_block_item_new (NULL, 0, 0));
  for (guint i = 0; i < group->blocks->len; i++)
    {
      GtkWidget *item = il_block_item_new (document, 0, i);

      g_assert_true (IL_IS_BLOCK_ITEM (item));
      g_assert_cmpuint (il_block_item_get_block (IL_BLOCK_ITEM (item)), ==, i);
      check_widget (item);
    }
}

static void
test_task_group_card (void)
{
  g_autoptr(IlDocument) document = il_document_new (NULL);
  GtkWidget *card;

  check_widget (il_task_group_card_new (NULL, 0));
  card = il_task_group_card_new (document, 0);
  g_assert_nonnull (il_task_group_card_get_block_item (IL_TASK_GROUP_CARD (card), 0));
  g_assert_null (il_task_group_card_get_block_item (IL_TASK_GROUP_CARD (card), 99));
  check_widget (card);
}

static void
test_workload_editor (void)
{
  g_autoptr(IlDocument) document = il_document_new (NULL);
  GtkWidget *editor = il_workload_editor_new ();

  il_workload_editor_set_document (IL_WORKLOAD_EDITOR (editor), document);
  g_assert_nonnull (il_workload_editor_get_block_item (IL_WORKLOAD_EDITOR (editor), 0, 0));
  check_widget (editor);
}

/* A list box row only lives in a list box. */
static void
check_row (GtkWidget *row)
{
  GtkWidget *list = gtk_list_box_new ();

  g_object_ref (row);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  check_widget (list);
  g_assert_finalize_object (row);
}

static void
test_run_row (void)
{
  g_autoptr(IlDocument) document = il_document_new (NULL);

  check_row (il_run_row_new (NULL, 0));
  check_row (il_run_row_new (document, 0));
  check_row (il_run_row_new (document, 1));
}

static void
test_parse_workers (void)
{
  g_autoptr(GArray) workers = g_array_new (FALSE, FALSE, sizeof (guint));

  g_assert_true (il_run_row_parse_workers ("4", workers));
  g_assert_cmpuint (workers->len, ==, 1);
  g_assert_cmpuint (g_array_index (workers, guint, 0), ==, 4);
  g_assert_true (il_run_row_parse_workers ("1, 2,4 8", workers));
  g_assert_cmpuint (workers->len, ==, 4);
  g_assert_cmpuint (g_array_index (workers, guint, 3), ==, 8);
  g_assert_true (il_run_row_parse_workers ("", workers));
  g_assert_cmpuint (workers->len, ==, 0);
  g_assert_false (il_run_row_parse_workers ("0", workers));
  g_assert_false (il_run_row_parse_workers ("257", workers));
  g_assert_false (il_run_row_parse_workers ("two", workers));
}

static void
test_runs_editor (void)
{
  g_autoptr(IlDocument) document = il_document_new (NULL);
  GtkWidget *editor = il_runs_editor_new ();

  il_runs_editor_set_document (IL_RUNS_EDITOR (editor), document);
  check_widget (editor);
}

static void
test_results_table (void)
{
  GtkWidget *table = il_results_table_new ();

  il_results_table_set_results (IL_RESULTS_TABLE (table), NULL, "nothing");
  g_assert_cmpuint (il_results_table_get_n_rows (IL_RESULTS_TABLE (table)), ==, 0);
  g_assert_cmpstr (il_results_table_get_notes (IL_RESULTS_TABLE (table)), ==, "");
  check_widget (table);
}

/* Under the rows: the lost updates and the context switches, as the CLI
 * prints them under its table. */
static void
test_results_table_notes (void)
{
  g_autoptr(IlResults) results = il_results_new ();
  IlRunResult  *run = il_run_result_new ();
  IlRepetition *rep = il_repetition_new ();
  GtkWidget    *table = g_object_ref_sink (il_results_table_new ());
  const char   *notes;

  run->label = g_strdup ("threads ×4");
  run->executor = IL_EXECUTOR_THREADS;
  rep->makespan_ms = 100;
  rep->has_counter = TRUE;
  rep->counter_expected = 8000;
  rep->counter_final = 6000;
  rep->has_yield = TRUE;
  rep->yield = (IlYieldRecord){ 80000, 10, 79990, 200000 };
  g_ptr_array_add (run->repetitions, rep);
  g_ptr_array_add (results->runs, run);

  il_results_table_set_results (IL_RESULTS_TABLE (table), results, NULL);
  notes = il_results_table_get_notes (IL_RESULTS_TABLE (table));
  g_test_message ("%s", notes);
  g_assert_true (g_str_has_prefix (notes, "lost updates (counter blocks, median repetition):\n"
                                          "  threads ×4: 2000 of 8000 lost (25.0 %)"));
  g_assert_nonnull (strstr (notes, "\ncontext switches (yield blocks, median repetition):\n"
                                   "  threads ×4: 80000 yields, 10 voluntary + 79990 involuntary switches, "
                                   "200.0 ms on a CPU, 2.50 µs per switch"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (table, IL_TYPE_RESULTS_TABLE, "notes_label"))));

  il_results_table_set_results (IL_RESULTS_TABLE (table), NULL, NULL);
  g_assert_cmpstr (il_results_table_get_notes (IL_RESULTS_TABLE (table)), ==, "");
  g_object_unref (table);
}

/* The labels' text, one a line, visible ones only. */
static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, out);
}

static void
test_quiz_card (void)
{
  g_auto(GStrv) choices = g_strsplit ("threads|processes", "|", -1);
  IlQuiz quiz = { .question = (char *) "Which is faster?", .choices = choices, .answer = 1 };
  g_autoptr(IlResults) results = il_results_new ();
  IlRunResult *run = il_run_result_new ();
  GtkWidget   *card = il_quiz_card_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  run->label = g_strdup ("processes ×4");
  run->summary.makespan_ms.median = 250;
  run->summary.speedup = 3.5;
  g_ptr_array_add (results->runs, run);

  il_quiz_card_set_answer (IL_QUIZ_CARD (card), &quiz, 0, results, NULL);
  collect_labels (card, text);
  g_test_message ("%s", text->str);
  g_assert_nonnull (strstr (text->str, "Which is faster?"));
  g_assert_nonnull (strstr (text->str, "Not quite: you picked “threads”; the answer is “processes”"));
  g_assert_nonnull (strstr (text->str, "• processes ×4: 250 ms, speedup 3.50×"));

  /* Skipped, and an explanation to show. */
  quiz.explanation = (char *) "Processes avoid the GIL.";
  il_quiz_card_set_answer (IL_QUIZ_CARD (card), &quiz, -1, results, NULL);
  g_string_truncate (text, 0);
  collect_labels (card, text);
  g_assert_nonnull (strstr (text->str, "You skipped the question. The answer: processes"));
  g_assert_nonnull (strstr (text->str, "Processes avoid the GIL."));

  /* A lesson's answer beyond the makespans: the cost of a switch. */
  {
    IlRepetition *rep = il_repetition_new ();

    rep->has_yield = TRUE;
    rep->yield = (IlYieldRecord){ 80000, 0, 80000, 160000 };
    g_ptr_array_add (run->repetitions, rep);
    il_quiz_card_set_answer (IL_QUIZ_CARD (card), &quiz, 1, results, NULL);
    g_string_truncate (text, 0);
    collect_labels (card, text);
    g_test_message ("%s", text->str);
    g_assert_nonnull (strstr (text->str, "• processes ×4: 250 ms, speedup 3.50×; context switches: "
                                         "80000 yields, 0 voluntary + 80000 involuntary switches, "
                                         "160.0 ms on a CPU, 2.00 µs per switch"));
  }
  check_widget (card);
}

static void
test_welcome_page (void)
{
  check_widget (il_welcome_page_new ());
}

static void
test_window (void)
{
  IlWindow *window = il_window_new (NULL);

  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "welcome");
  gtk_window_destroy (GTK_WINDOW (window));
  il_test_drain ();
  g_assert_finalize_object (window);
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder =
               gtk_builder_new_from_resource ("/io/github/interleave/Interleave/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int   argc,
      char *argv[])
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/templates/block-item", test_block_item);
  g_test_add_func ("/il/gui/templates/task-group-card", test_task_group_card);
  g_test_add_func ("/il/gui/templates/workload-editor", test_workload_editor);
  g_test_add_func ("/il/gui/templates/run-row", test_run_row);
  g_test_add_func ("/il/gui/templates/parse-workers", test_parse_workers);
  g_test_add_func ("/il/gui/templates/runs-editor", test_runs_editor);
  g_test_add_func ("/il/gui/templates/results-table", test_results_table);
  g_test_add_func ("/il/gui/templates/results-table-notes", test_results_table_notes);
  g_test_add_func ("/il/gui/templates/quiz-card", test_quiz_card);
  g_test_add_func ("/il/gui/templates/welcome-page", test_welcome_page);
  g_test_add_func ("/il/gui/templates/window", test_window);
  g_test_add_func ("/il/gui/templates/help-overlay", test_help_overlay);

  return g_test_run ();
}
