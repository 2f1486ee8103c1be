/* il-state-track.c — a block's states in time order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kernel's accounting (il-schedstat.h) says how long a block was
 * running, ready or blocked, but not when. The executors know some of the
 * moments themselves: when a thread waited for the simulated GIL, for a
 * counter's lock, or for the event loop to get back to it. They record
 * them here as segments, so that a strip can be drawn in time order.
 *
 * The count is bounded (a block never holds more than IL_MAX_STATE_SEGMENTS)
 * and nothing is stored for a block in one state, so that recording stays
 * cheap per task.
 */
#include "config.h"

#include <string.h>

#include "il-state-times.h"

static const char *const state_names[IL_N_STATES] = {
  "running",
  "ready",
  "blocked",
  "gil_wait",
  "lock_wait",
};

const char *
il_state_to_string (IlState state)
{
  g_return_val_if_fail (state < IL_N_STATES, NULL);
  return state_names[state];
}

int
il_state_from_string (const char *name)
{
  for (int i = 0; i < IL_N_STATES; i++)
    if (g_strcmp0 (name, state_names[i]) == 0)
      return i;
  return -1;
}

static gint64
total_of (const IlStateSegment *seg,
          guint                 n,
          IlState               state)
{
  gint64 total = 0;

  for (guint i = 0; i < n; i++)
    if (state == IL_N_STATES || seg[i].state == state)
      total += seg[i].us;
  return total;
}

void
il_state_track_start (IlStateTrack *track,
                      gint64        start_us)
{
  il_state_track_clear (track);
  track->mark_us = start_us;
}

void
il_state_track_clear (IlStateTrack *track)
{
  g_clear_pointer (&track->seg, g_free);
  track->n = 0;
  track->alloc = 0;
}

/* The recorded segments, wherever they are. */
static IlStateSegment *
segments_of (IlStateTrack *track)
{
  return track->seg != NULL ? track->seg : &track->one;
}

/* Removes segment @i, joining its neighbours when they share a state. */
static void
remove_at (IlStateTrack *track,
           guint         i)
{
  IlStateSegment *seg = segments_of (track);

  memmove (seg + i, seg + i + 1, (track->n - i - 1) * sizeof *seg);
  track->n--;
  if (i > 0 && i < track->n && seg[i - 1].state == seg[i].state)
    {
      seg[i - 1].us = (guint32) MIN ((guint64) seg[i - 1].us + seg[i].us, G_MAXUINT32);
      memmove (seg + i, seg + i + 1, (track->n - i - 1) * sizeof *seg);
      track->n--;
    }
}

/* One segment too many: folds the shortest segment whose state occurs
 * elsewhere into the nearest segment of that state. With more segments
 * than states, some state always occurs twice. */
static void
fold (IlStateTrack *track)
{
  IlStateSegment *seg = track->seg;
  gint            best = -1, into = -1;

  for (guint i = 0; i < track->n; i++)
    {
      gint near = -1;

      if (best >= 0 && seg[i].us >= seg[best].us)
        continue;
      for (guint d = 1; d < track->n && near < 0; d++)
        {
          if (i >= d && seg[i - d].state == seg[i].state)
            near = (gint) (i - d);
          else if (i + d < track->n && seg[i + d].state == seg[i].state)
            near = (gint) (i + d);
        }
      if (near < 0)
        continue;
      best = (gint) i;
      into = near;
    }
  g_assert (best >= 0 && into >= 0);
  seg[into].us = (guint32) MIN ((guint64) seg[into].us + seg[best].us, G_MAXUINT32);
  remove_at (track, (guint) best);
}

static void
append (IlStateTrack *track,
        IlState       state,
        guint32       us)
{
  IlStateSegment *last;

  /* Most blocks are in one state: their only segment needs no memory. */
  if (track->n == 0)
    {
      track->one.us = us;
      track->one.state = (guint8) state;
      track->n = 1;
      return;
    }
  if (track->seg == NULL)
    {
      if (track->one.state == state && (guint64) track->one.us + us <= G_MAXUINT32)
        {
          track->one.us += us;
          return;
        }
      track->alloc = 2;
      track->seg = g_new (IlStateSegment, track->alloc);
      track->seg[0] = track->one;
    }
  last = &track->seg[track->n - 1];

  if (last != NULL && last->state == state && (guint64) last->us + us <= G_MAXUINT32)
    {
      last->us += us;
      return;
    }
  if (track->n == track->alloc)
    {
      /* Grown in small steps: an async task in flight keeps its track
       * until its block ends, and a million may be in flight. */
      track->alloc = (guint8) MIN (MAX (track->alloc * 2, 2), IL_MAX_STATE_SEGMENTS + 1);
      track->seg = g_renew (IlStateSegment, track->seg, track->alloc);
    }
  track->seg[track->n].us = us;
  track->seg[track->n].state = (guint8) state;
  track->n++;
  if (track->n > IL_MAX_STATE_SEGMENTS)
    fold (track);
}

