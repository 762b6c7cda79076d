// A plugin the tests load by path and by name: registers one backbone when loaded.
#include <torch/nn/modules/linear.h>

#include "tubelet/models/registries.h"

namespace {

struct PluginLinearImpl : torch::nn::Module {
  explicit PluginLinearImpl(int64_t width)
      : fc(register_module("fc", torch::nn::Linear(width, 2))) {}
  torch::nn::Linear fc;
};

std::shared_ptr<torch::nn::Module> build(tubelet::Args& args) {
  return std::make_shared<PluginLinearImpl>(args.get<int64_t>("width", 4));
}

}  // namespace

TUBELET_REGISTER(BACKBONES, TestPluginLinear, build);
