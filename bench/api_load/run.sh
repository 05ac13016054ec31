#!/usr/bin/env bash
# API load benchmark: wrk against `guichet serve` on 127.0.0.1 (loopback only).
# Cases: durable request creation (POST, 201 after commit), GET by id, filtered list page.
#
# Usage: bench/api_load/run.sh [--backend sqlite|postgresql|both] [--duration SECONDS]
#          [--connections N] [--threads N] [--server-threads N] [--seed-count N] [--guichet PATH]
#   --backend         sqlite, postgresql or both (default both)
#   --duration        seconds per case (default 30)
#   --connections     wrk connections (default 64)
#   --threads         wrk threads (default 2)
#   --server-threads  guichet worker threads (default 4)
#   --seed-count      requests imported before the GET/list cases (default 10000)
#   --guichet         binary (default build/release/guichet; build it with the release preset)
#
# SQLite: fresh file in a temp dir under /tmp (real disk), synchronous=FULL as the server sets it.
# PostgreSQL: a throwaway PostgreSQL 15 started here with DEFAULT durability (fsync=on,
# synchronous_commit=on, full_page_writes=on), unlike scripts/with-postgres which turns them off.
# Everything is stopped and removed on exit.
# shellcheck disable=SC2317  # cleanup is a trap handler
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
backend=both duration=30 connections=64 wrk_threads=2 server_threads=4 seed_count=10000
guichet="$root/build/release/guichet"
readonly PGBIN=/usr/lib/postgresql/15/bin

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --backend) backend=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --threads) wrk_threads=${2:?}; shift 2 ;;
    --server-threads) server_threads=${2:?}; shift 2 ;;
    --seed-count) seed_count=${2:?}; shift 2 ;;
    --guichet) guichet=${2:?}; shift 2 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
case "$backend" in sqlite|postgresql|both) ;; *) die "--backend must be sqlite, postgresql or both" ;; esac
for n in "$duration" "$connections" "$wrk_threads" "$server_threads" "$seed_count"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: $n"
done
command -v wrk >/dev/null || die "wrk not found (apt-get install -y wrk)"
[[ -x "$guichet" ]] || die "$guichet not found; cmake --preset release && cmake --build --preset release --target guichet"

tmp="" server_pid="" pg_data=""
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
pg() { (cd "$tmp" && "${as_pg[@]}" "$PGBIN/$1" "${@:2}"); }

stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
stop_pg() {
  if [[ -n "$pg_data" && -f "$pg_data/postmaster.pid" ]]; then
    pg pg_ctl stop -D "$pg_data" -m fast -w -t 30 >/dev/null 2>&1 || true
  fi
  pg_data=""
}
cleanup() {
  stop_server
  stop_pg
  [[ -n "$tmp" ]] && rm -rf "$tmp"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
free_port() {
  local p
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+), where wrk's sockets linger
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free port"
}

