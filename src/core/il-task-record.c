/* il-task-record.c — a task's record: its compact storage, copy and equality
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A record keeps times in 32 bits where they fit and the rest exactly in its
 * wide times (il-results.h explains the layout). Equality compares records
 * as they are written (il-results-write.c): state times only where valid, a
 * block's time to first byte only for HTTP.
 */

#include <string.h>

#include "il-results.h"

/* State times */

static gboolean
state_equal (const IlStateTimes *a,
             const IlStateTimes *b)
{
  /* Only valid accounting is written. */
  if (!a->valid || !b->valid)
    return !a->valid && !b->valid;

  return a->running == b->running &&
         a->ready == b->ready &&
         a->blocked == b->blocked &&
         MAX (a->gil_wait, 0) == MAX (b->gil_wait, 0) &&
         MAX (a->lock_wait, 0) == MAX (b->lock_wait, 0);
}

/* Task records */

G_STATIC_ASSERT (sizeof (IlBlockStored) <= IL_BLOCK_STORED_MAX_BYTES);
G_STATIC_ASSERT (sizeof (IlTaskRecord) <= IL_TASK_RECORD_MAX_BYTES);

static IlTaskExtra *
task_extra (IlTaskRecord *rec)
{
  if (rec->extra_ == NULL)
    {
      rec->extra_ = g_new0 (IlTaskExtra, 1);
      rec->extra_->spawn_us = -1;
      rec->extra_->marshal_us = -1;
    }
  return rec->extra_;
}

/* The wide times at @i (0: the task, 1 + b: block b), made if need be. */
static IlWideTimes *
task_wide (IlTaskRecord *rec,
           guint         i)
{
  IlTaskExtra *extra = task_extra (rec);

  if (i >= extra->n_wide)
    {
      extra->wide = g_renew (IlWideTimes, extra->wide, i + 1);
      memset (extra->wide + extra->n_wide, 0, (i + 1 - extra->n_wide) * sizeof (IlWideTimes));
      extra->n_wide = i + 1;
    }
  return &extra->wide[i];
}

void
il_task_record_set_state (IlTaskRecord       *rec,
                          const IlStateTimes *state)
{
  if (il_state_times_pack (state, &rec->state_))
    rec->flags_ = state->valid ? IL_TASK_RECORD_VALID : 0;
  else
    {
      IlWideTimes *w = task_wide (rec, 0);

      w->state = *state;
      w->state.valid = state->valid != FALSE;
      rec->flags_ = IL_TASK_RECORD_WIDE;
    }
}

static IlBlockStored *
stored_block (IlTaskRecord *rec,
              guint         i)
{
  return i == 0 ? &rec->block0_ : &rec->more_[i - 1];
}

/* Whether @b - @a is within @min … @max (no overflow on the way); the
 * difference in @out. */
static gboolean
diff_within (gint64  a,
             gint64  b,
             gint64  min,
             gint64  max,
             gint64 *out)
{
  if (b >= a ? (guint64) b - (guint64) a > (guint64) max : (guint64) a - (guint64) b > (guint64) -min)
    return FALSE;
  *out = b - a;
  return TRUE;
}

/* Stores @block as block @i (its segments pointer as is): in 32 bits where
 * its times fit (a block's length up to 71 minutes, its first byte within
 * ±35 minutes of its start, states up to 71 minutes each), else exactly in
 * the task's wide times. */
