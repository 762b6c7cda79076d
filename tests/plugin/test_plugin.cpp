// A plugin the tests load by path and by name: registers one backbone when loaded.
#include <torch/nn/modules/linear.h>

#include "tubelet/models/backbone.h"
#include "tubelet/models/registries.h"

namespace {

struct PluginLinearImpl : tubelet::Backbone {
  explicit PluginLinearImpl(int64_t width)
      : fc(register_module("fc", torch::nn::Linear(width, 2))) {}
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override { return {fc(x)}; }
  torch::nn::Linear fc;
};

std::shared_ptr<PluginLinearImpl> build(tubelet::Args& args) {
  return std::make_shared<PluginLinearImpl>(args.get<int64_t>("width", 4));
}

}  // namespace

TUBELET_REGISTER(BACKBONES, TestPluginLinear, build);
