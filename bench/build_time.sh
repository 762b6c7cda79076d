#!/usr/bin/env bash
# Clean-build times on this machine: the `tubelet` command alone (what scripts/demo.sh builds),
# then the rest of the tree (tests, plugins, benchmarks), in a fresh build folder with the
# README's settings (Release, ninja, all cores). Prints both figures and the core count.
# Usage: bench/build_time.sh [BUILD_DIR=build-time] [CMAKE_ARG...]   (e.g. -DTUBELET_UNITY_BUILD=OFF)
# The folder is deleted first; the Debian packages of scripts/install-deps.sh must be there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-time}
shift || true
rm -rf "$build"
# seconds NAME COMMAND...: runs COMMAND with its output in $build/NAME.log, prints its seconds.
seconds() {
  local name=$1 start=$SECONDS
  shift
  "$@" >"$build/$name.log" 2>&1 || { tail -50 "$build/$name.log" >&2; exit 1; }
  echo $((SECONDS - start))
}
mkdir -p "$build"
configure=$(seconds configure cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@")
tool=$(seconds tubelet ninja -C "$build" -j "$(nproc)" tubelet_cli)
rest=$(seconds rest ninja -C "$build" -j "$(nproc)")
steps=$(grep -c '^[^#]' "$build/.ninja_log")
echo "build time on $(nproc) cores ($(uname -m), $(c++ --version | head -1)), $steps steps:"
echo "  configure:                 ${configure} s"
echo "  tubelet (the command):     ${tool} s"
echo "  whole tree (tests, bench): $((tool + rest)) s"
