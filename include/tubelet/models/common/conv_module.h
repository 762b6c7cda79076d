// mmcv's ConvModule: conv, then norm, then activation (or another order), with the child
// names mmcv gives them ("conv", "bn"/"gn"/..., "activate"): checkpoint keys such as
// backbone.conv1.conv.weight and backbone.conv1.bn.running_mean.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

#include "tubelet/config/value.h"
#include "tubelet/models/layers.h"

namespace tubelet {

struct ConvModuleOptions {
  ConvModuleOptions(int64_t in_channels, int64_t out_channels, IntOrTuple kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(IntOrTuple, kernel_size);
  TORCH_ARG(IntOrTuple, stride) = {1};
  TORCH_ARG(IntOrTuple, padding) = {0};
  TORCH_ARG(IntOrTuple, dilation) = {1};
  TORCH_ARG(int64_t, groups) = 1;
  /// "auto" (no bias when there is a norm), "true" or "false".
  TORCH_ARG(std::string, bias) = "auto";
  /// Config dicts as mmcv takes them; None: Conv2d / no norm / no activation.
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg) = default_act_cfg();
  TORCH_ARG(bool, inplace) = true;
  /// A permutation of "conv", "norm", "act".
  TORCH_ARG(std::vector<std::string>, order) = {"conv", "norm", "act"};
  /// Where the module sits in the config, for error messages.
  TORCH_ARG(std::string, path) = "ConvModule";

 public:  // TORCH_ARG leaves the section private
  static Value default_act_cfg();
};

class ConvModuleImpl : public torch::nn::Module {
 public:
  explicit ConvModuleImpl(const ConvModuleOptions& options);
  torch::Tensor forward(torch::Tensor x);

  // mmcv's init_weights: kaiming normal (fan_out) for the conv, 1/0 for the norm.
  void init_weights();

  bool with_norm() const { return !norm_name_.empty(); }
  const std::string& norm_name() const { return norm_name_; }
  std::shared_ptr<torch::nn::Module> norm() const { return norm_.ptr(); }
  std::shared_ptr<torch::nn::Module> conv() const { return conv_.ptr(); }
  const torch::nn::AnyModule& conv_layer() const { return conv_; }
  // Puts another layer in the conv's place (and checkpoint name), e.g. TSM's TemporalShift
  // around the original conv.
  void replace_conv(torch::nn::AnyModule conv);

  ConvModuleOptions options;

 private:
  torch::nn::AnyModule conv_, norm_, activate_;
  std::string norm_name_;
};
TORCH_MODULE(ConvModule);

}  // namespace tubelet
