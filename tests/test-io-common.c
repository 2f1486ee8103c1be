/* test-io-common.c — helpers of the I/O tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "test-io-common.h"

void
assert_all_succeeded (const IlRepetition *rep,
                      guint               n_tasks)
{
  g_assert_cmpuint (rep->tasks->len, ==, n_tasks);
  for (guint i = 0; i < rep->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (rep->tasks, IlTaskRecord, i);

      if (t->failed)
        g_error ("task %u failed: %s", i, il_task_record_error (t));
    }
  g_assert_cmpuint (rep->failed_tasks, ==, 0);
}

void
assert_no_scratch_left (void)
{
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "interleave", NULL);
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_error ("left behind in %s: %s", base, name);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} AsyncWait;

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  AsyncWait *w = data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

gboolean
run_async (IlIoEnv       *env,
           const IlBlock *block,
           guint          flat,
           char         **error,
           IlStateTimes  *state)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  AsyncWait w = { loop, NULL };
  gint64    ttfb;
  gboolean  ok;

  g_main_context_push_thread_default (context);
  il_io_run_block_async (env, block, flat, NULL, async_done_cb, &w);
  g_main_loop_run (loop);
  ok = il_io_run_block_finish (env, w.result, &ttfb, error);
  if (state != NULL)
    il_io_async_result_get_state (w.result, state);
  g_object_unref (w.result);
  g_main_context_pop_thread_default (context);
  return ok;
}
