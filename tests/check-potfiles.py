#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/check-potfiles.py SOURCE_ROOT
#
# po/POTFILES.in lists every file with a translatable string, or its strings
# never reach the translators and stay English whatever the locale. This
# fails, naming the file, when
#   - a C file under src/ marks a string (_(), N_(), C_(), NC_(), ngettext)
#     and is not listed;
#   - a GtkBuilder file under ui/ or src/ has translatable="yes" and is not
#     listed;
#   - a listed file does not exist, or the list is not sorted;
#   - xgettext cannot read a marked string whole: a GLib format macro such
#     as G_GINT64_FORMAT inside _() cuts the msgid at "%" (xgettext does not
#     expand macros), so the string can never be translated. <inttypes.h>'s
#     PRId64 and friends, and %zu, are what gettext understands.

import os
import re
import shutil
import subprocess
import sys
import tempfile

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N_|C_|NC_|_)\s*\(\s*"|(?<![A-Za-z0-9_])g_d?ngettext\s*\(|(?<![A-Za-z0-9_])ngettext\s*\(')
# A msgid that ends inside a conversion: "%", "%016", "%l" (a macro such as
# G_GINT64_MODIFIER followed).
CUT_DIRECTIVE = re.compile(r"(?<!%)(?:%%)*%[-+ #0']*[0-9]*(?:\.[0-9]*)?(?:hh|h|ll|l|z|j|t)?$")
UI_MARK = re.compile(r'translatable="yes"')


def marked(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith((".c", ".h")):
        return C_MARK.search(text) is not None
    return UI_MARK.search(text) is not None


def cut_msgids(pot):
    """msgids that end in a lone "%": a format macro followed there."""
    with open(pot, encoding="utf-8") as f:
        text = f.read()
    found = []
    for m in re.finditer(r'^(msgid(?:_plural)?) ((?:"(?:[^"\\]|\\.)*"\n)+)', text, re.M):
        value = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        if CUT_DIRECTIVE.search(value):
            ref = text.rfind("#:", 0, m.start())
            where = text[ref:text.find("\n", ref)] if ref >= 0 else ""
            found.append(f"cut msgid \"{value}\" ({where.strip()})")
    return found


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    problems = []
    for name in listed:
        if not os.path.exists(os.path.join(root, name)):
            problems.append(f"po/POTFILES.in lists {name}, which does not exist")
    if listed != sorted(listed):
        problems.append("po/POTFILES.in is not sorted (LC_ALL=C sort)")
    for top in ("src", "ui"):
        for dirpath, _dirs, files in os.walk(os.path.join(root, top)):
            for file in sorted(files):
                if not file.endswith((".c", ".h", ".ui")):
                    continue
                path = os.path.join(dirpath, file)
                rel = os.path.relpath(path, root)
                if marked(path) and rel not in listed:
                    problems.append(f"{rel} has translatable strings but is missing from po/POTFILES.in")
    xgettext = shutil.which("xgettext")
    c_files = [n for n in listed if n.endswith((".c", ".h"))]
    if xgettext is None:
        print("xgettext not found: the msgid check is skipped")
    elif c_files:
        with tempfile.TemporaryDirectory() as tmp:
            pot = os.path.join(tmp, "check.pot")
            out = subprocess.run([xgettext, "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                                  "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
                                  # meson's glib preset: which arguments are formats
                                  "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
                                  "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
                                  "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
                                  "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format",
                                  "--add-comments", "-o", pot, *c_files],
                                 cwd=root, capture_output=True, text=True)
            if os.path.exists(pot):
                problems.extend(cut_msgids(pot))
        for line in out.stderr.splitlines():
            if "ends in the middle of a directive" in line or "used without plural and with plural" in line:
                problems.append(f"cut msgid: {line}")
        if out.returncode != 0:
            problems.append(f"xgettext failed: {out.stderr.strip()}")
    for p in problems:
        print(p)
    print(f"{len(listed)} files listed, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
