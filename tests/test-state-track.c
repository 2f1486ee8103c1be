/* test-state-track.c — a block's states in time order (il-state-track.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "il-state-times.h"

static void
assert_segments (const IlStateSegments *s,
                 gint64                 wall_us)
{
  g_autofree char *problem = NULL;

  g_assert_nonnull (s);
  problem = il_state_segments_check (s, wall_us);
  g_assert_cmpstr (problem, ==, NULL);
}

/* A block in one state keeps nothing; two states keep both, in order. */
static void
test_state_track_basic (void)
{
  IlStateTrack     track = { 0 };
  IlStateSegments *s;

  il_state_track_start (&track, 1000);
  il_state_track_until (&track, 1500, IL_STATE_RUNNING);
  il_state_track_until (&track, 1400, IL_STATE_GIL_WAIT); /* not past the mark: nothing */
  g_assert_null (il_state_track_finish (&track, 3000, IL_STATE_RUNNING));

  il_state_track_start (&track, 1000);
  il_state_track_until (&track, 1500, IL_STATE_RUNNING);
  il_state_track_add (&track, IL_STATE_GIL_WAIT, 700);
  s = il_state_track_finish (&track, 3000, IL_STATE_RUNNING);
  assert_segments (s, 2000);
  g_assert_cmpuint (s->n, ==, 3);
  g_assert_cmpuint (s->seg[0].state, ==, IL_STATE_RUNNING);
  g_assert_cmpuint (s->seg[0].us, ==, 500);
  g_assert_cmpuint (s->seg[1].state, ==, IL_STATE_GIL_WAIT);
  g_assert_cmpuint (s->seg[1].us, ==, 700);
  g_assert_cmpuint (s->seg[2].us, ==, 800);
  g_free (s);

  /* Waits placed by their measured length can overshoot the end by
   * rounding: running gives way, so the segments still make the block. */
  il_state_track_start (&track, 0);
  il_state_track_until (&track, 100, IL_STATE_RUNNING);
  il_state_track_add (&track, IL_STATE_LOCK_WAIT, 50);
  s = il_state_track_finish (&track, 148, IL_STATE_RUNNING);
  assert_segments (s, 148);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_LOCK_WAIT), ==, 50);
  g_free (s);
}

/* Past the bound, folding keeps every state's total and the block's
 * length exact, and the count bounded. */
static void
test_state_track_fold (void)
{
  IlStateTrack     track = { 0 };
  IlStateSegments *s;
  gint64           t = 0, run = 0, gil = 0, lock = 0;

  il_state_track_start (&track, 0);
  for (guint i = 0; i < 500; i++)
    {
      gint64 r = 100 + (i * 37) % 900;
      gint64 w = 50 + (i * 53) % 400;

      t += r;
      run += r;
      il_state_track_until (&track, t, IL_STATE_RUNNING);
      il_state_track_add (&track, i % 7 == 0 ? IL_STATE_LOCK_WAIT : IL_STATE_GIL_WAIT, w);
      *(i % 7 == 0 ? &lock : &gil) += w;
      t += w;
      g_assert_cmpuint (track.n, <=, IL_MAX_STATE_SEGMENTS);
    }
  t += 10;
  run += 10;
  s = il_state_track_finish (&track, t, IL_STATE_RUNNING);
  assert_segments (s, t);
  g_assert_cmpuint (s->n, <=, IL_MAX_STATE_SEGMENTS);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_RUNNING), ==, run);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_GIL_WAIT), ==, gil);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_LOCK_WAIT), ==, lock);
  g_free (s);
}

