#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flatpak/validate-manifest.sh [MANIFEST...]
#
# Check the Flatpak manifest(s) two ways:
#  1. flatpak-builder --show-manifest with fatal warnings (syntax, unknown keys,
#     wrong types) -- also a meson test in the `data` suite;
#  2. with no arguments, also that the committed manifests are what
#     generate-manifests.py writes (both come from its one template);
#  3. JSON-schema validation with ajv-cli 5 + ajv-formats (needs npm) against
#     SchemaStore's flatpak-manifest schema, when that file is present
#     ($FLATPAK_MANIFEST_SCHEMA, default ../shared/schemas/flatpak-manifest.schema.json
#     beside the checkout). Not run by the test suite, which must not need npm.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
srcdir="$(cd "$here/.." && pwd)"
schema="${FLATPAK_MANIFEST_SCHEMA:-$srcdir/../shared/schemas/flatpak-manifest.schema.json}"

check_generated=0
if [ "$#" -eq 0 ]; then
  check_generated=1
  set -- "$here"/*.json
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

status=0
if [ "$check_generated" = 1 ]; then
  if command -v python3 >/dev/null 2>&1; then
    python3 "$here/generate-manifests.py" --check || status=1
  else
    echo "skip: no python3 for generate-manifests.py --check"
  fi
fi
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
