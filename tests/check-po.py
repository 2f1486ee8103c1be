#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/check-po.py SOURCE_ROOT
#
# Every translation in po/LINGUAS is valid and complete for the sources as
# they are now. This fails, naming the messages, when
#   - msgfmt -c --check-format rejects po/LANG.po (a format specifier that
#     does not match its msgid, a bad plural form or header);
#   - a message of the sources is untranslated or fuzzy in po/LANG.po: the
#     template is extracted afresh (the same xgettext call as meson's
#     interleave-pot target) and merged into a copy of the file, so a string
#     added or changed in the code shows up here before anyone regenerates.
# po/README.md says how to bring a translation up to date.

import os
import shutil
import subprocess
import sys
import tempfile

# meson's i18n 'glib' preset (po/meson.build), as its interleave-pot target
# passes it to xgettext.
XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format",
    "--flag=g_printf:1:c-format", "--flag=g_fprintf:2:c-format",
    "--flag=g_sprintf:2:c-format", "--flag=g_snprintf:3:c-format",
]


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def msgids(po_text):
    """The msgids of a PO file's entries (msgattrib output), one line each."""
    out, cur, in_id = [], None, False
    for line in po_text.splitlines():
        if line.startswith("msgctxt "):
            cur = line[len("msgctxt "):].strip('"') + " | "
        elif line.startswith("msgid "):
            in_id = True
            cur = (cur or "") + line[len("msgid "):].strip('"')
        elif line.startswith('"') and in_id:
            cur += line.strip('"')
        else:
            if in_id and cur:
                out.append(cur)
            if line.startswith(("msgid_plural", "msgstr")) or not line.strip():
                in_id = False
                if not line.strip():
                    cur = None
    if in_id and cur:
        out.append(cur)
    return [m for m in out if m and m != " | "]


def main():
    root = sys.argv[1]
    tools = {t: shutil.which(t) for t in ("xgettext", "msgmerge", "msgattrib", "msgfmt")}
    missing = [t for t, path in tools.items() if path is None]
    if missing:
        print(f"1..0 # SKIP gettext tools missing: {' '.join(missing)}")
        return 77
    with open(os.path.join(root, "po", "LINGUAS"), encoding="utf-8") as f:
        langs = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "interleave.pot")
        out = run([tools["xgettext"], "--package-name=interleave", "-p", tmp,
                   "-f", os.path.join(root, "po", "POTFILES.in"), "-D", root, "-k_",
                   "-o", "interleave.pot", *XGETTEXT_ARGS])
        if out.returncode != 0 or not os.path.exists(pot):
            print(f"xgettext failed: {out.stderr.strip()}")
            return 1
        for lang in langs:
            po = os.path.join(root, "po", f"{lang}.po")
            if not os.path.exists(po):
                problems.append(f"po/LINGUAS lists {lang}, but po/{lang}.po does not exist")
                continue
            out = run([tools["msgfmt"], "-c", "--check-format", "-o", os.devnull, po])
            if out.returncode != 0:
                problems.append(f"msgfmt -c rejects po/{lang}.po:\n{out.stderr.strip()}")
            merged = os.path.join(tmp, f"{lang}.po")
            out = run([tools["msgmerge"], "--quiet", "--no-wrap", "-o", merged, po, pot])
            if out.returncode != 0:
                problems.append(f"msgmerge failed on po/{lang}.po: {out.stderr.strip()}")
                continue
            for what, flag in (("untranslated", "--untranslated"), ("fuzzy", "--only-fuzzy")):
                out = run([tools["msgattrib"], flag, "--no-obsolete", "--no-wrap", merged])
                for msgid in msgids(out.stdout):
                    problems.append(f"po/{lang}.po: {what}: \"{msgid}\"")
    for p in problems:
        print(p)
    print(f"{len(langs)} translations checked, {len(problems)} problems"
          + ("; see po/README.md to bring them up to date" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
