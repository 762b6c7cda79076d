#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the config loader and of the .pth checkpoint reader
# (clang, ASan + UBSan; the pth one links the uninstrumented libtorch) and runs each for
# SECONDS (default 60) on a corpus seeded with the project's configs / checkpoint fixtures.
# Fails on any crash, hang, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=build-fuzz
mkdir -p "$out/corpus"
# The .pth reader's harness builds in the background while the config one builds and runs.
pth_sources=(src/checkpoint/unpickler.cpp src/checkpoint/pth_reader.cpp src/checkpoint/zip_directory.cpp
  src/checkpoint/pickler.cpp src/checkpoint/pth_writer.cpp src/fileio/atomic_file.cpp fuzz/pth_fuzzer.cpp)
pth_newest=$(ls -t "${pth_sources[@]}" include/tubelet/checkpoint/*.h include/tubelet/fileio/*.h src/checkpoint/*.h | head -1)
pth_build=:
if [ ! -x "$out/pth_fuzzer" ] || [ "$pth_newest" -nt "$out/pth_fuzzer" ]; then
  echo "fuzz: building $out/pth_fuzzer"
  clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Iinclude -Isrc -isystem /usr/include/torch/csrc/api/include "${pth_sources[@]}" \
    -ltorch -ltorch_cpu -lc10 -o "$out/pth_fuzzer" >"$out/pth_build.log" 2>&1 &
  pth_build="wait $!"
fi
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
  "$out/config_fuzzer" -artifact_prefix="$out/" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=8192 -print_final_stats=1 "$out/corpus" "$seeds" 2>"$out/fuzz.log" || {
  tail -60 "$out/fuzz.log"; echo "fuzz: FAILED (log: $out/fuzz.log)"; exit 1; }
runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$out/fuzz.log" | grep -o "[0-9]*$" || echo "?")
echo "fuzz: config loader survived $runs inputs in ${seconds}s (no crash, hang or sanitizer report)"

$pth_build || { cat "$out/pth_build.log"; echo "fuzz: building pth_fuzzer FAILED"; exit 1; }
mkdir -p "$out/pth_corpus"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$out/pth_fuzzer" -artifact_prefix="$out/" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=16384 -print_final_stats=1 "$out/pth_corpus" tests/fixtures/checkpoint 2>"$out/pth_fuzz.log" || {
  tail -60 "$out/pth_fuzz.log"; echo "fuzz: FAILED (log: $out/pth_fuzz.log)"; exit 1; }
runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$out/pth_fuzz.log" | grep -o "[0-9]*$" || echo "?")
echo "fuzz: .pth reader survived $runs inputs in ${seconds}s (no crash, hang or sanitizer report)"
