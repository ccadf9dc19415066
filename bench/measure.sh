#!/usr/bin/env bash
# Runs every workload with /usr/bin/time -v and prints one Markdown table row
# each (the table in bench/README.md).
#   bench/measure.sh [BUILD_DIR] [workload ...]     (default build/bench, all)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/bench}
shift || true
list=("$@")
if ((${#list[@]} == 0)); then
  list=(churn-10k churn-100k churn-100k-short-tw churn-1m pileup-10k pileup-100k pileup-1m)
fi
echo "| workload | events | sockets | virtual time | wall (s) | CPU user+sys (s) | events/s (CPU) | connections/s (CPU) | peak RSS (MiB) | RSS bytes/socket |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in "${list[@]}"; do
  out=$(/usr/bin/time -v "$build/cli/tcpsim" run "bench/workloads/$w.yaml" --format summary 2>&1)
  ev=$(sed -n 's/^events processed: *//p' <<<"$out")
  so=$(sed -n 's/^sockets created: *//p' <<<"$out")
  vt=$(sed -n 's/^virtual time: *//p' <<<"$out")
  wall=$(sed -n 's/^wall time: *\([0-9.]*\) s/\1/p' <<<"$out")
  usr=$(sed -n 's/.*User time (seconds): //p' <<<"$out")
  sys=$(sed -n 's/.*System time (seconds): //p' <<<"$out")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' <<<"$out")
  awk -v w="$w" -v ev="$ev" -v so="$so" -v vt="$vt" -v wall="$wall" -v u="$usr" -v s="$sys" -v rss="$rss" 'BEGIN {
    cpu = u + s; conns = (so - 1) / 2;
    printf "| %s | %d | %d | %s | %.2f | %.2f | %.2f M | %.0f k | %.0f | %.0f |\n",
      w, ev, so, vt, wall, cpu, ev / cpu / 1e6, conns / cpu / 1e3, rss / 1024, rss * 1024 / so }'
done
