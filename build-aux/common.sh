# SPDX-License-Identifier: GPL-3.0-or-later
#
# Shared set-up for build-aux/run and build-aux/test: install missing Debian
# packages, configure _build, build. Sourced, not executed.

IL_SRCDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IL_BUILDDIR="$IL_SRCDIR/_build"

il_log ()
{
  printf '==> %s\n' "$*" >&2
}

il_die ()
{
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# The package list, comments and blank lines stripped.
il_packages ()
{
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$IL_SRCDIR/build-aux/packages.txt"
}

# Print the packages from packages.txt that are not installed.
il_missing_packages ()
{
  local pkg status
  for pkg in $(il_packages); do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    if [ "$status" != "install ok installed" ]; then
      printf '%s\n' "$pkg"
    fi
  done
}

# Install whatever is missing. A machine that has everything does no apt work.
il_install_packages ()
{
  local missing sudo=()

  if ! command -v dpkg-query >/dev/null 2>&1; then
    il_log "not a Debian system: skipping package installation (see build-aux/packages.txt)"
    return 0
  fi

  missing="$(il_missing_packages)"
  if [ -z "$missing" ]; then
    return 0
  fi

  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      il_die "missing packages and neither root nor sudo: $(echo $missing)"
    fi
  fi

  il_log "installing: $(echo $missing)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
    || il_die "apt-get update failed"
  # shellcheck disable=SC2086
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q $missing </dev/null \
    || il_die "apt-get install failed"
}

# The German locale, for the tests that run the programs in German (number
# and date formats, translated labels). A fresh Debian has only C, C.utf8
# and POSIX; the package `locales` (packages.txt) has the definitions.
# Idempotent: does nothing when de_DE.UTF-8 is there already.
IL_TEST_LOCALE=de_DE.UTF-8

il_have_locale ()
{
  local want all
  want="$(printf '%s' "$1" | sed -e 's/UTF-8$/utf8/')"
  # No pipe into grep -q: under pipefail, locale -a killed by SIGPIPE would
  # make a present locale look missing.
  all="$(locale -a 2>/dev/null || true)"
  grep -qix -- "$want" <<<"$all"
}

il_generate_locales ()
{
  local sudo=()

  if il_have_locale "$IL_TEST_LOCALE"; then
    return 0
  fi
  if ! command -v localedef >/dev/null 2>&1; then
    il_log "localedef not found: the German tests will skip"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      il_log "$IL_TEST_LOCALE is missing and neither root nor sudo: the German tests will skip"
      return 0
    fi
  fi
  il_log "generating the $IL_TEST_LOCALE locale"
  # Listed in /etc/locale.gen too, so that a later locale-gen (which rebuilds
  # the archive from that list) keeps it.
  if [ -f /etc/locale.gen ]; then
    "${sudo[@]}" sed -i -e 's/^#[[:space:]]*\(de_DE\.UTF-8 UTF-8\)/\1/' /etc/locale.gen || true
  fi
  # localedef exits 1 for mere warnings about the definition: what counts is
  # whether the locale exists afterwards.
  "${sudo[@]}" localedef -i de_DE -f UTF-8 "$IL_TEST_LOCALE" >&2 || true
  il_have_locale "$IL_TEST_LOCALE" || il_die "could not generate the $IL_TEST_LOCALE locale"
}

# Configure _build unless it already is; extra arguments go to meson setup.
il_configure ()
{
  if [ -f "$IL_BUILDDIR/build.ninja" ] && [ -f "$IL_BUILDDIR/meson-private/coredata.dat" ]; then
    return 0
  fi
  if [ -f "$IL_BUILDDIR/meson-private/coredata.dat" ]; then
    # A half-configured directory (e.g. an interrupted setup): start over.
    il_log "reconfiguring $IL_BUILDDIR"
    meson setup --wipe "$@" "$IL_BUILDDIR" "$IL_SRCDIR" >&2 || il_die "meson setup failed"
    return 0
  fi
  il_log "configuring $IL_BUILDDIR"
  meson setup "$@" "$IL_BUILDDIR" "$IL_SRCDIR" >&2 || il_die "meson setup failed"
}

# Build output goes to stderr so that stdout carries only what the program prints.
il_build ()
{
  meson compile -C "$IL_BUILDDIR" >&2 || il_die "build failed"
}
