#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-timing-paths.py --binary|--only EXE PATH... [--binary|--only EXE PATH...]
#
# tests/meson.build runs every path of `timing_cases` alone (`EXE -p PATH`)
# and skips it in the binary's `core` entry (`-s PATH`). A path the binary
# does not have runs nothing there and shows as SKIP: a renamed or moved
# case would silently stop being tested. Each PATH must be one that EXE
# lists with -l. A binary given with --only has no `core` entry: every
# case it lists must then be one of its PATHs, or that case would never
# run. TAP output, one line per binary.

import subprocess
import sys


def main(argv):
    groups = []
    for arg in argv:
        if arg in ("--binary", "--only"):
            groups.append([None, [], arg == "--only"])
        elif not groups:
            print(f"usage: {sys.argv[0]} --binary EXE PATH...", file=sys.stderr)
            return 2
        elif groups[-1][0] is None:
            groups[-1][0] = arg
        else:
            groups[-1][1].append(arg)
    print(f"1..{len(groups)}")
    failed = 0
    for number, (exe, paths, only) in enumerate(groups, 1):
        listed = subprocess.run([exe, "-l"], capture_output=True, text=True, timeout=30)
        have = {line.strip() for line in listed.stdout.splitlines() if line.startswith("/")}
        missing = [p for p in paths if p not in have]
        untimed = sorted(have - set(paths)) if only else []
        if listed.returncode != 0 or not paths or missing or untimed:
            failed += 1
            print(f"not ok {number} {exe}")
            if listed.returncode != 0:
                print(f"# {exe} -l exited with {listed.returncode}")
            for p in missing:
                print(f"# {p} is not a case of {exe}: fix timing_cases in tests/meson.build")
            for p in untimed:
                print(f"# {p} of {exe} is not a timing case, and {exe} has no core entry "
                      "(timing_only in tests/meson.build): it would never run")
        else:
            print(f"ok {number} {exe}: {len(paths)} timing cases")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
