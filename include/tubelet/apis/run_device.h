// Where `train`, `test` and `infer` compute, from their --device option and the config, and
// which part of a distributed run this process is.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>

#include "tubelet/apis/run_config.h"
#include "tubelet/data/build_dataloader.h"
#include "tubelet/distributed/dist_utils.h"

namespace tubelet {

// --device when given, else the config's `device`, else "cpu". "cuda" without an index is
// GPU `local_rank` in a distributed run (mmcv's init_dist) and otherwise the first of the
// config's `gpu_ids` (MMAction2's tools put --gpu-ids there; a one-process run uses the
// first), else GPU 0. Errors say which of them asked for what.
torch::Device run_device(const RunConfig& run, const std::optional<std::string>& option,
                         int local_rank = 0, bool distributed = false);

// Where this process computes and which part of a distributed run it is.
struct RunPlacement {
  dist::DistInfo info;
  bool distributed = false;
  torch::Device device = torch::kCPU;
  std::string device_kind;  // "cpu" or "cuda", for the backend choice

  // A loader's share of the data and device in this run.
  LoaderPlacement loader(uint64_t seed = 0) const {
    return {seed, info.rank, info.world_size, device};
  }
};

// As MMAction2's tools/train.py and test.py: the process group for --launcher first (logging
// depends on the rank), with the config's dist_params and a backend for the device kind; the
// device before that, since asking for CUDA where there is none is the clearest error to give.
// The config's `cudnn_benchmark = True` turns cuDNN's benchmark mode on.
RunPlacement place_run(const RunConfig& run, const std::string& launcher,
                       const std::optional<std::string>& device_option);

}  // namespace tubelet
