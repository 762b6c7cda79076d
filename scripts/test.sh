#!/usr/bin/env bash
# Runs the whole test suite: set-up and build (bootstrap), every ctest test, then the
# config-loader fuzzer for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
build=${TUBELET_BUILD_DIR:-build}
(cd "$build" && ctest --output-on-failure -j "$(nproc)")
scripts/fuzz.sh "${TUBELET_FUZZ_SECONDS:-60}"
