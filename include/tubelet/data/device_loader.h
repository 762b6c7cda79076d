// A data loader whose batches follow the run to its device: a CUDA run's batches are copied
// from pinned memory without blocking, as PyTorch's DataLoader(pin_memory=True) +
// .cuda(non_blocking=True) do. The device itself comes from tubelet/distributed/device.h.
#pragma once

#include <torch/types.h>

#include <memory>
#include <optional>

#include "tubelet/data/data_loader.h"

namespace tubelet {

// Every batch of `inner` moved to `device` (tensors and unstacked lists); the identity on
// the CPU.
class DeviceLoader : public DataLoader {
 public:
  DeviceLoader(std::shared_ptr<DataLoader> inner, torch::Device device);
  int64_t size() const override { return inner_->size(); }
  int64_t num_samples() const override { return inner_->num_samples(); }
  void set_epoch(int64_t epoch) override { inner_->set_epoch(epoch); }
  void start() override { inner_->start(); }
  std::optional<Batch> next() override;

 private:
  std::shared_ptr<DataLoader> inner_;
  torch::Device device_;
};

// Every tensor of a batch (and of its unstacked lists) to `device`.
Batch to_device(Batch batch, const torch::Device& device);
// `loader` itself on the CPU, else wrapped in a DeviceLoader.
std::shared_ptr<DataLoader> on_device(std::shared_ptr<DataLoader> loader,
                                      const torch::Device& device);

}  // namespace tubelet
