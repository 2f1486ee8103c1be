#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the results of a run that has cpython runs beside native ones.

    check-engine.py RESULTS.json [--require-all-executors]
    check-engine.py - < RESULTS.json

RESULTS.json is `interleave-cli run --json` output (results-format.md), for
example of engine-check.interleave or example:gil-real, run inside the Flatpak
sandbox. It passes (exit 0) when:
  - there is at least one native run and at least one cpython run;
  - every cpython run records the interpreter's version ("python");
  - no task failed, and every run's checksum is the same, so the real
    interpreter computed what the native executors did;
  - with --require-all-executors: the cpython runs cover sequential, threads,
    processes (pool and per-task) and async.
It prints one line per run (label, engine, interpreter, checksum) and, on
failure, what is wrong, on standard output. Exit 1 on failure, 2 on bad input.

Used by run-tests.sh (in the build sandbox, the SDK's python3) and
build-and-run.sh (on the host, on what `flatpak run` wrote).
"""

import json
import sys

ALL = {("sequential", None), ("threads", None), ("processes", "pool"),
       ("processes", "per-task"), ("async", None)}


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    require_all = "--require-all-executors" in argv[1:]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        if args[0] == "-":
            doc = json.load(sys.stdin)
        else:
            with open(args[0], encoding="utf-8") as f:
                doc = json.load(f)
        runs = doc["runs"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"FAIL: cannot read the results {args[0]}: {e}")
        return 2

    problems = []
    checksums = set()
    cpython_kinds = set()
    native = 0
    for run in runs:
        summary = run.get("summary", {})
        engine = run.get("engine", "native")
        python = run.get("python")
        checksum = summary.get("checksum")
        failed = summary.get("failed_tasks", 0)
        print(f"  {run.get('label')!s:34} {engine:7} "
              f"{'python ' + python if python else '':15} checksum {checksum}"
              f"{f'  {failed} FAILED' if failed else ''}")
        checksums.add(checksum)
        if failed:
            problems.append(f"{run.get('label')}: {failed} tasks failed")
        if engine == "cpython":
            if not python:
                problems.append(f"{run.get('label')}: no interpreter version recorded")
            spawn = run.get("spawn") if run.get("executor") == "processes" else None
            cpython_kinds.add((run.get("executor"), spawn))
        else:
            native += 1

    if native == 0:
        problems.append("no native run to compare with")
    if not cpython_kinds:
        problems.append("no cpython run")
    if len(checksums) != 1 or None in checksums or "mismatch" in checksums:
        problems.append(f"the checksums differ: {sorted(map(str, checksums))}")
    if require_all and cpython_kinds != ALL:
        missing = ", ".join(f"{e}{' ' + s if s else ''}" for e, s in sorted(ALL - cpython_kinds))
        problems.append(f"no cpython run of: {missing}")

    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        return 1
    print(f"ok: {len(runs)} runs ({len(runs) - native} on CPython "
          f"{next(r['python'] for r in runs if r.get('engine') == 'cpython')}), "
          f"one checksum {checksums.pop()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
