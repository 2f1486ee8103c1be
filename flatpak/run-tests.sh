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

set -eu

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
exec "$@" </dev/null
