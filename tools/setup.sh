#!/usr/bin/env bash
# Installs everything asobi-cpp needs on a fresh Debian 12 machine (idempotent), builds the
# LuaJIT check-hook library (third_party/luajit) and configures the release build in build/.
# Usage: tools/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  liburing-dev libwslay-dev libpq-dev libsimdjson-dev libmimalloc-dev libsodium-dev libssl-dev
  libcurl4-openssl-dev  # IAP provider requests (src/game/iap)
  libnats-dev nats-server  # cluster bus (src/cluster) and its integration test
  libluajit2-5.1-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-contrib dpkg-dev curl ca-certificates python3
  chromium  # headless browser test of the bundled web client (tests/integration/web_client_test.cc)
  haproxy nats-server iproute2  # cluster test in network namespaces (tools/cluster/netns_test.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# LuaJIT with LUAJIT_ENABLE_CHECKHOOK from Debian's source package (see third_party/luajit).
if [ -x third_party/luajit/build.sh ]; then
  bash third_party/luajit/build.sh
fi

if [ "${1:-}" != "--no-build" ]; then
  if [ -d build ]; then
    meson setup --reconfigure build >/dev/null
  else
    meson setup build >/dev/null
  fi
fi
echo "setup: ok"
