#!/bin/bash
# One arena measurement (issue 13, bench/README.md "Issue 13: arena"): starts asobi with the
# bundled game dir (lua/, mode `arena` = shared/examples/arena) and dev tokens, runs
# `asobi-bench arena` (players queue at a fixed rate, play, aim and shoot, vote), and over a
# steady window once every player has arrived scrapes /metrics twice: tick lateness p99 from
# the asobi_match_tick_lateness_seconds buckets (bucket-granular), match ticks run, live
# matches, and the server's CPU (user + system from /proc/<pid>/stat) per match tick.
#
# Usage: tools/bench/run_arena.sh [asobi-bench arena flags...]
#   e.g. tools/bench/run_arena.sh -n 1000 --arrival-rate 20 --play 125 --input-rate 10
# Environment:
#   BUILD=build   PORT=18091   SHARDS=2 (not pinned)   SERVER_ARGS= (extra server flags)
#   FILL_MS=100   --bot-fill-ms and --matchmaker-tick-ms: with ~2 players arriving per fill,
#                 the queue fill adds 2 bots to each pair (match_size 4)
#   SETTLE_S=     seconds before the first scrape (default: arrivals + 8)
#   WINDOW_S=40   seconds between the two scrapes
#   TOKENS=/tmp/tokens10k.txt  dev token file (created with 12,000 tokens if absent)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; port=${PORT:-18091}; shards=${SHARDS:-2}; fill=${FILL_MS:-100}
window=${WINDOW_S:-40}
tokens=${TOKENS:-/tmp/tokens10k.txt}
if [[ ! -f $tokens ]]; then
  python3 -c "import uuid
for i in range(12000): print(f'tok{i:06d}x', uuid.UUID(int=(0x01900000000070008000<<48)+i))" \
    > "$tokens"
fi
players=1000; rate=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -n|--players) players=${args[i+1]} ;;
    --arrival-rate) rate=${args[i+1]} ;;
  esac
done
settle=${SETTLE_S:-$(awk -v n="$players" -v r="$rate" 'BEGIN { print (r > 0 ? int(n / r) : 0) + 8 }')}

env -u ASOBI_DB_HOST "$build/src/server/asobi" --port "$port" --shards "$shards" --no-pin \
  --dev-tokens "$tokens" --ws-connect-limit 1000000 --ws-rate-limit 1000 --log-level warn \
  --conn-per-ip-max 0 --game-dir lua --match-max 5000 --matchmaker-queue-max 20000 \
  --bot-fill-ms "$fill" --matchmaker-tick-ms "$fill" ${SERVER_ARGS:-} &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
scrape() { curl -s "http://127.0.0.1:$port/metrics"; echo "cpu_ticks $(awk '{print $14 + $15}' \
  "/proc/$server/stat")"; echo "wall $(date +%s.%N)"; }
"$build/tools/bench/asobi-bench" arena --port "$port" --token-file "$tokens" "$@" &
bench=$!
sleep "$settle"
m0=$(scrape)
sleep "$window"
m1=$(scrape)
wait $bench || true
python3 - "$(getconf CLK_TCK)" <<EOF
import re, sys
clk = int(sys.argv[1])
def parse(text):
    b, v = {}, {}
    for line in text.splitlines():
        m = re.match(r'asobi_match_tick_lateness_seconds_bucket\{shard="\d+",le="([^"]+)"\} (\d+)', line)
        if m:
            b[m.group(1)] = b.get(m.group(1), 0) + int(m.group(2))
            continue
        m = re.match(r'(asobi_matches_live|cpu_ticks|wall) ([0-9.]+)$', line)
        if m: v[m.group(1)] = float(m.group(2))
    return b, v
b0, v0 = parse("""$m0""")
b1, v1 = parse("""$m1""")
les = sorted((float('inf') if k == '+Inf' else float(k), k) for k in b1)
ticks = b1['+Inf'] - b0['+Inf']
def pct(p):
    for le, k in les:
        if b1[k] - b0[k] >= p / 100 * ticks: return le
wall = v1['wall'] - v0['wall']
cpu = (v1['cpu_ticks'] - v0['cpu_ticks']) / clk
print(f"window {wall:.1f} s: live matches {v0['asobi_matches_live']:.0f} -> {v1['asobi_matches_live']:.0f}, "
      f"{ticks} match ticks ({ticks / wall:.0f}/s)")
print(f"tick lateness (bucket upper edges): p50 <= {pct(50)*1e3:g} ms, p99 <= {pct(99)*1e3:g} ms, "
      f"p99.9 <= {pct(99.9)*1e3:g} ms")
print(f"server cpu {cpu:.2f} s ({cpu / wall:.2f} cores): {cpu * 1e6 / max(ticks, 1):.1f} CPU-us per match tick")
EOF
kill $server; wait $server || true
