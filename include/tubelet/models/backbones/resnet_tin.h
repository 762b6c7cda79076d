// MMAction2's ResNetTIN (mmaction/models/backbones/resnet_tin.py): the Temporal Interlace
// module before the first conv of every residual block. It predicts, per clip, two temporal
// offsets (applied to four channel groups as +o0, +o1, -o0, -o1) and per-frame weights, and
// moves 1/shift_div of the channels by those fractional offsets (linear interpolation
// between mmcv's integer tin_shift). Keys: layer1.0.conv1.conv.net1.offset_net.fc1.weight,
// layer1.0.conv1.conv.net2.weight, ...
#pragma once

#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "tubelet/models/backbones/resnet_tsm.h"

namespace tubelet {

// mmcv.ops.tin_shift: data [N, T, C, HW], shift [N, G] integers; channel group g (C / G
// consecutive channels) moves by shift[n, g] frames: out[t + s] = data[t], zeros where
// nothing lands. The gradient is mmcv's kernel's: the incoming gradient moved by the same
// +s (mmcv's backward reuses the forward shift); the shift gets none.
torch::Tensor tin_shift(const torch::Tensor& data, const torch::Tensor& shift);

// MMAction2's linear_sampler: data [N, T, C, H, W] moved per channel group by the fractional
// offsets [N, G], interpolating the shifts by floor(offset) and floor(offset) + 1.
torch::Tensor linear_sampler(const torch::Tensor& data, const torch::Tensor& offset);

// The per-frame weights in (0, 2): conv1d then 2 * sigmoid; the bias starts at 0.
class WeightNetImpl : public torch::nn::Module {
 public:
  WeightNetImpl(int64_t in_channels, int64_t groups);
  torch::Tensor forward(const torch::Tensor& x);  // [N, C, T] -> [N, T, groups]

 private:
  torch::nn::Conv1d conv_{nullptr};
  int64_t groups_;
};
TORCH_MODULE(WeightNet);

// The offsets in (-2, 2): conv1d, fc1, ReLU, fc2, then 4 * (sigmoid - 0.5); fc2's bias
// starts at 0.5108.
class OffsetNetImpl : public torch::nn::Module {
 public:
  OffsetNetImpl(int64_t in_channels, int64_t groups, int64_t num_segments);
  torch::Tensor forward(const torch::Tensor& x);  // [N, C, T] -> [N, 1, groups]

 private:
  torch::nn::Conv1d conv_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(OffsetNet);

class TemporalInterlaceImpl : public torch::nn::Module {
 public:
  TemporalInterlaceImpl(int64_t in_channels, int64_t num_segments, int64_t shift_div);
  torch::Tensor forward(const torch::Tensor& x);  // [N * T, C, H, W] -> same

 private:
  int64_t num_segments_, shift_div_;
  OffsetNet offset_net_{nullptr};
  WeightNet weight_net_{nullptr};
};
TORCH_MODULE(TemporalInterlace);

// net2(net1(x)), MMAction2's CombineNet.
class CombineNetImpl : public torch::nn::Module {
 public:
  CombineNetImpl(TemporalInterlace net1, torch::nn::AnyModule net2);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  TemporalInterlace net1_;
  torch::nn::AnyModule net2_;
};
TORCH_MODULE(CombineNet);

struct ResNetTINOptions {
  TORCH_ARG(int64_t, num_segments) = 8;
  TORCH_ARG(bool, is_tin) = true;
  TORCH_ARG(int64_t, shift_div) = 4;
};

// ResNetTSM's arguments are accepted; as in MMAction2, only non_local/non_local_cfg act (no
// temporal shift, no temporal pool).
class ResNetTINImpl : public ResNetTSMImpl {
 public:
  ResNetTINImpl(const ResNetOptions& resnet, const ResNetTSMOptions& tsm,
                const ResNetTINOptions& tin);
  ResNetTINOptions tin_options;
};

}  // namespace tubelet
