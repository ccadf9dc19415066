#!/bin/sh
# Replays every input of a fuzz corpus (default: the fast campaign's,
# build/fuzz-fast/corpus, plus the committed seeds) once through the thorough
# ASan+UBSan build, so what the fast build found also ran under ASan.
# Usage: fuzz/replay.sh [CORPUS_DIR...]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/fuzz
[ -x "$OUT/loader_fuzz" ] || "$ROOT/fuzz/build.sh" "$OUT"
[ $# -gt 0 ] || set -- "$ROOT/build/fuzz-fast/corpus" "$ROOT/fuzz/corpus"
mkdir -p "$OUT/artifacts"
# -runs=0 with directories: execute each file once, no mutation.
exec "$OUT/loader_fuzz" -runs=0 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$OUT/artifacts/" "$@"
