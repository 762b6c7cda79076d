// MMAction2's build_dataloader as its tools call it: a dataset batched as the config's data
// block says for a phase, this process's share of it, its batches on the run's device.
#pragma once

#include <torch/types.h>

#include <memory>

#include "tubelet/data/dataset_loader.h"

namespace tubelet {

// The run's side of a loader: the sampler's seed, which share of the data this process
// takes, and where its batches go.
struct LoaderPlacement {
  uint64_t seed = 0;
  int rank = 0;
  int world_size = 1;
  torch::Device device = torch::kCPU;
};

// `options` (dataloader_options(data, phase), adjusted by the caller: shuffle, workers) with
// the placement's seed, rank and world size; a DeviceLoader around it off the CPU.
std::shared_ptr<DataLoader> build_dataloader(std::shared_ptr<const Dataset> dataset,
                                             DataLoaderOptions options,
                                             const LoaderPlacement& placement);

}  // namespace tubelet
