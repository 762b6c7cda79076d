// MMAction2's SlowFast backbone (resnet3d_slowfast.py): ResNet3dPathway, a ResNet3d whose
// stages also take lateral features from the fast pathway (conv1_lateral, layerN_lateral),
// and ResNet3dSlowFast, which runs a slow and a fast pathway on temporally resampled input
// and returns both feature maps (slow, fast).
#pragma once

#include "tubelet/models/backbones/resnet3d.h"

namespace tubelet {

class ResNet3dPathwayImpl : public ResNet3dImpl {
 public:
  // options.lateral() adds the lateral convs; see ResNet3dOptions.
  explicit ResNet3dPathwayImpl(const ResNet3dOptions& options);
  void train(bool on = true) override;
  // MMAction2's build_pathway arguments: ResNet3d's plus lateral, lateral_norm, speed_ratio,
  // channel_ratio and fusion_kernel.
  static ResNet3dOptions options_from_config(Args& args, const ResNet3dOptions& defaults);

  // x_slow with the lateral features of x_fast (conv1_lateral for stage -1, layer{i+1}_lateral
  // after stage i) concatenated along channels.
  torch::Tensor fuse(int64_t stage, const torch::Tensor& x_slow, const torch::Tensor& x_fast);

 protected:
  void init_extra_weights() override;

 private:
  std::vector<ConvModule> laterals_;  // conv1_lateral, layer1_lateral, ...
};
TORCH_MODULE(ResNet3dPathway);

struct ResNet3dSlowFastOptions {
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(int64_t, resample_rate) = 8;
  TORCH_ARG(int64_t, speed_ratio) = 8;
  TORCH_ARG(int64_t, channel_ratio) = 8;
  TORCH_ARG(ResNet3dOptions, slow_pathway);
  TORCH_ARG(ResNet3dOptions, fast_pathway);

 public:  // TORCH_ARG leaves the section private
  static ResNet3dSlowFastOptions from_config(Args& args);
};

class ResNet3dSlowFastImpl : public Backbone {
 public:
  explicit ResNet3dSlowFastImpl(const ResNet3dSlowFastOptions& options);
  // x [N, C, T, H, W] -> {slow [N, Cs, T / resample_rate, h, w],
  //                       fast [N, Cf, T * speed_ratio / resample_rate, h, w]}.
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;

  ResNet3dSlowFastOptions options;
  ResNet3dPathway slow_path{nullptr}, fast_path{nullptr};
};
TORCH_MODULE(ResNet3dSlowFast);

}  // namespace tubelet
