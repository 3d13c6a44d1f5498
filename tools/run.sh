#!/usr/bin/env bash
# Sets up, builds and runs asobi with the bundled demo game on :8080 (ASOBI_PORT).
# With no ASOBI_DB_HOST in the environment it starts a private PostgreSQL cluster in .dev/pg
# (tools/dev-db.sh) and points the server at it. Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
ninja -C build src/server/asobi
if [ -z "${ASOBI_DB_HOST:-}" ] && [ -x tools/dev-db.sh ]; then
  bash tools/dev-db.sh start >/dev/null
  set -a
  # shellcheck disable=SC1091
  source .dev/pg/env
  set +a
fi
# Guest sign-in for local development: the bundled game declares guest_auth = true, and the
# pepper that keys guest verifiers is generated into .dev/ on first run (kept, so that guest
# devices still sign in after a restart). Production sets its own ASOBI_GUEST_PEPPER.
if [ -z "${ASOBI_GUEST_PEPPER:-}" ]; then
  mkdir -p .dev
  if [ ! -s .dev/guest_pepper ]; then
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 > .dev/guest_pepper)
  fi
  ASOBI_GUEST_PEPPER="$(cat .dev/guest_pepper)"
  export ASOBI_GUEST_PEPPER
fi
export ASOBI_CORS_ORIGINS="${ASOBI_CORS_ORIGINS:-*}"
[ -d lua ] && export ASOBI_GAME_DIR="${ASOBI_GAME_DIR:-$PWD/lua}"
echo "asobi on http://localhost:${ASOBI_PORT:-8080}  (Ctrl-C to stop)"
exec build/src/server/asobi "$@"
