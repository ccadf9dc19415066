#!/usr/bin/env bash
# Regenerates docs/examples/ exactly as docs/examples/README.md lists the
# commands: this script is the one place those files come from.
#
#   scripts/gen-examples.sh               rewrite docs/examples/
#   scripts/gen-examples.sh --check       regenerate into a temporary directory and
#                                         compare with docs/examples/ (the CTest
#                                         export.docs_examples_up_to_date)
#   scripts/gen-examples.sh --text-only   only the exports that need no Qt render
#                                         library: jsonl, csv, mmd, puml, dot, pcap
#                                         (for a tcpsim built without Qt; combines
#                                         with --check)
#
# tcpsim is build/default/cli/tcpsim unless $TCPSIM names another. The Graphviz
# and PlantUML renderings (normal-close-dot.svg, normal-close-plantuml.svg) are
# made only when dot / plantuml are installed, and never in --check: they depend
# on those tools' versions, and their sources (.dot, .puml) are compared.
# --check leaves out normal-close-ladder.pdf too: Qt writes the creation time
# into it, so no two runs are equal. Everything else tcpsim writes is byte-stable
# (virtual time, no clock, no paths).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tcpsim=${TCPSIM:-$root/build/default/cli/tcpsim}
check=0
graphics=1
for arg in "$@"; do
  case $arg in
    "") ;;  # an empty argument (CTest passes one when a generator expression is empty)
    --check) check=1 ;;
    --text-only) graphics=0 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gen-examples.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
if [[ ! -x $tcpsim ]]; then
  echo "gen-examples.sh: tcpsim not found at $tcpsim (build it, or set TCPSIM)" >&2
  exit 2
fi

examples=$root/docs/examples
if (( check )); then
  out=$(mktemp -d /tmp/tcpsim-examples.XXXXXX)
  trap 'rm -rf "$out"' EXIT
else
  out=$examples
fi

# The README's commands, run in the output directory; scenarios/ and bench/ are
# the repository's. --force: the files are there already and are to be replaced.
cd "$out"
scenarios=$root/scenarios
bench=$root/bench
tcpsim() { "$tcpsim" "$@" --force >/dev/null; }

# --- normal-close ----------------------------------------------------------
if (( graphics )); then
  tcpsim export $scenarios/normal-close.yaml \
      --ladder normal-close-ladder.svg --diagram both:normal-close-states.svg \
      --chart states:normal-close-counts.svg --pcap normal-close.pcap \
      --mermaid normal-close.mmd --plantuml normal-close.puml --dot normal-close.dot \
      --jsonl normal-close.jsonl --csv normal-close.csv
  tcpsim export $scenarios/normal-close.yaml --ladder normal-close-ladder.png --size 1600x900
  (( check )) || tcpsim export $scenarios/normal-close.yaml --ladder normal-close-ladder.pdf
else
  tcpsim export $scenarios/normal-close.yaml --pcap normal-close.pcap \
      --mermaid normal-close.mmd --plantuml normal-close.puml --dot normal-close.dot \
      --jsonl normal-close.jsonl --csv normal-close.csv
fi
if (( ! check )); then
  if command -v dot >/dev/null; then
    dot -Tsvg normal-close.dot -o normal-close-dot.svg
  else
    echo "gen-examples.sh: dot (Graphviz) not installed: normal-close-dot.svg left as it was" >&2
  fi
  if command -v plantuml >/dev/null; then
    plantuml -tsvg normal-close.puml
    mv normal-close.svg normal-close-plantuml.svg
  else
    echo "gen-examples.sh: plantuml not installed: normal-close-plantuml.svg left as it was" >&2
  fi
fi

# --- more examples ---------------------------------------------------------
if (( graphics )); then
  tcpsim export $scenarios/lost-fin-retransmission.yaml --ladder lost-fin-retransmission-ladder.svg \
      --diagram client:lost-fin-retransmission-client.svg --pcap lost-fin-retransmission.pcap
  tcpsim export $scenarios/lost-fin-retransmission.yaml --ladder lost-fin-retransmission-ladder.png --size 1600x1400
  tcpsim export $scenarios/normal-close.yaml --ladder normal-close-ladder-zh_CN.png --size 1600x900 --lang zh_CN
  tcpsim export $bench/workloads/pileup-1m.yaml --chart states:pileup-1m-counts.svg   # counts only, ~10 s
else
  tcpsim export $scenarios/lost-fin-retransmission.yaml --pcap lost-fin-retransmission.pcap
fi

if (( ! check )); then
  echo "docs/examples regenerated with $tcpsim"
  exit 0
fi

stale=()
for f in "$out"/*; do
  name=$(basename "$f")
  if [[ ! -e $examples/$name ]]; then
    stale+=("$name (missing from docs/examples)")
  elif ! cmp -s "$f" "$examples/$name"; then
    stale+=("$name")
  fi
done
if (( ${#stale[@]} )); then
  echo "docs/examples is stale: run scripts/gen-examples.sh" >&2
  printf '  differs: %s\n' "${stale[@]}" >&2
  for name in normal-close.jsonl normal-close.csv normal-close.mmd normal-close.puml normal-close.dot; do
    if [[ " ${stale[*]} " == *" $name "* ]]; then
      echo "--- first differences in $name:" >&2
      diff "$examples/$name" "$out/$name" | head -n 6 | cut -c1-300 >&2 || true
    fi
  done
  exit 1
fi
echo "docs/examples is up to date ($(ls "$out" | wc -l) files compared)"
