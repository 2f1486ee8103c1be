/* il-load-data.c — per-core load the load chart draws
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart-data.h"

#include <math.h>

static void
il_load_ring_init (IlLoadRing *ring)
{
  ring->points = g_new0 (IlLoadPoint, IL_CHART_LOAD_CAPACITY);
  ring->head = 0;
  ring->len = 0;
}

static void
il_load_ring_free (gpointer data)
{
  IlLoadRing *ring = data;

  g_free (ring->points);
  g_free (ring);
}

static void
il_load_ring_push (IlLoadRing *ring,
                   gint64      t_us,
                   double      value)
{
  ring->points[ring->head].t_us = t_us;
  ring->points[ring->head].value = (float) value;
  ring->head = (ring->head + 1) % IL_CHART_LOAD_CAPACITY;
  if (ring->len < IL_CHART_LOAD_CAPACITY)
    ring->len++;
}

const IlLoadPoint *
il_load_ring_get (const IlLoadRing *ring,
                  guint             i)
{
  guint start;

  g_assert (i < ring->len);
  start = (ring->head + IL_CHART_LOAD_CAPACITY - ring->len) % IL_CHART_LOAD_CAPACITY;
  return &ring->points[(start + i) % IL_CHART_LOAD_CAPACITY];
}

double
il_load_ring_last (const IlLoadRing *ring)
{
  if (ring->len == 0)
    return NAN;
  return il_load_ring_get (ring, ring->len - 1)->value;
}

static void
il_load_host_free (gpointer data)
{
  IlLoadHost *host = data;

  g_free (host->name);
  g_free (host);
}

static void
il_load_data_free (gpointer data)
{
  IlLoadData *self = data;

  g_clear_pointer (&self->cores, g_ptr_array_unref);
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  g_free (self->overhead.points);
}

IlLoadData *
il_load_data_new (void)
{
  IlLoadData *self = g_atomic_rc_box_new0 (IlLoadData);

  self->cores = g_ptr_array_new_with_free_func (il_load_ring_free);
  self->hosts = g_ptr_array_new_with_free_func (il_load_host_free);
  il_load_ring_init (&self->overhead);
  return self;
}

IlLoadData *
il_load_data_ref (IlLoadData *data)
{
  return g_atomic_rc_box_acquire (data);
}

void
il_load_data_unref (IlLoadData *data)
{
  g_atomic_rc_box_release_full (data, il_load_data_free);
}

void
il_load_data_reset (IlLoadData *data)
{
  g_ptr_array_set_size (data->cores, 0);
  g_ptr_array_set_size (data->hosts, 0);
  data->overhead.head = data->overhead.len = 0;
  data->last_t_us = 0;
  data->n_samples = 0;
}

void
il_load_data_add (IlLoadData *data,
                  gint        core,
                  gint64      t_us,
                  double      value)
{
  if (!isfinite (value))
    return;

  if (core < 0)
    {
      il_load_ring_push (&data->overhead, t_us, value);
    }
  else
    {
      if (core >= IL_CHART_MAX_CORES)
        return;
      while (data->cores->len <= (guint) core)
        {
          IlLoadRing *ring = g_new0 (IlLoadRing, 1);

          il_load_ring_init (ring);
          g_ptr_array_add (data->cores, ring);
        }
      il_load_ring_push (g_ptr_array_index (data->cores, core), t_us,
                         CLAMP (value, 0.0, 100.0));
      data->n_samples++;
    }
  data->last_t_us = MAX (data->last_t_us, t_us);
}

guint
il_load_data_get_n_cores (const IlLoadData *data)
{
  return data->cores->len;
}

void
il_load_data_set_host_load (IlLoadData      *data,
                            const GPtrArray *host_load)
{
  guint first = 0;

  il_load_data_reset (data);
  if (host_load == NULL)
    return;
  for (guint h = 0; h < host_load->len; h++)
    {
      const IlHostLoad *load = g_ptr_array_index (host_load, h);
      IlLoadHost       *host = g_new0 (IlLoadHost, 1);
      guint             hz = MAX (load->hz, 1);

      host->name = g_strdup (load->host);
      host->first_core = first;
      for (guint c = 0; c < load->cores->len && first + c < IL_CHART_MAX_CORES; c++)
        {
          GArray *samples = g_ptr_array_index (load->cores, c);

          /* A core without samples still has its place. */
          while (data->cores->len <= first + c)
            {
              IlLoadRing *ring = g_new0 (IlLoadRing, 1);

              il_load_ring_init (ring);
              g_ptr_array_add (data->cores, ring);
            }
          for (guint i = 0; i < samples->len; i++)
            il_load_data_add (data, (gint) (first + c), (gint64) i * G_USEC_PER_SEC / hz,
                              g_array_index (samples, float, i));
          host->n_cores++;
        }
      first += host->n_cores;
      g_ptr_array_add (data->hosts, host);
    }
}
