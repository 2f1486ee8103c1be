# SPDX-License-Identifier: GPL-3.0-or-later
"""The framing of Interleave's worker wire protocol (src/core/il-protocol.h).

Every frame is a 16-byte header, little-endian: u32 magic "ILWP", u16
version, u16 type, u64 body length, then the body. Anything not understood
is fatal for the connection (ProtocolError).

Version 2: HELLO ends with the heartbeat interval (ms) the application
asks for, READY with 0; the engine sends an empty HEARTBEAT frame at that
interval (engine.heartbeat) so that the application can tell a stopped or
wedged interpreter from a busy one. The state times of a TASK_END or
BLOCK_END event count only with EV_FLAG_STATE_VALID set.

Version 3: a TASK's blocks end with the counter block's increments (i64)
and lock (u8); state times are (valid, running, ready, blocked, gil_wait,
lock_wait), the RESULT's with lock_wait as a fifth i64 and a TASK_END or
BLOCK_END event's lock_wait in the record's value slot (a double); the
RESULT carries, after the overhead, the count of the worker's own counter
(i64; see engine.py for what the count is under each executor).

Version 4: a TASK's blocks end, after the counter's fields, with the yield
block's times (i64); the RESULT ends its usage with what the task's yield
blocks did: yields, the thread's voluntary and involuntary switches
meanwhile and their CPU time in µs (four i64).
Version 5: after each block's state times, the RESULT carries the block's
states in time order: a u8 count, then (u8 state, u32 µs) segments. The
engine sends none (count 0): the interpreter tells it no such moments.
Version 6: TASKS (type 10), only to the async executor: a u32 count, then
a TASK body without a payload, standing for that many tasks of the same
definition whose index and flat index go up by one from the body's
(read_tasks). The async engine decodes it once and starts every task in
place; the other executors refuse it as unexpected.
Version 7: one interpreter runs every repetition of a run. END (type 11,
empty) closes a repetition's tasks as BYE does, but the engine stays: once
every task has finished it sends DONE (type 12: four i64, the user and
system µs and the voluntary and involuntary switches this process and its
reaped children have used since it started: write_done) and waits for the
next repetition's HELLO (answered with READY, as the first one), or BYE or
the end of its input to leave.
"""
import struct

MAGIC = 0x50574C49
# The version this package was written for. The application's HELLO names
# the version it speaks, and the engine answers in it (adopt_version): the
# package ships with the application, so they are one build.
VERSION = 7
HEADER = struct.Struct("<IHHQ")
MAX_BODY = 64 * 1024 * 1024 + 16 * 1024 * 1024

HELLO, READY, TASK, EVENT, RESULT, BYE, HEARTBEAT = 1, 2, 3, 4, 5, 6, 7
TASKS = 10
END, DONE = 11, 12
FRAME_NAMES = {HELLO: "HELLO", READY: "READY", TASK: "TASK", EVENT: "EVENT",
               RESULT: "RESULT", BYE: "BYE", HEARTBEAT: "HEARTBEAT", TASKS: "TASKS",
               END: "END", DONE: "DONE"}

# il-events.h
EV_TASK_START, EV_TASK_END, EV_BLOCK_START, EV_BLOCK_END = 2, 3, 4, 5
EV_FLAG_FAILED = 1
# il-protocol-codec.c's wire-only flag: the state times in a…d were measured.
EV_FLAG_STATE_VALID = 1 << 7
EVENT_STRUCT = struct.Struct("<BBBBiiIqqqqqqd")
assert EVENT_STRUCT.size == 72

# il-experiment.h
CPU, SLEEP, HTTP, FILE_WRITE, FILE_READ, COUNTER, YIELD = 0, 1, 2, 3, 4, 5, 6
BLOCK_NAMES = ("cpu", "sleep", "http", "file-write", "file-read", "counter", "yield")
# il-experiment.h: IL_MAX_INCREMENTS, IL_MAX_YIELDS
MAX_INCREMENTS = 10000000
MAX_YIELDS = 1000000
N_KERNELS = 4

NO_STRING = 0xFFFFFFFF
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_TASK_HEAD = struct.Struct("<IIIiHHqI")
_BLOCK = struct.Struct("<BBBqqqq")
_RESULT_HEAD = struct.Struct("<IIIIiiqqQ")
_STATE = struct.Struct("<Bqqqqq")
_BLOCK_REC = struct.Struct("<Bqqq")
_USAGE = struct.Struct("<qqqqqqqqqq")


class ProtocolError(Exception):
    pass


_version = VERSION


def adopt_version(data):
    """Speak the version of the application's first frame (its HELLO)."""
    global _version
    magic, version, _t, _l = HEADER.unpack_from(data)
    if magic == MAGIC and version >= VERSION:
        _version = version


