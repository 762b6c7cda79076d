#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and builds Tubelet into build/ (Release).
# Usage: scripts/bootstrap.sh [TARGET...] (default: everything, tests and benchmarks included)
# Installs only what is missing (apt-get update only then), configures once, builds
# incrementally. Idempotent, and quiet when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${TUBELET_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  echo "bootstrap: configuring $build/"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# Arguments name the targets to build (the demo needs only tubelet_cli); none builds all.
targets=()
for t in "$@"; do targets+=(--target "$t"); done
scripts/build-with-progress.sh "$build" "${targets[@]}"
