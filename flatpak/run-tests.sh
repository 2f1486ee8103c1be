#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flatpak/run-tests.sh — the manifests' test command: flatpak-builder runs it
# inside the build sandbox, in the meson build folder, after the install.
#
# Like build-aux/test: HOME and the XDG folders in a private temporary folder,
# the cairo renderer, and — where the SDK has xvfb-run and dbus-run-session
# (org.debian.Sdk does) — a virtual X display and a private D-Bus session, so
# the GUI tests run too. Without them (org.gnome.Sdk has no Xvfb) the GUI
# tests skip themselves and the rest runs. Extra arguments go to meson test.
#
# Then the cpython engine as installed: /app/bin/interleave-cli runs
# engine-check.interleave (every block type under every executor, native and
# on the SDK's python3) with the engine's files from /app only, and
# check-engine.py requires one checksum for all runs. (build-and-run.sh runs
# the same check with `flatpak run`, on the Platform runtime's python3.)

set -eu

here="$(cd "$(dirname "$0")" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/interleave-test.XXXXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0700 "$tmp/home" "$tmp/cache" "$tmp/config" "$tmp/data" "$tmp/runtime"
export HOME="$tmp/home"
export XDG_CACHE_HOME="$tmp/cache"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_DATA_HOME="$tmp/data"
export XDG_RUNTIME_DIR="$tmp/runtime"
export GSK_RENDERER=cairo
export GDK_DEBUG=gl-disable
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

set -- meson test --print-errorlogs --num-processes 2 "$@"
if command -v dbus-run-session >/dev/null 2>&1; then
  set -- dbus-run-session -- "$@"
fi
if command -v xvfb-run >/dev/null 2>&1; then
  set -- xvfb-run -a -s "-screen 0 1280x800x24" "$@"
else
  echo "run-tests.sh: no xvfb-run in this SDK: the GUI tests will skip" >&2
fi
status=0
"$@" </dev/null || status=$?

# --- the cpython engine, installed in /app ----------------------------------
engine_check () {
  cli=/app/bin/interleave-cli
  if [ ! -x "$cli" ]; then
    echo "run-tests.sh: no $cli (not in a flatpak-builder sandbox): no engine check" >&2
    return 0
  fi
  # The installed package and kernels library, not the source tree's (which
  # the build sandbox also has, and the CLI would fall back on).
  pkg=/app/share/interleave/python/interleave_engine/engine.py
  lib="$(find /app -path '*/interleave/libinterleave-kernels.so' | head -n 1)"
  if [ ! -f "$pkg" ] || [ -z "$lib" ]; then
    echo "FAIL: the cpython engine is not installed (${pkg} and */interleave/libinterleave-kernels.so under /app)" >&2
    return 1
  fi
  echo "run-tests.sh: the cpython engine from $pkg and $lib, on $(command -v python3)"
  env -u IL_ENGINE_PYTHON_DIR -u IL_ENGINE_KERNELS -u INTERLEAVE_PYTHON \
    "$cli" run "$here/engine-check.interleave" --json "$tmp/engine-check.json" </dev/null || return 1
  python3 "$here/check-engine.py" --require-all-executors "$tmp/engine-check.json"
}
engine_check || status=1
exit "$status"
