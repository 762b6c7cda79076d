#!/usr/bin/env bash
# The GPU run, prepared once. Written for a lent machine with one NVIDIA GPU (an H100), 16
# cores, no package registry, and an image whose `python3` has a CUDA build of PyTorch 2.x,
# plus nvcc, CMake and ninja; it receives only this repository. In order:
#   1. dependencies: says in one message everything the build needs and this machine lacks.
#      What it can do without is left out, and said: no FFmpeg or OpenCV development files
#      leave out video decoding and image operations (TUBELET_WITH_MEDIA=OFF: no datasets or
#      pipelines; the checks below run on tensors in memory), no yaml-cpp, libcurl or Gloo
#      headers leave out YAML configs, downloads and CPU process groups. CLI11, nlohmann-json
#      and GoogleTest then come from third_party/;
#   2. build: configures build-gpu/ against that PyTorch's LibTorch and builds the command, the
#      unit tests and the model-step benchmark (about 4 minutes on 16 cores);
#   3. collect-env: `tubelet collect-env --json` must see CUDA and the GPU;
#   4. CUDA tests: every model family's forward and backward on cuda:0 against the CPU, fp16
#      training (autocast, loss scaling, a planted inf skipped), a one-process NCCL group with
#      data-parallel training, a checkpoint resumed GPU -> CPU -> GPU (tests/cuda/);
#   5. benchmark: TSN-R50 (8 segments of 224x224, batch 8) and I3D-R50 (32x224x224 clips,
#      batch 8) training steps in fp32 and fp16, each against the same network in the image's
#      PyTorch eager (bench/model_step_pytorch.py), in this run: time ratios, images/s and peak
#      GPU memory.
# Everything printed also goes to $OUT/gpu-check.log when OUT is set (with collect-env.json,
# the tests' XML report and the benchmark's JSON lines next to it). Exits non-zero when a step
# failed; a summary of every step ends the output.
#
# --cpu runs the same steps on a machine without a GPU, small and fast, to test this script:
# it reuses a built tree (--build-dir, default build/), runs the CUDA tests CPU against CPU
# (TUBELET_TEST_DEVICE=cpu), and the PyTorch side only where `python3` (or $PYTHON) has torch.
#
# Usage: scripts/gpu-check.sh [--cpu] [--build-dir DIR] [--skip-build] [--build-only]
#                             [--all-tests] [--minimal]
#   --skip-build   use DIR as built (e.g. a second call after a --build-only one)
#   --all-tests    also run the whole unit-test suite (GPU mode: against LibTorch 2.x)
#   --minimal      configure as if no optional library were here (third_party/ for the rest):
#                  the GPU image's build, tried on a machine that has them all
# Environment: OUT, PYTHON (default python3), TORCH_CUDA_ARCH_LIST (default 9.0: H100),
#   CUDAToolkit_ROOT or CUDA_HOME (else nvcc's), TUBELET_DEPS_PREFIX and CMAKE_PREFIX_PATH
#   (':'-separated prefixes searched for the libraries below, and given to CMake).
set -uo pipefail  # not -e: every step runs, and the summary says which ones failed
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

mode=gpu
build_dir=""
skip_build=0
build_only=0
all_tests=0
minimal=0
while (($#)); do
  case $1 in
    --cpu) mode=cpu ;;
    --build-dir)
      build_dir=${2:?--build-dir needs a directory}
      shift
      ;;
    --skip-build) skip_build=1 ;;
    --build-only) build_only=1 ;;
    --all-tests) all_tests=1 ;;
    --minimal) minimal=1 ;;
    -h | --help)
      sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "gpu-check: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
if [ -z "$build_dir" ]; then
  if [ "$mode" = cpu ]; then build_dir=$root/build; else build_dir=$root/build-gpu; fi
fi
[ "$mode" = cpu ] && skip_build=1  # the CPU mode tests this script, not the build
build_dir=$(cd "$root" && realpath -m "$build_dir")
python=${PYTHON:-python3}

if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  out_dir=$(cd "$OUT" && pwd)
  exec > >(tee -a "$out_dir/gpu-check.log") 2>&1
  tee_pid=$!
else
  out_dir=$(mktemp -d)
  trap 'rm -rf "$out_dir"' EXIT
