#!/bin/bash
# Issue 10 idle flood: 20,000 idle TCP sockets from 127.0.0.1 against a server with its default
# caps, while a normal client on 127.0.0.2 sends heartbeats. Reports the refusals at accept,
# the closes of the admitted sockets at their deadline, the normal client's heartbeat latency
# per second, and the server's descriptor count (baseline, peak, back to baseline).
#
# Usage: tools/bench/run_idle_flood.sh [--count N] [--hold S]
# Environment:
#   BUILD=build          build directory holding src/server/asobi
#   BIN=                 server binary (default $BUILD/src/server/asobi)
#   PORT=18779           server port
#   SHARDS=2             server shards
#   SERVER_ARGS=         extra server flags (caps stay at their defaults unless given here)
#   OUT=/tmp/idle_flood  directory for the JSON results and the server log
#   AUTOGROUP_NICE=      e.g. -20 (see run_ws_load.sh)
set -euo pipefail
if [[ -n "${AUTOGROUP_NICE:-}" && -z "${RUN_IDLE_FLOOD_INNER:-}" ]]; then
  exec env RUN_IDLE_FLOOD_INNER=1 setsid -w "$0" "$@"
fi
if [[ -n "${AUTOGROUP_NICE:-}" ]]; then echo "$AUTOGROUP_NICE" > /proc/self/autogroup; fi
count=20000; hold=20
while [[ $# -gt 0 ]]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --hold) hold=$2; shift 2 ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}; bin=${BIN:-$build/src/server/asobi}; port=${PORT:-18779}
shards=${SHARDS:-2}; out=${OUT:-/tmp/idle_flood}
mkdir -p "$out"
tokens=$out/tokens.txt
for i in 0 1 2 3; do printf 'flood%02d 0190c0de-0000-7000-8000-%012d\n' "$i" "$i"; done > "$tokens"
# The server keeps the shell's descriptor limit (its connection cap derives from it).
env -u ASOBI_DB_HOST "$bin" --port "$port" --shards "$shards" --dev-tokens "$tokens" \
  ${SERVER_ARGS:-} > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/live" > /dev/null && break
  sleep 0.1
done
grep -m1 "connection caps" "$out/server.log" || true
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v n="$1" '$1 ~ "^"n"({|$)" {s += $2} END {print s + 0}'; }
# The heartbeat client runs before, during and after the flood.
python3 tools/bench/idle_flood.py heartbeat --port "$port" --token-file "$tokens" \
  --seconds $((hold + 14)) > "$out/heartbeat.json" &
hb=$!
sleep 2
base_fds=$(ls /proc/$server/fd | wc -l)
# Reactor turns by duration, summed over shards (asobi_loop_turn_seconds buckets).
turns() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^asobi_loop_turn_seconds_bucket/ {
  match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n[le] += $2 }
  END { printf "%d %d %d %d\n", n["+Inf"], n["+Inf"] - n["0.005"], n["+Inf"] - n["0.01"], n["+Inf"] - n["0.05"] }'; }
turns_before=$(turns)
# Two flood processes (count/2 sockets each): one process may hold fewer than the 20,000
# descriptors of the default limit, which cannot be raised here.
half=$((count / 2))
python3 tools/bench/idle_flood.py flood --port "$port" --count "$half" --hold "$hold" \
  --server-pid "$server" --baseline-fds "$base_fds" > "$out/flood0.json" &
f0=$!
python3 tools/bench/idle_flood.py flood --port "$port" --count "$((count - half))" \
  --hold "$hold" --server-pid "$server" --baseline-fds "$base_fds" > "$out/flood1.json"
wait $f0
turns_after=$(turns)
wait $hb
refused=$(metric asobi_conn_refused_per_ip_total)
conns=$(metric asobi_connections)
kill $server; wait $server || true
trap - EXIT
python3 - "$out" "$refused" "$conns" "$turns_before" "$turns_after" <<'EOF'
import json, sys
out, refused, conns = sys.argv[1], sys.argv[2], sys.argv[3]
tb, ta = [int(x) for x in sys.argv[4].split()], [int(x) for x in sys.argv[5].split()]
fs = [json.load(open(f"{out}/flood{i}.json")) for i in (0, 1)]
f = dict(fs[0])
for k in ("count", "connected", "still_connecting_at_end", "closed_by_server", "closed_within_1s",
          "closed_later", "open_at_end_of_hold"):
    f[k] = fs[0][k] + fs[1][k]
f["burst_seconds"] = max(x["burst_seconds"] for x in fs)
for k in ("connect_errors", "closed_kinds"):
    f[k] = {n: fs[0][k].get(n, 0) + fs[1][k].get(n, 0) for n in set(fs[0][k]) | set(fs[1][k])}
lat = [x["closed_later_after_connect_s"] for x in fs if x["closed_later"]]
f["closed_later_after_connect_s"] = {"min": min(x["min"] for x in lat), "max": max(x["max"] for x in lat)} if lat else {}
f["server_fds"]["peak"] = max(x["server_fds"]["peak"] for x in fs)
h = json.load(open(f"{out}/heartbeat.json"))
print(f"flood: {f['count']} sockets in {f['burst_seconds']} s; connected {f['connected']}, "
      f"connect errors {f['connect_errors']}, still connecting at end {f['still_connecting_at_end']}")
print(f"  refused at accept (reset before the client saw the connect, or within 1 s of it): "
      f"{f['connect_errors'].get('ECONNRESET', 0) + f['closed_within_1s']}"
      f"  (asobi_conn_refused_per_ip_total {refused})")
print(f"  closed later (deadline): {f['closed_later']}, s after connect {f['closed_later_after_connect_s']}"
      f"; kinds {f['closed_kinds']}; open at end of hold {f['open_at_end_of_hold']}")
print(f"  server fds {f['server_fds']}; asobi_connections after: {conns}")
print(f"  reactor turns during the flood and hold: {ta[0] - tb[0]}, longer than 5 ms: {ta[1] - tb[1]}, "
      f"10 ms: {ta[2] - tb[2]}, 50 ms: {ta[3] - tb[3]}")
print(f"heartbeat (4 WebSockets from 127.0.0.2, every 25 ms each): sent {h['sent']}, "
      f"unanswered {h['unanswered']}, p50 {h['p50']} ms, p99 {h['p99']} ms, "
      f"p99.9 {h['p999']} ms, max {h['max']} ms")
print("  per second (s from heartbeat start; the flood starts at s=2):")
for r in h["per_second"]:
    print(f"    s={r['s']:3d} n={r['n']:4d} p50={r['p50']:7.3f} p99={r['p99']:7.3f} max={r['max']:7.3f}")
EOF
