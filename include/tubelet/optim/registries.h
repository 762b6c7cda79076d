// OPTIMIZERS and OPTIMIZER_BUILDERS, as mmcv names them.
#pragma once

#include <torch/optim/optimizer.h>

#include <vector>

#include "tubelet/registry.h"

namespace tubelet {

// An optimizer is built from its config and the parameter groups a constructor made.
using ParamGroups = std::vector<torch::optim::OptimizerParamGroup>;
using OptimizerRegistry = Registry<torch::optim::Optimizer, ParamGroups>;
OptimizerRegistry& OPTIMIZERS();

// Turns `optimizer = dict(type=..., constructor=..., paramwise_cfg=...)` and a model into an
// optimizer (mmcv's DefaultOptimizerConstructor and its subclasses).
class OptimizerConstructor;
Registry<OptimizerConstructor>& OPTIMIZER_BUILDERS();

}  // namespace tubelet
