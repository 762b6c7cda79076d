// MMAction2's X3D backbone (mmaction/models/backbones/x3d.py): a 3D network widened and
// deepened by gamma_w, gamma_b and gamma_d, made of BlockX3D bottlenecks (1x1x1 conv,
// depthwise 3x3x3 conv, optional squeeze-and-excitation, swish, 1x1x1 conv). Checkpoint keys
// read backbone.conv1_s.conv.weight, backbone.layer1.0.se_module.fc1.weight, backbone.conv5.bn.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct X3DOptions {
  TORCH_ARG(double, gamma_w) = 1.0;
  TORCH_ARG(double, gamma_b) = 1.0;
  TORCH_ARG(double, gamma_d) = 1.0;
  /// A local checkpoint path (loaded not strictly), or None for kaiming/constant init.
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, num_stages) = 4;
  TORCH_ARG(std::vector<int64_t>, spatial_strides) = {2, 2, 2, 2};
  TORCH_ARG(int64_t, frozen_stages) = -1;
  /// "half": squeeze-and-excitation in every other block (the first, third, ...); "all".
  TORCH_ARG(std::string, se_style) = "half";
  /// None: no squeeze-and-excitation.
  TORCH_ARG(std::optional<double>, se_ratio) = 1.0 / 16;
  /// Stored as MMAction2 does; its BlockX3D applies swish whatever the value.
  TORCH_ARG(bool, use_swish) = true;
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg);
  TORCH_ARG(bool, norm_eval) = false;
  TORCH_ARG(bool, with_cp) = false;
  TORCH_ARG(bool, zero_init_residual) = true;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  X3DOptions();
  static X3DOptions from_config(Args& args);
};

// The channel rounding of X3D (and of its SE module): width * multiplier to a multiple of 8,
// at least 8 and not below 90% of the exact value. A multiplier of 0 keeps the width.
int64_t x3d_round_width(double width, double multiplier);

class X3DImpl : public Backbone {
 public:
  explicit X3DImpl(const X3DOptions& options);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_features(x).back(); }

  // Applies frozen_stages and norm_eval on top of the usual mode switch.
  void train(bool on = true) override;
  void init_weights();

  int64_t feat_dim() const { return feat_dim_; }
  const std::vector<int64_t>& stage_blocks() const { return stage_blocks_; }
  X3DOptions options;

 private:
  torch::nn::Sequential make_res_layer(int64_t layer_inplanes, int64_t inplanes, int64_t planes,
                                       int64_t blocks, int64_t spatial_stride,
                                       const std::string& path);
  void freeze_stages();

  ConvModule conv1_s_{nullptr}, conv1_t_{nullptr}, conv5_{nullptr};
  std::vector<torch::nn::Sequential> res_layers_;
  std::vector<int64_t> stage_blocks_;
  int64_t base_channels_ = 24;
  int64_t feat_dim_ = 0;
};
TORCH_MODULE(X3D);

}  // namespace tubelet
