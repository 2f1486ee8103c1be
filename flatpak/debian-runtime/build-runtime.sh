#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flatpak/debian-runtime/build-runtime.sh
#
# Bootstrap a Flatpak runtime (org.debian.Platform//12) and SDK
# (org.debian.Sdk//12) from Debian 12's own packages, export them into a local
# bare-user-only repo and install them per-user, so that
# io.github.interleave.Interleave.debian.json can be built with flatpak-builder
# where GNOME's runtimes cannot be downloaded. See TOOLCHAIN.md, "A real Flatpak
# build, install and run here".
#
# Everything lives under $IL_FLATPAK_WORK (default /var/tmp/interleave-flatpak),
# including the HOME used for flatpak commands (per-user installations go to
# $IL_FLATPAK_WORK/home/.local/share/flatpak). Idempotent: every step that is
# done (same package list) is skipped. Needs root (debootstrap, chroot).
#
#   IL_FLATPAK_WORK   work folder (default /var/tmp/interleave-flatpak)
#   IL_DEBIAN_MIRROR  Debian mirror (default: the host's apt sources)
#   IL_REBUILD=1      start over (removes the rootfs trees, repo and installs)

set -euo pipefail

WORK="${IL_FLATPAK_WORK:-/var/tmp/interleave-flatpak}"
BRANCH=12
SUITE=bookworm
PLATFORM_ID=org.debian.Platform
SDK_ID=org.debian.Sdk
REMOTE=interleave-debian
ARCH="$(flatpak --default-arch 2>/dev/null || dpkg --print-architecture)"

# What the app needs at run time (GTK 4, libadwaita, libsoup 3, json-glib,
# fonts, MIME database, icon themes, python3 for the cpython engine) and the
# locale fix.
PLATFORM_PACKAGES=(
  libgtk-4-1 libadwaita-1-0 libsoup-3.0-0 libjson-glib-1.0-0 python3
  glib-networking libglib2.0-bin gsettings-desktop-schemas dconf-gsettings-backend
  shared-mime-info adwaita-icon-theme hicolor-icon-theme librsvg2-common
  fontconfig fonts-cantarell fonts-dejavu-core
  libgl1-mesa-dri libegl-mesa0 xkb-data ca-certificates locales
)
# The SDK adds build tools, -dev packages, data validators, and a virtual X
# display + D-Bus (+ AT-SPI and dogtail) to run GUI tests in the build sandbox.
SDK_PACKAGES=(
  build-essential pkg-config meson ninja-build gettext git
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  desktop-file-utils appstream libxml2-utils itstool
  xvfb xauth dbus dbus-x11 at-spi2-core python3 python3-dogtail
)

