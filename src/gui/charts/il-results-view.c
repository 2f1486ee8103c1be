/* il-results-view.c — the results of an experiment as charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small multiples: each run's median repetition as a timeline, all on one
 * shared time axis (one IlTimeRange), so that a faster executor is visibly
 * shorter; zooming one zooms all. Then the comparison of runs and, for
 * sweeps, the scaling curve. Async runs add their event loop's latency
 * (median repetition), on one shared lag scale, so a loop stalled by whole
 * CPU blocks stands next to one that yields. Mpi runs add each host's
 * per-core load (median repetition), the cores grouped by host.
 */
#include "il-results-view.h"

#include <glib/gi18n.h>

#include "il-format.h"

#include <math.h>

#include "il-comparison-chart.h"
#include "il-lag-chart.h"
#include "il-load-chart.h"
#include "il-scaling-chart.h"
#include "il-time-range.h"
#include "il-timeline-chart.h"

struct _IlResultsView
{
  GtkWidget parent_instance;

  /* children */
  GtkWidget *timelines_heading;
  GtkWidget *timelines;
  GtkWidget *lag_heading;
  GtkWidget *lags;
  GtkWidget *loads_heading;
  GtkWidget *loads;
  GtkWidget *comparison;
  GtkWidget *scaling;

  /* owned */
  IlTimeRange *range;
  char        *export_title;   /* what an export says it shows */
  char        *export_caption; /* who measured, when */
};

G_DEFINE_FINAL_TYPE (IlResultsView, il_results_view, GTK_TYPE_WIDGET)

static void
il_results_view_dispose (GObject *object)
{
  IlResultsView *self = IL_RESULTS_VIEW (object);
  GtkWidget     *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->range);
  g_clear_pointer (&self->export_title, g_free);
  g_clear_pointer (&self->export_caption, g_free);

  G_OBJECT_CLASS (il_results_view_parent_class)->dispose (object);
}

static void
il_results_view_class_init (IlResultsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_results_view_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ilresultsview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
il_results_view_init (IlResultsView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  self->range = il_time_range_new ();

  self->timelines_heading = gtk_label_new (_("Timelines: the median repetition of each run, on one time axis (Ctrl+scroll or +/− to zoom, drag to pan)"));
  gtk_label_set_xalign (GTK_LABEL (self->timelines_heading), 0);
  gtk_label_set_wrap (GTK_LABEL (self->timelines_heading), TRUE);
  gtk_widget_add_css_class (self->timelines_heading, "dim-label");
  gtk_widget_set_visible (self->timelines_heading, FALSE);
  gtk_widget_set_parent (self->timelines_heading, GTK_WIDGET (self));

  self->timelines = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->timelines, GTK_WIDGET (self));

  self->lag_heading = gtk_label_new (_("Loop latency of the async runs: how late the event loop's heartbeat ran (a CPU block that does not yield holds the loop)"));
  gtk_label_set_xalign (GTK_LABEL (self->lag_heading), 0);
  gtk_label_set_wrap (GTK_LABEL (self->lag_heading), TRUE);
  gtk_widget_add_css_class (self->lag_heading, "dim-label");
  gtk_widget_set_visible (self->lag_heading, FALSE);
  gtk_widget_set_parent (self->lag_heading, GTK_WIDGET (self));

  self->lags = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->lags, GTK_WIDGET (self));

  self->loads_heading = gtk_label_new (_("Per-core load of the mpi runs: each host's cores, sampled on that host"));
  gtk_label_set_xalign (GTK_LABEL (self->loads_heading), 0);
  gtk_label_set_wrap (GTK_LABEL (self->loads_heading), TRUE);
  gtk_widget_add_css_class (self->loads_heading, "dim-label");
  gtk_widget_set_visible (self->loads_heading, FALSE);
  gtk_widget_set_parent (self->loads_heading, GTK_WIDGET (self));

  self->loads = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_parent (self->loads, GTK_WIDGET (self));

  self->comparison = il_comparison_chart_new ();
  gtk_widget_set_parent (self->comparison, GTK_WIDGET (self));

  self->scaling = il_scaling_chart_new ();
  gtk_widget_set_visible (self->scaling, FALSE);
  gtk_widget_set_parent (self->scaling, GTK_WIDGET (self));
}

