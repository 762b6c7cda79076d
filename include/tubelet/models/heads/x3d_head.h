// MMAction2's X3DHead: global pooling (avg or max), fc1 to 2048 channels, ReLU, dropout,
// fc2 to the classes. Keys: cls_head.fc1.weight (and fc1.bias with fc1_bias), cls_head.fc2.*.
#pragma once

#include <torch/nn/modules/linear.h>

#include "tubelet/models/head.h"

namespace tubelet {

struct X3DHeadOptions {
  X3DHeadOptions(int64_t num_classes, int64_t in_channels)
      : num_classes_(num_classes), in_channels_(in_channels) {}
  TORCH_ARG(int64_t, num_classes);
  TORCH_ARG(int64_t, in_channels);
  /// "avg" or "max".
  TORCH_ARG(std::string, spatial_type) = "avg";
  TORCH_ARG(double, dropout_ratio) = 0.5;
  TORCH_ARG(double, init_std) = 0.01;
  TORCH_ARG(bool, fc1_bias) = false;
  /// Fixed in MMAction2.
  TORCH_ARG(int64_t, mid_channels) = 2048;
};

class X3DHeadImpl : public Head {
 public:
  X3DHeadImpl(const X3DHeadOptions& options, std::shared_ptr<Loss> loss_cls,
              HeadLossOptions loss_options);
  // x: [N, in_channels, T, H, W]; returns [N, num_classes].
  torch::Tensor forward_scores(const torch::Tensor& x, int64_t num_segs) override;

  X3DHeadOptions options;

 private:
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(X3DHead);

}  // namespace tubelet