def frame(ftype, body=b""):
    return HEADER.pack(MAGIC, _version, ftype, len(body)) + body


def parse_header(data):
    magic, version, ftype, length = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ProtocolError(f"bad magic 0x{magic:08x} (expected 0x{MAGIC:08x})")
    if version != _version:
        raise ProtocolError(f"version {version} is not supported "
                            f"(this engine speaks version {_version})")
    if ftype not in FRAME_NAMES:
        raise ProtocolError(f"unknown frame type {ftype}")
    if length > MAX_BODY:
        raise ProtocolError(f"a {FRAME_NAMES[ftype]} frame of {length} bytes "
                            "is larger than the limit")
    return ftype, length


class _Reader:
    def __init__(self, body, what):
        self.body = body
        self.pos = 0
        self.what = what

    def take(self, n):
        if self.pos + n > len(self.body):
            raise ProtocolError(f"truncated {self.what} frame")
        start = self.pos
        self.pos += n
        return self.body[start:self.pos]

    def unpack(self, st):
        return st.unpack(self.take(st.size))

    def string(self):
        (n,) = self.unpack(_U32)
        if n == NO_STRING:
            return None
        return bytes(self.take(n)).decode("utf-8", "replace")

    def finish(self):
        if self.pos != len(self.body):
            raise ProtocolError(f"{len(self.body) - self.pos} unexpected bytes "
                                f"after a {self.what} frame")


def read_hello(body):
    r = _Reader(body, "HELLO")
    pid, worker, n = r.unpack(struct.Struct("<IiI"))
    if not 0 <= worker <= 255:
        raise ProtocolError(f"HELLO worker {worker} is out of range (0 to 255)")
    if n > 4096:
        raise ProtocolError("truncated HELLO frame")
    cores = [r.unpack(_U32)[0] for _ in range(n)]
    server_url = r.string()
    scratch_dir = r.string()
    (heartbeat_ms,) = r.unpack(_U32)
    r.finish()
    if not 10 <= heartbeat_ms <= 60000:
        raise ProtocolError(f"HELLO asks for a heartbeat every {heartbeat_ms} ms "
                            "(expected 10 to 60000)")
    return {"pid": pid, "worker": worker, "affinity": cores,
            "server_url": server_url, "scratch_dir": scratch_dir,
            "heartbeat_ms": heartbeat_ms}


def _put_str(parts, s):
    if s is None:
        parts.append(_U32.pack(NO_STRING))
    else:
        b = s.encode("utf-8")
        parts.append(_U32.pack(len(b)))
        parts.append(b)


def write_ready(pid, worker):
    """READY echoes HELLO's worker slot, as interleave-worker's does."""
    parts = [struct.pack("<IiI", pid, worker, 0)]
    _put_str(parts, None)
    _put_str(parts, None)
    parts.append(_U32.pack(0))
    return frame(READY, b"".join(parts))


def write_heartbeat():
    return frame(HEARTBEAT)


_DONE = struct.Struct("<qqqq")


def write_done(user_us, sys_us, nvcsw, nivcsw):
    """What this process and its reaped children have used since it
    started (il_protocol_read_done)."""
    return frame(DONE, _DONE.pack(user_us, sys_us, nvcsw, nivcsw))


_QQ = struct.Struct("<QQ")
_COUNTER = struct.Struct("<qBq")


def read_task(body):
    """A TASK frame as a dict; 'payload' is a memoryview into @body.
    Written for speed: the engine reads one per task."""
    size = len(body)
    if size < _TASK_HEAD.size:
        raise ProtocolError("truncated TASK frame")
    group, index, flat, worker, run, rep, t0, n_blocks = _TASK_HEAD.unpack_from(body, 0)
    if n_blocks > 64:
        raise ProtocolError(f"a task of {n_blocks} blocks (at most 64)")
    pos = _TASK_HEAD.size
    blocks = []
    for _ in range(n_blocks):
        if pos + _BLOCK.size + 4 > size:
            raise ProtocolError("truncated TASK frame")
        btype, kernel, fsync, units, ms, delay_ms, nbytes = _BLOCK.unpack_from(body, pos)
        if btype >= len(BLOCK_NAMES) or kernel >= N_KERNELS:
            raise ProtocolError(f"unknown block type {btype} or kernel {kernel}")
        pos += _BLOCK.size
        (n,) = _U32.unpack_from(body, pos)
        pos += 4
        url = None
        if n != NO_STRING:
            if pos + n > size:
                raise ProtocolError("truncated TASK frame")
            url = bytes(body[pos:pos + n]).decode("utf-8", "replace")
            pos += n
        if pos + _COUNTER.size > size:
            raise ProtocolError("truncated TASK frame")
        increments, lock, times = _COUNTER.unpack_from(body, pos)
        pos += _COUNTER.size
        if not (1 if btype == COUNTER else 0) <= increments <= MAX_INCREMENTS:
            raise ProtocolError(f"block {len(blocks) + 1} of a TASK frame: increments "
                                f"{increments} is out of range")
        if not (1 if btype == YIELD else 0) <= times <= MAX_YIELDS:
            raise ProtocolError(f"block {len(blocks) + 1} of a TASK frame: times "
                                f"{times} is out of range")
        blocks.append((btype, kernel, bool(fsync), units, ms, delay_ms, nbytes, url,
                       increments, bool(lock), times))
    if pos + _QQ.size > size:
        raise ProtocolError("truncated TASK frame")
    _checksum, payload_len = _QQ.unpack_from(body, pos)
    pos += _QQ.size
    if pos + payload_len > size:
        raise ProtocolError("truncated TASK frame")
    if pos + payload_len < size:
        raise ProtocolError(f"{size - pos - payload_len} unexpected bytes after a TASK frame")
    payload = memoryview(body)[pos:pos + payload_len] if payload_len else b""
    return {"group": group, "index": index, "flat": flat, "worker": worker,
            "run": run, "rep": rep, "t0": t0, "blocks": blocks,
            "payload": payload}


