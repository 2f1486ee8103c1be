/* il-live-view.c — the live charts of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Redraws follow the model's "changed", which the model emits at most once
 * per frame; the charts draw straight from the model's arrays.
 *
 * Layout: the curves (load, completion and, for an async run, the loop's
 * latency) side by side above the timeline, in a vertical GtkPaned that
 * starts halfway, so the timeline gets at least as much height as the
 * curves at any window size; dragging the handle sticks.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "il-live-view.h"

#include "il-format.h"
#include "il-machine.h"

#include "il-completion-chart.h"
#include "il-lag-chart.h"
#include "il-load-chart.h"
#include "il-timeline-chart.h"
#include "il-wrap-box.h"

struct _IlLiveView
{
  GtkWidget parent_instance;

  /* children */
  GtkWidget *status;
  GtkWidget *paned;
  GtkWidget *row;
  GtkWidget *load;
  GtkWidget *completion;
  GtkWidget *lag;
  GtkWidget *timeline;

  /* Set once the user presses the paned's handle: keep their position. */
  gboolean user_position;

  /* What the charts last drew, so that unchanged charts keep their
   * cached render node instead of being drawn again every frame. */
  guint64 load_stamp;
  guint64 completion_stamp;
  guint64 timeline_stamp;
  guint64 lag_stamp;
  gint64  timeline_drawn; /* monotonic time of the last redraws */
  gint64  completion_drawn;
  gint64  status_drawn;
  char   *status_text;

  /* owned */
  IlLiveModel  *model;
  GSignalGroup *model_signals;
};

G_DEFINE_FINAL_TYPE (IlLiveView, il_live_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_count (guint64 n)
{
  /* Thousands separated by a thin space: readable in every locale. */
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString         *s = g_string_new (NULL);
  gsize            len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (s, "\u2009");
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static void
update_status (IlLiveView *self)
{
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  GString         *s;
  guint64          dropped;

  if (self->model == NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->status), "");
      return;
    }

  s = g_string_new (NULL);
  if (il_live_model_get_current_label (self->model) != NULL)
    g_string_append_printf (s, "%s · ", il_live_model_get_current_label (self->model));
  if (il_live_model_get_current_warmup (self->model))
    g_string_append (s, _("warm-up · "));
  else
    g_string_append_printf (s, _("repetition %u · "), il_live_model_get_current_rep (self->model) + 1);
  done = format_count (il_live_model_get_tasks_done (self->model));
  total = format_count (il_live_model_get_tasks_total (self->model));
  g_string_append_printf (s, _("%s of %s tasks · %.1f s"), done, total,
                                il_live_model_get_elapsed_us (self->model) / 1e6);
  /* Stop cut the run short: it did not finish. */
  if (!il_live_model_get_running (self->model) && il_live_model_get_stopped (self->model))
    g_string_append (s, _(" · stopped"));
  else if (!il_live_model_get_running (self->model) && il_live_model_get_tasks_done (self->model) > 0)
    g_string_append (s, _(" · finished"));
  dropped = il_live_model_get_dropped (self->model);
  if (dropped > 0)
    g_string_append_printf (s, _(" · %" PRIu64 " events not shown"), (guint64) dropped);
  /* Relayout only when the text changes (a few times a second). */
  if (g_strcmp0 (s->str, self->status_text) != 0)
    {
      g_free (self->status_text);
      self->status_text = g_strdup (s->str);
      gtk_label_set_text (GTK_LABEL (self->status), s->str);
    }
  g_string_free (s, TRUE);
}

static void
maybe_update_status (IlLiveView  *self,
                     IlLiveModel *model)
{
  /* A new label text means a new layout pass: a few per second suffice. */
  if (!il_live_model_get_running (model) ||
      g_get_monotonic_time () - self->status_drawn >= 200 * 1000)
    {
      self->status_drawn = g_get_monotonic_time ();
      update_status (self);
    }
}

