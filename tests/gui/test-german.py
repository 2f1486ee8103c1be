#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The app in German (issue 12), driven from outside through AT-SPI.

Starts `interleave FILE` with LANGUAGE=de and LANG/LC_ALL=de_DE.UTF-8, the
translations found in the build tree (IL_LOCALEDIR, set by tests/meson.build:
<builddir>/po/de/LC_MESSAGES/interleave.mo), and checks that
  1. the window's controls carry German names: the Run button reads
     "Ausführen", the view switcher "Arbeitslast", "Läufe", "Ergebnisse", the
     workload page "Aufgabengruppen"; no English one is left among them;
     the lesson bar names the next built-in example in German;
  2. after a run ("Ausführen", the quiz "Überspringen"), the results table has
     German column headers and the sequential baseline's speedup reads
     "1,00×", with the German decimal comma;
  3. "Hilfe" in the main menu opens the guide in the app in German (unless
     it is installed for Yelp).
Exits 77 (skip) without a display, an accessibility bus or the de_DE.UTF-8
locale (build-aux/test generates it); fails when the catalogue is missing.

Usage: test-german.py PATH-TO-interleave
"""

import json
import locale
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from atspi_common import app_env, load_dogtail, require_atspi, skip

TIMEOUT_S = 180
GERMAN = "de_DE.UTF-8"

# English names that must not be left once the catalogue is found.
ENGLISH = {("push button", "Run"), ("page tab", "Workload"), ("page tab", "Runs"),
           ("page tab", "Results"), ("label", "Task Groups")}


def main():
    binary = require_atspi("test-german.py")
    try:
        locale.setlocale(locale.LC_ALL, GERMAN)
    except locale.Error:
        skip(f"the {GERMAN} locale is missing (build-aux/test generates it)")
    finally:
        locale.setlocale(locale.LC_ALL, "C")
    localedir = os.environ.get("IL_LOCALEDIR", "")
    mo = os.path.join(localedir, "de", "LC_MESSAGES", "interleave.mo")
    if not localedir or not os.path.isfile(mo):
        print(f"1..0\nnot ok 1 - no German catalogue at {mo!r}: is de in po/LINGUAS?")
        return 1

    tmp = tempfile.mkdtemp(prefix="interleave-german-")
    try:
        return drive(binary, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def short_example(tmp):
    """The default example cut to one repetition of its sequential and
    threads runs: seconds, not minutes."""
    root = os.environ.get("IL_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "data", "examples", "cpu-bound.interleave"), encoding="utf-8") as f:
        doc = json.load(f)
    doc["runs"] = [r for r in doc["runs"] if r["executor"] in ("sequential", "threads")]
    doc["settings"] = {"repetitions": 1}
    path = os.path.join(tmp, "short.interleave")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    return path


def named(app, role=None):
    return [(n.roleName, n.name) for n in app.findChildren(
        lambda n: bool(n.name) and (role is None or n.roleName == role), showingOnly=False)]


def guide_installed():
    """Whether Yelp would show the installed guide instead of the app."""
    dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return any(os.path.isfile(os.path.join(d, "help", "C", "io.github.interleave.Interleave", "index.page"))
               for d in dirs.split(":") if d)


def check_help(app, check):
    """Help in the main menu opens the guide in the app, in German (the
    pages translated from help/de/de.po into the resources)."""
    if guide_installed():
        print("# the guide is installed for Yelp: the in-app guide is not checked")
        return
    menus = app.findChildren(lambda n: n.name == "Hauptmenü" and n.actions, showingOnly=False)
    check(bool(menus), "the main menu button reads “Hauptmenü”")
    if not menus:
        return
    menus[0].doActionNamed(list(menus[0].actions)[0])
    items = []
    deadline = time.monotonic() + 30
    while not items and time.monotonic() < deadline:
        items = app.findChildren(lambda n: n.name == "Hilfe" and n.roleName != "label", showingOnly=False)
        if not items:
            time.sleep(0.5)
    check(bool(items), "the main menu has “Hilfe”")
    if not items:
        return
    items[0].doActionNamed("click" if "click" in items[0].actions else list(items[0].actions)[0])
    topics = ("Was die Diagramme zeigen", "Was die Aufgabenzustände bedeuten", "Wie man ein Quiz liest")
    found = set()
    deadline = time.monotonic() + 30
    while len(found) < len(topics) and time.monotonic() < deadline:
        found = {n for _role, n in named(app) if n in topics or n.startswith(topics)}
        if len(found) < len(topics):
            time.sleep(0.5)
    check(len(found) >= len(topics), f"the guide lists its topics in German ({sorted(found)})")
    english = [n for _role, n in named(app) if n.startswith(("What the charts show", "How to read a quiz"))]
    check(not english, f"no English topic in the guide ({english})")


def drive(binary, tmp):
    tree = load_dogtail(tmp, search_cutoff=120)
    env = app_env(tmp)
    env.update(LANGUAGE="de", LANG=GERMAN, LC_ALL=GERMAN)

    log = open(os.path.join(tmp, "app.log"), "wb")
    proc = subprocess.Popen([binary, short_example(tmp)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    results = []

    def check(ok, what):
        results.append((ok, what))
        print(("ok" if ok else "not ok") + f" {len(results)} - {what}", flush=True)

    try:
        app = tree.root.application("interleave")
        # The Run button, under either name: an English one fails at once
        # instead of after a long search.
        deadline = time.monotonic() + 60
        buttons = []
        while not buttons and time.monotonic() < deadline and proc.poll() is None:
            buttons = app.findChildren(lambda n: n.roleName == "push button" and n.name in ("Ausführen", "Run"),
                                       showingOnly=False)
            if not buttons:
                time.sleep(0.5)
        check(bool(buttons) and buttons[0].name == "Ausführen",
              "the Run button reads “Ausführen” (found: %s)" % [b.name for b in buttons])
        if not results[-1][0]:
            print("1..1")
            return 1
        run = buttons[0]
        names = set(named(app))
        for tab in ("Arbeitslast", "Läufe", "Live", "Ergebnisse"):
            check(("page tab", tab) in names, f"page tab “{tab}”")
        check(("label", "Aufgabengruppen") in names, "the workload page's “Aufgabengruppen”")
        left = sorted(ENGLISH & names)
        check(not left, f"no English control left ({left})")
        # The file is the cpu-bound lesson saved in English: it is still
        # found as the lesson, and the next one is named in German.
        check(("label", "Nächste Lektion: I/O-gebunden: hundertmal warten") in names,
              "the next lesson bar names the built-in example in German")

        run.doActionNamed("click")
        # The example asks its quiz before the run: skip it.
        app.child(name="Überspringen", roleName="push button").doActionNamed("click")
        checksum = re.compile(r"^[0-9a-f]{16}$")
        deadline = time.monotonic() + TIMEOUT_S
        cells = []
        while time.monotonic() < deadline and proc.poll() is None:
            cells = app.findChildren(lambda n: n.roleName == "label" and checksum.match(n.name or ""),
                                     showingOnly=False)
            if cells:
                break
            time.sleep(1)
        check(bool(cells), "the run finished and the results table shows a checksum")
        if cells:
            names = set(named(app))
            headers = {name for _role, name in names}
            # "Lauf": the noun has a context of its own ("Run" is also the
            # button's verb, "Ausführen").
            for header in ("Lauf", "Gesamtdauer (min–max)", "Prüfsumme", "Kontextwechsel"):
                check(header in headers, f"results column “{header}”")
            check(("label", "1,00×") in names, "the baseline's speedup reads “1,00×”")
            check(("label", "1.00×") not in names, "no speedup with a decimal point")
            if not all(ok for ok, _what in results):
                print("# names in the window:")
                for role, name in sorted(names):
                    print(f"#   {role}: {name[:100]}")
        check_help(app, check)
        print(f"1..{len(results)}")
        return 0 if all(ok for ok, _what in results) else 1
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