GtkWidget *
il_results_view_new (void)
{
  return g_object_new (IL_TYPE_RESULTS_VIEW, NULL);
}

static gint64
add_timelines (IlResultsView      *self,
               const IlResults    *results,
               const IlExperiment *experiment,
               gboolean            recorded)
{
  gint64 extent = 0;

  if (results == NULL || results->runs == NULL)
    return 0;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult  *run = g_ptr_array_index (results->runs, i);
      const IlRepetition *rep = il_run_result_median_repetition (run);
      g_autoptr(IlTimelineData) data = NULL;
      g_autofree char *title = NULL;
      GtkWidget       *chart;

      if (rep == NULL || rep->tasks == NULL || rep->tasks->len == 0)
        continue;

      data = il_timeline_data_new ();
      /* The timeline reads the records where they are: it holds the
       * results (shared, never changed in place) instead of copying. */
      il_timeline_data_set_results_repetition (data, (IlResults *) results, rep, experiment);
      title = g_strdup_printf ("%s%s — %.1f ms%s", recorded ? _("recorded · ") : "",
                                                                 run->label != NULL ? run->label : _("run"), rep->makespan_ms, run->repetitions->len > 1 ? _(" (median repetition)") : "");
      il_timeline_data_set_title (data, title);

      chart = il_timeline_chart_new ();
      il_timeline_chart_set_range (IL_TIMELINE_CHART (chart), self->range);
      il_timeline_chart_set_data (IL_TIMELINE_CHART (chart), data);
      /* The legend once, on the first multiple, leaves room for the data. */
      il_timeline_chart_set_legend (IL_TIMELINE_CHART (chart),
                                    gtk_widget_get_first_child (self->timelines) == NULL);
      il_chart_set_title (IL_CHART (chart), title);
      il_chart_invalidate (IL_CHART (chart), TRUE);
      gtk_box_append (GTK_BOX (self->timelines), chart);
      extent = MAX (extent, data->end_us);
    }
  return extent;
}

/* One loop-latency chart per async run; returns the largest lag. */
static gint64
add_lags (IlResultsView   *self,
          const IlResults *results,
          gboolean         recorded)
{
  gint64 max_lag = 0;

  if (results == NULL || results->runs == NULL)
    return 0;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult  *run = g_ptr_array_index (results->runs, i);
      const IlRepetition *rep = il_run_result_median_repetition (run);
      g_autoptr(IlLagData) data = NULL;
      g_autofree char *title = NULL;
      GtkWidget       *chart;

      if (run->executor != IL_EXECUTOR_ASYNC || rep == NULL ||
          rep->loop_lag == NULL || rep->loop_lag->len == 0)
        continue;

      data = il_lag_data_new ();
      il_lag_data_set_repetition (data, rep);
      title = g_strdup_printf ("%s%s", recorded ? _("recorded · ") : "",
                                                     run->label != NULL ? run->label : "async");
      il_lag_data_set_title (data, title);

      chart = il_lag_chart_new ();
      il_lag_chart_set_data (IL_LAG_CHART (chart), data);
      {
        g_autofree char *name = g_strdup_printf (_("Loop latency: %s"), title);

        il_chart_set_title (IL_CHART (chart), name);
      }
      gtk_box_append (GTK_BOX (self->lags), chart);
      max_lag = MAX (max_lag, data->max_lag_us);
    }
  return max_lag;
}

/* One per-core load chart per mpi run that has its hosts' load. */
static void
add_loads (IlResultsView   *self,
           const IlResults *results,
           gboolean         recorded)
{
  if (results == NULL || results->runs == NULL)
    return;

  for (guint i = 0; i < results->runs->len; i++)
    {
      const IlRunResult  *run = g_ptr_array_index (results->runs, i);
      const IlRepetition *rep = il_run_result_median_repetition (run);
      g_autoptr(IlLoadData) data = NULL;
      g_autofree char *title = NULL;
      GtkWidget       *chart;

      if (run->executor != IL_EXECUTOR_MPI || rep == NULL || rep->host_load == NULL || rep->host_load->len == 0)
        continue;

      data = il_load_data_new ();
      il_load_data_set_host_load (data, rep->host_load);
      title = g_strdup_printf (_("Per-core load: %s%s"), recorded ? _("recorded · ") : "",
                                                                        run->label != NULL ? run->label : "mpi");
      chart = il_load_chart_new ();
      il_load_chart_set_data (IL_LOAD_CHART (chart), data);
      /* The whole repetition, not the live chart's last seconds. */
      il_load_chart_set_window (IL_LOAD_CHART (chart), MAX (data->last_t_us, G_USEC_PER_SEC));
      il_chart_set_title (IL_CHART (chart), title);
      gtk_box_append (GTK_BOX (self->loads), chart);
    }
}