/* Elapsed time moves on while no event arrives (a long sleep block). */
static void
model_elapsed_cb (IlLiveView  *self,
                  GParamSpec  *pspec,
                  IlLiveModel *model)
{
  maybe_update_status (self, model);
}

static void
model_changed_cb (IlLiveView  *self,
                  IlLiveModel *model)
{
  IlLoadData       *load = il_live_model_get_load (model);
  IlCompletionData *completion = il_live_model_get_completion (model);
  IlTimelineData   *timeline = il_live_model_get_timeline (model);
  IlLagData        *lag;
  guint64           stamp;

  /* Stamps combine counts that only grow within a repetition with the
   * array lengths, which drop on a reset. */
  stamp = load->n_samples * 31 + load->overhead.len + (load->last_t_us << 20);
  if (stamp != self->load_stamp)
    {
      self->load_stamp = stamp;
      il_load_chart_data_changed (IL_LOAD_CHART (self->load));
    }
  stamp = ((guint64) completion->end_us->len << 32) + completion->total;
  if (stamp != self->completion_stamp &&
      (!il_live_model_get_running (model) ||
       g_get_monotonic_time () - self->completion_drawn >= 30 * 1000))
    {
      self->completion_stamp = stamp;
      self->completion_drawn = g_get_monotonic_time ();
      il_completion_chart_data_changed (IL_COMPLETION_CHART (self->completion));
    }
  stamp = ((guint64) timeline->tasks->len << 40) + ((guint64) timeline->n_finished << 20) +
          timeline->blocks->len + timeline->spans->len * 7 + (guint64) timeline->end_us * 1009;
  /* The timeline is the costly chart: while a run streams, 30 redraws a
   * second show it moving just as well and leave the frame time to GTK. */
  if (stamp != self->timeline_stamp &&
      (!il_live_model_get_running (model) ||
       g_get_monotonic_time () - self->timeline_drawn >= 30 * 1000))
    {
      self->timeline_stamp = stamp;
      self->timeline_drawn = g_get_monotonic_time ();
      il_timeline_chart_data_changed (IL_TIMELINE_CHART (self->timeline));
    }
  if (gtk_widget_get_visible (self->lag) != il_live_model_get_current_async (model))
    gtk_widget_set_visible (self->lag, il_live_model_get_current_async (model));
  lag = il_live_model_get_lag (model);
  stamp = ((guint64) lag->samples->len << 32) + (guint64) lag->end_us;
  if (stamp != self->lag_stamp && gtk_widget_get_visible (self->lag))
    {
      self->lag_stamp = stamp;
      il_lag_chart_data_changed (IL_LAG_CHART (self->lag));
    }
  maybe_update_status (self, model);
  if (!il_live_model_get_running (model))
    {
      /* The final picture: give assistive technologies its summary now. */
      il_chart_invalidate (IL_CHART (self->load), TRUE);
      il_chart_invalidate (IL_CHART (self->completion), TRUE);
      il_chart_invalidate (IL_CHART (self->timeline), TRUE);
      il_chart_invalidate (IL_CHART (self->lag), TRUE);
    }
}

/* Halfway until the user drags the handle: the timeline's lanes are what a
 * run is about, so they get at least the curves' height. Never less than
 * the curves need, though: GtkPaned does not clamp a position set while
 * it allocates, and the curves stacked in a narrow window (issue 12) were
 * cut off. */
static void
paned_max_position_cb (IlLiveView *self)
{
  int min = 0;
  int max = 0;

  if (self->user_position)
    return;
  g_object_get (self->paned, "min-position", &min, "max-position", &max, NULL);
  gtk_paned_set_position (GTK_PANED (self->paned), MAX (max / 2, min));
}

/* A press on the handle: from now on the position is the user's. The
 * gesture only watches (capture phase, never claims), so the handle's own
 * drag and the charts' gestures work as before. */
static void
paned_pressed_cb (IlLiveView *self,
                  int         n_press,
                  double      x,
                  double      y)
{
  if (ABS (y - gtk_paned_get_position (GTK_PANED (self->paned))) <= 12)
    self->user_position = TRUE;
}

