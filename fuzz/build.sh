#!/bin/sh
# Builds the libFuzzer target for the scenario loader with clang (not part of
# the main g++ build). Usage: fuzz/build.sh [OUTDIR]   (default build/fuzz)
#   FUZZ_SANITIZERS=address,undefined (default) -O1: the thorough build.
#   FUZZ_SANITIZERS=undefined FUZZ_OPT=-O2: about 7x faster (no ASan), used for
#   the long campaigns; its corpus is then replayed under the thorough build
#   (fuzz/replay.sh), so every input it kept also runs under ASan.
# The target is the loader (writer.cpp, the scenario writer, is left out).
# Needs clang-14 and libfuzzer-14-dev (Debian 12), and libyaml-cpp-dev.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/fuzz}
CXX=${CXX:-clang++-14}
SAN=${FUZZ_SANITIZERS:-address,undefined}
OPT=${FUZZ_OPT:--O1}
mkdir -p "$OUT"
# shellcheck disable=SC2046
"$CXX" -std=c++17 -g "$OPT" -fno-omit-frame-pointer \
  -fsanitize=fuzzer,"$SAN" -fno-sanitize-recover=all \
  -I"$ROOT/core/include" -I"$ROOT/core/src" \
  "$ROOT/fuzz/loader_fuzz.cpp" $(ls "$ROOT"/core/src/loader/*.cpp | grep -v '/writer\.cpp$') "$ROOT/core/src/types.cpp" \
  -lyaml-cpp -o "$OUT/loader_fuzz"
echo "built $OUT/loader_fuzz ($SAN, $OPT)"
