/* il-lag-data.h — event-loop latency for the loop-latency chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Event-loop latency of one repetition (async executor): how late each of
 * the loop's heartbeats fired. */

#define IL_CHART_MAX_LAG_SAMPLES 200000

typedef struct _IlLagData IlLagData;
struct _IlLagData
{
  GArray *samples; /* IlLagSample, in time order */
  gint64  end_us;  /* time axis extent (latest sample or the makespan) */
  gint64  max_lag_us;
  guint64 dropped; /* not kept because of the cap */
  char   *title;   /* nullable: e.g. the run's label */
};

IlLagData *il_lag_data_new (void);
IlLagData *il_lag_data_ref (IlLagData *data);
void       il_lag_data_unref (IlLagData *data);
void       il_lag_data_reset (IlLagData *data);
void       il_lag_data_add (IlLagData *data,
                            gint64     t_us,
                            gint64     lag_us);
/* Fills from a repetition's loop_lag (resets first). */
void il_lag_data_set_repetition (IlLagData          *data,
                                 const IlRepetition *rep);
void il_lag_data_set_title (IlLagData  *data,
                            const char *title);
/* The @percentile (0 … 100) of the lags, in µs, as il_stats_percentile()
 * computes it (R-7, like the results' latency p95); 0 when empty. */
gint64 il_lag_data_percentile (const IlLagData *data,
                               double           percentile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlLagData, il_lag_data_unref)

G_END_DECLS
