# shellcheck shell=bash disable=SC2034,SC2154,SC2317
# (variables are set by or for the caller; the nested functions are called through wait_until)
# Sourced by tools/cluster/netns_test.sh (the cluster test) and netns_bench.sh (the cluster
# numbers): brings up, in private network namespaces, 3 asobi nodes, a 3-server NATS cluster,
# PostgreSQL and HAProxy, and tears everything down on exit. Not executable on its own.
#
# The caller sets, before `netns_up`:
#   tag       prefix of log lines and failures (e.g. netns_test)
#   bin       the asobi binary
#   keep      1: leave the files in $work on exit (for reading the logs)
#   node_env  optional array of extra VAR=value for every asobi node (the bench raises limits)
#   haproxy_maxconn  optional HAProxy maxconn (4096)
# and gets:
#   p net work       namespace prefix, subnet (10.77.16), scratch directory
#   in_ns NS CMD...  run CMD in namespace ${p}NS (NS: sw db n1 n2 n3 lb)
#   node_pids nats_pids haproxy_pid pgbin has_bus
#   die log wait_until
#
# Topology (all namespaces private to this run; the host's own network is not touched):
#   <p>sw   a bridge joining every namespace below through veth pairs, subnet 10.77.16.0/24
#   <p>db   PostgreSQL                                  10.77.16.10:5432
#   <p>n1..3  one asobi node + one NATS server each     10.77.16.11..13 (:8080, NATS :4222/:6222)
#   <p>lb   HAProxy (tools/cluster/haproxy.cfg.in) on :8080, and the clients, which reach the
#           cluster through it (or the nodes directly at 10.77.16.11..13:8080)
# The NATS servers form one cluster (tools/cluster/nats-cluster.conf.in); each asobi node
# talks to the NATS server in its own namespace.
#
# Every wait is bounded; on any exit the trap kills what was started here (by pid) and deletes
# the namespaces and files (keep=1 leaves the files).

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/tools/cluster"
: "${tag:=netns}"
: "${keep:=0}"
: "${haproxy_maxconn:=4096}"
[[ -v node_env ]] || node_env=()

die() { echo "$tag: FAILED: $*" >&2; exit 1; }
log() { echo "$tag: $*"; }

