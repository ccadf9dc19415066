#!/usr/bin/env bash
# Regenerates scenarios/index.yaml (the machine-readable catalogue: name,
# title en/zh, one-line summary en/zh, tags) from the scenario files.
# Run it after adding a scenario or changing a title, summary or tags;
# tests/catalogue (Catalogue.IndexIsUpToDate) fails until you do.
#   scripts/gen-index.sh [BUILD_DIR]    default: build/default (the `default` preset)
#   scripts/gen-index.sh --check [BUILD_DIR]   exit 1 if the index is out of date
set -euo pipefail
cd "$(dirname "$0")/.."
CHECK=0
if [[ "${1:-}" == "--check" ]]; then CHECK=1; shift; fi
BUILD="${1:-build/default}"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  if [[ "$BUILD" == "build/default" ]]; then
    cmake --preset default >/dev/null
  else
    echo "gen-index.sh: $BUILD is not a configured build folder" >&2
    exit 2
  fi
fi
cmake --build "$BUILD" --target catalogue_index -j2 >/dev/null
TMP="$(mktemp scenarios/.index.yaml.XXXXXX)"
trap 'rm -f "$TMP"' EXIT
"$BUILD/tests/catalogue/catalogue_index" scenarios >"$TMP"
if [[ $CHECK == 1 ]]; then
  if cmp -s "$TMP" scenarios/index.yaml; then
    echo "scenarios/index.yaml is up to date"
  else
    echo "scenarios/index.yaml is out of date: run scripts/gen-index.sh" >&2
    diff -u scenarios/index.yaml "$TMP" >&2 || true
    exit 1
  fi
else
  mv "$TMP" scenarios/index.yaml
  trap - EXIT
  echo "wrote scenarios/index.yaml ($(grep -c '^  - name:' scenarios/index.yaml) scenarios)"
fi