# il-experiment.h: IL_MAX_REPEAT, IL_MAX_TOTAL_TASKS
MAX_REPEAT = 100000
MAX_TOTAL_TASKS = 1000000


def read_tasks(body):
    """A TASKS frame: (count, the first task as read_task gives it); task k
    of the count is the first's index and flat index plus k."""
    if len(body) < 4:
        raise ProtocolError("truncated TASKS frame")
    (count,) = _U32.unpack_from(body, 0)
    task = read_task(memoryview(body)[4:])
    if not 1 <= count <= MAX_REPEAT:
        raise ProtocolError(f"TASKS count {count} is out of range")
    if task["index"] + count > MAX_REPEAT or task["flat"] + count > MAX_TOTAL_TASKS:
        raise ProtocolError(f"TASKS of {count} tasks from {task['index']} is out of range")
    if task["payload"]:
        raise ProtocolError("a TASKS frame with a payload")
    return count, task


def event(kind, worker, task, t_us, *, flags=0, block_type=0, block=0, cpu=-1,
          t2_us=0, a=0, b=0, c=0, d=0, value=0.0):
    """One event record; for TASK_END and BLOCK_END, a…d are the state
    times and @value the lock wait (µs), and flags must carry
    EV_FLAG_STATE_VALID when they were measured."""
    return EVENT_STRUCT.pack(kind, flags, block_type, block, worker, cpu, task, t_us,
                             t2_us, a, b, c, d, float(value))


def state_event(kind, worker, task, t_us, st, *, failed=False, **kw):
    """A TASK_END or BLOCK_END event carrying state times @st (a state
    tuple: valid, running, ready, blocked, gil_wait[, lock_wait])."""
    flags = (EV_FLAG_FAILED if failed else 0) | (EV_FLAG_STATE_VALID if st[0] else 0)
    return event(kind, worker, task, t_us, flags=flags, a=st[1], b=st[2], c=st[3], d=st[4],
                 value=st[5] if len(st) > 5 else 0, **kw)


def write_events(packed):
    return frame(EVENT, b"".join(packed))


def _put_state(parts, st):
    """@st: (valid, running, ready, blocked, gil_wait[, lock_wait])."""
    parts.append(_STATE.pack(1 if st[0] else 0, st[1], st[2], st[3], st[4],
                             st[5] if len(st) > 5 else 0))


def write_result(rec, payload):
    """@rec: dict from engine.run_task_*; @payload: bytes-like echo."""
    parts = [_RESULT_HEAD.pack(rec["group"], rec["index"], rec["pid"], rec["tid"],
                               rec["cpu_start"], rec["cpu_end"], rec["start_us"],
                               rec["end_us"], rec["checksum"])]
    _put_state(parts, rec["state"])
    parts.append(bytes([1 if rec["failed"] else 0]))
    _put_str(parts, rec["error"])
    parts.append(_U32.pack(len(rec["blocks"])))
    for br in rec["blocks"]:
        parts.append(_BLOCK_REC.pack(br["type"], br["start_us"], br["end_us"], br["ttfb_us"]))
        _put_state(parts, br["state"])
        parts.append(b"\x00")  # v5: no state segments
    u = rec["usage"]
    yd = rec.get("yielded", (0, 0, 0, 0))
    parts.append(_USAGE.pack(u[0], u[1], u[2], u[3], rec["overhead_ns"], rec.get("counted", 0),
                             yd[0], yd[1], yd[2], yd[3]))
    parts.append(_U64.pack(len(payload)))
    parts.append(payload)
    return frame(RESULT, b"".join(parts))
