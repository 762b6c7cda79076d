// MMAction2's STGCN backbone (mmaction/models/backbones/stgcn.py): keypoints [N, C, T, V, M]
// through a batch norm over (joint, channel), then ten st_gcn blocks (64, 64, 64, 64, 128*,
// 128, 128, 256*, 256, 256; * temporal stride 2), each a graph convolution over the skeleton
// graph's A (times a learnt edge importance) and a 9x1 temporal convolution, with a residual.
// Keys as in MMAction2: A (a buffer), data_bn, st_gcn_networks.<i>.gcn.conv,
// st_gcn_networks.<i>.tcn.{0,2,3}, st_gcn_networks.<i>.residual.{0,1}, edge_importance.<i>.
#pragma once

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/parameterlist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include <optional>
#include <string>

#include "tubelet/args.h"
#include "tubelet/models/backbone.h"
#include "tubelet/models/common/skeleton_graph.h"

namespace tubelet {

// MMAction2's ConvTemporalGraphical of STGCN: a 1x1 convolution to K * out_channels, then
// the sum over k of the channels k times A[k] (einsum 'nkctv,kvw->nctw'). Key: conv.
class STGCNGraphConvImpl : public torch::nn::Module {
 public:
  STGCNGraphConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel_size);
  // x [N, C, T, V], adj [K, V, V] -> [N, out_channels, T, V].
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& adj);

  int64_t kernel_size;
  torch::nn::Conv2d conv{nullptr};
};
TORCH_MODULE(STGCNGraphConv);

// MMAction2's STGCNBlock: gcn, tcn (BN, ReLU, 9x1 conv with stride, BN, Dropout), a residual
// (none, identity, or 1x1 conv with stride + BN), ReLU.
class STGCNBlockImpl : public torch::nn::Module {
 public:
  STGCNBlockImpl(int64_t in_channels, int64_t out_channels, int64_t temporal_kernel,
                 int64_t spatial_kernel, int64_t stride, double dropout, bool residual);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& adj);

 private:
  STGCNGraphConv gcn_{nullptr};
  torch::nn::Sequential tcn_{nullptr};
  torch::nn::Sequential residual_{nullptr};  // the conv residual, when there is one
  bool identity_residual_ = false;
};
TORCH_MODULE(STGCNBlock);

struct STGCNOptions {
  explicit STGCNOptions(int64_t in_channels) : in_channels_(in_channels) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(SkeletonGraphOptions, graph_cfg);
  /// One learnt [K, V, V] weight per block multiplying A (edge_importance.<i>, init 1).
  TORCH_ARG(bool, edge_importance_weighting) = true;
  /// BatchNorm1d over in_channels * V before the blocks.
  TORCH_ARG(bool, data_bn) = true;
  /// A checkpoint loaded not strictly after init (MMAction2's init_weights), or None.
  TORCH_ARG(std::optional<std::string>, pretrained);
  /// MMAction2's **kwargs to the blocks: dropout after each tcn (not in the first block).
  TORCH_ARG(double, dropout) = 0;
  TORCH_ARG(std::string, path) = "backbone";

 public:  // TORCH_ARG leaves the section private
  static STGCNOptions from_config(Args& args);
};

class STGCNImpl : public Backbone {
 public:
  explicit STGCNImpl(const STGCNOptions& options);
  // x [N, in_channels, T, V, M] -> {[N * M, 256, ceil(T / 4), V]}.
  std::vector<torch::Tensor> forward_features(const torch::Tensor& x) override;
  torch::Tensor forward(const torch::Tensor& x) { return forward_features(x).back(); }
  // MMAction2's init_weights with pretrained=None: kaiming (fan_out, normal) for the
  // convolutions with zero biases, 1 / 0 for the batch norms.
  void init_weights();

  STGCNOptions options;
  SkeletonGraph graph;

 private:
  torch::Tensor A_;
  torch::nn::BatchNorm1d data_bn_{nullptr};
  std::vector<STGCNBlock> blocks_;
  torch::nn::ParameterList edge_importance_{nullptr};
};
TORCH_MODULE(STGCN);

// The checks STGCN and AGCN share on their input (named after `model`): 5 dims, N, C, T, V, M
// with C == in_channels and V == the graph's joints.
void check_skeleton_input(const torch::Tensor& x, const std::string& model, int64_t in_channels,
                          int64_t num_node);

}  // namespace tubelet