static void
block_store (IlTaskRecord        *rec,
             guint                i,
             const IlBlockRecord *block)
{
  IlBlockStored *s = stored_block (rec, i);
  gint64         dur = 0, ttfb = 0;
  gboolean       fits;

  memset (s, 0, sizeof *s);
  s->start_us = block->start_us;
  s->segments = block->segments;
  s->type = (guint8) block->type;
  fits = il_state_times_pack (&block->state, &s->state) &&
         diff_within (block->start_us, block->end_us, 0, G_MAXUINT32, &dur) &&
         (block->ttfb_us == -1 || diff_within (block->start_us, block->ttfb_us, G_MININT32 + 1, G_MAXINT32, &ttfb));
  if (fits)
    {
      s->dur_us = (guint32) dur;
      s->ttfb_off = block->ttfb_us == -1 ? G_MININT32 : (gint32) ttfb;
      s->flags = block->state.valid ? IL_TASK_RECORD_VALID : 0;
    }
  else
    {
      IlWideTimes *w = task_wide (rec, 1 + i);

      w->start_us = block->start_us;
      w->end_us = block->end_us;
      w->ttfb_us = block->ttfb_us;
      w->state = block->state;
      w->state.valid = block->state.valid != FALSE;
      s->flags = IL_TASK_RECORD_WIDE;
    }
}

void
il_task_record_set_block (IlTaskRecord        *rec,
                          guint                i,
                          const IlBlockRecord *block)
{
  IlBlockStored *s;

  g_return_if_fail (i < rec->n_blocks);
  s = stored_block (rec, i);
  if (s->segments != block->segments)
    g_free (s->segments);
  block_store (rec, i, block);
}

void
il_task_record_reserve_blocks (IlTaskRecord *rec,
                               guint         n)
{
  guint extra = n > 1 ? n - 1 : 0;

  g_return_if_fail (n <= G_MAXUINT8);
  if (extra <= rec->more_alloc_)
    return;
  rec->more_ = g_renew (IlBlockStored, rec->more_, extra);
  rec->more_alloc_ = (guint8) extra;
}

void
il_task_record_add_block (IlTaskRecord        *rec,
                          const IlBlockRecord *block)
{
  g_return_if_fail (rec->n_blocks < G_MAXUINT8);
  if (rec->n_blocks > rec->more_alloc_)
    il_task_record_reserve_blocks (rec, MAX (2u, MIN (2u * rec->n_blocks, (guint) G_MAXUINT8)));
  block_store (rec, rec->n_blocks, block);
  rec->n_blocks++;
}

void
il_task_record_truncate_blocks (IlTaskRecord *rec,
                                guint         n)
{
  while (rec->n_blocks > n)
    {
      rec->n_blocks--;
      g_clear_pointer (&stored_block (rec, rec->n_blocks)->segments, g_free);
    }
}

void
il_task_record_disown_segments (IlTaskRecord *rec)
{
  for (guint i = 0; i < rec->n_blocks; i++)
    stored_block (rec, i)->segments = NULL;
}

void
il_task_record_take_blocks (IlTaskRecord *dest,
                            IlTaskRecord *src)
{
  il_task_record_truncate_blocks (dest, 0);
  g_free (dest->more_);
  dest->block0_ = src->block0_;
  dest->more_ = g_steal_pointer (&src->more_);
  dest->n_blocks = src->n_blocks;
  dest->more_alloc_ = src->more_alloc_;
  for (guint i = 0; i < dest->n_blocks; i++)
    if (stored_block (dest, i)->flags & IL_TASK_RECORD_WIDE)
      *task_wide (dest, 1 + i) = src->extra_->wide[1 + i];
  src->n_blocks = 0;
  src->more_alloc_ = 0;
}

static void
task_extra_free (IlTaskExtra *extra)
{
  g_free (extra->host);
  g_free (extra->error);
  g_free (extra->wide);
  g_free (extra);
}

void
il_task_record_take_host (IlTaskRecord *rec,
                          char         *host)
{
  if (host == NULL && rec->extra_ == NULL)
    return;
  g_free (task_extra (rec)->host);
  rec->extra_->host = host;
}

void
il_task_record_take_error (IlTaskRecord *rec,
                           char         *error)
{
  if (error == NULL && rec->extra_ == NULL)
    return;
  g_free (task_extra (rec)->error);
  rec->extra_->error = error;
}

void
il_task_record_set_rank (IlTaskRecord *rec,
                         gint          rank)
{
  if (rank != 0 || rec->extra_ != NULL)
    task_extra (rec)->rank = rank;
}

