#!/bin/bash
# Issue 12's leaderboard crash figure: submits scores over REST (each player's scores only go
# up), kill -9s the server mid-load, restarts it on the same database and checks that every
# submit acknowledged more than one flush interval before the kill is in leaderboard_entries
# (each player's stored score >= the highest score acknowledged before kill - FLUSH_MS). Exits
# 1 when one is missing. `--short` is the meson test `tools_leaderboard_crash_short` (< 30 s).
#
# Usage: tools/bench/run_leaderboard_crash.sh [--short]
# Environment:
#   BUILD=build              build directory (for both binaries below)
#   ASOBI_SERVER_BIN=        server binary ($BUILD/src/server/asobi)
#   ASOBI_BENCH_BIN=         asobi-bench binary ($BUILD/tools/bench/asobi-bench)
#   PORT=18098               server port
#   SHARDS=2                 server shards
#   PLAYERS=200              players, one client each
#   RATE=10000               total submits/s
#   KILL_AFTER=20            seconds of load before the kill -9 (--short: 5)
#   FLUSH_MS=1000            --leaderboard-flush-ms
# Uses a fresh database on the cluster named by ASOBI_DB_* (or the worktree's dev cluster,
# tools/dev-db.sh), dropped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
short=0
[[ "${1:-}" == "--short" ]] && short=1
build=${BUILD:-$root/build}
server_bin=${ASOBI_SERVER_BIN:-$build/src/server/asobi}
bench=${ASOBI_BENCH_BIN:-$build/tools/bench/asobi-bench}
port=${PORT:-18098}; shards=${SHARDS:-2}; players=${PLAYERS:-200}; rate=${RATE:-10000}
flush_ms=${FLUSH_MS:-1000}
kill_after=${KILL_AFTER:-20}
if [[ $short == 1 ]]; then kill_after=${KILL_AFTER:-5}; players=${PLAYERS:-50}; rate=${RATE:-2000}; fi
if [[ -z "${ASOBI_DB_HOST:-}" ]]; then
  bash tools/dev-db.sh start > /dev/null
  set -a; . .dev/pg/env; set +a
fi
dbname="asobi_bench_lbcrash_$$"
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER
export PGPASSWORD=${ASOBI_DB_PASSWORD:-}
psql -q -d postgres -c "CREATE DATABASE $dbname" > /dev/null
sql() { psql -X -q -t -A -d "$dbname" -c "$1"; }
work=$(mktemp -d /tmp/asobi-lbcrash.XXXXXX)
server=""
start_server() {
  "$server_bin" --port "$port" --shards "$shards" --log-level warn \
    --db-host "$ASOBI_DB_HOST" --db-port "$ASOBI_DB_PORT" --db-name "$dbname" \
    --db-user "$ASOBI_DB_USER" --guest-auth \
    --guest-pepper "bench-pepper-bench-pepper-bench-pepper-0" --conn-per-ip-max 0 \
    --rate-limits api=100000000/1000,auth=1000000/1000,register=1000000/1000 \
    --leaderboard-client-submit all --leaderboard-flush-ms "$flush_ms" >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not become ready"; cat "$work/server.log"; return 1
}
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null || true
  [[ -n "$server" ]] && wait "$server" 2>/dev/null || true
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" > /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start_server
"$bench" rest --port "$port" --players 1 --clients 20 --players-file "$work/p" \
  --guests "$players" --guests-file "$work/g" --token-file-out "$work/tokens" --phases none \
  --duration 1 > /dev/null
# Load runs past the kill; each client stops at its first failed submit.
"$bench" leaderboard --port "$port" --token-file "$work/tokens" --board crash \
  --clients "$players" --rate "$rate" --duration $((kill_after + 30)) --acks-out "$work/acks" \
  --stop-on-error > "$work/bench.out" 2>&1 &
load=$!
sleep "$kill_after"
kill_ms=$(python3 -c 'import time; print(int(time.monotonic() * 1000))')
kill -9 "$server"
wait "$server" 2>/dev/null || true
wait "$load" || true
cat "$work/bench.out"
start_server
sql "SELECT player_id, score FROM leaderboard_entries WHERE leaderboard_id = 'crash'" \
  > "$work/stored"
python3 - "$work/acks" "$work/stored" "$kill_ms" "$flush_ms" <<'PY'
import sys
acks, stored, kill_ms, flush_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cutoff = kill_ms - flush_ms
must, last = {}, {}
total = before = 0
for line in open(acks):
    p, score, t = line.split()
    score, t = int(score), int(t)
    total += 1
    last[p] = max(last.get(p, 0), score)
    if t <= cutoff:
        before += 1
        must[p] = max(must.get(p, 0), score)
have = {}
for line in open(stored):
    if line.strip():
        p, score = line.strip().split('|')
        have[p] = int(score)
missing = sum(1 for p, s in must.items() if have.get(p, 0) < s)
lost_recent = sum(last[p] - have.get(p, 0) for p in last if have.get(p, 0) < last[p])
print(f"acknowledged submits: {total}; {before} more than {flush_ms} ms before the kill, "
      f"covering {len(must)} players")
print(f"players whose stored score is below their last submit acknowledged before the "
      f"cutoff: {missing}")
print(f"acknowledged submits not in the table (all within the last flush interval): "
      f"{lost_recent}")
if total == 0 or before == 0:
    print("FAIL: no submits were acknowledged before the cutoff"); sys.exit(1)
sys.exit(1 if missing else 0)
PY
