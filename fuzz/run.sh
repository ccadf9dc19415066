#!/bin/sh
# Runs the loader fuzzer. Usage: fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# The committed seed corpus (fuzz/corpus/) is read-only input; new inputs go
# to build/fuzz/corpus/, crashes to build/fuzz/artifacts/.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/fuzz
SECS=${1:-600}
[ $# -gt 0 ] && shift
[ -x "$OUT/loader_fuzz" ] || "$ROOT/fuzz/build.sh" "$OUT"
mkdir -p "$OUT/corpus" "$OUT/artifacts"
exec "$OUT/loader_fuzz" "$OUT/corpus" "$ROOT/fuzz/corpus" \
  -dict="$ROOT/fuzz/loader.dict" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" "$@"
