/* il-live-model.c — the live state of a run, fed once per frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Executors push events into a bounded queue from their threads; this model
 * drains it from one tick callback on a widget, so the GUI does work once per
 * frame whatever the event rate, and nothing runs when no run is live.
 */
#include "il-live-model.h"

struct _IlLiveModel
{
  GObject parent_instance;

  /* owned */
  IlRunner         *runner;
  IlEventQueue     *queue;
  GArray           *batch;
  IlLoadData       *load;
  IlTimelineData   *timeline;
  IlCompletionData *completion;
  IlLagData        *lag;
  GArray           *async_runs; /* gboolean per expanded run; nullable */
  char             *current_label;

  /* borrowed (weak pointer) */
  GtkWidget *ticking_widget;
  guint      tick_id;

  guint64 tasks_done;
  guint64 tasks_total;
  guint64 tasks_per_rep;
  guint64 dropped_by_model;
  gint64  start_time; /* g_get_monotonic_time at start */
  gint64  elapsed_us;
  /* Continuous time for the load chart: repetitions restart at 0 µs. */
  gint64   rep_base_us;
  gint64   rep_last_us;
  guint    current_run;
  guint    current_rep;
  gboolean current_warmup;
  gboolean current_async;
  gboolean running;
  gboolean seen_rep;
  /* Stop was pressed: tasks that end failed from now on were cut off. */
  gboolean stopping;
  /* The run ended by Stop (FINISHED flagged cancelled, or stop requested). */
  gboolean stopped;
  /* The repetition's clock against g_get_monotonic_time: the least (arrival
   * − event time) seen in this repetition, G_MAXINT64 before any. A long
   * block sends no event; this moves the in-flight bars to "now". */
  gint64 rep_offset_us;
};

G_DEFINE_FINAL_TYPE (IlLiveModel, il_live_model, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TASKS_DONE,
  PROP_TASKS_TOTAL,
  PROP_ELAPSED_US,
  PROP_RUNNING,
  PROP_STOPPED,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void
remove_tick (IlLiveModel *self)
{
  if (self->tick_id != 0 && self->ticking_widget != NULL)
    gtk_widget_remove_tick_callback (self->ticking_widget, self->tick_id);
  self->tick_id = 0;
  g_clear_weak_pointer (&self->ticking_widget);
}

static void
il_live_model_dispose (GObject *object)
{
  IlLiveModel *self = (IlLiveModel *) object;

  remove_tick (self);
  g_clear_object (&self->runner);
  g_clear_pointer (&self->queue, il_event_queue_unref);

  G_OBJECT_CLASS (il_live_model_parent_class)->dispose (object);
}

static void
il_live_model_finalize (GObject *object)
{
  IlLiveModel *self = (IlLiveModel *) object;

  g_clear_pointer (&self->batch, g_array_unref);
  g_clear_pointer (&self->load, il_load_data_unref);
  g_clear_pointer (&self->timeline, il_timeline_data_unref);
  g_clear_pointer (&self->completion, il_completion_data_unref);
  g_clear_pointer (&self->lag, il_lag_data_unref);
  g_clear_pointer (&self->async_runs, g_array_unref);
  g_clear_pointer (&self->current_label, g_free);

  G_OBJECT_CLASS (il_live_model_parent_class)->finalize (object);
}

static void
il_live_model_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  IlLiveModel *self = IL_LIVE_MODEL (object);

  switch (prop_id)
    {
      case PROP_TASKS_DONE:
        g_value_set_uint64 (value, self->tasks_done);
        break;
      case PROP_TASKS_TOTAL:
        g_value_set_uint64 (value, self->tasks_total);
        break;
      case PROP_ELAPSED_US:
        g_value_set_int64 (value, self->elapsed_us);
        break;
      case PROP_RUNNING:
        g_value_set_boolean (value, self->running);
        break;
      case PROP_STOPPED:
        g_value_set_boolean (value, self->stopped);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_live_model_class_init (IlLiveModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = il_live_model_dispose;
  object_class->finalize = il_live_model_finalize;
  object_class->get_property = il_live_model_get_property;

  properties[PROP_TASKS_DONE] =
    g_param_spec_uint64 ("tasks-done", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TASKS_TOTAL] =
    g_param_spec_uint64 ("tasks-total", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ELAPSED_US] =
    g_param_spec_int64 ("elapsed-us", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STOPPED] =
    g_param_spec_boolean ("stopped", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * IlLiveModel::changed:
   *
   * At most once per frame, after a batch of events was applied.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
il_live_model_init (IlLiveModel *self)
{
  self->batch = g_array_sized_new (FALSE, FALSE, sizeof (IlEvent), 4096);
  self->load = il_load_data_new ();
  self->timeline = il_timeline_data_new ();
  self->completion = il_completion_data_new ();
  self->lag = il_lag_data_new ();
  self->rep_offset_us = G_MAXINT64;
}

IlLiveModel *
il_live_model_new (void)
{
  return g_object_new (IL_TYPE_LIVE_MODEL, NULL);
}

static void
set_running (IlLiveModel *self,
             gboolean     running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_stopped (IlLiveModel *self,
             gboolean     stopped)
{
  if (self->stopped == stopped)
    return;
  self->stopped = stopped;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOPPED]);
}

static void
set_elapsed (IlLiveModel *self,
             gint64       elapsed_us)
{
  if (self->elapsed_us == elapsed_us)
    return;
  self->elapsed_us = elapsed_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELAPSED_US]);
}

static void
set_total (IlLiveModel *self,
           guint64      total)
{
  if (self->tasks_total == total)
    return;
  self->tasks_total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_TOTAL]);
}

