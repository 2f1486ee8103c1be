# SPDX-License-Identifier: GPL-3.0-or-later
"""The engine's main program: the wire protocol's loop and the executors.

sequential  a plain loop on the main thread;
threads     `workers` threading.Thread workers taking tasks from a queue,
            with sys.setswitchinterval(switch_interval_ms);
processes   multiprocessing (fork): `pool` is a multiprocessing.Pool of
            `workers` processes, `per-task` a fresh Process per task; the
            task and its payload are pickled to the child and the result
            and the payload pickled back, as Python code does;
async       one asyncio loop (asyncrun.py): sleep is asyncio.sleep, HTTP
            goes over asyncio streams, file blocks are plain blocking calls
            (as naive asyncio code makes them: they stall the loop), and a
            CPU block awaits asyncio.sleep(0) every cpu_slice_units units.

Counter blocks (blocks.count) increment a module-level counter. A RESULT's
count (protocol v3) is what the task's process holds in its own memory:
under processes, what the task added to its child's counter, as
interleave-worker reports it (the application sums them per worker; this
process's counter, like the application's, never moves); under sequential,
threads and async, where every task shares this interpreter's counter, the
counter's value when the RESULT is queued, read under the lock that orders
the output (Channel.send_counted). Each task's increments come before its
own RESULT, so the last RESULT the application reads carries the counter's
final value.

One interpreter runs every repetition of a run (protocol v7), as a Python
program timing a batch several times does: HELLO, its repetition's tasks
and END, then DONE once they have all finished, and the next HELLO. Each
repetition starts as the first one did (begin_repetition): the counter at
0, the garbage collected, and the executor's threads, pool or loop made
anew; what carries over is the interpreter itself (its modules, the
kernels library, its heap). BYE, or the end of the input, ends it.
"""
import gc
import multiprocessing
import os
import queue
import resource
import sys
import threading
import time
import traceback

from . import asyncrun
from . import blocks as B
from . import protocol as P


class Channel:
    """Frames in from the application (a reader thread) and out to it.

    Outgoing frames are gathered and written together: one write per task
    would cost more than the tasks Interleave measures. They go out when
    asked (before a long block, before a worker waits for work), when the
    oldest has waited FLUSH_AFTER, or when they add up to FLUSH_BYTES.
    Timestamps are taken when things happen, so batching delays only the
    live view, never a measurement."""

    FLUSH_AFTER = 0.005
    FLUSH_BYTES = 64 * 1024

    def __init__(self, in_fd, out_fd):
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.lock = threading.Lock()
        self.buf = bytearray()
        self.out = []
        self.out_bytes = 0
        self.oldest = 0.0
        self.started = False
        self.writer = False
        self.pending = []  # whole frames read past a repetition's END
        self.closing = None  # what ended the repetition's input: END, BYE, None (EOF)
        self.beating = True  # heartbeats go out (not while waiting for a HELLO)
        self.beat_s = 1.0

    def send(self, data, now=False):
        with self.lock:
            self._send_locked(data, now)

    def send_counted(self, rec, payload=b"", events=None):
        """A task's RESULT (after its last @events) carrying the shared
        counter's value as read now: frames leave in the order of these
        reads."""
        with self.lock:
            rec["counted"] = B.x
            self._send_locked(result_frame(rec, payload, events))

    def _send_locked(self, data, now=False):
        if not self.out:
            self.oldest = time.monotonic()
        self.out.append(data)
        self.out_bytes += len(data)
        if (now or self.out_bytes >= self.FLUSH_BYTES
                or time.monotonic() - self.oldest >= self.FLUSH_AFTER):
            self._flush_locked()

    def flush(self):
        with self.lock:
            self._flush_locked()

    def _flush_locked(self):
        if not self.out:
            return
        data = b"".join(self.out)
        self.out = []
        self.out_bytes = 0
        if self.writer:
            B.writer_send(data)
        else:
            B.write_all(self.out_fd, data)

    def start_writer(self):
        """From now on frames go out from the kernels library's writer
        thread (the async engine's: its one loop thread must never wait
        for the pipe, nor for the GIL to come back from a thread of its
        own)."""
        B.writer_start(self.out_fd)
        self.writer = True

    def send_tasks(self, recs, pid, tid, valid, error=None, events_only=False):
        """Packed task records (asyncrun.py), after what is gathered."""
        with self.lock:
            self._flush_locked()
            B.writer_send_tasks(recs, pid, tid, valid, error, events_only)

    def stop_writer(self):
        """Sends what is gathered and queued, and ends the writer thread."""
        with self.lock:
            self._flush_locked()
            B.writer_stop()
            self.writer = False

    def emit(self, packed, now=False):
        self.send(P.write_events(packed), now)

    def read_frame(self):
        """(type, body) or None at end of input."""
        frames = self.read_frames(1)
        return frames[0] if frames else None

    def read_frames(self, most=None):
        """The whole frames that have arrived (waiting for at least one), up
        to @most; [] at end of input."""
        if self.pending:
            n = len(self.pending) if most is None else most
            frames, self.pending = self.pending[:n], self.pending[n:]
            return frames
        frames = []
        pos = 0
        while True:
            while len(self.buf) - pos >= P.HEADER.size and (most is None or len(frames) < most):
                if not self.started:
                    P.adopt_version(self.buf)
                    self.started = True
                ftype, length = P.parse_header(self.buf[pos:pos + P.HEADER.size])
                end = pos + P.HEADER.size + length
                if len(self.buf) < end:
                    break
                frames.append((ftype, bytes(self.buf[pos + P.HEADER.size:end])))
                pos = end
            if frames:
                del self.buf[:pos]
                return frames
            chunk = os.read(self.in_fd, 1 << 20)
            if not chunk:
                if self.buf:
                    raise P.ProtocolError("truncated frame at end of input")
                return []
            self.buf += chunk