fi

say() { echo "gpu-check: $*"; }

# ---- steps and the summary ----

summary=()
failed=0
# step NAME FUNCTION [ARG...]: runs it and records PASS, SKIP (it returned 77) or FAIL.
step() {
  local name=$1 start=$SECONDS rc status
  shift
  echo
  echo "==== $name"
  "$@"
  rc=$?
  case $rc in
    0) status=PASS ;;
    77) status=SKIP ;;
    *)
      status=FAIL
      failed=1
      ;;
  esac
  summary+=("$(printf '%-4s  %-34s %4d s' "$status" "$name" $((SECONDS - start)))")
  echo "==== $name: $status"
}

# Prints the summary and exits: non-zero when a step failed, once the log is complete.
finish() {
  echo
  echo "==== summary ($mode mode, build $build_dir)"
  printf '%s\n' "${summary[@]}"
  if ((failed)); then say "FAILED"; else say "all steps passed"; fi
  if [ -n "${tee_pid:-}" ]; then
    exec >&- 2>&-
    wait "$tee_pid" 2>/dev/null
  fi
  exit "$failed"
}

# ---- 1. dependencies ----

# Debian puts some headers and libraries under include/ and lib/ of the target triplet.
triplet=$( (c++ -print-multiarch || gcc -print-multiarch) 2>/dev/null)
triplet=${triplet:-x86_64-linux-gnu}

# Where headers and libraries may be: TUBELET_DEPS_PREFIX, CMAKE_PREFIX_PATH, the system.
prefixes=()
IFS=':;' read -r -a extra_prefixes <<<"${TUBELET_DEPS_PREFIX:-}:${CMAKE_PREFIX_PATH:-}"
for p in "${extra_prefixes[@]}"; do [ -n "$p" ] && [ -d "$p" ] && prefixes+=("$p"); done
prefixes+=(/usr/local /usr)
for p in "${prefixes[@]}"; do
  for d in lib lib64 "lib/$triplet" share; do
    [ -d "$p/$d/pkgconfig" ] && export PKG_CONFIG_PATH="$p/$d/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  done
done

have_header() {
  local p d
  for p in "${prefixes[@]}"; do
    for d in include "include/$triplet" include/opencv4; do
      [ -f "$p/$d/$1" ] && return 0
    done
  done
  return 1
}

have_library() {
  local p d
  for p in "${prefixes[@]}"; do
    for d in lib lib64 "lib/$triplet"; do
      compgen -G "$p/$d/lib$1.so*" >/dev/null || compgen -G "$p/$d/lib$1.a" >/dev/null &&
        return 0
    done
  done
  return 1
}

# One line per missing piece: what it is, and what provides it on Debian.
missing=()
need_tool() { command -v "$1" >/dev/null 2>&1 || missing+=("$1 ($2)"); }
has() {  # has HEADER [LIBRARY...]: all of them are here
  local lib
  have_header "$1" || return 1
  shift
  for lib in "$@"; do have_library "$lib" || return 1; done
}

torch_query() { "$python" -c "import os, torch; print($1)" 2>/dev/null; }

# What the build leaves out or takes from third_party/, as CMake options and in words.
cmake_options=()
left_out=()
# without OPTION WHAT: configure with OPTION=OFF, and say what goes with it.
without() {
  cmake_options+=("-D$1=OFF")
  left_out+=("${*:2}")
}

