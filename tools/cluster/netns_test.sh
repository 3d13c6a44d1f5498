#!/usr/bin/env bash
# Cluster test in network namespaces on one machine (issue 16 item 7). Needs root, iproute2,
# haproxy, nats-server, PostgreSQL (tools/setup.sh installs them) and a built server.
#
#   tools/cluster/netns_test.sh [--short] [--bin PATH] [--keep]
#
# Topology (all namespaces private to this run; the host's own network is not touched):
#   <p>sw   a bridge joining every namespace below through veth pairs, subnet 10.77.16.0/24
#   <p>db   PostgreSQL                                  10.77.16.10:5432
#   <p>n1..3  one asobi node + one NATS server each     10.77.16.11..13 (:8080, NATS :4222/:6222)
#   <p>lb   HAProxy (tools/cluster/haproxy.cfg.in) on :8080, and the players
#           (tools/cluster/cluster_check.py) which reach the cluster only through it
# The NATS servers form one cluster (tools/cluster/nats-cluster.conf.in); each asobi node
# talks to the NATS server in its own namespace.
#
# The set-up is tools/cluster/netns_lib.sh (shared with netns_bench.sh). Every wait is bounded;
# on any exit the trap kills what this script started (by pid) and deletes its namespaces and
# files (--keep leaves the files, for reading the logs).
# --short (CI): 2 players per node; default: 5 per node.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/tools/cluster"
bin="$repo/build/src/server/asobi"
per_node=5
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --short) per_node=2 ;;
    --bin) bin="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--short] [--bin PATH] [--keep]" >&2; exit 2 ;;
  esac
  shift
done

tag=netns_test
# shellcheck source=tools/cluster/netns_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns_lib.sh"
netns_up

# --- the checks -----------------------------------------------------------------------------
dm=()
[[ $has_bus == 1 ]] && dm=(--dm --mm)
timeout 150 ip netns exec "${p}lb" python3 -B "$here/cluster_check.py" --lb 127.0.0.1:8080 \
  --nodes "n1=${node_pids[0]},n2=${node_pids[1]},n3=${node_pids[2]}" \
  --players-per-node "$per_node" "${dm[@]}" || die "cluster checks"
log "ok"
