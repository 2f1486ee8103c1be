/* il-cost.c — what a run will cost in memory, checked before it starts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run keeps one record per task and repetition (IlTaskRecord, 144 bytes
 * with its first block inline; further blocks 48 bytes each in one array
 * per task; the few tasks with an error, a host or times past 32 bits keep
 * those apart) until it ends. The CLI's outputs (--json, --csv, --trace) are
 * written as a stream from the records: they add no memory per task. A file
 * within every limit (a million tasks, a hundred repetitions) can still
 * need more than a machine has, and then GLib aborts half-way through the
 * run. This estimates the peak and refuses the run first.
 *
 * The sizes are measured: bench/bench-memory.c (interleave-cli run of
 * sequential sleep-0 tasks with --json, --csv and --trace, peak RSS above a
 * 1-task run): 175 bytes per task of one block at 1,000,000 tasks, 239 for
 * tasks of two blocks (the event queue and the writers' buffers are fixed
 * costs). Per block beyond the first: 48 bytes and the array's allocation.
 * A block's segments (up to 136 bytes) exist only where an executor saw it
 * change state.
 * A processes run holds each worker's task frame, payload included, on the
 * way out and its echo on the way back: measured 2 × payload_bytes per
 * worker in the parent (8 tasks of 64 MiB, 1 and 4 workers); the worker
 * holds as much again.
 * tests/test-runner.c checks that the estimate stays above what a run
 * really takes.
 */
#include "config.h"

#include <inttypes.h>

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gi18n.h>

#include "il-cost.h"
#include "il-error.h"

/* A task with its first block, and each further block. */
#define RECORD_TASK_BYTES  160
#define RECORD_BLOCK_BYTES 64
/* The outputs are streamed: a few bytes per task of summary statistics
 * (each task's latency, and the sorted copy the percentiles take). */
#define DOC_TASK_BYTES    16
#define DOC_BLOCK_BYTES   0
#define TRACE_TASK_BYTES  0
#define TRACE_BLOCK_BYTES 0
/* The measurements vary a little with the allocator's state: a margin. */
#define MARGIN_PERCENT 25
/* What the process holds anyway (libraries, the experiment, buffers). */
#define BASE_BYTES (G_GUINT64_CONSTANT (64) << 20)

static guint64
mul_sat (guint64 a,
         guint64 b)
{
  if (a != 0 && b > G_MAXUINT64 / a)
    return G_MAXUINT64;
  return a * b;
}

