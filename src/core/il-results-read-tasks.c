/* il-results-read-tasks.c — a results document's task records, read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A task record with its blocks, their states and state segments
 * (docs/results-format.md).  A repetition's tasks are read from the tree,
 * or, in a file (the usual case), one batch of elements at a time by
 * il_json_read_streamed(), so that a million of them never exist as JSON
 * nodes at once.
 */

#include <string.h>

#include "il-results-read-private.h"

static gboolean
read_state (Reader           *r,
            JsonNode         *node,
            const IlJsonPath *path,
            IlStateTimes     *state)
{
  static const char *const allowed[] = { "running", "ready", "blocked", "gil_wait", "lock_wait", NULL };
  JsonObject              *object;

  memset (state, 0, sizeof *state);

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *got = il_json_describe (r, node, path);

      return il_json_fail (r, path, IL_JSON_AT_VALUE,
                           "expected null or an object { \"running\", \"ready\", \"blocked\" }, got %s",
                           got);
    }

  if (!get_object (r, node, path, "state_us", allowed, &object) ||
      !opt_us (r, object, path, "running", &state->running) ||
      !opt_us (r, object, path, "ready", &state->ready) ||
      !opt_us (r, object, path, "blocked", &state->blocked) ||
      !opt_us (r, object, path, "gil_wait", &state->gil_wait) ||
      !opt_us (r, object, path, "lock_wait", &state->lock_wait))
    return FALSE;

  state->valid = TRUE;

  return TRUE;
}

/* A block's states in time order: [["running", 300], ["gil_wait", 400], …],
 * which must describe this block (il_state_segments_check). */
static gboolean
read_segments (Reader           *r,
               JsonNode         *node,
               const IlJsonPath *path,
               gint64            wall_us,
               IlStateSegments **out)
{
  static const char *const    names[] = { "running", "ready", "blocked", "gil_wait", "lock_wait", NULL };
  JsonArray                  *array;
  g_autofree char            *problem = NULL;
  g_autofree IlStateSegments *segments = NULL;
  guint                       n;

  if (!il_json_get_array (r, node, path, &array))
    return FALSE;
  n = json_array_get_length (array);
  if (n < 2 || n > IL_MAX_STATE_SEGMENTS)
    return il_json_fail (r, path, IL_JSON_AT_VALUE, "expected 2 to %d segments, got %u",
                         IL_MAX_STATE_SEGMENTS, n);
  segments = g_malloc0 (sizeof *segments + n * sizeof (IlStateSegment));
  segments->n = n;
  for (guint i = 0; i < n; i++)
    {
      IlJsonPath p_seg = IL_JSON_INDEX (path, i);
      IlJsonPath p_state = IL_JSON_INDEX (&p_seg, 0);
      IlJsonPath p_us = IL_JSON_INDEX (&p_seg, 1);
      JsonArray *pair;
      guint      state;
      gint64     us;

      if (!il_json_get_array (r, json_array_get_element (array, i), &p_seg, &pair))
        return FALSE;
      if (json_array_get_length (pair) != 2)
        return il_json_fail (r, &p_seg, IL_JSON_AT_VALUE,
                             "expected a [state, µs] pair, got %u elements", json_array_get_length (pair));
      if (!il_json_get_enum (r, json_array_get_element (pair, 0), &p_state, names, &state) ||
          !il_json_get_int (r, json_array_get_element (pair, 1), &p_us, 1, G_MAXUINT32, &us))
        return FALSE;
      segments->seg[i].state = (guint8) state;
      segments->seg[i].us = (guint32) us;
    }
  problem = il_state_segments_check (segments, wall_us);
  if (problem != NULL)
    return il_json_fail (r, path, IL_JSON_AT_VALUE, "%s", problem);
  *out = g_steal_pointer (&segments);
  return TRUE;
}

static gboolean
read_block_record (Reader           *r,
                   JsonNode         *node,
                   const IlJsonPath *path,
                   IlBlockRecord    *block)
{
  static const char *const allowed[] = { "type", "start_us", "end_us", "ttfb_us", "state_us", "segments", NULL };
  static const char *const types[] = { "cpu", "sleep", "http", "file-write", "file-read", "counter", "yield", NULL };
  IlJsonPath               p_type = IL_JSON_MEMBER (path, "type");
  IlJsonPath               p_state = IL_JSON_MEMBER (path, "state_us");
  JsonObject              *object;
  guint                    type;

  memset (block, 0, sizeof *block);
  block->ttfb_us = -1;

  if (!get_object (r, node, path, "a block record", allowed, &object) ||
      !il_json_require (r, object, path, "type", NULL) ||
      !il_json_get_enum (r, member (object, "type"), &p_type, types, &type) ||
      !opt_us (r, object, path, "start_us", &block->start_us) ||
      !opt_us (r, object, path, "end_us", &block->end_us) ||
      !il_json_opt_int (r, object, path, "ttfb_us", -1, G_MAXINT64, &block->ttfb_us))
    return FALSE;

  block->type = type;

  if (json_object_has_member (object, "state_us") &&
      !read_state (r, member (object, "state_us"), &p_state, &block->state))
    return FALSE;

  if (json_object_has_member (object, "segments"))
    {
      IlJsonPath p_segments = IL_JSON_MEMBER (path, "segments");

      if (!read_segments (r, member (object, "segments"), &p_segments,
                          block->end_us - block->start_us, &block->segments))
        return FALSE;
    }

  return TRUE;
}

