/* il-protocol.h — the wire protocol between the processes executor and
 * interleave-worker, defined in one place for both sides
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every frame is a 16-byte header followed by `length` bytes of body:
 *
 *   offset 0  u32  magic   "ILWP"
 *   offset 4  u16  version IL_PROTOCOL_VERSION
 *   offset 6  u16  type    IlFrameType
 *   offset 8  u64  length  of the body, at most IL_PROTOCOL_MAX_BODY
 *
 * All integers are little-endian. A conversation:
 *
 *   parent → worker  HELLO  (parent pid, worker slot, cores, I/O environment,
 *                            heartbeat interval)
 *   worker → parent  READY  (worker pid)
 *   worker → parent  HEARTBEAT (empty, every interval, from a thread of its
 *                            own, whatever the task is doing)
 *   parent → worker  TASK   (blocks, identity, t0, payload + its checksum)
 *   worker → parent  EVENT* (task/block start/end, streamed while it runs)
 *   worker → parent  RESULT (the task record, usage, payload echoed back)
 *   …
 *   parent → worker  BYE    (or EOF)
 *
 * Either side treats anything it does not understand (bad magic, another
 * version, an unknown type, an oversized or truncated body, a number outside
 * the experiment file's limits) as fatal for the connection: the worker
 * exits with a message, the parent kills the worker and fails its task. A
 * worker the parent has heard nothing from (not even a HEARTBEAT) for the
 * silence timeout is declared lost the same way.
 *
 * Version 2 added HEARTBEAT (a new type number: the others are unchanged)
 * and the interval in HELLO; a worker of another build is refused by its
 * first frame's version, with a message naming both.
 *
 * Version 3 added the counter block (its increments and lock in TASK), the
 * lock_wait state time (RESULT; EVENT's value slot for task and block
 * ends) and the increments the worker counted in its own memory (RESULT).
 *
 * Version 4 added the yield block (its times in TASK) and what the task's
 * yield blocks did in RESULT: the yields made, the kernel's voluntary and
 * involuntary switches of the thread meanwhile, and their CPU time.
 * Version 5 added each block's states in time order to RESULT: after a
 * block's state times, a u8 count (0, or 2 … IL_MAX_STATE_SEGMENTS) of
 * (u8 state, u32 µs) segments that add up to the block's length.
 *
 * Version 6 added TASKS (type 10), sent only to the cpython engine's
 * async executor, which starts every task at once: a u32 count, then a
 * TASK body without a payload, standing for @count tasks with the same
 * definition whose index and flat index go up by one from the body's. One
 * frame instead of thousands, all decoded at once: the interpreter's loop
 * starts them in place, as a bare asyncio.gather does. Every other peer
 * refuses it as unexpected.
 *
 * Version 7 added END (type 11) and DONE (type 12), spoken only with the
 * cpython engine, which keeps one interpreter for every repetition of a
 * run: END (empty) closes a repetition's tasks as BYE does, but the
 * interpreter stays; once every task has finished it answers DONE (the
 * CPU time and switches it and its reaped children used since the
 * repetition's HELLO: four i64, user and system µs, voluntary and
 * involuntary switches) and waits for the next repetition's HELLO (answered
 * with READY, as the first one is), or BYE or the end of its input to
 * leave. Every other peer refuses both as unexpected.
 *
 * LOAD (type 9), also only from rank 0: per-core load samples taken on
 * one host by one of its ranks, relayed as they arrive with that rank's
 * results.
 *
 * PLACED (type 8) is sent only by interleave-mpi-worker's rank 0, right
 * before the RESULT it relays: which MPI rank on which host ran the task,
 * and how long its TASK and RESULT spent in MPI messages. It was added
 * without a new version because no other peer sends or accepts it (the
 * processes executor and the cpython engine refuse it as unexpected).
 */
#pragma once

#include <glib.h>

#include "il-events.h"
#include "il-experiment.h"
#include "il-results.h"
#include "il-run-private.h"

