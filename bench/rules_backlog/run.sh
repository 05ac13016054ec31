#!/usr/bin/env bash
# Backlog simulation on one core: 100,000 generated applications for the example schemes
# (bench/rules_backlog/backlog.h documents the mix) through completeness and eligibility; prints
# the share decided automatically, the share sent to agents and why, and the wall time.
#
# Usage: bench/rules_backlog/run.sh [--count N] [--seed S]
#   Builds build/release/bench/rules_backlog/rules_backlog first (cmake --preset release).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --count|--seed) args+=("$1" "${2:?}"); shift 2 ;;
    *) echo "run.sh: unknown option: $1" >&2; exit 1 ;;
  esac
done
test -f "$root/build/release/build.ninja" || cmake --preset release -S "$root"
cmake --build "$root/build/release" --target rules_backlog
echo "$(date -u '+%Y-%m-%d %H:%M UTC') $(git -C "$root" rev-parse --short HEAD) on $(nproc) cores," \
  "load $(cut -d' ' -f1 /proc/loadavg)"
taskset -c 0 "$root/build/release/bench/rules_backlog/rules_backlog" "${args[@]}"
