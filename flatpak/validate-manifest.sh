#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flatpak/validate-manifest.sh [MANIFEST...]
#
# Check the Flatpak manifest(s) two ways:
#  1. flatpak-builder --show-manifest with fatal warnings (syntax, unknown keys,
#     wrong types) -- also a meson test in the `data` suite;
#  2. JSON-schema validation with ajv-cli 5 + ajv-formats (needs npm) against
#     SchemaStore's flatpak-manifest schema, when that file is present
#     ($FLATPAK_MANIFEST_SCHEMA, default ../shared/schemas/flatpak-manifest.schema.json
#     beside the checkout). Not run by the test suite, which must not need npm.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
srcdir="$(cd "$here/.." && pwd)"
schema="${FLATPAK_MANIFEST_SCHEMA:-$srcdir/../shared/schemas/flatpak-manifest.schema.json}"

if [ "$#" -eq 0 ]; then
  set -- "$here"/*.json
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

status=0
for manifest in "$@"; do
  if HOME="$tmp" G_DEBUG=fatal-warnings flatpak-builder --show-manifest "$manifest" >/dev/null; then
    echo "ok: flatpak-builder --show-manifest $manifest"
  else
    echo "FAIL: flatpak-builder --show-manifest $manifest"
    status=1
  fi
done

if [ ! -f "$schema" ]; then
  echo "skip: no schema at $schema"
  exit "$status"
fi
if ! command -v npx >/dev/null 2>&1; then
  echo "skip: npx not found (install npm for the schema check)"
  exit "$status"
fi

for manifest in "$@"; do
  # --strict=false: SchemaStore's schema uses keywords ajv's strict mode rejects.
  if npm_config_update_notifier=false \
     npx --yes -p ajv-cli@5 -p ajv-formats ajv validate --spec=draft7 --strict=false \
       -c ajv-formats -s "$schema" -d "$manifest"; then
    :
  else
    status=1
  fi
done
exit "$status"
