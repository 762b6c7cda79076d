// MMAction2's C3D: eight 3x3x3 ConvModules with max pooling, then fc6/fc7 (4096 each).
#pragma once

#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "tubelet/models/backbone.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct C3DOptions {
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg);
  /// Flattened size after pool5: 8192 for 16x112x112 clips.
  TORCH_ARG(int64_t, out_dim) = 8192;
  TORCH_ARG(double, dropout_ratio) = 0.5;
  TORCH_ARG(double, init_std) = 0.005;
  TORCH_ARG(std::string, path) = "backbone";
};

class C3DImpl : public Backbone {
 public:
  explicit C3DImpl(const C3DOptions& options);
  // [N, 3, T, H, W] -> [N, 4096]
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;

  C3DOptions options;

 private:
  std::vector<std::pair<ConvModule, torch::nn::MaxPool3d>> stages_;
  torch::nn::Linear fc6_{nullptr}, fc7_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(C3D);

}  // namespace tubelet
