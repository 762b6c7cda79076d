#!/usr/bin/env bash
# Builds with ninja and says how far it is: a line per 10% of the compile steps, with the
# elapsed time, instead of 20 silent minutes. The whole log goes to BUILD_DIR/build.log and
# is printed when the build fails.
# Usage: scripts/build-with-progress.sh BUILD_DIR [--target T ...]
set -euo pipefail
build=$1
shift
log=$build/build.log
start=$(date +%s)
set +e
cmake --build "$build" -j "$(nproc)" "$@" 2>&1 | tee "$log" | awk -v start="$start" '
  match($0, /^\[[0-9]+\/[0-9]+\]/) {
    split(substr($0, 2, RLENGTH - 2), f, "/")
    step = int(10 * f[1] / f[2])
    if (step > shown) {
      shown = step
      printf "bootstrap: build %3d%% (%d/%d steps, %d s)\n", 100 * f[1] / f[2], f[1], f[2],
        systime() - start
      fflush()
    }
  }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  grep -v '^\[[0-9]*/[0-9]*\]' "$log" | tail -n 200
  echo "bootstrap: build failed after $(($(date +%s) - start)) s (whole log: $log)"
  exit "$status"
fi
if ! grep -q '^ninja: no work to do' "$log"; then
  echo "bootstrap: build done in $(($(date +%s) - start)) s"
fi
