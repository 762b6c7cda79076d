#!/usr/bin/env bash
# Runs the ctest suite under the thread counts and CPU kernels that change float summation
# order: OMP_NUM_THREADS=1 and 2, ATEN_CPU_CAPABILITY=default and the best this CPU has
# (avx2, or avx512 where present). Every comparison in the suite must hold under each: a
# test that only passes with one summation order compares too strictly.
# Usage: scripts/test-cpu-variants.sh [BUILD_DIR [SETTING...]] (default build/, built by
# bootstrap.sh, and the four settings; a SETTING is VAR=VALUE)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${TUBELET_BUILD_DIR:-build}}
shift || true
best=avx2
grep -qw avx512f /proc/cpuinfo && best=avx512
settings=("$@")
((${#settings[@]})) || settings=("OMP_NUM_THREADS=1" "OMP_NUM_THREADS=2" "ATEN_CPU_CAPABILITY=default"
  "ATEN_CPU_CAPABILITY=$best")
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'); $(grep -ow -e avx2 -e avx512f -e fma /proc/cpuinfo | sort -u | tr '\n' ' ')"
failed=()
for setting in "${settings[@]}"; do
  echo "== ctest with $setting"
  start=$(date +%s)
  if (cd "$build" && env "$setting" ctest --output-on-failure -j "$(nproc)" >"ctest-$setting.log" 2>&1); then
    echo "passed in $(($(date +%s) - start)) s"
  else
    grep -E "tests passed|FAILED|Failure" "$build/ctest-$setting.log" | head -n 40
    failed+=("$setting")
  fi
done
if ((${#failed[@]})); then
  echo "failed under: ${failed[*]} (logs: $build/ctest-*.log)"
  exit 1
fi
echo "passed under ${settings[*]}"
