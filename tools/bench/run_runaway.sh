#!/bin/bash
# Runaway scripts (issue 10, "Numbers"): a pattern bomb in handle_input, and separately a tick
# that overruns every time, next to demo matches on real shards (bench/match/match_bench
# runaway). For each: how long every offending callback ran before its budget stopped it (must
# be < 2x its budget), when the offender was quarantined, and the other matches' tick lateness
# per shard (shard 0 holds the offender: p99 must stay < 20 ms). Both runs are printed, each
# prefixed with its variant.
#
# Usage: tools/bench/run_runaway.sh [match_bench runaway flags...]
#   e.g. tools/bench/run_runaway.sh --matches 400 --seconds 60
# Environment:
#   BUILD=build   build directory holding bench/match/match_bench (needs the patched LuaJIT:
#                 with -Dluajit=system the bomb is not interrupted and a run never ends)
#   CPUS=         optional `taskset -c` list for the process (e.g. 0,1)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${BUILD:-build}
bench="$build/bench/match/match_bench"
[[ -x $bench ]] || { echo "missing $bench (ninja -C $build bench/match/match_bench)" >&2; exit 1; }
pin=()
[[ -n ${CPUS:-} ]] && pin=(taskset -c "$CPUS")
for bomb in input tick; do
  echo "== runaway --bomb $bomb $*"
  # The offender's failures are logged as warnings; only the report is kept.
  "${pin[@]}" "$bench" runaway --bomb "$bomb" "$@" 2>/dev/null
done