/* Retagging moves time between states, from the end of each segment. */
static void
test_state_track_retag (void)
{
  IlStateTrack     track = { 0 };
  IlStateSegments *s;

  il_state_track_start (&track, 0);
  il_state_track_until (&track, 100, IL_STATE_RUNNING);
  il_state_track_add (&track, IL_STATE_GIL_WAIT, 300);
  il_state_track_until (&track, 500, IL_STATE_RUNNING);
  il_state_track_add (&track, IL_STATE_GIL_WAIT, 100);
  il_state_track_retag (&track, IL_STATE_GIL_WAIT, IL_STATE_READY, 41);
  s = il_state_track_finish (&track, 700, IL_STATE_RUNNING);
  assert_segments (s, 700);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_GIL_WAIT), ==, 359);
  g_assert_cmpint (il_state_segments_total (s, IL_STATE_READY), ==, 41);
  /* running, gil, ready (its woken end), running, gil, ready, running */
  g_assert_cmpuint (s->n, ==, 7);
  g_assert_cmpuint (s->seg[1].state, ==, IL_STATE_GIL_WAIT);
  g_assert_cmpuint (s->seg[2].state, ==, IL_STATE_READY);
  g_assert_cmpuint (s->seg[1].us + s->seg[2].us, ==, 300);
  g_free (s);
}

static void
test_state_track_check (void)
{
  IlStateSegments *s = g_malloc0 (sizeof *s + 3 * sizeof (IlStateSegment));
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  s->n = 3;
  s->seg[0] = (IlStateSegment){ 10, IL_STATE_RUNNING };
  s->seg[1] = (IlStateSegment){ 10, IL_STATE_RUNNING };
  s->seg[2] = (IlStateSegment){ 10, IL_STATE_READY };
  a = il_state_segments_check (s, 30);
  g_assert_nonnull (strstr (a, "both running"));
  s->seg[1].state = 9;
  b = il_state_segments_check (s, 30);
  g_assert_nonnull (strstr (b, "unknown state"));
  s->seg[1].state = IL_STATE_BLOCKED;
  c = il_state_segments_check (s, 31);
  g_assert_nonnull (strstr (c, "last 30 µs, the block 31 µs"));
  g_assert_null (il_state_segments_check (s, 30));
  g_free (s);
}

/* The strip in time order; the kernel's ready time the segments do not
 * place goes into the running stretches, in proportion. */
static void
test_state_strip (void)
{
  IlStateSegment seg[] = { { 300, IL_STATE_RUNNING }, { 400, IL_STATE_GIL_WAIT }, { 300, IL_STATE_RUNNING } };
  IlStateTimes   times = { .valid = TRUE, .running = 500, .ready = 100, .gil_wait = 400 };
  IlStatePiece   p[IL_MAX_STATE_PIECES];
  guint          n;

  n = il_state_strip (&times, seg, G_N_ELEMENTS (seg), p);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpint (p[0].state, ==, IL_STATE_RUNNING);
  g_assert_cmpfloat_with_epsilon (p[0].end, 0.25, 1e-9);
  g_assert_cmpint (p[1].state, ==, IL_STATE_READY);
  g_assert_cmpfloat_with_epsilon (p[1].end, 0.30, 1e-9);
  g_assert_cmpint (p[2].state, ==, IL_STATE_GIL_WAIT);
  g_assert_cmpfloat_with_epsilon (p[2].end, 0.70, 1e-9);
  g_assert_cmpint (p[3].state, ==, IL_STATE_RUNNING);
  g_assert_cmpint (p[4].state, ==, IL_STATE_READY);
  g_assert_cmpfloat (p[4].end, ==, 1.0);

  /* No segments: proportional, in state order. */
  n = il_state_strip (&times, NULL, 0, p);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (p[0].state, ==, IL_STATE_RUNNING);
  g_assert_cmpfloat_with_epsilon (p[0].end, 0.5, 1e-9);
  g_assert_cmpint (p[1].state, ==, IL_STATE_READY);
  g_assert_cmpint (p[2].state, ==, IL_STATE_GIL_WAIT);

  times.valid = FALSE;
  g_assert_cmpuint (il_state_strip (&times, NULL, 0, p), ==, 0);
  /* Segments without the kernel's split: drawn as recorded. */
  g_assert_cmpuint (il_state_strip (&times, seg, G_N_ELEMENTS (seg), p), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/il/state-track/basic", test_state_track_basic);
  g_test_add_func ("/il/state-track/fold", test_state_track_fold);
  g_test_add_func ("/il/state-track/retag", test_state_track_retag);
  g_test_add_func ("/il/state-track/check", test_state_track_check);
  g_test_add_func ("/il/state-track/strip", test_state_strip);

  return g_test_run ();
}
