#include "tubelet/models/backbones/agcn.h"

#include "gcn_layout.h"

#include <torch/nn/modules/dropout.h>

#include <iostream>

#include "tubelet/checkpoint/checkpoint.h"
#include "tubelet/fileio/model_cache.h"
#include "tubelet/models/backbones/stgcn.h"
#include "tubelet/models/registries.h"

namespace tubelet {

AGCNGraphConvImpl::AGCNGraphConvImpl(int64_t in_channels, int64_t out_channels,
                                     int64_t kernel_size_, int64_t adj_len)
    : kernel_size(kernel_size_), inter_channels(out_channels / 4) {
  PA = register_parameter("PA", torch::full({num_subset, adj_len, adj_len}, 1e-6));
  conv_a = register_module("conv_a", torch::nn::ModuleList());
  conv_b = register_module("conv_b", torch::nn::ModuleList());
  conv_d = register_module("conv_d", torch::nn::ModuleList());
  for (int64_t i = 0; i < num_subset; ++i) {
    conv_a->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, inter_channels, 1)));
    conv_b->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, inter_channels, 1)));
    conv_d->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1)));
  }
  if (in_channels != out_channels)
    down = register_module("down", torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                             in_channels, out_channels, 1)),
                                                         torch::nn::BatchNorm2d(out_channels)));
  bn = register_module("bn", torch::nn::BatchNorm2d(out_channels));
}

torch::Tensor AGCNGraphConvImpl::forward(const torch::Tensor& x, const torch::Tensor& adj) {
  TORCH_CHECK(adj.size(0) == kernel_size, "AGCN: the graph convolution has ", kernel_size,
              " kernels but A has ", adj.size(0));
  const int64_t n = x.size(0), c = x.size(1), t = x.size(2), v = x.size(3);
  torch::Tensor a = adj + PA;
  torch::Tensor y;
  for (int64_t i = 0; i < num_subset; ++i) {
    torch::Tensor a1 = conv_a[i]
                           ->as<torch::nn::Conv2d>()
                           ->forward(x)
                           .permute({0, 3, 1, 2})
                           .contiguous()
                           .view({n, v, inter_channels * t});
    torch::Tensor a2 =
        conv_b[i]->as<torch::nn::Conv2d>()->forward(x).view({n, inter_channels * t, v});
    a1 = torch::softmax(torch::matmul(a1, a2) / a1.size(-1), -2);
    a1 = a1 + a[i];
    torch::Tensor z = conv_d[i]->as<torch::nn::Conv2d>()->forward(
        torch::matmul(x.view({n, c * t, v}), a1).view({n, c, t, v}));
    y = y.defined() ? z + y : z;
  }
  y = bn(y);
  y = y + (down ? down->forward(x) : x);
  return torch::relu(y);
}

AGCNBlockImpl::AGCNBlockImpl(int64_t in_channels, int64_t out_channels, int64_t temporal_kernel,
                             int64_t spatial_kernel, int64_t stride, int64_t adj_len,
                             double dropout, bool residual) {
  const int64_t padding = (temporal_kernel - 1) / 2;
  gcn_ = register_module("gcn", AGCNGraphConv(in_channels, out_channels, spatial_kernel, adj_len));
  tcn_ = register_module(
      "tcn",
      torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(out_channels, out_channels,
                                                                       {temporal_kernel, 1})
                                                  .stride({stride, 1})
                                                  .padding({padding, 0})),
                            torch::nn::BatchNorm2d(out_channels), torch::nn::Dropout(dropout)));
  identity_residual_ = gcn_layout::identity_residual(residual, in_channels, out_channels, stride);
  if (residual && !identity_residual_)
    residual_ =
        register_module("residual", gcn_layout::conv_residual(in_channels, out_channels, stride));
}

torch::Tensor AGCNBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& adj) {
  return gcn_layout::add_residual(tcn_->forward(gcn_(x, adj)), x, identity_residual_, residual_);
}

AGCNImpl::AGCNImpl(const AGCNOptions& o) : options(o), graph(o.graph_cfg()) {
  if (o.in_channels() < 1)
    throw std::invalid_argument("AGCN: in_channels must be positive, not " +
                                std::to_string(o.in_channels()));
  const int64_t k = graph.A().size(0), v = graph.A().size(1);
  // A + PA broadcasts [K, V, V] against [3, V, V].
  if (k != 1 && k != AGCNGraphConvImpl::num_subset)
    throw std::invalid_argument("AGCN: graph_cfg (strategy '" + graph.options.strategy() +
                                "') gives " + std::to_string(k) +
                                " adjacency matrices; AGCN adds its 3 PA matrices to them, so "
                                "it needs 3 (or 1)");
  if (o.pretrained()) check_checkpoint_name(*o.pretrained(), o.path());
  A_ = register_buffer("A", graph.A().to(torch::kFloat));
  if (o.data_bn())
    data_bn_ = register_module("data_bn", torch::nn::BatchNorm1d(o.in_channels() * v));
  auto networks = register_module("agcn_networks", torch::nn::ModuleList());
  int64_t in = o.in_channels();
  for (size_t i = 0; i < gcn_layout::kStages.size(); ++i) {
    const gcn_layout::Stage& s = gcn_layout::kStages[i];
    AGCNBlock block(in, s.out, gcn_layout::kTemporalKernel, k, s.stride, v,
                    i == 0 ? 0.0 : o.dropout(),
                    /*residual=*/i != 0);
    networks->push_back(block);
    blocks_.push_back(block);
    in = s.out;
  }
  if (o.pretrained()) {
    auto report =
        checkpoint::load_state_dict(*this, checkpoint::load_checkpoint(*o.pretrained()).state_dict);
    if (!report.ok()) std::cerr << report.message() << "\n";
  }
}

std::vector<torch::Tensor> AGCNImpl::forward_features(const torch::Tensor& input) {
  check_skeleton_input(input, "AGCN", options.in_channels(), graph.num_node());
  torch::Tensor x = input.to(torch::kFloat);
  const int64_t n = x.size(0), c = x.size(1), t = x.size(2), v = x.size(3), m = x.size(4);
  x = x.permute({0, 4, 3, 1, 2}).contiguous().view({n * m, v * c, t});  // N M V C T
  if (data_bn_) x = data_bn_(x);
  x = x.view({n, m, v, c, t}).permute({0, 1, 3, 4, 2}).contiguous().view({n * m, c, t, v});
  for (auto& block : blocks_) x = block(x, A_);
  return {x};
}

AGCNOptions AGCNOptions::from_config(Args& args) {
  AGCNOptions o(args.required<int64_t>("in_channels"));
  Args graph_args(args.required<Value>("graph_cfg"), "Graph", args.path() + ".graph_cfg");
  o.graph_cfg(SkeletonGraphOptions::from_config(graph_args));
  graph_args.finish();
  o.data_bn(args.get("data_bn", true))
      .pretrained(args.get<std::optional<std::string>>("pretrained", std::nullopt))
      .dropout(args.get("dropout", 0.0))
      .path(args.path());
  if (o.in_channels() < 1) throw args.error("in_channels", "in_channels must be positive");
  if (o.dropout() < 0 || o.dropout() > 1) throw args.error("dropout", "dropout must be in [0, 1]");
  return o;
}

namespace {
std::shared_ptr<Backbone> build_agcn(Args& args) {
  return std::make_shared<AGCNImpl>(AGCNOptions::from_config(args));
}
}  // namespace

TUBELET_REGISTER(BACKBONES, AGCN, build_agcn);

}  // namespace tubelet
