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
export ASOBI_CORS_ORIGINS="${ASOBI_CORS_ORIGINS:-*}"
[ -d lua ] && export ASOBI_GAME_DIR="${ASOBI_GAME_DIR:-$PWD/lua}"
echo "asobi on http://localhost:${ASOBI_PORT:-8080}  (Ctrl-C to stop)"
exec build/src/server/asobi "$@"
