/* test-gui-open-big.c — opening a file with 100,000 recorded tasks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A big file is read in a thread (il-window-files.c): the window keeps
 * drawing and answering meanwhile, a toast says what is being opened and
 * offers Cancel, and then the recorded results are on the Results page.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "il-results.h"
#include "il-window.h"

#include "il-test-utils.h"

#define N_TASKS 100000

/* An experiment of N_TASKS sleep-0 tasks with results of one sequential
 * run recorded, saved by the core writer to @path. */
static void
write_big_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlExperiment) exp = il_test_loadf (
    "{ \"interleave\": 1, \"name\": \"big\","
    "  \"tasks\": [ { \"name\": \"tiny\", \"repeat\": %d, \"blocks\": [ { \"type\": \"sleep\", \"ms\": 0 } ] } ],"
    "  \"runs\": [ { \"executor\": \"sequential\" } ] }",
    N_TASKS);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  IlResults    *results = il_results_new ();
  IlRunResult  *run = il_run_result_new ();
  IlRepetition *rep = il_repetition_new ();

  results->experiment = g_strdup ("big");
  run->label = g_strdup ("sequential");
  run->executor = IL_EXECUTOR_SEQUENTIAL;
  run->workers = 1;
  rep->makespan_ms = N_TASKS / 1000.0;
  rep->checksum = g_strdup ("0000000000000000");
  for (guint i = 0; i < N_TASKS; i++)
    {
      IlTaskRecord  rec = { 0 };
      IlBlockRecord block = { 0 };

      rec.index = i;
      rec.pid = 4242;
      rec.tid = 4242;
      rec.cpu_start = rec.cpu_end = 0;
      rec.start_us = i * 10;
      rec.end_us = i * 10 + 8;
      block.type = IL_BLOCK_SLEEP;
      block.start_us = rec.start_us;
      block.end_us = rec.end_us;
      block.ttfb_us = -1;
      il_task_record_add_block (&rec, &block);
      g_array_append_val (rep->tasks, rec);
    }
  g_ptr_array_add (run->repetitions, rep);
  g_ptr_array_add (results->runs, run);
  il_run_result_summarize (run, NAN, 2);
  exp->results = results;
  g_assert_true (il_experiment_save_file (exp, file, &error));
  g_assert_no_error (error);
}

typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint  ticks;
} Ticks;

static gboolean
tick_cb (gpointer data)
{
  Ticks *t = data;
  gint64 now = g_get_monotonic_time ();

  if (t->last != 0)
    t->max_gap = MAX (t->max_gap, now - t->last);
  t->last = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

/* The stack that shows "empty" or "results" on the Results page. */
static GtkStack *
find_results_stack (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_child_by_name (GTK_STACK (widget), "empty") != NULL &&
      gtk_stack_get_child_by_name (GTK_STACK (widget), "results") != NULL)
    return GTK_STACK (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkStack *found = find_results_stack (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Finds an AdwToast's title among the labels under @widget. */
static gboolean
has_label_with (GtkWidget  *widget,
                const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_label_with (c, text))
      return TRUE;
  return FALSE;
}

static void
test_open_big (void)
{
  g_autofree char *dir = g_dir_make_tmp ("il-open-big-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.interleave", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  IlWindow           *window = il_window_new (NULL);
  Ticks               ticks = { 0 };
  gboolean            toast_seen = FALSE;
  gint64              t0, elapsed;
  gint64              deadline;
  guint               source;
  IlDocument         *document;
  const IlRepetition *rep;
  GtkStack           *stack;

  write_big_file (path);
  gtk_window_present (GTK_WINDOW (window));
  source = g_timeout_add (20, tick_cb, &ticks);
  t0 = g_get_monotonic_time ();
  il_window_open_file (window, file);
  deadline = t0 + 300 * G_USEC_PER_SEC;
  while (il_window_get_document (window) == NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      toast_seen |= has_label_with (GTK_WIDGET (window), "big.interleave");
    }
  /* Until the loop runs again after the document is shown. */
  {
    guint before = ticks.ticks;

    while (ticks.ticks < before + 2 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  elapsed = g_get_monotonic_time () - t0;
  g_source_remove (source);

  document = il_window_get_document (window);
  g_assert_nonnull (document);
  g_assert_true (g_file_equal (il_document_get_file (document), file));
  rep = il_test_first_rep (il_document_get_experiment (document)->results, 0);
  g_assert_cmpuint (rep->tasks->len, ==, N_TASKS);
  /* The window went on meanwhile: the loop ran, never held for long. */
  g_test_message ("opened in %.2f s; %u ticks, longest gap %.0f ms", elapsed / 1e6, ticks.ticks,
                  ticks.max_gap / 1e3);
  g_assert_true (toast_seen);
  g_assert_cmpuint (ticks.ticks, >=, 3);
  g_assert_cmpint (ticks.max_gap, <, elapsed / 2);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "results");
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpstr (il_window_get_visible_page (window), ==, "results");
  stack = find_results_stack (GTK_WIDGET (window));
  g_assert_nonnull (stack);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "results");

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  il_test_init_gtk (&argc, &argv);

  g_test_add_func ("/il/gui/open-big/100k-tasks", test_open_big);

  return g_test_run ();
}
