#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/check-docs.py INTERLEAVE_CLI DOCS_DIR [MARKDOWN_FILE…]
#
# Keeps the user documentation true to the code:
#   - every ```json experiment block in DOCS_DIR/*.md is a complete file that
#     `interleave-cli validate` accepts;
#   - every ```json invalid-experiment block is refused with exit status 2,
#     and when a ```text block follows it, that text is exactly the error;
#   - every ```json results block is a results document the reader accepts
#     (validated as the `results` of a minimal experiment);
#   - every relative link in DOCS_DIR/*.md and the extra MARKDOWN_FILEs
#     (the README) names a file that exists and, with #anchor, a heading in it.

import os
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)

# The experiment a results block is wrapped in: any valid one will do.
RESULTS_HOST = """{
  "interleave": 1,
  "name": "results check",
  "tasks": [ { "blocks": [ { "type": "sleep", "ms": 0 } ] } ],
  "runs": [ { "executor": "sequential" } ],
  "results": %s
}
"""

failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def validate(cli, workdir, text):
    path = os.path.join(workdir, "example.interleave")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    proc = subprocess.run([cli, "validate", "example.interleave"], cwd=workdir,
                          capture_output=True, text=True, timeout=30)
    return proc.returncode, proc.stdout, proc.stderr


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def check_examples(cli, md_path, text, workdir, counts):
    fences = list(FENCE.finditer(text))
    for i, fence in enumerate(fences):
        info = fence.group(1).split()
        if len(info) < 2 or info[0] != "json":
            continue
        kind, body = info[1], fence.group(2)
        where = f"{md_path}:{line_of(text, fence.start())}"

        if kind == "experiment":
            status, out, err = validate(cli, workdir, body)
            if status != 0:
                fail(where, f"an experiment example is not valid (exit {status}): {err.strip()}")
        elif kind == "results":
            status, out, err = validate(cli, workdir, RESULTS_HOST % body)
            if status != 0:
                fail(where, f"a results example is not accepted (exit {status}): {err.strip()}")
        elif kind == "invalid-experiment":
            status, out, err = validate(cli, workdir, body)
            if status != 2:
                fail(where, f"an invalid example was not refused with exit 2 (exit {status})")
            following = fences[i + 1] if i + 1 < len(fences) else None
            if (following is not None and following.group(1).strip() == "text" and
                    text[fence.end():following.start()].strip() == ""):
                expected = following.group(2).strip()
                if err.strip() != expected:
                    fail(where, f"the error shown is not the error given:\n"
                                f"  shown: {expected}\n  given: {err.strip()}")
        else:
            fail(where, f"unknown example kind \"{kind}\" (experiment, invalid-experiment, results)")
            continue
        counts[kind] = counts.get(kind, 0) + 1


def slug(heading):
    # GitHub's anchors: lower case, markup and punctuation dropped, spaces to '-'.
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text):
    without_code = FENCE.sub("", text)
    return {slug(h) for h in HEADING.findall(without_code)}


def check_links(md_path, text):
    without_code = FENCE.sub("", text)
    for target in LINK.findall(without_code):
        if re.match(r"^[a-z]+:", target):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(md_path), file_part)) if file_part else md_path
        if not os.path.exists(dest):
            fail(md_path, f"the link \"{target}\" names a file that does not exist")
            continue
        if anchor and dest.endswith(".md"):
            with open(dest, encoding="utf-8") as f:
                if anchor not in anchors(f.read()):
                    fail(md_path, f"the link \"{target}\" names no heading of {os.path.basename(dest)}")


def main():
    if len(sys.argv) < 3:
        print("usage: check-docs.py INTERLEAVE_CLI DOCS_DIR [MARKDOWN_FILE…]")
        return 2
    cli, docs_dir, extra = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pages = sorted(os.path.join(docs_dir, n) for n in os.listdir(docs_dir) if n.endswith(".md"))
    counts = {}

    with tempfile.TemporaryDirectory() as workdir:
        for page in pages:
            with open(page, encoding="utf-8") as f:
                text = f.read()
            check_examples(cli, page, text, workdir, counts)
            check_links(page, text)
    for page in extra:
        with open(page, encoding="utf-8") as f:
            check_links(page, f.read())

    # A check that finds nothing to check must not pass.
    for kind in ("experiment", "invalid-experiment", "results"):
        if counts.get(kind, 0) == 0:
            fail(docs_dir, f"no ```json {kind} example found")

    for failure in failures:
        print(failure)
    print(f"{len(pages)} pages; examples checked: "
          + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
          + f"; {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