# wait_until SECONDS WHAT CMD...: runs CMD every 0.2 s until it succeeds; dies after SECONDS.
wait_until() {
  local secs=$1 what=$2
  shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [[ $SECONDS -lt $end ]] || die "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

in_ns() { local ns="${p}$1"; shift; ip netns exec "$ns" "$@"; }

netns_cleanup() {
  local rc=$?
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [[ $pg_started == 1 ]]; then
    ip netns exec "${p}db" runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate \
      -w -t 20 stop >/dev/null 2>&1
  fi
  # Anything still running inside our namespaces was started by this script: end it.
  for ns in "${namespaces[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  if [[ $rc != 0 ]]; then
    for f in "$work"/*.log; do
      [[ -f "$f" ]] || continue
      echo "---- tail of $f"
      tail -n 25 "$f"
    done
  fi
  if [[ $keep == 1 ]]; then echo "$tag: files kept in $work"; else rm -rf "$work"; fi
  exit $rc
}

# Checks the tools, creates the namespaces and starts PostgreSQL, NATS, the nodes and HAProxy.
netns_up() {
  [[ "$(id -u)" == 0 ]] || die "needs root (ip netns)"
  local t
  for t in ip haproxy nats-server curl python3 runuser; do
    command -v "$t" >/dev/null || die "$t not found (tools/setup.sh installs it)"
  done
  [[ -x "$bin" ]] || die "no server binary at $bin (ninja -C build)"
  pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r | head -1)"
  [[ -x "$pgbin/initdb" ]] || die "no PostgreSQL server binaries"

  p="as$$"  # namespace prefix: unique per run, so parallel runs never collide
  net=10.77.16
  work="$(mktemp -d /var/tmp/asobi-netns.XXXXXX)"
  chmod 755 "$work"
  pids=()
  namespaces=()
  pg_started=0
  trap netns_cleanup EXIT
  trap 'exit 130' INT TERM

  # --- network ----------------------------------------------------------------------------
  add_ns() {  # name, host part of the address
    local ns="${p}$1"
    ip netns add "$ns"
    namespaces+=("$ns")
    ip -n "$ns" link set lo up
    ip link add eth0 netns "$ns" type veth peer name "v$1" netns "${p}sw"
    ip -n "${p}sw" link set "v$1" master br0 up
    ip -n "$ns" addr add "$net.$2/24" dev eth0
    ip -n "$ns" link set eth0 up
  }
  ip netns add "${p}sw"
  namespaces+=("${p}sw")
  ip -n "${p}sw" link add br0 type bridge
  ip -n "${p}sw" link set br0 up
  add_ns db 10
  add_ns n1 11
  add_ns n2 12
  add_ns n3 13
  add_ns lb 2
  log "namespaces ${p}{sw,db,n1,n2,n3,lb} up on $net.0/24"

  # --- PostgreSQL ---------------------------------------------------------------------------
  mkdir -p "$work/pg"
  chown postgres "$work/pg"
  chmod 700 "$work/pg"
  runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U asobi --auth=trust -E UTF8 --locale=C \
    >"$work/initdb.log" 2>&1 || die "initdb failed"
  cat >>"$work/pg/postgresql.conf" <<CONF
listen_addresses = '$net.10'
port = 5432
unix_socket_directories = ''
max_connections = 100
fsync = off
CONF
  echo "host all all $net.0/24 trust" >>"$work/pg/pg_hba.conf"
  touch "$work/pg.log" && chown postgres "$work/pg.log"
  in_ns db runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -t 30 start \
    >/dev/null || die "PostgreSQL did not start"
  pg_started=1
  in_ns db "$pgbin/psql" -X -q -h "$net.10" -U asobi -d postgres -c "CREATE DATABASE asobi" \
    >/dev/null || die "CREATE DATABASE failed"
  log "PostgreSQL on $net.10:5432"

  # --- NATS cluster -------------------------------------------------------------------------
  local i
  nats_pids=()
  for i in 1 2 3; do
    python3 -B "$here/render.py" nats --name "nats$i" --client 0.0.0.0:4222 \
      --cluster 0.0.0.0:6222 --http 127.0.0.1:8222 --route "$net.11:6222" \
      --route "$net.12:6222" --route "$net.13:6222" >"$work/nats$i.conf"
    # ip netns exec and env exec the program: $! is its pid (a shell function would not be).
    ip netns exec "${p}n$i" nats-server -c "$work/nats$i.conf" >"$work/nats$i.log" 2>&1 &
    pids+=($!)
    nats_pids+=($!)
  done
  routes_up() {  # node index: its NATS server has routes to both others
    in_ns "n$1" curl -fsS --max-time 2 http://127.0.0.1:8222/routez \
      | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["num_routes"] >= 2 else 1)'
  }
  for i in 1 2 3; do wait_until 20 "nats$i's routes" routes_up "$i"; done
  log "NATS cluster of 3 formed"

  # --- asobi nodes --------------------------------------------------------------------------
  local cluster_env=()
  if "$bin" --help 2>&1 | grep -q -- '--cluster-nats'; then
    has_bus=1
  else
    has_bus=0
    log "WARNING: this build has no cluster bus (--cluster-nats): nodes run unclustered and the"
    log "WARNING: cross-node checks below will FAIL, not skip"
  fi
  local pepper
  pepper="$(head -c 48 /dev/urandom | base64 -w0)"
  node_pids=()
  for i in 1 2 3; do
    [[ $has_bus == 1 ]] && cluster_env=(ASOBI_CLUSTER_NATS=nats://127.0.0.1:4222 ASOBI_CLUSTER_NODE_ID="n$i")
    ip netns exec "${p}n$i" env ASOBI_HOST=0.0.0.0 ASOBI_PORT=8080 ASOBI_SHARDS=1 ASOBI_NO_PIN=1 \
      ASOBI_DB_HOST="$net.10" ASOBI_DB_PORT=5432 ASOBI_DB_NAME=asobi ASOBI_DB_USER=asobi \
      ASOBI_GAME_DIR="$repo/lua" ASOBI_GUEST_PEPPER="$pepper" ASOBI_LUA_RELOAD=off \
      ASOBI_BOT_FILL_MS=0 ASOBI_REGISTRATION=open ASOBI_TRUSTED_PROXIES="$net.2" \
      ASOBI_WS_CONNECT_LIMIT=100000 ASOBI_RATE_LIMITS='register=1000/1000,auth=1000/1000,api=100000/1000' \
      "${cluster_env[@]}" "${node_env[@]}" "$bin" >"$work/asobi$i.log" 2>&1 &
    node_pids+=($!)
    pids+=($!)
  done
  node_ready() { in_ns lb curl -fsS --max-time 2 "http://$net.1$1:8080/ready"; }
  for i in 1 2 3; do wait_until 60 "asobi n$i /ready" node_ready "$i"; done
  log "asobi nodes n1 n2 n3 ready (pids ${node_pids[*]})"

  # --- HAProxy ------------------------------------------------------------------------------
  python3 -B "$here/render.py" haproxy --bind "*:8080" --maxconn "$haproxy_maxconn" \
    --node "n1=$net.11:8080" --node "n2=$net.12:8080" --node "n3=$net.13:8080" >"$work/haproxy.cfg"
  haproxy -c -q -f "$work/haproxy.cfg" || die "haproxy rejects the rendered config"
  ip netns exec "${p}lb" haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  pids+=($!)
  wait_until 20 "HAProxy /ready" in_ns lb curl -fsS --max-time 2 http://127.0.0.1:8080/ready
  log "HAProxy on $net.2:8080 in front of the 3 nodes"
}
