/* il-state-times.h — where a task's (or block's) time went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Its own small header so that the event stream (il-events.h) can carry it
 * without pulling in the results document.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where a task's (or block's) time went, from /proc/thread-self/schedstat.
 * All in µs. valid is FALSE where the kernel offered no accounting. */
typedef struct
{
  gboolean valid;
  gint64   running;
  gint64   ready;
  gint64   blocked;
  gint64   gil_wait;  /* threads executor with the GIL: waiting for the lock */
  gint64   lock_wait; /* counter blocks with "lock": waiting for the run's mutex */
} IlStateTimes;

/* The five states in their usual order, for code that walks them (a chart's
 * strip, a legend). */
typedef enum
{
  IL_STATE_RUNNING,
  IL_STATE_READY,
  IL_STATE_BLOCKED,
  IL_STATE_GIL_WAIT,
  IL_STATE_LOCK_WAIT,
  IL_N_STATES,
} IlState;

static inline gint64
il_state_times_get (const IlStateTimes *times,
                    IlState             state)
{
  switch (state)
    {
      case IL_STATE_RUNNING:
        return times->running;
      case IL_STATE_READY:
        return times->ready;
      case IL_STATE_BLOCKED:
        return times->blocked;
      case IL_STATE_GIL_WAIT:
        return times->gil_wait;
      case IL_STATE_LOCK_WAIT:
        return times->lock_wait;
      case IL_N_STATES:
      default:
        return 0;
    }
}

/* ---------------------------------------------------------------------- */
/* Chronological states inside a block                                     */

/* How many segments a block keeps at most. Past it, segments are folded
 * (il_state_track_add explains how); with 8 bytes each a block never holds
 * more than 136 bytes of them. */
#define IL_MAX_STATE_SEGMENTS 16

/* One stretch of a block in one state, as the executor saw it. Segments
 * follow each other without gaps from the block's start: a segment's start
 * is the sum of the durations before it. */
typedef struct
{
  guint32 us;    /* duration, µs */
  guint8  state; /* IlState */
} IlStateSegment;

/* A block's segments, in time order: only for a block that went through
 * more than one state (a block in one state has none: NULL). */
typedef struct
{
  guint          n; /* 2 … IL_MAX_STATE_SEGMENTS */
  IlStateSegment seg[];
} IlStateSegments;

/* Records a block's segments while it runs. Times are the caller's clock
 * (monotonic µs); the track keeps where the recorded segments end. */
typedef struct
{
  gint64          mark_us;  /* end of what is recorded so far */
  IlStateSegment *seg;      /* allocated from the second segment on */
  IlStateSegment  one;      /* the first segment while seg is NULL (n ≤ 1) */
  guint8          n, alloc; /* alloc ≤ IL_MAX_STATE_SEGMENTS + 1 */
} IlStateTrack;

const char *il_state_to_string (IlState state); /* "running", "gil_wait", … */
/* -1 for an unknown name. */
int il_state_from_string (const char *name);

void il_state_track_start (IlStateTrack *track,
                           gint64        start_us);
/* Appends @us of @state after what is recorded (a zero duration adds
 * nothing). Consecutive segments of one state join. When a block has more
 * than IL_MAX_STATE_SEGMENTS segments, the shortest one whose state occurs
 * elsewhere in the block is folded into the nearest segment of that state
 * (and its neighbours join when they share a state): each state's total and
 * the block's length stay exact; what lies after it moves in time by at
 * most the folded duration. */
void il_state_track_add (IlStateTrack *track,
                         IlState       state,
                         gint64        us);
/* Records @state from the mark up to @now_us (nothing if @now_us is not
 * past it). */
void il_state_track_until (IlStateTrack *track,
                           gint64        now_us,
                           IlState       state);
/* Records @state up to @end_us and returns the block's segments (NULL
 * when it was in one state only); the track is empty again. */
/* The µs recorded in @state so far. */
gint64 il_state_track_total (const IlStateTrack *track,
                             IlState             state);
/* Turns @us of what is recorded as @from into @to, taken from the end of
 * each @from segment in proportion to its length: a wait measured by the
 * executor also holds the moment the thread, woken, waited for a CPU, which
 * the kernel counts as ready. */
void             il_state_track_retag (IlStateTrack *track,
                                       IlState       from,
                                       IlState       to,
                                       gint64        us);
IlStateSegments *il_state_track_finish (IlStateTrack *track,
                                        gint64        end_us,
                                        IlState       state);
void             il_state_track_clear (IlStateTrack *track);

IlStateSegments *il_state_segments_copy (const IlStateSegments *segments);
gboolean         il_state_segments_equal (const IlStateSegments *a,
                                          const IlStateSegments *b);
/* The µs the segments spend in @state; IL_N_STATES: all of them. */
gint64 il_state_segments_total (const IlStateSegments *segments,
                                IlState                state);
/* NULL when @segments describes a valid block of @wall_us: 2 … the maximum
 * segments, known states, no empty segment, neighbours in different
 * states, and durations that add up to @wall_us. Otherwise what is wrong,
 * in English, for an error message (free it). */
char *il_state_segments_check (const IlStateSegments *segments,
                               gint64                 wall_us);

/* A piece of a block's state strip: [start, end) as fractions of the
 * block's length. */
typedef struct
{
  double  start;
  double  end;
  IlState state;
} IlStatePiece;

/* The most pieces il_state_strip() returns. */
#define IL_MAX_STATE_PIECES (IL_MAX_STATE_SEGMENTS * IL_N_STATES)

/* The state strip of a block, in time order, as every view draws it.
 * Without segments it is proportional: one piece per state with time, in
 * IlState order. With segments, each segment is placed where it happened;
 * the kernel's time that the segments do not place (a preemption inside a
 * running stretch: state times beyond the segments' own totals) is spread
 * over the running segments in proportion, so each state covers as much of
 * the strip as in the proportional one. Returns the number of pieces
 * (0: nothing known). @segments: n_segments of them (0: none). */
guint il_state_strip (const IlStateTimes   *times,
                      const IlStateSegment *segments,
                      guint                 n_segments,
                      IlStatePiece          out[IL_MAX_STATE_PIECES]);

G_END_DECLS
