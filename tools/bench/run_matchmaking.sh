#!/bin/bash
# One matchmaking measurement (issue 5): starts asobi with the bench games and dev tokens, runs
# `asobi-bench matchmaking` with the given flags, then prints the server's CPU time over the
# run (user + system, from /proc/<pid>/stat) and stops the server.
#
# Usage: tools/bench/run_matchmaking.sh [asobi-bench matchmaking flags...]
#   e.g. tools/bench/run_matchmaking.sh -n 10000 --mode bench4 --play 0 --input-rate 0 --threads 2
#        SERVER_ARGS="--bot-fill-ms 5" tools/bench/run_matchmaking.sh -n 2600 --mode bench_bots \
#          --arrival-rate 200 --play 30 --input-rate 10 --threads 2
# Environment:
#   BUILD=build          build directory holding both binaries
#   PORT=18090           server port
#   SHARDS=2             server shards (not pinned: --no-pin)
#   SERVER_ARGS=         extra server flags
#   TOKENS=/tmp/tokens10k.txt  dev token file (created with 12,000 tokens if absent)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18090}; shards=${SHARDS:-2}
tokens=${TOKENS:-/tmp/tokens10k.txt}
if [[ ! -f $tokens ]]; then
  python3 -c "import uuid
for i in range(12000): print(f'tok{i:06d}x', uuid.UUID(int=(0x01900000000070008000<<48)+i))" \
    > "$tokens"
fi
env -u ASOBI_DB_HOST "$build/src/server/asobi" --port "$port" --shards "$shards" --no-pin \
  --dev-tokens "$tokens" --ws-connect-limit 1000000 --ws-rate-limit 1000 --log-level warn \
  --conn-per-ip-max 0 \
  --game-dir tools/bench/games --match-max 5000 --matchmaker-queue-max 20000 \
  ${SERVER_ARGS:-} &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
c0=$(cpu); t0=$(date +%s.%N)
"$build/tools/bench/asobi-bench" matchmaking --port "$port" --token-file "$tokens" "$@"
c1=$(cpu); t1=$(date +%s.%N)
awk -v c="$((c1 - c0))" -v k="$ticks" -v t0="$t0" -v t1="$t1" 'BEGIN {
  printf "server cpu: %.2f s in %.2f s wall (%.2f cores)\n", c / k, t1 - t0, c / k / (t1 - t0) }'
kill $server; wait $server || true
