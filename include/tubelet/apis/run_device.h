// Where `train`, `test` and `infer` compute, from their --device option and the config.
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>

#include "tubelet/config/value.h"

namespace tubelet {

// --device when given, else the config's `device`, else "cpu". "cuda" without an index is
// GPU `local_rank` in a distributed run (mmcv's init_dist) and otherwise the first of the
// config's `gpu_ids` (MMAction2's tools put --gpu-ids there; a one-process run uses the
// first), else GPU 0. Errors say which of them asked for what.
torch::Device run_device(const Dict& cfg, const std::optional<std::string>& option,
                         int local_rank = 0, bool distributed = false);

}  // namespace tubelet
