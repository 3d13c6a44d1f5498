#!/usr/bin/env bash
# Sets up and runs the whole test suite: release build + tests, AddressSanitizer and
# UndefinedBehaviorSanitizer build + tests, and the libFuzzer targets (clang) for a short run.
# Starts a private PostgreSQL (tools/dev-db.sh) unless ASOBI_DB_HOST is set.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --no-build || exit 1

if [ -z "${ASOBI_DB_HOST:-}" ] && [ -x tools/dev-db.sh ]; then
  bash tools/dev-db.sh start >/dev/null || { echo "test: cannot start PostgreSQL"; exit 1; }
  set -a
  # shellcheck disable=SC1091
  source .dev/pg/env
  set +a
fi

passed=0
failed=0
run_suite() {  # name, build dir, meson setup args...
  local name=$1 dir=$2
  shift 2
  echo "== $name =="
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
  else
    meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
  fi
  if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
    tail -50 "$dir.build.log"
    echo "$name: build failed"
    failed=$((failed + 1))
    return
  fi
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier "${TIMEOUT_MULT:-3}"
  local log="$dir/meson-logs/testlog.json"
  local ok bad
  ok=$(python3 -c "import json,sys;print(sum(1 for l in open('$log') if json.loads(l)['result'] in ('OK','EXPECTEDFAIL','SKIP')))")
  bad=$(python3 -c "import json,sys;print(sum(1 for l in open('$log') if json.loads(l)['result'] not in ('OK','EXPECTEDFAIL','SKIP')))")
  passed=$((passed + ok))
  failed=$((failed + bad))
}

run_suite "release" build -Dbuildtype=release
# Three nodes, a NATS cluster, PostgreSQL and HAProxy in network namespaces (issue 16; needs
# root and the release build above).
echo "== cluster in network namespaces (tools/cluster/netns_test.sh --short) =="
if timeout 300 bash tools/cluster/netns_test.sh --short; then
  passed=$((passed + 1))
else
  echo "cluster netns test: FAILED"
  failed=$((failed + 1))
fi
run_suite "asan+ubsan" build-asan -Dbuildtype=debug -Dsanitizers=true -Dbench=false \
  -Db_lundef=false
if command -v clang++ >/dev/null; then
  echo "== fuzz (libFuzzer, clang) =="
  if [ ! -d build-fuzz ]; then
    CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=true -Dbench=false -Dbuildtype=debugoptimized \
      -Db_lundef=false >/dev/null
  fi
  if ninja -C build-fuzz >build-fuzz.build.log 2>&1; then
    for f in $(find build-fuzz/tests/fuzz -maxdepth 2 -type f -name '*_fuzz' -perm -u+x); do
      corpus=$(find tests/fuzz -type d -name "corpus_$(basename "$f" _fuzz)" | head -1)
      work=$(mktemp -d)
      if "$f" -max_total_time="${FUZZ_SECONDS:-20}" -rss_limit_mb=2048 "$work" ${corpus:+"$corpus"} \
        >"$work/log" 2>&1; then
        echo "fuzz $(basename "$f"): ok"
        passed=$((passed + 1))
      else
        tail -30 "$work/log"
        echo "fuzz $(basename "$f"): FAILED"
        failed=$((failed + 1))
      fi
      rm -rf "$work"
    done
  else
    tail -40 build-fuzz.build.log
    echo "fuzz build failed"
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
