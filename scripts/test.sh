#!/usr/bin/env bash
# Builds everything and runs every test (CTest).
#   scripts/test.sh [PRESET]     PRESET: default (the default), debug or asan
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET="${1:-default}"
scripts/install-deps.sh --test
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" -j"$(nproc)"
ctest --preset "$PRESET" -j"$(nproc)"
