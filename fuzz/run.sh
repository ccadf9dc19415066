#!/bin/sh
# Runs the loader fuzzer. Usage: fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# The committed seed corpus (fuzz/corpus/) is read-only input; new inputs go
# to $FUZZ_OUT/corpus/ (default build/fuzz), crashes to $FUZZ_OUT/artifacts/.
# FUZZ_OUT=build/fuzz-fast with FUZZ_SANITIZERS=undefined FUZZ_OPT=-O2 runs the
# fast build (see fuzz/build.sh); -runs=N stops after N executions.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${FUZZ_OUT:-$ROOT/build/fuzz}
SECS=${1:-600}
[ $# -gt 0 ] && shift
[ -x "$OUT/loader_fuzz" ] || "$ROOT/fuzz/build.sh" "$OUT"
mkdir -p "$OUT/corpus" "$OUT/artifacts"
exec "$OUT/loader_fuzz" "$OUT/corpus" "$ROOT/fuzz/corpus" \
  -dict="$ROOT/fuzz/loader.dict" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" "$@"
