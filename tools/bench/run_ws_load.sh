#!/bin/bash
# One WebSocket load measurement: starts asobi, runs asobi-bench against it with
# --server-pid, stops the server. Used for the figures in bench/README.md.
#
# Usage: tools/bench/run_ws_load.sh <server-shards> <server-cpus|none> [asobi-bench flags...]
#   e.g. tools/bench/run_ws_load.sh 1 0 -c 3500 --token-file /tmp/tokens.txt \
#          --mode open --rate 83000 --warmup 2 --duration 10 --cpu 1
# Environment:
#   BUILD=build-bench          build directory holding both binaries
#   PORT=18090                 server port
#   TOKENS=/tmp/tokens.txt     dev token file for the server (created with 4000 tokens if absent)
#   SERVER_ARGS=               extra server flags (e.g. --no-pin)
#   AUTOGROUP_NICE=            e.g. -20: run in a new session whose autogroup gets this nice
#                              value, so other sessions' work on a shared machine takes less
#                              CPU from the two measured processes (needs CAP_SYS_NICE)
set -euo pipefail
if [[ -n "${AUTOGROUP_NICE:-}" && -z "${RUN_WS_LOAD_INNER:-}" ]]; then
  exec env RUN_WS_LOAD_INNER=1 setsid -w "$0" "$@"
fi
if [[ -n "${AUTOGROUP_NICE:-}" ]]; then echo "$AUTOGROUP_NICE" > /proc/self/autogroup; fi
[[ $# -ge 2 ]] || { sed -n '2,17p' "$0"; exit 2; }
shards=$1; cpus=$2; shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build-bench}; port=${PORT:-18090}; tokens=${TOKENS:-/tmp/tokens.txt}
if [[ ! -f $tokens ]]; then
  for i in $(seq 0 3999); do printf 'tok%05d 0190c0de-0000-7000-8000-%012d\n' "$i" "$i"; done > "$tokens"
fi
pre=(); [[ $cpus != none ]] && pre=(taskset -c "$cpus")
cd "$root"
"${pre[@]}" "$build/src/server/asobi" --port "$port" --shards "$shards" \
  --dev-tokens "$tokens" --ws-connect-limit 1000000 --ws-rate-limit 1000 --log-level warn \
  --conn-per-ip-max 0 \
  ${SERVER_ARGS:-} &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
rc=0
"$build/tools/bench/asobi-bench" --port "$port" --server-pid "$server" "$@" || rc=$?
kill $server; wait $server || true
exit $rc