log () { printf '==> %s\n' "$*" >&2; }
die () { printf 'error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot need it)"

# flatpak (and flatpak-builder later) write under $HOME/.local/share/flatpak.
export HOME="$WORK/home"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME
mkdir -p "$HOME" "$WORK/stamps"

if [ "${IL_REBUILD:-0}" = 1 ]; then
  log "IL_REBUILD=1: starting over"
  flatpak --user uninstall -y --noninteractive "$SDK_ID//$BRANCH" "$PLATFORM_ID//$BRANCH" 2>/dev/null || true
  flatpak --user remote-delete --force "$REMOTE" 2>/dev/null || true
  rm -rf "$WORK/base" "$WORK/platform" "$WORK/sdk" "$WORK/repo" "$WORK/stamps"
  mkdir -p "$WORK/stamps"
fi

# --- host tools --------------------------------------------------------------
missing=()
for tool in debootstrap:debootstrap flatpak:flatpak ostree:ostree; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  # Another apt-get may hold the lock (a shared machine): wait for it.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    "${missing[@]}" </dev/null
fi

# --- the mirror: the host's own Debian sources -------------------------------
# "URI SUITE" for each Debian suite the host uses (main, bookworm*).
host_sources () {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null \
    | awk -v s="$SUITE" '$2 == s || index($2, s "-") == 1' | sort -u
}
MIRROR="${IL_DEBIAN_MIRROR:-$(host_sources | awk -v s="$SUITE" '$2 == s { print $1; exit }')}"
[ -n "$MIRROR" ] || die "no $SUITE mirror in the host's apt sources; set IL_DEBIAN_MIRROR"
log "mirror: $MIRROR"

# A step is done when its stamp holds the same text (e.g. the package list).
stamp_ok () { [ -f "$WORK/stamps/$1" ] && [ "$(cat "$WORK/stamps/$1")" = "$2" ]; }
stamp_set () { printf '%s' "$2" >"$WORK/stamps/$1"; }

# --- chroot helpers ----------------------------------------------------------
mounted=()
cleanup () {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT

chroot_mount () {
  local root="$1"
  mount -t proc proc "$root/proc"; mounted+=("$root/proc")
  mount --bind /dev "$root/dev"; mounted+=("$root/dev")
  mount --bind /dev/pts "$root/dev/pts"; mounted+=("$root/dev/pts")
}
chroot_umount () {
  local root="$1" m keep=()
  for m in "$root/dev/pts" "$root/dev" "$root/proc"; do umount -l "$m" 2>/dev/null || true; done
  for m in "${mounted[@]}"; do case "$m" in "$root"/*) ;; *) keep+=("$m") ;; esac; done
  mounted=("${keep[@]+"${keep[@]}"}")
}

# apt-get install PACKAGES... inside ROOT, no recommends, no daemons started.
chroot_install () {
  local root="$1"; shift
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  chroot_mount "$root"
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    apt-get update -q </dev/null
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    apt-get install -y -q --no-install-recommends "$@" </dev/null
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get clean
  chroot_umount "$root"
  rm -f "$root/usr/sbin/policy-rc.d"
}

# --- 1. debootstrap ------------------------------------------------------------
t0=$SECONDS
if stamp_ok base "$SUITE $MIRROR"; then
  log "base rootfs: done"
else
  log "debootstrap --variant=minbase $SUITE $WORK/base $MIRROR"
  rm -rf "$WORK/base"
  debootstrap --variant=minbase "$SUITE" "$WORK/base" "$MIRROR"
  # The same suites as the host (updates, security), so versions match it.
  host_sources | awk '{ print "deb " $1 " " $2 " main" }' >"$WORK/base/etc/apt/sources.list"
  [ -s "$WORK/base/etc/apt/sources.list" ] || echo "deb $MIRROR $SUITE main" >"$WORK/base/etc/apt/sources.list"
  # No documentation or translations in the runtime.
  cat >"$WORK/base/etc/dpkg/dpkg.cfg.d/01-interleave-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
EOF
  stamp_set base "$SUITE $MIRROR"
  rm -f "$WORK/stamps/platform" "$WORK/stamps/sdk"
fi

# --- 2. platform and SDK trees ------------------------------------------------
if stamp_ok platform "${PLATFORM_PACKAGES[*]}"; then
  log "platform rootfs: done"
else
  log "platform rootfs: installing ${PLATFORM_PACKAGES[*]}"
  rm -rf "$WORK/platform"
  cp -a "$WORK/base" "$WORK/platform"
  chroot_install "$WORK/platform" "${PLATFORM_PACKAGES[@]}"
  stamp_set platform "${PLATFORM_PACKAGES[*]}"
  rm -f "$WORK/stamps/sdk" "$WORK/stamps/finish-platform"
fi

if stamp_ok sdk "${PLATFORM_PACKAGES[*]} + ${SDK_PACKAGES[*]}"; then
  log "sdk rootfs: done"
else
  log "sdk rootfs: installing ${SDK_PACKAGES[*]}"
  rm -rf "$WORK/sdk"
  cp -a "$WORK/platform" "$WORK/sdk"
  chroot_install "$WORK/sdk" "${SDK_PACKAGES[@]}"
  stamp_set sdk "${PLATFORM_PACKAGES[*]} + ${SDK_PACKAGES[*]}"
  rm -f "$WORK/stamps/finish-sdk"
fi
log "rootfs trees took $((SECONDS - t0)) s"

# --- 3. Debian-specific fixes and flatpak metadata -----------------------------
# finish_tree NAME ID: the locale, /usr/etc, ldconfig, ld.so.conf, metadata
# of $WORK/NAME (NAME: platform or sdk, also its stamp's name).
finish_tree () {
  local name="$1" id="$2" root="$WORK/$1"
  if stamp_ok "finish-$id" "$(cat "$WORK/stamps/$name")"; then
    return 0
  fi
  log "$id: Debian fixes"
  # The build sandbox sets LC_ALL=en_US.utf8.
  sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' "$root/etc/locale.gen"
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin locale-gen
  # Only usr/ is exported: the runtime's /etc is its /usr/etc.
  rm -rf "$root/usr/etc"
  cp -a "$root/etc" "$root/usr/etc"
  # flatpak rebuilds the library cache only if /usr/bin/ldconfig exists.
  ln -sfn ../sbin/ldconfig "$root/usr/bin/ldconfig"
  # Empty, so that /app/lib is searched (flatpak supplies its own paths).
  : >"$root/usr/etc/ld.so.conf"
  rm -rf "$root/usr/etc/ld.so.conf.d"
  # The runtime's /var is not used; apt lists only take room.
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
  cat >"$root/metadata" <<EOF
[Runtime]
name=$id
runtime=$PLATFORM_ID/$ARCH/$BRANCH
sdk=$SDK_ID/$ARCH/$BRANCH
EOF
  stamp_set "finish-$id" "$(cat "$WORK/stamps/$name")"
  rm -f "$WORK/stamps/export-$id"
}
finish_tree platform "$PLATFORM_ID"
finish_tree sdk "$SDK_ID"

# --- 4. export into a bare-user-only repo ---------------------------------------
t1=$SECONDS
if [ ! -d "$WORK/repo/objects" ]; then
  ostree init --repo="$WORK/repo" --mode=bare-user-only
fi
for pair in "$PLATFORM_ID:platform" "$SDK_ID:sdk"; do
  id="${pair%%:*}" dir="$WORK/${pair#*:}"
  if stamp_ok "export-$id" "$(cat "$WORK/stamps/finish-$id")" \
     && ostree --repo="$WORK/repo" rev-parse "runtime/$id/$ARCH/$BRANCH" >/dev/null 2>&1; then
    log "$id: exported"
    continue
  fi
  log "$id: flatpak build-export --runtime --files=usr"
  flatpak build-export --runtime --files=usr --arch="$ARCH" \
    --subject="$id from Debian $SUITE packages" "$WORK/repo" "$dir" "$BRANCH"
  stamp_set "export-$id" "$(cat "$WORK/stamps/finish-$id")"
  rm -f "$WORK/stamps/install-$id"
done
log "export took $((SECONDS - t1)) s"

# --- 5. install per-user ------------------------------------------------------------
t2=$SECONDS
flatpak --user remote-add --if-not-exists --no-gpg-verify "$REMOTE" "file://$WORK/repo"
for id in "$PLATFORM_ID" "$SDK_ID"; do
  want="$(ostree --repo="$WORK/repo" rev-parse "runtime/$id/$ARCH/$BRANCH")"
  have="$(flatpak --user info --show-commit "$id//$BRANCH" 2>/dev/null || true)"
  if [ "$want" = "$have" ]; then
    log "$id//$BRANCH: installed ($want)"
  elif [ -n "$have" ]; then
    log "$id//$BRANCH: updating to $want"
    flatpak --user update -y --noninteractive "$id//$BRANCH"
  else
    log "$id//$BRANCH: installing"
    flatpak --user install -y --noninteractive "$REMOTE" "runtime/$id/$ARCH/$BRANCH"
  fi
done
log "install took $((SECONDS - t2)) s; total $SECONDS s"
flatpak --user list --runtime
