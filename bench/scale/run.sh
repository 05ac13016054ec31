#!/usr/bin/env bash
# Scale check: loads COUNT requests into a fresh SQLite database through the API (durable
# creates, 201 after commit, the same path as bench/api_load's create case), then reports the
# server's memory (VmRSS, VmHWM from /proc), the database size, and the latency of typical
# list/filter queries and GET by id at that size (wrk, a few connections, a few seconds each).
#
# Usage: bench/scale/run.sh [--count N] [--connections N] [--server-threads N]
#          [--query-seconds N] [--guichet PATH]
#   --count           requests to load (default 1000000)
#   --connections     wrk connections while loading (default 64)
#   --server-threads  guichet worker threads (default: the server's own default)
#   --query-seconds   seconds per query case (default 5, 4 connections)
#   --guichet         binary (default build/release/guichet; build it with the release preset)
#
# The database is a fresh file in a temp dir under /tmp (real disk), removed on exit. Needs wrk,
# curl and, to count the rows and report the database file size, the sqlite3 shell (optional).
# shellcheck disable=SC2317  # cleanup is a trap handler
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
count=1000000 connections=64 server_threads="" query_seconds=5
guichet="$root/build/release/guichet"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --count) count=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --server-threads) server_threads=${2:?}; shift 2 ;;
    --query-seconds) query_seconds=${2:?}; shift 2 ;;
    --guichet) guichet=${2:?}; shift 2 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
for n in "$count" "$connections" "$query_seconds" ${server_threads:+"$server_threads"}; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: $n"
done
command -v wrk >/dev/null || die "wrk not found (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl not found"
[[ -x "$guichet" ]] || die "$guichet not found; cmake --preset release && cmake --build --preset release --target guichet"

tmp="" server_pid="" wrk_pid=""
cleanup() {
  [[ -n "$wrk_pid" ]] && kill "$wrk_pid" 2>/dev/null
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [[ -n "$tmp" ]] && rm -rf "$tmp"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  local p
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+), where wrk's sockets linger
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
  done
  die "no free port"
}
mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %.1f MiB  ", $1, $2 / 1024}' "/proc/$server_pid/status"; }
created() {  # 201 answers to POST /api/v1/requests so far, from the server's own metrics
  curl -fsS "$base_url/metrics" 2>/dev/null |
    awk '/^guichet_http_requests_total\{method="POST",route="\/api\/v1\/requests",status="201"\}/ {print $2}'
}
api() {  # api METHOD PATH [JSON]
  curl -fsS -X "$1" -H "Authorization: Bearer $BENCH_TOKEN" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$base_url$2"
}

tmp=$(mktemp -d /tmp/guichet-scale.XXXXXX)
db_file="$tmp/scale.db"
db_url="sqlite:$db_file"
echo "date: $(date -u +%FT%TZ)  binary: ${guichet#"$root"/}  count: $count  nproc: $(nproc)"
echo "tmp dir: $tmp ($(df -T "$tmp" | awk 'NR==2 {print $2}'))"

"$guichet" admin migrate --db "$db_url" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "migrate failed"; }
echo "scale-password-0123" | "$guichet" admin create-user --db "$db_url" --email scale@local.test \
  --role admin --password-stdin >"$tmp/create-user.log" 2>&1 || { cat "$tmp/create-user.log" >&2; die "create-user failed"; }
export BENCH_TOKEN
BENCH_TOKEN=$("$guichet" admin create-token --db "$db_url" --email scale@local.test 2>/dev/null |
  grep -oE 'gu_[A-Za-z0-9_-]+' | head -n 1)
[[ -n "$BENCH_TOKEN" ]] || die "no token"

port=$(free_port)
base_url="http://127.0.0.1:$port"
"$guichet" serve --db "$db_url" --listen "127.0.0.1:$port" ${server_threads:+--threads "$server_threads"} \
  >"$tmp/server.out" 2>/dev/null &
server_pid=$!
for ((i = 0; i < 300; i++)); do
  curl -fsS "$base_url/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || die "server exited"
  sleep 0.1
done
echo "server: pid $server_pid, $base_url; at start: $(mem)"

