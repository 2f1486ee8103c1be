/* test-child-pipe.c — one child process on three pipes (il-child-pipe.h):
 * a silent child is lost, a child's stderr tail is kept, cancelling
 * returns at once, READY is waited for, garbage is reported, the child is
 * reaped with the owner's way of ending it, and the dispatcher thread
 * starts it before the go and drives it after
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The children are `sh -c` scripts. No assertion is on absolute time: a
 * bound is a ratio of the silence timeout the case sets.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "il-child-pipe.h"
#include "il-protocol.h"

/* The test's owner of a pipe: what the callbacks saw. */
typedef struct
{
  guint        dispatched;
  guint        frames;     /* frames passed to the owner */
  guint        done_after; /* done once dispatched this often; 0: never */
  IlChildPipe *echo;       /* non-NULL: each dispatch queues a HEARTBEAT there */
} Owner;

static void
owner_dispatch (gpointer user_data)
{
  Owner *o = user_data;

  o->dispatched++;
  if (o->echo != NULL)
    il_protocol_write_heartbeat (o->echo->out);
}

static gboolean
owner_frame (gpointer      user_data,
             IlFrameType   type,
             const guint8 *body,
             gsize         len,
             GError      **error)
{
  Owner *o = user_data;

  (void) body;
  (void) len;
  (void) error;
  o->frames++;
  return type == IL_FRAME_EVENT; /* any other one is unexpected */
}

static gboolean
owner_done (gpointer user_data)
{
  Owner *o = user_data;

  return o->done_after > 0 && o->dispatched >= o->done_after;
}

static const IlChildPipeFuncs funcs = {
  .dispatch = owner_dispatch,
  .frame = owner_frame,
  .done = owner_done,
};

/* Starts `sh -c @script` on @cp. */
static void
start (IlChildPipe *cp,
       const char  *script)
{
  const char      *argv[] = { "sh", "-c", script, NULL };
  g_autofree char *sh = g_find_program_in_path ("sh");
  IlChildProcess   child;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (sh);
  g_assert_true (il_child_spawn_with_stderr (sh, (char *const *) argv, &child, &error));
  g_assert_no_error (error);
  il_child_pipe_take (cp, &child);
  g_assert_cmpint (cp->pid, >, 0);
}

static char *
reap (IlChildPipe *cp,
      gint64       grace_us)
{
  IlUsage reported = { 0 };
  IlUsage rest;

  return il_child_pipe_reap (cp, grace_us, NULL, &reported, &rest);
}

/* A child that sends nothing is declared silent after the timeout (and
 * not before it), and its end says it was killed. */
static void
test_silent (void)
{
  IlChildPipe      cp;
  Owner            o = { 0 };
  gboolean         silent = FALSE;
  gint64           t0, took;
  g_autofree char *how = NULL;
  g_autoptr(GError) lost = NULL;

  il_child_pipe_init (&cp, 4096);
  cp.silence_us = 200 * 1000;
  start (&cp, "exec sleep 60");
  t0 = g_get_monotonic_time ();
  il_child_pipe_run (&cp, NULL, &funcs, &o, &silent, &lost);
  took = g_get_monotonic_time () - t0;
  g_assert_no_error (lost);
  g_assert_true (silent);
  g_assert_cmpint (took, >=, cp.silence_us);
  g_assert_cmpuint (o.dispatched, >=, 1);
  how = reap (&cp, 0);
  g_assert_true (g_str_has_prefix (how, "killed by signal 9 "));
  g_assert_cmpint (cp.pid, ==, 0);
  il_child_pipe_clear (&cp);
}

/* A child that keeps talking is not silent, however long it runs: a
 * HEARTBEAT is being heard from. */
static void
test_heartbeat (void)
{
  g_autoptr(GByteArray) hb = g_byte_array_new ();
  g_autofree char *path = NULL;
  g_autofree char *script = NULL;
  g_autofree char *how = NULL;
  g_autoptr(GError) lost = NULL;
  IlChildPipe cp;
  Owner       o = { 0 };
  gboolean    silent = TRUE;
  int         fd;

  il_protocol_write_heartbeat (hb);
  fd = g_file_open_tmp ("il-child-pipe-XXXXXX", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, hb->data, hb->len), ==, (gssize) hb->len);
  close (fd);
  /* A heartbeat every 50 ms for 4 silence timeouts of 300 ms. */
  script = g_strdup_printf ("for i in $(seq 24); do cat '%s'; sleep 0.05; done", path);

  il_child_pipe_init (&cp, 4096);
  cp.silence_us = 300 * 1000;
  start (&cp, script);
  il_child_pipe_run (&cp, NULL, &funcs, &o, &silent, &lost);
  /* It ended (its stdout closed), without a word of garbage. */
  g_assert_no_error (lost);
  g_assert_false (silent);
  g_assert_cmpint (cp.from_fd, <, 0);
  g_assert_cmpuint (o.frames, ==, 0);
  how = reap (&cp, G_USEC_PER_SEC * 10);
  g_assert_cmpstr (how, ==, "exited with status 0");
  il_child_pipe_clear (&cp);
  g_unlink (path);
}

