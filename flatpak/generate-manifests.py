#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write both Flatpak manifests from one template.

    flatpak/generate-manifests.py          write the manifests beside this file
    flatpak/generate-manifests.py --check  exit 1 (with a diff) if a committed
                                           manifest differs from the output, or
                                           if its "cleanup" would remove what
                                           the app needs at run time (the
                                           cpython engine's files among them)

io.github.interleave.Interleave.json         org.gnome.Platform (the release one)
io.github.interleave.Interleave.debian.json  org.debian.Platform//12, built here
                                             from Debian 12's packages by
                                             debian-runtime/build-runtime.sh

Edit the template below, never the .json files.
"""

import copy
import difflib
import fnmatch
import json
import pathlib
import sys

APP_ID = "io.github.interleave.Interleave"

TEMPLATE = {
    "id": APP_ID,
    "runtime": None,
    "runtime-version": None,
    "sdk": None,
    "command": "interleave",
    "finish-args": [
        "--share=ipc",
        "--share=network",
        "--socket=fallback-x11",
        "--socket=wayland",
        "--device=dri",
    ],
    "cleanup": [
        "/include",
        "/lib/pkgconfig",
        "/share/man",
        "*.a",
        "*.la",
    ],
    "modules": [
        {
            "name": "interleave",
            "buildsystem": "meson",
            "builddir": True,
            "run-tests": True,
            # Not `ninja test`: run-tests.sh gives the tests a private HOME and,
            # where the SDK has Xvfb, a display so the GUI tests run as well.
            "test-rule": "",
            "test-commands": [
                "sh ../flatpak/run-tests.sh",
            ],
            "config-opts": [
                "--buildtype=release",
                # No mpi executor in the sandbox: mpirun starts daemons on
                # other hosts over ssh, which a sandboxed app cannot do
                # (README, Flatpak).
                "-Dmpi=disabled",
            ],
            "sources": [
                {
                    "type": "dir",
                    "path": "..",
                },
            ],
        },
    ],
}

VARIANTS = {
    f"{APP_ID}.json": {
        "runtime": "org.gnome.Platform",
        "runtime-version": "47",
        "sdk": "org.gnome.Sdk",
    },
    f"{APP_ID}.debian.json": {
        "runtime": "org.debian.Platform",
        "runtime-version": "12",
        "sdk": "org.debian.Sdk",
        # The SDK has no appstream-compose (appstream-glib) and no
        # elfutils/debugedit: no AppStream catalog, no debug extension.
        "appstream-compose": False,
        "build-options": {
            "no-debuginfo": True,
        },
        "module-config-opts": [
            # Debian's meson defaults to lib/x86_64-linux-gnu; flatpak's
            # layout (and the library search path it sets up) is /app/lib.
            "--libdir=lib",
        ],
    },
}

# Top-level keys in this order; any others follow.
ORDER = ["id", "runtime", "runtime-version", "sdk", "command",
         "appstream-compose", "build-options"]


# What the installed app needs at run time, relative to /app: the programs,
# and the cpython engine's Python package and kernels library (found at these
# paths, src/core/il-executor-cpython-process.c; the runtime gives python3).
# The package's files are read from the source tree.
def runtime_files(srcdir):
    files = ["bin/interleave", "bin/interleave-cli", "libexec/interleave-worker",
             "libexec/interleave-worker-http",
             "lib/interleave/libinterleave-kernels.so"]
    package = srcdir / "data" / "python" / "interleave_engine"
    files += [f"share/interleave/python/interleave_engine/{p.name}"
              for p in sorted(package.glob("*.py"))]
    return files


def cleaned_by(path, patterns):
    """The cleanup pattern that removes PATH (relative to /app), or None.

    flatpak-builder's rule: a pattern starting with / is a path under /app,
    any other matches a basename; a matched folder goes with everything in it.
    """
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/" + "/".join(parts[:i])
        for pattern in patterns:
            if pattern.startswith("/"):
                if fnmatch.fnmatchcase(prefix, pattern):
                    return pattern
            elif fnmatch.fnmatchcase(parts[i - 1], pattern):
                return pattern
    return None


def check_cleanup(name, manifest, srcdir):
    status = 0
    patterns = list(manifest.get("cleanup", []))
    for module in manifest["modules"]:
        patterns += module.get("cleanup", [])
    for path in runtime_files(srcdir):
        pattern = cleaned_by(path, patterns)
        if pattern is not None:
            print(f"FAIL: {name}: cleanup pattern {pattern!r} removes /app/{path}, "
                  "which the app needs at run time")
            status = 1
    if status == 0:
        print(f"ok: {name}: cleanup keeps the programs and the cpython engine's files")
    return status


def render(variant):
    manifest = copy.deepcopy(TEMPLATE)
    for key, value in variant.items():
        if key == "module-config-opts":
            manifest["modules"][0]["config-opts"].extend(value)
        else:
            manifest[key] = value
    ordered = {k: manifest[k] for k in ORDER if k in manifest}
    ordered.update((k, v) for k, v in manifest.items() if k not in ordered)
    return json.dumps(ordered, indent=2) + "\n"


def main(argv):
    check = "--check" in argv[1:]
    here = pathlib.Path(__file__).resolve().parent
    status = 0
    for name, variant in VARIANTS.items():
        path = here / name
        text = render(variant)
        if check:
            old = path.read_text() if path.exists() else ""
            if old != text:
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True),
                    f"{name} (committed)", f"{name} (generated)"))
                print(f"FAIL: {name} differs from generate-manifests.py's output")
                status = 1
            else:
                print(f"ok: {name} matches generate-manifests.py")
            status |= check_cleanup(name, json.loads(text), here.parent)
        elif not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
