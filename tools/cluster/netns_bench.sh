#!/usr/bin/env bash
# Cluster numbers of issue 16 (bench/README.md "Issue 16: cluster numbers (netns)"): the
# namespace cluster of netns_test.sh (tools/cluster/netns_lib.sh: 3 asobi nodes of 1 shard, a
# 3-server NATS cluster, PostgreSQL, HAProxy), seeded with players holding access tokens, then
# one `asobi-bench chat` run from the LB namespace. Needs root and a built server and bench
# client (ninja -C build src/server/asobi tools/bench/asobi-bench).
#
#   tools/cluster/netns_bench.sh <scenario> [--bin PATH] [--bench PATH] [--keep] [-- FLAGS...]
#     dm       3,000 players, 1,000 connected straight to each node (--nodes), 2,000 dm.send/s
#              in total, every DM to a player on another node: copy p99 = cross-node DM p99
#     channel  9,000 sockets through HAProxy (leastconn spreads them: the script prints each
#              node's subscriber count), all in one global: channel, one sender, 10 sends/s:
#              send -> last delivery p99
#     proxy    tools/cluster/proxy_latency.py: two "demo" matches through HAProxy, one with
#              both players on the match's node, one with a player proxied from another node;
#              input -> state per player, paired difference, state-frame hop (PLAY=20 s each)
#   FLAGS go to asobi-bench chat last (e.g. --json, --duration 20, --rate 1000).
# Environment: DURATION=10 (measured s), WARMUP=2, THREADS=2 (client threads).
#
# Printed beside the figures: CPU over the measured window (+ drain) of the client, each
# node, each NATS server and HAProxy (% of one core; `asobi-bench chat --pid`), PostgreSQL's
# CPU over the whole client run (all its processes, connect included), the machine's load
# average, and each node's cluster bus counters over the run. Run it under `nice` on a shared
# machine; the latencies then include waiting for a CPU.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$repo/build/src/server/asobi"
bench="$repo/build/tools/bench/asobi-bench"
keep=0
scenario="${1:-}"
[[ $# -gt 0 ]] && shift
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin="$2"; shift ;;
    --bench) bench="$2"; shift ;;
    --keep) keep=1 ;;
    --) shift; extra=("$@"); break ;;
    *) scenario="" ; break ;;
  esac
  shift
done
duration=${DURATION:-10}
warmup=${WARMUP:-2}
threads=${THREADS:-2}
case "$scenario" in
  dm) players=3000 ;;
  channel) players=9000 ;;
  proxy) players=6 ;;
  *)
    echo "usage: $0 dm|channel|proxy [--bin PATH] [--bench PATH] [--keep] [-- asobi-bench chat flags]" >&2
    exit 2
    ;;
esac
[[ -x "$bench" ]] || { echo "no bench client at $bench (ninja -C build tools/bench/asobi-bench)" >&2; exit 2; }

tag=netns_bench
# Limits raised for the load: one client address holds thousands of sockets, and the chat
# rate limit must not answer the bench's sends. HAProxy holds two descriptors per socket and
# cannot raise its limit past the hard RLIMIT_NOFILE (20,000 here): maxconn 9,500 fits.
node_env=(ASOBI_CONN_PER_IP_MAX=0 ASOBI_WS_RATE_LIMIT=100000 ASOBI_LOG_LEVEL=warn)
haproxy_maxconn=$((players + 500))
metrics_token="$(head -c 24 /dev/urandom | base64 -w0 | tr '+/' '-_')"
[[ $scenario == proxy ]] && node_env+=(ASOBI_METRICS_TOKEN="$metrics_token")
# shellcheck source=tools/cluster/netns_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns_lib.sh"
netns_up
[[ $has_bus == 1 ]] || die "this build has no cluster bus: nothing to measure"

if [[ $scenario == proxy ]]; then
  log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  rc=0
  in_ns lb timeout $((60 + 4 * ${PLAY:-20})) python3 -B "$here/proxy_latency.py" \
    --lb 127.0.0.1:8080 --metrics "n1=$net.11:8080,n2=$net.12:8080,n3=$net.13:8080" \
    --metrics-token "$metrics_token" --play "${PLAY:-20}" \
    --pids "n1=${node_pids[0]},n2=${node_pids[1]},n3=${node_pids[2]},nats1=${nats_pids[0]},nats2=${nats_pids[1]},nats3=${nats_pids[2]},haproxy=$haproxy_pid" \
    "${extra[@]}" || rc=$?
  log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit $rc
fi

