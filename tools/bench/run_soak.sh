#!/bin/bash
# Issue 10 soak: churn of authenticated players against one server for --minutes N. Each
# round, `asobi-bench matchmaking` connects --sockets players (WebSocket + session.connect with
# a dev token), queues them (mode bench4, 4 per match) at --arrival-rate, plays --play seconds
# sending match.input, leaves and disconnects; rounds follow each other until the time is up.
# Every 5 s (and after every round) the server's RSS, descriptor count and the /metrics gauges
# (asobi_connections, asobi_ws_sessions, asobi_matches_live, asobi_matchmaker_tickets) are
# sampled. At the end it waits (up to 15 s) for the gauges to be back at idle and the
# descriptors at their baseline, and reports the RSS drift of the idle samples after warm-up
# (the first 20% of rounds, at least 3).
#
# Usage: tools/bench/run_soak.sh [--minutes N] [--sockets N] [--play S] [--short]
#   --minutes N   run length (60)
#   --sockets N   players per round (2000; a multiple of 4)
#   --play S      seconds each player plays (5)
#   --short       CI mode: 40 s, 240 sockets, 2 s of play (meson test tools_soak_short)
# Environment:
#   BUILD=build               build directory (for both binaries below)
#   ASOBI_SERVER_BIN=         server binary ($BUILD/src/server/asobi)
#   ASOBI_BENCH_BIN=          asobi-bench binary ($BUILD/tools/bench/asobi-bench)
#   SHARDS=2  PORT=0          server shards and port (0: a free port)
#   OUT=                      directory for samples.tsv, rounds.log and the server log (mktemp)
# Exit status: 0 when every gauge is back at idle and the descriptors at baseline, 1 otherwise.
set -euo pipefail
minutes=60; sockets=2000; play=5; short=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --sockets) sockets=$2; shift 2 ;;
    --play) play=$2; shift 2 ;;
    --short) short=1; shift ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build}
server_bin=${ASOBI_SERVER_BIN:-$build/src/server/asobi}
bench_bin=${ASOBI_BENCH_BIN:-$build/tools/bench/asobi-bench}
if [[ $short == 1 ]]; then seconds=40; sockets=240; play=2; else seconds=$((minutes * 60)); fi
out=${OUT:-$(mktemp -d /tmp/asobi_soak.XXXXXX)}
mkdir -p "$out"
tokens=$out/tokens.txt
python3 -c "import uuid
for i in range($sockets): print(f'soak{i:06d}x', uuid.UUID(int=(0x01900000000070008000<<48)+i))" \
  > "$tokens"
port=${PORT:-0}
if [[ $port == 0 ]]; then
  port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
fi
env -u ASOBI_DB_HOST "$server_bin" --port "$port" --shards "${SHARDS:-2}" --no-pin \
  --dev-tokens "$tokens" --ws-connect-limit 1000000 --ws-rate-limit 1000 --log-level warn \
  --conn-per-ip-max 0 --game-dir "$root/tools/bench/games" --match-max 5000 \
  --matchmaker-queue-max 20000 > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
up=0
for _ in $(seq 100); do
  if curl -sf "http://127.0.0.1:$port/live" > /dev/null; then up=1; break; fi
  sleep 0.1
done
[[ $up == 1 ]] || { echo "server did not start:"; cat "$out/server.log"; exit 1; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
fds() { ls "/proc/$server/fd" | wc -l; }
# conns ws matches tickets (summed over shards)
gauges() {
  curl -s --max-time 5 "http://127.0.0.1:$port/metrics" | awk '
    $1 ~ /^asobi_connections({|$)/ {c += $2} $1 ~ /^asobi_ws_sessions({|$)/ {w += $2}
    $1 == "asobi_matches_live" {m += $2} $1 == "asobi_matchmaker_tickets" {t += $2}
    END {printf "%d %d %d %d\n", c, w, m, t}'
}
t0=$(date +%s)
sample() { echo "$(($(date +%s) - t0)) $1 $(rss_kb) $(fds) $(gauges)" >> "$out/samples.tsv"; }
echo "# t_s phase rss_kb fds connections ws_sessions matches_live matchmaker_tickets" \
  > "$out/samples.tsv"
sleep 0.5
base_fds=$(fds)
sample start
( while sleep 5; do sample run; done ) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true; kill $server 2>/dev/null || true' EXIT

rounds=0; failed_rounds=0
rate=$(( sockets / 4 > 50 ? sockets / 4 : 50 ))  # the whole round queues within ~4 s
while (( $(date +%s) - t0 < seconds )); do
  rounds=$((rounds + 1))
  if ! "$bench_bin" matchmaking --port "$port" --token-file "$tokens" -n "$sockets" \
      --mode bench4 --arrival-rate "$rate" --play "$play" --input-rate 5 --match-timeout 30 \
      >> "$out/rounds.log" 2>&1; then
    failed_rounds=$((failed_rounds + 1))
  fi
  sample idle
done
kill $sampler 2>/dev/null || true; wait $sampler 2>/dev/null || true

# Back to idle: the scrape's own connection only, nothing else; descriptors at baseline.
ok=0
for _ in $(seq 150); do
  read -r c w m t < <(gauges)
  f=$(fds)
  if [[ $c == 1 && $w == 0 && $m == 0 && $t == 0 && $f -le $base_fds ]]; then ok=1; break; fi
  sleep 0.1
done
sample end
kill $server; wait $server || true
trap - EXIT

python3 - "$out" "$rounds" "$failed_rounds" "$base_fds" "$ok" "$sockets" <<'EOF'
import sys
out, rounds, failed, base_fds, ok, sockets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1", sys.argv[6]
rows = [l.split() for l in open(f"{out}/samples.tsv") if not l.startswith("#")]
idle = [r for r in rows if r[1] == "idle"]
run = [r for r in rows if r[1] == "run"]
end = rows[-1]
print(f"soak: {rounds} rounds of {sockets} sockets in {end[0]} s, {failed} rounds with unmatched players")
if run:
    print("  peak during rounds: rss %d KiB, fds %d, connections %d, ws_sessions %d, matches %d, tickets %d" % tuple(
        max(int(r[i]) for r in run) for i in (2, 3, 4, 5, 6, 7)))
print(f"  start: rss {rows[0][2]} KiB, fds {base_fds}")
print(f"  end:   rss {end[2]} KiB, fds {end[3]}, gauges connections={end[4]} ws_sessions={end[5]} "
      f"matches_live={end[6]} matchmaker_tickets={end[7]}")
if len(idle) >= 2:
    warm = min(len(idle) - 1, max(3, len(idle) // 5))
    ref = int(idle[warm - 1][2])
    last = int(idle[-1][2])
    hi = max(int(r[2]) for r in idle[warm - 1:])
    print(f"  idle RSS after round {warm} (end of warm-up): {ref} KiB; after the last round: {last} KiB; "
          f"drift {100.0 * (last - ref) / ref:+.2f}% (max idle {hi} KiB, {100.0 * (hi - ref) / ref:+.2f}%)")
print(f"  samples: {out}/samples.tsv")
print("PASS: gauges back at idle, descriptors at baseline" if ok else
      "FAIL: gauges or descriptors did not return to baseline")
EOF
[[ $ok == 1 ]]
