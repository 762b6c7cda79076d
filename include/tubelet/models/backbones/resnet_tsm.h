// MMAction2's ResNetTSM: a 2D ResNet whose residual blocks shift a part of the channels one
// segment forward and one backward in time (Temporal Shift Module). The shift wraps the
// first conv of each block, so its keys read layer1.0.conv1.conv.net.weight.
#pragma once

#include "tubelet/models/backbones/resnet.h"

namespace tubelet {

struct ResNetTSMOptions {
  TORCH_ARG(int64_t, num_segments) = 8;
  TORCH_ARG(bool, is_shift) = true;
  TORCH_ARG(int64_t, shift_div) = 8;
  /// "blockres" (shift inside the residual branch) or "block" (before the whole block).
  TORCH_ARG(std::string, shift_place) = "blockres";
};

// Shifts 1/shift_div of the channels back in time and 1/shift_div forward, then runs `net`.
class TemporalShiftImpl : public torch::nn::Module {
 public:
  TemporalShiftImpl(torch::nn::AnyModule net, int64_t num_segments, int64_t shift_div);
  torch::Tensor forward(const torch::Tensor& x);
  static torch::Tensor shift(const torch::Tensor& x, int64_t num_segments, int64_t shift_div);

 private:
  torch::nn::AnyModule net_;
  int64_t num_segments_, shift_div_;
};
TORCH_MODULE(TemporalShift);

class ResNetTSMImpl : public ResNetImpl {
 public:
  ResNetTSMImpl(const ResNetOptions& resnet, const ResNetTSMOptions& tsm);
  ResNetTSMOptions tsm_options;
};

}  // namespace tubelet
