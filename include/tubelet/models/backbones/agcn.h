// MMAction2's AGCN backbone (mmaction/models/backbones/agcn.py), of 2s-AGCN: keypoints
// [N, C, T, V, M] through a batch norm over (joint, channel), then ten adaptive graph
// convolution blocks (64, 64, 64, 64, 128*, 128, 128, 256*, 256, 256; * temporal stride 2).
// Each adds to the graph's A a learnt PA and a data-dependent attention (softmax of the
// product of two 1x1 embeddings). Keys as in MMAction2: A (a buffer), data_bn,
// agcn_networks.<i>.gcn.{PA, conv_a.<k>, conv_b.<k>, conv_d.<k>, down.{0,1}, bn},
// agcn_networks.<i>.tcn.{0,1}, agcn_networks.<i>.residual.{0,1}.
//
// Init, as MMAction2's really does: PA = 1e-6 and PyTorch's default init everywhere else.
// (MMAction2's conv_init, bn_init and conv_branch_init hand tensors to mmcv's module
// initialisers, which find no `weight` on a tensor and do nothing; AGCN.init_weights is a
// no-op without `pretrained`.)
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <optional>
#include <string>

#include "tubelet/args.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/skeleton_graph.h"

namespace tubelet {

// MMAction2's ConvTemporalGraphical of AGCN (the paper's unit_gcn): three subsets, each with
// A[k] + PA[k] + softmax(conv_a(x)^T conv_b(x) / (C_inter * T)), then conv_d; the sum through
// bn, plus `down` (1x1 conv + BN when the widths differ, else identity), ReLU.
class AGCNGraphConvImpl : public torch::nn::Module {
 public:
  AGCNGraphConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                    int64_t adj_len);
  // x [N, C, T, V], adj [K, V, V] -> [N, out_channels, T, V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& adj);

  int64_t kernel_size;
  int64_t inter_channels;
  static constexpr int64_t num_subset = 3;
  torch::Tensor PA;
  torch::nn::ModuleList conv_a{nullptr}, conv_b{nullptr}, conv_d{nullptr};
  torch::nn::Sequential down{nullptr};  // null: identity
  torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(AGCNGraphConv);

// MMAction2's AGCNBlock: gcn, tcn (9x1 conv with stride, BN, Dropout), a residual (none,
// identity, or 1x1 conv with stride + BN), ReLU.
class AGCNBlockImpl : public torch::nn::Module {
 public:
  AGCNBlockImpl(int64_t in_channels, int64_t out_channels, int64_t temporal_kernel,
                int64_t spatial_kernel, int64_t stride, int64_t adj_len, double dropout,
                bool residual);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& adj);

 private:
  AGCNGraphConv gcn_{nullptr};
  torch::nn::Sequential tcn_{nullptr};
  torch::nn::Sequential residual_{nullptr};
  bool identity_residual_ = false;
};
TORCH_MODULE(AGCNBlock);

struct AGCNOptions {
  explicit AGCNOptions(int64_t in_channels) : in_channels_(in_channels) {}
  TORCH_ARG(int64_t, in_channels);
  /// The graph; its A must hold 3 matrices (strategy 'agcn' or 'spatial' with max_hop 1) or
  /// 1 ('uniform'), as AGCN adds its 3 PA matrices to it.
  TORCH_ARG(SkeletonGraphOptions, graph_cfg);
  TORCH_ARG(bool, data_bn) = true;
  TORCH_ARG(std::optional<std::string>, pretrained);
  /// MMAction2's **kwargs to the blocks: dropout after each tcn (not in the first block).
  TORCH_ARG(double, dropout) = 0;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  static AGCNOptions from_config(Args& args);
};

class AGCNImpl : public Backbone {
 public:
  explicit AGCNImpl(const AGCNOptions& options);
  // x [N, in_channels, T, V, M] -> {[N * M, 256, ceil(T / 4), V]}.
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_features(x).back(); }

  AGCNOptions options;
  SkeletonGraph graph;

 private:
  torch::Tensor A_;
  torch::nn::BatchNorm1d data_bn_{nullptr};
  std::vector<AGCNBlock> blocks_;
};
TORCH_MODULE(AGCN);

}  // namespace tubelet
