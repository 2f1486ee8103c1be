#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The async cpython engine's records, encoded in C, are the frames the
Python encoder writes.

asyncrun.py packs each finished task's numbers into one record and the
kernels library's writer encodes them (il_kernels_encode_tasks,
src/core/il-kernels-frames.c). This test encodes records of every kind
(each block type, failures, yields, state times to clamp, events already
sent, events only, no valid state times, a checksum past 2^63, batches)
both ways and requires the same bytes: the reference is the Python encoder
(protocol.py) fed exactly as the async engine fed it before, one task's
events and RESULT at a time (engine.result_frame), the state times worked
out as it did.

Needs IL_ENGINE_KERNELS and IL_ENGINE_PYTHON_DIR (tests/meson.build sets
them). Output: TAP.
"""
import ctypes
import os
import sys

# A sanitizer build's kernels library needs its runtime loaded first: the
# interpreter the engine would run (tests/python-asan.in) runs this too.
if os.environ.get("INTERLEAVE_PYTHON") and not os.environ.get("IL_FRAMES_TEST_REEXEC"):
    os.environ["IL_FRAMES_TEST_REEXEC"] = "1"
    os.execv(os.environ["INTERLEAVE_PYTHON"],
             [os.environ["INTERLEAVE_PYTHON"], os.path.abspath(__file__)])

sys.path.insert(0, os.environ["IL_ENGINE_PYTHON_DIR"])

from interleave_engine import asyncrun as A  # noqa: E402
from interleave_engine import blocks as B  # noqa: E402
from interleave_engine import protocol as P  # noqa: E402

B.load_kernels(os.environ["IL_ENGINE_KERNELS"])
_encode = B._lib.il_kernels_encode_tasks
_encode.restype = ctypes.c_int64
_encode.argtypes = [ctypes.c_char_p, ctypes.c_int64, ctypes.c_int32, ctypes.c_int32, ctypes.c_int,
                    ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]

PID, TID = 4242, 4243
NO_STATE = (False, 0, 0, 0, 0, 0)


def c_frames(records, valid=True, error=None, events_only=False):
    packed = b"".join(A._pack_record(r) for r in records)
    data = ctypes.c_void_p()
    n = _encode(packed, len(packed) // 8, PID, TID, 1 if valid else 0,
                error.encode() if error is not None else None, 1 if events_only else 0,
                ctypes.byref(data))
    if n < 0:
        return None
    return ctypes.string_at(data.value, n) if n else b""


def reference(rec, valid=True, error=None, events_only=False):
    """(events, RESULT or None) of one record, as the Python async engine
    built them (run_task_async before the records)."""
    (flat, group, index, t0, start_ns, end_ns, cpu0, cpu1, checksum, counted, failed, sent,
     y0, y1, y2, y3, n_blocks) = rec[:A.REC_HEAD]
    blocks = [rec[A.REC_HEAD + j * A.REC_BLOCK:A.REC_HEAD + (j + 1) * A.REC_BLOCK]
              for j in range(n_blocks)]
    start_us = start_ns // 1000 - t0
    events = []
    slot = 0

    def add(ev):
        nonlocal slot
        if slot >= sent:
            events.append(ev)
        slot += 1

    add(P.event(P.EV_TASK_START, 0, flat, start_us, cpu=cpu0, a=PID, b=TID, c=group, d=index))
    t_running = t_ready = t_lock = 0
    brecs = []
    for j, (btype, b0_ns, b1_ns, running, ready, lock, ttfb) in enumerate(blocks):
        b0 = b0_ns // 1000 - t0
        # The cpu slot of a block's events is unused (event_from_wire
        # ignores it): protocol.py wrote -1 there, the protocol's own
        # encoder 0.
        add(P.event(P.EV_BLOCK_START, 0, flat, b0, block_type=btype, block=j, cpu=0))
        if events_only and j == n_blocks - 1:
            break
        mark = b1_ns // 1000 - t0
        wall = mark - b0
        running = min(max(running, 0), wall)
        ready = min(max(ready, 0), wall - running)
        lock = min(max(lock, 0), wall - running - ready)
        st = (valid, running, ready, wall - running - ready - lock, 0, lock) if valid else NO_STATE
        t_running += running
        t_ready += ready
        t_lock += lock
        brecs.append({"type": btype, "start_us": b0, "end_us": mark, "ttfb_us": ttfb, "state": st})
        add(P.state_event(P.EV_BLOCK_END, 0, flat, mark, st,
                          failed=bool(failed) and j == n_blocks - 1,
                          t2_us=b0, block_type=btype, block=j, cpu=0))
    if events_only:
        return events, None
    end_us = end_ns // 1000 - t0
    wall = end_us - start_us
    t_lock = min(t_lock, max(wall - t_running - t_ready, 0))
    st = ((True, t_running, t_ready, max(wall - t_running - t_ready - t_lock, 0), 0, t_lock)
          if valid else NO_STATE)
    result = P.write_result({"group": group, "index": index, "pid": PID, "tid": TID,
                             "cpu_start": cpu0, "cpu_end": cpu1,
                             "start_us": start_us, "end_us": end_us,
                             "checksum": 0 if failed else checksum, "state": st,
                             "failed": bool(failed), "error": error if failed else None,
                             "blocks": brecs, "usage": (0, 0, 0, 0), "overhead_ns": 0,
                             "counted": counted, "yielded": (y0, y1, y2, y3)}, b"")
    return events, result


def py_frames(records, **kw):
    events, results = [], []
    for r in records:
        ev, res = reference(r, **kw)
        events += ev
        if res is not None:
            results.append(res)
    return (P.write_events(events) if events else b"") + b"".join(results)


T0 = 1_000_000
MS = 1_000_000  # ns


def record(flat, blocks, *, start=2000 * MS, failed=0, sent=0, checksum=0, counted=0,
           yielded=(0, 0, 0, 0), cpu=(1, 0), group=0, index=None):
    """A record whose blocks follow each other from @start; each block is
    (type, length ns, running µs, ready µs, lock µs, ttfb µs)."""
    vals = ()
    mark = start
    for btype, length, running, ready, lock, ttfb in blocks:
        vals += (btype, mark, mark + length, running, ready, lock, ttfb)
        mark += length
    return ((flat, group, flat if index is None else index, T0, start, mark, cpu[0], cpu[1],
             checksum, counted, failed, sent) + tuple(yielded) + (len(blocks),) + vals)


CASES = [
    ("one empty sleep", [record(0, [(P.SLEEP, 3000, 0, 2, 0, -1)])], {}),
    ("a sleep resumed late", [record(1, [(P.SLEEP, 5 * MS, 0, 1200, 0, -1)])], {}),
    ("every block type", [record(2, [(P.CPU, 3 * MS, 2500, 300, 0, -1),
                                     (P.SLEEP, 2 * MS, 0, 40, 0, -1),
                                     (P.HTTP, 4 * MS, 0, 0, 0, 2_000_123 - T0),
                                     (P.FILE_WRITE, MS, 700, 0, 0, -1),
                                     (P.FILE_READ, MS, 500, 0, 0, -1),
                                     (P.COUNTER, 2 * MS, 900, 0, 800, -1),
                                     (P.YIELD, MS, 0, 600, 0, -1)],
                                 checksum=0x1234_5678_9ABC_DEF0, counted=77,
                                 yielded=(10, 3, 1, 0), cpu=(1, 0))], {}),
    ("a checksum past 2^63", [record(3, [(P.CPU, MS, 900, 0, 0, -1)],
                                     checksum=0xF000_0000_0000_0001)], {}),
    ("state times to clamp", [record(4, [(P.CPU, 2 * MS, 5000, 0, 0, -1),
                                         (P.SLEEP, 2 * MS, 0, -30, 0, -1),
                                         (P.COUNTER, MS, 600, 300, 900, -1)])], {}),
    ("no valid state times", [record(5, [(P.CPU, MS, 900, 50, 0, -1)])], {"valid": False}),
    ("failed", [record(6, [(P.SLEEP, MS, 0, 10, 0, -1), (P.HTTP, 3 * MS, 0, 0, 0, -1)],
                       failed=1, checksum=99)],
     {"error": "block 2 (http): GET http://127.0.0.1:1/ failed: refused"}),
    ("events sent before a long block", [record(7, [(P.CPU, MS, 900, 0, 0, -1),
                                                    (P.SLEEP, 40 * MS, 0, 100, 0, -1),
                                                    (P.CPU, MS, 800, 0, 0, -1)], sent=4)], {}),
    ("the events of a long block's start", [record(8, [(P.CPU, MS, 900, 0, 0, -1),
                                                       (P.SLEEP, 0, 0, 0, 0, -1)], sent=0)],
     {"events_only": True}),
    ("a later long block's start", [record(9, [(P.SLEEP, 40 * MS, 0, 0, 0, -1),
                                               (P.SLEEP, 0, 0, 0, 0, -1)], sent=2)],
     {"events_only": True}),
    ("a batch", [record(f, [(P.SLEEP, (f + 1) * 1000, 0, f, 0, -1)], start=(2000 + f) * MS,
                        group=f % 2, index=f // 2, counted=f)
                 for f in range(10, 40)], {}),
    ("a batch of mixed lengths", [record(40, [(P.CPU, MS, 700, 0, 0, -1)]),
                                  record(41, []),
                                  record(42, [(P.SLEEP, MS, 0, 5, 0, -1)] * 3)], {}),
]


def main():
    print(f"1..{len(CASES) + 2}")
    failed = 0
    for n, (name, records, kw) in enumerate(CASES, 1):
        got = c_frames(records, **kw)
        want = py_frames(records, **kw)
        if got == want:
            print(f"ok {n} - {name} ({len(got)} bytes)")
        else:
            failed += 1
            print(f"not ok {n} - {name}")
            at = next((i for i, (a, b) in enumerate(zip(got or b"", want)) if a != b),
                      min(len(got or b""), len(want)))
            print(f"# {len(want)} bytes expected, {None if got is None else len(got)} encoded, "
                  f"first difference at byte {at}")
            print(f"# C      {(got or b'')[max(at - 16, 0):at + 48].hex()}")
            print(f"# Python {want[max(at - 16, 0):at + 48].hex()}")
    # Records that do not add up are refused, not read past.
    bad = A._pack_record(record(50, [(P.SLEEP, MS, 0, 0, 0, -1)]))[:-8]
    data = ctypes.c_void_p()
    n = len(CASES) + 1
    if _encode(bad, len(bad) // 8, PID, TID, 1, None, 0, ctypes.byref(data)) == -1:
        print(f"ok {n} - a truncated record is refused")
    else:
        failed += 1
        print(f"not ok {n} - a truncated record is refused")
    failed += 0 if read_tasks_ok(n + 1) else 1
    return 1 if failed else 0


def read_tasks_ok(n):
    """v6: the Python mirror reads the TASKS frame the C encoder wrote for
    the fuzz corpus (fuzz-seeds: 3 tasks from index 1, flat 1, no payload),
    and refuses it cut anywhere."""
    path = os.path.join(os.environ["G_TEST_SRCDIR"], "fuzz", "corpus", "protocol", "3-tasks.bin")
    with open(path, "rb") as f:
        data = f.read()
    ftype, length = P.parse_header(data[:P.HEADER.size])
    body = data[P.HEADER.size:P.HEADER.size + length]
    count, task = P.read_tasks(body)
    good = (ftype == P.TASKS and count == 3 and task["index"] == 1 and task["flat"] == 1
            and len(task["blocks"]) == 7 and not task["payload"])
    for cut in range(len(body)):
        try:
            P.read_tasks(body[:cut])
            good = False
        except P.ProtocolError:
            pass
    print(f"{'ok' if good else 'not ok'} {n} - the C-encoded TASKS frame reads back in Python")
    return good


if __name__ == "__main__":
    sys.exit(main())
