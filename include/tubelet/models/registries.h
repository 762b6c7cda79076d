// The model registries, named as MMAction2 names them. Each builds a torch::nn::Module whose
// register_module names are the checkpoint keys.
#pragma once

#include <torch/nn/module.h>

#include "tubelet/registry.h"

namespace tubelet {

using ModuleRegistry = Registry<torch::nn::Module>;

ModuleRegistry& BACKBONES();
ModuleRegistry& NECKS();
ModuleRegistry& HEADS();
ModuleRegistry& RECOGNIZERS();
ModuleRegistry& LOCALIZERS();
ModuleRegistry& LOSSES();

}  // namespace tubelet
