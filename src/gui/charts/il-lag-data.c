/* il-lag-data.c — event-loop latency for the loop-latency chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart-data.h"

#include <math.h>

#include "il-stats.h"

static void
il_lag_data_free (gpointer data)
{
  IlLagData *self = data;

  g_array_unref (self->samples);
  g_free (self->title);
}

IlLagData *
il_lag_data_new (void)
{
  IlLagData *self = g_atomic_rc_box_new0 (IlLagData);

  self->samples = g_array_new (FALSE, FALSE, sizeof (IlLagSample));
  return self;
}

IlLagData *
il_lag_data_ref (IlLagData *data)
{
  return g_atomic_rc_box_acquire (data);
}

void
il_lag_data_unref (IlLagData *data)
{
  g_atomic_rc_box_release_full (data, il_lag_data_free);
}

void
il_lag_data_reset (IlLagData *data)
{
  g_array_set_size (data->samples, 0);
  data->end_us = 0;
  data->max_lag_us = 0;
  data->dropped = 0;
}

void
il_lag_data_add (IlLagData *data,
                 gint64     t_us,
                 gint64     lag_us)
{
  IlLagSample sample = { t_us, MAX (lag_us, 0) };

  data->end_us = MAX (data->end_us, t_us);
  if (data->samples->len >= IL_CHART_MAX_LAG_SAMPLES)
    {
      data->dropped++;
      return;
    }
  g_array_append_val (data->samples, sample);
  data->max_lag_us = MAX (data->max_lag_us, sample.lag_us);
}

void
il_lag_data_set_repetition (IlLagData          *data,
                            const IlRepetition *rep)
{
  il_lag_data_reset (data);
  if (rep == NULL)
    return;
  for (guint i = 0; rep->loop_lag != NULL && i < rep->loop_lag->len; i++)
    {
      const IlLagSample *s = &g_array_index (rep->loop_lag, IlLagSample, i);

      il_lag_data_add (data, s->t_us, s->lag_us);
    }
  data->end_us = MAX (data->end_us, (gint64) (rep->makespan_ms * 1000.0));
}

void
il_lag_data_set_title (IlLagData  *data,
                       const char *title)
{
  g_free (data->title);
  data->title = g_strdup (title);
}

gint64
il_lag_data_percentile (const IlLagData *data,
                        double           percentile)
{
  g_autofree double *lags = NULL;
  guint              n = data->samples->len;

  if (n == 0)
    return 0;
  lags = g_new (double, n);
  for (guint i = 0; i < n; i++)
    lags[i] = (double) g_array_index (data->samples, IlLagSample, i).lag_us;
  /* The same p95 as the results' latency figures. */
  return (gint64) llround (il_stats_percentile (lags, n, CLAMP (percentile, 0, 100)));
}