void
il_live_model_reset (IlLiveModel *self)
{
  g_return_if_fail (IL_IS_LIVE_MODEL (self));

  il_load_data_reset (self->load);
  il_timeline_data_reset (self->timeline);
  il_completion_data_reset (self->completion);
  il_lag_data_reset (self->lag);
  g_clear_pointer (&self->current_label, g_free);
  self->current_async = FALSE;
  self->dropped_by_model = 0;
  self->rep_base_us = 0;
  self->rep_last_us = 0;
  self->current_run = 0;
  self->current_rep = 0;
  self->current_warmup = FALSE;
  self->seen_rep = FALSE;
  self->tasks_per_rep = 0;
  self->stopping = FALSE;
  self->rep_offset_us = G_MAXINT64;
  set_stopped (self, FALSE);
  if (self->tasks_done != 0)
    {
      self->tasks_done = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_DONE]);
    }
  set_total (self, 0);
  set_elapsed (self, 0);
}

static void
begin_repetition (IlLiveModel   *self,
                  const IlEvent *ev)
{
  /* The load chart's time axis runs on across repetitions: each starts where
   * the previous one's latest event was. */
  if (self->seen_rep)
    self->rep_base_us += self->rep_last_us;
  self->rep_last_us = 0;
  self->seen_rep = TRUE;
  self->rep_offset_us = G_MAXINT64;

  self->current_run = ev->run;
  self->current_rep = ev->rep;
  self->current_warmup = (ev->flags & IL_EVENT_FLAG_WARMUP) != 0;
  g_clear_pointer (&self->current_label, g_free);
  if (self->runner != NULL && ev->run < il_runner_get_n_runs (self->runner))
    self->current_label = g_strdup (il_runner_get_run_label (self->runner, ev->run));

  self->dropped_by_model += self->timeline->dropped;
  il_timeline_data_reset (self->timeline);
  il_timeline_data_set_title (self->timeline, self->current_label);
  if (self->runner != NULL)
    il_timeline_data_set_group_names (self->timeline, il_runner_get_experiment (self->runner));
  il_completion_data_reset (self->completion);
  self->completion->total = self->tasks_per_rep;
  il_lag_data_reset (self->lag);
  il_lag_data_set_title (self->lag, NULL);
  self->current_async = self->async_runs != NULL && ev->run < self->async_runs->len &&
                        g_array_index (self->async_runs, gboolean, ev->run);
}