# Four teams, each the default team of one category.
for pair in voirie:Voirie eclairage:Éclairage proprete:Propreté espaces-verts:"Espaces verts"; do
  slug=${pair%%:*} name=${pair#*:}
  team_id=$(api POST /api/v1/teams "{\"name\":\"$name\"}" | sed -E 's/.*"id":([0-9]+).*/\1/')
  api POST /api/v1/categories "{\"slug\":\"$slug\",\"name\":\"$name\",\"default_team_id\":$team_id}" >/dev/null
done

# Load: wrk's threads stop at their share; wrk itself is stopped once the server counted them.
export BENCH_DIR="$here" BENCH_COUNT="$count" BENCH_THREADS=2
start=$(date +%s.%N)
wrk -t2 -c "$connections" -d 3600s --timeout 10s --latency -s "$here/load.lua" "$base_url" \
  >"$tmp/wrk-load.txt" 2>&1 &
wrk_pid=$!
next_report=$(( $(date +%s) + 30 ))
while kill -0 "$wrk_pid" 2>/dev/null; do
  n=$(created); n=${n:-0}
  if (( n >= count )); then kill -INT "$wrk_pid" 2>/dev/null || true; break; fi
  if (( $(date +%s) >= next_report )); then
    echo "  loading: $n created, $(mem)"
    next_report=$(( next_report + 30 ))
  fi
  sleep 1
done
wait "$wrk_pid" 2>/dev/null || true
wrk_pid=""
end=$(date +%s.%N)
n=$(created)
awk -v n="$n" -v s="$start" -v e="$end" \
  'BEGIN {printf "loaded: %d requests (201) in %.0f s, %.0f creates/s on average\n", n, e - s, n / (e - s)}'
grep -E "^ +(50|99)%|unexpected|Socket errors|Non-2xx" "$tmp/wrk-load.txt" | sed 's/^ */  load latency /'
echo "after loading: $(mem)"

# Queries at this size: a few connections, so that the times are latencies, not queueing.
query() {  # query NAME PATH
  local out="$tmp/wrk-q.txt"
  BENCH_PATH="$2" wrk -t1 -c4 -d "${query_seconds}s" --timeout 10s --latency \
    -s "$here/query.lua" "$base_url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  local items=""
  [[ "$2" == *"{random}"* ]] || items="$( (api GET "$2" || true) | awk -F'"reference":' '{n += NF - 1} END {print n + 0}') items"
  printf '%-34s %9s req/s  p50 %8s  p99 %8s  %s  %s\n' "$1" \
    "$(awk '/^Requests\/sec:/ {print $2}' "$out")" "$(awk '$1 == "50%" {print $2}' "$out")" \
    "$(awk '$1 == "99%" {print $2}' "$out")" "$(grep -m1 unexpected "$out" || true)" "$items"
}
export BENCH_MAX_ID="$n"
echo "queries (wrk -t1 -c4 -d${query_seconds}s each):"
query "GET by id (random)" "/api/v1/requests/{random}"
query "newest page (limit 20)" "/api/v1/requests?limit=20"
query "status=new (limit 20)" "/api/v1/requests?status=new&limit=20"
query "priority=urgent (limit 20)" "/api/v1/requests?priority=urgent&limit=20"
query "category + channel (limit 20)" "/api/v1/requests?category=eclairage&channel=phone&limit=20"
query "status=new,open, 100 per page" "/api/v1/requests?status=new,open&limit=100"
query "text q=lampadaire (limit 20)" "/api/v1/requests?q=lampadaire&limit=20"
query "text q=feu tricolore + channel" "/api/v1/requests?q=feu%20tricolore&channel=phone&limit=20"
query "created in the first minute" "/api/v1/requests?created_from=$(date -u -d "@${start%.*}" +%FT%TZ)&created_to=$(date -u -d "@$(( ${start%.*} + 60 ))" +%FT%TZ)&limit=20"
query "page deep in the list (cursor)" "/api/v1/requests?cursor=$(( n / 2 ))&limit=20"
query "no match (status=closed)" "/api/v1/requests?status=closed&limit=20"
echo "after queries: $(mem)"

kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
if command -v sqlite3 >/dev/null; then
  echo "rows: requests $(sqlite3 "$db_file" 'SELECT COUNT(*) FROM requests'), audit_log $(sqlite3 "$db_file" 'SELECT COUNT(*) FROM audit_log'), citizens $(sqlite3 "$db_file" 'SELECT COUNT(*) FROM citizens')"
  sqlite3 "$db_file" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
fi
echo "database file: $(du -h --apparent-size "$db_file" | cut -f1) ($(stat -c %s "$db_file") bytes; -wal $(stat -c %s "$db_file-wal" 2>/dev/null || echo 0) bytes)"
