#!/usr/bin/env bash
# Builds the libFuzzer harness of the config loader (clang, ASan + UBSan) and runs it for
# SECONDS (default 60) on a corpus seeded with the project's configs. Fails on any crash,
# hang, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=build-fuzz
mkdir -p "$out/corpus"
sources=(src/config/*.cpp src/config/python/*.cpp fuzz/config_fuzzer.cpp)
newest=$(ls -t "${sources[@]}" include/tubelet/config/*.h src/config/python/*.h | head -1)
if [ ! -x "$out/config_fuzzer" ] || [ "$newest" -nt "$out/config_fuzzer" ]; then
  echo "fuzz: building $out/config_fuzzer"
  clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Iinclude -Isrc "${sources[@]}" -lyaml-cpp -o "$out/config_fuzzer"
fi
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
i=0
while IFS= read -r f; do cp "$f" "$seeds/seed_$((i++)).py"; done < <(find configs fuzz/seeds -name '*.py' 2>/dev/null)
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$out/config_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 "$out/corpus" "$seeds" 2>"$out/fuzz.log" || {
  tail -60 "$out/fuzz.log"; echo "fuzz: FAILED (log: $out/fuzz.log)"; exit 1; }
runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$out/fuzz.log" | grep -o "[0-9]*$" || echo "?")
echo "fuzz: config loader survived $runs inputs in ${seconds}s (no crash, hang or sanitizer report)"
