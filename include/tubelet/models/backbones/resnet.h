// MMAction2's 2D ResNet (mmaction/models/backbones/resnet.py): depth 18/34/50/101/152, every
// stage a sequence of BasicBlock or Bottleneck built from ConvModules, so checkpoint keys read
// backbone.layer1.0.conv1.conv.weight, backbone.layer1.0.downsample.bn.running_mean, ...
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

struct ResNetOptions {
  explicit ResNetOptions(int64_t depth) : depth_(depth) {}
  TORCH_ARG(int64_t, depth);
  /// A local checkpoint path, or None for kaiming/constant initialisation.
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(bool, torchvision_pretrain) = true;
  TORCH_ARG(int64_t, in_channels) = 3;
  TORCH_ARG(int64_t, num_stages) = 4;
  TORCH_ARG(std::vector<int64_t>, out_indices) = {3};
  TORCH_ARG(std::vector<int64_t>, strides) = {1, 2, 2, 2};
  TORCH_ARG(std::vector<int64_t>, dilations) = {1, 1, 1, 1};
  /// "pytorch": the stride sits in the 3x3 conv; "caffe": in the first 1x1 conv.
  TORCH_ARG(std::string, style) = "pytorch";
  TORCH_ARG(int64_t, frozen_stages) = -1;
  TORCH_ARG(Value, conv_cfg) = type_cfg("Conv");
  TORCH_ARG(Value, norm_cfg) = type_cfg("BN2d", true);
  TORCH_ARG(Value, act_cfg) = type_cfg("ReLU");
  TORCH_ARG(bool, norm_eval) = false;
  TORCH_ARG(bool, partial_bn) = false;
  TORCH_ARG(bool, with_cp) = false;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  // dict(type=name) (with requires_grad=True for norms), as MMAction2's defaults are written.
  static Value type_cfg(const char* name, bool requires_grad = false);
  static ResNetOptions from_config(Args& args);
};

class ResNetImpl : public Backbone {
 public:
  explicit ResNetImpl(const ResNetOptions& options);
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_features(x).back(); }

  // Applies frozen_stages, norm_eval and partial_bn on top of the usual mode switch.
  void train(bool on = true) override;
  void init_weights();
  // MMAction2's init from a checkpoint: torchvision's names when torchvision_pretrain, else
  // the model's own (not strict; the mismatch report goes to stderr).
  void load_pretrained(const std::string& path);

  int64_t feat_dim() const { return feat_dim_; }
  // The stages layer1..layerN, each a sequence of residual blocks.
  const std::vector<torch::nn::Sequential>& res_layers() const { return res_layers_; }
  ResNetOptions options;

 private:
  torch::nn::Sequential make_res_layer(int64_t planes, int64_t blocks, int64_t stride,
                                       int64_t dilation, const std::string& path);
  void freeze_stages();

  ConvModule conv1_{nullptr};
  torch::nn::MaxPool2d maxpool_{nullptr};
  std::vector<torch::nn::Sequential> res_layers_;
  int64_t inplanes_ = 64;
  int64_t feat_dim_ = 0;
};
TORCH_MODULE(ResNet);

}  // namespace tubelet
