// The few LibTorch APIs that differ between the versions Tubelet builds against: Debian's
// LibTorch 1.13 and the LibTorch 2.x of a pip `torch` (CUDA build). Everything that depends
// on the version is decided here, once; the rest of the code calls these functions. (The c10d
// process group's ProcessGroup/Backend split is in tubelet/distributed/process_group.h.)
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/optim/optimizer.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

// True from LibTorch major.minor on.
#define TUBELET_TORCH_VERSION_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||                  \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace tubelet::compat {

// CUDA autocast on or off for this thread (torch.autocast('cuda')). LibTorch 2.4 made autocast
// per device type (set_autocast_enabled(kCUDA, on)) and deprecated the CUDA-only set_enabled.
inline void set_cuda_autocast_enabled(bool enabled) {
#if TUBELET_TORCH_VERSION_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  at::autocast::set_enabled(enabled);
#endif
}

// The key of Optimizer::state() for one parameter: its TensorImpl's address, which LibTorch
// 1.13 spelled as a string (c10::guts::to_string(ptr), gone in 2.x) and LibTorch 2.x keeps as
// the void* itself. Decided by the map's own key type, so any version in between is right too.
using OptimizerStateKey =
    std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>::key_type;

template <class Key = OptimizerStateKey>  // a template, so that only one branch is compiled
Key optimizer_state_key(const torch::Tensor& param) {
  void* impl = param.unsafeGetTensorImpl();
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream out;  // what c10::guts::to_string(void*) wrote
    out << impl;
    return out.str();
  } else {
    return impl;
  }
}

}  // namespace tubelet::compat
