#!/bin/bash
# Issue 10's "Database stall" figure: readers and writers run against asobi while PostgreSQL
# is stalled 40 s by a lock on `players`, then restarted (pg_ctl restart). Prints per phase
# how requests were answered and how fast, when /ready flipped, and whether every
# acknowledged write survived (tools/bench/db_stall_load.py does the measuring).
#
# Usage: tools/bench/run_db_stall.sh
# Environment:
#   BUILD=build          build directory holding src/server/asobi
#   BIN=$BUILD/src/server/asobi   server binary (e.g. an older build, for a side-by-side run)
#   PORT=18096           server port
#   SERVER_CPUS=0        cores for the server process (and PostgreSQL)
#   CLIENT_CPUS=1        cores for the load client
#   SHARDS=1             server shards
#   DB_TIMEOUT_MS=3000   --db-timeout-ms (the deadline of every database statement; empty:
#                        flag not passed, for binaries that predate it)
#   READERS=16 WRITERS=4 concurrent clients
#   BEFORE=10 STALL=40 AFTER=15   seconds of each phase
# Runs its own PostgreSQL cluster in a temporary directory (tools/dev-db.sh start <dir>).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18096}
server_cpus=${SERVER_CPUS:-0}; client_cpus=${CLIENT_CPUS:-1}
dir=$(mktemp -d /tmp/asobi-dbstall.XXXXXX)
chmod 755 "$dir"
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  bash tools/dev-db.sh stop "$dir/pg" > /dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
env_text=$(bash tools/dev-db.sh start "$dir/pg")
eval "$(echo "$env_text" | sed 's/^/export /')"
# PostgreSQL shares the server's cores: the load client gets its own.
for pid in $(pgrep -f "postgres.*$dir/pg" || true); do taskset -acp "$server_cpus" "$pid" > /dev/null; done
timeout_flag=()
db_timeout_ms=${DB_TIMEOUT_MS-3000}
[[ -n "$db_timeout_ms" ]] && timeout_flag=(--db-timeout-ms "$db_timeout_ms")
taskset -c "$server_cpus" "${BIN:-$build/src/server/asobi}" --port "$port" --shards "${SHARDS:-1}" \
  --no-pin --db-host "$ASOBI_DB_HOST" --db-port "$ASOBI_DB_PORT" \
  --db-user "$ASOBI_DB_USER" --db-name "$ASOBI_DB_NAME" "${timeout_flag[@]}" \
  --rate-limits api=1000000/1000,auth=1000000/1000,register=1000000/1000 \
  2> "$dir/server.log" &
server=$!
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
  sleep 0.1
done
psql_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/psql
echo "server CPUs $server_cpus, client CPUs $client_cpus, shards ${SHARDS:-1}," \
  "db timeout ${db_timeout_ms:-unset} ms, readers ${READERS:-16}, writers ${WRITERS:-4}"
status=0
taskset -c "$client_cpus" python3 tools/bench/db_stall_load.py --port "$port" \
  --psql "$psql_bin -X -q -h $ASOBI_DB_HOST -p $ASOBI_DB_PORT -U $ASOBI_DB_USER -d $ASOBI_DB_NAME" \
  --restart "bash tools/dev-db.sh restart $dir/pg" \
  --readers "${READERS:-16}" --writers "${WRITERS:-4}" \
  --before "${BEFORE:-10}" --stall "${STALL:-40}" --after "${AFTER:-15}" || status=$?
echo "server log: $(grep -c 'database connection lost' "$dir/server.log") connection losses," \
  "$(grep -c 'database connected' "$dir/server.log") connects," \
  "$(grep -c 'database pipeline stalled' "$dir/server.log") stall reports"
if [[ -n "${SHOW_LOG:-}" ]]; then grep -E "level=(warn|error)" "$dir/server.log" | head -40; fi
exit $status