# --- players with access tokens (as tools/bench/run_chat_fanout.sh: raw token = 32 bytes,
# stored = base64(SHA-256(raw)), src/game/auth/tokens.h) -------------------------------------
python3 - "$work/tokens.txt" "$work/token_rows.csv" "$players" <<'PY'
import base64, hashlib, sys, uuid
with open(sys.argv[1], "w") as t, open(sys.argv[2], "w") as rows:
    for i in range(int(sys.argv[3])):
        raw = hashlib.sha256(f"asobi netns bench {i}".encode()).digest()
        pid = uuid.UUID(int=(0x01900000000070008000 << 48) + i)
        t.write(f"{base64.b64encode(raw).decode()} {pid}\n")
        stored = base64.b64encode(hashlib.sha256(raw).digest()).decode()
        rows.write(f"{uuid.UUID(int=(0x01920000000070008000 << 48) + i)},{pid},{stored}\n")
PY
in_ns db "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$net.10" -U asobi -d asobi <<SQL || die "seeding players"
INSERT INTO players (id, username, inserted_at, updated_at)
  SELECT ('01900000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'netnsbench' || i, now(), now()
  FROM generate_series(0, $players - 1) i;
CREATE TEMP TABLE bench_tokens (id uuid, user_id uuid, token text);
\copy bench_tokens FROM '$work/token_rows.csv' CSV
INSERT INTO player_tokens (id, user_id, token, context, inserted_at)
  SELECT id, user_id, token, 'access', now() FROM bench_tokens;
SQL
log "seeded $players players with access tokens"

# --- helpers -----------------------------------------------------------------------------
metric() {  # node index, metric name: its value on that node (empty if absent)
  in_ns "n$1" curl -fsS --max-time 5 http://127.0.0.1:8080/metrics 2>/dev/null \
    | awk -v m="$2" '$1 == m {print $2}'
}
ns_cpu_ticks() {  # namespace: utime+stime (clock ticks) of every process in it
  local total=0 pid f
  for pid in $(ip netns pids "${p}$1" 2>/dev/null); do
    f=$(cut -d' ' -f14,15 "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + ${f% *} + ${f#* }))
  done
  echo "$total"
}
bus_counters() {  # one line per node: published and received cluster messages
  local i
  for i in 1 2 3; do
    echo "n$i $(metric "$i" asobi_cluster_published_total) $(metric "$i" asobi_cluster_received_total)"
  done
}

case "$scenario" in
  dm)
    target=(--nodes "$net.11:8080,$net.12:8080,$net.13:8080")
    flags=(--pattern dm -n "$players" --rate 2000)
    ;;
  channel)
    target=(--host 127.0.0.1 --port 8080)
    flags=(--pattern channel -n "$players" --rate 10 --senders 1 --channel global:lobby)
    ;;
esac
watch=(--pid "n1=${node_pids[0]}" --pid "n2=${node_pids[1]}" --pid "n3=${node_pids[2]}"
  --pid "nats1=${nats_pids[0]}" --pid "nats2=${nats_pids[1]}" --pid "nats3=${nats_pids[2]}"
  --pid "haproxy=$haproxy_pid")

# Each node's subscriber gauge, sampled every 2 s while the client runs (channel: the members
# each node holds; the highest sample is printed).
sampler() {
  local i
  while true; do
    for i in 1 2 3; do echo "n$i $(metric "$i" asobi_chat_subscriptions)"; done
    sleep 2
  done >"$work/subs.txt"
}
bus0="$(bus_counters)"
pg0=$(ns_cpu_ticks db)
sampler &
sampler_pid=$!
pids+=("$sampler_pid")
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
log "asobi-bench chat $scenario: ${flags[*]} ${extra[*]}"
rc=0
budget=$((120 + warmup + duration))
in_ns lb timeout "$budget" "$bench" chat "${target[@]}" --token-file "$work/tokens.txt" \
  --threads "$threads" --warmup "$warmup" --duration "$duration" "${watch[@]}" "${flags[@]}" \
  "${extra[@]}" || rc=$?
kill "$sampler_pid" 2>/dev/null || true
pg1=$(ns_cpu_ticks db)
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
log "PostgreSQL CPU over the whole client run (connect included):" \
  "$(awk -v t=$((pg1 - pg0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f s", t / hz}')"
if [[ $scenario == channel ]]; then
  log "channel subscribers per node (highest sample): $(awk '$2 != "" {if ($2 > m[$1]) m[$1] = $2}
    END {for (n in m) printf "%s %d  ", n, m[n]}' "$work/subs.txt" | tr -s ' ')"
fi
bus1="$(bus_counters)"
log "cluster bus over the run (published / received messages):" \
  "$(paste -d' ' <(echo "$bus0") <(echo "$bus1") \
    | awk '{printf "%s %d / %d; ", $1, $5 - $2, $6 - $3}')"
[[ $rc == 0 ]] || log "asobi-bench exited $rc (see its report above)"
exit $rc
