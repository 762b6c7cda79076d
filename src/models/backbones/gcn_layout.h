// What MMAction2's STGCN and AGCN share: their ten blocks' widths and temporal strides (the
// temporal kernel is always 9) and the residual branch of a block.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <array>
#include <cstdint>

namespace tubelet::gcn_layout {

struct Stage {
  int64_t out, stride;
};
inline constexpr std::array<Stage, 10> kStages = {{{64, 1},
                                                   {64, 1},
                                                   {64, 1},
                                                   {64, 1},
                                                   {128, 2},
                                                   {128, 1},
                                                   {128, 1},
                                                   {256, 2},
                                                   {256, 1},
                                                   {256, 1}}};
inline constexpr int64_t kTemporalKernel = 9;

// A block's residual: none (residual=False), the input itself (same width, stride 1: an
// undefined holder), or a strided 1x1 conv and a batch norm.
inline bool identity_residual(bool residual, int64_t in, int64_t out, int64_t stride) {
  return residual && in == out && stride == 1;
}
inline torch::nn::Sequential conv_residual(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Sequential(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride({stride, 1})),
      torch::nn::BatchNorm2d(out));
}
// The block's output: relu(tcn(gcn(x)) + residual(x)).
inline torch::Tensor add_residual(const torch::Tensor& y, const torch::Tensor& x, bool identity,
                                  torch::nn::Sequential& residual) {
  if (identity) return torch::relu(y + x);
  if (residual) return torch::relu(y + residual->forward(x));
  return torch::relu(y);
}

}  // namespace tubelet::gcn_layout
