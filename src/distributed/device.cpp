#include "tubelet/distributed/device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include <stdexcept>

// The CUDA runtime's headers exist only where LibTorch was built with CUDA.
#ifdef TUBELET_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace tubelet::dist {

torch::Device resolve_device(const std::string& name, int local_rank) {
  if (name == "cpu") return torch::kCPU;
  if (name != "cuda" && name.rfind("cuda:", 0) != 0)
    throw std::invalid_argument("device must be 'cpu', 'cuda' or 'cuda:N', not '" + name + "'");
  if (!torch::cuda::is_available())
    throw std::runtime_error("device '" + name +
                             "' was asked for, but CUDA is not available: this LibTorch has no "
                             "CUDA support or the machine has no GPU (use --device cpu)");
  const int count = static_cast<int>(torch::cuda::device_count());
  torch::Device device(name);
  if (!device.has_index())
    return torch::Device(torch::kCUDA, static_cast<int8_t>(local_rank % count));
  if (device.index() >= count)
    throw std::runtime_error("device '" + name + "': this machine has " + std::to_string(count) +
                             " GPU(s)");
  return device;
}

void set_cudnn_benchmark(bool enabled) {
  at::globalContext().setBenchmarkCuDNN(enabled);
}

torch::Tensor to_device(const torch::Tensor& t, const torch::Device& device) {
  if (!t.defined() || t.device() == device) return t;
  if (device.is_cuda() && t.device().is_cpu())
    return t.pin_memory().to(device, /*non_blocking=*/true);
  return t.to(device);
}

void synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

#ifdef TUBELET_WITH_CUDA
namespace {
// "cuda" without an index means the current GPU, as in PyTorch.
c10::DeviceIndex cuda_index(const torch::Device& device) {
  return device.has_index() ? device.index() : c10::cuda::current_device();
}
}  // namespace
#endif

int64_t peak_memory_bytes(const torch::Device& device) {
#ifdef TUBELET_WITH_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(cuda_index(device));
    // Index 0 is StatType::AGGREGATE (both pools) in every LibTorch; the enum's namespace
    // moved in 2.x.
    return stats.allocated_bytes[0].peak;
  }
#endif
  (void)device;
  return 0;
}

void reset_peak_memory(const torch::Device& device) {
#ifdef TUBELET_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(cuda_index(device));
#endif
  (void)device;
}

}  // namespace tubelet::dist