void
il_state_track_add (IlStateTrack *track,
                    IlState       state,
                    gint64        us)
{
  g_return_if_fail (state < IL_N_STATES);

  if (us <= 0)
    return;
  track->mark_us += us;
  /* A stretch longer than a segment holds (71 minutes) is cut. */
  while (us > 0)
    {
      guint32 part = (guint32) MIN (us, (gint64) G_MAXUINT32);

      append (track, state, part);
      us -= part;
    }
}

void
il_state_track_until (IlStateTrack *track,
                      gint64        now_us,
                      IlState       state)
{
  if (now_us > track->mark_us)
    il_state_track_add (track, state, now_us - track->mark_us);
}

gint64
il_state_track_total (const IlStateTrack *track,
                      IlState             state)
{
  return total_of (segments_of ((IlStateTrack *) track), track->n, state);
}

void
il_state_track_retag (IlStateTrack *track,
                      IlState       from,
                      IlState       to,
                      gint64        us)
{
  gint64                     total = il_state_track_total (track, from);
  gint64                     mark = track->mark_us;
  gint64                     left;
  g_autofree IlStateSegment *old = NULL;
  guint                      n = track->n;

  us = MIN (us, total);
  if (us <= 0)
    return;
  old = g_memdup2 (segments_of (track), n * sizeof (IlStateSegment));
  il_state_track_clear (track);
  left = us;
  for (guint i = 0; i < n; i++)
    {
      gint64 cut = 0;

      if (old[i].state == from)
        {
          /* In proportion to what remains, so the last one takes what
           * rounding left over. */
          cut = left * old[i].us / total;
          total -= old[i].us;
          left -= cut;
        }
      il_state_track_add (track, old[i].state, old[i].us - cut);
      il_state_track_add (track, to, cut);
    }
  track->mark_us = mark;
}

IlStateSegments *
il_state_track_finish (IlStateTrack *track,
                       gint64        end_us,
                       IlState       state)
{
  IlStateSegments *out = NULL;

  il_state_track_until (track, end_us, state);
  /* Waits are placed by their measured length, which can overshoot the
   * clock reads around them by a µs of rounding: the segments must still
   * add up to the block. Running time gives way first, from the end. */
  for (int pass = 0; pass < 2 && track->mark_us > end_us; pass++)
    for (gint i = (gint) track->n - 1; i >= 0 && track->mark_us > end_us; i--)
      {
        IlStateSegment *seg = &segments_of (track)[i];
        gint64          cut;

        if (pass == 0 && seg->state != IL_STATE_RUNNING)
          continue;
        cut = MIN ((gint64) seg->us, track->mark_us - end_us);
        seg->us -= (guint32) cut;
        track->mark_us -= cut;
        if (seg->us == 0)
          remove_at (track, (guint) i);
      }
  if (track->n >= 2)
    {
      out = g_malloc (sizeof *out + track->n * sizeof (IlStateSegment));
      out->n = track->n;
      memcpy (out->seg, track->seg, track->n * sizeof (IlStateSegment));
    }
  il_state_track_clear (track);
  return out;
}

IlStateSegments *
il_state_segments_copy (const IlStateSegments *segments)
{
  if (segments == NULL)
    return NULL;
  return g_memdup2 (segments, sizeof *segments + segments->n * sizeof (IlStateSegment));
}

gboolean
il_state_segments_equal (const IlStateSegments *a,
                         const IlStateSegments *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->n != b->n)
    return FALSE;
  for (guint i = 0; i < a->n; i++)
    if (a->seg[i].us != b->seg[i].us || a->seg[i].state != b->seg[i].state)
      return FALSE;
  return TRUE;
}

