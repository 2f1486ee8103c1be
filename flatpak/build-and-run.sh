#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flatpak/build-and-run.sh
#
# Build Interleave as a real Flatpak against the Debian 12 runtime
# (org.debian.Platform//12, made by debian-runtime/build-runtime.sh, which is
# run first if the runtime is not installed), install it per-user, then run it:
#  1. what the sandbox sees: per-core lines in /proc/stat, schedstat, nproc,
#     the worker in /app/libexec;
#  2. interleave-cli run example:cpu-bound (threads and the processes
#     executor's worker spawn, from inside the sandbox);
#  3. the cpython engine on the runtime's /usr/bin/python3: engine-check.interleave
#     (every block type under every executor, native and cpython) and
#     example:gil-real, each checked by check-engine.py (one checksum for
#     every run, the interpreter's version recorded); results in
#     $IL_FLATPAK_WORK/out/engine-check.json and gil-real.json;
#  4. the GUI under xvfb-run, running example gil-real (native and CPython
#     runs; the quiz answered), and a screenshot of its Results page.
#
# Only committed files are built: the app is built from a fresh `git clone`
# of this checkout's HEAD. The tests run in the build sandbox (run-tests.sh).
# Everything lives under $IL_FLATPAK_WORK (default /var/tmp/interleave-flatpak),
# including the HOME for flatpak commands; the screenshot is written to
# $IL_FLATPAK_WORK/out/interleave-flatpak.png (or $1).
#
#   IL_FLATPAK_WORK       work folder (default /var/tmp/interleave-flatpak)
#   IL_FLATPAK_KEEP_SRC=1 build $IL_FLATPAK_WORK/src as it stands (no new clone),
#                         e.g. after checking out another commit there
#   IL_FLATPAK_TESTS=0    build without running the tests (flatpak-builder
#                         --disable-tests), e.g. to look at a build whose tests fail
#   IL_SHOT_DELAY         seconds before the screenshot (default 70)

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
srcdir="$(cd "$here/.." && pwd)"
WORK="${IL_FLATPAK_WORK:-/var/tmp/interleave-flatpak}"
APP_ID=io.github.interleave.Interleave
MANIFEST=flatpak/$APP_ID.debian.json
shot="$(realpath -m "${1:-$WORK/out/interleave-flatpak.png}")"

log () { printf '==> %s\n' "$*" >&2; }
die () { printf 'error: %s\n' "$*" >&2; exit 1; }

export HOME="$WORK/home"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME
export XDG_RUNTIME_DIR="$WORK/run"
mkdir -p "$HOME" "$WORK/out" "$(dirname "$shot")"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"

for tool in flatpak flatpak-builder git xvfb-run import dbus-run-session; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install flatpak flatpak-builder git xvfb xauth imagemagick dbus)"
done

# --- the runtime -------------------------------------------------------------------
if ! flatpak --user info org.debian.Sdk//12 >/dev/null 2>&1 \
   || ! flatpak --user info org.debian.Platform//12 >/dev/null 2>&1; then
  log "Debian runtime not installed: running debian-runtime/build-runtime.sh"
  IL_FLATPAK_WORK="$WORK" "$here/debian-runtime/build-runtime.sh"
fi

# --- a clean clone of what is committed ----------------------------------------------
if [ "${IL_FLATPAK_KEEP_SRC:-0}" = 1 ] && [ -d "$WORK/src/.git" ]; then
  log "IL_FLATPAK_KEEP_SRC=1: building $WORK/src as it stands"
  git -C "$WORK/src" status --short >&2
else
  rm -rf "$WORK/src"
  git clone --quiet --no-hardlinks "$srcdir" "$WORK/src"
  if [ -n "$(git -C "$srcdir" status --porcelain --untracked-files=no)" ]; then
    log "note: the checkout has uncommitted changes; they are not built"
  fi
fi
log "building $(git -C "$WORK/src" log -1 --format='%h %s')"

