#include "tubelet/models/backbones/mobilenet_v2_tsm.h"

#include <sstream>
#include <stdexcept>

#include "tubelet/models/backbones/resnet_tsm.h"
#include "tubelet/models/registries.h"

namespace tubelet {

MobileNetV2TSMImpl::MobileNetV2TSMImpl(const MobileNetV2Options& options,
                                       const MobileNetV2TSMOptions& tsm)
    : MobileNetV2Impl(options), tsm_options(tsm) {
  if (tsm.num_segments() < 1) throw ConfigError(options.path() + ": num_segments must be positive");
  if (tsm.shift_div() < 1) throw ConfigError(options.path() + ": shift_div must be positive");
  if (!tsm.is_shift()) return;
  for (auto& m : modules(/*include_self=*/false)) {
    auto* block = m->as<InvertedResidualImpl>();
    if (!block || block->conv()->size() != 3 || !block->use_res_connect()) continue;
    block->replace_first(
        torch::nn::AnyModule(TemporalShift(block->first(), tsm.num_segments(), tsm.shift_div())));
  }
}

std::vector<torch::Tensor> MobileNetV2TSMImpl::forward_features(const torch::Tensor& x) {
  if (tsm_options.is_shift() && x.dim() == 4 && x.size(0) % tsm_options.num_segments() != 0) {
    std::ostringstream msg;
    msg << options.path() << ": MobileNetV2TSM expects input [N * num_segments, 3, H, W] with "
        << "num_segments = " << tsm_options.num_segments() << ", got " << x.sizes();
    throw std::invalid_argument(msg.str());
  }
  return MobileNetV2Impl::forward_features(x);
}

namespace {

std::shared_ptr<Backbone> build_mobilenet_v2_tsm(Args& args) {
  MobileNetV2TSMOptions tsm;
  tsm.num_segments(args.get<int64_t>("num_segments", 8))
      .is_shift(args.get("is_shift", true))
      .shift_div(args.get<int64_t>("shift_div", 8));
  return std::make_shared<MobileNetV2TSMImpl>(MobileNetV2Options::from_config(args), tsm);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, MobileNetV2TSM, build_mobilenet_v2_tsm);

}  // namespace tubelet
