// Must not compile: a head registered in BACKBONES. The registry_misuse test builds this file
// and expects the compiler to name the base class to derive from.
#include "tubelet/models/head.h"
#include "tubelet/models/registries.h"

namespace {

struct AHead : tubelet::Head {
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t) override { return x; }
};

std::shared_ptr<AHead> build_a_head(tubelet::Args&) {
  return std::make_shared<AHead>();
}

}  // namespace

TUBELET_REGISTER(BACKBONES, AHead, build_a_head);