G_BEGIN_DECLS

#define IL_PROTOCOL_MAGIC       0x50574c49u /* "ILWP" read as little-endian */
#define IL_PROTOCOL_VERSION     7
#define IL_PROTOCOL_HEADER_SIZE 16
/* The largest payload plus room for blocks, URLs and the record. */
#define IL_PROTOCOL_MAX_BODY ((guint64) IL_MAX_PAYLOAD_BYTES + 16 * 1024 * 1024)

typedef enum
{
  IL_FRAME_HELLO = 1,
  IL_FRAME_READY = 2,
  IL_FRAME_TASK = 3,
  IL_FRAME_EVENT = 4,
  IL_FRAME_RESULT = 5,
  IL_FRAME_BYE = 6,
  IL_FRAME_HEARTBEAT = 7,
  IL_FRAME_PLACED = 8,
  IL_FRAME_LOAD = 9,
  IL_FRAME_TASKS = 10,
  IL_FRAME_END = 11,  /* v7 */
  IL_FRAME_DONE = 12, /* v7 */
} IlFrameType;

/* The interval a HELLO may ask for, ms. */
#define IL_PROTOCOL_MIN_HEARTBEAT_MS 10
#define IL_PROTOCOL_MAX_HEARTBEAT_MS 60000

typedef struct
{
  guint32 pid;          /* HELLO: the parent; READY: the worker */
  gint32  worker;       /* HELLO: slot index */
  GArray *affinity;     /* HELLO: guint cores, NULL or empty: all */
  char   *server_url;   /* HELLO: nullable */
  char   *scratch_dir;  /* HELLO: nullable */
  guint32 heartbeat_ms; /* HELLO: how often to send HEARTBEAT; READY: 0 */
} IlProtoHello;

typedef struct
{
  guint         group;
  guint         index;
  guint         flat;
  gint          worker;
  guint16       run;
  guint16       rep;
  gint64        t0;               /* parent's CLOCK_MONOTONIC µs */
  guint64       payload_checksum; /* of the payload bytes as sent */
  IlTaskGroup  *def;              /* blocks and payload_bytes (owned) */
  const guint8 *payload;          /* points into the decoded frame */
  gsize         payload_len;
} IlProtoTask;

typedef struct
{
  IlTaskRecord  rec; /* blocks and error owned */
  IlUsage       usage;
  gint64        overhead_ns;
  gint64        counted; /* increments made on the worker's own counter */
  IlYieldUsage  yielded; /* the task's yield blocks */
  const guint8 *payload; /* echo: points into the decoded frame */
  gsize         payload_len;
} IlProtoResult;

/* PLACED: where an mpi rank ran a task (il-protocol-mpi.c). */
typedef struct
{
  guint   group;
  guint   index;
  gint32  rank;       /* MPI rank, 1 … IL_MAX_WORKERS */
  char   *host;       /* the rank's host name (owned) */
  guint32 pid;        /* the rank's process id on its host */
  gint64  start_us;   /* rank 0's clock, from t0: TASK handed to MPI */
  gint64  end_us;     /* rank 0's clock, from t0: RESULT received; -1: just handed out */
  gint64  marshal_us; /* start…end minus the task's run time on its rank; -1 with end_us */
} IlProtoPlaced;

void     il_protocol_write_placed (GByteArray          *out,
                                   const IlProtoPlaced *placed);
gboolean il_protocol_read_placed (const guint8  *body,
                                  gsize          len,
                                  IlProtoPlaced *out,
                                  GError       **error);
void     il_proto_placed_clear (IlProtoPlaced *placed);

/* LOAD: per-core busy % samples of one host (il-protocol-mpi.c). */
typedef struct
{
  char   *host;    /* owned */
  guint   hz;      /* 1 … 100 */
  guint   cores;   /* 1 … IL_PROTOCOL_MAX_LOAD_CORES */
  guint   samples; /* rows */
  GArray *values;  /* float, samples × cores, row by row (owned) */
} IlProtoLoad;

