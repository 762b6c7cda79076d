#!/usr/bin/env bash
# The configuration of scripts/gpu-check.sh's GPU image, checked on every build machine: with
# every optional library off and the vendored ones forced, CMake must configure, leave out
# exactly the files that need FFmpeg/OpenCV (and the Gloo thread tests), keep the files that
# guard themselves with TUBELET_NO_MEDIA, and the YAML reader must compile without yaml-cpp.
# (The whole build of that configuration takes too long for CI; gpu-check.sh --minimal does it.)
# Usage: minimal_configure_test.sh SOURCE_DIR CMAKE_PREFIX_PATH
set -euo pipefail
src=$1
prefix=${2//:/;}  # given ':'-separated, as in the environment
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cmake -S "$src" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=$prefix" \
  -DTUBELET_WITH_MEDIA=OFF -DTUBELET_WITH_YAML=OFF -DTUBELET_WITH_DOWNLOAD=OFF \
  -DTUBELET_WITH_GLOO=OFF -DTUBELET_VENDORED_DEPS=ON >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; fail "configure"; }
grep -q "built without YAML, downloads, Gloo, media (FFmpeg, OpenCV)" "$work/configure.log" ||
  fail "configure did not say what it leaves out"
for lib in nlohmann_json CLI11 GoogleTest; do
  grep -q "$lib from third_party/" "$work/configure.log" || fail "$lib not taken from third_party/"
done

ninja_file=$work/build.ninja
has_object() { grep -q "^build [^:]*/$1\.o:" "$ninja_file"; }
# Out: decoding, transforms, datasets, the commands that run them, their tests.
for out in src/data/decoding/ffmpeg_video_reader.cpp src/data/transforms/resize.cpp \
  src/data/datasets/video_dataset.cpp src/apis/train.cpp src/engine/hooks/eval_hook.cpp \
  tools/commands/train.cpp tools/commands/test.cpp tests/data/decoding_test.cpp \
  tests/distributed/collectives_test.cpp; do
  has_object "$out" && fail "$out is built, though it needs what this configuration lacks"
done
# Kept: models, optimizers, checkpoints, process groups, the CUDA tests, the benchmark.
grep -q "^build [^:]*Unity/unity_0_cxx.cxx.o:" "$ninja_file" || fail "no unity batches"
for kept in src/apis/environment.cpp src/distributed/process_group.cpp src/fileio/download.cpp \
  src/config/read_yaml.cpp tools/main.cpp; do
  has_object "$kept" || fail "$kept is not built on its own with its macro"
done
grep -q "models/backbones/resnet.cpp" "$work/CMakeFiles/tubelet.dir/Unity/"*.cxx ||
  fail "the model sources are not in libtubelet"
grep -q "tests/cuda/cuda_training_test.cpp" "$work/tests/CMakeFiles/tubelet_tests.dir/Unity/"*.cxx ||
  fail "the CUDA tests are not in tubelet_tests"
grep -A3 "tools/main.cpp.o:" "$ninja_file" | grep -q "DEFINES = .*-DTUBELET_NO_MEDIA" ||
  fail "tools/main.cpp is not compiled with TUBELET_NO_MEDIA"
# The YAML reader without yaml-cpp: torch-free, so quick to compile.
ninja -C "$work" CMakeFiles/tubelet.dir/src/config/read_yaml.cpp.o >"$work/yaml.log" 2>&1 ||
  { cat "$work/yaml.log"; fail "read_yaml.cpp does not compile without yaml-cpp"; }
echo "minimal configuration: OK"