static void
il_live_view_dispose (GObject *object)
{
  IlLiveView *self = IL_LIVE_VIEW (object);
  GtkWidget  *child;

  if (self->model_signals != NULL)
    g_signal_group_set_target (self->model_signals, NULL);
  g_clear_object (&self->model_signals);
  g_clear_object (&self->model);
  g_clear_pointer (&self->status_text, g_free);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (il_live_view_parent_class)->dispose (object);
}

static void
il_live_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  IlLiveView *self = IL_LIVE_VIEW (object);

  switch (prop_id)
    {
      case PROP_MODEL:
        g_value_set_object (value, self->model);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_live_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  IlLiveView *self = IL_LIVE_VIEW (object);

  switch (prop_id)
    {
      case PROP_MODEL:
        il_live_view_set_model (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_live_view_class_init (IlLiveViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_live_view_dispose;
  object_class->get_property = il_live_view_get_property;
  object_class->set_property = il_live_view_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, IL_TYPE_LIVE_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "illiveview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
il_live_view_init (IlLiveView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);

  self->status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->status), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_add_css_class (self->status, "numeric");
  gtk_widget_set_margin_start (self->status, 6);
  gtk_widget_set_margin_end (self->status, 6);
  gtk_widget_set_parent (self->status, GTK_WIDGET (self));

  self->paned = gtk_paned_new (GTK_ORIENTATION_VERTICAL);
  gtk_paned_set_wide_handle (GTK_PANED (self->paned), TRUE);
  gtk_paned_set_resize_start_child (GTK_PANED (self->paned), TRUE);
  gtk_paned_set_resize_end_child (GTK_PANED (self->paned), TRUE);
  gtk_paned_set_shrink_start_child (GTK_PANED (self->paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (self->paned), FALSE);
  gtk_widget_set_vexpand (self->paned, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->paned),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Live charts"), -1);
  gtk_widget_set_parent (self->paned, GTK_WIDGET (self));
  g_signal_connect_object (self->paned, "notify::max-position",
                           G_CALLBACK (paned_max_position_cb), self, G_CONNECT_SWAPPED);
  {
    GtkGesture *press = gtk_gesture_click_new ();

    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (press), GTK_PHASE_CAPTURE);
    g_signal_connect_object (press, "pressed", G_CALLBACK (paned_pressed_cb), self, G_CONNECT_SWAPPED);
    gtk_widget_add_controller (self->paned, GTK_EVENT_CONTROLLER (press));
  }

  /* Side by side, or one above the other in a narrow window (issue 12). */
  self->row = il_wrap_box_new (6, 6);
  il_wrap_box_set_homogeneous (IL_WRAP_BOX (self->row), TRUE);
  gtk_widget_set_margin_bottom (self->row, 3);
  gtk_paned_set_start_child (GTK_PANED (self->paned), self->row);

  self->load = il_load_chart_new ();
  gtk_widget_set_hexpand (self->load, TRUE);
  gtk_widget_set_vexpand (self->load, TRUE);
  gtk_widget_set_size_request (self->load, -1, 160);
  il_wrap_box_append (IL_WRAP_BOX (self->row), self->load);

  self->completion = il_completion_chart_new ();
  gtk_widget_set_hexpand (self->completion, TRUE);
  gtk_widget_set_vexpand (self->completion, TRUE);
  gtk_widget_set_size_request (self->completion, -1, 160);
  il_wrap_box_append (IL_WRAP_BOX (self->row), self->completion);

  /* Only async runs have a loop to probe: shown while one runs. */
  self->lag = il_lag_chart_new ();
  gtk_widget_set_hexpand (self->lag, TRUE);
  gtk_widget_set_vexpand (self->lag, TRUE);
  gtk_widget_set_size_request (self->lag, -1, 160);
  gtk_widget_set_visible (self->lag, FALSE);
  il_wrap_box_append (IL_WRAP_BOX (self->row), self->lag);

  self->timeline = il_timeline_chart_new ();
  il_timeline_chart_set_max_lane_height (IL_TIMELINE_CHART (self->timeline), 72);
  gtk_widget_set_vexpand (self->timeline, TRUE);
  gtk_widget_set_margin_top (self->timeline, 3);
  gtk_paned_set_end_child (GTK_PANED (self->paned), self->timeline);

  self->model_signals = g_signal_group_new (IL_TYPE_LIVE_MODEL);
  g_signal_group_connect_swapped (self->model_signals, "changed",
                                  G_CALLBACK (model_changed_cb), self);
  g_signal_group_connect_swapped (self->model_signals, "notify::elapsed-us",
                                  G_CALLBACK (model_elapsed_cb), self);
  g_signal_group_connect_swapped (self->model_signals, "notify::stopped",
                                  G_CALLBACK (update_status), self);
}

GtkWidget *
il_live_view_new (void)
{
  return g_object_new (IL_TYPE_LIVE_VIEW, NULL);
}

void
il_live_view_set_model (IlLiveView  *self,
                        IlLiveModel *model)
{
  g_return_if_fail (IL_IS_LIVE_VIEW (self));
  g_return_if_fail (model == NULL || IL_IS_LIVE_MODEL (model));

  if (!g_set_object (&self->model, model))
    return;

  g_signal_group_set_target (self->model_signals, model);
  il_load_chart_set_data (IL_LOAD_CHART (self->load),
                          model != NULL ? il_live_model_get_load (model) : NULL);
  il_completion_chart_set_data (IL_COMPLETION_CHART (self->completion),
                                model != NULL ? il_live_model_get_completion (model) : NULL);
  il_timeline_chart_set_data (IL_TIMELINE_CHART (self->timeline),
                              model != NULL ? il_live_model_get_timeline (model) : NULL);
  il_lag_chart_set_data (IL_LAG_CHART (self->lag),
                         model != NULL ? il_live_model_get_lag (model) : NULL);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

IlLiveModel *
il_live_view_get_model (IlLiveView *self)
{
  g_return_val_if_fail (IL_IS_LIVE_VIEW (self), NULL);
  return self->model;
}

gboolean
il_live_view_export (IlLiveView *self,
                     GFile      *file,
                     const char *format,
                     GError    **error)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  int width;

  g_return_val_if_fail (IL_IS_LIVE_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  width = gtk_widget_get_width (GTK_WIDGET (self));
  if (width <= 0)
    width = 900;
  g_ptr_array_add (charts, self->load);
  g_ptr_array_add (charts, self->completion);
  if (gtk_widget_get_visible (self->lag))
    g_ptr_array_add (charts, self->lag);
  g_ptr_array_add (charts, self->timeline);
  /* The run in progress (or the last one), on this machine, now. */
  {
    IlRunner           *runner = self->model != NULL ? il_live_model_get_runner (self->model) : NULL;
    const IlExperiment *experiment = runner != NULL ? il_runner_get_experiment (runner) : NULL;
    IlMachine           machine = { 0 };
    g_autofree char    *described = NULL;
    g_autofree char    *title = NULL;
    g_autofree char    *caption = NULL;
    gboolean            ok;

    il_machine_describe (&machine);
    described = il_format_machine (&machine);
    il_machine_clear (&machine);
    if (experiment != NULL && experiment->name != NULL && experiment->name[0] != '\0')
      title = g_strdup_printf (_("%s — live run"), experiment->name);
    else
      title = g_strdup (_("Interleave live run"));
    caption = g_strdup_printf (_("Measured on %s"), described);
    ok = il_chart_export_stack_captioned (charts, width, il_chart_get_colors (IL_CHART (self->load)),
                                          title, caption, file, format, error);
    return ok;
  }
}

const char *
il_live_view_get_status (IlLiveView *self)
{
  g_return_val_if_fail (IL_IS_LIVE_VIEW (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->status));
}

GtkWidget *
il_live_view_get_timeline (IlLiveView *self)
{
  g_return_val_if_fail (IL_IS_LIVE_VIEW (self), NULL);
  return self->timeline;
}
