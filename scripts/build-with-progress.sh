#!/usr/bin/env bash
# Builds with ninja and says how far it is: a line per 10% of the compile steps (and at least
# one a minute), with the elapsed time, instead of silent minutes. The whole log goes to
# BUILD_DIR/build.log and is printed when the build fails.
# Usage: scripts/build-with-progress.sh BUILD_DIR [--target T ...]
set -euo pipefail
build=$1
shift
log=$build/build.log
start=$(date +%s)
# A line per 10% of the steps, and at least one a minute while steps finish. Read by bash:
# Debian's awk (mawk) reads a pipe in blocks, which held every line back to the end.
report_progress() {
  local line finished total now shown=-1 last=0
  while IFS= read -r line; do
    [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    finished=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
    printf -v now '%(%s)T' -1
    if ((10 * finished / total > shown || now - last >= 60)); then
      shown=$((10 * finished / total)) last=$now
      printf 'bootstrap: build %3d%% (%d/%d steps, %d s)\n' $((100 * finished / total)) "$finished" \
        "$total" $((now - start))
    fi
  done
}
set +e
cmake --build "$build" -j "$(nproc)" "$@" 2>&1 | tee "$log" | report_progress
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
