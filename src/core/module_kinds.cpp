#include "tubelet/module_kinds.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/instancenorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace tubelet {

namespace {

template <class... Impl>
bool is_any(const torch::nn::Module& m) {
  return ((dynamic_cast<const Impl*>(&m) != nullptr) || ...);
}

}  // namespace

bool is_batch_norm(const torch::nn::Module& m) {
  using namespace torch::nn;
  // SyncBN is defined beside the norm layers; its class name says what it is.
  return is_any<BatchNorm1dImpl, BatchNorm2dImpl, BatchNorm3dImpl>(m) ||
         m.name() == "tubelet::SyncBatchNormImpl";
}

bool is_norm(const torch::nn::Module& m) {
  using namespace torch::nn;
  return is_batch_norm(m) || is_any<InstanceNorm1dImpl, InstanceNorm2dImpl, InstanceNorm3dImpl,
                                    GroupNormImpl, LayerNormImpl>(m);
}

bool is_conv(const torch::nn::Module& m) {
  using namespace torch::nn;
  return is_any<Conv1dImpl, Conv2dImpl, Conv3dImpl, ConvTranspose1dImpl, ConvTranspose2dImpl,
                ConvTranspose3dImpl>(m);
}

bool is_depthwise_conv2d(const torch::nn::Module& m) {
  auto* conv = dynamic_cast<const torch::nn::Conv2dImpl*>(&m);
  return conv && conv->options.in_channels() == conv->options.groups();
}

bool is_linear(const torch::nn::Module& m) {
  return is_any<torch::nn::LinearImpl>(m);
}

}  // namespace tubelet
