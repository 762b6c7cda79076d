// A faulty plugin: registers a name another plugin already took.
#include "tubelet/models/backbone.h"
#include "tubelet/models/registries.h"

namespace {

struct Nothing : tubelet::Backbone {
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override { return {x}; }
};

std::shared_ptr<Nothing> build(tubelet::Args&) {
  return std::make_shared<Nothing>();
}

}  // namespace

TUBELET_REGISTER(BACKBONES, TestPluginLinear, build);
