#!/usr/bin/env bash
# Private PostgreSQL cluster for development and tests (DEVELOPMENT ONLY: trust auth).
#
#   tools/dev-db.sh start  [datadir]   initdb if needed, start, create database `asobi`,
#                                       write <datadir>/env and print it (idempotent)
#   tools/dev-db.sh stop   [datadir]   stop the cluster (no-op when not running)
#   tools/dev-db.sh restart [datadir]  pg_ctl restart -m fast (same port; fails when stopped)
#   tools/dev-db.sh status [datadir]   say whether it runs; print the env when it does
#   tools/dev-db.sh env    [datadir]   print <datadir>/env (exit 1 when not running)
#
# datadir defaults to <repo>/.dev/pg (as root, when the cluster's user cannot reach it, e.g. a
# checkout under /root: /var/tmp/asobi-dev-<hash of repo path>/pg). The cluster listens on a unix socket inside
# <datadir>/socket and on 127.0.0.1 at the first free port from 55432 upward (kept across
# restarts while it stays free). Authentication is `trust` for local and loopback
# connections: anyone on this machine can connect as any role. Never use this for anything
# but development.
#
# <datadir>/env holds KEY=VALUE lines the server and tests read:
#   ASOBI_DB_HOST ASOBI_DB_PORT ASOBI_DB_NAME ASOBI_DB_USER ASOBI_DB_PASSWORD
#   ASOBI_DB_SOCKET_DIR (optional: unix socket dir, usable as ASOBI_DB_HOST)
# Load it into a shell with:  set -a; . <datadir>/env; set +a
#
# Runs PostgreSQL from Debian's `postgresql` package (/usr/lib/postgresql/<ver>/bin). When
# run as root, the cluster runs as the system user `postgres` (created by the package) or,
# if that does not exist, a system user `asobi` created here; initdb refuses root. The
# package's own cluster (port 5432) is neither used nor touched.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
datadir_arg="${2:-}"
datadir="$(realpath -m "${datadir_arg:-$repo_root/.dev/pg}")"
db_name="asobi"
db_role="asobi"
first_port=55432

die() { echo "dev-db: $*" >&2; exit 1; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return 0; fi
  done
  die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
}

# The OS user that owns and runs the cluster.
run_user() {
  if [[ "$(id -u)" != 0 ]]; then id -un; return; fi
  if id postgres >/dev/null 2>&1; then echo postgres; return; fi
  if ! id asobi >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin asobi >/dev/null
  fi
  echo asobi
}

# Runs "$@" as the cluster's OS user.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {  # [first port to try]
  local p=${1:-$first_port}
  while ! port_free "$p"; do
    p=$((p + 1))
    [[ $p -lt $((first_port + 200)) ]] || die "no free port in $first_port..$p"
  done
  echo "$p"
}

is_running() {
  [[ -f "$datadir/PG_VERSION" ]] && as_owner "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1
}

write_env() {
  local port="$1"
  cat >"$datadir/env.tmp" <<EOF
ASOBI_DB_HOST=127.0.0.1
ASOBI_DB_PORT=$port
ASOBI_DB_NAME=$db_name
ASOBI_DB_USER=$db_role
ASOBI_DB_PASSWORD=
ASOBI_DB_SOCKET_DIR=$datadir/socket
EOF
  chmod 644 "$datadir/env.tmp"
  mv "$datadir/env.tmp" "$datadir/env"
}

init_cluster() {
  mkdir -p "$datadir"
  chmod 700 "$datadir"
  # The run user must be able to reach the data dir through its parents.
  local parent
  parent="$(dirname "$datadir")"
  chmod o+x "$parent" 2>/dev/null || true
  chown "$owner" "$datadir"
  as_owner "$bindir/initdb" -D "$datadir" -U "$db_role" --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$datadir/../initdb.log" 2>&1 \
    || as_owner "$bindir/initdb" -D "$datadir" -U "$db_role" --auth=trust -E UTF8 \
      --locale=C >"$datadir/../initdb.log" 2>&1 \
    || die "initdb failed, see $(dirname "$datadir")/initdb.log"
  as_owner mkdir -p "$datadir/socket"
  as_owner tee -a "$datadir/postgresql.conf" >/dev/null <<EOF

# --- asobi dev-db.sh (development only) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$datadir/socket'
max_connections = 200
EOF
}

