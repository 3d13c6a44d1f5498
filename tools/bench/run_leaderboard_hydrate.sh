#!/bin/bash
# How much hydrating a big board stalls its shard: ENTRIES (1,000,000) stored rows of board
# 'big' (players and rows seeded in SQL), then one REST submit makes the board live (the owner
# loads every stored row) while a sequential curl loop measures an unrelated request served
# by the same shard that queries the database (GET /api/v1/wallets). Prints the hydration
# time (the submit's round trip) and the wallet request's p50/p99/max during it, and the same
# request idle beforehand. SHARDS=1: the board and the wallet request share the shard and its
# one PostgreSQL connection.
#
# Usage: tools/bench/run_leaderboard_hydrate.sh        (BUILD=/work/main/build: main's binary)
# Environment:
#   BUILD=build  PORT=18098  SHARDS=1  SERVER_CPUS=0  ENTRIES=1000000
#   PROBE=0: no wallet requests during the load (the hydration time alone)
#   DB=name: use (and keep) this already seeded database instead of a fresh one; KEEP=1 keeps
#   the fresh one (to compare two binaries on the same rows without seeding twice).
# Uses a fresh database on the cluster named by ASOBI_DB_* (or the dev cluster), dropped at
# the end unless KEEP=1.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18098}; shards=${SHARDS:-1}
server_cpus=${SERVER_CPUS:-0}; entries=${ENTRIES:-1000000}
if [[ -z "${ASOBI_DB_HOST:-}" ]]; then
  bash tools/dev-db.sh start > /dev/null
  set -a; . .dev/pg/env; set +a
fi
dbname=${DB:-asobi_bench_lbhyd_$$}
keep=${KEEP:-}; [[ -n "${DB:-}" ]] && keep=1
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER
export PGPASSWORD=${ASOBI_DB_PASSWORD:-}
[[ -n "${DB:-}" ]] || psql -q -d postgres -c "CREATE DATABASE $dbname" > /dev/null
sql() { psql -X -q -t -A -d "$dbname" -c "$1"; }
bench="$build/tools/bench/asobi-bench"
taskset -c "$server_cpus" "$build/src/server/asobi" --port "$port" --shards "$shards" \
  --log-level "${LOG_LEVEL:-info}" --db-host "$ASOBI_DB_HOST" --db-port "$ASOBI_DB_PORT" --db-name "$dbname" \
  --db-user "$ASOBI_DB_USER" --guest-auth --guest-pepper "bench-pepper-bench-pepper-bench-pepper-0" \
  --conn-per-ip-max 0 --rate-limits api=100000000/1000,auth=1000000/1000,register=1000000/1000 \
  --leaderboard-client-submit all &
server=$!
work=$(mktemp -d /tmp/asobi-lbhyd.XXXXXX)
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  [[ -n "$keep" ]] || psql -q -d postgres -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" > /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$port/ready" > /dev/null 2>&1 && break
  sleep 0.1
done
"$bench" rest --port "$port" --players 1 --clients 2 --players-file "$work/p" --guests 2 \
  --guests-file "$work/g" --token-file-out "$work/tokens" --phases none --duration 1 > /dev/null
if [[ -z "${DB:-}" ]]; then
echo "== seeding $entries players and board rows"
s0=$(date +%s)
sql "INSERT INTO players (id, username, inserted_at, updated_at)
       SELECT gen_random_uuid(), 'lbseed' || i, now(), now() FROM generate_series(1, $entries) i;
     INSERT INTO leaderboard_entries (id, leaderboard_id, player_id, score, updated_at)
       SELECT gen_random_uuid(), 'big', id, (random() * 10000000)::bigint, now() FROM players
       WHERE username LIKE 'lbseed%';
     "
# A table that has lived is vacuumed (all-visible: index-only scans skip the heap).
sql "VACUUM ANALYZE leaderboard_entries"
echo "seeded in $(( $(date +%s) - s0 )) s"
fi
echo "board 'big' holds $(sql "SELECT count(*) FROM leaderboard_entries WHERE leaderboard_id = 'big'") rows"
token=$(sed -n 1p "$work/tokens" | cut -d' ' -f1)
other=$(sed -n 2p "$work/tokens" | cut -d' ' -f1)
# One wallet request; prints its total time in ms (or "fail").
wallet() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $other" \
    "http://127.0.0.1:$port/api/v1/wallets" | awk '{ if ($1 == 200) printf "%.2f\n", $2 * 1000; else printf "fail %s %.2f\n", $1, $2 * 1000 }'
}
# p50/p99/max of the numbers in file $1.
pct() {
  grep -v fail "$1" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "no samples"; exit }
    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR
    printf "n=%d p50=%.2fms p99=%.2fms max=%.2fms", NR, v[i50], v[i99], v[NR] }'
  echo " failed=$(grep -c fail "$1" || true) $(grep fail "$1" | head -3 | tr "\n" " ")"
}
echo "== GET /api/v1/wallets idle, 3 s"
t_end=$(( $(date +%s) + 3 ))
while (( $(date +%s) < t_end )); do wallet; done > "$work/idle"
echo "idle: $(pct "$work/idle")"
echo "== first submit on 'big' (hydrates the board) while GET /api/v1/wallets loops"
h0=$(date +%s.%N)
# A submit that outlives the HTTP request timeout answers 503 not_ready; the board keeps
# loading and the retry waits for it (it is queued behind the load).
( for _ in $(seq 60); do
    code=$(curl -s -o "$work/submit" -w '%{http_code}' -X POST \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"score":5000000}' "http://127.0.0.1:$port/api/v1/leaderboards/big" || true)
    echo "$code $(echo "$(date +%s.%N) - $h0" | bc | cut -c1-6)s" >> "$work/status"
    [[ "$code" == 200 ]] && break
  done
  echo "$(date +%s.%N) - $h0" | bc | cut -c1-6 > "$work/hydrated" ) &
submitter=$!
if [[ "${PROBE:-1}" == 1 ]]; then
  while [[ ! -s "$work/hydrated" ]]; do wallet; done > "$work/during"
else
  wait "$submitter"; : > "$work/during"
fi
wait "$submitter"
echo "submits (status, time since the first): $(tr '\n' ' ' < "$work/status")"
echo "board live (first 200) after $(cat "$work/hydrated") s: $(cat "$work/submit")"
echo "during hydration: $(pct "$work/during")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
