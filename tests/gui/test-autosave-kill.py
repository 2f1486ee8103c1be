#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kills the app after an edit, restarts it, and restores the edit.

Starts `interleave FILE`, changes the first task group's "Repeat" through
AT-SPI (dogtail), waits for the autosave file, sends SIGKILL, checks that
FILE is untouched, starts `interleave` again, presses "Restore" in the
offer, checks that the window shows the edit as unsaved changes of FILE,
presses "Save" and checks FILE on disk. Exits 77 (skip) without a display
or an accessibility bus.

Usage: test-autosave-kill.py PATH-TO-interleave
"""

import faulthandler
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from atspi_common import app_env, load_dogtail, require_atspi

TIMEOUT_S = 60
APP_ID = "io.github.interleave.Interleave"


def main():
    binary = require_atspi("test-autosave-kill.py")

    # A hang shows where it is, well before meson's timeout.
    faulthandler.dump_traceback_later(150, exit=True)
    tmp = tempfile.mkdtemp(prefix="interleave-autosave-")
    try:
        return drive(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def wait_until(what, predicate, timeout=TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def restore_button(tree):
    """The offer's Restore button in the running app. The killed app may
    still be listed for a moment: search again until the new one has it.
    libadwaita 1.2 names a response button "_Restore Restore", and the
    dialog lays its buttons out twice (either emits the response)."""
    from dogtail.tree import SearchError

    def find():
        try:
            app = tree.root.application("interleave")
            return app, app.findChild(lambda n: n.roleName == "push button"
                                      and (n.name or "").split(" ")[-1] == "Restore",
                                      showingOnly=False, retry=False)
        except SearchError:
            return None
    return wait_until("the offer to restore", find)


def first_repeat(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["tasks"][0].get("repeat", 1)


def drive(binary, tmp):
    tree = load_dogtail(tmp, search_cutoff=40)
    env = app_env(tmp)
    autosaves = os.path.join(env["XDG_DATA_HOME"], APP_ID, "autosave", "*.autosave")

    root = os.environ.get("IL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    path = os.path.join(tmp, "edited.interleave")
    shutil.copy(os.path.join(root, "data", "examples", "cpu-bound.interleave"), path)
    with open(path, "rb") as f:
        original_bytes = f.read()
    repeat = first_repeat(path)
    edited = repeat + 1

    print("1..1")
    # 1. Edit, wait for the autosave, kill -9.
    proc = subprocess.Popen([binary, path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        app = tree.root.application("interleave")
        spin = app.child(name="Repeat", roleName="spin button")
        assert int(spin.value) == repeat, f"Repeat shows {spin.value}, the file has {repeat}"
        spin.value = float(edited)
        print(f"# set Repeat from {repeat} to {edited}")
        files = wait_until("the autosave file", lambda: glob.glob(autosaves))
        print(f"# autosaved: {[os.path.basename(f) for f in files]}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with open(path, "rb") as f:
        assert f.read() == original_bytes, "the killed app changed the file"
    orphans = glob.glob(autosaves)
    assert len(orphans) == 1, orphans

    # 2. Start again: the offer, Restore, the edit is back as unsaved changes.
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        app, button = restore_button(tree)
        button.doActionNamed("click")
        print("# pressed Restore")
        frame = wait_until("a window showing the restored file",
                           lambda: next((n for n in app.findChildren(
                               lambda n: n.roleName == "frame" and "edited.interleave" in (n.name or ""))), None))
        assert frame.name.startswith("•"), f"not shown as modified: {frame.name!r}"
        spin = app.child(name="Repeat", roleName="spin button")
        assert int(spin.value) == edited, f"Repeat shows {spin.value} after restoring, not {edited}"
        # The orphan is gone; this process autosaved the edits again.
        wait_until("the orphan to go", lambda: orphans[0] not in glob.glob(autosaves))
        mine = wait_until("this process's autosave",
                          lambda: glob.glob(os.path.join(os.path.dirname(autosaves), f"{proc.pid}-*.autosave")))
        print(f"# re-autosaved: {[os.path.basename(f) for f in mine]}")

        # 3. Save writes the original file; the autosave goes.
        app.child(name="Save", roleName="push button").doActionNamed("click")
        wait_until("the file to be saved", lambda: first_repeat(path) == edited)
        wait_until("the autosave to go", lambda: not glob.glob(autosaves))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("ok 1 - an edit survived SIGKILL and was restored and saved")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"not ok 1 - {e}")
        sys.exit(1)