# Starts PostgreSQL 15 with default durability; sets db_url.
start_pg() {
  pg_data="$tmp/pgdata"
  mkdir -p "$tmp/sock"
  [[ ${#as_pg[@]} -gt 0 ]] && chown -R postgres: "$tmp"
  pg initdb -D "$pg_data" --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; die "initdb failed"; }
  cat >>"$pg_data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp/sock'
max_connections = 200
CONF
  local port
  port=$(free_port)
  pg pg_ctl start -D "$pg_data" -l "$tmp/pg.log" -o "-p $port" -w -t 30 >/dev/null 2>&1 ||
    { tail -n 20 "$tmp/pg.log" >&2; die "PostgreSQL did not start"; }
  db_url="postgresql://postgres@127.0.0.1:$port/postgres"
  local settings
  settings=$("$PGBIN/postgres" --version 2>/dev/null || true)
  echo "PostgreSQL: $settings at $db_url; $(psql_show fsync) $(psql_show synchronous_commit) $(psql_show full_page_writes)"
}
psql_show() { echo "$1=$("$PGBIN/psql" -qtAX "$db_url" -c "SHOW $1" 2>/dev/null || echo '?')"; }

# Prints "gu_..." token for a fresh admin.
make_token() {
  echo "bench-password-0123" | "$guichet" admin create-user --db "$db_url" --email bench@local.test \
    --role admin --password-stdin >"$tmp/create-user.log" 2>&1 || { cat "$tmp/create-user.log" >&2; die "create-user failed"; }
  "$guichet" admin create-token --db "$db_url" --email bench@local.test 2>"$tmp/create-token.log" |
    grep -oE 'gu_[A-Za-z0-9_-]+' | head -n 1
}

seed() {
  local f="$tmp/seed.jsonl"
  for ((i = 1; i <= seed_count; i++)); do
    printf '{"subject":"Seed request %d","description":"Seeded by bench/api_load.","channel":"api","citizen":{"name":"Seed Citizen","email":"seed%d@example.org"}}\n' "$i" $((i % 1000))
  done >"$f"
  "$guichet" import requests --db "$db_url" --format jsonl "$f" >"$tmp/import.log" 2>&1 ||
    { tail -n 20 "$tmp/import.log" >&2; die "import failed"; }
}

start_server() {
  local port
  port=$(free_port)
  base_url="http://127.0.0.1:$port"
  "$guichet" serve --db "$db_url" --listen "127.0.0.1:$port" --threads "$server_threads" \
    >"$tmp/server.out" 2>"$tmp/server.log" &
  server_pid=$!
  for ((i = 0; i < 300; i++)); do
    curl -fsS "$base_url/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$tmp/server.log" >&2; die "server exited"; }
    sleep 0.1
  done
  die "server not ready"
}

export BENCH_DIR="$here"  # the Lua scripts load common.lua from here

# run_case BACKEND CASE SCRIPT
run_case() {
  local out="$tmp/wrk-$1-$2.txt"
  wrk --latency -t "$wrk_threads" -c "$connections" -d "${duration}s" --timeout 10s \
    -s "$here/$3" "$base_url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  cat "$out" >>"$tmp/all-wrk.txt"
  local rps p50 p99 errs sockerr
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errs=$(awk '/^unexpected responses/ {print $NF}' "$out")
  sockerr=$(grep -m1 'Socket errors' "$out" | sed 's/^ *//' || true)
  printf '%-11s %-7s %12s %10s %10s %8s  %s\n' "$1" "$2" "$rps" "$p50" "$p99" "${errs:-?}" "$sockerr" | tee -a "$tmp/summary.txt"
  echo "--- wrk output ($1 $2) ---"; cat "$out"
}

run_backend() {
  local b=$1
  if [[ "$b" == sqlite ]]; then
    db_url="sqlite:$tmp/bench.db"
  else
    start_pg
  fi
  "$guichet" admin migrate --db "$db_url" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "migrate failed"; }
  export BENCH_TOKEN
  BENCH_TOKEN=$(make_token)
  [[ -n "$BENCH_TOKEN" ]] || { cat "$tmp/create-token.log" >&2; die "no token"; }
  seed
  export BENCH_MAX_ID=$seed_count
  start_server
  echo "== $b: server $base_url, $server_threads threads, $seed_count seeded requests"
  # GET and list first, on the seeded data only; then creates.
  run_case "$b" get get.lua
  run_case "$b" list list.lua
  run_case "$b" create create.lua
  echo "server log lines: $(wc -l <"$tmp/server.log")"
  stop_server
  stop_pg
}

tmp=$(mktemp -d /tmp/guichet-bench.XXXXXX)
chmod 755 "$tmp"
echo "date: $(date -u +%FT%TZ)  binary: ${guichet#"$root"/}  wrk: -t$wrk_threads -c$connections -d${duration}s"
echo "tmp dir: $tmp ($(df -T "$tmp" | awk 'NR==2 {print $2}'))"
: >"$tmp/summary.txt"
if [[ "$backend" == sqlite || "$backend" == both ]]; then run_backend sqlite; fi
if [[ "$backend" == postgresql || "$backend" == both ]]; then
  [[ -x "$PGBIN/initdb" ]] || die "$PGBIN/initdb not found; run scripts/install-deps"
  run_backend postgresql
fi
echo
echo "== summary (req/s, p50, p99, non-2xx of the expected status)"
printf '%-11s %-7s %12s %10s %10s %8s\n' backend case req/s p50 p99 errors
cat "$tmp/summary.txt"
