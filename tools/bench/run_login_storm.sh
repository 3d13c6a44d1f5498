#!/bin/bash
# Issue 3's login-storm figure: heartbeat latency of N authenticated WebSockets, first quiet,
# then while C REST clients hammer POST /auth/login (argon2id on the worker pool). One run
# prints both, so the ratio compares like with like on a noisy machine.
#
# Usage: tools/bench/run_login_storm.sh
# Environment:
#   BUILD=build             build directory holding asobi and asobi-bench
#   PORT=18095              server port
#   SERVER_CPUS=0           cores for the server process (shard + hashing workers)
#   CLIENT_CPUS=1           cores for both bench clients
#   SOCKETS=3500            WebSockets (guest sessions: no password hash to set them up)
#   RATE=3500               heartbeats per second over all sockets (1 per socket per second)
#   LOGIN_CLIENTS=100       concurrent login clients
#   SECONDS_MEASURED=15     measured window of each heartbeat pass
# Starts a private PostgreSQL (tools/dev-db.sh) unless ASOBI_DB_HOST is set.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18095}
server_cpus=${SERVER_CPUS:-0}; client_cpus=${CLIENT_CPUS:-1}
sockets=${SOCKETS:-3500}; rate=${RATE:-3500}; clients=${LOGIN_CLIENTS:-100}
window=${SECONDS_MEASURED:-15}
if [[ -z "${ASOBI_DB_HOST:-}" ]]; then
  bash tools/dev-db.sh start > /dev/null
  set -a; . .dev/pg/env; set +a
fi
bench="$build/tools/bench/asobi-bench"
taskset -c "$server_cpus" "$build/src/server/asobi" --port "$port" --shards 1 --log-level warn \
  --guest-auth --guest-pepper "bench-pepper-bench-pepper-bench-pepper-0" \
  --ws-connect-limit 1000000 --ws-rate-limit 1000 --conn-per-ip-max 0 \
  --rate-limits api=1000000/1000,auth=1000000/1000,register=1000000/1000 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
  sleep 0.1
done
tokens=$(mktemp /tmp/asobi-storm-tokens.XXXXXX)
# Password players for the storm (registered once, cached) and guest tokens for the sockets.
taskset -c "$client_cpus" "$bench" rest --port "$port" --players 100 --clients 20 \
  --players-file /tmp/asobi-bench-storm-players.txt --guests "$sockets" \
  --token-file-out "$tokens" --phases none --duration 1
hb=(--port "$port" -c "$sockets" --token-file "$tokens" --mode open --rate "$rate"
    --warmup 2 --duration "$window" --cpu "$client_cpus" --server-pid "$server")
echo "== heartbeats, no login storm"
"$bench" "${hb[@]}"
echo "== heartbeats during a login storm of $clients clients"
taskset -c "$client_cpus" "$bench" rest --port "$port" --players 100 --clients "$clients" \
  --players-file /tmp/asobi-bench-storm-players.txt --phases login \
  --duration $((window + 8)) &
storm=$!
sleep 1
"$bench" "${hb[@]}"
wait $storm
rm -f "$tokens"
