#!/usr/bin/env bash
# Builds Tubelet against LibTorch 2.x and runs the whole test suite there: the LibTorch inside
# a pip `torch` (the official CUDA build) in a venv at build-libtorch2/venv, the build in
# build-libtorch2/ (Release, ninja). The Debian packages are those of scripts/bootstrap.sh;
# the CUDA build of torch also needs a CUDA toolkit (nvcc) of the same major version as the
# wheel's, found at $CUDAToolkit_ROOT, $CUDA_HOME or /usr/local/cuda. No GPU is needed.
# Idempotent: reuses the venv, the configured build and what is already built.
# Usage: scripts/build-libtorch2.sh [CTEST_ARG...]   (e.g. -R unit_tests to run only those)
# Environment: TUBELET_TORCH_VERSION (default 2.11.0), TUBELET_LIBTORCH2_DIR (default
# build-libtorch2), TORCH_CUDA_ARCH_LIST (default "8.0;9.0": Tubelet has no CUDA sources, it
# only spares LibTorch's CMake a GPU detection), TUBELET_SKIP_TESTS=1 to build only.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "build-libtorch2: $*"; }

version=${TUBELET_TORCH_VERSION:-2.11.0}
build=${TUBELET_LIBTORCH2_DIR:-build-libtorch2}
venv=$build/venv
py=$venv/bin/python

extra=()
[ -x "$py" ] || python3 -c "import venv, ensurepip" 2>/dev/null || extra+=(python3-venv)
scripts/install-deps.sh "${extra[@]}"

# torch's import warns on stderr about a missing numpy; Tubelet needs only its LibTorch.
torch_query() { "$py" -c "import os, torch; print($1)" 2>/dev/null; }
if [ "$(torch_query 'torch.__version__.split("+")[0]' || true)" != "$version" ]; then
  [ -x "$py" ] || python3 -m venv "$venv"
  say "installing torch==$version into $venv (a few GB with its CUDA libraries)"
  "$venv/bin/pip" install -q "torch==$version"
fi
torch_dir=$(torch_query 'os.path.dirname(torch.__file__)')
torch_cuda=$(torch_query 'torch.version.cuda')
abi=$(torch_query 'int(torch._C._GLIBCXX_USE_CXX11_ABI)')
if [ "$abi" != 1 ]; then
  # yaml-cpp, OpenCV, FFmpeg and GoogleTest from Debian use the C++11 ABI.
  say "torch $version was built with the pre-C++11 ABI; Debian's libraries need the new one" >&2
  exit 1
fi

cmake_args=(-DCMAKE_BUILD_TYPE=Release
  # torch/share/cmake for TorchConfig.cmake, torch/ itself so that its lib/ comes before
  # /usr/lib when TorchConfig looks for libtorch and libc10 (Debian's libtorch-dev has them
  # too).
  "-DCMAKE_PREFIX_PATH=$torch_dir/share/cmake;$torch_dir")
if [ "$torch_cuda" != None ]; then
  cuda_root=${CUDAToolkit_ROOT:-${CUDA_HOME:-/usr/local/cuda}}
  if [ ! -x "$cuda_root/bin/nvcc" ]; then
    say "torch $version is a CUDA $torch_cuda build: its CMake package needs a CUDA toolkit" \
      "(nvcc); none at $cuda_root (set CUDAToolkit_ROOT or CUDA_HOME)" >&2
    exit 1
  fi
  nvcc_cuda=$("$cuda_root/bin/nvcc" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
  if [ "${nvcc_cuda%%.*}" != "${torch_cuda%%.*}" ]; then
    say "warning: the CUDA toolkit at $cuda_root is $nvcc_cuda, torch was built with" \
      "$torch_cuda" >&2
  fi
  # Exported too: the out-of-tree plugin test configures a project of its own.
  export CUDAToolkit_ROOT=$cuda_root
  cmake_args+=("-DCUDAToolkit_ROOT=$cuda_root" "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root"
    "-DTORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-8.0;9.0}")
fi

if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  say "configuring $build/ against torch $version (CUDA $torch_cuda) at $torch_dir"
  cmake -S . -B "$build" -G Ninja "${cmake_args[@]}" >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 1; }
fi
if [ -x scripts/build-with-progress.sh ]; then
  scripts/build-with-progress.sh "$build"
else
  cmake --build "$build" -j "$(nproc)"
fi

[ "${TUBELET_SKIP_TESTS:-0}" = 1 ] && exit 0
say "running the test suite in $build/"
cd "$build"
ctest -j "$(nproc)" --output-on-failure "$@"
