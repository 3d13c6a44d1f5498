#!/bin/bash
# What asobi-cpoll.patch costs (issue 10, defect 7): runs bench/script/lua_library_perf.lua with
# the patched `luajit` that third_party/luajit/build.sh leaves in its source tree and with the
# same source built without the patch, alternately ROUNDS times each, interpreter and JIT, and
# prints every case's median CPU seconds for both and their ratio.
#
# Usage: tools/bench/run_cpoll_perf.sh        (after third_party/luajit/build.sh)
# Environment: ROUNDS=3, CPUS= (optional `taskset -c` list), WORK=/tmp/asobi_cpoll_perf
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
rounds=${ROUNDS:-3}
work=${WORK:-/tmp/asobi_cpoll_perf}
patched=$(ls -d third_party/luajit/src/luajit2-*/ | tail -n 1)src/luajit
[[ -x $patched ]] || { echo "run third_party/luajit/build.sh first" >&2; exit 1; }
dsc=$(ls third_party/luajit/src/luajit2_*.dsc | tail -n 1)
plain="$work/$(basename "$(dirname "$(dirname "$patched")")")/src/luajit"
if [[ ! -x $plain ]]; then
  rm -rf "$work" && mkdir -p "$work"
  (cd "$work" && dpkg-source -x "$root/$dsc" >/dev/null 2>&1)
  make -C "$(dirname "$(dirname "$plain")")" -j2 amalg XCFLAGS=-DLUAJIT_ENABLE_CHECKHOOK \
    CFLAGS=-fPIC BUILDMODE=static Q=@ E=@: >/dev/null
fi
pin=()
[[ -n ${CPUS:-} ]] && pin=(taskset -c "$CPUS")
lua=bench/script/lua_library_perf.lua
out=$(mktemp)
for mode in -joff -jon; do
  for ((r = 0; r < rounds; r++)); do
    "${pin[@]}" "$plain" "$mode" "$lua" | sed "s/^/plain $mode /" >>"$out"
    "${pin[@]}" "$patched" "$mode" "$lua" | sed "s/^/patched $mode /" >>"$out"
  done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    build, mode, name, secs = line.split()
    runs[(mode, name, build)].append(float(secs))
print(f"{'mode':6} {'case':8} {'plain s':>8} {'patched s':>10} {'ratio':>6}")
for (mode, name, build) in sorted(k for k in runs if k[2] == "plain"):
    a = statistics.median(runs[(mode, name, "plain")])
    b = statistics.median(runs[(mode, name, "patched")])
    print(f"{mode:6} {name:8} {a:8.3f} {b:10.3f} {b / a if a else 0:6.2f}")
PY
rm -f "$out"
