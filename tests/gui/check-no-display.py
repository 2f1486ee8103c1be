#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every GUI test program skips cleanly without a display.

Runs each program given with DISPLAY and WAYLAND_DISPLAY unset (as plain
`meson test` on a machine without a display would) and checks that it exits
0, plans at least one case, and reports every case as "ok N ... # SKIP":
no crash, no failure, and no case that ran GUI code anyway.

Usage: check-no-display.py TEST-PROGRAM...
"""

import os
import re
import subprocess
import sys

TIMEOUT_S = 60


def check(program):
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    proc = subprocess.run([program, "--tap"], env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=TIMEOUT_S, check=False)
    out = proc.stdout.decode("utf-8", "replace")
    name = os.path.basename(program)
    problems = []
    if proc.returncode != 0:
        problems.append(f"exit status {proc.returncode}")
    plans = re.findall(r"^1\.\.(\d+)$", out, re.M)
    results = re.findall(r"^(ok|not ok) (\d+)(.*)$", out, re.M)
    if len(plans) != 1 or int(plans[0]) == 0:
        problems.append(f"plan {plans}: expected one plan of at least 1 case")
    elif len(results) != int(plans[0]):
        problems.append(f"{len(results)} results for a plan of {plans[0]}")
    for status, number, rest in results:
        if status != "ok" or "# SKIP" not in rest:
            problems.append(f"case {number} was not skipped: {status} {number}{rest}")
    if problems:
        print(f"not ok - {name}: " + "; ".join(problems))
        print("# " + out.replace("\n", "\n# "))
        return False
    print(f"ok - {name}: {len(results)} cases, all skipped")
    return True


def main():
    programs = sys.argv[1:]
    print(f"1..{len(programs)}")
    ok = [check(p) for p in programs]
    return 0 if programs and all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
