#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the async cpython engine costs its loop thread per task, beside a
bare asyncio.gather of the same empty tasks in the same interpreter.

bench-cpython.c measures the whole engine end to end (the application's
dispatcher, the pipes, the interpreter); this measures only the loop
thread's CPU time (time.thread_time), which no other thread or process on
a busy machine can add to: the TASKS frame is in memory already (decoded,
created, run and recorded by asyncrun.AsyncRun as in a run), the records go
to the kernels library's writer thread, which writes them to /dev/null.

Usage: IL_ENGINE_PYTHON_DIR=data/python \\
       IL_ENGINE_KERNELS=_build/src/core/libinterleave-kernels.so \\
       python3 bench/bench-cpython-loop.py [TASKS [ROUNDS]]
"""
import asyncio
import os
import struct
import sys
import time

sys.path.insert(0, os.environ.get("IL_ENGINE_PYTHON_DIR", "data/python"))

from interleave_engine import asyncrun as A  # noqa: E402
from interleave_engine import blocks as B  # noqa: E402
from interleave_engine import engine as E  # noqa: E402
from interleave_engine import protocol as P  # noqa: E402


def tasks_frame(n, t0):
    """@n tasks of one `sleep 0 ms` block, as il_protocol_write_tasks writes
    them for the async executor: one TASKS frame."""
    body = struct.pack("<IIIIiHHqI", n, 0, 0, 0, 0, 0, 0, t0, 1)
    body += struct.pack("<BBBqqqq", P.SLEEP, 0, 0, 0, 0, 0, 0) + struct.pack("<I", P.NO_STRING)
    body += struct.pack("<qBq", 0, 0, 0) + struct.pack("<QQ", 0, 0)
    return P.frame(P.TASKS, body)


async def bare_task(i):
    await asyncio.sleep(0)
    return i


async def bare(n):
    c = time.thread_time()
    await asyncio.gather(*(bare_task(i) for i in range(n)))
    return (time.thread_time() - c) * 1e6 / n


def engine(n, frames):
    null = os.open(os.devnull, os.O_WRONLY)
    channel = E.Channel(-1, null)
    channel.start_writer()
    run = A.AsyncRun({}, channel, 0)
    cpu = []

    async def main():
        run.loop = asyncio.get_running_loop()
        run.done = run.loop.create_future()
        run.loop.remove_reader = lambda fd: None  # no pipe: the frames are here
        run.buf = frames
        c = time.thread_time()
        run._take_frames()
        run.loop.call_later(A.FLUSH_AFTER, run._tick)
        await run.done
        cpu.append((time.thread_time() - c) * 1e6 / n)

    asyncio.run(main())
    channel.stop_writer()
    os.close(null)
    return cpu[0]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    B.load_kernels(os.environ.get("IL_ENGINE_KERNELS", "_build/src/core/libinterleave-kernels.so"))
    frames = tasks_frame(n, time.monotonic_ns() // 1000) + P.frame(P.BYE)
    # As the engine does before its loop (asyncrun.AsyncRun.run): both
    # measure with what is loaded out of the collector's way.
    A.gc.freeze()
    best_bare = best_engine = float("inf")
    for _ in range(rounds):
        best_bare = min(best_bare, asyncio.run(bare(n)))
        best_engine = min(best_engine, engine(n, frames))
    print(f"Python {sys.version.split()[0]}, {n} empty tasks, loop thread CPU, best of {rounds}: "
          f"asyncio.gather {best_bare:.2f} µs/task, cpython engine {best_engine:.2f} µs/task: "
          f"{best_engine / best_bare:.2f}×")


if __name__ == "__main__":
    main()
