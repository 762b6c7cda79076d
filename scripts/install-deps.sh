#!/usr/bin/env bash
# Installs the Debian 12 packages Tubelet builds with (scripts/bootstrap.sh and
# scripts/build-libtorch2.sh both start here). Only what is missing: apt-get update runs only
# then, and nothing is printed when everything is in place.
# Usage: scripts/install-deps.sh [EXTRA_PACKAGE...]
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libtorch-dev libopenblas0-pthread   # LibTorch; OpenBLAS makes its BLAS ~50x faster than the reference one
  libgloo-dev                         # the Gloo headers of LibTorch's c10d (distributed training)
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev            # the libFuzzer harness
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev   # video and audio decoding
  ffmpeg                              # encodes the test and synthetic videos
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev   # MMAction2's image ops
  libcurl4-openssl-dev libssl-dev     # downloads of pretrained weights and their SHA-256 check
  "$@"
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
