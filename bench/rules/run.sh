#!/usr/bin/env bash
# Rules engine speed on one core: canteen evaluations per second with full traces (target
# ≥ 200,000/s), the same with both explanations rendered, a refusal with its counterfactual
# search, and the load time of each example scheme (target < 10 ms). Pinned to CPU 0.
#
# Usage: bench/rules/run.sh [--min-time SECONDS]   (default 1 second per benchmark)
#   Builds build/release/bench/rules/rules_bench first (cmake --preset release).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
min_time=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --min-time) min_time=${2:?}; shift 2 ;;
    *) echo "run.sh: unknown option: $1" >&2; exit 1 ;;
  esac
done
test -f "$root/build/release/build.ninja" || cmake --preset release -S "$root"
cmake --build "$root/build/release" --target rules_bench
echo "$(date -u '+%Y-%m-%d %H:%M UTC') $(git -C "$root" rev-parse --short HEAD) on $(nproc) cores," \
  "load $(cut -d' ' -f1 /proc/loadavg)"
taskset -c 0 "$root/build/release/bench/rules/rules_bench" --benchmark_min_time="$min_time"
