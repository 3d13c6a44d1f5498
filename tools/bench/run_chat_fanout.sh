#!/bin/bash
# Issue 11 chat numbers (bench/README.md "Issue 11: chat numbers"): starts asobi on the
# worktree's PostgreSQL (tools/dev-db.sh) with the bench games, seeds 10,000 players with access
# tokens, 1,000 groups of 10 members, runs one
# `asobi-bench chat` scenario, then prints the server's chat/directory metrics and the
# chat_messages rows the run added.
#
# Usage: tools/bench/run_chat_fanout.sh <scenario> [extra asobi-bench chat flags...]
#   channel  one global: channel, 10,000 sockets, 10 chat.send/s
#   rooms    1,000 room: channels of 10 members, 2,000 chat.send/s in total
#   dm       5,000 online players, 5,000 dm.send/s in total
#   churn    100,000 connect + join + close at 2,000/s
# Environment:
#   BUILD=build   build directory holding both binaries
#   PORT=18611    server port (must be free: listeners use SO_REUSEPORT);  SHARDS=2 server shards (not pinned)
#   DURATION=10   measured seconds (channel, rooms, dm);  THREADS=2 client threads
#   SERVER_CPUS / CLIENT_CPUS   optional taskset CPU lists (e.g. 0 and 1) to pin each process
#   ASOBI_DB_*    the database (set -a; . .dev/pg/env; set +a after tools/dev-db.sh start)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
scenario=${1:?usage: run_chat_fanout.sh channel|rooms|dm|churn [flags...]}
shift
build=${BUILD:-build}; port=${PORT:-18611}; shards=${SHARDS:-2}
duration=${DURATION:-10}; threads=${THREADS:-2}
server_pin=(); client_pin=()
[[ -n ${SERVER_CPUS:-} ]] && server_pin=(taskset -c "$SERVER_CPUS")
[[ -n ${CLIENT_CPUS:-} ]] && client_pin=(taskset -c "$CLIENT_CPUS")
: "${ASOBI_DB_HOST:?set the ASOBI_DB_* variables (tools/dev-db.sh)}"
export PGHOST=$ASOBI_DB_HOST PGPORT=$ASOBI_DB_PORT PGUSER=$ASOBI_DB_USER PGDATABASE=$ASOBI_DB_NAME
case $scenario in
  channel) players=10000; flags=(--pattern channel -n 10000 --rate 10 --senders 1) ;;
  rooms) players=10000; flags=(--pattern rooms -n 10000 --members 10 --rate 2000) ;;
  dm) players=5000; flags=(--pattern dm -n 5000 --rate 5000) ;;
  churn) players=10000; flags=(--pattern churn -n 100000 --rate 2000 --wave 2000) ;;
  *) echo "unknown scenario $scenario" >&2; exit 2 ;;
esac
# Real access tokens (the server verifies them against player_tokens when it has a database):
# raw = base64 of 32 bytes, stored = base64(SHA-256(bytes)) (src/game/auth/tokens.h).
tmp=${TMPDIR:-/tmp}
tokens=$tmp/asobi_chat_tokens.txt; token_rows=$tmp/asobi_chat_token_rows.csv
python3 - "$tokens" "$token_rows" <<'PY'
import base64, hashlib, sys, uuid
with open(sys.argv[1], "w") as t, open(sys.argv[2], "w") as rows:
    for i in range(10000):
        raw = hashlib.sha256(f"asobi chat bench {i}".encode()).digest()
        pid = uuid.UUID(int=(0x01900000000070008000 << 48) + i)
        t.write(f"{base64.b64encode(raw).decode()} {pid}\n")
        stored = base64.b64encode(hashlib.sha256(raw).digest()).decode()
        rows.write(f"{uuid.UUID(int=(0x01920000000070008000 << 48) + i)},{pid},{stored}\n")
PY
rooms=$tmp/asobi_chat_rooms.txt
python3 -c "import uuid
for r in range(1000): print(uuid.UUID(int=(0x01910000000070008000<<48)+r))" > "$rooms"

if curl -s -o /dev/null "http://127.0.0.1:$port/health"; then
  echo "port $port is taken by another server (SO_REUSEPORT would split the load): set PORT" >&2
  exit 2
