/* il-load-data.h — per-core load the load chart draws
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"

G_BEGIN_DECLS

/* Per-core load: a ring of (time, busy %) per core, plus Interleave's own
 * CPU share. Time is continuous over repetitions (µs since the first
 * repetition started). */

typedef struct
{
  gint64 t_us;
  float  value;
} IlLoadPoint;

typedef struct
{
  IlLoadPoint *points; /* IL_CHART_LOAD_CAPACITY */
  guint        head;   /* next write position */
  guint        len;
} IlLoadRing;

/* An mpi run's host: its cores are data->cores[first_core ..
 * first_core + n_cores). */
typedef struct
{
  char *name;
  guint first_core;
  guint n_cores;
} IlLoadHost;

typedef struct _IlLoadData IlLoadData;
struct _IlLoadData
{
  GPtrArray *cores;     /* IlLoadRing*, index = core */
  GPtrArray *hosts;     /* IlLoadHost*: mpi runs' cores grouped by host; empty otherwise */
  IlLoadRing overhead;  /* % of one core */
  gint64     last_t_us; /* latest sample time */
  guint64    n_samples; /* core samples received (all cores) */
};

IlLoadData *il_load_data_new (void);
IlLoadData *il_load_data_ref (IlLoadData *data);
void        il_load_data_unref (IlLoadData *data);
void        il_load_data_reset (IlLoadData *data);
void        il_load_data_add (IlLoadData *data,
                              gint        core, /* -1: overhead */
                              gint64      t_us,
                              double      value);
guint       il_load_data_get_n_cores (const IlLoadData *data);
/* Replaces the data with a repetition's host_load (IlHostLoad*, mpi runs):
 * each host's cores one after the other, in the hosts' order, each sampled
 * on its host (time: µs since the repetition started). */
void il_load_data_set_host_load (IlLoadData      *data,
                                 const GPtrArray *host_load);
/* The @i-th oldest point of @ring (0 ≤ i < ring->len). */
const IlLoadPoint *il_load_ring_get (const IlLoadRing *ring,
                                     guint             i);
/* Latest value, NAN when empty. */
double il_load_ring_last (const IlLoadRing *ring);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IlLoadData, il_load_data_unref)

G_END_DECLS
