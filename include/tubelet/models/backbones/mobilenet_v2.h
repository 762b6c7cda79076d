// MMAction2's MobileNetV2 (mmaction/models/backbones/mobilenet_v2.py): a stem conv, seven
// stages of InvertedResidual blocks (expand 1x1, depthwise 3x3, project 1x1, each a
// ConvModule) and a final 1x1 conv "conv2". Keys read backbone.layer2.0.conv.1.conv.weight.
#pragma once

#include <torch/nn/modules/container/sequential.h>

#include <optional>
#include <string>
#include <vector>

#include "tubelet/args.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct MobileNetV2Options {
  MobileNetV2Options();
  /// A local checkpoint path (loaded not strictly), or None for kaiming/constant init.
  TORCH_ARG(std::optional<std::string>, pretrained);
  TORCH_ARG(double, widen_factor) = 1.0;
  /// Stages whose output is returned: 0..6 the InvertedResidual stages, 7 conv2.
  TORCH_ARG(std::vector<int64_t>, out_indices) = {7};
  /// 0 freezes conv1; n > 0 also the first n of layer1..layer7, conv2.
  TORCH_ARG(int64_t, frozen_stages) = -1;
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg);
  TORCH_ARG(bool, norm_eval) = false;
  TORCH_ARG(bool, with_cp) = false;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  static MobileNetV2Options from_config(Args& args);
};

// MMAction2's make_divisible: `value` to a multiple of `divisor`, at least `divisor`, not
// below 90% of `value`.
int64_t make_divisible(double value, int64_t divisor);

// expand (when expand_ratio != 1), depthwise, project; a residual sum when the shape is kept.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(int64_t in_channels, int64_t out_channels, int64_t stride,
                       int64_t expand_ratio, const MobileNetV2Options& options,
                       const std::string& path);
  torch::Tensor forward(const torch::Tensor& x);

  bool use_res_connect() const { return use_res_connect_; }
  // The sequence "conv" (2 or 3 ConvModules, or what replaced them).
  const torch::nn::Sequential& conv() const { return conv_; }
  // conv.0 as the sequence holds it.
  torch::nn::AnyModule first() const { return *conv_->begin(); }
  // Puts `first` in place of conv.0 (and of its checkpoint name), e.g. a temporal shift.
  void replace_first(torch::nn::AnyModule first);

 private:
  torch::nn::Sequential conv_;
  bool use_res_connect_ = false;
};
TORCH_MODULE(InvertedResidual);

class MobileNetV2Impl : public Backbone {
 public:
  explicit MobileNetV2Impl(const MobileNetV2Options& options);
  // x: [N, 3, H, W]; the outputs of the out_indices stages.
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_features(x).back(); }

  // Applies frozen_stages and norm_eval on top of the usual mode switch.
  void train(bool on = true) override;
  void init_weights();

  int64_t out_channel() const { return out_channel_; }
  // layer1..layer7 then conv2, as MMAction2's `layers` list.
  const std::vector<std::shared_ptr<torch::nn::Module>>& stages() const { return stages_; }
  MobileNetV2Options options;

 private:
  torch::nn::Sequential make_layer(int64_t out_channels, int64_t num_blocks, int64_t stride,
                                   int64_t expand_ratio, const std::string& path);
  void freeze_stages();

  ConvModule conv1_{nullptr};
  std::vector<torch::nn::Sequential> layers_;
  ConvModule conv2_{nullptr};
  std::vector<std::shared_ptr<torch::nn::Module>> stages_;
  int64_t in_channels_ = 32;
  int64_t out_channel_ = 1280;
};
TORCH_MODULE(MobileNetV2);

}  // namespace tubelet
