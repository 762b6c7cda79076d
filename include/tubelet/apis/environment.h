// MMAction2's collect_env (mmcv.utils.collect_env) for a LibTorch program: what Tubelet was
// built with and runs on. `tubelet collect-env` prints it, and `tubelet train` logs the same
// lines at the top of its log (and keeps them in the checkpoint's meta.env_info).
#pragma once

#include <string>

#include "tubelet/config/value.h"

namespace tubelet {

// The environment as an ordered dict with snake_case keys:
//   sys_platform, cuda_compiled (bool: this LibTorch has CUDA), cuda_available (bool: and a
//   GPU), cuda_runtime_version, cudnn_version, nccl_version (None where not compiled in),
//   gpus (list of {index, name, total_memory_mib, compute_capability}), compiler,
//   libtorch_version, libtorch_library (the libtorch_cpu loaded, found at run time),
//   libtorch_cmake_prefix (the LibTorch found at configure time), blas, blas_library (the
//   library serving sgemm_ at run time), lapack, cpu_capability, onednn_available,
//   onednn_version, openmp, parallel_backend, intra_op_threads, inter_op_threads, cpu_cores,
//   malloc (which serves this process), infer_malloc_policy (what `tubelet infer` sets, see
//   tubelet/allocator.h), ffmpeg, libavcodec, libavformat, opencv, tubelet_version,
//   tubelet_git_hash ("unknown" outside a git checkout), libtorch_config (LibTorch's own build
//   summary, at::show_config()).
// CUDA questions go through LibTorch's CUDA hooks, which every build has; only a build against
// a CUDA LibTorch reads GPU properties through ATen's CUDA API. Safe without a GPU.
Dict collect_env();

// `label: value` lines as MMAction2 prints them ("sys.platform: linux", "CUDA available:
// False", "GPU 0: NVIDIA H100 ...", "LibTorch: 2.11.0", ...), no trailing newline.
std::string format_env(const Dict& env);

// format_env(collect_env()): the block `tubelet train` logs.
std::string environment_info();

}  // namespace tubelet