/* What a child writes to stderr is kept, its tail only, and its last line
 * says what it said last; how it ended is its exit status. */
static void
test_stderr_tail (void)
{
  IlChildPipe      cp;
  Owner            o = { 0 };
  gboolean         silent = TRUE;
  g_autofree char *how = NULL;
  g_autofree char *last = NULL;
  g_autoptr(GError) lost = NULL;

  il_child_pipe_init (&cp, 64);
  cp.silence_us = 30 * G_USEC_PER_SEC;
  start (&cp, "head -c 5000 /dev/zero | tr '\\0' x >&2; printf '\\nfirst\\nlast words \\n\\n' >&2; exit 3");
  il_child_pipe_run (&cp, NULL, &funcs, &o, &silent, &lost);
  g_assert_no_error (lost);
  g_assert_false (silent);
  how = reap (&cp, 10 * G_USEC_PER_SEC);
  g_assert_cmpstr (how, ==, "exited with status 3");
  g_assert_cmpuint (cp.err->len, <=, 64);
  g_assert_true (g_str_has_suffix (cp.err->str, "xx\nfirst\nlast words \n\n"));
  last = il_child_pipe_stderr_last_line (&cp, 500);
  g_assert_cmpstr (last, ==, "last words");
  il_child_pipe_clear (&cp);
}

static gpointer
cancel_soon (gpointer user_data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (user_data);
  return NULL;
}

/* Cancelling ends the loop at once, not at the silence timeout. */
static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *how = NULL;
  g_autoptr(GError) lost = NULL;
  IlChildPipe cp;
  Owner       o = { 0 };
  gboolean    silent = TRUE;
  GThread    *canceller;
  gint64      t0, took;

  il_child_pipe_init (&cp, 4096);
  cp.silence_us = 60 * G_USEC_PER_SEC;
  start (&cp, "exec sleep 120");
  t0 = g_get_monotonic_time ();
  canceller = g_thread_new ("cancel", cancel_soon, cancellable);
  il_child_pipe_run (&cp, cancellable, &funcs, &o, &silent, &lost);
  took = g_get_monotonic_time () - t0;
  g_thread_join (canceller);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_no_error (lost);
  g_assert_false (silent);
  /* A tenth of the timeout is 60 times the cancellation's delay. */
  g_assert_cmpint (took, <, cp.silence_us / 10);
  how = reap (&cp, 0);
  g_assert_true (g_str_has_prefix (how, "killed by signal 9 "));
  il_child_pipe_clear (&cp);
}

/* What is queued reaches the child (`cat` sends it back): a READY frame
 * sent to it comes back and ends the wait for READY; done() ends the
 * loop, after which the child leaves once its stdin is closed. */
static void
test_ready_echo (void)
{
  IlProtoHello     hello = { 0 };
  IlChildPipe      cp;
  Owner            o = { 0 };
  gboolean         silent = TRUE;
  g_autofree char *how = NULL;
  g_autoptr(GError) lost = NULL;

  il_child_pipe_init (&cp, 4096);
  cp.silence_us = 30 * G_USEC_PER_SEC;
  start (&cp, "exec cat");
  /* Larger than a pipe's buffer: flushed in parts, read back in parts. */
  for (guint i = 0; i < 20000; i++)
    il_protocol_write_heartbeat (cp.out);
  il_protocol_write_hello (cp.out, IL_FRAME_READY, &hello);
  g_assert_true (il_child_pipe_wait_ready (&cp, NULL, 30 * G_USEC_PER_SEC, &funcs, &o, &lost));
  g_assert_no_error (lost);
  g_assert_true (cp.ready);
  g_assert_false (il_child_pipe_pending (&cp));
  g_assert_cmpuint (o.frames, ==, 0);

  /* Each dispatch sends a HEARTBEAT that comes back: a loop turns. */
  o.done_after = 3;
  o.echo = &cp;
  il_child_pipe_run (&cp, NULL, &funcs, &o, &silent, &lost);
  g_assert_no_error (lost);
  g_assert_false (silent);
  g_assert_cmpuint (o.dispatched, ==, 3);
  how = reap (&cp, 10 * G_USEC_PER_SEC);
  g_assert_cmpstr (how, ==, "exited with status 0");
  il_child_pipe_clear (&cp);
}

