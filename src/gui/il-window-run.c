/* il-window-run.c — the main window's run: quiz, consent, progress, results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run asks the experiment's quiz before its first run and asks consent
 * before requests leave this computer, then runs a copy of the document
 * while the live view follows the event queue. A file that carries the
 * author's recorded results asks its quiz as soon as it opens, and the
 * author's measurement answers it.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "il-application.h"
#include "il-format.h"
#include "il-network.h"
#include "il-settings.h"
#include "il-window-private.h"

/* Bounds the memory a hidden window (which stops ticking) can make the queue
 * use; the core counts what it drops. */
#define EVENT_QUEUE_CAPACITY (1 << 18)

/* ---------------------------------------------------------------- running */

static void
il_window_update_progress (IlWindow *self)
{
  guint64          done = 0, total = 0;
  gint64           elapsed_us;
  g_autofree char *text = NULL;

  if (self->live_model != NULL)
    {
      done = il_live_model_get_tasks_done (self->live_model);
      total = il_live_model_get_tasks_total (self->live_model);
    }
  if (total == 0 && self->runner != NULL)
    total = il_runner_get_total_tasks (self->runner);
  /* Wall time since Run was pressed: the model's elapsed time restarts with
   * every repetition. */
  elapsed_us = self->run_started_us > 0 ? g_get_monotonic_time () - self->run_started_us : 0;

  gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? (double) done / (double) total : 0.0);
  text = g_strdup_printf (_("%" PRIu64 " / %" PRIu64 " tasks · %.1f s"),
                             done, total, elapsed_us / 1e6);
  gtk_label_set_label (self->progress_label, text);
}

static gboolean
progress_tick_cb (gpointer data)
{
  IlWindow *self = data;

  il_window_update_progress (self);
  return G_SOURCE_CONTINUE;
}

static void
run_finished_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(IlWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlResults) results = NULL;
  gboolean was_cancelled;
  gboolean stale = self->run_stale;

  results = il_runner_run_finish (IL_RUNNER (source), result, &error);
  was_cancelled = self->run_cancellable != NULL && g_cancellable_is_cancelled (self->run_cancellable);
  self->run_stale = FALSE;

  if (self->live_model != NULL)
    il_live_model_stop (self->live_model);
  il_window_update_progress (self);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->runner);
  g_clear_pointer (&self->queue, il_event_queue_unref);
  self->run_started_us = 0;
  il_window_set_running_ui (self, FALSE);

  /* The run belonged to a document that is no longer open. */
  if (stale)
    return;

  if (results == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        il_window_show_error (self, _("The Run Failed"), error ? error->message : _("Unknown error"));
      return;
    }

  g_clear_pointer (&self->results, il_results_free);
  self->results = g_steal_pointer (&results);
  self->results_unsaved = TRUE;
  il_window_update_title (self);
  il_window_show_results (self);
  il_window_update_actions (self);
  if (self->results->cancelled || was_cancelled)
    il_window_toast (self, _("Run stopped: partial results"));
  adw_view_stack_set_visible_child_name (self->view_stack, "results");
}

static void
consent_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     IlWindow         *self)
{
  if (g_strcmp0 (response, "allow") == 0)
    il_window_start_run (self, TRUE);
}

/* The hosts the experiment's urls contact, for the consent dialog; NULL
 * when it needs no consent (il_experiment_network_hosts decides). */
static char *
il_window_collect_hosts (IlWindow *self)
{
  g_auto(GStrv) hosts = il_experiment_network_hosts (il_document_get_experiment (self->document));

  if (hosts[0] == NULL)
    return NULL;
  return il_network_describe_hosts ((const char *const *) hosts);
}

static void
il_window_ask_consent (IlWindow   *self,
                       const char *hosts)
{
  GtkWidget       *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("This experiment sends HTTP requests to %s. A shared file could use "
                            "them to reach services on this computer or your network. "
                            "Nothing is sent unless you allow it."),
                             hosts);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Send Requests to Other Hosts?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "allow", _("_Allow and Run"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "allow", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (consent_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Whether any http block targets the embedded latency server. */
static gboolean
experiment_uses_server (const IlExperiment *experiment)
{
  for (guint i = 0; i < experiment->tasks->len; i++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, i);

      for (guint j = 0; j < group->blocks->len; j++)
        {
          const IlBlock *block = g_ptr_array_index (group->blocks, j);

          if (block->type == IL_BLOCK_HTTP && block->url == NULL)
            return TRUE;
        }
    }
  return FALSE;
}

/* The application's lifetime server when the window belongs to an
 * IlApplication; NULL lets the runner start one for this run (tests with
 * a bare window, or a server that could not start: the runner reports). */
static const char *
il_window_server_url (IlWindow           *self,
                      const IlExperiment *experiment)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GError) error = NULL;
  IlServer *server;

  if (!IL_IS_APPLICATION (app) || !experiment_uses_server (experiment))
    return NULL;
  server = il_application_ensure_server (IL_APPLICATION (app), &error);
  if (server == NULL)
    {
      g_warning ("Could not start the embedded latency server: %s", error->message);
      return NULL;
    }
  return il_server_get_url (server);
}

