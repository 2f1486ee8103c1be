# SPDX-License-Identifier: GPL-3.0-or-later
"""Running one task's blocks on the calling Python thread, recorded.

The counterpart of src/core/il-task.c: CPU blocks call Interleave's own
kernels (libinterleave-kernels, through ctypes.PyDLL, which keeps the GIL
held during each call) one unit per call, so that the interpreter's switch
interval hands the lock over between units. Where a block's time went comes
from the kernel's accounting of this thread: running is the thread's CPU
time, ready its run-queue wait (/proc/thread-self/schedstat), and the rest
is blocked. A CPU block's blocked time is the wait for the GIL (gil_wait);
so is a sleep's or an HTTP request's time beyond what it asked for (the wait
to get the lock back after the I/O).

Counter blocks are plain Python: a module-level counter that every thread of
this interpreter shares, incremented by `x = x + 1` (count), or under one
threading.Lock (count_locked), whose waits are the block's lock_wait.

Yield blocks call os.sched_yield, which releases the GIL around the system
call; the thread's switches meanwhile come from getrusage (RUSAGE_THREAD).
"""
import ctypes
import http.client
import os
import resource
import threading
import time
import urllib.parse

from . import protocol as P

KERNELS_ABI = 3
CHUNK = 1 << 20

_path = None
_lib = None
_run = None
_getcpu = None
_times = None
_write = None


