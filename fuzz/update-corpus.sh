#!/bin/sh
# Refreshes the seed corpus fuzz/corpus/ from scenarios/*.yaml, the
# malformed corpus and the README's worked example.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
C=$ROOT/fuzz/corpus
mkdir -p "$C"
for f in "$ROOT"/scenarios/*.yaml; do [ -f "$f" ] && cp "$f" "$C/scenario-$(basename "$f")"; done
for f in "$ROOT"/tests/data/malformed/*.yaml; do cp "$f" "$C/malformed-$(basename "$f")"; done
awk '/<!-- full-example -->/{f=1;next} f&&/^```yaml/{p=1;next} p&&/^```/{exit} p' \
  "$ROOT/scenarios/README.md" > "$C/readme-example.yaml"
ls "$C" | wc -l
