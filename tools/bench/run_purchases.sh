#!/bin/bash
# Issue 12's economy figures: store purchases per second over REST with the ledger checked
# exact afterwards, and wallet contention (N purchases of price 1 racing for one wallet that
# holds HOLD: exactly HOLD succeed).
#
# Usage: tools/bench/run_purchases.sh
# Environment:
#   BUILD=build            build directory holding asobi and asobi-bench
#   PORT=18096             server port
#   SERVER_CPUS=0          cores for the server process
#   CLIENT_CPUS=1          cores for the bench client
#   SHARDS=1               server shards
#   PLAYERS=200            buyers (guest sessions), each funded with 10,000,000 gold
#   CLIENTS=64             concurrent keep-alive purchase clients
#   SECONDS_MEASURED=20    measured window
#   CONTENTION=1000        racing purchases in the contention pass
#   HOLD=500               gold of the contended wallet
# Uses a fresh database on the cluster named by ASOBI_DB_* (or the dev cluster,
# tools/dev-db.sh), dropped at the end. PostgreSQL itself is not pinned.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18096}
server_cpus=${SERVER_CPUS:-0}; client_cpus=${CLIENT_CPUS:-1}; shards=${SHARDS:-1}
players=${PLAYERS:-200}; clients=${CLIENTS:-64}; window=${SECONDS_MEASURED:-20}
contention=${CONTENTION:-1000}; hold=${HOLD:-500}
if [[ -z "${ASOBI_DB_HOST:-}" ]]; then
  bash tools/dev-db.sh start > /dev/null
  set -a; . .dev/pg/env; set +a
fi
dbname="asobi_bench_economy_$$"
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER
export PGPASSWORD=${ASOBI_DB_PASSWORD:-}
psql -q -d postgres -c "CREATE DATABASE $dbname" > /dev/null
sql() { psql -X -q -t -A -d "$dbname" -c "$1"; }
bench="$build/tools/bench/asobi-bench"
taskset -c "$server_cpus" "$build/src/server/asobi" --port "$port" --shards "$shards" \
  --log-level warn --db-host "$ASOBI_DB_HOST" --db-port "$ASOBI_DB_PORT" --db-name "$dbname" \
  --db-user "$ASOBI_DB_USER" --guest-auth --guest-pepper "bench-pepper-bench-pepper-bench-pepper-0" \
  --conn-per-ip-max 0 --rate-limits api=1000000/1000,auth=1000000/1000,register=1000000/1000 &
server=$!
tokens=$(mktemp /tmp/asobi-purchase-tokens.XXXXXX)
guests=$(mktemp /tmp/asobi-purchase-guests.XXXXXX)
pfile=$(mktemp /tmp/asobi-purchase-players.XXXXXX)
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
listing=0190b000-0000-7000-8000-0000000be001
sql "INSERT INTO item_defs (id, slug, name, category, inserted_at, updated_at) VALUES
       ('0190b000-0000-7000-8000-0000000be000', 'bench_gem', 'Gem', 'loot', now(), now());
     INSERT INTO store_listings (id, item_def_id, currency, price) VALUES
       ('$listing', '0190b000-0000-7000-8000-0000000be000', 'gold', 1);"
# Every buyer gets 10,000,000 gold through the ledger (wallet + seed transaction).
sql "WITH w AS (INSERT INTO wallets (id, player_id, currency, balance, inserted_at, updated_at)
       SELECT gen_random_uuid(), id, 'gold', 10000000, now(), now() FROM players RETURNING id)
     INSERT INTO transactions (id, wallet_id, amount, balance_after, reason, inserted_at)
       SELECT gen_random_uuid(), id, 10000000, 10000000, 'seed', now() FROM w;"
# Baseline in the same run (the machine is shared and noisy): GET /api/v1/players/:id, one
# indexed read behind the same bearer check, at the same concurrency; passes alternate.
for pass in 1 2; do
  echo "== pass $pass baseline: GET /players/:id, $clients clients, ${window}s"
  taskset -c "$client_cpus" "$bench" rest --port "$port" --players 1 --clients "$clients" \
    --players-file "$pfile" --phases get --duration "$window" |
    grep '^get'
  echo "== pass $pass purchases: $clients clients, $players buyers, ${window}s (server cpus $server_cpus, client cpus $client_cpus, $shards shard(s))"
  taskset -c "$client_cpus" "$bench" economy --port "$port" --token-file "$tokens" \
    --listing "$listing" --clients "$clients" --duration "$window" || true
done
echo "ledger: wallets whose transactions do not sum to the balance: $(sql "
  SELECT count(*) FROM wallets w WHERE balance <> (SELECT sum(amount) FROM transactions t
  WHERE t.wallet_id = w.id)")"
echo "ledger: purchase rows $(sql "SELECT count(*) FROM transactions WHERE reason = 'purchase'"),
  items $(sql "SELECT count(*) FROM player_items"), gold spent $(sql "
  SELECT sum(10000000 - balance) FROM wallets")"
echo "== contention: $contention purchases of price 1 at once on one wallet holding $hold"
first=$(head -1 "$tokens" | cut -d' ' -f2)
sql "DELETE FROM player_items WHERE player_id = '$first';
     DELETE FROM transactions WHERE wallet_id = (SELECT id FROM wallets WHERE player_id = '$first');
     UPDATE wallets SET balance = $hold WHERE player_id = '$first';
     INSERT INTO transactions (id, wallet_id, amount, balance_after, reason, inserted_at)
       SELECT gen_random_uuid(), id, $hold, $hold, 'seed', now() FROM wallets
       WHERE player_id = '$first';"
taskset -c "$client_cpus" "$bench" economy --port "$port" --token-file "$tokens" \
  --listing "$listing" --contention "$contention" || true
echo "contended wallet: balance $(sql "SELECT balance FROM wallets WHERE player_id = '$first'"),
  ledger sum $(sql "SELECT sum(t.amount) FROM transactions t JOIN wallets w ON t.wallet_id = w.id
  WHERE w.player_id = '$first'"), items $(sql "SELECT count(*) FROM player_items
  WHERE player_id = '$first'")"