void
il_task_record_set_spawn_us (IlTaskRecord *rec,
                             gint32        spawn_us)
{
  if (spawn_us != -1 || rec->extra_ != NULL)
    task_extra (rec)->spawn_us = spawn_us;
}

void
il_task_record_set_marshal_us (IlTaskRecord *rec,
                               gint32        marshal_us)
{
  if (marshal_us != -1 || rec->extra_ != NULL)
    task_extra (rec)->marshal_us = marshal_us;
}

void
il_task_record_clear (IlTaskRecord *rec)
{
  if (rec == NULL)
    return;

  il_task_record_truncate_blocks (rec, 0);
  g_clear_pointer (&rec->more_, g_free);
  rec->more_alloc_ = 0;
  g_clear_pointer (&rec->extra_, task_extra_free);
}

void
il_task_record_copy (IlTaskRecord       *dest,
                     const IlTaskRecord *src)
{
  *dest = *src;
  dest->more_ = NULL;
  dest->more_alloc_ = 0;
  dest->n_blocks = 0;
  dest->extra_ = NULL;
  if (src->extra_ != NULL)
    {
      dest->extra_ = g_memdup2 (src->extra_, sizeof *src->extra_);
      dest->extra_->host = g_strdup (src->extra_->host);
      dest->extra_->error = g_strdup (src->extra_->error);
      dest->extra_->wide = g_memdup2 (src->extra_->wide, src->extra_->n_wide * sizeof (IlWideTimes));
    }
  il_task_record_reserve_blocks (dest, src->n_blocks);
  for (guint i = 0; i < src->n_blocks; i++)
    {
      IlBlockRecord br = il_task_record_block (src, i);

      br.segments = il_state_segments_copy (br.segments);
      il_task_record_add_block (dest, &br);
    }
}

static gint64
block_ttfb_written (const IlBlockRecord *block)
{
  return block->type == IL_BLOCK_HTTP && block->ttfb_us >= 0 ? block->ttfb_us : -1;
}

static gboolean
block_record_equal (const IlBlockRecord *a,
                    const IlBlockRecord *b)
{
  return a->type == b->type &&
         a->start_us == b->start_us &&
         a->end_us == b->end_us &&
         block_ttfb_written (a) == block_ttfb_written (b) &&
         state_equal (&a->state, &b->state) &&
         il_state_segments_equal (a->segments, b->segments);
}

gboolean
il_task_record_equal (const IlTaskRecord *a,
                      const IlTaskRecord *b)
{
  guint        n_a = a->n_blocks;
  guint        n_b = b->n_blocks;
  IlStateTimes state_a = il_task_record_state (a);
  IlStateTimes state_b = il_task_record_state (b);

  if (a->group != b->group || a->index != b->index ||
      a->worker != b->worker || a->pid != b->pid || a->tid != b->tid ||
      a->cpu_start != b->cpu_start || a->cpu_end != b->cpu_end ||
      a->queued_us != b->queued_us || a->start_us != b->start_us ||
      a->end_us != b->end_us ||
      MAX (il_task_record_spawn_us (a), -1) != MAX (il_task_record_spawn_us (b), -1) ||
      g_strcmp0 (il_task_record_host (a), il_task_record_host (b)) != 0 ||
      (il_task_record_host (a) != NULL && il_task_record_rank (a) != il_task_record_rank (b)) ||
      MAX (il_task_record_marshal_us (a), -1) != MAX (il_task_record_marshal_us (b), -1) ||
      a->checksum != b->checksum ||
      !state_equal (&state_a, &state_b) ||
      !a->failed != !b->failed ||
      (a->failed && g_strcmp0 (il_task_record_error (a), il_task_record_error (b)) != 0) ||
      n_a != n_b)
    return FALSE;

  for (guint i = 0; i < n_a; i++)
    {
      IlBlockRecord block_a = il_task_record_block (a, i);
      IlBlockRecord block_b = il_task_record_block (b, i);

      if (!block_record_equal (&block_a, &block_b))
        return FALSE;
    }

  return TRUE;
}
