#include "tubelet/models/backbones/resnet_tsm.h"

#include "tubelet/models/registries.h"

namespace tubelet {

TemporalShiftImpl::TemporalShiftImpl(torch::nn::AnyModule net, int64_t num_segments,
                                     int64_t shift_div)
    : net_(std::move(net)), num_segments_(num_segments), shift_div_(shift_div) {
  register_module("net", net_.ptr());
}

torch::Tensor TemporalShiftImpl::forward(const torch::Tensor& x) {
  return net_.forward(shift(x, num_segments_, shift_div_));
}

torch::Tensor TemporalShiftImpl::shift(const torch::Tensor& x, int64_t num_segments,
                                       int64_t shift_div) {
  int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(n % num_segments == 0, "TemporalShift: batch ", n, " is not a multiple of ",
              num_segments, " segments");
  torch::Tensor v = x.view({-1, num_segments, c, h * w});
  int64_t fold = c / shift_div;
  using torch::indexing::Slice;
  // Channels [0, fold) take the next segment's values, [fold, 2 fold) the previous one's;
  // the segment that has no neighbour gets zeros.
  torch::Tensor left = v.index({Slice(), Slice(), Slice(0, fold)});
  torch::Tensor mid = v.index({Slice(), Slice(), Slice(fold, 2 * fold)});
  torch::Tensor right = v.index({Slice(), Slice(), Slice(2 * fold, torch::indexing::None)});
  torch::Tensor left_blank = torch::zeros_like(left.index({Slice(), Slice(0, 1)}));
  torch::Tensor mid_blank = torch::zeros_like(mid.index({Slice(), Slice(0, 1)}));
  left = torch::cat({left.index({Slice(), Slice(1, torch::indexing::None)}), left_blank}, 1);
  mid = torch::cat({mid_blank, mid.index({Slice(), Slice(0, -1)})}, 1);
  return torch::cat({left, mid, right}, 2).view({n, c, h, w});
}

ResNetTSMImpl::ResNetTSMImpl(const ResNetOptions& resnet, const ResNetTSMOptions& tsm)
    : ResNetImpl(resnet), tsm_options(tsm) {
  if (!tsm.is_shift()) return;
  if (tsm.shift_place() != "blockres")
    throw ConfigError(resnet.path() + ": shift_place '" + tsm.shift_place() +
                      "' is not supported yet (only 'blockres')");
  // Very deep stages shift every other block, as MMAction2 does for ResNet-101/152.
  int64_t every = res_layers().size() > 2 && res_layers()[2]->size() >= 23 ? 2 : 1;
  for (const auto& stage : res_layers()) {
    for (size_t i = 0; i < stage->size(); ++i) {
      if (static_cast<int64_t>(i) % every != 0) continue;
      auto conv1 = stage->ptr(i)->named_children()["conv1"]->as<ConvModuleImpl>();
      conv1->replace_conv(torch::nn::AnyModule(
          TemporalShift(conv1->conv_layer(), tsm.num_segments(), tsm.shift_div())));
    }
  }
}

namespace {

std::shared_ptr<torch::nn::Module> build_resnet_tsm(Args& args) {
  ResNetTSMOptions tsm;
  tsm.num_segments(args.get<int64_t>("num_segments", 8))
      .is_shift(args.get("is_shift", true))
      .shift_div(args.get<int64_t>("shift_div", 8))
      .shift_place(args.get("shift_place", "blockres"));
  if (args.get("temporal_pool", false))
    throw args.error("temporal_pool", "temporal_pool=True is not supported yet");
  for (int64_t flag : args.get("non_local", std::vector<int64_t>{0, 0, 0, 0}))
    if (flag) throw args.error("non_local", "non-local blocks are not supported yet");
  if (!args.get("non_local_cfg", Dict()).empty())
    throw args.error("non_local_cfg", "non-local blocks are not supported yet");
  return std::make_shared<ResNetTSMImpl>(ResNetOptions::from_config(args), tsm);
}

}  // namespace

TUBELET_REGISTER(BACKBONES, ResNetTSM, build_resnet_tsm);

}  // namespace tubelet