/* A child that sends garbage, or a frame its owner does not take, is lost
 * with what was wrong; one that ends before READY is not ready. */
static void
test_lost (void)
{
  struct
  {
    const char *script;
    const char *message; /* NULL: not lost, it ended */
  } cases[] = {
    { "printf 'this is not a frame header at all'; exec sleep 60", "" },
    { NULL, "unexpected BYE frame" },
    { "exit 0", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) lost = NULL;
      g_autoptr(GByteArray) frame = g_byte_array_new ();
      g_autofree char *path = NULL;
      g_autofree char *script = NULL;
      g_autofree char *how = NULL;
      IlChildPipe      cp;
      Owner            o = { 0 };

      if (cases[i].script == NULL)
        {
          int fd;

          il_protocol_write_bye (frame);
          fd = g_file_open_tmp ("il-child-pipe-XXXXXX", &path, NULL);
          g_assert_cmpint (fd, >=, 0);
          g_assert_cmpint (write (fd, frame->data, frame->len), ==, (gssize) frame->len);
          close (fd);
          script = g_strdup_printf ("cat '%s'; exec sleep 60", path);
        }
      il_child_pipe_init (&cp, 4096);
      start (&cp, script != NULL ? script : cases[i].script);
      g_assert_false (il_child_pipe_wait_ready (&cp, NULL, 30 * G_USEC_PER_SEC, &funcs, &o, &lost));
      if (cases[i].message == NULL)
        {
          g_assert_no_error (lost);
          g_assert_cmpint (cp.from_fd, <, 0);
        }
      else
        {
          g_assert_nonnull (lost);
          g_assert_nonnull (strstr (lost->message, cases[i].message));
        }
      how = reap (&cp, 0);
      g_assert_nonnull (how);
      il_child_pipe_clear (&cp);
      if (path != NULL)
        g_unlink (path);
    }
}

static pid_t ended_pid;

static void
record_end (pid_t pid)
{
  ended_pid = pid;
  kill (pid, SIGTERM);
}

/* The owner's end is called with the child's pid, after the grace period
 * ran out while it still ran; a pipe with no child is "not running". */
static void
test_reap_end (void)
{
  IlChildPipe      cp;
  IlUsage          reported = { 0 }, rest;
  pid_t            pid;
  g_autofree char *how = NULL;
  g_autofree char *idle = NULL;

  il_child_pipe_init (&cp, 4096);
  idle = il_child_pipe_reap (&cp, 0, record_end, &reported, &rest);
  g_assert_cmpstr (idle, ==, "not running");
  g_assert_cmpint (ended_pid, ==, 0);

  start (&cp, "exec sleep 60");
  pid = cp.pid;
  how = il_child_pipe_reap (&cp, 50 * 1000, record_end, &reported, &rest);
  g_assert_cmpint (ended_pid, ==, pid);
  g_assert_true (g_str_has_prefix (how, "killed by signal 15 "));
  g_assert_cmpint (cp.pid, ==, 0);
  g_assert_cmpint (cp.to_fd, <, 0);
  g_assert_cmpint (cp.from_fd, <, 0);
  g_assert_cmpint (cp.err_fd, <, 0);
  il_child_pipe_clear (&cp);
}

/* ---- the dispatcher thread ---------------------------------------------- */

static const IlChildPipeFuncs driven_funcs;

typedef struct
{
  IlChildPipe cp;
  Owner       o;
  gboolean    fail;            /* start() fails */
  GThread    *started_in;      /* where start() ran */
  GThread    *driven_in;       /* where drive() ran, NULL: not yet */
  gboolean    sigpipe_blocked; /* in the dispatcher thread */
} Driven;

