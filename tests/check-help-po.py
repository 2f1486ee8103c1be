#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/check-help-po.py SOURCE_ROOT
#
# Every translation of the user guide (help/LINGUAS, help/LANG/LANG.po) is
# valid, complete for the pages in help/C as they are now, and names the
# app's pages, buttons, charts and task states as the translated app does
# (po/LANG.po). This fails, naming the messages, when
#   - msgfmt -c --check-format rejects help/LANG/LANG.po;
#   - a message of the pages is untranslated or fuzzy in it: the template is
#     extracted afresh with itstool and merged into a copy of the file, so a
#     sentence added or changed in help/C shows up here before anyone
#     regenerates;
#   - a <gui> name is not the app's translation of the English one, or a
#     chart or state name (NAMES below) is not the one the app shows.
# po/README.md says how to bring the guide's translation up to date.

import os
import re
import shutil
import subprocess
import sys
import tempfile

# The guide's names of charts and task states, and the app's messages that
# show them (chart titles, the timeline's legend): the same words in every
# language, up to the capital of the first letter.
NAMES = {
    "Per-core load": "Per-core load",
    "Timeline": "Timeline",
    "Completion": "Completion times",
    "Makespan comparison": "Makespan by run",
    "Scaling": "Scaling",
    "Loop latency": "Loop latency",
    "Running": "running",
    "Ready": "ready",
    "Blocked": "blocked",
    "GIL wait": "GIL wait",
    "Lock wait": "lock wait",
}


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def unquote(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s.strip()[1:-1])


def parse_po(text):
    """The entries of a PO file, obsolete ones left out: a list of dicts
    with ctxt, id, str (the first form) and fuzzy."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        entry = {"ctxt": None, "id": None, "str": None, "fuzzy": False}
        field = None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and field:
                entry[field] += unquote(line)
            else:
                m = re.match(r"(msgctxt|msgid|msgstr|msgstr\[0\]|msgid_plural|msgstr\[\d+\])\s+(\".*\")$", line)
                if not m:
                    continue
                key = {"msgctxt": "ctxt", "msgid": "id", "msgstr": "str", "msgstr[0]": "str"}.get(m.group(1))
                field = key
                if key:
                    entry[key] = unquote(m.group(2))
        if entry["id"] is not None:
            entries.append(entry)
    return entries


def plain(label):
    """A GUI label as shown: no mnemonic underscore, no trailing ellipsis."""
    return re.sub(r"_(?!_)", "", label).rstrip("…").strip()


def same_name(a, b):
    return a[:1].lower() + a[1:] == b[:1].lower() + b[1:]


def check_language(root, lang, tools, tmp, problems):
    po = os.path.join(root, "help", lang, f"{lang}.po")
    if not os.path.isfile(po):
        problems.append(f"help/LINGUAS lists {lang}, but {po} is missing")
        return
    out = run([tools["msgfmt"], "-c", "--check-format", "-o", os.devnull, po])
    if out.returncode != 0:
        problems.append(f"msgfmt -c help/{lang}/{lang}.po:\n{out.stderr}")

    # The template of the pages as they are now, merged into a copy.
    pages = sorted(f for f in os.listdir(os.path.join(root, "help", "C")) if f.endswith(".page"))
    pot = os.path.join(tmp, "help.pot")
    out = run([tools["itstool"], "-o", pot] + [os.path.join("C", p) for p in pages],
              cwd=os.path.join(root, "help"))
    if out.returncode != 0:
        problems.append(f"itstool: {out.stderr}")
        return
    merged = os.path.join(tmp, f"{lang}.po")
    out = run([tools["msgmerge"], "--quiet", "--no-fuzzy-matching", "-o", merged, po, pot])
    if out.returncode != 0:
        problems.append(f"msgmerge help/{lang}/{lang}.po: {out.stderr}")
        return
    with open(merged, encoding="utf-8") as f:
        entries = [e for e in parse_po(f.read()) if e["id"]]
    with open(po, encoding="utf-8") as f:
        fuzzy = [e for e in parse_po(f.read()) if e["id"] and e["fuzzy"]]
    for e in entries:
        if not e["str"]:
            problems.append(f"help/{lang}/{lang}.po: untranslated (new or changed in help/C): {e['id']!r}")
    for e in fuzzy:
        problems.append(f"help/{lang}/{lang}.po: fuzzy: {e['id']!r}")

    # The app's own words in this language.
    app_po = os.path.join(root, "po", f"{lang}.po")
    if not os.path.isfile(app_po):
        return
    with open(app_po, encoding="utf-8") as f:
        app = [e for e in parse_po(f.read()) if e["id"] and e["str"] and not e["fuzzy"]]
    translations = {}
    for e in app:
        translations.setdefault(plain(e["id"]), set()).add(plain(e["str"]))
    for e in entries:
        if not e["str"]:
            continue
        english = re.findall(r"<gui>(.*?)</gui>", e["id"])
        native = re.findall(r"<gui>(.*?)</gui>", e["str"])
        if len(english) != len(native):
            problems.append(f"help/{lang}/{lang}.po: {len(english)} <gui> names in {e['id']!r}, "
                            f"{len(native)} in its translation")
            continue
        for en, tr in zip(english, native):
            if tr not in translations.get(en, {en}):
                problems.append(f"help/{lang}/{lang}.po: <gui>{tr}</gui> for “{en}”, but the app shows "
                                f"{sorted(translations.get(en, []))}")
        if e["id"] in NAMES:
            shown = translations.get(NAMES[e["id"]], set())
            if not shown:
                problems.append(f"po/{lang}.po has no translation of “{NAMES[e['id']]}”: "
                                "is NAMES in tests/check-help-po.py still true to the app?")
            elif not any(same_name(e["str"], s) for s in shown):
                problems.append(f"help/{lang}/{lang}.po: “{e['str']}” for “{e['id']}”, but the app shows "
                                f"{sorted(shown)} (“{NAMES[e['id']]}”)")


def main():
    root = sys.argv[1]
    tools = {t: shutil.which(t) for t in ("itstool", "msgmerge", "msgfmt")}
    missing = [t for t, path in tools.items() if path is None]
    if missing:
        print(f"1..0 # SKIP tools missing: {' '.join(missing)}")
        return 77
    with open(os.path.join(root, "help", "LINGUAS"), encoding="utf-8") as f:
        langs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    print(f"1..{len(langs)}")
    failed = False
    for i, lang in enumerate(langs, 1):
        problems = []
        with tempfile.TemporaryDirectory() as tmp:
            check_language(root, lang, tools, tmp, problems)
        for p in problems:
            print("# " + p.replace("\n", "\n# "))
        print(("ok" if not problems else "not ok") + f" {i} - help/{lang}/{lang}.po")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
