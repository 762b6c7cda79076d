// MMAction2's ACRNHead (a shared head, mmdet's SHARED_HEADS there): the Actor-Centric Relation
// Network's tile + 1x1 conv + 3x3 conv(s) over the RoI feature and the frame's context.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include "tubelet/args.h"
#include "tubelet/config/value.h"
#include "tubelet/models/common/conv_module.h"

namespace tubelet {

struct ACRNHeadOptions {
  ACRNHeadOptions(int64_t in_channels, int64_t out_channels)
      : in_channels_(in_channels), out_channels_(out_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, num_convs) = 1;
  TORCH_ARG(Value, conv_cfg);
  TORCH_ARG(Value, norm_cfg);
  TORCH_ARG(Value, act_cfg);
  TORCH_ARG(std::string, path) = "ACRNHead";

 public:
  static ACRNHeadOptions from_config(Args& args);
};

class ACRNHeadImpl : public torch::nn::Module {
 public:
  explicit ACRNHeadImpl(const ACRNHeadOptions& options);
  // x: RoI features [K, C1, T, h, w]; feat: the context map [N, C2, T', H, W] (the RoI
  // extractor's second output); rois [K, 5] pick each RoI's frame. C1 + C2 = in_channels.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& feat,
                        const torch::Tensor& rois);
  // kaiming_init of the Conv3d layers, constant 1 of the norms (MMAction2's init_weights).
  void init_weights();

  ACRNHeadOptions options;
  ConvModule conv1{nullptr}, conv2{nullptr};
  torch::nn::ModuleList convs;
};
TORCH_MODULE(ACRNHead);

}  // namespace tubelet
