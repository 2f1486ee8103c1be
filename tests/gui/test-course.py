#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A lesson shared with the author's results, driven through AT-SPI.

Opens a copy of the shipped shared-state lesson, which carries results its
author recorded (and the machine they were measured on) and a quiz. The app
must ask the quiz at once, before anything runs. The test picks the answer
that the recorded figures support (the counter under threads ended below
what was counted: "less than"), presses it, and reads the Results page: the
verdict, and the author's figures labelled with their machine. Then it finds
the "Next Lesson" button and presses it: the next lesson of the course opens.
Exits 77 (skip) without a display or an accessibility bus.

Usage: test-course.py PATH-TO-interleave
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from atspi_common import app_env, load_dogtail, require_atspi

NEXT_LESSON = "Shared state under threads, with a lock"
TIMEOUT_S = 60


def main():
    binary = require_atspi("test-course.py")
    tmp = tempfile.mkdtemp(prefix="interleave-course-")
    try:
        return drive(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def recorded_lesson(tmp):
    root = os.environ.get("IL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    source = os.path.join(root, "data", "examples", "shared-state.interleave")
    path = os.path.join(tmp, "shared-state.interleave")
    shutil.copyfile(source, path)
    with open(path, encoding="utf-8") as f:
        return path, json.load(f)


def median_repetition(run):
    """The repetition a run is shown by: the lower middle one by makespan."""
    reps = sorted(enumerate(run["repetitions"]), key=lambda r: (r[1]["makespan_ms"], r[0]))
    return reps[(len(reps) - 1) // 2][1]


def answer_from_figures(doc):
    """The choice the recorded figures support, and the figures' own words."""
    threads = [r for r in doc["results"]["runs"] if r["executor"] == "threads"][0]
    counter = median_repetition(threads)["counter"]
    expected, final = counter["expected"], counter["final"]
    print(f"# recorded under threads: {final} of {expected} increments reached the counter")
    choices = doc["quiz"]["choices"]
    if final < expected:
        pick = next(c for c in choices if c.startswith("less than"))
    elif final == expected:
        pick = next(c for c in choices if c.startswith("exactly"))
    else:
        pick = next(c for c in choices if c.startswith("more than"))
    lost = expected - final
    return pick, f"{lost} of {expected} lost"


def wait_for(what, find, proc):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode} while waiting for {what}")
        found = find()
        if found:
            return found
        time.sleep(0.5)
    raise RuntimeError(f"no {what} within {TIMEOUT_S} s")


def drive(binary, tmp):
    tree = load_dogtail(tmp, search_cutoff=120)
    env = app_env(tmp)
    path, doc = recorded_lesson(tmp)
    machine = doc["results"]["machine"]
    pick, lost_text = answer_from_figures(doc)
    checks = []

    log = open(os.path.join(tmp, "app.log"), "wb")
    proc = subprocess.Popen([binary, path], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = tree.root.application("interleave")
        # Asked at once: nothing was pressed, nothing runs.
        choice = app.child(name=pick, roleName="push button")
        print(f"# the quiz asks at once; answering “{pick}”")
        running = app.findChildren(lambda n: n.roleName == "push button" and n.name == "Stop",
                                   showingOnly=False)
        checks.append(("nothing runs while the quiz is asked", not running))
        choice.doActionNamed("click")

        def labels():
            return [n.name for n in app.findChildren(lambda n: n.roleName == "label" and n.name,
                                                     showingOnly=False)]

        verdict = wait_for("verdict", lambda: [t for t in labels() if t.startswith("✓ Right")], proc)
        print(f"# verdict: {verdict[0]}")
        checks.append(("the recorded figures answer the quiz", bool(verdict)))
        recorded = [t for t in labels() if t.startswith("Recorded by the author on")]
        print("# " + "\n# ".join(recorded[0].splitlines()) if recorded else "# no recorded figures")
        checks.append(("the author's figures are labelled with their machine",
                       any(machine["cpu_model"] in t and f"{machine['cores']} core" in t for t in recorded)))
        checks.append(("the author's figures say what was lost",
                       any(lost_text in t for t in recorded)))
        checks.append(("nothing was measured here", not [t for t in labels() if t.startswith("Measured here")]))

        next_button = app.child(name="Next Lesson", roleName="push button")
        print("# found the Next Lesson button")
        next_button.doActionNamed("click")
        frame = wait_for("the next lesson",
                         lambda: [f for f in app.findChildren(lambda n: n.roleName == "frame"
                                                              and NEXT_LESSON in (n.name or ""),
                                                              showingOnly=False)], proc)
        print(f"# window: {frame[0].name}")
        checks.append(("Next Lesson opens the next lesson", bool(frame)))
    except Exception as e:  # dogtail raises SearchError and friends
        checks.append((f"driving the app: {e}", False))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()

    print(f"1..{len(checks)}")
    for i, (what, ok) in enumerate(checks, 1):
        print(("ok" if ok else "not ok") + f" {i} - {what}")
    if not all(ok for _, ok in checks):
        with open(os.path.join(tmp, "app.log"), "rb") as f:
            tail = f.read().decode("utf-8", "replace")[-4000:]
        print("# app output:\n" + "".join("# " + line + "\n" for line in tail.splitlines()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
