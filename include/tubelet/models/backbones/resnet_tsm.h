// MMAction2's ResNetTSM: a 2D ResNet whose residual blocks shift a part of the channels one
// segment forward and one backward in time (Temporal Shift Module).
//   shift_place='blockres': the shift wraps the first conv of each block
//     (layer1.0.conv1.conv.net.weight); 'block': the whole block (layer1.0.net.conv1.conv.weight).
//   temporal_pool: layer2 is preceded by a temporal max pool that halves the segments
//     (layer2.net.0...); later stages shift over num_segments / 2.
//   non_local + non_local_cfg: chosen blocks are followed by mmcv's NonLocal3d over the
//     segments (layer2.0.block..., layer2.0.non_local_block...).
// As in MMAction2, these are applied in this order, after the ResNet's own initialisation.
#pragma once

#include <optional>

#include "tubelet/models/backbones/resnet.h"
#include "tubelet/models/common/non_local.h"

namespace tubelet {

struct ResNetTSMOptions {
  TORCH_ARG(int64_t, num_segments) = 8;
  TORCH_ARG(bool, is_shift) = true;
  TORCH_ARG(int64_t, shift_div) = 8;
  /// "blockres" (shift inside the residual branch; any name containing it) or "block"
  /// (before the whole block).
  TORCH_ARG(std::string, shift_place) = "blockres";
  TORCH_ARG(bool, temporal_pool) = false;
  /// Per stage, per block: 1 where a non-local block follows. Used only with non_local_cfg.
  TORCH_ARG(std::vector<std::vector<int64_t>>, non_local);
  /// NonLocal3d's settings (in_channels comes from each block); nullopt: no non-local blocks,
  /// as MMAction2 ignores `non_local` when non_local_cfg is empty.
  TORCH_ARG(std::optional<NonLocalOptions>, non_local_cfg);
};

// The builder's reading of ResNetTSM's own arguments (num_segments and shift_div too when
// `with_segments`; ResNetTIN reads those itself).
ResNetTSMOptions read_resnet_tsm_options(Args& args, bool with_segments);

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

// Max pool over time (kernel 3, stride 2, padding 1) on [N * segments, C, H, W], then `net`.
class TemporalPoolImpl : public torch::nn::Module {
 public:
  TemporalPoolImpl(torch::nn::Sequential net, int64_t num_segments);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Sequential net_;
  torch::nn::MaxPool3d max_pool3d_{nullptr};
  int64_t num_segments_;
};
TORCH_MODULE(TemporalPool);

// A residual block followed by NonLocal3d over the segments of each clip.
class NL3DWrapperImpl : public torch::nn::Module {
 public:
  NL3DWrapperImpl(torch::nn::AnyModule block, int64_t num_segments,
                  const NonLocalOptions& non_local);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::AnyModule block_;
  NonLocal non_local_block_{nullptr};
  int64_t num_segments_;
};
TORCH_MODULE(NL3DWrapper);

class ResNetTSMImpl : public ResNetImpl {
 public:
  ResNetTSMImpl(const ResNetOptions& resnet, const ResNetTSMOptions& tsm);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  // Also freezes what wraps the frozen stages (non-local blocks), as MMAction2 freezes the
  // wrapped layerN.
  void train(bool on = true) override;

  ResNetTSMOptions tsm_options;

 protected:
  // Wraps the blocks that tsm_options.non_local flags (ResNetTIN calls it after its own
  // changes, as MMAction2's ResNetTIN.init_weights does).
  void make_non_local();

 private:
  void make_temporal_shift();
  void make_temporal_pool();
  void replace_stage(size_t index, torch::nn::Sequential stage);

  std::vector<torch::nn::Sequential> stages_;
  TemporalPool temporal_pool_{nullptr};
};

}  // namespace tubelet
