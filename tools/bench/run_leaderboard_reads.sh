#!/bin/bash
# Issue 12's leaderboard read figure end to end: a live board of ENTRIES (1,000,000) entries
# (players and rows seeded in SQL, the board hydrated by one REST submit), then closed-loop
# GET /api/v1/leaderboards/:id?limit=100 (top-100) and GET .../around/:player?range=5
# (around-5) on CLIENTS keep-alive connections. The latency is the client's (HTTP round trip
# on loopback included), an upper bound of the server time.
#
# Usage: tools/bench/run_leaderboard_reads.sh
# Environment:
#   BUILD=build  PORT=18099  SHARDS=1  SERVER_CPUS=0  CLIENT_CPUS=1
#   ENTRIES=1000000  CLIENTS=1  SECONDS_MEASURED=10
# Uses a fresh database on the cluster named by ASOBI_DB_* (or the dev cluster), dropped at
# the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18099}; shards=${SHARDS:-1}
server_cpus=${SERVER_CPUS:-0}; client_cpus=${CLIENT_CPUS:-1}
entries=${ENTRIES:-1000000}; clients=${CLIENTS:-1}; window=${SECONDS_MEASURED:-10}
if [[ -z "${ASOBI_DB_HOST:-}" ]]; then
  bash tools/dev-db.sh start > /dev/null
  set -a; . .dev/pg/env; set +a
fi
dbname="asobi_bench_lbreads_$$"
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER
export PGPASSWORD=${ASOBI_DB_PASSWORD:-}
psql -q -d postgres -c "CREATE DATABASE $dbname" > /dev/null
sql() { psql -X -q -t -A -d "$dbname" -c "$1"; }
bench="$build/tools/bench/asobi-bench"
taskset -c "$server_cpus" "$build/src/server/asobi" --port "$port" --shards "$shards" \
  --log-level warn --db-host "$ASOBI_DB_HOST" --db-port "$ASOBI_DB_PORT" --db-name "$dbname" \
  --db-user "$ASOBI_DB_USER" --guest-auth --guest-pepper "bench-pepper-bench-pepper-bench-pepper-0" \
  --conn-per-ip-max 0 --rate-limits api=100000000/1000,auth=1000000/1000,register=1000000/1000 \
  --leaderboard-client-submit all &
server=$!
work=$(mktemp -d /tmp/asobi-lbreads.XXXXXX)
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" > /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
  sleep 0.1
done
"$bench" rest --port "$port" --players 1 --clients 4 --players-file "$work/p" --guests 4 \
  --guests-file "$work/g" --token-file-out "$work/tokens" --phases none --duration 1 > /dev/null
echo "== seeding $entries players and board rows"
s0=$(date +%s)
sql "INSERT INTO players (id, username, inserted_at, updated_at)
       SELECT gen_random_uuid(), 'lbseed' || i, now(), now() FROM generate_series(1, $entries) i;
     INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at)
       SELECT gen_random_uuid(), 'big', id, (random() * 10000000)::bigint, now() FROM players
       WHERE username LIKE 'lbseed%';"
echo "seeded in $(( $(date +%s) - s0 )) s"
token=$(head -1 "$work/tokens" | cut -d' ' -f1)
h0=$(date +%s.%N)
curl -fs -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"score":5000000}' "http://127.0.0.1:$port/api/v1/leaderboards/big" > /dev/null
echo "first submit (hydrates $entries rows) answered in $(echo "$(date +%s.%N) - $h0" | bc | cut -c1-5) s"
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$server/stat"
}
# Every reader is on the board (mid-table), so around-5 returns 11 rows.
for t in $(cut -d' ' -f1 "$work/tokens"); do
  curl -fs -X POST -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
    -d '{"score":5000000}' "http://127.0.0.1:$port/api/v1/leaderboards/big" > /dev/null
done
for read in "top-100 /api/v1/leaderboards/big?limit=100" \
            "around-5 /api/v1/leaderboards/big/around/{player}?range=5"; do
  name=${read%% *}; path=${read#* }
  echo "== $name: GET $path, $clients client(s), ${window}s (server cpus $server_cpus, client cpus $client_cpus)"
  cpu0=$(server_cpu); t0=$(date +%s.%N)
  taskset -c "$client_cpus" "$bench" leaderboard --port "$port" --token-file "$work/tokens" \
    --clients "$clients" --duration "$window" --get "$path" || true
  cpu1=$(server_cpu); t1=$(date +%s.%N)
  echo "server cpu $(echo "$cpu1 - $cpu0" | bc)s over $(echo "$t1 - $t0" | bc | cut -c1-5)s"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
