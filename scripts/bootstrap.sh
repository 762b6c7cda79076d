#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine and builds Tubelet into build/ (Release).
# Installs only what is missing (apt-get update only then), configures once, builds
# incrementally. Idempotent, and quiet when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ pkg-config
  libtorch-dev libopenblas0-pthread   # LibTorch; OpenBLAS makes its BLAS ~50x faster than the reference one
  libgloo-dev                         # the Gloo headers of LibTorch's c10d (distributed training)
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev            # the libFuzzer harness
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev   # video decoding
  ffmpeg                              # encodes the test and synthetic videos
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev   # MMAction2's image ops
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

build=${TUBELET_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  echo "bootstrap: configuring $build/"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# Keep one core's worth of memory headroom: LibTorch translation units are large.
jobs=$(nproc)
out=$(cmake --build "$build" -j "$jobs" 2>&1) || { echo "$out"; exit 1; }
grep -v -e "^ninja: no work to do" -e "^\[[0-9]*/[0-9]*\]" <<<"$out" || true
