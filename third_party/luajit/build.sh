#!/usr/bin/env bash
# Builds LuaJIT (Debian's `luajit2` source package, OpenResty's branch) with
# LUAJIT_ENABLE_CHECKHOOK and our patch asobi-cpoll.patch into third_party/luajit/install.
# See README.md for why.
#
# Idempotent: does nothing when install/lib/libluajit-5.1.a exists, is newer than this script
# and was built from the current asobi-cpoll.patch (install/asobi-patch.sha256). When the patch
# changed, the source is unpacked again from the downloaded .dsc (no network) and rebuilt.
# Needs root (or sudo) only when the machine has no deb-src entry yet.
# Output: one summary line; the full log is kept in src/build.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$here/install"
srcroot="$here/src"
lib="$prefix/lib/libluajit-5.1.a"
log="$srcroot/build.log"
patch_file="$here/asobi-cpoll.patch"
patch_sum="$(sha256sum "$patch_file" | cut -d' ' -f1)"
stamp="$prefix/asobi-patch.sha256"

if [[ -f "$lib" && "$lib" -nt "${BASH_SOURCE[0]}" && -f "$stamp" &&
      "$(cat "$stamp")" == "$patch_sum" ]]; then
  echo "luajit: checkhook+cpoll build up to date ($lib)"
  exit 0
fi

sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then sudo_cmd=(sudo); fi

fail() {
  echo "luajit: build failed: $1 (log: $log)" >&2
  exit 1
}

# Adds deb-src entries mirroring the machine's Debian `deb` entries, in a separate file:
# deb822 `.sources` files (Debian 12's default) or one-line entries in sources.list.
add_deb_src() {
  local deb822=()
  mapfile -t deb822 < <(grep -lsE '^URIs:.*debian' /etc/apt/sources.list.d/*.sources | grep -v asobi-deb-src || true)
  if [[ ${#deb822[@]} -gt 0 ]]; then
    for f in "${deb822[@]}"; do
      sed -e 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$f"
      echo
    done | "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/asobi-deb-src.sources >/dev/null
  elif grep -qsE '^[[:space:]]*deb[[:space:]].*debian' /etc/apt/sources.list; then
    grep -E '^[[:space:]]*deb[[:space:]].*debian' /etc/apt/sources.list |
      sed -e 's/^\([[:space:]]*\)deb\([[:space:]]\)/\1deb-src\2/' |
      "${sudo_cmd[@]}" tee /etc/apt/sources.list.d/asobi-deb-src.list >/dev/null
  else
    fail "no Debian apt source found to derive a deb-src entry from"
  fi
}

mkdir -p "$srcroot"
: >"$log"

# The unpacked source must carry exactly the current patch; otherwise unpack it again.
srcdir="$(find "$srcroot" -mindepth 1 -maxdepth 1 -type d -name 'luajit2-*' | sort | tail -n 1)"
if [[ -n "$srcdir" && "$(cat "$srcdir/.asobi-patch.sha256" 2>/dev/null)" != "$patch_sum" ]]; then
  rm -rf "$srcdir"
  srcdir=""
fi

if [[ -z "$srcdir" ]]; then
  dsc="$(find "$srcroot" -maxdepth 1 -name 'luajit2_*.dsc' | sort | tail -n 1)"
  if [[ -n "$dsc" ]]; then
    # Already downloaded: unpack again (Debian patches applied), no network needed.
    (cd "$srcroot" && dpkg-source -x "$dsc") >>"$log" 2>&1 || fail "dpkg-source -x $dsc"
  else
    if ! apt-cache showsrc luajit2 >/dev/null 2>&1; then
      if ! grep -Eqs '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
          /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
        add_deb_src
      fi
      "${sudo_cmd[@]}" apt-get update -qq >>"$log" 2>&1 || fail "apt-get update"
    fi
    # Fetch and unpack (Debian patches applied).
    (cd "$srcroot" && apt-get source -qq luajit2) >>"$log" 2>&1 || fail "apt-get source luajit2"
  fi
  srcdir="$(find "$srcroot" -mindepth 1 -maxdepth 1 -type d -name 'luajit2-*' | sort | tail -n 1)"
  [[ -n "$srcdir" ]] || fail "source directory not found after unpacking"
  # Our patch: hook polls in long-running library functions (README.md "The cpoll patch").
  patch -p1 --forward -d "$srcdir" <"$patch_file" >>"$log" 2>&1 || fail "patch asobi-cpoll.patch"
  echo "$patch_sum" >"$srcdir/.asobi-patch.sha256"
fi

# Same recipe as debian/rules (`make amalg`, default CCOPT -O2), plus CHECKHOOK, the one flag
# Debian does not set. GC64 needs no flag: it is this branch's default on x86-64 (lj_arch.h),
# as in Debian's amd64 build. Static archive only; -fPIC so it links into PIE executables.
xcflags="-DLUAJIT_ENABLE_CHECKHOOK"
jobs="${JOBS:-2}"
{
  make -C "$srcdir" clean
  make -C "$srcdir" -j"$jobs" amalg PREFIX="$prefix" XCFLAGS="$xcflags" CFLAGS="-fPIC" \
    BUILDMODE=static Q=@ E=@:
  make -C "$srcdir" install PREFIX="$prefix"
} >>"$log" 2>&1 || fail "make"

# Only the static library and headers are needed; drop the rest of the install tree.
rm -rf "$prefix"/lib/libluajit-5.1.so* "$prefix/bin" "$prefix/share" "$prefix/lib/lua"
touch "$lib"
echo "$patch_sum" >"$stamp"

version="$(basename "$srcdir")"
echo "luajit: built $version with $xcflags and asobi-cpoll.patch -> $lib"
