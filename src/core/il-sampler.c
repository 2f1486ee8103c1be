/* il-sampler.c — per-core load sampled from /proc/stat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sampler is Interleave observing itself too: it runs on its own thread,
 * not confined to the run's CPU affinity, and its CPU time is reported as
 * part of overhead_cpu_ms.
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-error.h"
#include "il-sampler.h"
#include "il-schedstat.h"

#define MAX_CORES 1024

struct _IlSampler
{
  IlRunContext *ctx;
  GThread      *thread;
  GMutex        mutex;
  GCond         cond;
  gboolean      stop;
  guint         hz;
  GPtrArray    *series; /* GArray<float> per core */
  gint64        cpu_ns;
};

guint
il_proc_stat_read (guint64 *busy,
                   guint64 *total,
                   guint    max_cores)
{
  char    buf[64 * 1024];
  ssize_t n;
  int     fd;
  guint   cores = 0;
  char   *line;

  fd = open ("/proc/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return 0;
  buf[n] = '\0';

  line = buf;
  while (line != NULL && *line != '\0')
    {
      char *next = strchr (line, '\n');

      if (next != NULL)
        *next++ = '\0';
      if (g_str_has_prefix (line, "cpu") && g_ascii_isdigit (line[3]))
        {
          char   *p = line + 3;
          guint64 idx = g_ascii_strtoull (p, &p, 10);
          guint64 v[10] = { 0 };

          for (guint i = 0; i < G_N_ELEMENTS (v) && *p != '\0'; i++)
            v[i] = g_ascii_strtoull (p, &p, 10);
          if (idx < max_cores)
            {
              /* user nice system idle iowait irq softirq steal (guest time
               * is already inside user). */
              guint64 t = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
              busy[idx] = t - v[3] - v[4];
              total[idx] = t;
              cores = MAX (cores, (guint) idx + 1);
            }
        }
      else if (cores > 0)
        break; /* the cpuN lines come first and together */
      line = next;
    }
  return cores;
}

static gpointer
il_sampler_worker (gpointer data)
{
  IlSampler          *self = data;
  IlRunContext       *ctx = self->ctx;
  g_autofree guint64 *busy0 = g_new0 (guint64, MAX_CORES);
  g_autofree guint64 *total0 = g_new0 (guint64, MAX_CORES);
  g_autofree guint64 *busy1 = g_new0 (guint64, MAX_CORES);
  g_autofree guint64 *total1 = g_new0 (guint64, MAX_CORES);
  gint64              period = G_USEC_PER_SEC / self->hz;
  gint64              next = g_get_monotonic_time () + period;
  gint64              last_overhead_ns = 0;
  gint64              last_t = g_get_monotonic_time ();
  guint               cores;

  cores = il_proc_stat_read (busy0, total0, MAX_CORES);
  for (guint c = 0; c < cores; c++)
    g_ptr_array_add (self->series, g_array_new (FALSE, FALSE, sizeof (float)));

  g_mutex_lock (&self->mutex);
  while (!self->stop)
    {
      guint  n;
      gint64 now;

      if (g_cond_wait_until (&self->cond, &self->mutex, next))
        continue; /* woken: re-check stop (spurious wake-ups are fine) */
      if (self->stop)
        break;
      next += period;
      now = g_get_monotonic_time ();
      if (next < now)
        next = now + period; /* overslept (a loaded machine): don't burst */
      g_mutex_unlock (&self->mutex);

      n = MIN (il_proc_stat_read (busy1, total1, MAX_CORES), cores);
      for (guint c = 0; c < n; c++)
        {
          guint64 dt = total1[c] - total0[c];
          float   pct = dt > 0 ? (float) (100.0 * (double) (busy1[c] - busy0[c]) / (double) dt) : 0.f;

          pct = CLAMP (pct, 0.f, 100.f);
          g_array_append_val (g_ptr_array_index (self->series, c), pct);
          if (ctx->events != NULL)
            {
              IlEvent ev = il_event_core_sample (now - ctx->t0, (gint) c, pct);

              ev.run = ctx->run;
              ev.rep = ctx->rep;
              il_event_queue_push (ctx->events, &ev);
            }
          busy0[c] = busy1[c];
          total0[c] = total1[c];
        }

      if (ctx->events != NULL)
        {
          IlEvent ev;
          gint64  overhead_ns;

          g_mutex_lock (&ctx->lock);
          overhead_ns = ctx->overhead_ns;
          g_mutex_unlock (&ctx->lock);
          overhead_ns += il_thread_cpu_ns ();
          ev = il_event_overhead (now - ctx->t0,
                                  now > last_t ? 100.0 * (double) (overhead_ns - last_overhead_ns) / 1000.0 / (double) (now - last_t) : 0.0);
          ev.run = ctx->run;
          ev.rep = ctx->rep;
          il_event_queue_push (ctx->events, &ev);
          last_overhead_ns = overhead_ns;
          last_t = now;
        }

      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);

  self->cpu_ns = il_thread_cpu_ns ();
  return NULL;
}

IlSampler *
il_sampler_start (IlRunContext *ctx,
                  GError      **error)
{
  IlSampler *self = g_new0 (IlSampler, 1);
  GError    *local_error = NULL;

  self->ctx = ctx;
  self->hz = CLAMP (ctx->experiment->settings.sample_hz, 1, 100);
  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->thread = g_thread_try_new ("il-sampler", il_sampler_worker, self, &local_error);
  if (self->thread == NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
                   _("Could not start the load sampler's thread: %s"), local_error->message);
      g_error_free (local_error);
      g_ptr_array_unref (self->series);
      g_mutex_clear (&self->mutex);
      g_cond_clear (&self->cond);
      g_free (self);
      return NULL;
    }
  return self;
}

gint64
il_sampler_stop (IlSampler *self)
{
  IlRepetition *rep = self->ctx->repetition;
  gint64        cpu_ns;

  g_mutex_lock (&self->mutex);
  self->stop = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (self->thread);

  rep->load_hz = self->hz;
  g_clear_pointer (&rep->core_load, g_ptr_array_unref);
  rep->core_load = g_steal_pointer (&self->series);
  cpu_ns = self->cpu_ns;

  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
  return cpu_ns;
}
