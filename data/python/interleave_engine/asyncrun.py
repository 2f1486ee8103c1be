# SPDX-License-Identifier: GPL-3.0-or-later
"""The async executor: every task a coroutine on one asyncio loop.

sleep is asyncio.sleep, HTTP goes over asyncio streams, file blocks are
plain blocking calls (as naive asyncio code makes them: they stall the
loop), and a CPU block awaits asyncio.sleep(0) every cpu_slice_units units.

What a task records, per task (it all runs on the loop thread, which the
measured tasks use, so it is kept to a few operations a task):
  running  its own CPU: the thread CPU time of its synchronous stretches
           (CPU, counter and file blocks);
  ready    how late it resumed after a sleep or a yield (the loop was busy
           with other tasks);
  blocked  the rest.

Cost: the tasks come in through the loop itself (loop.add_reader on the
application's pipe: no reader thread competing for the GIL), as one TASKS
frame per group (a count and the group's definition: decoded once, its
tasks created in one loop, as a bare asyncio.gather creates its own; a
TASK frame is still understood, decoded once per distinct definition),
and a finished task only packs its numbers into one bytes record (one
struct call). The records go out every FLUSH_AFTER (and
at the end) to the kernels library's writer thread (il-kernels-frames.c,
which has the record layout): a C thread, which needs no GIL, encodes them
into the same EVENT and RESULT frames the Python encoder (protocol.py)
writes and writes them. A long block's start still goes out at once (the
live view shows it), the same way.
bench/bench-cpython.c measures what is left against a bare asyncio.gather.
"""
import asyncio
import gc
import os
import struct
import sys
import time

from . import blocks as B
from . import protocol as P

FLUSH_AFTER = 0.005
# Records that make a batch go out before the next tick. Small batches:
# a batch of 4096 records (1 MB, joined, then copied by the writer) took
# fresh memory from mmap every time, and each page faulted in costs ~16 µs
# on this VM (~500 more page faults on the loop thread a 5000-task run).
FLUSH_RECORDS = 256

# il-kernels-frames.c: IL_KREC_HEAD, IL_KREC_BLOCK. A record is packed as
# int64s, but for its checksum (slot 8, a u64).
REC_HEAD = 17
REC_BLOCK = 7
_NO_YIELDS = (0, 0, 0, 0)
SLEEP = P.SLEEP
_sleep = asyncio.sleep


def _record_struct(n_blocks):
    return struct.Struct("<8qQ8q" + "7q" * n_blocks)


