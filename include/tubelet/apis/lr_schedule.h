// `tubelet schedule`: the LR and momentum each training iteration of a config's run sees,
// found by running that run's real runner and updater hooks with nothing to train (see
// tubelet/engine/schedule_probe.h), so what it reports is what `tubelet train` would do.
#pragma once

#include <cstdint>
#include <vector>

#include "tubelet/config/value.h"

namespace tubelet {

struct LrSchedule {
  // lr[g][i], momentum[g][i]: param group g's values inside training iteration i (after the
  // before-iteration hooks ran). NaN where there is no value: a policy that gave none (mmcv
  // sets lr to None there) or an optimizer with neither momentum nor betas.
  std::vector<std::vector<double>> lr, momentum;
};

// Runs the whole run `cfg` describes (runner = dict(...) or total_epochs) with
// `iters_per_epoch` iterations per epoch. The optimizer is built as training builds it
// (constructor, paramwise_cfg) over cfg.model, or over one dummy parameter when the config has
// no model; lr_config and momentum_config are registered as register_training_hooks does.
// A config mmcv rejects throws (ConfigError or std::invalid_argument) with mmcv's reason.
LrSchedule trace_lr_schedule(const Dict& cfg, int64_t iters_per_epoch);

}  // namespace tubelet