static void
quiz_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  IlWindow         *self)
{
  gboolean allow_network = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "allow-network"));
  gboolean recorded = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "recorded"));

  self->quiz_asked = TRUE;
  self->quiz_pick = -1;
  if (g_str_has_prefix (response, "choice-"))
    self->quiz_pick = (int) g_ascii_strtoll (response + strlen ("choice-"), NULL, 10);
  if (recorded)
    {
      /* The author's measurement answers it: nothing runs. */
      il_window_show_results (self);
      if (self->document != NULL)
        adw_view_stack_set_visible_child_name (self->view_stack, "results");
      return;
    }
  /* The answer is kept, whatever happens to the run. */
  il_window_start_run (self, allow_network);
}

/* "_Skip" → "Skip", "a__b" → "a_b". */
static char *
strip_mnemonic (const char *label)
{
  GString *s = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == '_' && p[1] == '_')
        p++;
      else if (*p == '_')
        continue;
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

/* GTK 4.8 names a mnemonic button by its raw label and by the label it is
 * "labelled by" ("_Skip Skip"): give every response button its plain label
 * alone. */
static void
name_buttons (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    {
      g_autofree char *name = strip_mnemonic (gtk_button_get_label (GTK_BUTTON (widget)));

      gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_buttons (child);
}

/* Asks the experiment's question: one response per choice, plus Skip.
 * Before its first run (@recorded NULL) the run starts whatever the answer;
 * with the author's @recorded results, they answer it and nothing runs. */
static void
il_window_ask_quiz (IlWindow        *self,
                    const IlQuiz    *quiz,
                    gboolean         allow_network,
                    const IlResults *recorded)
{
  GtkWidget       *dialog;
  g_autofree char *body = NULL;

  if (self->quiz_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->quiz_dialog));
      return;
    }
  if (recorded != NULL)
    {
      g_autofree char *machine = il_format_machine (&recorded->machine);

      body = g_strdup_printf (_("%s\n\nThe author’s measurement on %s answers it."), quiz->question, machine);
    }
  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   recorded != NULL ? _("A Question Before the Results")
                                                    : _("Before You Run: a Question"),
                                                         body != NULL ? body : quiz->question);
  /* Choices are long, so libadwaita stacks the responses, last added on
   * top: add Skip first and the choices from last to first, so that they
   * read in the file's order with Skip at the bottom. */
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "skip", _("_Skip"));
  for (guint i = quiz->choices != NULL ? g_strv_length (quiz->choices) : 0; i-- > 0;)
    {
      g_autofree char *id = g_strdup_printf ("choice-%u", i);
      g_auto(GStrv) parts = g_strsplit (quiz->choices[i], "_", -1);
      /* Response labels use mnemonics: keep underscores literal. */
      g_autofree char *label = g_strjoinv ("__", parts);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), id, label);
    }
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "skip");
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, body != NULL ? body : quiz->question,
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Quiz"), -1);
  g_object_set_data (G_OBJECT (dialog), "allow-network", GINT_TO_POINTER (allow_network));
  g_object_set_data (G_OBJECT (dialog), "recorded", GINT_TO_POINTER (recorded != NULL));
  g_signal_connect_object (dialog, "response", G_CALLBACK (quiz_response_cb), self, 0);
  g_set_weak_pointer (&self->quiz_dialog, ADW_MESSAGE_DIALOG (dialog));
  name_buttons (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
il_window_ask_recorded_quiz (IlWindow *self)
{
  const IlExperiment *experiment;

  if (self->document == NULL || self->quiz_asked)
    return;
  experiment = il_document_get_experiment (self->document);
  if (experiment->quiz == NULL || experiment->quiz->choices == NULL || experiment->results == NULL)
    return;
  il_window_ask_quiz (self, experiment->quiz, FALSE, experiment->results);
}

void
il_window_start_run (IlWindow *self,
                     gboolean  allow_network)
{
  const IlExperiment *experiment;
  g_autoptr(GArray) only_runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunner) runner = NULL;
  g_autofree char *hosts = NULL;
  g_autofree char *scratch_base = NULL;
  g_autoptr(IlMpiHosts) mpi_hosts = NULL;
  IlRunOptions options = { 0 };

  if (self->document == NULL || self->run_cancellable != NULL)
    return;
  experiment = il_document_get_experiment (self->document);

  /* Run is off while this fails (il_window_update_actions); F5 and the
   * command line still come here. */
  if (!il_document_check (self->document, &error))
    {
      il_window_show_error (self, _("The Experiment Is Not Valid"), error->message);
      return;
    }

  only_runs = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < experiment->runs->len; i++)
    {
      const IlRunConfig *run = g_ptr_array_index (experiment->runs, i);

      if (run->enabled)
        g_array_append_val (only_runs, i);
    }
  if (only_runs->len == 0)
    {
      il_window_toast (self, _("Enable at least one run configuration"));
      adw_view_stack_set_visible_child_name (self->view_stack, "runs");
      return;
    }

  if (experiment->quiz != NULL && !self->quiz_asked)
    {
      il_window_ask_quiz (self, experiment->quiz, allow_network, NULL);
      return;
    }

  if (!allow_network && (hosts = il_window_collect_hosts (self)) != NULL)
    {
      il_window_ask_consent (self, hosts);
      return;
    }

  self->queue = il_event_queue_new (EVENT_QUEUE_CAPACITY);
  options.only_runs = only_runs;
  options.allow_network = allow_network;
  options.events = self->queue;
  options.server_url = il_window_server_url (self, experiment);
  /* Preferences' scratch folder; NULL: the cache's. */
  scratch_base = il_settings_dup_scratch_base ();
  options.scratch_base = scratch_base;
  /* Preferences' cluster; NULL: this machine alone. */
  mpi_hosts = il_settings_dup_mpi_hosts ();
  options.mpi_hosts = mpi_hosts;
  runner = il_runner_new (experiment, &options);

  if (!il_runner_check (runner, &error))
    {
      g_clear_pointer (&self->queue, il_event_queue_unref);
      if (g_error_matches (error, IL_ERROR, IL_ERROR_CONSENT) && !allow_network &&
          (hosts = il_window_collect_hosts (self)) != NULL)
        il_window_ask_consent (self, hosts);
      else
        il_window_show_error (self, _("Cannot Run This Experiment"), error->message);
      return;
    }

  self->runner = g_steal_pointer (&runner);
  self->run_cancellable = g_cancellable_new ();
  self->run_started_us = g_get_monotonic_time ();

  if (self->live_model == NULL)
    self->live_model = il_live_model_new ();
  il_live_model_reset (self->live_model);
  if (self->live_view == NULL)
    {
      self->live_view = IL_LIVE_VIEW (il_live_view_new ());
      gtk_widget_set_vexpand (GTK_WIDGET (self->live_view), TRUE);
      il_live_view_set_model (self->live_view, self->live_model);
      adw_bin_set_child (self->live_bin, GTK_WIDGET (self->live_view));
      /* The live view writes its own progress line (run, repetition, tasks,
       * time): the bar stays as the at-a-glance gauge. */
      gtk_widget_set_visible (GTK_WIDGET (self->progress_label), FALSE);
    }
  il_live_model_start (self->live_model, self->runner, self->queue, GTK_WIDGET (self->live_view));

  il_window_set_running_ui (self, TRUE);
  il_window_update_progress (self);
  /* The label and bar need no more than a few updates a second. */
  self->progress_source = g_timeout_add (200, progress_tick_cb, self);
  adw_view_stack_set_visible_child_name (self->view_stack, "live");

  il_runner_run_async (self->runner, self->run_cancellable, run_finished_cb, g_object_ref (self));
}

/* build-aux/screenshots reaches the answered Results page through this. */
void
il_window_answer_quiz (IlWindow *self,
                       int       choice)
{
  g_autofree char *id = choice >= 0 ? g_strdup_printf ("choice-%d", choice) : g_strdup ("skip");

  if (self->quiz_dialog == NULL)
    return;
  if (!adw_message_dialog_has_response (self->quiz_dialog, id))
    return;
  adw_message_dialog_response (self->quiz_dialog, id);
  if (self->quiz_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->quiz_dialog));
}