static guint64
add_sat (guint64 a,
         guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

void
il_run_cost_estimate (const IlExperiment *experiment,
                      guint               runs,
                      guint               repetitions,
                      guint               process_workers,
                      IlRunOutputs        outputs,
                      IlRunCost          *cost)
{
  guint64 tasks = 0;
  guint64 blocks = 0;
  guint64 payload = 0;
  guint64 doc_per_rep = 0;
  guint64 records_per_rep;

  g_return_if_fail (experiment != NULL);
  g_return_if_fail (cost != NULL);

  memset (cost, 0, sizeof *cost);

  for (guint g = 0; g < experiment->tasks->len; g++)
    {
      const IlTaskGroup *group = g_ptr_array_index (experiment->tasks, g);
      guint64            repeat = (guint64) MAX (group->repeat, 0);

      tasks += repeat;
      blocks += repeat * group->blocks->len;
      payload = MAX (payload, (guint64) MAX (group->payload_bytes, 0));
    }

  records_per_rep = tasks * RECORD_TASK_BYTES + blocks * RECORD_BLOCK_BYTES;
  if (outputs & IL_RUN_OUTPUT_DOCUMENT)
    doc_per_rep += tasks * DOC_TASK_BYTES + blocks * DOC_BLOCK_BYTES;
  if (outputs & IL_RUN_OUTPUT_TRACE)
    doc_per_rep += tasks * TRACE_TASK_BYTES + blocks * TRACE_BLOCK_BYTES;

  cost->tasks_per_repetition = tasks;
  cost->repetitions = MAX (repetitions, 1);
  cost->runs = runs;
  /* Warm-ups are dropped when they end; counted repetitions are all kept
   * until the run is over. */
  cost->task_records = mul_sat (tasks, mul_sat (cost->repetitions, runs));
  cost->bytes_per_task = tasks > 0 ? records_per_rep / tasks : RECORD_TASK_BYTES;
  cost->records_bytes = mul_sat (records_per_rep, mul_sat (cost->repetitions, runs));
  cost->outputs_bytes = mul_sat (doc_per_rep, mul_sat (cost->repetitions, runs));
  /* Runs run one after the other: the widest processes run counts. */
  cost->buffers_bytes = mul_sat (2 * payload, process_workers);
  cost->workers_bytes = cost->buffers_bytes;
  cost->total_bytes = add_sat (cost->records_bytes, cost->outputs_bytes);
  cost->total_bytes = add_sat (cost->total_bytes, cost->buffers_bytes);
  cost->total_bytes = add_sat (cost->total_bytes, cost->total_bytes / 100 * MARGIN_PERCENT);
  cost->total_bytes = add_sat (cost->total_bytes, BASE_BYTES);
}

/* A "Name:  value kB" line of a /proc file, in bytes; 0 if absent. */
static guint64
proc_kb (const char *path,
         const char *name)
{
  g_autofree char *contents = NULL;
  const char      *line;
  gsize            len = strlen (name);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (line = contents; line != NULL && *line != '\0'; line = strchr (line, '\n'))
    {
      if (*line == '\n')
        line++;
      if (strncmp (line, name, len) == 0 && line[len] == ':')
        return g_ascii_strtoull (line + len + 1, NULL, 10) * 1024;
    }
  return 0;
}

static guint64
rlimit_left (int         resource,
             const char *used_field)
{
  struct rlimit rl;
  guint64       used;

  if (getrlimit (resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return G_MAXUINT64;
  used = proc_kb ("/proc/self/status", used_field);
  return (guint64) rl.rlim_cur > used ? (guint64) rl.rlim_cur - used : 0;
}

static guint64
process_available (const char **what)
{
  guint64     best = G_MAXUINT64;
  const char *name = NULL;
  guint64     value;

  value = rlimit_left (RLIMIT_AS, "VmSize");
  if (value < best)
    {
      best = value;
      name = "RLIMIT_AS";
    }
  value = rlimit_left (RLIMIT_DATA, "VmData");
  if (value < best)
    {
      best = value;
      name = "RLIMIT_DATA";
    }
  if (what != NULL)
    *what = name;
  return best;
}

static guint64
machine_available (void)
{
  guint64 value = proc_kb ("/proc/meminfo", "MemAvailable");

  return value > 0 ? value : G_MAXUINT64;
}

guint64
il_run_cost_available (const char **what)
{
  guint64 process = process_available (what);
  guint64 machine = machine_available ();

  if (machine < process)
    {
      if (what != NULL)
        *what = "MemAvailable";
      return machine;
    }
  return process;
}

gboolean
il_run_cost_check (const IlRunCost *cost,
                   GError         **error)
{
  const char      *what = NULL;
  guint64          available = process_available (&what);
  guint64          machine = machine_available ();
  guint64          needed = cost->total_bytes;
  g_autofree char *need = NULL;
  g_autofree char *have = NULL;
  g_autofree char *outputs = NULL;
  g_autofree char *runs = NULL;

  g_return_val_if_fail (cost != NULL, FALSE);

  if (cost->total_bytes <= available && add_sat (cost->total_bytes, cost->workers_bytes) <= machine)
    return TRUE;

  /* The workers' share counts only against the machine's memory. */
  if (cost->total_bytes <= available)
    {
      available = machine;
      what = "MemAvailable";
      needed = add_sat (cost->total_bytes, cost->workers_bytes);
    }
  else if (machine < available)
    {
      available = machine;
      what = "MemAvailable";
    }

  need = g_format_size (needed);
  have = g_format_size (available);
  if (cost->outputs_bytes > 0)
    {
      g_autofree char *size = g_format_size (cost->outputs_bytes);

      /* TRANSLATORS: %s is a size ("5.6 GB") */
      outputs = g_strdup_printf (_(", and %s to build the results document or trace in memory"), size);
    }
  if (cost->buffers_bytes > 0)
    {
      g_autofree char *size = g_format_size (add_sat (cost->buffers_bytes, cost->workers_bytes));
      g_autofree char *before = g_steal_pointer (&outputs);

      /* TRANSLATORS: %s is a size ("5.6 GB") */
      outputs = g_strdup_printf (_("%s, and %s for the payloads in flight to and from the workers"),
                                    before != NULL ? before : "", size);
    }

  runs = g_strdup_printf (ngettext ("%" PRIu64 " run", "%" PRIu64 " runs",
                                    (gulong) MIN (cost->runs, G_MAXULONG)),
                          cost->runs);
  g_set_error (error, IL_ERROR, IL_ERROR_SYSTEM,
               _("This run needs about %s of memory, more than this process can get (%s, by %s): "
                 "%" PRIu64 " tasks × %" PRIu64 " repetitions × %s keep %"
                 PRIu64 " task records of about %" PRIu64 " bytes each%s. "
                 "Run fewer tasks, repetitions, runs or workers, or smaller payloads"),
                  need, have, what != NULL ? what : "?",
                  cost->tasks_per_repetition, cost->repetitions, runs,
                  cost->task_records, cost->bytes_per_task,
                  outputs != NULL ? outputs : "");
  return FALSE;
}