fi
# The server migrates on start; seed after it is listening.
"${server_pin[@]}" "$build/src/server/asobi" --port "$port" --shards "$shards" --no-pin \
  --ws-connect-limit 1000000 --ws-rate-limit 100000 --log-level warn \
  --conn-per-ip-max 0 --game-dir tools/bench/games &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 300); do  # ready and migrated (the seed needs the tables)
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 &&
    [[ -n $(psql -tAc "SELECT to_regclass('group_members')" 2>/dev/null) ]] && break
  sleep 0.1
done
psql -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO players (id, username, inserted_at, updated_at)
  SELECT ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'chatbench' || i, now(), now()
  FROM generate_series(0, 9999) i ON CONFLICT DO NOTHING;
INSERT INTO groups (id, name, max_members, open, inserted_at, updated_at)
  SELECT ('01910000-0000-7000-8000-' || lpad(to_hex(r), 12, '0'))::uuid, 'chatbench' || r, 50, true, now(), now()
  FROM generate_series(0, 999) r ON CONFLICT DO NOTHING;
INSERT INTO group_members (id, group_id, player_id, role, joined_at)
  SELECT gen_random_uuid(), ('01910000-0000-7000-8000-' || lpad(to_hex(i / 10), 12, '0'))::uuid,
         ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'member', now()
  FROM generate_series(0, 9999) i ON CONFLICT DO NOTHING;
CREATE TEMP TABLE bench_tokens (id uuid, user_id uuid, token text);
\copy bench_tokens FROM '$token_rows' CSV
INSERT INTO player_tokens (id, user_id, token, context, inserted_at)
  SELECT id, user_id, token, 'access', now() FROM bench_tokens ON CONFLICT (id) DO UPDATE
  SET inserted_at = now();
SQL
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
rows0=$(psql -tAc "SELECT count(*) FROM chat_messages")
published0=$(metric asobi_chat_messages_total); hrows0=$(metric asobi_chat_history_rows_total)
batches0=$(metric asobi_chat_history_batches_total)
dmq0=$(metric asobi_dm_block_queries_total)
rc=0
"${client_pin[@]}" "$build/tools/bench/asobi-bench" chat --port "$port" --token-file "$tokens" --room-file "$rooms" \
  --threads "$threads" --duration "$duration" --server-pid "$server" "${flags[@]}" "$@" || rc=$?
# History rows are written in batches: wait until nothing is buffered.
for _ in $(seq 100); do
  [[ $(metric asobi_chat_history_waiting) == 0 ]] && break
  sleep 0.1
done
# Sockets close asynchronously: wait for the directory and the subscriber lists to empty.
for _ in $(seq 100); do
  [[ $(metric asobi_directory_entries) == 0 && $(metric asobi_chat_subscriptions) == 0 ]] && break
  sleep 0.1
done
rows1=$(psql -tAc "SELECT count(*) FROM chat_messages")
published=$(( $(metric asobi_chat_messages_total) - published0 ))
hrows=$(( $(metric asobi_chat_history_rows_total) - hrows0 ))
batches=$(( $(metric asobi_chat_history_batches_total) - batches0 ))
echo "server: messages published $published, chat_messages rows added $((rows1 - rows0))," \
  "history rows $hrows in $batches INSERTs ($(awk -v r=$hrows -v b=$batches \
  'BEGIN {printf "%.1f", b ? r / b : 0}') rows/INSERT), dropped" \
  "$(metric asobi_chat_history_dropped_total), publish dropped $(metric asobi_chat_publish_dropped_total)"
dmq1=$(metric asobi_dm_block_queries_total)
echo "server: DM block checks that asked PostgreSQL" \
  "$([[ -n $dmq0 && -n $dmq1 ]] && echo $((dmq1 - dmq0)) || echo 'n/a (no such metric)')"
echo "server after close: asobi_directory_entries $(metric asobi_directory_entries)," \
  "asobi_chat_subscriptions $(metric asobi_chat_subscriptions)"
kill $server; wait $server || true
trap - EXIT
exit $rc