void
il_live_model_apply (IlLiveModel   *self,
                     const IlEvent *events,
                     guint          n_events)
{
  guint64 done_before;
  gint64  now = g_get_monotonic_time ();

  g_return_if_fail (IL_IS_LIVE_MODEL (self));
  g_return_if_fail (events != NULL || n_events == 0);

  done_before = self->tasks_done;

  for (guint i = 0; i < n_events; i++)
    {
      const IlEvent *ev = &events[i];

      switch (ev->kind)
        {
          case IL_EVENT_RUN_START:
            if (ev->run_start.tasks_per_rep > 0)
              self->tasks_per_rep = ev->run_start.tasks_per_rep;
            break;

          case IL_EVENT_REP_START:
            begin_repetition (self, ev);
            break;

          case IL_EVENT_TASK_END:
            self->tasks_done++;
            self->rep_offset_us = MIN (self->rep_offset_us, now - ev->t_us);
            if (self->stopping && (ev->flags & IL_EVENT_FLAG_FAILED) != 0)
              {
                /* Cut off by Stop: cancelled, not failed. */
                IlEvent cut = *ev;

                /* Not a completion either: the task never finished. */
                cut.flags = (cut.flags & ~IL_EVENT_FLAG_FAILED) | IL_EVENT_FLAG_CANCELLED;
                il_timeline_data_apply (self->timeline, &cut);
              }
            else
              {
                il_completion_data_add (self->completion, ev->t_us,
                                        (ev->flags & IL_EVENT_FLAG_FAILED) != 0);
                il_timeline_data_apply (self->timeline, ev);
              }
            self->rep_last_us = MAX (self->rep_last_us, ev->t_us);
            break;

          case IL_EVENT_TASK_START:
          case IL_EVENT_BLOCK_START:
          case IL_EVENT_BLOCK_END:
          case IL_EVENT_GIL_WAIT:
          case IL_EVENT_GIL_HOLD:
            il_timeline_data_apply (self->timeline, ev);
            self->rep_last_us = MAX (self->rep_last_us, il_event_get_latest_us (ev));
            self->rep_offset_us = MIN (self->rep_offset_us, now - il_event_get_latest_us (ev));
            break;

          case IL_EVENT_CORE_SAMPLE:
            il_load_data_add (self->load, ev->core_sample.core, self->rep_base_us + ev->t_us,
                              ev->core_sample.busy_pct);
            self->rep_last_us = MAX (self->rep_last_us, ev->t_us);
            break;

          case IL_EVENT_OVERHEAD:
            il_load_data_add (self->load, -1, self->rep_base_us + ev->t_us, ev->overhead.cpu_pct);
            self->rep_last_us = MAX (self->rep_last_us, ev->t_us);
            break;

          case IL_EVENT_LOOP_LAG:
            /* Only the async executor has a loop to probe. */
            self->current_async = TRUE;
            il_lag_data_add (self->lag, ev->t_us, ev->loop_lag.lag_us);
            self->rep_last_us = MAX (self->rep_last_us, ev->t_us);
            break;

          case IL_EVENT_REP_END:
            /* t_us is the makespan: the repetition's true length. */
            self->rep_last_us = MAX (self->rep_last_us, ev->t_us);
            if (self->timeline->end_us < ev->t_us)
              self->timeline->end_us = ev->t_us;
            break;

          case IL_EVENT_FINISHED:
            if (self->start_time != 0)
              set_elapsed (self, g_get_monotonic_time () - self->start_time);
            if ((ev->flags & IL_EVENT_FLAG_CANCELLED) != 0)
              set_stopped (self, TRUE);
            set_running (self, FALSE);
            break;

          default:
            break;
        }
    }

  if (self->tasks_total == 0 && self->tasks_per_rep > 0)
    set_total (self, self->tasks_per_rep);
  if (self->tasks_done != done_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_DONE]);

  g_signal_emit (self, signals[CHANGED], 0);
}

static guint
drain (IlLiveModel *self)
{
  guint n;

  if (self->queue == NULL)
    return 0;
  g_array_set_size (self->batch, 0);
  n = il_event_queue_drain (self->queue, self->batch, 0);
  if (n > 0)
    il_live_model_apply (self, (const IlEvent *) (gpointer) self->batch->data, n);
  /* Do not keep a burst's worth of memory around for the rest of the run. */
  if (self->batch->len > 65536)
    {
      g_array_unref (self->batch);
      self->batch = g_array_sized_new (FALSE, FALSE, sizeof (IlEvent), 4096);
    }
  return n;
}

gboolean
il_live_model_advance (IlLiveModel *self,
                       gint64       now_us)
{
  IlTimelineData *timeline;
  gint64          t_us;

  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), FALSE);

  timeline = self->timeline;
  if (!self->running || self->rep_offset_us == G_MAXINT64 || timeline->n_finished >= timeline->tasks->len)
    return FALSE;
  t_us = now_us - self->rep_offset_us;
  if (t_us <= timeline->end_us)
    return FALSE;
  /* The bars of the tasks and blocks in flight end at end_us. */
  timeline->end_us = t_us;
  return TRUE;
}

