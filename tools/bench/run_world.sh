#!/bin/bash
# Issue 14 crowded world (bench/README.md "Issue 14: crowded world"): asobi with the bench game
# dir (tools/bench/games, mode `bench_world`: 10x10 zones of 200 units, tick 50 ms, broadcast
# every 3rd tick) and the binary wire on, pinned to core SERVER_CPU with one shard;
# `asobi-bench world` pinned to CLIENT_CPU: N players join one world, walk with world.input at
# --input-rate, odd players on the binary world.tick wire (--wire mixed). Around the bench's
# measured window /metrics and /proc/<pid>/stat are read twice for the server's CPU (process
# and per shard, asobi_shard_cpu_seconds_total) per player-tick (one player present for one
# world tick). The bench's own report follows: world.tick interval per zone (p50/p99/max, vs
# 1.2 x broadcast_interval x tick = 180 ms), bytes per player per second and per frame per wire.
#
# Usage: tools/bench/run_world.sh [asobi-bench world flags...]
#   e.g. tools/bench/run_world.sh -n 5000 --join-rate 500 --input-rate 10 --duration 30
# Environment:
#   BUILD=build  PORT=18094  SERVER_CPU=0  CLIENT_CPU=1  SHARDS=1  SERVER_ARGS=
#   TOKENS=/tmp/tokens10k.txt  dev token file (created with 12,000 tokens if absent)
#   ASOBI_SERVER_BIN / ASOBI_BENCH_BIN override the binaries (the meson test sets them)
#   --short: 60 players, 3 s window, no pinning; fails unless every player joined, no bad
#            frame arrived and both wires received world.tick (meson test tools_world_short)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}
server_bin=${ASOBI_SERVER_BIN:-$build/src/server/asobi}
bench_bin=${ASOBI_BENCH_BIN:-$build/tools/bench/asobi-bench}
port=${PORT:-18094}; shards=${SHARDS:-1}
scpu=${SERVER_CPU:-0}; ccpu=${CLIENT_CPU:-1}
short=0
args=()
for a in "$@"; do
  if [[ $a == --short ]]; then short=1; else args+=("$a"); fi
done
tmp=$(mktemp -d)
tokens=${TOKENS:-/tmp/tokens10k.txt}
if ((short)); then
  tokens=$tmp/tokens.txt
  port=$((20000 + RANDOM % 20000))
  args=(-n 60 --join-rate 0 --warmup 1 --duration 3 "${args[@]}")
  spin=(); cspin=()
else
  spin=(taskset -c "$scpu"); cspin=(taskset -c "$ccpu")
fi
if [[ ! -f $tokens ]]; then
  python3 -c "import uuid
for i in range(12000): print(f'tok{i:06d}x', uuid.UUID(int=(0x01900000000070008000<<48)+i))" \
    > "$tokens"
fi

env -u ASOBI_DB_HOST "${spin[@]}" "$server_bin" --port "$port" --shards "$shards" --no-pin \
  --dev-tokens "$tokens" --ws-connect-limit 1000000 --ws-rate-limit 1000 --log-level warn \
  --conn-per-ip-max 0 --game-dir tools/bench/games --binary-wire ${SERVER_ARGS:-} &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/metrics" >/dev/null 2>&1 && break
  sleep 0.1
done
scrape() { curl -s "http://127.0.0.1:$port/metrics" | grep '^asobi_shard_cpu_seconds_total'
  echo "cpu_ticks $(awk '{print $14 + $15}' "/proc/$server/stat")"; echo "wall $(date +%s.%N)"; }
"${cspin[@]}" "$bench_bin" world --port "$port" --token-file "$tokens" --wire mixed --json \
  "${args[@]}" >"$tmp/report.json" 2>"$tmp/bench.err" &
bench=$!
wait_mark() {
  while ! grep -q "window $1" "$tmp/bench.err" 2>/dev/null; do
    kill -0 $bench 2>/dev/null || return 1
    sleep 0.05
  done
}
m0=""; m1=""
if wait_mark start; then m0=$(scrape); fi
if wait_mark end; then m1=$(scrape); fi
rc=0
wait $bench || rc=$?
cat "$tmp/bench.err" >&2
py=0
python3 - "$(getconf CLK_TCK)" "$tmp/report.json" "$short" "$m0" "$m1" <<'PY' || py=$?
import json, re, sys
clk, path, short, m0, m1 = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5]
r = json.load(open(path))
def parse(t):
    v = {}
    for line in t.splitlines():
        m = re.match(r'asobi_shard_cpu_seconds_total\{shard="(\d+)"\} ([0-9.]+)', line)
        if m: v['shard' + m.group(1)] = float(m.group(2)); continue
        m = re.match(r'(cpu_ticks|wall) ([0-9.]+)$', line)
        if m: v[m.group(1)] = float(m.group(2))
    return v
ok = True
if m0 and m1:
    a, b = parse(m0), parse(m1)
    wall = b['wall'] - a['wall']
    cpu = (b['cpu_ticks'] - a['cpu_ticks']) / clk
    players = r['json']['players'] + r['binary']['players']
    pticks = players * wall * 1000 / 50  # tick 50 ms
    print(f"window {wall:.1f} s, {players} players in it: server CPU {cpu:.2f} s "
          f"({cpu / wall:.2f} cores), {cpu * 1e6 / max(pticks, 1):.2f} CPU-us per player-tick")
    for k in sorted(x for x in b if x.startswith('shard')):
        d = b[k] - a.get(k, 0)
        print(f"  {k}: {d:.2f} s ({d / wall:.2f} cores)")
print(f"players {r['players']}: joined {r['joined']} (failed {r['join_failed']}), inputs "
      f"{r['inputs']}, closed by server {r['closed_by_server']}, bad frames {r['bad_frames']}, "
      f"errors {r['errors']}; client CPU {r['client_cpu_s']:.2f} s in {r['window_s']:.0f} s; "
      f"load average {r['loadavg_before']} -> {r['loadavg_after']}")
for w in ('json', 'binary'):
    s = r[w]
    i = s['interval_us']
    print(f"  {w:6}: {s['players']} players (granted {s['granted']}), {s['ticks_per_player_s']:.1f} "
          f"world.tick/player/s, {s['bytes_per_player_s']:.0f} B/player/s, "
          f"{s['bytes_per_tick']:.0f} B/frame, {s['records_per_tick']:.1f} records/frame, "
          f"{s['bytes_per_record']:.1f} B/record (x40 = {40 * s['bytes_per_record']:.0f} B); "
          f"interval p50 {i['p50'] / 1e3:.1f} p99 {i['p99'] / 1e3:.1f} max {i['max'] / 1e3:.1f} ms "
          f"(bound 180 ms); gaps {s['gaps']}, stale {s['stale']}, keyframes {s['keyframes']}")
    if short and (s['ticks'] == 0 or s['granted'] != s['players']):
        ok = False
if short and (r['joined'] != r['players'] or r['bad_frames'] != 0):
    ok = False
sys.exit(0 if ok else 1)
PY
kill "$server"; wait "$server" || true
exit $((py != 0 ? py : (short ? rc : 0)))
