#!/usr/bin/env bash
# Sets up and runs the whole test suite: release build + tests, the netns cluster test, and one
# clang build with AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer that runs the tests
# again and every libFuzzer target for a short run (FUZZ_SECONDS, default 10).
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
t0=$SECONDS
stamp() { echo "== $1 (at $((SECONDS - t0)) s) =="; }

build_dir() {  # name, build dir, meson setup args...; 0 when configured and built
  local name=$1 dir=$2
  shift 2
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
  else
    meson setup "$dir" "$@" >/dev/null || return 1
  fi
  if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
    tail -50 "$dir.build.log"
    echo "$name: build failed"
    return 1
  fi
}

run_tests() {  # build dir, [test names...]; adds the results to passed/failed
  local dir=$1
  shift
  meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier "${TIMEOUT_MULT:-3}" "$@"
  local log="$dir/meson-logs/testlog.json" ok bad
  ok=$(python3 -c "import json;print(sum(1 for l in open('$log') if json.loads(l)['result'] in ('OK','EXPECTEDFAIL','SKIP')))")
  bad=$(python3 -c "import json;print(sum(1 for l in open('$log') if json.loads(l)['result'] not in ('OK','EXPECTEDFAIL','SKIP')))")
  passed=$((passed + ok))
  failed=$((failed + bad))
}

stamp "release: build"
if build_dir release build -Dbuildtype=release; then
  stamp "release: tests"
  run_tests build
  # Three nodes, a NATS cluster, PostgreSQL and HAProxy in network namespaces (issue 16; needs
  # root and the release build above).
  stamp "cluster in network namespaces (tools/cluster/netns_test.sh --short)"
  if timeout 300 bash tools/cluster/netns_test.sh --short; then
    passed=$((passed + 1))
  else
    echo "cluster netns test: FAILED"
    failed=$((failed + 1))
  fi
else
  failed=$((failed + 1))
fi

# One clang build serves both AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer:
# every test runs in it under the sanitizers (the fuzz_* replay tests are left to the libFuzzer
# runs below, which start from the same corpora), then each fuzz target runs for FUZZ_SECONDS.
if command -v clang++ >/dev/null; then
  stamp "asan+ubsan (clang): build"
  # -O1 and line tables only (no full debug info): sanitizer reports keep file:line, the build
  # takes less time.
  if CC=clang CXX=clang++ build_dir "asan+ubsan" build-san -Dsanitizers=true -Dfuzz=true \
    -Dbench=false -Dbuildtype=plain -Doptimization=1 -Ddebug=false \
    -Dcpp_args=-gline-tables-only -Dc_args=-gline-tables-only -Db_lundef=false; then
    stamp "asan+ubsan (clang): tests"
    mapfile -t names < <(meson test -C build-san --no-rebuild --list 2>/dev/null | sed 's/^.* \/ //' | grep -v '^fuzz_')
    if [ "${#names[@]}" -gt 0 ]; then
      run_tests build-san "${names[@]}"
    else
      echo "asan+ubsan: no tests listed"
      failed=$((failed + 1))
    fi
    stamp "fuzz (libFuzzer, ${FUZZ_SECONDS:-10} s per target)"
    for f in $(find build-san/tests/fuzz -maxdepth 2 -type f -name '*_fuzz' -perm -u+x | sort); do
      corpus=$(find tests/fuzz -type d -name "corpus_$(basename "$f" _fuzz)" | head -1)
      work=$(mktemp -d)
      if "$f" -max_total_time="${FUZZ_SECONDS:-10}" -rss_limit_mb=2048 "$work" ${corpus:+"$corpus"} \
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
    failed=$((failed + 1))
  fi
else
  echo "clang++ missing: tools/setup.sh installs it"
  failed=$((failed + 1))
fi

stamp "done"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