static gboolean
il_live_model_tick_cb (GtkWidget     *widget,
                       GdkFrameClock *clock,
                       gpointer       user_data)
{
  IlLiveModel *self = IL_LIVE_MODEL (user_data);
  gboolean     advanced;

  /* Before the events: a batch moves end_us on by itself. */
  advanced = il_live_model_advance (self, g_get_monotonic_time ());
  if (drain (self) == 0 && advanced)
    g_signal_emit (self, signals[CHANGED], 0);
  if (self->running)
    set_elapsed (self, g_get_monotonic_time () - self->start_time);

  if (!self->running)
    {
      /* FINISHED arrived: nothing more will come. */
      self->tick_id = 0;
      g_clear_weak_pointer (&self->ticking_widget);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Which of the runner's expanded runs use the async executor, so that the
 * loop-latency chart shows from the start of such a run. */
static GArray *
expand_async_runs (IlRunner *runner)
{
  guint   n = il_runner_get_n_runs (runner);
  GArray *flags = g_array_sized_new (FALSE, FALSE, sizeof (gboolean), n);

  for (guint i = 0; i < n; i++)
    {
      gboolean async = il_runner_get_run_config (runner, i)->executor == IL_EXECUTOR_ASYNC;

      g_array_append_val (flags, async);
    }
  return flags;
}

void
il_live_model_start (IlLiveModel  *self,
                     IlRunner     *runner,
                     IlEventQueue *queue,
                     GtkWidget    *ticking_widget)
{
  g_return_if_fail (IL_IS_LIVE_MODEL (self));
  g_return_if_fail (runner == NULL || IL_IS_RUNNER (runner));
  g_return_if_fail (queue != NULL);
  g_return_if_fail (GTK_IS_WIDGET (ticking_widget));

  remove_tick (self);
  il_live_model_reset (self);

  g_set_object (&self->runner, runner);
  g_clear_pointer (&self->queue, il_event_queue_unref);
  self->queue = il_event_queue_ref (queue);

  g_clear_pointer (&self->async_runs, g_array_unref);
  if (runner != NULL)
    {
      self->async_runs = expand_async_runs (runner);
      self->tasks_per_rep = il_runner_get_tasks_per_repetition (runner);
      set_total (self, il_runner_get_total_tasks (runner));
    }

  self->start_time = g_get_monotonic_time ();
  set_running (self, TRUE);

  g_set_weak_pointer (&self->ticking_widget, ticking_widget);
  /* The widget keeps no reference on us: stop() or dispose removes the tick. */
  self->tick_id = gtk_widget_add_tick_callback (ticking_widget, il_live_model_tick_cb,
                                                self, NULL);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
il_live_model_stop (IlLiveModel *self)
{
  g_return_if_fail (IL_IS_LIVE_MODEL (self));

  drain (self);
  remove_tick (self);
  if (self->running && self->start_time != 0)
    set_elapsed (self, g_get_monotonic_time () - self->start_time);
  set_running (self, FALSE);
  g_signal_emit (self, signals[CHANGED], 0);
}

guint64
il_live_model_get_tasks_done (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), 0);
  return self->tasks_done;
}

guint64
il_live_model_get_tasks_total (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), 0);
  return self->tasks_total;
}

gint64
il_live_model_get_elapsed_us (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), 0);
  return self->elapsed_us;
}

gboolean
il_live_model_get_running (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), FALSE);
  return self->running;
}

void
il_live_model_request_stop (IlLiveModel *self)
{
  g_return_if_fail (IL_IS_LIVE_MODEL (self));

  /* What ended before Stop ended on its own. */
  drain (self);
  self->stopping = TRUE;
  set_stopped (self, TRUE);
}

gboolean
il_live_model_get_stopped (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), FALSE);
  return self->stopped;
}

guint
il_live_model_get_current_run (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), 0);
  return self->current_run;
}

const char *
il_live_model_get_current_label (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), NULL);
  return self->current_label;
}

guint
il_live_model_get_current_rep (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), 0);
  return self->current_rep;
}

gboolean
il_live_model_get_current_warmup (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), FALSE);
  return self->current_warmup;
}

guint64
il_live_model_get_dropped (IlLiveModel *self)
{
  guint64 dropped;

  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), 0);
  dropped = self->dropped_by_model + self->timeline->dropped;
  if (self->queue != NULL)
    dropped += il_event_queue_get_dropped (self->queue);
  return dropped;
}

IlLoadData *
il_live_model_get_load (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), NULL);
  return self->load;
}

IlTimelineData *
il_live_model_get_timeline (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), NULL);
  return self->timeline;
}

IlCompletionData *
il_live_model_get_completion (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), NULL);
  return self->completion;
}

IlLagData *
il_live_model_get_lag (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), NULL);
  return self->lag;
}

gboolean
il_live_model_get_current_async (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), FALSE);
  return self->current_async;
}

IlRunner *
il_live_model_get_runner (IlLiveModel *self)
{
  g_return_val_if_fail (IL_IS_LIVE_MODEL (self), NULL);
  return self->runner;
}
