#!/bin/sh
# Builds the libFuzzer target for the scenario loader with clang (not part of
# the main g++ build). Usage: fuzz/build.sh [OUTDIR]   (default build/fuzz)
# Needs clang-14 and libfuzzer-14-dev (Debian 12), and libyaml-cpp-dev.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/fuzz}
CXX=${CXX:-clang++-14}
mkdir -p "$OUT"
# shellcheck disable=SC2046
"$CXX" -std=c++17 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I"$ROOT/core/include" -I"$ROOT/core/src" \
  "$ROOT/fuzz/loader_fuzz.cpp" $(ls "$ROOT"/core/src/loader/*.cpp) "$ROOT/core/src/types.cpp" \
  -lyaml-cpp -o "$OUT/loader_fuzz"
echo "built $OUT/loader_fuzz"
