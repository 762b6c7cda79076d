#include "tubelet/models/common/tam.h"

#include <torch/torch.h>

namespace tubelet {

TAMImpl::TAMImpl(const TAMOptions& o) : options(o) {
  if (o.alpha() <= 0 || o.beta() <= 0)
    throw std::invalid_argument("TAM: alpha and beta must be positive");
  int64_t t = o.num_segments(), c = o.in_channels();
  G_ = register_module(
      "G", torch::nn::Sequential(
               torch::nn::Linear(torch::nn::LinearOptions(t, t * o.alpha()).bias(false)),
               torch::nn::BatchNorm1d(t * o.alpha()), torch::nn::ReLU(),
               torch::nn::Linear(
                   torch::nn::LinearOptions(t * o.alpha(), o.adaptive_kernel_size()).bias(false)),
               torch::nn::Softmax(-1)));
  L_ = register_module(
      "L", torch::nn::Sequential(
               torch::nn::Conv1d(torch::nn::Conv1dOptions(c, c / o.beta(), o.conv1d_kernel_size())
                                     .padding(o.conv1d_kernel_size() / 2)
                                     .bias(false)),
               torch::nn::BatchNorm1d(c / o.beta()), torch::nn::ReLU(),
               torch::nn::Conv1d(torch::nn::Conv1dOptions(c / o.beta(), c, 1).bias(false)),
               torch::nn::Sigmoid()));
}

torch::Tensor TAMImpl::forward(const torch::Tensor& input) {
  int64_t n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3);
  int64_t t = options.num_segments(), batches = n / t;
  TORCH_CHECK(c == options.in_channels(), "TAM: expected ", options.in_channels(),
              " channels, got ", c);
  TORCH_CHECK(n % t == 0, "TAM: batch ", n, " is not a multiple of ", t, " segments");
  // [batches, C, T, H, W]
  torch::Tensor x = input.view({batches, t, c, h, w}).permute({0, 2, 1, 3, 4}).contiguous();
  torch::Tensor theta = torch::adaptive_avg_pool2d(x.view({-1, t, h, w}), {1, 1});
  // One temporal kernel per (video, channel): [batches * C, 1, K, 1].
  torch::Tensor kernel = G_->forward(theta.view({-1, t})).view({batches * c, 1, -1, 1});
  torch::Tensor gate = L_->forward(theta.view({-1, c, t})).view({batches, c, t, 1, 1});
  torch::Tensor y = torch::conv2d((x * gate).view({1, batches * c, t, h * w}), kernel, {},
                                  {options.adaptive_convolution_stride(), 1},
                                  {options.adaptive_convolution_padding(), 0}, {1}, batches * c);
  return y.view({batches, c, t, h, w}).permute({0, 2, 1, 3, 4}).contiguous().view({n, c, h, w});
}

}  // namespace tubelet