void
il_results_view_set_results (IlResultsView      *self,
                             const IlResults    *mine,
                             const IlResults    *recorded,
                             const IlExperiment *experiment)
{
  GtkWidget *child;
  gint64     extent, recorded_extent;

  g_return_if_fail (IL_IS_RESULTS_VIEW (self));

  g_free (self->export_title);
  self->export_title = il_format_export_title (mine != NULL ? mine : recorded);
  g_free (self->export_caption);
  self->export_caption = il_format_export_caption (mine, recorded);

  while ((child = gtk_widget_get_first_child (self->timelines)) != NULL)
    gtk_box_remove (GTK_BOX (self->timelines), child);

  il_time_range_reset (self->range);
  extent = add_timelines (self, mine, experiment, FALSE);
  /* Not inside MAX (): it would add the timelines twice. */
  recorded_extent = add_timelines (self, recorded, experiment, TRUE);
  extent = MAX (extent, recorded_extent);
  il_time_range_set_extent (self->range, extent);
  gtk_widget_set_visible (self->timelines_heading,
                          gtk_widget_get_first_child (self->timelines) != NULL);

  while ((child = gtk_widget_get_first_child (self->lags)) != NULL)
    gtk_box_remove (GTK_BOX (self->lags), child);
  {
    gint64 max_lag = add_lags (self, mine, FALSE);
    gint64 recorded_max = add_lags (self, recorded, TRUE);

    max_lag = MAX (max_lag, recorded_max);
    /* One scale for all: the stalled loop's spikes dwarf the sliced one's. */
    for (child = gtk_widget_get_first_child (self->lags); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        il_lag_chart_set_min_y_max (IL_LAG_CHART (child), max_lag);
        il_chart_invalidate (IL_CHART (child), TRUE);
      }
  }
  gtk_widget_set_visible (self->lag_heading, gtk_widget_get_first_child (self->lags) != NULL);

  while ((child = gtk_widget_get_first_child (self->loads)) != NULL)
    gtk_box_remove (GTK_BOX (self->loads), child);
  add_loads (self, mine, FALSE);
  add_loads (self, recorded, TRUE);
  gtk_widget_set_visible (self->loads_heading, gtk_widget_get_first_child (self->loads) != NULL);

  il_comparison_chart_set_results (IL_COMPARISON_CHART (self->comparison), mine, recorded,
                                   experiment != NULL ? experiment->settings.cpu_affinity : NULL);
  il_scaling_chart_set_results (IL_SCALING_CHART (self->scaling), mine, recorded,
                                experiment != NULL ? experiment->settings.cpu_affinity : NULL);
  gtk_widget_set_visible (self->scaling,
                          il_scaling_chart_get_n_series (IL_SCALING_CHART (self->scaling)) > 0);
}

gboolean
il_results_view_export (IlResultsView *self,
                        GFile         *file,
                        const char    *format,
                        GError       **error)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  int width;

  g_return_val_if_fail (IL_IS_RESULTS_VIEW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  for (GtkWidget *child = gtk_widget_get_first_child (self->timelines);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    g_ptr_array_add (charts, child);
  for (GtkWidget *child = gtk_widget_get_first_child (self->lags);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    g_ptr_array_add (charts, child);
  for (GtkWidget *child = gtk_widget_get_first_child (self->loads);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    g_ptr_array_add (charts, child);
  g_ptr_array_add (charts, self->comparison);
  if (gtk_widget_get_visible (self->scaling))
    g_ptr_array_add (charts, self->scaling);

  width = gtk_widget_get_width (GTK_WIDGET (self));
  if (width <= 0)
    width = 900;
  /* A picture shown elsewhere still says what it is and who measured. */
  return il_chart_export_stack_captioned (charts, width, il_chart_get_colors (IL_CHART (self->comparison)),
                                          self->export_title != NULL ? self->export_title : "Interleave",
                                          self->export_caption, file, format, error);
}