#define IL_PROTOCOL_MAX_LOAD_CORES   4096
#define IL_PROTOCOL_MAX_LOAD_SAMPLES 100000

void     il_protocol_write_load (GByteArray        *out,
                                 const IlProtoLoad *load);
gboolean il_protocol_read_load (const guint8 *body,
                                gsize         len,
                                IlProtoLoad  *out,
                                GError      **error);
void     il_proto_load_clear (IlProtoLoad *load);

/* Header. Returns FALSE with a message in @error (IL_ERROR_WORKER) for a
 * bad magic, version, type or length. @data must hold
 * IL_PROTOCOL_HEADER_SIZE bytes. */
gboolean il_protocol_parse_header (const guint8 *data,
                                   IlFrameType  *type,
                                   guint64      *length,
                                   GError      **error);

/* Encoders append one whole frame to @out. */
void il_protocol_write_hello (GByteArray         *out,
                              IlFrameType         type,
                              const IlProtoHello *hello);
void il_protocol_write_bye (GByteArray *out);
void il_protocol_write_heartbeat (GByteArray *out);
/* v7, the cpython engine's: END closes a repetition's tasks and keeps the
 * interpreter; DONE answers it with what the interpreter used since the
 * repetition's HELLO. */
void il_protocol_write_end (GByteArray *out);
void il_protocol_write_done (GByteArray    *out,
                             const IlUsage *usage);
/* Fills the payload deterministically from the task's identity directly in
 * @out (no copy) and stores its checksum in @task->payload_checksum. */
void il_protocol_write_task (GByteArray  *out,
                             IlProtoTask *task);
/* @n events in one EVENT frame. */
void il_protocol_write_events (GByteArray    *out,
                               const IlEvent *events,
                               guint          n);
void il_protocol_write_result (GByteArray          *out,
                               const IlProtoResult *result);

/* Decoders read a frame body of @len bytes. They fail on truncation,
 * trailing bytes, and any number outside what an experiment file may hold
 * (il-experiment.h's limits, the ones the file reader enforces): a worker
 * must not loop, sleep or allocate on a number its parent could never have
 * sent. Safe on arbitrary bytes. */
gboolean il_protocol_read_hello (const guint8 *body,
                                 gsize         len,
                                 IlProtoHello *out,
                                 GError      **error);
gboolean il_protocol_read_task (const guint8 *body,
                                gsize         len,
                                IlProtoTask  *out,
                                GError      **error);
/* TASKS: @count tasks like @first (no payload: def->payload_bytes 0),
 * their index and flat index @first's plus 0 … @count - 1. */
void     il_protocol_write_tasks (GByteArray  *out,
                                  IlProtoTask *first,
                                  guint        count);
gboolean il_protocol_read_tasks (const guint8 *body,
                                 gsize         len,
                                 IlProtoTask  *first,
                                 guint        *count,
                                 GError      **error);
/* DONE: every figure 0 … a day's µs or switches' worth. */
gboolean il_protocol_read_done (const guint8 *body,
                                gsize         len,
                                IlUsage      *out,
                                GError      **error);
/* Appends to @out (GArray of IlEvent). */
gboolean il_protocol_read_events (const guint8 *body,
                                  gsize         len,
                                  GArray       *out,
                                  GError      **error);
gboolean il_protocol_read_result (const guint8  *body,
                                  gsize          len,
                                  IlProtoResult *out,
                                  GError       **error);

void il_proto_hello_clear (IlProtoHello *hello);
void il_proto_task_clear (IlProtoTask *task);
void il_proto_result_clear (IlProtoResult *result);

/* Word-wise checksum used to verify payloads both ways. */
guint64 il_protocol_checksum (const guint8 *data,
                              gsize         len);

const char *il_frame_type_to_string (IlFrameType type);

G_END_DECLS
