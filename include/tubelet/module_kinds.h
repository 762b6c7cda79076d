// What kind of layer a module is, as PyTorch code asks with isinstance: the optimizer
// constructors (norm, depthwise conv, conv, linear) and norm_eval/partial_bn need it.
#pragma once

#include <torch/nn/module.h>

namespace tubelet {

// _BatchNorm: BatchNorm1d/2d/3d and SyncBN.
bool is_batch_norm(const torch::nn::Module& m);
// mmcv's "norm": _BatchNorm, _InstanceNorm, GroupNorm, LayerNorm.
bool is_norm(const torch::nn::Module& m);
// _ConvNd: Conv1d/2d/3d and the transposed ones.
bool is_conv(const torch::nn::Module& m);
// torch.nn.Conv2d with in_channels == groups.
bool is_depthwise_conv2d(const torch::nn::Module& m);
bool is_linear(const torch::nn::Module& m);

}  // namespace tubelet
