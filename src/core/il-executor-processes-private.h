/* il-executor-processes-private.h — the processes executor's dispatcher
 * and worker slots, shared by its two halves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * il-executor-processes.c is the executor: it hands tasks to workers,
 * forwards their events and turns their results into task records.
 * il-worker-pool.c manages the workers themselves: spawning with the HELLO
 * frame, the READY handshake, liveness (heartbeats and the silence
 * timeout), and killing and reaping.
 */
#pragma once

#include "il-protocol.h"
#include "il-run-private.h"
#include "il-worker-pool.h"

G_BEGIN_DECLS

/* How long a worker may take to leave after BYE or EOF before it is
 * killed. */
#define GRACE_US   (200 * 1000)
#define READ_CHUNK (256 * 1024)

/* How long a worker may stay silent before it is declared lost, ms
 * (IL_WORKER_TIMEOUT_MS overrides it). It sends a HEARTBEAT four times per
 * timeout. */
#define SILENCE_DEFAULT_MS 3000
#define SILENCE_MIN_MS     100
#define SILENCE_MAX_MS     600000

typedef struct
{
  guint       index;
  pid_t       pid;            /* 0: no process in this slot */
  int         wfd;            /* its stdin, -1: none (closed: EOF for it) */
  int         rfd;            /* its stdout, -1: none */
  gboolean    ready;          /* READY received */
  gboolean    bye;            /* BYE queued: it takes no more tasks */
  gint64      bye_at;         /* monotonic µs */
  gint64      spawn_start;    /* monotonic µs at the spawn call */
  gint64      spawn_us;       /* spawn call → READY; -1 until then */
  gboolean    spawn_recorded; /* given to a task already */
  GByteArray *in;
  GByteArray *out;
  gsize       out_off;
  gint        task; /* flat index of its task, -1: idle */
  gboolean    start_emitted;
  guint64     payload_checksum;
  gsize       payload_len;
  IlUsage     reported;   /* task usage it reported, to find the rest at exit */
  gint64      last_heard; /* monotonic µs of its last byte (or its spawn) */
} Slot;

typedef struct
{
  IlRunContext *ctx;
  char         *path;
  gboolean      per_task;
  Slot         *slots;
  guint         n_slots;
  guint         n_tasks;
  guint         next_task;
  guint         done;
  GArray       *events; /* scratch for decoding */
  GError       *error;  /* the run could not start */
  GError       *fatal;  /* a worker could not be started: the loop ends */
  gint64        silence_us;
  guint         heartbeat_ms;
} Dispatcher;

static inline IlTaskRecord *
il_processes_task_record (Dispatcher *d,
                          guint       flat)
{
  return &g_array_index (d->ctx->repetition->tasks, IlTaskRecord, flat);
}

/* il-executor-processes.c */

/* Ends the slot's task as failed with @message (taken). */
void il_processes_slot_fail_task (Dispatcher *d,
                                  Slot       *s,
                                  char       *message);
/* Reads what the worker sent and handles every whole frame. FALSE: the
 * slot has been reaped. */
gboolean il_processes_slot_read (Dispatcher *d,
                                 Slot       *s);

/* il-worker-pool.c */

/* Starts a worker in the empty slot @s and queues its HELLO. */
gboolean il_pool_slot_spawn (Dispatcher *d,
                             Slot       *s,
                             GError    **error);
/* Sends what is queued, as far as the pipe takes it. FALSE: the worker
 * is gone (the slot has been reaped). */
gboolean il_pool_slot_flush (Dispatcher *d,
                             Slot       *s);
/* Waits for the slot's process to end, killing it after @grace_us, and
 * empties the slot. Returns how it ended. */
char *il_pool_slot_reap (Dispatcher *d,
                         Slot       *s,
                         gint64      grace_us);
/* The worker is gone or must go: reap it, fail its task with @what (NULL:
 * with how it ended). */
void il_pool_slot_lost (Dispatcher *d,
                        Slot       *s,
                        const char *what,
                        gboolean    kill_now);
/* A READY frame from the slot's worker. */
void il_pool_handle_ready (Dispatcher   *d,
                           Slot         *s,
                           const guint8 *body,
                           gsize         len,
                           GError      **error);
/* Declares lost every worker not heard from for the silence timeout. */
void il_pool_check_silence (Dispatcher *d);
/* Ends every worker: running ones (cancellation) are killed at once and
 * their tasks fail as cancelled; idle ones get BYE and a short grace. */
void il_pool_shutdown (Dispatcher *d);

G_END_DECLS