# --- build, test in the sandbox, install ---------------------------------------------
t0=$SECONDS
# rofiles-fuse needs FUSE, which a container may not give.
builder_args=(--user --install --force-clean --disable-rofiles-fuse --state-dir="$WORK/builder-state")
if [ "${IL_FLATPAK_TESTS:-1}" = 0 ]; then
  log "IL_FLATPAK_TESTS=0: the tests are not run"
  builder_args+=(--disable-tests)
fi
(cd "$WORK/src" && flatpak-builder "${builder_args[@]}" "$WORK/app-build" "$MANIFEST")
log "app build + tests + install took $((SECONDS - t0)) s"

# --- what the sandbox sees ------------------------------------------------------------
log "inside the sandbox"
flatpak run --command=sh "$APP_ID" -c '
  echo "nproc: $(nproc)"
  echo "per-core lines in /proc/stat: $(grep -c "^cpu[0-9]" /proc/stat)"
  echo "/proc/thread-self/schedstat: $(cat /proc/thread-self/schedstat)"
  ls -l /app/bin /app/libexec
'

# --- the CLI --------------------------------------------------------------------------------
log "flatpak run --command=interleave-cli $APP_ID run example:cpu-bound"
flatpak run --command=interleave-cli "$APP_ID" run example:cpu-bound

# --- the cpython engine, on the runtime's python3 ---------------------------------------
log "the cpython engine in the sandbox"
flatpak run --command=sh "$APP_ID" -c '
  echo "python3: $(command -v python3) ($(python3 --version 2>&1))"
  ls /app/share/interleave/python/interleave_engine/engine.py /app/lib/interleave/libinterleave-kernels.so
'
# The sandbox sees only its own folder of $HOME: the check file goes there.
check_dir="$HOME/.var/app/$APP_ID/data/engine-check"
mkdir -p "$check_dir"
cp "$WORK/src/flatpak/engine-check.interleave" "$check_dir/"
engine_status=0
log "flatpak run --command=interleave-cli $APP_ID run $check_dir/engine-check.interleave --json -"
if flatpak run --command=interleave-cli "$APP_ID" run "$check_dir/engine-check.interleave" \
     --json - >"$WORK/out/engine-check.json"; then
  python3 "$WORK/src/flatpak/check-engine.py" --require-all-executors "$WORK/out/engine-check.json" \
    || engine_status=1
else
  engine_status=1
fi
log "flatpak run --command=interleave-cli $APP_ID run example:gil-real --json -"
if flatpak run --command=interleave-cli "$APP_ID" run example:gil-real \
     --json - >"$WORK/out/gil-real.json"; then
  python3 "$WORK/src/flatpak/check-engine.py" "$WORK/out/gil-real.json" || engine_status=1
else
  engine_status=1
fi
[ "$engine_status" = 0 ] || die "the cpython engine does not work in the sandbox (see above)"

# --- the GUI under Xvfb -----------------------------------------------------------------------
log "GUI under xvfb-run: opening and running example gil-real, screenshot in ${IL_SHOT_DELAY:-70} s"
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
IL_SHOT="$shot" IL_APP_ID="$APP_ID" \
  xvfb-run -a -s "-screen 0 1120x760x24" dbus-run-session -- bash -c '
    flatpak run --env=GSK_RENDERER=cairo --env=GDK_DEBUG=gl-disable \
      --env=INTERLEAVE_DEBUG_ACTIONS="win.open-example::gil-real;win.run;win.answer-quiz(1)" \
      "$IL_APP_ID" &
    pid=$!
    sleep "${IL_SHOT_DELAY:-70}"
    status=0
    if kill -0 "$pid" 2>/dev/null; then
      import -window root "$IL_SHOT" || status=$?
    else
      echo "error: the app exited before the screenshot" >&2
      status=1
    fi
    flatpak kill "$IL_APP_ID" 2>/dev/null || kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    exit "$status"
  '
log "screenshot: $shot"