def heartbeat(channel):
    """Sends a HEARTBEAT every channel.beat_s (HELLO's interval), whatever
    the tasks are doing, so that the application can tell a stopped or
    wedged interpreter from a busy one. A daemon thread that only sleeps and
    writes: it needs the GIL once per beat, and gets it within a switch
    interval even when every worker is busy, as the kernels are called a
    unit at a time. Between repetitions, when nobody reads them, it keeps
    quiet (a full pipe would stop this process)."""
    beat = P.write_heartbeat()
    try:
        while True:
            time.sleep(channel.beat_s)
            if channel.beating:
                channel.send(beat, now=True)
    except OSError:
        pass  # the application is gone: the engine ends with its stdin


def feed(channel, put_many, n_sentinels):
    """Reader thread: TASK frames become tasks, handed over a batch at a
    time (whatever one read brought); END, BYE or end of input ends
    (channel.closing says which; frames after END wait in
    channel.pending)."""
    try:
        done = False
        while not done:
            batch = []
            frames = channel.read_frames()
            if not frames:
                break
            for i, (ftype, body) in enumerate(frames):
                if ftype in (P.BYE, P.END):
                    channel.closing = ftype
                    channel.pending = frames[i + 1:] + channel.pending
                    done = True
                    break
                if ftype == P.HEARTBEAT:
                    continue  # the application is alive: nothing to do
                if ftype != P.TASK:
                    raise P.ProtocolError(f"unexpected {P.FRAME_NAMES[ftype]} frame")
                batch.append(P.read_task(body))
            if batch:
                put_many(batch)
    except P.ProtocolError as e:
        sys.stderr.write(f"interleave cpython engine: protocol error: {e}\n")
        sys.stderr.flush()
        os._exit(3)
    put_many([None] * n_sentinels)


def queue_put_many(tasks):
    def put_many(batch):
        for t in batch:
            tasks.put(t)
    return put_many


def result_frame(rec, payload=b"", events=None):
    """The task's last events and its RESULT, to be sent in one go."""
    frame = P.write_result(rec, payload)
    return P.write_events(events) + frame if events else frame