check_optional() {
  if ((minimal)); then
    say "--minimal: building as if none of the optional libraries were here"
    cmake_options+=(-DTUBELET_VENDORED_DEPS=ON)
  fi
  if ((minimal)) || ! command -v pkg-config >/dev/null 2>&1 ||
    ! pkg-config --exists libavformat libavcodec libavutil libswscale 2>/dev/null ||
    ! has opencv2/core.hpp opencv_core opencv_imgproc opencv_imgcodecs; then
    without TUBELET_WITH_MEDIA "video decoding and image operations (no FFmpeg or OpenCV" \
      "development files): no datasets, pipelines, train/test/infer; the CUDA tests and the" \
      "benchmark run on tensors in memory"
  fi
  if ((minimal)) || ! has yaml-cpp/yaml.h yaml-cpp; then
    without TUBELET_WITH_YAML "YAML configs (no yaml-cpp)"
  fi
  if ((minimal)) || ! has curl/curl.h curl; then
    without TUBELET_WITH_DOWNLOAD "checkpoint downloads (no libcurl)"
  fi
  if ((minimal)) || ! has gloo/context.h; then
    without TUBELET_WITH_GLOO "CPU process groups (no Gloo headers; NCCL groups stay)"
  fi
  local lib
  for lib in "CLI11:CLI/CLI.hpp" "nlohmann-json:nlohmann/json.hpp" "GoogleTest:gtest/gtest.h"; do
    ((minimal)) || ! have_header "${lib#*:}" || continue
    say "${lib%%:*}: the copy in third_party/"
  done
  if ((${#left_out[@]})); then
    say "this build leaves out:"
    printf '  - %s\n' "${left_out[@]}"
  fi
}

check_dependencies() {
  need_tool cmake "CMake >= 3.18"
  need_tool ninja "ninja-build"
  need_tool c++ "a C++17 compiler: g++"
  if [ "$mode" = gpu ]; then
    cuda_root=${CUDAToolkit_ROOT:-${CUDA_HOME:-}}
    if [ -z "$cuda_root" ] && command -v nvcc >/dev/null; then
      cuda_root=$(dirname "$(dirname "$(command -v nvcc)")")
    fi
    cuda_root=${cuda_root:-/usr/local/cuda}
    [ -x "$cuda_root/bin/nvcc" ] || missing+=("nvcc at $cuda_root/bin (set CUDAToolkit_ROOT)")
    if [ -z "$(torch_query 'torch.__version__')" ]; then
      missing+=("$python with torch ('import torch' fails; set PYTHON)")
    elif [ "$(torch_query 'torch.version.cuda')" = None ]; then
      missing+=("a CUDA build of torch ($python has torch $(torch_query 'torch.__version__'))")
    elif [ "$(torch_query 'int(torch._C._GLIBCXX_USE_CXX11_ABI)')" != 1 ]; then
      # The system's C++ libraries use the C++11 ABI; the vendored ones build with torch's.
      say "this torch uses the pre-C++11 ABI: building without the system's C++ libraries"
      minimal=1
    fi
  fi
  if ((${#missing[@]})); then
    say "this machine lacks what the build needs; install it, or put it under a prefix named" \
      "by TUBELET_DEPS_PREFIX or CMAKE_PREFIX_PATH:"
    printf '  - %s\n' "${missing[@]}"
    return 1
  fi
  check_optional
  have_header benchmark/benchmark.h ||
    say "note: no Google Benchmark; its micro-benchmarks are left out (model_step_bench is not)"
  say "everything the build needs is here"
}

# ---- 2. build ----

build() {
  local torch_cmake torch_dir prefix_path
  torch_cmake=$(torch_query 'torch.utils.cmake_prefix_path')
  torch_dir=$(torch_query 'os.path.dirname(torch.__file__)')
  # torch/ itself too, so that its lib/ comes before /usr/lib when TorchConfig looks for
  # libtorch (a Debian libtorch-dev may be installed as well).
  prefix_path="$torch_cmake;$torch_dir"
  for p in "${extra_prefixes[@]}"; do [ -n "$p" ] && prefix_path+=";$p"; done
  if [ ! -f "$build_dir/build.ninja" ]; then
    say "configuring $build_dir against torch $(torch_query 'torch.__version__') at $torch_dir"
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      "-DCMAKE_PREFIX_PATH=$prefix_path" "-DCUDAToolkit_ROOT=$cuda_root" \
      "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root" "-DTORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}" \
      -DTUBELET_BUILD_TESTS=ON -DTUBELET_BUILD_BENCH=ON "${cmake_options[@]}" \
      >"$out_dir/configure.log" 2>&1 || {
      tail -n 40 "$out_dir/configure.log"
      return 1
    }
  fi
  # -k 0: what builds is used by the steps below even when another target fails.
  ninja -C "$build_dir" -k 0 -j "$(nproc)" tubelet_cli tubelet_tests model_step_bench
}

# ---- 3. collect-env ----

collect_env() {
  local json=$out_dir/collect-env.json
  [ -x "$build_dir/bin/tubelet" ] || {
    say "no $build_dir/bin/tubelet"
    return 1
  }
  timeout 120 "$build_dir/bin/tubelet" collect-env --json >"$json" || return 1
  cat "$json"
  grep -q '"libtorch_version"' "$json" || return 1
  if [ "$mode" = gpu ]; then
    for key in cuda_compiled cuda_available; do
      grep -q "\"$key\": true" "$json" || {
        say "collect-env says $key is not true"
        return 1
      }
    done
    grep -q '"gpus": \[\]' "$json" && {
      say "collect-env lists no GPU"
      return 1
    }
  fi
  return 0
}

# ---- 4. the CUDA tests ----

# One process per group, so that a crash in one group (a segfault takes the whole process)
# leaves the others' results standing; the last group catches Cuda* tests added later.
cuda_test_groups=(
  "CudaDeviceClose.*:Families/CudaModelParity.*"
  "*Fp16*:LossScaler.*"
  "CudaProcessGroup.*:CudaDevice.*:DistDevice.*"
  "CudaCheckpoint.*"
  "*Cuda*-CudaDeviceClose.*:Families/CudaModelParity.*:*Fp16*:CudaProcessGroup.*:CudaDevice.*:CudaCheckpoint.*"
)

cuda_tests() {
  local tests=$build_dir/bin/tubelet_tests group i=0 ok=0 rc
  [ -x "$tests" ] || {
    say "no $tests"
    return 1
  }
  for group in "${cuda_test_groups[@]}"; do
    i=$((i + 1))
    echo "---- tests $group"
    if [ "$mode" = gpu ]; then
      # A skipped CUDA test would pass a check that never ran: TUBELET_REQUIRE_CUDA fails it.
      TUBELET_REQUIRE_CUDA=1 timeout 300 "$tests" --gtest_filter="$group" \
        --gtest_output="xml:$out_dir/cuda-tests-$i.xml"
    else
      TUBELET_TEST_DEVICE=cpu timeout 300 "$tests" --gtest_filter="$group" \
        --gtest_output="xml:$out_dir/cuda-tests-$i.xml"
    fi
    rc=$?
    if ((rc)); then
      say "tests $group: FAILED (exit status $rc)"
      ok=1
    fi
  done
  return "$ok"
}

all_unit_tests() {
  timeout 540 "$build_dir/bin/tubelet_tests" --gtest_brief=1 \
    --gtest_output="xml:$out_dir/all-tests.xml"
}

# ---- 5. the benchmark ----

# json_field LINE KEY: a value of the benchmarks' flat one-line JSON.
json_field() { sed -n "s/.*\"$2\": \"\{0,1\}\([^,\"}]*\)\"\{0,1\}[,}].*/\1/p" <<<"$1"; }

# One row: tubelet and PyTorch, each in its own process (its own peak memory).
bench_pair() {  # bench_pair MODEL FP16(0|1) ARGS...
  local model=$1 fp16=$2 cc py ok=0 flags=()
  shift 2
  flags=(--device "$bench_device" "$@")
  ((fp16)) && flags+=(--fp16)
  cc=$(timeout 300 "$build_dir/bin/model_step_bench" "$model" "${flags[@]}" | tail -n 1) || ok=1
  echo "$cc" | tee -a "$out_dir/bench.jsonl"
  [ -n "$(json_field "$cc" median_ms)" ] || ok=1
  if ((have_torch)); then
    py=$(timeout 300 "$python" "$root/bench/model_step_pytorch.py" "$model" "${flags[@]}" |
      tail -n 1) || ok=1
    echo "$py" | tee -a "$out_dir/bench.jsonl"
    [ -n "$(json_field "$py" median_ms)" ] || ok=1
  fi
  rows+=("$model|$fp16|$cc|${py:-}")
  return "$ok"
}

bench_table() {
  local row model fp16 cc py cms pms
  printf '\n%-9s %-5s %10s %10s %7s %12s %12s %9s %9s\n' model prec "tubelet ms" "pytorch ms" \
    ratio "tubelet im/s" "pytorch im/s" "tub. MiB" "pyt. MiB"
  for row in "${rows[@]}"; do
    IFS='|' read -r model fp16 cc py <<<"$row"
    cms=$(json_field "$cc" median_ms)
    pms=$(json_field "$py" median_ms)
    awk -v m="$model" -v p="$( ((fp16)) && echo fp16 || echo fp32)" -v c="$cms" -v y="$pms" \
      -v ci="$(json_field "$cc" images_per_s)" -v yi="$(json_field "$py" images_per_s)" \
      -v cg="$(json_field "$cc" peak_gpu_mib)" -v yg="$(json_field "$py" peak_gpu_mib)" \
      'BEGIN { r = (c != "" && y != "" && y > 0) ? sprintf("%.2f", c / y) : "-";
               printf "%-9s %-5s %10s %10s %7s %12s %12s %9s %9s\n", m, p, c, (y == "" ? "-" : y),
                      r, ci, (yi == "" ? "-" : yi), cg, (yg == "" ? "-" : yg) }'
  done
  echo "ratio: tubelet time / pytorch time (below 1: tubelet is faster); im/s: batch x frames" \
    "per second; MiB: peak GPU memory of the timed steps (0 on the CPU)"
}

# The two sides must build the same network, and fp16 must mean autocast on a GPU.
bench_consistency() {
  local row model fp16 cc py ok=0 want_amp
  for row in "${rows[@]}"; do
    IFS='|' read -r model fp16 cc py <<<"$row"
    want_amp=false
    [ "$fp16" = 1 ] && [ "$bench_device" = cuda ] && want_amp=true
    if [ "$(json_field "$cc" amp)" != "$want_amp" ]; then
      say "$model: tubelet's amp is $(json_field "$cc" amp), expected $want_amp"
      ok=1
    fi
    [ -z "$py" ] && continue
    if [ "$(json_field "$cc" params)" != "$(json_field "$py" params)" ]; then
      say "$model: $(json_field "$cc" params) parameters in tubelet," \
        "$(json_field "$py" params) in pytorch"
      ok=1
    fi
    if [ "$(json_field "$py" amp)" != "$want_amp" ]; then
      say "$model: pytorch's amp is $(json_field "$py" amp), expected $want_amp"
      ok=1
    fi
  done
  return "$ok"
}

benchmark() {
  rows=()
  [ -x "$build_dir/bin/model_step_bench" ] || {
    say "skipped: no $build_dir/bin/model_step_bench (configure with TUBELET_BUILD_BENCH=ON)"
    return 77
  }
  have_torch=0
  if "$python" -c 'import torch' >/dev/null 2>&1; then
    have_torch=1
  else
    say "pytorch side skipped: no python torch ('$python -c \"import torch\"' fails)"
  fi
  local ok=0 fp16 tsn i3d
  if [ "$mode" = gpu ]; then
    bench_device=cuda
    tsn=(--batch 8 --frames 8 --size 224 --warmup 3 --iterations 10)
    i3d=(--batch 8 --frames 32 --size 224 --warmup 3 --iterations 10)
  else
    # Small: this tests the plumbing. I3D's temporal strides need 8 frames, and its last
    # batch norm more than one value per channel, hence 64x64.
    bench_device=cpu
    tsn=(--batch 1 --frames 2 --size 32 --warmup 0 --iterations 1 --threads 1)
    i3d=(--batch 1 --frames 8 --size 64 --warmup 0 --iterations 1 --threads 1)
  fi
  for fp16 in 0 1; do
    bench_pair tsn "$fp16" "${tsn[@]}" || ok=1
    bench_pair i3d "$fp16" "${i3d[@]}" || ok=1
  done
  bench_table | tee "$out_dir/bench.txt"
  bench_consistency || ok=1
  return "$ok"
}

# ---- the run ----

say "$mode mode; build $build_dir; output ${OUT:-(not kept: OUT is not set)}"
cuda_root=""
if ((skip_build)) && [ "$mode" = gpu ]; then
  say "--skip-build: using $build_dir as built"
else
  step "dependencies" check_dependencies
  ((failed)) && finish
fi
if ! ((skip_build)); then
  step "build (tubelet, tests, bench)" build
fi
((build_only)) && finish
step "collect-env" collect_env
step "CUDA tests" cuda_tests
((all_tests)) && step "all unit tests" all_unit_tests
step "benchmark" benchmark
finish