gboolean
il_results_read_task_record (Reader           *r,
                             JsonNode         *node,
                             const IlJsonPath *path,
                             IlTaskRecord     *task)
{
  static const char *const allowed[] = {
    "group", "index", "worker", "pid", "tid", "cpu_start", "cpu_end",
    "queued_us", "start_us", "end_us", "spawn_us", "host", "rank", "marshal_us", "checksum", "state_us",
    "blocks", "failed", "error", NULL
  };
  IlJsonPath       p_checksum = IL_JSON_MEMBER (path, "checksum");
  IlJsonPath       p_state = IL_JSON_MEMBER (path, "state_us");
  IlJsonPath       p_blocks = IL_JSON_MEMBER (path, "blocks");
  JsonObject      *object;
  gint             cpu_start = -1, cpu_end = -1;
  gint64           spawn = -1, marshal = -1;
  gint             rank = 0;
  gboolean         failed = FALSE;
  g_autofree char *host = NULL;
  g_autofree char *error = NULL;
  IlStateTimes     state = { 0 };

  task->cpu_start = -1;
  task->cpu_end = -1;

  if (!get_object (r, node, path, "a task record", allowed, &object) ||
      !il_json_opt_uint (r, object, path, "group", 0, G_MAXUINT, &task->group) ||
      !il_json_opt_uint (r, object, path, "index", 0, G_MAXUINT, &task->index) ||
      !opt_gint (r, object, path, "worker", G_MININT, &task->worker) ||
      !opt_gint (r, object, path, "pid", G_MININT, &task->pid) ||
      !opt_gint (r, object, path, "tid", G_MININT, &task->tid) ||
      !opt_gint (r, object, path, "cpu_start", -1, &cpu_start) ||
      !opt_gint (r, object, path, "cpu_end", -1, &cpu_end) ||
      !opt_us (r, object, path, "queued_us", &task->queued_us) ||
      !opt_us (r, object, path, "start_us", &task->start_us) ||
      !opt_us (r, object, path, "end_us", &task->end_us) ||
      !il_json_opt_int (r, object, path, "spawn_us", -1, G_MAXINT32, &spawn) ||
      !opt_string (r, object, path, "host", &host) ||
      !opt_gint (r, object, path, "rank", 0, &rank) ||
      !il_json_opt_int (r, object, path, "marshal_us", -1, G_MAXINT32, &marshal) ||
      !il_json_opt_bool (r, object, path, "failed", &failed) ||
      !opt_string (r, object, path, "error", &error))
    return FALSE;
  /* A CPU number fits the record's 16 bits (Linux: at most 8192 CPUs). */
  if (cpu_start > G_MAXINT16 || cpu_end > G_MAXINT16)
    {
      IlJsonPath p_cpu = IL_JSON_MEMBER (path, cpu_start > G_MAXINT16 ? "cpu_start" : "cpu_end");

      return il_json_fail (r, &p_cpu, IL_JSON_AT_VALUE, "expected a CPU number up to %d, got %d",
                           G_MAXINT16, MAX (cpu_start, cpu_end));
    }
  task->cpu_start = (gint16) cpu_start;
  task->cpu_end = (gint16) cpu_end;
  il_task_record_set_spawn_us (task, (gint32) spawn);
  il_task_record_set_marshal_us (task, (gint32) marshal);
  il_task_record_set_rank (task, rank);
  il_task_record_take_host (task, g_steal_pointer (&host));
  il_task_record_take_error (task, g_steal_pointer (&error));
  task->failed = failed != FALSE;

  if (json_object_has_member (object, "checksum"))
    {
      g_autofree char *hex = NULL;
      char            *end = NULL;

      if (!il_json_get_string (r, member (object, "checksum"), &p_checksum, 1, 16, FALSE, &hex))
        return FALSE;

      task->checksum = g_ascii_strtoull (hex, &end, 16);
      if (end == NULL || *end != '\0' || !g_ascii_isxdigit (hex[0]))
        return il_json_fail (r, &p_checksum, IL_JSON_AT_VALUE,
                             "expected up to 16 hexadecimal digits, got the string \"%s\"", hex);
    }

  if (json_object_has_member (object, "state_us") &&
      !read_state (r, member (object, "state_us"), &p_state, &state))
    return FALSE;
  il_task_record_set_state (task, &state);

  if (json_object_has_member (object, "blocks"))
    {
      g_autoptr(GArray) blocks = g_array_new (FALSE, TRUE, sizeof (IlBlockRecord));
      JsonArray *array;
      gboolean   ok;

      ok = il_json_get_array (r, member (object, "blocks"), &p_blocks, &array) &&
           il_json_read_structs (r, array, &p_blocks, (IlJsonReadInto) read_block_record, blocks);
      /* The record takes the blocks read (and their segments), or frees
       * them with what it holds. */
      il_task_record_reserve_blocks (task, MIN (blocks->len, (guint) G_MAXUINT8));
      for (guint i = 0; i < blocks->len; i++)
        {
          IlBlockRecord *br = &g_array_index (blocks, IlBlockRecord, i);

          if (task->n_blocks < G_MAXUINT8)
            il_task_record_add_block (task, br);
          else
            g_free (br->segments);
        }
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* A repetition's task record, read into its place in the tasks (an
 * element of a streamed array). */
gboolean
il_results_read_task_element (Reader           *r,
                              JsonNode         *node,
                              const IlJsonPath *path,
                              gpointer          data)
{
  GArray *tasks = data;

  if ((guint) path->index >= tasks->len)
    g_array_set_size (tasks, (guint) path->index + 1);
  return il_results_read_task_record (r, node, path, &g_array_index (tasks, IlTaskRecord, path->index));
}