gint64
il_state_segments_total (const IlStateSegments *segments,
                         IlState                state)
{
  return segments != NULL ? total_of (segments->seg, segments->n, state) : 0;
}

char *
il_state_segments_check (const IlStateSegments *segments,
                         gint64                 wall_us)
{
  gint64 total = 0;

  if (segments->n < 2 || segments->n > IL_MAX_STATE_SEGMENTS)
    return g_strdup_printf ("%u segments (expected 2 to %d)", segments->n, IL_MAX_STATE_SEGMENTS);
  for (guint i = 0; i < segments->n; i++)
    {
      if (segments->seg[i].state >= IL_N_STATES)
        return g_strdup_printf ("segment %u has an unknown state", i);
      if (segments->seg[i].us == 0)
        return g_strdup_printf ("segment %u lasts 0 µs", i);
      if (i > 0 && segments->seg[i].state == segments->seg[i - 1].state)
        return g_strdup_printf ("segments %u and %u are both %s (they would be one)", i - 1, i,
                                state_names[segments->seg[i].state]);
      total += segments->seg[i].us;
    }
  if (total != wall_us)
    return g_strdup_printf ("the segments last %" G_GINT64_FORMAT " µs, the block %" G_GINT64_FORMAT " µs",
                            total, wall_us);
  return NULL;
}

static guint
push_piece (IlStatePiece *out,
            guint         n,
            IlState       state,
            double        start,
            double        end)
{
  if (end <= start)
    return n;
  if (n > 0 && out[n - 1].state == state && out[n - 1].end >= start)
    {
      out[n - 1].end = end;
      return n;
    }
  g_assert (n < IL_MAX_STATE_PIECES);
  out[n].start = start;
  out[n].end = end;
  out[n].state = state;
  return n + 1;
}

guint
il_state_strip (const IlStateTimes   *times,
                const IlStateSegment *segments,
                guint                 n_segments,
                IlStatePiece          out[IL_MAX_STATE_PIECES])
{
  double total = 0, x = 0;
  double unplaced[IL_N_STATES] = { 0 };
  double spread = 0, running_segs;
  guint  n = 0;

  n_segments = MIN (n_segments, IL_MAX_STATE_SEGMENTS);
  if (segments == NULL || n_segments == 0)
    {
      /* Proportional: all that is known is how much of each. */
      if (times == NULL || !times->valid)
        return 0;
      for (IlState s = 0; s < IL_N_STATES; s++)
        total += MAX (il_state_times_get (times, s), 0);
      if (total <= 0)
        return 0;
      for (IlState s = 0; s < IL_N_STATES; s++)
        {
          double w = MAX (il_state_times_get (times, s), 0) / total;

          n = push_piece (out, n, s, x, MIN (x + w, 1.0));
          x += w;
        }
      return n;
    }

  total = (double) total_of (segments, n_segments, IL_N_STATES);
  if (total <= 0)
    return 0;
  running_segs = (double) total_of (segments, n_segments, IL_STATE_RUNNING);
  if (times != NULL && times->valid && running_segs > 0)
    {
      for (IlState s = IL_STATE_READY; s < IL_N_STATES; s++)
        {
          unplaced[s] = MAX ((double) il_state_times_get (times, s) -
                               (double) total_of (segments, n_segments, s),
                             0);
          spread += unplaced[s];
        }
      /* The kernel cannot have preempted more than the running stretches
       * lasted: scale down whatever would not fit. */
      if (spread > running_segs)
        {
          for (IlState s = IL_STATE_READY; s < IL_N_STATES; s++)
            unplaced[s] *= running_segs / spread;
          spread = running_segs;
        }
    }

  for (guint i = 0; i < n_segments; i++)
    {
      const IlStateSegment *seg = &segments[i];
      double                w = seg->us / total;

      if (seg->state != IL_STATE_RUNNING || spread <= 0)
        n = push_piece (out, n, seg->state, x, x + w);
      else
        {
          /* running first, then what the kernel took from it */
          double y = x + w * (1.0 - spread / running_segs);

          n = push_piece (out, n, IL_STATE_RUNNING, x, y);
          for (IlState s = IL_STATE_READY; s < IL_N_STATES; s++)
            {
              double ws = w * unplaced[s] / running_segs;

              n = push_piece (out, n, s, y, y + ws);
              y += ws;
            }
        }
      x += w;
    }
  if (n > 0)
    out[n - 1].end = 1.0;
  return n;
}