def fatal(what):
    """An engine thread failed: the run cannot go on (the application fails
    the tasks left with the last line written here)."""
    def wrap(*args):
        try:
            what(*args)
        except BaseException as e:  # noqa: BLE001
            traceback.print_exc(file=sys.stderr)
            sys.stderr.write(f"interleave cpython engine: {type(e).__name__}: {e}\n")
            sys.stderr.flush()
            os._exit(4)
    return wrap


# ---- sequential and threads ------------------------------------------------

def next_task(channel, tasks):
    """The next task; what is gathered goes out before waiting for one (the
    application sends more work when it has the results)."""
    try:
        return tasks.get_nowait()
    except queue.Empty:
        channel.flush()
        return tasks.get()


def thread_worker(env, channel, tasks, worker):
    while True:
        task = next_task(channel, tasks)
        if task is None:
            channel.flush()
            return
        rec, events = B.run_task(env, task, worker, channel.emit)
        channel.send_counted(rec, b"", events)


def run_threads(env, channel, workers, switch_ms):
    sys.setswitchinterval(switch_ms / 1000.0)
    tasks = queue.SimpleQueue()
    reader = threading.Thread(target=feed, args=(channel, queue_put_many(tasks), max(workers, 1)),
                              name="il-reader", daemon=True)
    reader.start()
    if workers == 0:  # sequential: the main thread is the worker
        fatal(thread_worker)(env, channel, tasks, 0)
        return
    threads = [threading.Thread(target=fatal(thread_worker), args=(env, channel, tasks, w),
                                name=f"il-worker-{w}")
               for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# ---- processes -------------------------------------------------------------

_child_env = None


def _child_init(env):
    global _child_env
    _child_env = env


def child_run(task):
    """In a pool worker: run the task; the result and the payload go back
    pickled."""
    rec, _ = B.run_task(_child_env, task, task["worker"], None, shared_gil=False)
    return rec, task["payload"]


def _per_task_child(conn, env):
    started = B.now_us()
    task = conn.recv()
    rec, _ = B.run_task(env, task, task["worker"], None, shared_gil=False)
    conn.send((rec, task["payload"], started))
    conn.close()


def block_events(rec, worker, flat):
    """A child's blocks, reported once its result is back."""
    out = []
    for i, br in enumerate(rec["blocks"]):
        st = br["state"]
        out.append(P.event(P.EV_BLOCK_START, worker, flat, br["start_us"],
                           block_type=br["type"], block=i))
        failed = rec["failed"] and i == len(rec["blocks"]) - 1
        out.append(P.state_event(P.EV_BLOCK_END, worker, flat, br["end_us"], st,
                                 failed=failed, t2_us=br["start_us"],
                                 block_type=br["type"], block=i))
    return out


def process_slot(env, channel, tasks, worker, ctx, pool):
    while True:
        task = next_task(channel, tasks)
        if task is None:
            channel.flush()
            return
        task["worker"] = worker
        task["payload"] = bytes(task["payload"])
        flat = task["flat"]
        start_us = B.now_us() - task["t0"]
        channel.emit([P.event(P.EV_TASK_START, worker, flat, start_us,
                              a=os.getpid(), b=threading.get_native_id(),
                              c=task["group"], d=task["index"])], now=True)
        spawn_us = -1
        try:
            if pool is not None:
                rec, payload = pool.apply(child_run, (task,))
            else:
                parent, child = ctx.Pipe()
                before = B.now_us()
                proc = ctx.Process(target=_per_task_child, args=(child, env), daemon=True)
                proc.start()
                child.close()
                parent.send(task)
                rec, payload, started = parent.recv()
                parent.close()
                proc.join()
                spawn_us = started - before
        except Exception as e:  # noqa: BLE001 — the task fails, not the engine
            now = B.now_us() - task["t0"]
            rec = {"group": task["group"], "index": task["index"], "pid": 0, "tid": 0,
                   "cpu_start": -1, "cpu_end": -1, "start_us": start_us, "end_us": now,
                   "checksum": 0, "state": B.NO_STATE, "failed": True,
                   "error": f"the worker process failed: {e!r}", "blocks": [],
                   "usage": (0, 0, 0, 0), "overhead_ns": 0, "counted": 0}
            payload = task["payload"]
        rec["start_us"] = start_us
        rec["end_us"] = B.now_us() - task["t0"]
        rec["spawn_us"] = spawn_us
        channel.send(result_frame(rec, payload, block_events(rec, worker, flat)))


def run_processes(env, channel, workers, per_task):
    ctx = multiprocessing.get_context("fork")
    pool = None if per_task else ctx.Pool(workers, initializer=_child_init, initargs=(env,))
    tasks = queue.SimpleQueue()
    reader = threading.Thread(target=feed, args=(channel, queue_put_many(tasks), workers),
                              name="il-reader", daemon=True)
    reader.start()
    threads = [threading.Thread(target=fatal(process_slot),
                                args=(env, channel, tasks, w, ctx, pool),
                                name=f"il-slot-{w}")
               for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if pool is not None:
        pool.close()
        pool.join()


# ---- main ------------------------------------------------------------------

def main(argv):
    fatal(_main)(argv)
    return 0


def _main(argv):
    kernels, executor, workers, switch_ms, spawn, slice_units = argv[:6]
    workers, switch_ms, slice_units = int(workers), int(switch_ms), int(slice_units)
    # Frames go on private copies of stdin and stdout; stray prints land on
    # stderr, and children inherit no usable channel.
    in_fd = os.dup(0)
    out_fd = os.dup(1)
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    B.load_kernels(kernels)
    channel = Channel(in_fd, out_fd)
    got = channel.read_frame()
    if got is None:
        return 0
    if got[0] != P.HELLO:
        raise P.ProtocolError(f"expected HELLO, got {P.FRAME_NAMES[got[0]]}")
    if executor not in ("sequential", "threads", "processes", "async"):
        raise SystemExit(f"unknown executor {executor}")
    beating = False
    while True:
        env = P.read_hello(got[1])
        begin_repetition(channel, env)
        if not beating:
            threading.Thread(target=heartbeat, args=(channel,), name="il-heartbeat",
                             daemon=True).start()
            beating = True
        if executor == "sequential":
            run_threads(env, channel, 0, 5)
        elif executor == "threads":
            run_threads(env, channel, workers, switch_ms)
        elif executor == "processes":
            run_processes(env, channel, workers, spawn == "per-task")
        else:
            asyncrun.run_async(env, channel, slice_units)
        if channel.closing != P.END:
            return 0  # BYE or the end of the input: leave
        # Every task has finished and its RESULT is queued before this.
        channel.send(P.write_done(*usage_total()), now=True)
        channel.beating = False
        got = channel.read_frame()
        if got is None or got[0] == P.BYE:
            return 0
        if got[0] != P.HELLO:
            raise P.ProtocolError(f"expected HELLO, got {P.FRAME_NAMES[got[0]]}")


def begin_repetition(channel, env):
    """A repetition starts as in a fresh interpreter: the shared counter at
    0 and no garbage left from the one before; its READY goes out once the
    executor is set up (the executor flushes it)."""
    B.x = 0
    gc.unfreeze()  # the async executor froze what was loaded last time
    gc.collect()
    channel.closing = None
    channel.beat_s = env["heartbeat_ms"] / 1000.0
    channel.beating = True
    channel.send(P.write_ready(os.getpid(), env["worker"]))


def usage_total():
    """DONE's figures: this process's and its reaped children's use so far
    (user µs, system µs, voluntary and involuntary switches)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (round((me.ru_utime + kids.ru_utime) * 1e6), round((me.ru_stime + kids.ru_stime) * 1e6),
            me.ru_nvcsw + kids.ru_nvcsw, me.ru_nivcsw + kids.ru_nivcsw)
