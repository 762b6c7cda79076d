// MMAction2's MobileNetV2TSM: MobileNetV2 whose residual InvertedResidual blocks (those with
// an expand conv and a residual sum) shift channels in time before their first ConvModule,
// so its keys read backbone.layer2.1.conv.0.net.conv.weight. Input: [N * num_segments, 3, H, W].
#pragma once

#include "tubelet/models/backbones/mobilenet_v2.h"

namespace tubelet {

struct MobileNetV2TSMOptions {
  TORCH_ARG(int64_t, num_segments) = 8;
  TORCH_ARG(bool, is_shift) = true;
  TORCH_ARG(int64_t, shift_div) = 8;
};

class MobileNetV2TSMImpl : public MobileNetV2Impl {
 public:
  // Initialises (or loads `pretrained`) first, then inserts the shifts, as MMAction2's
  // init_weights does: a pretrained checkpoint carries the plain MobileNetV2 keys.
  MobileNetV2TSMImpl(const MobileNetV2Options& options, const MobileNetV2TSMOptions& tsm);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;

  MobileNetV2TSMOptions tsm_options;
};
TORCH_MODULE(MobileNetV2TSM);

}  // namespace tubelet