def load_kernels(path):
    global _path, _lib, _run, _getcpu, _times, _write
    _path = path
    _lib = ctypes.PyDLL(path)
    _lib.il_kernels_abi.restype = ctypes.c_int
    _lib.il_kernels_abi.argtypes = []
    if _lib.il_kernels_abi() != KERNELS_ABI:
        raise RuntimeError(f"{path} speaks kernels ABI {_lib.il_kernels_abi()}, "
                           f"this package {KERNELS_ABI}")
    _run = _lib.il_kernels_run
    _run.restype = ctypes.c_uint64
    _run.argtypes = [ctypes.c_int, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
                     ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint64]
    _getcpu = _lib.il_kernels_getcpu
    _getcpu.restype = ctypes.c_int
    _getcpu.argtypes = []
    _times = _lib.il_kernels_thread_times
    _times.restype = ctypes.c_int
    _times.argtypes = [ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64)]
    _write = _lib.il_kernels_write_all
    _write.restype = ctypes.c_int64
    _write.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int64]
    for name, restype, argtypes in (
            ("il_kernels_writer_start", ctypes.c_int, [ctypes.c_int]),
            ("il_kernels_writer_send", None, [ctypes.c_char_p, ctypes.c_int64]),
            ("il_kernels_writer_send_tasks", ctypes.c_int,
             [ctypes.c_char_p, ctypes.c_int64, ctypes.c_int32, ctypes.c_int32, ctypes.c_int,
              ctypes.c_char_p, ctypes.c_int]),
            ("il_kernels_writer_stop", None, [])):
        fn = getattr(_lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def write_all(fd, data):
    """Writes @data (bytes) to @fd keeping the GIL held, unlike os.write:
    taking the lock back after a release would cost this thread a wait that
    the code being measured does not have."""
    n = _write(fd, data, len(data))
    if n < 0:
        raise OSError(-n, os.strerror(-n))


# ---- the writer thread (il-kernels-frames.c) -------------------------------

def writer_start(fd):
    """From now on what writer_send() and writer_send_tasks() queue goes to
    @fd from a C thread of the kernels library, which needs no GIL."""
    if _lib.il_kernels_writer_start(fd) != 0:
        raise RuntimeError("the kernels library's writer runs already")


def writer_send(data):
    _lib.il_kernels_writer_send(data, len(data))


def writer_send_tasks(recs, pid, tid, valid, error=None, events_only=False):
    """@recs: packed task records (bytes), encoded into frames on the
    writer thread (il_kernels_encode_tasks says how)."""
    err = error.encode("utf-8", "replace") if error is not None else None
    if _lib.il_kernels_writer_send_tasks(recs, len(recs) // 8, pid, tid, 1 if valid else 0, err,
                                         1 if events_only else 0) != 0:
        raise RuntimeError("the kernels library refused the task records")


def writer_stop():
    """Returns once everything queued is written."""
    _lib.il_kernels_writer_stop()


def kernel_unit(kernel, group, index, block, unit, acc):
    return _run(kernel, group, index, block, unit, 1, acc)


def getcpu():
    return _getcpu()


def now_us():
    return time.monotonic_ns() // 1000


# ---- per-thread accounting -------------------------------------------------

_local = threading.local()


def thread_times():
    """(cpu_ns, run_delay_ns, valid) of the calling thread, read by the
    kernels library: the GIL stays held (an os.pread would release it)."""
    cpu, wait = ctypes.c_int64(), ctypes.c_int64()
    valid = _times(ctypes.byref(cpu), ctypes.byref(wait))
    return (cpu.value, wait.value, bool(valid))


_schedstat_valid = None


def schedstat_valid():
    """Whether the kernel offers per-thread accounting (asked once)."""
    global _schedstat_valid
    if _schedstat_valid is None:
        _schedstat_valid = thread_times()[2]
    return _schedstat_valid


_pid = None


def _forget_pid():
    global _pid
    _pid = None


os.register_at_fork(after_in_child=_forget_pid)


def thread_ids():
    """(pid, tid), without a system call each time."""
    global _pid
    if _pid is None:
        _pid = os.getpid()
    ids = getattr(_local, "ids", None)
    if ids is None or ids[0] != _pid:
        ids = (_pid, threading.get_native_id())
        _local.ids = ids
    return ids


NO_STATE = (False, 0, 0, 0, 0, 0)


def state_between(a, b, wall_us, gil="none", asked_us=0, lock_us=0):
    """(valid, running, ready, blocked, gil_wait, lock_wait) between two
    thread_times readings. @lock_us of the time that was neither running
    nor ready went waiting for a counter's lock. gil="all": the rest of the
    blocked time is the wait for the GIL (a CPU or counter block);
    "beyond": only what goes beyond @asked_us (sleep, HTTP)."""
    if not (a[2] and b[2]):
        return NO_STATE
    wall_us = max(wall_us, 0)
    running = min(max((b[0] - a[0]) // 1000, 0), wall_us)
    ready = min(max((b[1] - a[1]) // 1000, 0), wall_us - running)
    rest = wall_us - running - ready
    lock_wait = min(max(lock_us, 0), rest)
    rest -= lock_wait
    if gil == "all":
        gil_wait = rest
    elif gil == "beyond":
        gil_wait = max(rest - asked_us, 0)
    else:
        gil_wait = 0
    return (True, running, ready, rest - gil_wait, gil_wait, lock_wait)


def long_block(block):
    """Whether a block may take a while (about 2 ms or more): its start is
    worth showing at once rather than with the next batch of events."""
    btype = block[0]
    if btype == P.CPU:
        return block[3] >= 2
    if btype == P.SLEEP:
        return block[4] >= 2
    if btype == P.HTTP:
        return block[7] is not None or block[5] >= 2
    if btype == P.YIELD:
        return block[10] >= 1000
    return block[6] >= CHUNK


# ---- I/O blocks ------------------------------------------------------------

_base_chunk = None


def content_chunk(flat):
    """1 MiB of file content for task @flat: any fixed pattern will do, as
    the task reads back what it wrote."""
    global _base_chunk
    if _base_chunk is None:
        _base_chunk = bytes(range(256)) * (CHUNK // 256)
    k = (flat * 97) % 256
    return _base_chunk[k:] + _base_chunk[:k]


def task_file(env, flat):
    scratch = env.get("scratch_dir")
    if not scratch:
        raise BlockError("there is no scratch folder for file blocks")
    return os.path.join(scratch, f"task-{flat}.bin")


class BlockError(Exception):
    pass


def file_write(env, flat, nbytes, fsync):
    path = task_file(env, flat)
    chunk = content_chunk(flat)
    try:
        with open(path, "wb", buffering=0) as f:
            left = nbytes
            while left > 0:
                n = min(left, CHUNK)
                f.write(chunk[:n])
                left -= n
            if fsync:
                os.fsync(f.fileno())
    except OSError as e:
        raise BlockError(f"could not write {path}: {e.strerror}") from None


def file_read(env, flat, nbytes):
    path = task_file(env, flat)
    chunk = content_chunk(flat)
    try:
        with open(path, "rb", buffering=0) as f:
            offset = 0
            while offset < nbytes:
                n = min(nbytes - offset, CHUNK)
                data = f.read(n)
                if len(data) < n:
                    raise BlockError(f"{path} holds {offset + len(data)} bytes, "
                                     f"the block reads {nbytes}")
                if data != chunk[:n]:
                    raise BlockError(f"{path} does not hold what was written")
                offset += n
    except FileNotFoundError:
        raise BlockError(f"nothing to read: {path} does not exist (a file-read reads "
                         "what a file-write earlier in the same task wrote)") from None
    except OSError as e:
        raise BlockError(f"could not read {path}: {e.strerror}") from None


def http_target(env, block):
    """(url, expected body length or None)."""
    delay_ms, nbytes, url = block[5:8]
    if url is not None:
        return url, None
    server = env.get("server_url")
    if not server:
        raise BlockError("there is no latency server for http blocks")
    return f"{server}/delay?ms={delay_ms}&bytes={nbytes}", nbytes


def http_get(env, block):
    """Blocking GET as threaded Python code makes it; returns the time to
    first byte (monotonic µs)."""
    url, expect = http_target(env, block)
    parts = urllib.parse.urlsplit(url)
    conn_class = (http.client.HTTPSConnection if parts.scheme == "https"
                  else http.client.HTTPConnection)
    conn = conn_class(parts.hostname, parts.port, timeout=700)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request("GET", path, headers={"User-Agent": "Interleave-cpython"})
        resp = conn.getresponse()
        ttfb = now_us()
        body = resp.read()
        if resp.status != 200:
            raise BlockError(f"HTTP {resp.status} {resp.reason} from {url}")
        if expect is not None and len(body) != expect:
            raise BlockError(f"got {len(body)} bytes from the latency server, "
                             f"expected {expect}")
        return ttfb
    except OSError as e:
        raise BlockError(f"GET {url} failed: {e}") from None
    finally:
        conn.close()


# ---- the counter block -----------------------------------------------------

# The counter every task run in this interpreter shares: it starts at 0 with
# each repetition (engine.begin_repetition sets it back: one interpreter
# runs every repetition of a run). Under multiprocessing, each
# child process has its own copy (fork copies the parent's 0), which the
# parent never sees.
x = 0
# "lock": true — one lock for the whole run, as code that guards a shared
# counter has.
x_lock = threading.Lock()


def count(n):
    """@n read–modify–writes of the shared counter, not atomic: another
    thread may store between the load of x and the store of x + 1. (CPython
    3.10+ only lets the GIL go at a loop's backward jump or a call, between
    two increments, so in practice none is lost there; older interpreters
    can drop it between the load and the store.)"""
    global x
    for _ in range(n):
        x = x + 1


def count_locked(n):
    """@n increments, each under x_lock. Returns the nanoseconds spent
    waiting for the lock (only the acquisitions that had to wait are
    timed: an uncontended one costs nothing more)."""
    global x
    acquire, release, clock = x_lock.acquire, x_lock.release, time.monotonic_ns
    waited = 0
    for _ in range(n):
        if not acquire(False):
            w0 = clock()
            acquire()
            waited += clock() - w0
        x = x + 1
        release()
    return waited


def run_counter(block):
    """A counter block: its increments; returns the lock wait in µs."""
    if block[9]:
        return count_locked(block[8]) // 1000
    count(block[8])
    return 0


# ---- the yield block -------------------------------------------------------

def run_yield(n):
    """A yield block: os.sched_yield @n times (each call releases the GIL
    around the system call). Returns (yields, voluntary switches,
    involuntary switches, CPU µs) as the kernel counted them for this
    thread."""
    usage = resource.getrusage
    r0 = usage(resource.RUSAGE_THREAD)
    c0 = time.thread_time_ns()
    give_up = os.sched_yield
    for _ in range(n):
        give_up()
    c1 = time.thread_time_ns()
    r1 = usage(resource.RUSAGE_THREAD)
    return (n, max(r1.ru_nvcsw - r0.ru_nvcsw, 0), max(r1.ru_nivcsw - r0.ru_nivcsw, 0),
            max(c1 - c0, 0) // 1000)


def add_yielded(total, step):
    return tuple(a + b for a, b in zip(total, step))


# ---- one task --------------------------------------------------------------

def run_task(env, task, worker, emit, shared_gil=True):
    """Runs @task's blocks in this thread. @emit(list of packed events) is
    called before each long block, so that the live view shows it (or None:
    nothing is streamed). With @shared_gil False (a process of its own, one
    thread) no time is put down to the GIL. Returns the record dict for
    protocol.write_result and the events not emitted yet."""
    t0 = task["t0"]
    flat = task["flat"]
    group, index = task["group"], task["index"]
    pid, tid = thread_ids()
    task_times = thread_times()
    cpu_start = getcpu()
    start_us = now_us() - t0
    pending = [P.event(P.EV_TASK_START, worker, flat, start_us, cpu=cpu_start,
                       a=pid, b=tid, c=group, d=index)] if emit else None
    mark, mark_us = task_times, start_us
    checksum = 0
    failed, error = False, None
    blocks = []
    gil_total = 0
    lock_total = 0
    block_cpu_ns = 0
    counted_before = x
    yielded = (0, 0, 0, 0)

    for i, block in enumerate(task["blocks"]):
        btype = block[0]
        b0, b0_us = mark, mark_us
        ttfb = -1
        if emit:
            pending.append(P.event(P.EV_BLOCK_START, worker, flat, b0_us,
                                   block_type=btype, block=i))
            if long_block(block):
                emit(pending, True)
                pending = []
        c0 = time.thread_time_ns()
        ok = True
        gil, asked, lock_us = "none", 0, 0
        try:
            if btype == P.CPU:
                kernel, units = block[1], block[3]
                for u in range(units):
                    checksum = _run(kernel, group, index, i, u, 1, checksum)
                gil = "all"
            elif btype == P.SLEEP:
                time.sleep(block[4] / 1000.0)
                gil, asked = "beyond", block[4] * 1000
            elif btype == P.HTTP:
                ttfb = http_get(env, block) - t0
                if block[7] is None:
                    gil, asked = "beyond", block[5] * 1000
            elif btype == P.FILE_WRITE:
                file_write(env, flat, block[6], block[2])
            elif btype == P.FILE_READ:
                file_read(env, flat, block[6])
            elif btype == P.COUNTER:
                lock_us = run_counter(block)
                gil = "all"
            elif btype == P.YIELD:
                yielded = add_yielded(yielded, run_yield(block[10]))
        except BlockError as e:
            ok, error = False, f"block {i + 1} ({P.BLOCK_NAMES[btype]}): {e}"
        except Exception as e:  # noqa: BLE001 — a task fails, the engine goes on
            ok, error = False, f"block {i + 1} ({P.BLOCK_NAMES[btype]}): {e!r}"
        block_cpu_ns += time.thread_time_ns() - c0
        mark = thread_times()
        mark_us = now_us() - t0
        st = state_between(b0, mark, mark_us - b0_us, gil if shared_gil else "none", asked,
                           lock_us)
        gil_total += st[4]
        lock_total += st[5]
        blocks.append({"type": btype, "start_us": b0_us, "end_us": mark_us,
                       "ttfb_us": ttfb, "state": st})
        if emit:
            pending.append(P.state_event(P.EV_BLOCK_END, worker, flat, mark_us, st,
                                         failed=not ok, t2_us=b0_us,
                                         block_type=btype, block=i))
        if not ok:
            failed = True
            break

    end_us = mark_us
    cpu_end = getcpu()
    st = state_between(task_times, mark, end_us - start_us)
    if st[0]:
        lk = min(lock_total, st[3])
        g = min(gil_total, st[3] - lk)
        st = (True, st[1], st[2], st[3] - lk - g, g, lk)
    overhead_ns = max(time.thread_time_ns() - task_times[0] - block_cpu_ns, 0)
    return {"group": group, "index": index, "pid": pid, "tid": tid,
            "cpu_start": cpu_start, "cpu_end": cpu_end,
            "start_us": start_us, "end_us": end_us,
            "checksum": 0 if failed else checksum, "state": st,
            "failed": failed, "error": error, "blocks": blocks,
            # The interpreter's CPU time is accounted once, when it exits
            # (its children's included): a getrusage per task costs more
            # than a small task.
            "usage": (0, 0, 0, 0),
            "overhead_ns": overhead_ns,
            # What this task added to this process's counter: a
            # multiprocessing child's count, as interleave-worker reports
            # its own (the engine replaces it for threads, see engine.py).
            "counted": x - counted_before,
            "yielded": yielded}, pending or []
