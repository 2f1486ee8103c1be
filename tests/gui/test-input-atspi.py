#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input that cannot be silently wrong, driven from outside through AT-SPI.

Starts `interleave FILE` on a copy of the default example with an http block
and a file write and read. Types a bad URL and a bad workers list as an
assistive technology does: each time the field's reason shows as a label,
Run is insensitive and its description says why, naming the place as the
user sees it ("job, block 2, URL: …"), and Save refuses (the file on disk,
loaded back, is unchanged). Then it moves the file write below the read
through the block's menu: the read-before-write mark appears on that block,
"job, block 3: …". Exits 77 (skip) without a display or an accessibility
bus.

Usage: test-input-atspi.py PATH-TO-interleave
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from atspi_common import app_env, load_dogtail, require_atspi

results = []


def check(ok, what):
    results.append((bool(ok), what))
    print(("ok" if ok else "not ok") + f" {len(results)} - {what}")


def main():
    binary = require_atspi("test-input-atspi.py")

    tmp = tempfile.mkdtemp(prefix="interleave-input-atspi-")
    try:
        return drive(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def document(tmp):
    """The default example: group "job" with cpu, http, file write and
    file read blocks; sequential and threads ×2 runs; no quiz."""
    root = os.environ.get("IL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "data", "examples", "cpu-bound.interleave"), encoding="utf-8") as f:
        doc = json.load(f)
    group = doc["tasks"][0]
    group["name"] = "job"
    group["blocks"] += [{"type": "http", "url": "http://example.com/a"},
                        {"type": "file-write", "bytes": 4096},
                        {"type": "file-read", "bytes": 4096}]
    doc["runs"] = [r for r in doc["runs"] if r["executor"] in ("sequential", "threads")]
    doc["settings"] = {"repetitions": 1}
    doc.pop("quiz", None)
    path = os.path.join(tmp, "input.interleave")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    return path


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    return predicate()


def labels(app, prefix):
    """The labels whose text starts with @prefix (a hidden one has none)."""
    return [n.name for n in app.findChildren(
        lambda n: n.roleName == "label" and (n.name or "").startswith(prefix), showingOnly=False)]


def run_refused(app, run, expected):
    """Run is insensitive and its description says @expected."""
    desc = wait_for(lambda: (not run.sensitive) and expected in (run.description or "") and run.description)
    print(f"# Run: sensitive={run.sensitive} description={run.description!r}")
    return bool(desc)


def save_refused(app, path, before):
    """Ctrl+S's button: a dialog says the experiment cannot be saved yet,
    and the file is what it was."""
    app.child(name="Save", roleName="push button").doActionNamed("click")
    heading = wait_for(lambda: app.findChildren(
        lambda n: n.roleName == "label" and n.name == "The Experiment Cannot Be Saved Yet", showingOnly=False))
    if heading:
        # The dialog's own Close, not the main window's.
        dialog = heading[0]
        while dialog.parent is not None and dialog.roleName not in ("dialog", "alert", "frame", "window"):
            dialog = dialog.parent
        print(f"# refused in a {dialog.roleName}")
        buttons = dialog.findChildren(lambda n: n.roleName == "push button", showingOnly=False)
        print(f"# its buttons: {[b.name for b in buttons]}")
        # libadwaita 1.2 names a response button "_Close Close".
        [b for b in buttons if "Close" in (b.name or "")][0].doActionNamed("click")
        wait_for(lambda: not app.findChildren(
            lambda n: n.roleName == "label" and n.name == "The Experiment Cannot Be Saved Yet", showingOnly=False))
    with open(path, "rb") as f:
        after = f.read()
    return bool(heading) and after == before


def drive(binary, tmp):
    tree = load_dogtail(tmp, search_cutoff=120)
    env = app_env(tmp)
    path = document(tmp)
    with open(path, "rb") as f:
        saved = f.read()

    log = open(os.path.join(tmp, "app.log"), "wb")
    proc = subprocess.Popen([binary, path], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = tree.root.application("interleave")
        run = app.child(name="Run", roleName="push button")
        check(wait_for(lambda: run.sensitive), "Run is on for the valid document")

        # A bad URL, typed as an assistive technology does.
        url = app.child(name="URL", roleName="text")
        url.text = "htp//example.com/b"
        reason = wait_for(lambda: labels(app, "URL: "))
        print(f"# beside the URL: {reason}")
        check(reason, "the URL's reason shows as a label")
        check(run_refused(app, run, "job, block 2, URL: "), "a bad URL turns Run off, and its description says where and why")
        check(save_refused(app, path, saved), "Save refuses the bad URL; the file on disk is unchanged")
        url.text = "https://example.org/b"
        check(wait_for(lambda: run.sensitive and not labels(app, "URL: ")), "a good URL turns Run back on")

        # A bad workers list on the runs page.
        app.child(name="Runs", roleName="page tab").doActionNamed("click")
        workers = wait_for(lambda: [n for n in app.findChildren(
            lambda n: n.roleName == "text" and n.name == "Workers", showingOnly=False)])
        check(len(workers) == 1, "the threads run's workers field")
        workers[0].text = "1, 2, x"
        reason = wait_for(lambda: labels(app, "Workers: "))
        print(f"# beside the workers: {reason}")
        check(reason and "“x”" in reason[0], "the workers' reason shows as a label")
        check(run_refused(app, run, "run 2 (threads ×2), Workers: "), "a bad workers list turns Run off, and says why")
        check(save_refused(app, path, saved), "Save refuses the bad workers list; the file on disk is unchanged")
        with open(path, encoding="utf-8") as f:
            check(json.load(f)["runs"][1]["workers"] == 2, "the saved file, loaded back, has the workers it had")
        workers[0].text = "1, 2, 4"
        check(wait_for(lambda: run.sensitive), "a good sweep turns Run back on")

        # The write moved below the read: the read is marked on its block.
        app.child(name="Workload", roleName="page tab").doActionNamed("click")
        menus = wait_for(lambda: app.findChildren(
            lambda n: n.roleName == "push button" and n.name == "Block Menu" and "click" in n.actions,
            showingOnly=False))
        check(len(menus) == 4, "four blocks, each with its menu")
        menus[2].doActionNamed("click")
        down = wait_for(lambda: [n for n in app.findChildren(
            lambda n: "Move Down" in (n.name or "") and n.roleName != "label", showingOnly=False)])
        print(f"# found {[(n.roleName, n.name) for n in down]}")
        check(down, "the write block's menu offers Move Down")
        if down:
            try:
                down[0].doActionNamed("click")
            except Exception as e:  # noqa: BLE001 - any AT-SPI failure
                # The move rebuilds the blocks: the menu item can be gone
                # before it replies. The mark below says whether it moved.
                print(f"# no reply from Move Down ({e.__class__.__name__}); checking its effect")
        mark = wait_for(lambda: labels(app, "job, block 3: "))
        print(f"# on the block: {mark}")
        check(mark and "File Write" in mark[0], "the read-before-write mark shows on block 3")
        check(not labels(app, "job, block 4: "), "and on no other block")
        check(run_refused(app, run, "job, block 3: "), "Run is off and names the block")

        print(f"1..{len(results)}")
        return 0 if all(ok for ok, _ in results) else 1
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if not all(ok for ok, _ in results) or proc.returncode not in (0, -15):
            with open(os.path.join(tmp, "app.log"), "rb") as f:
                tail = f.read().decode("utf-8", "replace")[-4000:]
            print("# app output:\n" + "".join("# " + line + "\n" for line in tail.splitlines()))


if __name__ == "__main__":
    sys.exit(main())
