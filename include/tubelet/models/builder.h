// Building a model from its config, as MMAction2's build_model does: the `type` is looked up
// in whichever model registry holds it (RECOGNIZERS, LOCALIZERS, BACKBONES, ...).
#pragma once

#include <memory>
#include <string>

#include <torch/nn/module.h>

#include "tubelet/config/value.h"

namespace tubelet {

// `path` names where `cfg` sits in the config ("model") for error messages.
std::shared_ptr<torch::nn::Module> build_model(const Value& cfg, const std::string& path = "model");

}  // namespace tubelet
