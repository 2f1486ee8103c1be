/* il-completion-data.c — completion times for the completion chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "il-chart-data.h"

static void
il_completion_data_free (gpointer data)
{
  IlCompletionData *self = data;

  g_clear_pointer (&self->end_us, g_array_unref);
}

IlCompletionData *
il_completion_data_new (void)
{
  IlCompletionData *self = g_atomic_rc_box_new0 (IlCompletionData);

  self->end_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->sorted = TRUE;
  return self;
}

IlCompletionData *
il_completion_data_ref (IlCompletionData *data)
{
  return g_atomic_rc_box_acquire (data);
}

void
il_completion_data_unref (IlCompletionData *data)
{
  g_atomic_rc_box_release_full (data, il_completion_data_free);
}

void
il_completion_data_reset (IlCompletionData *data)
{
  g_array_set_size (data->end_us, 0);
  data->n_failed = 0;
  data->total = 0;
  data->sorted = TRUE;
}

void
il_completion_data_add (IlCompletionData *data,
                        gint64            end_us,
                        gboolean          failed)
{
  if (data->end_us->len >= IL_CHART_MAX_TASKS)
    return;
  if (data->end_us->len > 0 &&
      g_array_index (data->end_us, gint64, data->end_us->len - 1) > end_us)
    data->sorted = FALSE;
  g_array_append_val (data->end_us, end_us);
  if (failed)
    data->n_failed++;
}

static int
cmp_i64 (gconstpointer a,
         gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

void
il_completion_data_sort (IlCompletionData *data)
{
  gint64 *v = (gint64 *) (gpointer) data->end_us->data;
  guint   n = data->end_us->len;

  if (data->sorted)
    return;
  /* Events from several workers arrive nearly in order: insertion sort is
   * linear then; fall back to qsort when it is not. */
  if (n < 64)
    {
      for (guint i = 1; i < n; i++)
        {
          gint64 x = v[i];
          guint  j = i;

          while (j > 0 && v[j - 1] > x)
            {
              v[j] = v[j - 1];
              j--;
            }
          v[j] = x;
        }
    }
  else
    {
      g_array_sort (data->end_us, cmp_i64);
    }
  data->sorted = TRUE;
}
