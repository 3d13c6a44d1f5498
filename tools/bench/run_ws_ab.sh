#!/bin/bash
# A/B of two server binaries under the same WebSocket load (issue 10: re-run the issue-2
# figures against the pre-issue-10 build). Runs are alternated (A, B, A, B...), each one a fresh
# server pinned to core 0 (--shards 1) and asobi-bench pinned to core 1, 3,500 authenticated
# connections; prints one line per run and the medians of throughput, p99 and server CPU µs/msg.
#
# Usage: tools/bench/run_ws_ab.sh <old asobi> <new asobi> <runs> [asobi-bench flags...]
#   e.g. tools/bench/run_ws_ab.sh /tmp/old/build/src/server/asobi build/src/server/asobi 5 \
#          --mode open --rate 83000
#        tools/bench/run_ws_ab.sh ... 5 --mode rtt --depth 1
# Environment: BENCH=build/tools/bench/asobi-bench, PORT=18092, TOKENS=/tmp/tokens.txt,
#   AUTOGROUP_NICE (see run_ws_load.sh). The new binary also gets --conn-per-ip-max 0 (the
#   old one has no per-address cap).
set -euo pipefail
if [[ -n "${AUTOGROUP_NICE:-}" && -z "${RUN_WS_AB_INNER:-}" ]]; then
  exec env RUN_WS_AB_INNER=1 setsid -w "$0" "$@"
fi
if [[ -n "${AUTOGROUP_NICE:-}" ]]; then echo "$AUTOGROUP_NICE" > /proc/self/autogroup; fi
[[ $# -ge 3 ]] || { sed -n '2,13p' "$0"; exit 2; }
old=$1; new=$2; runs=$3; shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH:-$root/build/tools/bench/asobi-bench}; port=${PORT:-18092}
tokens=${TOKENS:-/tmp/tokens.txt}
if [[ ! -f $tokens ]]; then
  for i in $(seq 0 3999); do printf 'tok%05d 0190c0de-0000-7000-8000-%012d\n' "$i" "$i"; done > "$tokens"
fi
res=$(mktemp)
one() {  # label binary extra-flags...
  local label=$1 bin=$2; shift 2
  env -u ASOBI_DB_HOST taskset -c 0 "$bin" --port "$port" --shards 1 --dev-tokens "$tokens" \
    --ws-connect-limit 1000000 --ws-rate-limit 1000 --log-level warn "$@" > /dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/live" > /dev/null && break; sleep 0.1; done
  local out
  out=$("$bench" --port "$port" --server-pid "$pid" -c 3500 --token-file "$tokens" --warmup 2 \
    --duration 10 --cpu 1 --json "${bench_flags[@]}" || true)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$out" | python3 -c "
import json, sys
d = json.load(sys.stdin)
s, l = d['server'], d['latency_us']
print('$label', round(d['msg_per_s']), l['p50'], l['p99'], l['p999'], s['cpu_us_per_msg'], s['cpu_pct'],
      d['client']['cpu_pct'], d['unanswered'], round(s['runqueue_wait_ms']), d['loadavg'][0])
" | tee -a "$res"
}
bench_flags=("$@")
echo "# label msg/s p50_us p99_us p99.9_us srv_us/msg srv_cpu% cli_cpu% unanswered srv_runq_wait_ms loadavg"
for i in $(seq "$runs"); do
  one old "$old"
  one new "$new" --conn-per-ip-max 0
done
python3 - "$res" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for label in ("old", "new"):
    r = [x for x in rows if x[0] == label]
    if not r:
        continue
    med = lambda i: statistics.median(float(x[i]) for x in r)
    print(f"median {label} ({len(r)} runs): {med(1):,.0f} msg/s, p50 {med(2):,.0f} us, "
          f"p99 {med(3):,.0f} us, p99.9 {med(4):,.0f} us, server {med(5):.2f} us/msg")
PY
rm -f "$res"
