#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Python's own primitives on the dispatch benchmarks' workloads.

Usage: python-peers.py MODE TASKS WORKERS ROUNDS [DELAY_MS]

Prints one JSON object: the best of ROUNDS, in µs per task (or ms per
batch for "http"). Modes:
  threads    ThreadPoolExecutor(WORKERS): TASKS empty submits, pool start
             and shutdown included (as the raw GThreadPool figure is)
  processes  ProcessPoolExecutor(WORKERS), started before the clock:
             round trip of one empty task (submit, wait) and throughput of
             TASKS submitted at once
  asyncio    asyncio.run of TASKS coroutines that each await sleep(0),
             gathered (loop start included)
  http       asyncio streams: TASKS concurrent GET requests to a local
             asyncio server that answers after DELAY_MS (ms per batch)
"""
import asyncio
import concurrent.futures as cf
import json
import sys
import time


def empty():
    return None


def bench_threads(n, w, rounds):
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(max_workers=w) as pool:
            for _ in range(n):
                pool.submit(empty)
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return {"thread_pool_executor_us": best}


def bench_processes(n, w, rounds):
    rt = tp = float("inf")
    with cf.ProcessPoolExecutor(max_workers=w) as pool:
        list(pool.map(empty_arg, range(w * 4)))  # started and warm
        for _ in range(rounds):
            k = min(n, 2000)
            t0 = time.perf_counter()
            for _ in range(k):
                pool.submit(empty).result()
            rt = min(rt, (time.perf_counter() - t0) / k * 1e6)
            t0 = time.perf_counter()
            futures = [pool.submit(empty) for _ in range(n)]
            for f in futures:
                f.result()
            tp = min(tp, (time.perf_counter() - t0) / n * 1e6)
    return {"process_pool_round_trip_us": rt, "process_pool_throughput_us": tp}


def empty_arg(_):
    return None


def bench_asyncio(n, rounds):
    async def one():
        await asyncio.sleep(0)

    async def main():
        await asyncio.gather(*(one() for _ in range(n)))

    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        asyncio.run(main())
        best = min(best, (time.perf_counter() - t0) / n * 1e6)
    return {"asyncio_us": best}


def bench_http(n, delay_ms, rounds):
    body = b"x" * 64

    async def handle(reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                await asyncio.sleep(delay_ms / 1000)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
        finally:
            writer.close()

    async def get(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        await writer.drain()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
        port = server.sockets[0].getsockname()[1]
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            await asyncio.gather(*(get(port) for _ in range(n)))
            best = min(best, (time.perf_counter() - t0) * 1e3)
        server.close()
        return best

    return {"asyncio_http_batch_ms": asyncio.run(main())}


def main():
    mode, n, w, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    if mode == "threads":
        out = bench_threads(n, w, rounds)
    elif mode == "processes":
        out = bench_processes(n, w, rounds)
    elif mode == "asyncio":
        out = bench_asyncio(n, rounds)
    elif mode == "http":
        out = bench_http(n, float(sys.argv[5]), rounds)
    else:
        sys.exit("unknown mode " + mode)
    out["python"] = sys.version.split()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