static gboolean
driven_start (gpointer user_data,
              GError **error)
{
  Driven      *d = user_data;
  IlProtoHello hello = { 0 };
  sigset_t     mask;

  d->started_in = g_thread_self ();
  pthread_sigmask (SIG_BLOCK, NULL, &mask);
  d->sigpipe_blocked = sigismember (&mask, SIGPIPE);
  if (d->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no child today");
      return FALSE;
    }
  start (&d->cp, "exec cat");
  il_protocol_write_hello (d->cp.out, IL_FRAME_READY, &hello);
  return il_child_pipe_wait_ready (&d->cp, NULL, 30 * G_USEC_PER_SEC, &driven_funcs, d, error);
}

static void
driven_drive (gpointer user_data)
{
  Driven  *d = user_data;
  gboolean silent;
  g_autoptr(GError) lost = NULL;

  d->driven_in = g_thread_self ();
  d->o.done_after = 2;
  d->o.echo = &d->cp;
  il_child_pipe_run (&d->cp, NULL, &driven_funcs, d, &silent, &lost);
  g_free (reap (&d->cp, 10 * G_USEC_PER_SEC));
}

static void
driven_dispatch (gpointer user_data)
{
  owner_dispatch (&((Driven *) user_data)->o);
}

static gboolean
driven_frame (gpointer      user_data,
              IlFrameType   type,
              const guint8 *body,
              gsize         len,
              GError      **error)
{
  return owner_frame (&((Driven *) user_data)->o, type, body, len, error);
}

static gboolean
driven_done (gpointer user_data)
{
  return owner_done (&((Driven *) user_data)->o);
}

static const IlChildPipeFuncs driven_funcs = {
  .start = driven_start,
  .drive = driven_drive,
  .dispatch = driven_dispatch,
  .frame = driven_frame,
  .done = driven_done,
};

/* start() runs in the dispatcher thread, with SIGPIPE blocked there, and
 * its failure is the executor's; drive() runs there too, only once the
 * run goes, and the thread's CPU time is the run's. */
static void
test_thread (void)
{
  IlRunContext ctx;
  sigset_t     sigpipe;

  /* The dispatcher blocks SIGPIPE itself, whatever it inherits. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_UNBLOCK, &sigpipe, NULL);

  memset (&ctx, 0, sizeof ctx);
  g_mutex_init (&ctx.lock);
  for (guint fail = 0; fail < 2; fail++)
    {
      IlChildPipeThread t;
      Driven            d = { 0 };
      g_autoptr(GError) error = NULL;

      il_child_pipe_init (&d.cp, 4096);
      d.cp.silence_us = 30 * G_USEC_PER_SEC;
      d.fail = fail;
      il_child_pipe_thread_init (&t);
      if (fail)
        {
          g_assert_false (il_child_pipe_thread_start (&t, "test-pipe", &ctx, &d.cp, &driven_funcs, &d, &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
          g_assert_null (t.thread);
          g_assert_null (d.driven_in);
        }
      else
        {
          g_assert_true (il_child_pipe_thread_start (&t, "test-pipe", &ctx, &d.cp, &driven_funcs, &d, &error));
          g_assert_no_error (error);
          g_assert_true (d.cp.ready);
          /* Not driven before the go. */
          g_usleep (50 * 1000);
          g_assert_null (d.driven_in);
          g_assert_true (il_child_pipe_thread_finish (&t, &error));
          g_assert_no_error (error);
          g_assert_true (d.driven_in == d.started_in);
          g_assert_cmpuint (d.o.dispatched, ==, 2);
          g_assert_cmpint (d.cp.pid, ==, 0);
        }
      g_assert_true (d.started_in != g_thread_self ());
      g_assert_true (d.sigpipe_blocked);
      il_child_pipe_thread_clear (&t);
      il_child_pipe_clear (&d.cp);
    }
  g_mutex_clear (&ctx.lock);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);
}

int
main (int   argc,
      char *argv[])
{
  sigset_t sigpipe;

  g_test_init (&argc, &argv, NULL);
  /* As a dispatcher thread does (il-worker-pool.h). */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, NULL);
  g_test_add_func ("/il/child-pipe/silent", test_silent);
  g_test_add_func ("/il/child-pipe/heartbeat", test_heartbeat);
  g_test_add_func ("/il/child-pipe/stderr-tail", test_stderr_tail);
  g_test_add_func ("/il/child-pipe/cancel", test_cancel);
  g_test_add_func ("/il/child-pipe/ready-echo", test_ready_echo);
  g_test_add_func ("/il/child-pipe/lost", test_lost);
  g_test_add_func ("/il/child-pipe/reap-end", test_reap_end);
  g_test_add_func ("/il/child-pipe/thread", test_thread);
  return g_test_run ();
}
