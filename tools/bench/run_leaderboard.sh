#!/bin/bash
# Issue 12's leaderboard submit figure: POST /api/v1/leaderboards/:board submits per second,
# paced to RATE in total (or a closed loop with RATE=0), with p50/p99 latency from each
# submit's scheduled time, and the CPU the server and the client used in the window.
#
# Usage: tools/bench/run_leaderboard.sh
# Environment:
#   BUILD=build            build directory holding asobi and asobi-bench
#   PORT=18097             server port
#   SERVER_CPUS=0          cores for the server process
#   CLIENT_CPUS=1          cores for the bench client
#   SHARDS=1               server shards
#   PLAYERS=1000           submitting players (guest sessions)
#   CLIENTS=128            concurrent keep-alive clients (player c % PLAYERS each)
#   RATE=50000             total submits/s (0 = closed loop)
#   SECONDS_MEASURED=60    measured window
#   FLUSH_MS=30000         --leaderboard-flush-ms
#   LUA=1                  submit through Lua instead of REST: POST /api/v1/rpc/bench.submit,
#                          whose handler (tools/bench/games/bench_rpc.lua) calls
#                          game.leaderboard.submit for the caller (tools/bench/run_leaderboard_lua.sh)
# Uses a fresh database on the cluster named by ASOBI_DB_* (or the dev cluster,
# tools/dev-db.sh), dropped at the end. PostgreSQL itself is not pinned.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18097}
server_cpus=${SERVER_CPUS:-0}; client_cpus=${CLIENT_CPUS:-1}; shards=${SHARDS:-1}
players=${PLAYERS:-1000}; clients=${CLIENTS:-128}; rate=${RATE:-50000}
window=${SECONDS_MEASURED:-60}; flush_ms=${FLUSH_MS:-30000}
if [[ -z "${ASOBI_DB_HOST:-}" ]]; then
  bash tools/dev-db.sh start > /dev/null
  set -a; . .dev/pg/env; set +a
fi
dbname="asobi_bench_lb_$$"
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER
export PGPASSWORD=${ASOBI_DB_PASSWORD:-}
psql -q -d postgres -c "CREATE DATABASE $dbname" > /dev/null
sql() { psql -X -q -t -A -d "$dbname" -c "$1"; }
bench="$build/tools/bench/asobi-bench"
if [[ "${LUA:-0}" == 1 ]]; then
  server_extra="--game-dir tools/bench/games"; client_extra="--rpc bench.submit"; via="Lua RPC"
else
  server_extra="--leaderboard-client-submit all"; client_extra=""; via="REST"
fi
taskset -c "$server_cpus" "$build/src/server/asobi" --port "$port" --shards "$shards" \
  --log-level warn --db-host "$ASOBI_DB_HOST" --db-port "$ASOBI_DB_PORT" --db-name "$dbname" \
  --db-user "$ASOBI_DB_USER" --guest-auth --guest-pepper "bench-pepper-bench-pepper-bench-pepper-0" \
  --conn-per-ip-max 0 --rate-limits api=100000000/1000,auth=1000000/1000,register=1000000/1000 \
  --leaderboard-flush-ms "$flush_ms" $server_extra &
server=$!
tokens=$(mktemp /tmp/asobi-lb-tokens.XXXXXX)
guests=$(mktemp /tmp/asobi-lb-guests.XXXXXX)
pfile=$(mktemp /tmp/asobi-lb-players.XXXXXX)
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" > /dev/null || true
  rm -f "$tokens" "$guests" "$pfile"
}
trap cleanup EXIT
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
  sleep 0.1
done
taskset -c "$client_cpus" "$bench" rest --port "$port" --players 1 --clients 20 \
  --players-file "$pfile" --guests "$players" \
  --guests-file "$guests" --token-file-out "$tokens" --phases none --duration 1 > /dev/null
# CPU seconds (user + system) of the server so far.
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$server/stat"
}
echo "== leaderboard submits ($via): rate $rate/s, $clients clients, $players players, ${window}s" \
  "(server cpus $server_cpus, client cpus $client_cpus, $shards shard(s), flush ${flush_ms} ms)"
cpu0=$(server_cpu); t0=$(date +%s.%N)
taskset -c "$client_cpus" "$bench" leaderboard --port "$port" --token-file "$tokens" \
  --board bench --clients "$clients" --rate "$rate" --duration "$window" $client_extra || true
cpu1=$(server_cpu); t1=$(date +%s.%N)
echo "server cpu $(echo "$cpu1 - $cpu0" | bc)s over $(echo "$t1 - $t0" | bc | cut -c1-5)s" \
  "($(echo "scale=0; 100 * ($cpu1 - $cpu0) / ($t1 - $t0)" | bc)% of one core)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