def _pack_record(rec):
    return _record_struct((len(rec) - REC_HEAD) // REC_BLOCK).pack(*rec)

_NO_MORE = (0, _NO_YIELDS, 0)  # a task's checksum, yields, events sent
# What _task uses, set by AsyncRun._make_task (one run at a time).
_RUN = _KEEP = _RECS = _MONO = _GETCPU = None


async def _task(shape, group, index, flat, t0):
    """One task. Its coroutine is created for every task at once (the
    async executor starts them all), so it is kept small: what it holds
    across an await is a few locals (a larger frame would be allocated by
    malloc rather than by Python's small-object allocator, and fault in
    fresh pages all through the run); the rest is in _step and _started.
    A block's numbers are 7 values in vals (its end is vals[-5])."""
    try:
        start = mark = _MONO()
        cpu0 = _GETCPU()
        vals = ()
        more = _NO_MORE
        for step in shape.steps:
            if step[2]:
                more = _RUN._started(step, group, index, flat, t0, start, cpu0, vals, more)
            if step[0] == SLEEP:
                await _sleep(step[3])
                b0 = mark
                mark = _MONO()
                vals += (SLEEP, b0, mark, 0, (mark - b0) // 1000 - step[4], 0, -1)
            else:
                got = await _RUN._step(step, group, index, flat, t0, start, cpu0, vals, more)
                if got is None:
                    return
                vals, more = got
                mark = vals[-5]
        _KEEP(shape.pack(flat, group, index, t0, start, mark, cpu0, _GETCPU(), more[0],
                         B.x, 0, more[2], *more[1], len(shape.steps), *vals))
        if len(_RECS) >= FLUSH_RECORDS:
            _RUN.flush()
    except BaseException as e:  # noqa: BLE001 — the engine cannot go on
        fatal_exit(e)


# A TASK frame's identity (protocol.read_task's head up to n_blocks), and
# where its definition starts (n_blocks on): the same for every task of a
# group.
_TASK_HEAD = struct.Struct("<IIIiHHq")
_TASK_DEF = P.HEADER.size + _TASK_HEAD.size
# A frame's header and, were it a TASK, its identity: one call.
_FRAME_TASK = struct.Struct("<" + P.HEADER.format.lstrip("<") + _TASK_HEAD.format.lstrip("<"))


class Shape:
    """A task definition's blocks, decoded once, with what the coroutine
    needs of each block precomputed: (type, block, long, seconds, asked µs),
    and how its record is packed."""
    __slots__ = ("blocks", "steps", "pack")

    def __init__(self, blocks):
        self.blocks = blocks
        self.steps = tuple((b[0], b, B.long_block(b), b[4] / 1000.0, b[4] * 1000)
                           for b in blocks)
        self.pack = _record_struct(len(blocks)).pack


class AsyncRun:
    def __init__(self, env, channel, slice_units):
        self.env = env
        self.channel = channel
        self.slice_units = slice_units
        self.recs = []
        self.pid, self.tid = B.thread_ids()
        self.valid = B.schedstat_valid()
        self.shapes = {}
        self.buf = bytes(channel.buf)
        channel.buf = bytearray()
        self.created = 0  # tasks started
        self.finished = 0  # tasks whose record went out
        self.ended = False
        self.done = None
        self.loop = None
        self._task = self._make_task()

    # ---- output ------------------------------------------------------

    def _send(self, recs, error=None, events_only=False):
        self.channel.send_tasks(recs, self.pid, self.tid, self.valid, error, events_only)

    def flush(self):
        if self.recs:
            data = b"".join(self.recs)
            self.finished += len(self.recs)
            self.recs.clear()
            self._send(data)

    def send_failed(self, rec, error):
        """A failed task's record goes out alone, after those before it."""
        self.flush()
        self._send(rec, error)
        self.finished += 1

    def send_started(self, rec):
        """The events of a task about to run a long block, its START last."""
        self._send(rec, events_only=True)

    def _tick(self):
        """Every FLUSH_AFTER: the records go out, and once the input has
        ended and every task has finished, the run is over (tasks do not
        count themselves: that would cost each a few operations more)."""
        self.flush()
        self._check_done()
        if not self.done.done():
            self.loop.call_later(FLUSH_AFTER, self._tick)

    def _check_done(self):
        if self.ended and self.finished + len(self.recs) == self.created and not self.done.done():
            self.done.set_result(None)

    # ---- input ---------------------------------------------------------

    def _fail_protocol(self, message):
        sys.stderr.write(f"interleave cpython engine: protocol error: {message}\n")
        sys.stderr.flush()
        os._exit(3)

    def _readable(self):
        try:
            chunk = os.read(self.channel.in_fd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            if self.buf:
                self._fail_protocol("truncated frame at end of input")
            self._end_input()
            return
        self.buf = self.buf + chunk if self.buf else chunk
        try:
            self._take_frames()
        except P.ProtocolError as e:
            self._fail_protocol(e)

    def _take_frames(self):
        buf = self.buf
        size = len(buf)
        pos = 0
        hsize = P.HEADER.size
        frame_task = _FRAME_TASK.unpack_from
        magic, version, TASK = P.MAGIC, P._version, P.TASK
        create_task = self.loop.create_task
        run = self._task
        key = b""  # the definition of the task before, and its shape
        shape = None
        n = 0
        while size - pos >= hsize:
            if size - pos >= _FRAME_TASK.size:
                (fmagic, fversion, ftype, length,
                 group, index, flat, _w, _run, _rep, t0) = frame_task(buf, pos)
            else:
                fmagic, fversion, ftype, length = P.HEADER.unpack_from(buf, pos)
            if fmagic != magic or fversion != version or length > P.MAX_BODY:
                P.parse_header(buf[pos:pos + hsize])  # raises, saying why
            end = pos + hsize + length
            if end > size:
                break
            if ftype == TASK:
                # The identity, then the definition (n_blocks on), decoded
                # once for all the tasks that share it: most often the
                # task before's, compared in place.
                if (shape is None or end - pos - _TASK_DEF != len(key)
                        or not buf.startswith(key, pos + _TASK_DEF)):
                    if length < _TASK_HEAD.size + 4:
                        raise P.ProtocolError("truncated TASK frame")
                    key = buf[pos + _TASK_DEF:end]
                    shape = self.shapes.get(key)
                    if shape is None:
                        task = P.read_task(buf[pos + hsize:end])
                        shape = Shape(task["blocks"])
                        if not task["payload"]:
                            self.shapes[key] = shape
                create_task(run(shape, group, index, flat, t0))
                n += 1
            elif ftype == P.TASKS:
                # Many tasks of one definition: decoded once, started here.
                count, task = P.read_tasks(buf[pos + hsize:end])
                shape = Shape(task["blocks"])
                first, group, flat, t0 = task["index"], task["group"], task["flat"], task["t0"]
                for k in range(count):
                    create_task(run(shape, group, first + k, flat + k, t0))
                n += count
                shape = None
            elif ftype == P.BYE or ftype == P.END:
                # The repetition's last task: END keeps this interpreter
                # for the next repetition (engine.py), BYE ends it.
                pos = end
                self.created += n
                n = 0
                self.channel.closing = ftype
                self._end_input()
                break
            elif ftype != P.HEARTBEAT:
                raise P.ProtocolError(f"unexpected {P.FRAME_NAMES.get(ftype, ftype)} frame")
            pos = end
        self.created += n
        self.buf = buf[pos:] if pos < size else b""

    def _end_input(self):
        if not self.ended:
            self.ended = True
            self.loop.remove_reader(self.channel.in_fd)
            self._check_done()

    # ---- one task ------------------------------------------------------

    def _make_task(self):
        """The coroutine function that runs one task (_task), with this
        run as the one it records into."""
        global _RUN, _KEEP, _RECS, _MONO, _GETCPU
        _RUN, _KEEP, _RECS = self, self.recs.append, self.recs
        _MONO, _GETCPU = time.monotonic_ns, B._getcpu
        return _task

    async def _step(self, step, group, index, flat, t0, start, cpu0, vals, more):
        """A block other than sleep, run and recorded: (vals, more) with
        its numbers added, or None when it failed (the task's record has
        gone out: the task ends)."""
        btype, block = step[0], step[1]
        b0 = vals[-5] if vals else start
        i = len(vals) // REC_BLOCK
        checksum, yielded, sent = more
        try:
            running, ready, lock, ttfb, checksum, yielded = await self._block(
                btype, block, group, index, flat, i, checksum, yielded, t0)
        except Exception as e:  # noqa: BLE001 — the task fails, not the engine
            what = str(e) if isinstance(e, B.BlockError) else repr(e)
            mark = _MONO()
            vals += (btype, b0, mark, 0, 0, 0, -1)
            self.send_failed(_pack_record(
                (flat, group, index, t0, start, mark, cpu0, _GETCPU(), 0,
                 B.x, 1, sent) + yielded + (i + 1,) + vals),
                f"block {i + 1} ({P.BLOCK_NAMES[btype]}): {what}")
            return None
        return vals + (btype, b0, _MONO(), running, ready, lock, ttfb), (checksum, yielded, sent)

    def _started(self, step, group, index, flat, t0, start, cpu0, vals, more):
        """A long block's START goes out at once: the events so far, and
        the task's `sent` slots from now on."""
        b0 = vals[-5] if vals else start
        i = len(vals) // REC_BLOCK
        checksum, yielded, sent = more
        self.send_started(_pack_record(
            (flat, group, index, t0, start, b0, cpu0, -1, 0, 0, 0, sent)
            + _NO_YIELDS + (i + 1,) + vals + (step[0], b0, b0, 0, 0, 0, -1)))
        return checksum, yielded, 2 + 2 * i

    async def _block(self, btype, block, group, index, flat, i, checksum, yielded, t0):
        """A block other than sleep: (running, ready, lock, ttfb, checksum,
        yielded)."""
        running = ready = lock = 0
        ttfb = -1
        now_us = B.now_us
        if btype == P.CPU:
            kernel, units = block[1], block[3]
            slice_units = self.slice_units
            run = B._run
            c0 = time.thread_time_ns()
            for u in range(units):
                if slice_units and u > 0 and u % slice_units == 0:
                    running += (time.thread_time_ns() - c0) // 1000
                    y = now_us()
                    await asyncio.sleep(0)
                    ready += now_us() - y
                    c0 = time.thread_time_ns()
                checksum = run(kernel, group, index, i, u, 1, checksum)
            running += (time.thread_time_ns() - c0) // 1000
        elif btype == P.HTTP:
            ttfb = await http_get_async(self.env, block) - t0
        elif btype == P.COUNTER:
            # No await inside: the block runs to its end before the loop
            # runs anything else, so no increment is lost.
            c0 = time.thread_time_ns()
            lock = B.run_counter(block)
            running = (time.thread_time_ns() - c0) // 1000
        elif btype == P.YIELD:
            # A cooperative yield: asyncio.sleep(0) hands the loop over to
            # every other ready task, no kernel switch involved.
            r0 = B.resource.getrusage(B.resource.RUSAGE_THREAD)
            for _ in range(block[10]):
                y = now_us()
                await asyncio.sleep(0)
                ready += now_us() - y
            r1 = B.resource.getrusage(B.resource.RUSAGE_THREAD)
            yielded = B.add_yielded(yielded, (block[10], max(r1.ru_nvcsw - r0.ru_nvcsw, 0),
                                              max(r1.ru_nivcsw - r0.ru_nivcsw, 0), 0))
        else:
            c0 = time.thread_time_ns()
            if btype == P.FILE_WRITE:
                B.file_write(self.env, flat, block[6], block[2])
            else:
                B.file_read(self.env, flat, block[6])
            running = (time.thread_time_ns() - c0) // 1000
        return running, ready, lock, ttfb, checksum, yielded

    # ---- the loop ------------------------------------------------------

    def run(self):
        # What the engine loaded (this package, multiprocessing, http, ssl:
        # tens of thousands of objects) is never garbage: left out of the
        # collections the tasks' objects set off, which would otherwise
        # walk it all again and again.
        gc.freeze()
        asyncio.run(self._main())

    async def _main(self):
        self.loop = asyncio.get_running_loop()
        self.done = self.loop.create_future()
        self.channel.start_writer()
        self.channel.flush()  # READY
        os.set_blocking(self.channel.in_fd, False)
        self.loop.add_reader(self.channel.in_fd, self._readable)
        if self.buf:
            self._take_frames()
        self.loop.call_later(FLUSH_AFTER, self._tick)
        await self.done
        self.flush()
        self.channel.stop_writer()
        # What came after END is the next repetition's: the channel reads
        # it, blocking, as before this run.
        os.set_blocking(self.channel.in_fd, True)
        self.channel.buf = bytearray(self.buf)
        self.buf = b""


def fatal_exit(e):
    import traceback
    traceback.print_exception(e, file=sys.stderr)
    sys.stderr.write(f"interleave cpython engine: {type(e).__name__}: {e}\n")
    sys.stderr.flush()
    os._exit(4)


async def http_get_async(env, block):
    url, expect = B.http_target(env, block)
    import ssl
    import urllib.parse
    parts = urllib.parse.urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    path = (parts.path or "/") + (("?" + parts.query) if parts.query else "")
    try:
        reader, writer = await asyncio.open_connection(
            parts.hostname, port, ssl=ssl.create_default_context() if https else None)
    except OSError as e:
        raise B.BlockError(f"GET {url} failed: {e}") from None
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "User-Agent: Interleave-cpython\r\nConnection: close\r\n\r\n".encode())
        status_line = await reader.readline()
        ttfb = B.now_us()
        head = await reader.readuntil(b"\r\n\r\n") if status_line else b""
        fields = status_line.decode("latin-1").split(" ", 2)
        if len(fields) < 2 or not fields[1].isdigit():
            raise B.BlockError(f"GET {url} failed: not an HTTP response")
        status = int(fields[1])
        length = None
        chunked = False
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            elif name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if length is not None:
            body = await reader.readexactly(length)
            got = len(body)
        elif chunked:
            got = 0
            while True:
                size = int((await reader.readline()).split(b";")[0].strip(), 16)
                if size == 0:
                    break
                got += len(await reader.readexactly(size + 2)) - 2
        else:
            got = len(await reader.read())
        if status != 200:
            reason = fields[2].strip() if len(fields) > 2 else ""
            raise B.BlockError(f"HTTP {status} {reason} from {url}")
        if expect is not None and got != expect:
            raise B.BlockError(f"got {got} bytes from the latency server, expected {expect}")
        return ttfb
    except (OSError, asyncio.IncompleteReadError, ValueError) as e:
        raise B.BlockError(f"GET {url} failed: {e!r}") from None
    finally:
        writer.close()


def run_async(env, channel, slice_units):
    AsyncRun(env, channel, slice_units).run()