start_cluster() {
  [[ -f "$datadir/PG_VERSION" ]] || init_cluster
  local port=""
  [[ -f "$datadir/port" ]] && port="$(cat "$datadir/port")"
  if [[ -z "$port" ]] || ! port_free "$port"; then port="$(pick_port)"; fi
  # Another cluster starting at the same time (tests start private clusters in parallel) can
  # take the port between the check and the bind: then try the next free ports.
  local attempt
  for attempt in 1 2 3 4 5 6 7 8; do
    if as_owner "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
      -o "-p $port" start >/dev/null 9>&-; then
      break
    fi
    if [[ $attempt -eq 8 ]] || ! tail -n 20 "$datadir/server.log" | grep -q "could not bind"; then
      die "pg_ctl start failed, see $datadir/server.log"
    fi
    port="$(pick_port $((port + 1 + RANDOM % 8)))"
  done
  echo "$port" | as_owner tee "$datadir/port" >/dev/null
  local psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U "$db_role" -d postgres)
  if [[ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$db_name'")" != 1 ]]; then
    "${psql[@]}" -c "CREATE DATABASE $db_name" >/dev/null
  fi
  write_env "$port"
}

# As root, the cluster's user must reach the data dir through its parents (a checkout under
# /root is not reachable). The default dir then moves to /var/tmp/asobi-dev-<hash>/pg.
resolve_datadir() {
  [[ "$(id -u)" == 0 ]] || return 0
  local probe
  probe="$(dirname "$datadir")"
  while [[ ! -d "$probe" ]]; do probe="$(dirname "$probe")"; done
  if runuser -u "$owner" -- test -x "$probe"; then return 0; fi
  if [[ -n "$datadir_arg" ]]; then
    die "user $owner cannot reach $datadir; choose a data dir it can reach"
  fi
  datadir="/var/tmp/asobi-dev-$(echo -n "$repo_root" | md5sum | cut -c1-8)/pg"
  echo "dev-db: $owner cannot reach $repo_root/.dev; using $datadir" >&2
}

# Serialises concurrent start/stop (parallel test binaries all call `start`).
lock_datadir() {
  mkdir -p "$(dirname "$datadir")"
  exec 9>"$(dirname "$datadir")/.$(basename "$datadir").lock"
  flock 9
}

case "$cmd" in
  start)
    bindir="$(find_bindir)"
    owner="$(run_user)"
    resolve_datadir
    lock_datadir
    if is_running && [[ -f "$datadir/env" ]]; then
      cat "$datadir/env"
      exit 0
    fi
    start_cluster
    cat "$datadir/env"
    ;;
  stop)
    bindir="$(find_bindir)"
    owner="$(run_user)"
    resolve_datadir
    lock_datadir
    if is_running; then
      as_owner "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null
      echo "dev-db: stopped ($datadir)"
    else
      echo "dev-db: not running ($datadir)"
    fi
    rm -f "$datadir/env"
    ;;
  restart)
    bindir="$(find_bindir)"
    owner="$(run_user)"
    resolve_datadir
    lock_datadir
    is_running || die "not running ($datadir)"
    as_owner "$bindir/pg_ctl" -D "$datadir" -l "$datadir/server.log" -m fast -w -t 60 \
      restart >/dev/null 9>&- || die "pg_ctl restart failed, see $datadir/server.log"
    cat "$datadir/env"
    ;;
  status|env)
    bindir="$(find_bindir)"
    owner="$(run_user)"
    resolve_datadir
    if is_running && [[ -f "$datadir/env" ]]; then
      [[ "$cmd" == status ]] && echo "dev-db: running ($datadir)" >&2
      cat "$datadir/env"
    else
      echo "dev-db: not running ($datadir)" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 start|stop|restart|status|env [datadir]" >&2
    exit 2
    ;;
esac
