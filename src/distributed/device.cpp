#include "tubelet/distributed/device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include <stdexcept>

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

DeviceLoader::DeviceLoader(std::shared_ptr<DataLoader> inner, torch::Device device)
    : inner_(std::move(inner)), device_(device) {
  if (!inner_) throw std::invalid_argument("DeviceLoader needs a loader");
}

std::optional<Batch> DeviceLoader::next() {
  std::optional<Batch> batch = inner_->next();
  if (!batch || device_.is_cpu()) return batch;
  for (auto& [name, tensor] : batch->tensors) tensor = to_device(tensor, device_);
  for (auto& [name, tensors] : batch->lists)
    for (auto& t : tensors) t = to_device(t, device_);
  return batch;
}

}  // namespace tubelet::dist
