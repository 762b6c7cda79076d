// MMAction2's ResNet3d (I3D and the 3D ResNets built on it): 3D ConvModules, per-stage and
// per-block inflation of the temporal kernel, spatial and temporal strides, pool1/pool2.
#pragma once

#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/pooling.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct ResNet3dOptions {
  explicit ResNet3dOptions(int64_t depth) : depth_(depth) {}
  TORCH_ARG(int64_t, depth);
  TORCH_ARG(std::optional<std::vector<int64_t>>, stage_blocks);
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, num_stages) = 4;
  TORCH_ARG(int64_t, base_channels) = 64;
  TORCH_ARG(std::vector<int64_t>, out_indices) = {3};
  TORCH_ARG(std::vector<int64_t>, spatial_strides) = {1, 2, 2, 2};
  TORCH_ARG(std::vector<int64_t>, temporal_strides) = {1, 1, 1, 1};
  TORCH_ARG(std::vector<int64_t>, dilations) = {1, 1, 1, 1};
  TORCH_ARG(std::vector<int64_t>, conv1_kernel) = {3, 7, 7};
  TORCH_ARG(int64_t, conv1_stride_s) = 2;
  TORCH_ARG(int64_t, conv1_stride_t) = 1;
  TORCH_ARG(int64_t, pool1_stride_s) = 2;
  TORCH_ARG(int64_t, pool1_stride_t) = 1;
  TORCH_ARG(bool, with_pool1) = true;
  TORCH_ARG(bool, with_pool2) = true;
  TORCH_ARG(std::string, style) = "pytorch";
  TORCH_ARG(int64_t, frozen_stages) = -1;
  /// Per stage, the inflation of each block (1: 3-frame temporal kernel, 0: 1 frame).
  TORCH_ARG(std::vector<std::vector<int64_t>>, inflate);
  TORCH_ARG(std::string, inflate_style) = "3x1x1";
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg);
  TORCH_ARG(bool, norm_eval) = false;
  TORCH_ARG(bool, zero_init_residual) = true;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  static ResNet3dOptions from_config(Args& args);
};

class ResNet3dImpl : public Backbone {
 public:
  explicit ResNet3dImpl(const ResNet3dOptions& options);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  void train(bool on = true) override;

  ResNet3dOptions options;

 private:
  torch::nn::Sequential make_res_layer(int64_t stage, int64_t planes, int64_t blocks);
  void init_weights();

  ConvModule conv1_{nullptr};
  torch::nn::MaxPool3d maxpool_{nullptr}, pool2_{nullptr};
  std::vector<torch::nn::Sequential> res_layers_;
  std::vector<std::shared_ptr<ConvModuleImpl>> last_convs_;  // zero_init_residual targets
  int64_t inplanes_ = 0;
  bool bottleneck_ = false;
};
TORCH_MODULE(ResNet3d);

}  // namespace tubelet
