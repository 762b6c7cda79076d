// A faulty plugin: registers a name another plugin already took.
#include "tubelet/models/registries.h"

namespace {

std::shared_ptr<torch::nn::Module> build(tubelet::Args&) {
  return std::make_shared<torch::nn::Module>();
}

}  // namespace

TUBELET_REGISTER(BACKBONES, TestPluginLinear, build);
