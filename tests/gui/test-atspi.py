#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives the running app from outside through accessibility (AT-SPI).

Starts `interleave FILE` on a short copy of the default example, finds the
button named "Run", presses it, and waits until the results table shows a
checksum (the example's quiz, asked first, is skipped). Exits 77 (skip) without a display or an accessibility bus.

Usage: test-atspi.py PATH-TO-interleave
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from atspi_common import app_env, load_dogtail, require_atspi

TIMEOUT_S = 180


def main():
    binary = require_atspi("test-atspi.py")

    tmp = tempfile.mkdtemp(prefix="interleave-atspi-")
    try:
        return drive(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def short_example(tmp):
    """The default example, cut to one repetition of the sequential and
    threads runs, so that the test takes seconds."""
    root = os.environ.get("IL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "data", "examples", "cpu-bound.interleave"), encoding="utf-8") as f:
        doc = json.load(f)
    doc["runs"] = [r for r in doc["runs"] if r["executor"] in ("sequential", "threads")]
    doc["settings"] = {"repetitions": 1}
    path = os.path.join(tmp, "short.interleave")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    return path


def drive(binary, tmp):
    # A sanitizer build starts several times slower: up to a minute.
    tree = load_dogtail(tmp, search_cutoff=120)
    env = app_env(tmp)

    # The app's output goes to a file, not to the test's pipes: meson waits
    # for those to close, so an app left running would hang the suite.
    log = open(os.path.join(tmp, "app.log"), "wb")
    proc = subprocess.Popen([binary, short_example(tmp)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        app = tree.root.application("interleave")
        run = app.child(name="Run", roleName="push button")
        print("# found the Run button")
        run.doActionNamed("click")

        # The default example asks its quiz before the run: skip it.
        skip_button = app.child(name="Skip", roleName="push button")
        print("# found the quiz's Skip button")
        skip_button.doActionNamed("click")

        checksum = re.compile(r"^[0-9a-f]{16}$")
        deadline = time.monotonic() + TIMEOUT_S
        cells = []
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                print(f"not ok 1 - the app exited with {proc.returncode}")
                return 1
            cells = app.findChildren(lambda n: n.roleName == "label" and checksum.match(n.name or ""),
                                     showingOnly=False)
            if cells:
                break
            time.sleep(1)
        if not cells:
            print("1..1\nnot ok 1 - no result checksum appeared")
            return 1
        names = {c.name for c in cells}
        print(f"# result checksums: {sorted(names)}")
        # Every executor computes the same checksum.
        ok = len(names) == 1
        print("1..1")
        print(("ok" if ok else "not ok") + " 1 - ran from AT-SPI and read a result")
        return 0 if ok else 1
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if proc.returncode not in (0, -15):
            with open(os.path.join(tmp, "app.log"), "rb") as f:
                tail = f.read().decode("utf-8", "replace")[-4000:]
            print("# app output:\n" + "".join("# " + line + "\n" for line in tail.splitlines()))


if __name__ == "__main__":
    sys.exit(main())
