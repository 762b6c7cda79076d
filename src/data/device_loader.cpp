#include "tubelet/data/device_loader.h"

#include <stdexcept>
#include <utility>

#include "tubelet/distributed/device.h"

namespace tubelet {

DeviceLoader::DeviceLoader(std::shared_ptr<DataLoader> inner, torch::Device device)
    : inner_(std::move(inner)), device_(device) {
  if (!inner_) throw std::invalid_argument("DeviceLoader needs a loader");
}

std::optional<Batch> DeviceLoader::next() {
  std::optional<Batch> batch = inner_->next();
  if (!batch || device_.is_cpu()) return batch;
  return to_device(std::move(*batch), device_);
}

Batch to_device(Batch batch, const torch::Device& device) {
  for (auto& [name, tensor] : batch.tensors) tensor = dist::to_device(tensor, device);
  for (auto& [name, tensors] : batch.lists)
    for (auto& t : tensors) t = dist::to_device(t, device);
  return batch;
}

std::shared_ptr<DataLoader> on_device(std::shared_ptr<DataLoader> loader,
                                      const torch::Device& device) {
  if (device.is_cpu()) return loader;
  return std::make_shared<DeviceLoader>(std::move(loader), device);
}

}  // namespace tubelet
